# Help of Clear-KrSession (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Ends the current request's session (logout).
'@
    Description = @'
Removes every key of the session and, when the route succeeds, the session itself from the store: its id stops
working, so a session cookie captured before (from a shared computer, a log, a proxy) reaches nothing of the user's
next session, and the response carries the cookie's removal. Afterwards Get-KrSession* return $null for every key. A
value set after Clear-KrSession, in the same route or a later request, starts a new session with a new id and
cookie. To keep the data but change the id (at login), use Reset-KrSessionId. Must be called inside a route script
block; the server needs Add-KrSession.
'@
    Parameters = @{
    }
    Examples = @(
        @'
Add-KrMapRoute -Verbs Get -Path '/session/logout' -ScriptBlock {
    Clear-KrSession
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Session cleared' }
}

Logout: the session and its id are gone; the client's old cookie no longer names a session.
'@
        @'
Clear-KrSession
Set-KrSessionString -Key 'user' -Value $newUser

Switching users in one request: the old session ends and the write starts a new one with a new id.
'@
    )
}
