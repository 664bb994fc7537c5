<#
    Test server for route behaviour (Pester: Routes.Tests.ps1): errors, shared variables and functions, -Arguments,
    request accessors, byte sessions, runspace reuse, logging from routes, Stop-KrServer from a route.
#>
param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback
)

Import-Module Kestrun.Rust

New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'routes' -SetAsDefault

# The configuration commands chained with -PassThru: each passes the server down the pipeline to the next.
New-KrServer -Name 'Routes Test Server' -PassThru |
    Add-KrEndpoint -Port $Port -IPAddress $IPAddress -SelfSignedCert -PassThru |
    Set-KrServerOptions -MaxRunspaces 2 -PassThru |
    Add-KrSession -Cookie (New-KrCookieBuilder -Name 'Kr.Routes' -SecurePolicy Always)

# Defined before Enable-KrConfiguration: visible inside the routes.
$greeting = 'Hello'
$settings = @{ Answer = 42 }
function Get-TestMessage {
    param([string]$Name)
    "$greeting, $Name!"
}

Enable-KrConfiguration

# Defined after Enable-KrConfiguration: Start-KrServer adds it.
$lateValue = 'late'

Add-KrMapRoute -Verbs Get -Path '/ok' -ScriptBlock {
    Write-KrTextResponse -InputObject 'ok'
}

Add-KrMapRoute -Verbs Get -Path '/boom' -ScriptBlock {
    throw 'kaboom from a route'
}

Add-KrMapRoute -Verbs Get -Path '/write-error' -ScriptBlock {
    Write-Error -Message 'non-terminating trouble in a route'
    Write-KrTextResponse -InputObject 'written before the error was noticed'
}

Add-KrMapRoute -Verbs Get -Path '/shared' -ScriptBlock {
    Write-KrJsonResponse -InputObject @{
        greeting = $greeting
        answer   = $settings.Answer
        message  = (Get-TestMessage -Name 'route')
        late     = $lateValue
    }
}

Add-KrMapRoute -Verbs Get -Path '/args' -Arguments @{ prefix = 'pre'; count = 3 } -ScriptBlock {
    param([int]$count)
    Write-KrJsonResponse -InputObject @{ prefix = $prefix; count = $count }
}

Add-KrMapRoute -Verbs 'Get', 'Post' -Path '/items/{id}' -ScriptBlock {
    $id = Get-KrRequestRouteParam -Name 'id' -AsInt
    $flag = Get-KrRequestQuery -Name 'flag' -AsBool
    Write-KrJsonResponse -StatusCode 201 -InputObject @{
        id      = $id
        method  = $Context.Method
        flag    = $flag
        header  = (Get-KrRequestHeader -Name 'X-Test')
        missing = (Get-KrRequestQuery -Name 'nope')
        body    = (Get-KrRequestBody)
    }
}

Add-KrMapRoute -Verbs Get -Path '/required' -ScriptBlock {
    $value = Get-KrRequestQuery -Name 'needed' -ThrowIfMissing
    Write-KrTextResponse -InputObject $value
}

Add-KrMapRoute -Verbs Get -Path '/bytes' -ScriptBlock {
    Set-KrSessionByte -Key 'b' -Value ([byte[]](1, 2, 3))
    $bytes = Get-KrSessionByte -Key 'b'
    Set-KrSessionString -Key 's' -Value 'temporary'
    Remove-KrSession -Key 's'
    Write-KrJsonResponse -InputObject @{
        type    = $bytes.GetType().Name
        length  = $bytes.Length
        removed = ($null -eq (Get-KrSessionString -Key 's'))
        absent  = ($null -eq (Get-KrSessionByte -Key 'never'))
    }
}

Add-KrMapRoute -Verbs Get -Path '/runspace' -ScriptBlock {
    Write-KrJsonResponse -InputObject @{
        thread   = [System.Threading.Thread]::CurrentThread.ManagedThreadId
        runspace = [runspace]::DefaultRunspace.InstanceId.ToString()
    }
}

Add-KrMapRoute -Verbs Get -Path '/log' -ScriptBlock {
    Write-Host 'host line from a route'
    Write-KrLog -Level Warning -Message 'warning from a route'
    Write-KrTextResponse -InputObject 'logged'
}

# The streams of a route reach the log once each, whichever way the route runs: directly (the usual way), or through a
# PowerShell pipeline (a route with -Timeout, an advanced script block).
Add-KrMapRoute -Verbs Get -Path '/streams' -ScriptBlock {
    Write-Warning 'warning stream (direct)'
    Write-Information 'information stream (direct)'
    Write-KrTextResponse -InputObject 'streams'
}

Add-KrMapRoute -Verbs Get -Path '/streams-timeout' -Timeout 30 -ScriptBlock {
    Write-Warning 'warning stream (timeout)'
    Write-Information 'information stream (timeout)'
    Write-KrTextResponse -InputObject 'streams'
}

Add-KrMapRoute -Verbs Get -Path '/advanced' -ScriptBlock {
    [CmdletBinding()]
    param()
    Write-Warning 'warning stream (advanced)'
    Write-Error -Message 'error from an advanced route'
    Write-KrTextResponse -InputObject 'advanced'
}

# Errors that never reach the error stream do not fail the route: silenced ones, caught ones.
Add-KrMapRoute -Verbs Get -Path '/silenced' -ScriptBlock {
    Write-Error -Message 'silenced trouble in a route' -ErrorAction SilentlyContinue
    Get-Item -LiteralPath '/no/such/kestrun/path' -ErrorAction Ignore
    try {
        Get-Item -LiteralPath '/no/such/kestrun/path' -ErrorAction Stop
    } catch {
        $null = $_
    }
    Write-KrTextResponse -InputObject 'silenced'
}

# Routes run without a console: a prompt fails the route.
Add-KrMapRoute -Verbs Get -Path '/prompt' -ScriptBlock {
    $name = Read-Host -Prompt 'Your name'
    Write-KrTextResponse -InputObject "hello $name"
}

# `exit` ends the route, not the server.
Add-KrMapRoute -Verbs Get -Path '/exit' -ScriptBlock {
    Write-KrTextResponse -InputObject 'before exit'
    exit 3
}

Add-KrMapRoute -Verbs Get -Path '/stop' -ScriptBlock {
    Stop-KrServer
    Write-KrTextResponse -InputObject 'stopping'
}

Start-KrServer -CloseLogsOnExit
