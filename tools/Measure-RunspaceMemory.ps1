#Requires -Version 7.4
<#
.SYNOPSIS
    Measures the memory one route runspace costs in a Kestrun.Rust server process (RSS before / after opening N).
.DESCRIPTION
    Starts a server in a child pwsh (the staged module, out/Kestrun.Rust: run build.ps1 first) with
    -MinRunspaces 1 -MaxRunspaces (Count + 2) -RunspaceIdleTimeout 2, then:
      1. one request opens the first runspace; a full GC; RSS = baseline (1 runspace);
      2. Count concurrent requests of a route that sleeps 3 s open Count more runspaces (one per new callback
         thread), each of them also having run a small route (Write-KrJsonResponse); a full GC; RSS again;
      3. the pool releases the idle threads (their runspaces are disposed by their threads); a full GC; RSS again.
    Prints the VmRSS of the server process (read by a route from /proc/self/status, Linux) at each step, the
    managed heap (GC.GetTotalMemory) and the cost per runspace. The server is stopped at the end.
.PARAMETER Count
    How many runspaces to open (default 16).
.EXAMPLE
    pwsh -NoProfile -File tools/Measure-RunspaceMemory.ps1 -Count 16
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 200)]
    [int]$Count = 16
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$out = Join-Path $root 'out'
if (-not (Test-Path (Join-Path $out 'Kestrun.Rust'))) { throw "Stage the module first: pwsh -File build.ps1 -Configuration Debug" }

$listener = [System.Net.Sockets.TcpListener]::new([IPAddress]::Loopback, 0)
$listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()

$server = @'
param([int]$Port, [int]$Max, [string]$PidFile)
Set-Content -LiteralPath $PidFile -Value $PID
Import-Module Kestrun.Rust
New-KrServer -Name 'memory' -PassThru |
    Add-KrEndpoint -Port $Port -IPAddress ([IPAddress]::Loopback) -PassThru |
    Set-KrServerOptions -MinRunspaces 1 -MaxRunspaces $Max -RunspaceIdleTimeout 2
Enable-KrConfiguration
Add-KrMapRoute -Path '/hold' -ScriptBlock {
    Start-Sleep -Seconds 3
    Write-KrJsonResponse -InputObject @{ runspace = [runspace]::DefaultRunspace.InstanceId.ToString() }
}
Add-KrMapRoute -Path '/stats' -ScriptBlock {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $server = Get-KrServer -Name 'memory'
    $rss = (Select-String -LiteralPath '/proc/self/status' -Pattern '^VmRSS:\s+(\d+)').Matches[0].Groups[1].Value
    Write-KrJsonResponse -InputObject @{
        rssKb     = [long]$rss
        heapKb    = [long]([GC]::GetTotalMemory($true) / 1KB)
        runspaces = $server.ScriptHost.RunspaceCount
        threads   = $server.GetCallbackPoolStats().Threads
    }
}
Add-KrMapRoute -Path '/quit' -ScriptBlock { Stop-KrServer; Write-KrTextResponse -InputObject 'bye' }
Start-KrServer -Quiet
'@
$scriptPath = Join-Path ([System.IO.Path]::GetTempPath()) "kr-measure-$PID.ps1"
$pidFile = Join-Path ([System.IO.Path]::GetTempPath()) "kr-measure-$PID.pid"
Set-Content -LiteralPath $scriptPath -Value $server
$env:PSModulePath = $out + [System.IO.Path]::PathSeparator + $env:PSModulePath
$pwsh = (Get-Process -Id $PID).Path
if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh) -ne 'pwsh') { $pwsh = (Get-Command -Name pwsh -CommandType Application | Select-Object -First 1).Source }
$proc = Start-Process -FilePath $pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-File', $scriptPath, '-Port', $port, '-Max', ($Count + 2), '-PidFile', $pidFile) -PassThru
try {
    $base = "http://127.0.0.1:$port"
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        try { $null = Invoke-WebRequest "$base/" -SkipHttpErrorCheck -TimeoutSec 5; break } catch { if ([DateTime]::UtcNow -gt $deadline) { throw } ; Start-Sleep -Milliseconds 200 }
    }
    # The server process (pwsh may be a launcher of `dotnet pwsh.dll`: its PID is the one the script wrote).
    $serverPid = [int](Get-Content -LiteralPath $pidFile)
    function Rss { [long]((Select-String -LiteralPath "/proc/$serverPid/status" -Pattern '^VmRSS:\s+(\d+)').Matches[0].Groups[1].Value) }
    Start-Sleep -Milliseconds 500
    $rssStart = Rss
    function Stat { Invoke-RestMethod "$base/stats" -TimeoutSec 60 }
    $null = Stat; Start-Sleep -Milliseconds 500
    $s0 = Stat
    $jobs = 1..$Count | ForEach-Object { Start-ThreadJob -ThrottleLimit ($Count + 1) -ScriptBlock { param($u) Invoke-RestMethod $u -TimeoutSec 60 } -ArgumentList "$base/hold" }
    $held = $jobs | Wait-Job -Timeout 120 | Receive-Job
    $jobs | Remove-Job -Force
    $s1 = Stat
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    do { Start-Sleep -Milliseconds 500; $s2 = Stat } while ($s2.threads -gt 1 -and [DateTime]::UtcNow -lt $deadline)
    $opened = $s1.runspaces - $s0.runspaces
    $rows = @(
        [pscustomobject]@{ Step = 'started, no runspace'; Runspaces = 0; Threads = 1; RssMB = [math]::Round($rssStart / 1KB, 1); HeapMB = $null }
        [pscustomobject]@{ Step = 'baseline'; Runspaces = $s0.runspaces; Threads = $s0.threads; RssMB = [math]::Round($s0.rssKb / 1KB, 1); HeapMB = [math]::Round($s0.heapKb / 1KB, 1) }
        [pscustomobject]@{ Step = "after $Count concurrent requests"; Runspaces = $s1.runspaces; Threads = $s1.threads; RssMB = [math]::Round($s1.rssKb / 1KB, 1); HeapMB = [math]::Round($s1.heapKb / 1KB, 1) }
        [pscustomobject]@{ Step = 'after the idle release'; Runspaces = $s2.runspaces; Threads = $s2.threads; RssMB = [math]::Round($s2.rssKb / 1KB, 1); HeapMB = [math]::Round($s2.heapKb / 1KB, 1) }
    )
    $rows | Format-Table -AutoSize | Out-String | Write-Host
    if ($opened -gt 0) {
        Write-Host ("{0} runspaces opened ({1} distinct answered): RSS +{2:N1} MB = {3:N1} MB per runspace; managed heap +{4:N1} MB = {5:N1} MB per runspace" -f
            $opened, @($held.runspace | Sort-Object -Unique).Count, (($s1.rssKb - $s0.rssKb) / 1KB), (($s1.rssKb - $s0.rssKb) / 1KB / $opened),
            (($s1.heapKb - $s0.heapKb) / 1KB), (($s1.heapKb - $s0.heapKb) / 1KB / $opened))
        Write-Host ("first runspace (module import, type tables, JIT included): RSS +{0:N1} MB" -f (($s0.rssKb - $rssStart) / 1KB))
        Write-Host ("after releasing {0} runspaces: RSS -{1:N1} MB, managed heap -{2:N1} MB" -f ($s1.runspaces - $s2.runspaces), (($s1.rssKb - $s2.rssKb) / 1KB), (($s1.heapKb - $s2.heapKb) / 1KB))
    }
} finally {
    try { $null = Invoke-WebRequest "http://127.0.0.1:$port/quit" -TimeoutSec 10 } catch { }
    if (-not $proc.WaitForExit(15000)) { Stop-Process -Id $proc.Id -Force }
    if (Test-Path -LiteralPath $pidFile) {
        $serverPid = [int](Get-Content -LiteralPath $pidFile)
        Get-Process -Id $serverPid -ErrorAction SilentlyContinue | Stop-Process -Force
        Remove-Item -LiteralPath $pidFile -ErrorAction SilentlyContinue
    }
    Remove-Item -LiteralPath $scriptPath -ErrorAction SilentlyContinue
}
