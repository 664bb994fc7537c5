function Set-KrSessionString {
    <#
    .SYNOPSIS
        Stores a string in the current request's session.
    .DESCRIPTION
        Stores -Value (UTF-8) under -Key. An empty string is a value (Get-KrSessionString returns ''); use
        Remove-KrSession to delete a key. Must be called inside a route script block; the server needs Add-KrSession.
    .PARAMETER Key
        The session key.
    .PARAMETER Value
        The string to store.
    .EXAMPLE
        Set-KrSessionString -Key 'user' -Value 'max'
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Key,

        [Parameter(Mandatory = $true, Position = 1)]
        [AllowEmptyString()]
        [string]$Value
    )
    try {
        [KestrunRust.KrRequestContext]::RequireCurrent('Set-KrSessionString').SetSessionString($Key, $Value)
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrSetSessionFailed' -TargetObject $Key))
    }
}
