# Help of Set-KrSessionByte (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Stores a byte array in the current request's session.
'@
    Description = @'
Stores -Value under -Key as is. Must be called inside a route script block; the server needs Add-KrSession.
'@
    Parameters = @{
        Key = @'
The session key.
'@
        Value = @'
The bytes to store (may be empty).
'@
    }
    Examples = @(
        @'
Set-KrSessionByte -Key 'token' -Value ([System.Text.Encoding]::UTF8.GetBytes('abc'))
'@
    )
}
