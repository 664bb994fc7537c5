function Get-KrSessionInt32 {
    <#
    .SYNOPSIS
        Gets a 32-bit integer from the current request's session.
    .DESCRIPTION
        Returns the integer stored under -Key (4 bytes, big-endian, as ASP.NET Core's ISession.GetInt32), or $null
        when the key is absent, so that "$n = Get-KrSessionInt32 -Key 'counter'; $n + 1" works on the first request.
        Must be called inside a route script block; the server needs Add-KrSession.
    .PARAMETER Key
        The session key.
    .EXAMPLE
        $current = Get-KrSessionInt32 -Key 'counter'
        Set-KrSessionInt32 -Key 'counter' -Value ($current + 1)
    .OUTPUTS
        System.Int32, or $null when the key is absent
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Key
    )
    try {
        [KestrunRust.KrRequestContext]::RequireCurrent('Get-KrSessionInt32').GetSessionInt32($Key)
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrGetSessionFailed' -TargetObject $Key))
    }
}
