# Help of Clear-KrSession (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Removes every key from the current request's session.
'@
    Description = @'
Clears the session (e.g. on logout): afterwards Get-KrSession* return $null for every key. Must be called
inside a route script block; the server needs Add-KrSession.
'@
    Parameters = @{
    }
    Examples = @(
        @'
Clear-KrSession
Write-KrJsonResponse -InputObject @{ message = 'Session cleared' }
'@
    )
}
