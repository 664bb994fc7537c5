# Help of Set-KrSessionString (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Stores a string in the current request's session.
'@
    Description = @'
Stores -Value (UTF-8) under -Key. An empty string is a value (Get-KrSessionString returns ''); use
Remove-KrSession to delete a key. Must be called inside a route script block; the server needs Add-KrSession.
'@
    Parameters = @{
        Key = @'
The session key.
'@
        Value = @'
The string to store.
'@
    }
    Examples = @(
        @'
Set-KrSessionString -Key 'user' -Value 'max'
'@
    )
}
