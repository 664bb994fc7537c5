function Invoke-KrServerAction {
    <#
    .SYNOPSIS
        The common body of the server configuration commands: resolve the server, run the action, turn a failure
        into the public command's terminating error, return the server with -PassThru.
    .DESCRIPTION
        Resolves the server (-Name, else -Server, else the current one; see Resolve-KrServer) and calls
        & $Action $Server $Bound $Cmdlet, where $Bound is the public command's $PSBoundParameters. Any error is
        converted with ConvertTo-KrErrorRecord and thrown with $Cmdlet.ThrowTerminatingError, so that the record
        names the public command (FullyQualifiedErrorId '<ErrorId>,<Command>', InvocationInfo.MyCommand).
        The action runs in a child scope of this function: it sees the public command's parameters ($Port, ...),
        but $PSCmdlet and $PSBoundParameters there would be this helper's, so it takes them as arguments instead:
        param($Server, $Bound, $Cmdlet). Likewise the helper's own parameter names ($Name, $ErrorId, $TargetObject,
        $PassThru, $Action) hide the command's variables of those names. Its output, if any, is passed on.
    .PARAMETER Cmdlet
        The $PSCmdlet of the public command.
    .PARAMETER Server
        The server given to the public command (may be null: the current server).
    .PARAMETER Name
        The name of the server, for the commands that take -Name.
    .PARAMETER ErrorId
        The FullyQualifiedErrorId of the error record when the action fails.
    .PARAMETER TargetObject
        The target of that error record; default: the server, else -Name when given.
    .PARAMETER PassThru
        Return the server after the action.
    .PARAMETER Action
        What the command does with the resolved server: param($Server, $Bound, $Cmdlet).
    .EXAMPLE
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -ErrorId 'KrSetServerOptionsFailed' -PassThru:$PassThru -Action {
            param($Server, $Bound)
            if ($Bound.ContainsKey('MaxRunspaces')) { $Server.SetCallbackThreadLimits($null, $MaxRunspaces) }
        }
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet]$Cmdlet,

        [Parameter()]
        [AllowNull()]
        [KestrunRust.KrServer]$Server,

        [Parameter()]
        [AllowNull()]
        [string]$Name,

        [Parameter(Mandatory = $true)]
        [string]$ErrorId,

        [Parameter()]
        [object]$TargetObject,

        [Parameter()]
        [switch]$PassThru,

        [Parameter(Mandatory = $true)]
        [scriptblock]$Action
    )
    try {
        $Server = if ([string]::IsNullOrEmpty($Name)) { Resolve-KrServer -Server $Server } else { Resolve-KrServer -Name $Name }
        & $Action $Server $Cmdlet.MyInvocation.BoundParameters $Cmdlet
    } catch {
        if (-not $PSBoundParameters.ContainsKey('TargetObject')) {
            $TargetObject = if ($null -ne $Server) { $Server } elseif ($PSBoundParameters.ContainsKey('Name')) { $Name }
        }
        $Cmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId $ErrorId -TargetObject $TargetObject))
    }
    if ($PassThru.IsPresent) {
        $Server
    }
}
