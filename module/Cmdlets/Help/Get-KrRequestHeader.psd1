# Help of Get-KrRequestHeader (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Gets a header of the current request.
'@
    Description = @'
Returns the value of request header -Name (case-insensitive); repeated headers are joined with ", ".
Returns $null when it is absent (or throws with -ThrowIfMissing). -AsInt, -AsBool and -AsDouble convert
the value; a value that does not convert is an error naming it (never a silent $null).
Must be called inside a route script block.
'@
    Outputs = @'
System.String (or Int32 / Boolean / Double with -AsInt / -AsBool / -AsDouble), or $null when absent
'@
    Parameters = @{
        Name = @'
The name of the header.
'@
        AsInt = @'
Convert the value to an integer.
'@
        AsBool = @'
Convert the value to a boolean (true/false, 1/0, yes/no, on/off). Alias: AsBoolean.
'@
        AsDouble = @'
Convert the value to a double (invariant culture).
'@
        AsString = @'
Return the value as a string (the default).
'@
        ThrowIfMissing = @'
Throw an error when the header is absent instead of returning $null.
'@
    }
    Examples = @(
        @'
$agent = Get-KrRequestHeader -Name 'User-Agent'
'@
        @'
$auth = Get-KrRequestHeader -Name 'Authorization' -ThrowIfMissing
'@
    )
}
