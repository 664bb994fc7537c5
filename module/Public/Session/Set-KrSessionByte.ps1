function Set-KrSessionByte {
    <#
    .SYNOPSIS
        Stores a byte array in the current request's session.
    .DESCRIPTION
        Stores -Value under -Key as is. Must be called inside a route script block; the server needs Add-KrSession.
    .PARAMETER Key
        The session key.
    .PARAMETER Value
        The bytes to store (may be empty).
    .EXAMPLE
        Set-KrSessionByte -Key 'token' -Value ([System.Text.Encoding]::UTF8.GetBytes('abc'))
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Key,

        [Parameter(Mandatory = $true, Position = 1)]
        [AllowEmptyCollection()]
        [byte[]]$Value
    )
    try {
        [KestrunRust.KrRequestContext]::RequireCurrent('Set-KrSessionByte').SetSessionBytes($Key, $Value)
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrSetSessionFailed' -TargetObject $Key))
    }
}
