# Help of Set-KrSessionInt32 (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Stores a 32-bit integer in the current request's session.
'@
    Description = @'
Stores -Value under -Key (4 bytes, big-endian, as ASP.NET Core's ISession.SetInt32). The session cookie is
sent with the response when the session is first written. Must be called inside a route script block; the
server needs Add-KrSession.
'@
    Parameters = @{
        Key = @'
The session key.
'@
        Value = @'
The integer to store.
'@
    }
    Examples = @(
        @'
Set-KrSessionInt32 -Key 'counter' -Value 1
'@
    )
}
