# Help of Remove-KrSession (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Removes a key from the current request's session.
'@
    Description = @'
Removes -Key and its value; removing an absent key is not an error. Must be called inside a route script
block; the server needs Add-KrSession.
'@
    Parameters = @{
        Key = @'
The session key.
'@
    }
    Examples = @(
        @'
Remove-KrSession -Key 'user'
'@
    )
}
