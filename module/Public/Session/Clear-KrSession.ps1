function Clear-KrSession {
    <#
    .SYNOPSIS
        Removes every key from the current request's session.
    .DESCRIPTION
        Clears the session (e.g. on logout): afterwards Get-KrSession* return $null for every key. Must be called
        inside a route script block; the server needs Add-KrSession.
    .EXAMPLE
        Clear-KrSession
        Write-KrJsonResponse -InputObject @{ message = 'Session cleared' }
    #>
    [CmdletBinding()]
    param()
    try {
        [KestrunRust.KrRequestContext]::RequireCurrent('Clear-KrSession').ClearSession()
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrClearSessionFailed'))
    }
}
