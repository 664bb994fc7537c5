function Invoke-KrLoggerAction {
    <#
    .SYNOPSIS
        The common body of the logger commands: run the step, turn a failure into the public command's terminating
        error.
    .DESCRIPTION
        Calls & $Action $Cmdlet and passes its output on (Add-KrSinkConsole, Add-KrSinkFile, Set-KrLoggerLevel,
        Register-KrLogger, Close-KrLogger; not Write-KrLog, which runs per message and keeps its own try/catch).
        Any error is converted with ConvertTo-KrErrorRecord and thrown with $Cmdlet.ThrowTerminatingError, so that
        the record names the public command (FullyQualifiedErrorId '<ErrorId>,<Command>', InvocationInfo.MyCommand).
        The action runs in a child scope of this function: it sees the public command's parameters ($LoggerConfig,
        $Path, ...), but $PSCmdlet there would be this helper's, so it takes the public command's as its argument:
        param($Cmdlet). Likewise the helper's own parameter names ($ErrorId, $TargetObject, $Cmdlet, $Action) hide
        the command's variables of those names.
    .PARAMETER ErrorId
        The FullyQualifiedErrorId of the error record when the action fails.
    .PARAMETER TargetObject
        The target of that error record (default: the target of the caught error).
    .PARAMETER Cmdlet
        The $PSCmdlet of the public command: the action's argument, and the command the error record names.
    .PARAMETER Action
        The step: param($Cmdlet). Its output is this helper's.
    .EXAMPLE
        Invoke-KrLoggerAction -Cmdlet $PSCmdlet -ErrorId 'KrSetLoggerLevelFailed' -TargetObject $Value -Action { $LoggerConfig.MinimumLevel = $Value }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$ErrorId,

        [Parameter()]
        [object]$TargetObject,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet]$Cmdlet,

        [Parameter(Mandatory = $true)]
        [scriptblock]$Action
    )
    try {
        & $Action $Cmdlet
    } catch {
        $Cmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId $ErrorId -TargetObject $TargetObject))
    }
}
