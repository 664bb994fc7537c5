function Set-KrSessionInt32 {
    <#
    .SYNOPSIS
        Stores a 32-bit integer in the current request's session.
    .DESCRIPTION
        Stores -Value under -Key (4 bytes, big-endian, as ASP.NET Core's ISession.SetInt32). The session cookie is
        sent with the response when the session is first written. Must be called inside a route script block; the
        server needs Add-KrSession.
    .PARAMETER Key
        The session key.
    .PARAMETER Value
        The integer to store.
    .EXAMPLE
        Set-KrSessionInt32 -Key 'counter' -Value 1
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Key,

        [Parameter(Mandatory = $true, Position = 1)]
        [int]$Value
    )
    try {
        [KestrunRust.KrRequestContext]::RequireCurrent('Set-KrSessionInt32').SetSessionInt32($Key, $Value)
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrSetSessionFailed' -TargetObject $Key))
    }
}
