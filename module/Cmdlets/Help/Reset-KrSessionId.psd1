# Help of Reset-KrSessionId (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Gives the current request's session a new random id, keeping its data.
'@
    Description = @'
Call it when the privilege of a session changes, above all at login: when the route succeeds, the session's data
moves to a new random id, the old id is deleted from the store and the new session cookie is sent (with
Cache-Control: no-cache,no-store). A session cookie that an attacker planted or captured before the login then
reaches nothing, while the user keeps their data. On a session that has nothing stored yet it changes nothing (its
first write gets a new id anyway). To end a session (logout), use Clear-KrSession. Must be called inside a route
script block; the server needs Add-KrSession.
'@
    Parameters = @{
    }
    Examples = @(
        @'
Add-KrMapRoute -Verbs Get -Path '/session/login' -ScriptBlock {
    $user = Get-KrRequestQuery -Name 'user'
    Set-KrSessionString -Key 'user' -Value $user
    Reset-KrSessionId
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Logged in'; user = $user }
}

Login: the user's session gets a new id, so a cookie planted before the login sees nothing of it.
'@
    )
}
