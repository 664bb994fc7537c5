function Remove-KrSession {
    <#
    .SYNOPSIS
        Removes a key from the current request's session.
    .DESCRIPTION
        Removes -Key and its value; removing an absent key is not an error. Must be called inside a route script
        block; the server needs Add-KrSession.
    .PARAMETER Key
        The session key.
    .EXAMPLE
        Remove-KrSession -Key 'user'
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Key
    )
    try {
        [KestrunRust.KrRequestContext]::RequireCurrent('Remove-KrSession').RemoveSession($Key)
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrRemoveSessionFailed' -TargetObject $Key))
    }
}
