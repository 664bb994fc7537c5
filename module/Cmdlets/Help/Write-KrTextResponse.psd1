# Help of Write-KrTextResponse (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Writes text to the response, with a status code.
'@
    Description = @'
Writes -InputObject as the UTF-8 response body with the status code and content type (default
'text/plain; charset=utf-8') in one call to the engine. Strings and simple values are written as they are;
other objects as their formatted text (Out-String; objects piped one after another are formatted together,
as the console shows them). Values piped in (or an array given to -InputObject) are joined with newlines
("`n"): 'a', 'b' | Write-KrTextResponse answers "a`nb". Must be called inside a route script block.
'@
    Parameters = @{
        InputObject = @'
The text (or object) to write. Alias: Text.
'@
        StatusCode = @'
The HTTP status code, 100..999. Default 200.
'@
        ContentType = @'
The Content-Type header. Default 'text/plain; charset=utf-8'.
'@
    }
    Examples = @(
        @'
Write-KrTextResponse -StatusCode 200 -InputObject 'Hello, Session World!'
'@
        @'
Write-KrTextResponse -InputObject '<h1>Hi</h1>' -ContentType 'text/html'
'@
    )
}
