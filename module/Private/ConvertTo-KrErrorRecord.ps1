function ConvertTo-KrErrorRecord {
    <#
    .SYNOPSIS
        Turns a caught error into an ErrorRecord fit for $PSCmdlet.ThrowTerminatingError / Write-Error.
    .DESCRIPTION
        Unwraps the MethodInvocationException PowerShell puts around exceptions of .NET method calls, picks an
        ErrorCategory (KrException carries one that matches its native status) and builds a new ErrorRecord with
        the given error id and target. A KrException is replaced by a KrOperationException (a KrException too, with
        the same Status, Operation and NativeMessage; the original is its InnerException) whose Message is written
        for users: "Adding the route 'GET /d' failed: <the engine's message>", without the KR_* status name and
        the internal details of KrException's own Message.
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

    $exception = $ErrorRecord.Exception
    while ($null -ne $exception.InnerException -and (
            $exception -is [System.Management.Automation.MethodInvocationException] -or
            $exception -is [System.Management.Automation.GetValueInvocationException] -or
            $exception -is [System.Management.Automation.SetValueInvocationException] -or
            $exception -is [System.Reflection.TargetInvocationException])) {
        $exception = $exception.InnerException
    }

    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    if ($exception -is [KestrunRust.KrException]) {
        $category = [System.Management.Automation.ErrorCategory]$exception.CategoryName
        $exception = [KestrunRust.KrOperationException]::ForUser($exception)
    } elseif ($exception -is [KestrunRust.KrNoRequestException]) {
        $category = [System.Management.Automation.ErrorCategory]::InvalidOperation
    } elseif ($exception -is [System.Collections.Generic.KeyNotFoundException] -or $exception -is [System.IO.FileNotFoundException]) {
        $category = [System.Management.Automation.ErrorCategory]::ObjectNotFound
    } elseif ($exception -is [System.ArgumentException]) {
        $category = [System.Management.Automation.ErrorCategory]::InvalidArgument
    } elseif ($exception -is [System.FormatException]) {
        $category = [System.Management.Automation.ErrorCategory]::InvalidData
    } elseif ($exception -is [System.InvalidOperationException]) {
        $category = [System.Management.Automation.ErrorCategory]::InvalidOperation
    } elseif ($exception -is [System.DllNotFoundException] -or $exception -is [System.EntryPointNotFoundException]) {
        $category = [System.Management.Automation.ErrorCategory]::NotInstalled
    } elseif ($exception -is [System.Management.Automation.RuntimeException] -and $null -ne $ErrorRecord.CategoryInfo) {
        $category = $ErrorRecord.CategoryInfo.Category
    }

    if ($null -eq $TargetObject) {
        $TargetObject = $ErrorRecord.TargetObject
    }
    [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $category, $TargetObject)
}
