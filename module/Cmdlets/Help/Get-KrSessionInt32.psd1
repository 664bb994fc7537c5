# Help of Get-KrSessionInt32 (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Gets a 32-bit integer from the current request's session.
'@
    Description = @'
Returns the integer stored under -Key (4 bytes, big-endian, as ASP.NET Core's ISession.GetInt32), or $null
when the key is absent, so that "$n = Get-KrSessionInt32 -Key 'counter'; $n + 1" works on the first request.
Must be called inside a route script block; the server needs Add-KrSession.
'@
    Outputs = @'
System.Int32, or $null when the key is absent
'@
    Parameters = @{
        Key = @'
The session key.
'@
    }
    Examples = @(
        @'
$current = Get-KrSessionInt32 -Key 'counter'
Set-KrSessionInt32 -Key 'counter' -Value ($current + 1)
'@
    )
}
