<#
    Test server for what route script blocks get from the script (Pester: SharedState.Tests.ps1): variables
    (scalar, typed, hashtable, script block), functions, modules imported by path and by name, the exclusions of
    Enable-KrConfiguration, what Start-KrServer adds, and that each runspace gets the values once.
#>
param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback
)

Import-Module Kestrun.Rust

# User modules: one by path, one by name (from a folder put on PSModulePath), one left out of the routes.
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'KrTestUserModule.psm1')
$env:PSModulePath = (Join-Path -Path $PSScriptRoot -ChildPath 'modules') + [System.IO.Path]::PathSeparator + $env:PSModulePath
Import-Module -Name 'KrTestNamedModule'
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'KrTestExcludedModule.psm1')

New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'shared' -SetAsDefault

New-KrServer -Name 'Shared State Test Server'
Add-KrEndpoint -Port $Port -IPAddress $IPAddress -SelfSignedCert
Set-KrServerOptions -MaxRunspaces 2

$greeting = 'Hello'
[int]$answer = 42
$settings = @{ Name = 'shared'; Limits = @{ Max = 10 }; Tags = @('a', 'b') }
$formatter = { param($Text) "[$Text]" }
$hits = 0
$secretToken = 'not for the routes'
function Format-TestGreeting {
    param([string]$Name)
    "$greeting, $Name!"
}

Enable-KrConfiguration -ExcludeVariables 'secret*' -ExcludeModules 'KrTestExcluded*'

# Defined after Enable-KrConfiguration: Start-KrServer adds them.
$lateValue = 'late'
function Get-LateValue {
    'late function'
}

Add-KrMapRoute -Verbs Get -Path '/vars' -ScriptBlock {
    Write-KrJsonResponse -InputObject @{
        greeting      = $greeting
        answer        = $answer
        answerType    = $answer.GetType().Name
        settingsName  = $settings.Name
        limitsMax     = $settings.Limits.Max
        tags          = $settings.Tags
        formatted     = (& $formatter 'x')
        message       = (Format-TestGreeting -Name 'route')
        late          = $lateValue
        lateFunction  = (Get-LateValue)
        secretVisible = ($null -ne (Get-Variable -Name 'secretToken' -ErrorAction Ignore))
    }
}

Add-KrMapRoute -Verbs Get -Path '/modules' -ScriptBlock {
    # Get-Module first: a command call would auto-load a module found on PSModulePath.
    $loaded = @(Get-Module | ForEach-Object Name)
    Write-KrJsonResponse -InputObject @{
        loaded          = $loaded
        userValue       = (Get-KrTestUserValue)
        namedValue      = (Get-KrTestNamedValue)
        namedHelper     = ($null -ne (Get-Command -Name 'Get-KrTestNamedHelper' -ErrorAction Ignore))
        excludedCommand = ($null -ne (Get-Command -Name 'Get-KrTestExcludedValue' -ErrorAction Ignore))
    }
}

Add-KrMapRoute -Verbs Get -Path '/slow' -ScriptBlock {
    Start-Sleep -Milliseconds 500
    Write-KrJsonResponse -InputObject @{
        runspace  = [runspace]::DefaultRunspace.InstanceId.ToString()
        message   = (Format-TestGreeting -Name 'pool')
        answer    = $answer
        limitsMax = $settings.Limits.Max
        userValue = (Get-KrTestUserValue)
    }
}

Add-KrMapRoute -Verbs Get -Path '/hits' -ScriptBlock {
    # The runspace's own copy of $hits: set once when the runspace was created, kept between its requests.
    $global:hits++
    Write-KrJsonResponse -InputObject @{
        runspace = [runspace]::DefaultRunspace.InstanceId.ToString()
        hits     = $global:hits
    }
}

Start-KrServer -CloseLogsOnExit
