function Get-KrSessionString {
    <#
    .SYNOPSIS
        Gets a string from the current request's session.
    .DESCRIPTION
        Returns the string stored under -Key (UTF-8, as ASP.NET Core's ISession.GetString), or $null when the key
        is absent. Must be called inside a route script block; the server needs Add-KrSession.
    .PARAMETER Key
        The session key.
    .EXAMPLE
        $user = Get-KrSessionString -Key 'user'
        if ($null -eq $user) { Write-KrJsonResponse -StatusCode 401 -InputObject @{ error = 'not logged in' }; return }
    .OUTPUTS
        System.String, or $null when the key is absent
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Key
    )
    try {
        [KestrunRust.KrRequestContext]::RequireCurrent('Get-KrSessionString').GetSessionString($Key)
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrGetSessionFailed' -TargetObject $Key))
    }
}
