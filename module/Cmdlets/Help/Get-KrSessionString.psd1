# Help of Get-KrSessionString (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Gets a string from the current request's session.
'@
    Description = @'
Returns the string stored under -Key (UTF-8, as ASP.NET Core's ISession.GetString), or $null when the key
is absent. Must be called inside a route script block; the server needs Add-KrSession.
'@
    Outputs = @'
System.String, or $null when the key is absent
'@
    Parameters = @{
        Key = @'
The session key.
'@
    }
    Examples = @(
        @'
$user = Get-KrSessionString -Key 'user'
if ($null -eq $user) { Write-KrJsonResponse -StatusCode 401 -InputObject @{ error = 'not logged in' }; return }
'@
    )
}
