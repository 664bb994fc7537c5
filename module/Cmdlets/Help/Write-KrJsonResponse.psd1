# Help of Write-KrJsonResponse (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Writes an object to the response as JSON, with a status code.
'@
    Description = @'
Serializes -InputObject to the JSON ConvertTo-Json writes (PowerShell's own serializer, called without running
a command) and writes it as the response body with the status code and content type (default
'application/json; charset=utf-8') in one call to the engine. Objects piped in are collected: one object is
written as itself, several as a JSON array; $null as null. Must be called inside a route script block.
'@
    Parameters = @{
        InputObject = @'
The object to serialize (hashtable, PSCustomObject, array, value...).
'@
        StatusCode = @'
The HTTP status code, 100..999. Default 200.
'@
        Depth = @'
Maximum depth of the serialization, 0..100. Default 10.
'@
        Compress = @'
Write the JSON without indentation and line breaks.
'@
        ContentType = @'
The Content-Type header. Default 'application/json; charset=utf-8'.
'@
    }
    Examples = @(
        @'
Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Counter incremented'; counter = 1 }
'@
        @'
Get-Process | Select-Object -First 3 Name, Id | Write-KrJsonResponse -Compress
'@
        @'
Write-KrJsonResponse -StatusCode 404 -InputObject @{ error = 'Not found' }
'@
    )
}
