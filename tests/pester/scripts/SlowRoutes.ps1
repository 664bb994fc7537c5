<#
    Test server for slow routes (Pester: SlowRoutes.Tests.ps1): the runspace pool grows past its minimum while slow
    routes run (default -MinRunspaces / -MaxRunspaces), releases idle runspaces after -RunspaceIdleTimeout, and a
    route with -Timeout answers 504 and has its script stopped. /stats reports the pool and the runspaces.
#>
param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback,
    [double]$IdleSeconds = 2
)

Import-Module Kestrun.Rust

New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'slow' -SetAsDefault

$serverName = 'Slow Routes Test Server'
New-KrServer -Name $serverName -PassThru |
    Add-KrEndpoint -Port $Port -IPAddress $IPAddress -SelfSignedCert -PassThru |
    Set-KrServerOptions -RunspaceIdleTimeout $IdleSeconds

Enable-KrConfiguration

# A route that sleeps 20 s (a slow report, a slow back end).
Add-KrMapRoute -Verbs Get -Path '/slow' -ScriptBlock {
    Start-Sleep -Seconds 20
    Write-KrTextResponse -InputObject 'slow done'
}

Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -InputObject 'hello'
}

# ?sleep=<seconds>: sleeps that long first. Stopped (504) after 2 s.
Add-KrMapRoute -Verbs Get -Path '/timeout' -Timeout 2 -ScriptBlock {
    $sleep = Get-KrRequestQuery -Name 'sleep'
    if ($sleep) {
        Start-Sleep -Seconds ([double]$sleep)
        Write-Host 'timeout route finished sleeping'
    }
    Write-KrJsonResponse -InputObject @{ ok = $true; runspace = [runspace]::DefaultRunspace.InstanceId.ToString() }
}

Add-KrMapRoute -Verbs Get -Path '/stats' -Arguments @{ serverName = $serverName } -ScriptBlock {
    $server = Get-KrServer -Name $serverName
    $pool = $server.GetCallbackPoolStats()
    $runspaces = $server.ScriptHost
    $rss = Select-String -LiteralPath '/proc/self/status' -Pattern '^VmRSS:\s+(\d+)' -ErrorAction SilentlyContinue
    Write-KrJsonResponse -InputObject @{
        min               = $pool.MinThreads
        max               = $pool.MaxThreads
        threads           = $pool.Threads
        busy              = $pool.Busy
        queued            = $pool.Queued
        peak              = $pool.PeakThreads
        released          = $pool.ThreadsReleased
        timedOut          = $pool.TimedOut
        runspaces         = $runspaces.RunspaceCount
        runspacesOpened   = $runspaces.RunspacesOpened
        runspacesReleased = $runspaces.RunspacesReleased
        scriptsStopped    = $runspaces.TimedOut
        rssKb             = if ($rss) { [long]$rss.Matches[0].Groups[1].Value } else { -1 }
    }
}

Start-KrServer -CloseLogsOnExit
