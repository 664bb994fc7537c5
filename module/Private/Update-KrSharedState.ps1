function Update-KrSharedState {
    <#
    .SYNOPSIS
        Captures the caller's variables, script-defined functions and imported modules into a server, for its
        route runspaces.
    .DESCRIPTION
        Lists, in the calling command's $PSCmdlet.SessionState (the user's script, where Enable-KrConfiguration /
        Start-KrServer was called), every variable, function and module visible there; leaves out PowerShell's
        automatic and preference variables, functions that do not come from a script file, Kestrun.Rust and
        PowerShell's own modules; and stores them in $state.Variables / $state.Functions /
        $state.Modules (module paths). Each route runspace starts with them, set once when it is created
        (as in Kestrun, variables defined before Enable-KrConfiguration are visible inside routes). Values are
        shared by reference; script blocks are re-created unbound so that they run in the route's runspace.
    .PARAMETER Server
        The server to update.
    .PARAMETER Cmdlet
        The $PSCmdlet of the public command (its SessionState is the caller's).
    .PARAMETER Exclude
        Wildcard patterns to add to the server's exclusion lists, by kind: Variables (variable names to leave out),
        Functions (function names to leave out), Modules (module names not to import in the route runspaces).
    .PARAMETER Overwrite
        Replace values captured before (Enable-KrConfiguration); without it only new names are added (Start-KrServer).
    .EXAMPLE
        Update-KrSharedState -Server $Server -Cmdlet $PSCmdlet -Exclude @{ Variables = 'secret*' } -Overwrite
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet]$Cmdlet,

        [Parameter()]
        [hashtable]$Exclude = @{},

        [Parameter()]
        [switch]$Overwrite
    )

    $state = [KestrunRust.KrScriptState]::For($Server)
    foreach ($kind in @('Variables', 'Functions', 'Modules')) {
        $list = $state.('Excluded' + $kind)
        foreach ($pattern in @($Exclude[$kind])) {
            if (-not [string]::IsNullOrWhiteSpace($pattern)) { $list.Add($pattern) }
        }
    }

    $builtIn = $script:KrBuiltInVariableNames
    $callerState = $Cmdlet.SessionState

    # Every variable and function visible where the command was called (the caller's scope and its parents). The
    # commands run in the caller's session state: run here, the variable: and function: drives would list this
    # module's scopes instead.
    $inCaller = {
        param([string]$Script)
        @($callerState.InvokeCommand.InvokeScript($callerState, [scriptblock]::Create($Script), @()) | ForEach-Object { $_.psobject.BaseObject })
    }
    $variables = [System.Collections.Generic.List[System.Management.Automation.PSVariable]]::new()
    foreach ($item in (& $inCaller 'Get-Variable')) {
        if ($item -is [System.Management.Automation.PSVariable]) { $variables.Add($item) }
    }
    $functions = [System.Collections.Generic.List[System.Management.Automation.FunctionInfo]]::new()
    foreach ($item in (& $inCaller 'Get-ChildItem -LiteralPath function:')) {
        if ($item -is [System.Management.Automation.FunctionInfo]) { $functions.Add($item) }
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
            if ($left -is [System.Management.Automation.Language.VariableExpressionAst]) {
                $name = Get-KrVariableAstName -VariablePath $left.VariablePath
                if ($null -ne $name) { $null = $names.Add($name) }
            }
        }
        if ($null -ne $ast.ParamBlock) {
            foreach ($parameter in $ast.ParamBlock.Parameters) {
                $name = Get-KrVariableAstName -VariablePath $parameter.Name.VariablePath
                if ($null -ne $name) { $null = $names.Add($name) }
            }
        }
        foreach ($name in $names) {
            $variable = $callerState.PSVariable.Get($name)
            if ($null -ne $variable -and -not $variables.Contains($variable)) { $variables.Add($variable) }
        }
        foreach ($node in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true)) {
            if ($node.Parent -isnot [System.Management.Automation.Language.NamedBlockAst] -or $node.Parent.Parent -ne $ast) { continue }
            $quoted = "'" + $node.Name.Replace("'", "''") + "'"
            $found = @(& $inCaller "Get-Command -Name $quoted -CommandType Function -ErrorAction Ignore" |
                    Where-Object { $_ -is [System.Management.Automation.FunctionInfo] })  # none: defined but not (yet) in scope
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
        if (Test-KrNameExcluded -Name $name -Patterns $state.ExcludedVariables) { continue }
        if (-not $Overwrite -and $state.Variables.ContainsKey($name)) { continue }

        $value = $variable.Value
        if ($value -is [scriptblock]) {
            # Unbound copy: a script block keeps the runspace it was created in.
            $value = [scriptblock]::Create($value.ToString())
        }
        $state.Variables[$name] = $value
    }

    foreach ($function in $functions) {
        if ($null -ne $function.Module -or -not [string]::IsNullOrEmpty($function.ModuleName)) { continue }
        if ($null -eq $function.ScriptBlock -or [string]::IsNullOrEmpty($function.ScriptBlock.File)) { continue }
        if ($function.Name -like '__KrRoute_*') { continue }
        if (Test-KrNameExcluded -Name $function.Name -Patterns $state.ExcludedFunctions) { continue }
        if (-not $Overwrite -and $state.Functions.ContainsKey($function.Name)) { continue }
        $state.Functions[$function.Name] = $function.Definition
    }

    # The modules imported where the command was called (Import-Module of a path or a name in the user's script):
    # each route runspace imports them by path. Kestrun.Rust (always imported) and PowerShell's own modules (they
    # load anyway) are left out, and so are dynamic modules (New-Module: no file to import).
    $modules = @(& $inCaller 'Get-Module' | Where-Object { $_ -is [System.Management.Automation.PSModuleInfo] })
    $powerShellHome = [System.IO.Path]::GetFullPath($PSHOME).TrimEnd([System.IO.Path]::DirectorySeparatorChar) + [System.IO.Path]::DirectorySeparatorChar
    $kestrunBase = [System.IO.Path]::GetFullPath((Split-Path -Path $script:KrModuleImportPath -Parent)).TrimEnd([System.IO.Path]::DirectorySeparatorChar)
    foreach ($module in $modules) {
        if ($module.Name -eq 'Kestrun.Rust' -or $module.Name -like 'Microsoft.PowerShell.*') { continue }
        if ([string]::IsNullOrEmpty($module.ModuleBase) -or [string]::IsNullOrEmpty($module.Path)) { continue }
        $base = [System.IO.Path]::GetFullPath($module.ModuleBase).TrimEnd([System.IO.Path]::DirectorySeparatorChar)
        if ($base -eq $kestrunBase -or ($base + [System.IO.Path]::DirectorySeparatorChar).StartsWith($powerShellHome, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        if (Test-KrNameExcluded -Name $module.Name -Patterns $state.ExcludedModules) { continue }
        # A module loaded from a manifest reports its root module as Path: import the manifest (required and nested
        # modules, exported members) when it is there.
        $path = $module.Path
        $manifest = Join-Path -Path $module.ModuleBase -ChildPath ($module.Name + '.psd1')
        if ([System.IO.Path]::GetExtension($path) -ne '.psd1' -and (Test-Path -LiteralPath $manifest -PathType Leaf)) {
            $path = $manifest
        }
        if ([System.IO.Path]::GetExtension($path) -notin @('.psd1', '.psm1', '.dll')) { continue }  # e.g. Import-Module x.ps1 would re-run the script
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { continue }
        $path = [System.IO.Path]::GetFullPath($path)
        if ($state.Modules -contains $path) { continue }
        $state.Modules.Add($path)
    }
}

function Get-KrVariableAstName {
    <#
    .SYNOPSIS
        The plain name of a variable of the script's ast ($name, $script:name, ${variable:name}), or $null for
        anything that is not a variable ($env:NAME, ${function:name}...).
    .PARAMETER VariablePath
        The VariablePath of a VariableExpressionAst.
    .EXAMPLE
        Get-KrVariableAstName -VariablePath $ast.VariablePath
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.VariablePath]$VariablePath
    )
    if (-not $VariablePath.IsVariable) { return $null }
    $name = $VariablePath.UserPath
    $colon = $name.IndexOf(':')
    if ($colon -ge 0) { $name = $name.Substring($colon + 1) }
    if ([string]::IsNullOrEmpty($name)) { return $null }
    $name
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
