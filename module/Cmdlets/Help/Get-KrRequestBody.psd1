# Help of Get-KrRequestBody (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Gets the body of the current request.
'@
    Description = @'
By default the body is parsed by its Content-Type: application/json (and +json types) into a hashtable
(ConvertFrom-Json -AsHashtable), application/x-www-form-urlencoded into a hashtable of decoded fields
(repeated fields become arrays), anything else returned as text (UTF-8). -Raw returns the text as is,
-AsBytes the bytes. An empty body gives $null (-Raw: '', -AsBytes: an empty array); a body that does not
parse as its Content-Type says is an error. Must be called inside a route script block.
'@
    Outputs = @'
System.Collections.Hashtable, System.String or System.Byte[]
'@
    Parameters = @{
        Raw = @'
Return the body text without parsing it.
'@
        AsBytes = @'
Return the body as a byte[].
'@
    }
    Examples = @(
        @'
$data = Get-KrRequestBody
Write-KrJsonResponse -InputObject @{ received = $data.name }
'@
        @'
$text = Get-KrRequestBody -Raw
'@
    )
}
