<#
    Runs New-KrServer / Start-KrServer -NoWait / requests / Stop-KrServer twice in one pwsh process, then restarts the
    same server, and prints one JSON line of results (Pester: Server.Lifecycle.Tests.ps1).
#>
$ErrorActionPreference = 'Stop'
Import-Module Kestrun.Rust

$results = [System.Collections.Generic.List[object]]::new()
foreach ($round in 1..2) {
    New-KrServer -Name 'NoWait Test Server'
    Add-KrEndpoint -Port 0
    $marker = "round $round"
    Enable-KrConfiguration
    Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
        Write-KrTextResponse -InputObject "hello $marker"
    }
    Start-KrServer -NoWait -Quiet
    $url = (Get-KrServer).Endpoints[0].Url
    $first = (Invoke-WebRequest -Uri "$url/hello" -TimeoutSec 60).Content
    Stop-KrServer
    $state = (Get-KrServer).State.ToString()
    $refused = $false
    try {
        $null = Invoke-WebRequest -Uri "$url/hello" -TimeoutSec 5
    } catch {
        $refused = $true
    }
    Stop-KrServer
    $results.Add([pscustomobject]@{ round = $round; body = $first; stateAfterStop = $state; refusedAfterStop = $refused })
}

# The same server starts again after a stop.
Start-KrServer -NoWait -Quiet
$url = (Get-KrServer).Endpoints[0].Url
$again = (Invoke-WebRequest -Uri "$url/hello" -TimeoutSec 60).Content
Remove-KrServer -Force
$removed = $null -eq (Get-KrServer -All | Where-Object Name -EQ 'NoWait Test Server')

[pscustomobject]@{ rounds = $results; restarted = $again; removed = $removed } | ConvertTo-Json -Depth 5 -Compress
