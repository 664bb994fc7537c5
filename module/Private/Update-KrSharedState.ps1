function Update-KrSharedState {
    <#
    .SYNOPSIS
        Captures the caller's variables and script-defined functions into a server, for its route runspaces.
    .DESCRIPTION
        Reads, through the calling command's $PSCmdlet.SessionState, every variable and function visible where the
        user called Enable-KrConfiguration / Start-KrServer (the user's script), leaves out PowerShell's automatic
        and preference variables and functions that do not come from a script file, and stores them in
        $Server.SharedVariables / $Server.SharedFunctions. Each route runspace starts with them (as in Kestrun,
        variables defined before Enable-KrConfiguration are visible inside routes). Values are shared by reference;
        script blocks are re-created unbound so that they run in the route's runspace.
    .PARAMETER Server
        The server to update.
    .PARAMETER Cmdlet
        The $PSCmdlet of the public command (its SessionState is the caller's).
    .PARAMETER ExcludeVariables
        Wildcard patterns of variable names to leave out (added to the server's exclusion list).
    .PARAMETER ExcludeFunctions
        Wildcard patterns of function names to leave out (added to the server's exclusion list).
    .PARAMETER Overwrite
        Replace values captured before (Enable-KrConfiguration); without it only new names are added (Start-KrServer).
    .EXAMPLE
        Update-KrSharedState -Server $Server -Cmdlet $PSCmdlet -Overwrite
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet]$Cmdlet,

        [Parameter()]
        [string[]]$ExcludeVariables,

        [Parameter()]
        [string[]]$ExcludeFunctions,

        [Parameter()]
        [switch]$Overwrite
    )

    foreach ($pattern in @($ExcludeVariables)) {
        if (-not [string]::IsNullOrWhiteSpace($pattern)) { $Server.ExcludedVariables.Add($pattern) }
    }
    foreach ($pattern in @($ExcludeFunctions)) {
        if (-not [string]::IsNullOrWhiteSpace($pattern)) { $Server.ExcludedFunctions.Add($pattern) }
    }

    $builtIn = $script:KrBuiltInVariableNames
    $callerState = $Cmdlet.SessionState

    foreach ($item in @($callerState.InvokeProvider.ChildItem.Get('variable:', $false))) {
        $variable = $item.BaseObject
        if ($variable -isnot [System.Management.Automation.PSVariable]) { continue }
        $name = $variable.Name
        if ($builtIn.Contains($name)) { continue }
        if ($name -like '*Preference' -or $name -like 'PS*' -or $name -like '__*') { continue }
        $options = $variable.Options
        if (($options -band [System.Management.Automation.ScopedItemOptions]::Constant) -or
            ($options -band [System.Management.Automation.ScopedItemOptions]::AllScope)) { continue }
        if ($null -ne $variable.Module) { continue }
        if (Test-KrNameExcluded -Name $name -Patterns $Server.ExcludedVariables) { continue }
        if (-not $Overwrite -and $Server.SharedVariables.ContainsKey($name)) { continue }

        $value = $variable.Value
        if ($value -is [scriptblock]) {
            $value = [scriptblock]::Create($value.ToString())
        }
        $Server.SharedVariables[$name] = $value
    }

    foreach ($item in @($callerState.InvokeProvider.ChildItem.Get('function:', $false))) {
        $function = $item.BaseObject
        if ($function -isnot [System.Management.Automation.FunctionInfo]) { continue }
        if ($null -ne $function.Module -or -not [string]::IsNullOrEmpty($function.ModuleName)) { continue }
        if ($null -eq $function.ScriptBlock -or [string]::IsNullOrEmpty($function.ScriptBlock.File)) { continue }
        if ($function.Name -like '__KrRoute_*') { continue }
        if (Test-KrNameExcluded -Name $function.Name -Patterns $Server.ExcludedFunctions) { continue }
        if (-not $Overwrite -and $Server.SharedFunctions.ContainsKey($function.Name)) { continue }
        $Server.SharedFunctions[$function.Name] = $function.Definition
    }
}

# Automatic and engine variables that are never shared with route runspaces.
$script:KrBuiltInVariableNames = [System.Collections.Generic.HashSet[string]]::new(
    [string[]]@(
        '$', '?', '^', '_', 'args', 'ConsoleFileName', 'Context', 'EnabledExperimentalFeatures', 'Error', 'ErrorView',
        'Event', 'EventArgs', 'EventSubscriber', 'ExecutionContext', 'false', 'foreach', 'FormatEnumerationLimit',
        'HOME', 'Host', 'input', 'IsCoreCLR', 'IsLinux', 'IsMacOS', 'IsWindows', 'LASTEXITCODE', 'Matches',
        'MaximumHistoryCount', 'MyInvocation', 'NestedPromptLevel', 'null', 'OFS', 'OutputEncoding', 'PID',
        'PROFILE', 'PWD', 'Sender', 'ShellId', 'StackTrace', 'switch', 'this', 'true', 'Transcript',
        'WhatIfPreference', 'ConfirmPreference', 'DebugPreference', 'ErrorActionPreference',
        'InformationPreference', 'ProgressPreference', 'VerbosePreference', 'WarningPreference'
    ),
    [System.StringComparer]::OrdinalIgnoreCase)
