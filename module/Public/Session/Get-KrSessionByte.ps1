function Get-KrSessionByte {
    <#
    .SYNOPSIS
        Gets a byte array from the current request's session.
    .DESCRIPTION
        Returns the bytes stored under -Key as one byte[] (not unrolled into the pipeline), or $null when the key
        is absent. Must be called inside a route script block; the server needs Add-KrSession.
    .PARAMETER Key
        The session key.
    .EXAMPLE
        $bytes = Get-KrSessionByte -Key 'avatar'
        if ($null -ne $bytes) { $bytes.Length }
    .OUTPUTS
        System.Byte[], or $null when the key is absent
    #>
    [CmdletBinding()]
    [OutputType([byte[]])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Key
    )
    try {
        $bytes = [KestrunRust.KrRequestContext]::RequireCurrent('Get-KrSessionByte').GetSessionBytes($Key)
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrGetSessionFailed' -TargetObject $Key))
    }
    if ($null -ne $bytes) {
        # One byte[] object, not one pipeline object per byte.
        Write-Output -InputObject $bytes -NoEnumerate
    }
}
