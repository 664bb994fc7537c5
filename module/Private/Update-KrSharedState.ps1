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

    # Every variable and function visible where the command was called (the caller's scope and its parents).
    $variables = [System.Collections.Generic.List[System.Management.Automation.PSVariable]]::new()
    foreach ($item in @($callerState.InvokeProvider.ChildItem.Get('variable:', $false))) {
        if ($item.BaseObject -is [System.Management.Automation.PSVariable]) { $variables.Add($item.BaseObject) }
    }
    $functions = [System.Collections.Generic.List[System.Management.Automation.FunctionInfo]]::new()
    foreach ($item in @($callerState.InvokeProvider.ChildItem.Get('function:', $false))) {
        if ($item.BaseObject -is [System.Management.Automation.FunctionInfo]) { $functions.Add($item.BaseObject) }
    }

    # Plus, by name, what the calling script assigns, declares as parameters or defines as functions (as Kestrun
    # does), looked up from the caller's scope.
    $scriptFile = $Cmdlet.MyInvocation.ScriptName
    if (-not [string]::IsNullOrEmpty($scriptFile) -and (Test-Path -LiteralPath $scriptFile -PathType Leaf)) {
        $tokens = $null
        $parseErrors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($scriptFile, [ref]$tokens, [ref]$parseErrors)
        $names = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
        foreach ($node in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true)) {
            $left = $node.Left
            if ($left -is [System.Management.Automation.Language.ConvertExpressionAst]) { $left = $left.Child }
            if ($left -is [System.Management.Automation.Language.VariableExpressionAst]) { $null = $names.Add($left.VariablePath.UnqualifiedPath) }
        }
        if ($null -ne $ast.ParamBlock) {
            foreach ($parameter in $ast.ParamBlock.Parameters) { $null = $names.Add($parameter.Name.VariablePath.UnqualifiedPath) }
        }
        foreach ($name in $names) {
            $variable = $callerState.PSVariable.Get($name)
            if ($null -ne $variable -and -not $variables.Contains($variable)) { $variables.Add($variable) }
        }
        foreach ($node in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true)) {
            if ($node.Parent -isnot [System.Management.Automation.Language.NamedBlockAst] -or $node.Parent.Parent -ne $ast) { continue }
            try {
                $found = @($callerState.InvokeProvider.Item.Get("function:\$($node.Name)") | ForEach-Object { $_.BaseObject } |
                        Where-Object { $_ -is [System.Management.Automation.FunctionInfo] })
            } catch {
                $found = @()  # defined in the script but not (yet) in scope
            }
            foreach ($function in $found) {
                if (-not $functions.Contains($function)) { $functions.Add($function) }
            }
        }
    }

    foreach ($variable in $variables) {
        $name = $variable.Name
        if ($builtIn.Contains($name)) { continue }
        if ($name -like '*Preference' -or $name -like 'PS*' -or $name -like '__*') { continue }
        $options = $variable.Options
        if (($options -band [System.Management.Automation.ScopedItemOptions]::Constant) -or
            ($options -band [System.Management.Automation.ScopedItemOptions]::AllScope) -or
            ($options -band [System.Management.Automation.ScopedItemOptions]::Private)) { continue }
        if ($null -ne $variable.Module) { continue }
        if (Test-KrNameExcluded -Name $name -Patterns $Server.ExcludedVariables) { continue }
        if (-not $Overwrite -and $Server.SharedVariables.ContainsKey($name)) { continue }

        $value = $variable.Value
        if ($value -is [scriptblock]) {
            # Unbound copy: a script block keeps the runspace it was created in.
            $value = [scriptblock]::Create($value.ToString())
        }
        $Server.SharedVariables[$name] = $value
    }

    foreach ($function in $functions) {
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
