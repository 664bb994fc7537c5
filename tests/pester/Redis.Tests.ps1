# Sessions in Redis: Add-KrDistributedRedisCache (registration rules and errors, in this process), and
# examples/19.2-Sessions-Redis.ps1 against a real redis-server started on a free loopback port (--save '' --appendonly no):
# two servers on different ports sharing one session through one curl cookie jar, the idle timeout as the key's expiry
# in Redis, and redis-server killed mid-test (answers keep coming, bounded) then restarted on the same port.
# Without redis-server / redis-cli on PATH the Redis-backed tests are reported as skipped, with the reason printed.

BeforeDiscovery {
    $redisMissing = $null -eq (Get-Command -Name 'redis-server' -CommandType Application -ErrorAction SilentlyContinue) -or
        $null -eq (Get-Command -Name 'redis-cli' -CommandType Application -ErrorAction SilentlyContinue)
    if ($redisMissing) {
        Write-Host 'Redis.Tests.ps1: the tests that need Redis are skipped: redis-server / redis-cli are not installed (apt-get install redis-server).'
    }
}

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    Import-Module (Get-KrStagedManifest) -Force -ErrorAction Stop
    $script:example = Join-Path -Path (Get-KrRepoRoot) -ChildPath (Join-Path -Path 'examples' -ChildPath '19.2-Sessions-Redis.ps1')

    function Invoke-TestRedisCli {
        # redis-cli --raw against 127.0.0.1:<Port>; returns the output lines.
        param(
            [Parameter(Mandatory = $true)]
            [int]$Port,

            [Parameter(Mandatory = $true)]
            [string[]]$Arguments
        )
        $cli = (Get-Command -Name 'redis-cli' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        $cliArgs = @('-h', '127.0.0.1', '-p', "$Port", '--raw') + $Arguments
        $output = & $cli @cliArgs 2>$null
        @($output | ForEach-Object { "$_" } | Where-Object { $_ -ne '' })
    }

    function Start-TestRedis {
        # Starts redis-server on 127.0.0.1:<Port> (no persistence) and waits until it answers PING.
        param(
            [Parameter(Mandatory = $true)]
            [int]$Port,

            [Parameter(Mandatory = $true)]
            [string]$Directory
        )
        $null = New-Item -ItemType Directory -Path $Directory -Force
        $server = (Get-Command -Name 'redis-server' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        $psi = [System.Diagnostics.ProcessStartInfo]::new($server)
        foreach ($a in @('--port', "$Port", '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
                '--dir', $Directory, '--logfile', (Join-Path -Path $Directory -ChildPath 'redis.log'))) {
            $psi.ArgumentList.Add($a)
        }
        $psi.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($psi)
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ([DateTime]::UtcNow -lt $deadline) {
            if ((Invoke-TestRedisCli -Port $Port -Arguments @('PING')) -contains 'PONG') {
                return $process
            }
            if ($process.HasExited) {
                throw "redis-server exited (code $($process.ExitCode)) on port $Port"
            }
            Start-Sleep -Milliseconds 100
        }
        $process.Kill()
        throw "redis-server did not answer on port $Port"
    }

    function Stop-TestRedis {
        param(
            [Parameter()]
            [System.Diagnostics.Process]$Process
        )
        if ($null -ne $Process -and -not $Process.HasExited) {
            $Process.Kill()
            $null = $Process.WaitForExit(10000)
        }
    }
}

Describe 'Add-KrDistributedRedisCache: one cache per server, before Add-KrSession' {
    BeforeEach {
        $script:server = New-KrServer -Name "pester-redis-$([guid]::NewGuid().ToString('N').Substring(0, 8))" -PassThru
    }
    AfterEach {
        if ($script:server) {
            Remove-KrServer -Server $script:server -Force
        }
    }

    It 'registers the cache (nothing connects yet) and Add-KrSession uses it' {
        # Nothing listens on port 1: registering and configuring sessions never connect.
        $result = Add-KrDistributedRedisCache -Server $server -Configuration '127.0.0.1:1' -InstanceName 'App:' -PassThru
        $result | Should -Be $server
        $server.DistributedCache.Configuration | Should -Be '127.0.0.1:1'
        $server.DistributedCache.InstanceName | Should -Be 'App:'
        { Add-KrSession -Server $server -NoDistributedMemoryCache -DataProtectionKey 'sixteen chars at least' } | Should -Not -Throw
        $server.Session.HasCookieKey | Should -BeTrue
    }

    It 'takes ConfigurationOptions as a hashtable or a URL' {
        Add-KrDistributedRedisCache -Server $server -ConfigurationOptions @{ EndPoints = @('cache.local:7000'); Password = 'p@ss'; Ssl = $true; DefaultDatabase = 2; SyncTimeout = 250 }
        $server.DistributedCache.Configuration | Should -Be 'rediss://:p%40ss@cache.local:7000/2'
        $server.DistributedCache.OperationTimeoutMs | Should -Be 250
        $other = New-KrServer -Name "pester-redis-url-$([guid]::NewGuid().ToString('N').Substring(0, 8))" -PassThru
        try {
            Add-KrDistributedRedisCache -Server $other -ConfigurationOptions 'redis://127.0.0.1:1/3'
            $other.DistributedCache.Configuration | Should -Be 'redis://127.0.0.1:1/3'
        } finally {
            Remove-KrServer -Server $other -Force
        }
    }

    It 'refuses a second cache with a clear error' {
        Add-KrDistributedRedisCache -Server $server -Configuration '127.0.0.1:1'
        $err = { Add-KrDistributedRedisCache -Server $server -Configuration '127.0.0.1:2' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^KrAddDistributedRedisCacheFailed'
        $err.Exception.Message | Should -Match 'already has a distributed cache'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'refuses a cache after Add-KrSession with a clear error' {
        Add-KrSession -Server $server
        $err = { Add-KrDistributedRedisCache -Server $server -Configuration '127.0.0.1:1' } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'Add-KrSession'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'rejects a bad configuration without echoing the password' {
        $err = { Add-KrDistributedRedisCache -Server $server -Configuration 'h:1,password=hunter2,bogus=1' } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Not -Match 'hunter2'
        { Add-KrDistributedRedisCache -Server $server -ConfigurationOptions 'http://h:1' } | Should -Throw
        { Add-KrDistributedRedisCache -Server $server -ConfigurationOptions @{ Bogus = 1 } } | Should -Throw '*Unsupported Redis configuration option*'
        $server.DistributedCache | Should -BeNullOrEmpty
    }

    It 'rejects a DataProtectionKey shorter than 16 characters' {
        { Add-KrSession -Server $server -DataProtectionKey 'short' } | Should -Throw
    }

    It 'needs no DataProtectionKey with a shared cache: the cookie keys come from its key ring' {
        Add-KrDistributedRedisCache -Server $server -Configuration '127.0.0.1:1'
        $messages = Add-KrSession -Server $server -Verbose 3>&1 4>&1
        @($messages | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }) | Should -BeNullOrEmpty
        "$messages" | Should -Match 'key ring kept in the distributed cache'
    }
}

Describe 'examples/19.2-Sessions-Redis.ps1: two servers, one Redis' -Skip:$redisMissing {
    BeforeAll {
        $script:redisDir = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath "kr-pester-redis-$([guid]::NewGuid().ToString('N'))"
        $script:redisPort = Get-FreeTcpPort
        $script:redis = Start-TestRedis -Port $redisPort -Directory $redisDir
        $farm = @('-RedisConfiguration', "127.0.0.1:$redisPort", '-InstanceName', 'PesterFarm:',
            '-DataProtectionKey', "pester farm secret $([guid]::NewGuid())", '-IdleTimeout', '60', '-IOTimeout', '2')
        $script:a = Start-KrTestScript -Path $example -Arguments $farm
        $script:b = Start-KrTestScript -Path $example -Arguments $farm
        $script:jar = Join-Path -Path $redisDir -ChildPath 'jar.txt'
    }
    AfterAll {
        foreach ($instance in @($script:a, $script:b)) {
            if ($instance) {
                $output = Stop-KrTestScript -Instance $instance
                Write-Host "---- 19.2-Sessions-Redis.ps1 on port $($instance.Port) ----`n$($output.StdOut)`n$($output.StdErr)"
            }
        }
        Stop-TestRedis -Process $script:redis
        Remove-Item -LiteralPath $script:redisDir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'logs in on the first server and is max on the second with the same cookie jar' {
        $a.Port | Should -Not -Be $b.Port
        (Invoke-KrCurl -Url "$($a.BaseUrl)/session/whoami" -Jar $jar).Status | Should -Be 401
        $login = Invoke-KrCurl -Url "$($a.BaseUrl)/session/login?user=max" -Jar $jar
        $login.Status | Should -Be 200
        $who = Invoke-KrCurl -Url "$($b.BaseUrl)/session/whoami" -Jar $jar
        $who.Status | Should -Be 200
        $who.Json.user | Should -Be 'max'
    }

    It 'continues the counter across the two servers' {
        (Invoke-KrCurl -Url "$($a.BaseUrl)/session/counter" -Jar $jar).Json.counter | Should -Be 1
        (Invoke-KrCurl -Url "$($b.BaseUrl)/session/counter" -Jar $jar).Json.counter | Should -Be 2
        (Invoke-KrCurl -Url "$($a.BaseUrl)/session/counter" -Jar $jar).Json.counter | Should -Be 3
    }

    It 'keeps the state in Redis under the InstanceName prefix' {
        $keys = @(Invoke-TestRedisCli -Port $redisPort -Arguments @('--scan', '--pattern', 'PesterFarm:*'))
        $keys.Count | Should -Be 1
        $json = (Invoke-TestRedisCli -Port $redisPort -Arguments @('GET', $keys[0])) -join ''
        $json | Should -Match '"user"'
        $json | Should -Match '"counter"'
        [int]((Invoke-TestRedisCli -Port $redisPort -Arguments @('TTL', $keys[0])) | Select-Object -First 1) | Should -BeGreaterThan 0
    }

    It 'keeps answering while redis-server is down, bounded by the timeouts, and never acknowledges a lost write' {
        Stop-TestRedis -Process $script:redis
        $script:redis = $null
        foreach ($i in 1..3) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            (Invoke-KrCurl -Url "$($a.BaseUrl)/hello" -Jar $jar).Status | Should -Be 200
            (Invoke-KrCurl -Url "$($b.BaseUrl)/session/whoami" -Jar $jar).Status | Should -Be 401
            $write = Invoke-KrCurl -Url "$($a.BaseUrl)/session/counter" -Jar $jar
            $write.Status | Should -Be 503
            $write.Json.message | Should -Match 'session store is unavailable'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        }
    }

    It 'works again once redis-server is back on the same port' {
        $script:redis = Start-TestRedis -Port $redisPort -Directory $redisDir
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ($true) {
            $null = Invoke-KrCurl -Url "$($a.BaseUrl)/session/login?user=max" -Jar $jar
            $who = Invoke-KrCurl -Url "$($b.BaseUrl)/session/whoami" -Jar $jar
            if ($who.Status -eq 200) {
                break
            }
            [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'sessions work again after Redis restarts'
            Start-Sleep -Milliseconds 250
        }
        $who.Json.user | Should -Be 'max'
        $n = (Invoke-KrCurl -Url "$($a.BaseUrl)/session/counter" -Jar $jar).Json.counter
        (Invoke-KrCurl -Url "$($b.BaseUrl)/session/counter" -Jar $jar).Json.counter | Should -Be ($n + 1)
    }
}

Describe 'examples/19.2-Sessions-Redis.ps1: the idle timeout is the key expiry in Redis' -Skip:$redisMissing {
    BeforeAll {
        $script:idleDir = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath "kr-pester-redis-idle-$([guid]::NewGuid().ToString('N'))"
        $script:idlePort = Get-FreeTcpPort
        $script:idleRedis = Start-TestRedis -Port $idlePort -Directory $idleDir
        $script:idle = Start-KrTestScript -Path $example -Arguments @('-RedisConfiguration', "127.0.0.1:$idlePort", '-InstanceName', 'PesterIdle:', '-IdleTimeout', '2')
        $script:idleJar = Join-Path -Path $idleDir -ChildPath 'jar.txt'
    }
    AfterAll {
        if ($script:idle) {
            $null = Stop-KrTestScript -Instance $script:idle
        }
        Stop-TestRedis -Process $script:idleRedis
        Remove-Item -LiteralPath $script:idleDir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'expires the session key after the idle timeout, and the session is gone' {
        # Warm the route runspace up first, so that the timing below is about Redis only.
        (Invoke-KrCurl -Url "$($idle.BaseUrl)/hello" -Jar $idleJar).Status | Should -Be 200
        (Invoke-KrCurl -Url "$($idle.BaseUrl)/session/login?user=max" -Jar $idleJar).Status | Should -Be 200
        # The session key; the key ring (no DataProtectionKey given) lives beside it and never expires.
        $all = @(Invoke-TestRedisCli -Port $idlePort -Arguments @('--scan', '--pattern', 'PesterIdle:*'))
        $all | Should -Contain 'PesterIdle:Kestrun.Rust:SessionKeyRing'
        $keys = @($all | Where-Object { $_ -ne 'PesterIdle:Kestrun.Rust:SessionKeyRing' })
        $keys.Count | Should -Be 1
        [int]((Invoke-TestRedisCli -Port $idlePort -Arguments @('TTL', $keys[0])) | Select-Object -First 1) | Should -BeLessOrEqual 2
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ((Invoke-TestRedisCli -Port $idlePort -Arguments @('EXISTS', $keys[0])) -contains '1') {
            [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'Redis expires the idle session key'
            Start-Sleep -Milliseconds 250
        }
        (Invoke-KrCurl -Url "$($idle.BaseUrl)/session/whoami" -Jar $idleJar).Status | Should -Be 401
    }
}

# Issue 12 on Redis: a hung Redis (SIGSTOP) answers writes 503 within the IO timeout and loses no acknowledged write;
# two servers sharing one Redis serialize the requests of one session (the lock key), so no increment is lost.
Describe 'examples/19.2-Sessions-Redis.ps1: honest answers while Redis hangs, and one session on two servers' -Skip:$redisMissing {
    BeforeAll {
        function Start-TestSessionFarm {
            # A redis-server of its own on a free port and -Servers copies of 19.2-Sessions-Redis.ps1 on it (key prefix
            # '<Prefix>:', one -DataProtectionKey for all); returns Directory, Port, Redis (the redis-server process),
            # Prefix and Servers.
            param(
                [Parameter(Mandatory = $true)]
                [string]$Prefix,

                [Parameter()]
                [int]$Servers = 1,

                [Parameter()]
                [string]$RedisOptions = '',

                [Parameter()]
                [string[]]$Arguments = @()
            )
            $farm = [pscustomobject]@{
                Directory = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath "kr-pester-redis-$($Prefix.ToLowerInvariant())-$([guid]::NewGuid().ToString('N'))"
                Port      = Get-FreeTcpPort
                Redis     = $null
                Prefix    = "${Prefix}:"
                Servers   = [System.Collections.Generic.List[object]]::new()
            }
            try {
                $farm.Redis = Start-TestRedis -Port $farm.Port -Directory $farm.Directory
                $scriptArgs = @('-RedisConfiguration', "127.0.0.1:$($farm.Port)$RedisOptions", '-InstanceName', $farm.Prefix,
                    '-DataProtectionKey', "pester $Prefix secret $([guid]::NewGuid())") + $Arguments
                foreach ($i in 1..$Servers) {
                    $farm.Servers.Add((Start-KrTestScript -Path $example -Arguments $scriptArgs))
                }
            } catch {
                Stop-TestSessionFarm -Farm $farm
                throw
            }
            $farm
        }

        function Stop-TestSessionFarm {
            # Stops the servers (their output goes to the test log), then redis-server (SIGKILL: also when stopped).
            param(
                [Parameter()]
                [object]$Farm
            )
            if ($null -eq $Farm) {
                return
            }
            foreach ($instance in $Farm.Servers) {
                $null = Stop-KrTestScript -Instance $instance -ShowOutput
            }
            Stop-TestRedis -Process $Farm.Redis
            Remove-Item -LiteralPath $Farm.Directory -Recurse -Force -ErrorAction SilentlyContinue
        }

        function Get-TestCounter {
            # The counter of a 200 answer of /session/counter.
            param(
                [Parameter(Mandatory = $true)]
                [object]$Response
            )
            $Response.Status | Should -Be 200 -Because $Response.Body
            [int]($Response.Body | ConvertFrom-Json).counter
        }
    }

    Context 'redis-server paused with SIGSTOP, then resumed with SIGCONT (-IOTimeout 2)' {
        BeforeAll {
            # Redis' own command timeout (syncTimeout) is longer than the IO timeout: the IO timeout is the bound.
            $script:pauseFarm = Start-TestSessionFarm -Prefix 'PesterPause' -RedisOptions ',syncTimeout=5000' -Arguments @('-IdleTimeout', '60', '-IOTimeout', '2')
            $script:pauseBase = $pauseFarm.Servers[0].BaseUrl
            $script:pauseClient = New-KrHttpClient -MaxConnections 2
            # The counter values answered 200: every one of them must stay stored.
            $script:acknowledged = [System.Collections.Generic.List[int]]::new()

            function Send-TestRedisSignal {
                # kill -STOP / -CONT <redis-server pid>: a hung Redis (connections open, nothing answers), then resumed.
                param(
                    [Parameter(Mandatory = $true)]
                    [ValidateSet('STOP', 'CONT')]
                    [string]$Signal
                )
                $kill = (Get-Command -Name 'kill' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
                & $kill "-$Signal" "$($script:pauseFarm.Redis.Id)"
                $LASTEXITCODE | Should -Be 0 -Because "kill -$Signal $($script:pauseFarm.Redis.Id)"
            }

            function Invoke-TestPausedRequest {
                # One request with the session's cookie; a 200 of /session/counter adds its counter to $acknowledged.
                param(
                    [Parameter()]
                    [string]$Path = '/session/counter'
                )
                $response = Invoke-KrHttpBatch -Client $script:pauseClient -Url "$script:pauseBase$Path" -Cookie $script:pauseCookie
                if ($Path -eq '/session/counter' -and $response.Status -eq 200) {
                    $script:acknowledged.Add((Get-TestCounter -Response $response))
                }
                $response
            }
        }
        AfterAll {
            if ($script:pauseClient) {
                $script:pauseClient.Dispose()
            }
            Stop-TestSessionFarm -Farm $script:pauseFarm
        }

        It 'answers a write 503 (JSON) within the IO timeout while Redis is paused, and still answers reads' {
            $first = Invoke-KrHttpBatch -Client $pauseClient -Url "$pauseBase/session/counter"
            $acknowledged.Add((Get-TestCounter -Response $first))
            $first.SetCookie.Count | Should -Be 1
            $script:pauseCookie = Get-KrCookiePair -SetCookie $first.SetCookie[0]
            foreach ($i in 1..5) {
                (Invoke-TestPausedRequest).Status | Should -Be 200
            }
            $acknowledged | Should -Be @(1, 2, 3, 4, 5, 6)

            Send-TestRedisSignal -Signal STOP
            foreach ($i in 1..3) {
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $response = Invoke-TestPausedRequest
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 5 -Because 'every store wait is bounded by the IO timeout (2 s)'
                $response.Status | Should -Be 503 -Because "a write that was not stored is never answered 200: $($response.Body)"
                $response.ContentType | Should -Be 'application/json'
                ($response.Body | ConvertFrom-Json).message | Should -Match 'session store is unavailable'
            }
            # Reads: the session is served empty (whoami 401); a route that does not use the session answers as usual.
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $read = Invoke-TestPausedRequest -Path '/session/whoami'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5 -Because 'the load is bounded by the IO timeout (2 s)'
            $read.Status | Should -Be 401 -Because $read.Body
            $hello = Invoke-TestPausedRequest -Path '/hello'
            $hello.Status | Should -Be 200
            $hello.Body | Should -Be 'Hello, Session World!'
        }

        It 'works again after SIGCONT, and every write that was answered 200 is in the stored session' {
            Send-TestRedisSignal -Signal CONT
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while ($true) {
                $response = Invoke-TestPausedRequest
                if ($response.Status -eq 200) {
                    break
                }
                $response.Status | Should -Be 503 -Because $response.Body
                [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'sessions work again once Redis answers'
                Start-Sleep -Milliseconds 200
            }
            $last = $acknowledged[$acknowledged.Count - 1]
            $earlier = @($acknowledged | Select-Object -First ($acknowledged.Count - 1))
            $last | Should -BeGreaterThan ($earlier | Measure-Object -Maximum).Maximum -Because "every acknowledged increment is stored: $($acknowledged -join ', ')"
            @($acknowledged | Select-Object -Unique).Count | Should -Be $acknowledged.Count -Because "no counter value is acknowledged twice: $($acknowledged -join ', ')"
            $null = Invoke-TestPausedRequest
            $acknowledged[$acknowledged.Count - 1] | Should -Be ($last + 1)
        }
    }

    Context 'two servers, one Redis, one session: 400 concurrent increments' {
        BeforeAll {
            $script:lockFarm = Start-TestSessionFarm -Prefix 'PesterLock' -Servers 2 -Arguments @('-IdleTimeout', '60', '-IOTimeout', '10')
            # Four connections to each server: eight requests of the session in flight at once.
            $script:lockClient = New-KrHttpClient -MaxConnections 4
        }
        AfterAll {
            if ($script:lockClient) {
                $script:lockClient.Dispose()
            }
            Stop-TestSessionFarm -Farm $script:lockFarm
        }

        It 'answers all 400 sent alternately to both servers with 200, each with its own value, and the counter ends at 402' {
            $a = $lockFarm.Servers[0].BaseUrl
            $b = $lockFarm.Servers[1].BaseUrl
            $first = Invoke-KrHttpBatch -Client $lockClient -Url "$a/session/counter"
            Get-TestCounter -Response $first | Should -Be 1
            $cookie = Get-KrCookiePair -SetCookie $first.SetCookie[0]

            $urls = foreach ($i in 0..399) {
                if ($i % 2 -eq 0) { "$a/session/counter" } else { "$b/session/counter" }
            }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $responses = @(Invoke-KrHttpBatch -Client $lockClient -Url $urls -Cookie $cookie)
            Write-Host "400 increments of one session over two servers in $([Math]::Round($watch.Elapsed.TotalSeconds, 2)) s"
            $failed = @($responses | Where-Object Status -NE 200)
            $failed.Count | Should -Be 0 -Because (($failed | Select-Object -First 3 | ForEach-Object { "$($_.Status) $($_.Body)" }) -join "`n")
            $values = @($responses | ForEach-Object { Get-TestCounter -Response $_ } | Sort-Object)
            $values | Should -Be @(2..401) -Because 'each increment saw the one before it, on either server'

            $final = Invoke-KrHttpBatch -Client $lockClient -Url "$b/session/counter" -Cookie $cookie
            Get-TestCounter -Response $final | Should -Be 402 -Because '1 + 400 increments, none lost'
            @(Invoke-TestRedisCli -Port $lockFarm.Port -Arguments @('--scan', '--pattern', "$($lockFarm.Prefix)*:lock")) | Should -BeNullOrEmpty -Because 'every session lock was released'
        }
    }
}
