# Slow routes (issue 13): 12 concurrent calls of a route sleeping 20 s do not delay a fast route (the runspace pool
# grows past its minimum with the default -MaxRunspaces), a route's -Timeout answers 504 JSON and stops its script
# (the next call of the route works), and runspaces above the minimum are released (and disposed) once idle.
# Bounded: the slow calls end by themselves after 20 s; AfterAll removes the jobs and stops the server.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:instance = Start-KrTestScript -Path (Join-Path -Path $PSScriptRoot -ChildPath 'scripts/SlowRoutes.ps1') -Arguments @('-IdleSeconds', '2')
    $script:base = $script:instance.BaseUrl
    $script:slowJobs = @()

    function Get-SlowStat {
        $r = Invoke-KrCurl -Url "$script:base/stats"
        $r.Status | Should -Be 200
        $r.Json
    }

    function Wait-SlowStat {
        param([scriptblock]$Condition, [int]$Seconds = 30)
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while ($true) {
            $s = Get-SlowStat
            if (& $Condition $s) { return $s }
            if ([DateTime]::UtcNow -gt $deadline) { throw "condition { $Condition } not met within $Seconds s; last stats: $($s | ConvertTo-Json -Compress)" }
            Start-Sleep -Milliseconds 250
        }
    }
}

AfterAll {
    if ($script:slowJobs) {
        $script:slowJobs | Remove-Job -Force -ErrorAction SilentlyContinue
    }
    if ($script:instance) {
        $null = Stop-KrTestScript -Instance $script:instance
    }
}

Describe 'Slow routes' {
    It '12 concurrent calls of a route sleeping 20 s do not delay a fast route (default -MaxRunspaces)' {
        $before = Get-SlowStat
        $before.max | Should -BeGreaterOrEqual 16
        $script:slowJobs = foreach ($i in 1..12) {
            Start-ThreadJob -ScriptBlock {
                param($url)
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $r = Invoke-WebRequest -Uri $url -SkipCertificateCheck -SkipHttpErrorCheck -TimeoutSec 60
                [pscustomobject]@{ Status = [int]$r.StatusCode; Seconds = $sw.Elapsed.TotalSeconds }
            } -ArgumentList "$base/slow" -ThrottleLimit 16
        }
        # /stats runs on a callback thread too: 12 slow calls running and the /stats call itself make 13 busy.
        $during = Wait-SlowStat -Condition { param($s) $s.busy -ge 13 } -Seconds 30
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $hello = Invoke-KrCurl -Url "$base/hello"
        $took = $sw.Elapsed
        $hello.Status | Should -Be 200
        $hello.Body | Should -Be 'hello'
        Write-Host "/hello answered in $([int]$took.TotalMilliseconds) ms with 12 slow calls running ($($during.threads) threads)"
        $took.TotalSeconds | Should -BeLessThan 1
        $during.threads | Should -BeGreaterOrEqual 13
        $during.queued | Should -Be 0
    }

    It 'a route -Timeout answers 504 JSON, stops the script, and the next call of the route works' {
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-KrCurl -Url "$base/timeout?sleep=30"
        $took = $sw.Elapsed.TotalSeconds
        $r.Status | Should -Be 504
        $r.Headers | Should -Match '(?im)^content-type:\s*application/json'
        $r.Json.status | Should -Be 504
        $r.Json.error | Should -Be 'Gateway Timeout'
        $r.Json.message | Should -Match 'timeout of 2 s'
        $took | Should -BeGreaterOrEqual 1.5
        $took | Should -BeLessThan 10

        $sw.Restart()
        $next = Invoke-KrCurl -Url "$base/timeout"
        $next.Status | Should -Be 200
        $next.Json.ok | Should -BeTrue
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 2

        $s = Wait-SlowStat -Condition { param($s) $s.scriptsStopped -ge 1 } -Seconds 10
        $s.timedOut | Should -BeGreaterOrEqual 1
        $log = Get-Content -LiteralPath $script:instance.StdOut -Raw
        $log | Should -Match 'was stopped: its timeout of 2 s elapsed'
        $log | Should -Not -Match 'timeout route finished sleeping'
    }

    It 'releases idle runspaces above the minimum: the thread and runspace counts go down' {
        $results = $script:slowJobs | Wait-Job -Timeout 60 | Receive-Job
        @($results).Count | Should -Be 12
        @($results | Where-Object Status -EQ 200).Count | Should -Be 12
        $busy = Get-SlowStat
        $busy.peak | Should -BeGreaterOrEqual 13
        $busy.runspacesOpened | Should -BeGreaterOrEqual 13
        # Idle timeout 2 s: back at the minimum within one to two periods (a few more for slow machines).
        $after = Wait-SlowStat -Condition { param($s) $s.threads -le $s.min } -Seconds 30
        $after.released | Should -BeGreaterOrEqual ($busy.peak - $after.min)
        $after.runspacesReleased | Should -BeGreaterOrEqual ($busy.runspacesOpened - $after.min)
        $after.runspaces | Should -BeLessOrEqual $after.min
        $after.runspaces | Should -BeLessThan $busy.runspaces
        (Get-Content -LiteralPath $script:instance.StdOut -Raw) | Should -Match 'idle callback thread released'
        # Served again afterwards (the pool grows again as needed).
        (Invoke-KrCurl -Url "$base/hello").Body | Should -Be 'hello'
    }
}
