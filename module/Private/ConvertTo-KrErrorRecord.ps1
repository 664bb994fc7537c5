function ConvertTo-KrErrorRecord {
    <#
    .SYNOPSIS
        Turns a caught error into an ErrorRecord fit for $PSCmdlet.ThrowTerminatingError / Write-Error.
    .DESCRIPTION
        A call to [KestrunRust.Cmdlets.KrErrorRecords]::For, which the compiled cmdlets use too.
        Unwraps the MethodInvocationException PowerShell puts around exceptions of .NET method calls, picks an
        ErrorCategory (KrException carries one that matches its native status) and builds a new ErrorRecord with
        the given error id and target. A KrException is replaced by a KrOperationException (a KrException too, with
        the same Status, Operation and NativeMessage; the original is its InnerException) whose Message is written
        for users: "Adding the route 'GET /d' failed: <the engine's message>", without the KR_* status name and
        the internal details of KrException's own Message. Any other RuntimeException keeps the category of
        -ErrorRecord; without -TargetObject the target is the one of -ErrorRecord.
    .PARAMETER ErrorRecord
        The caught error ($_ in a catch block).
    .PARAMETER ErrorId
        The FullyQualifiedErrorId to give the new record.
    .PARAMETER TargetObject
        The object the failing command acted on.
    .EXAMPLE
        try { $ctx.GetSessionInt32($Key) } catch { $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrSessionReadFailed' -TargetObject $Key)) }
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.ErrorRecord]$ErrorRecord,

        [Parameter(Mandatory = $true)]
        [string]$ErrorId,

        [Parameter()]
        [object]$TargetObject
    )

    # One owner of the mapping, shared with the compiled cmdlets: module/Cmdlets/KrRouteCmdlet.cs.
    [KestrunRust.Cmdlets.KrErrorRecords]::For($ErrorRecord, $ErrorId, $TargetObject)
}
