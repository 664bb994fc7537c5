# Sessions in Redis: Add-KrDistributedRedisCache (registration rules and errors, in this process; a
# [StackExchange.Redis.ConfigurationOptions] honoured field by field or rejected by name), and
# examples/19.2-Sessions-Redis.ps1 against a real redis-server (Start-KrRedisServer of TestHelper.psm1: a free loopback
# port, no persistence): two servers on different ports sharing one session through one curl cookie jar, the idle
# timeout as the key's expiry in Redis, and redis-server killed mid-test (answers keep coming, bounded) then restarted
# on the same port. Kestrun's own 19.2 script against a TLS Redis: Tutorial.19.2-Sessions-Redis.Tests.ps1.
# Without redis-server / redis-cli on PATH the Redis-backed tests are reported as skipped (counted as failures), with
# the reason printed.

BeforeDiscovery {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $redisMissing = Get-KrRedisMissingReason
    if ($redisMissing) {
        Write-Host "Redis.Tests.ps1: the tests that need Redis are skipped because $redisMissing."
    }
}

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    Import-Module (Get-KrStagedManifest) -Force -ErrorAction Stop
    $script:example = Join-Path -Path (Get-KrRepoRoot) -ChildPath (Join-Path -Path 'examples' -ChildPath '19.2-Sessions-Redis.ps1')
}

Describe 'Add-KrDistributedRedisCache: one cache per server, before Add-KrSession' {
    BeforeEach {
        $script:server = New-KrTestServer -Prefix 'pester-redis'
    }
    AfterEach {
        Remove-KrTestServer -Server $script:server
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
        Add-KrDistributedRedisCache -Server $server -ConfigurationOptions @{ EndPoints = @('cache.local:7000', 'replica.local'); Password = 'p@ss'; Ssl = $true; DefaultDatabase = 2; SyncTimeout = 250; ClientName = 'web1' }
        $server.DistributedCache.Configuration | Should -Be 'cache.local:7000,replica.local,password=p@ss,ssl=true,defaultDatabase=2,syncTimeout=250,name=web1'
        "$($server.DistributedCache)" | Should -Not -Match 'p@ss'
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

Describe 'Add-KrDistributedRedisCache -ConfigurationOptions with a [StackExchange.Redis.ConfigurationOptions]' {
    BeforeAll {
        function New-TestOptions {
            # A ConfigurationOptions with one endpoint where nothing listens (nothing connects while configuring).
            $cfg = [StackExchange.Redis.ConfigurationOptions]::new()
            $cfg.EndPoints.Add('127.0.0.1:1')
            $cfg
        }
    }
    BeforeEach {
        $script:server = New-KrTestServer -Prefix 'pester-redis-cfg'
    }
    AfterEach {
        Remove-KrTestServer -Server $script:server
    }

    It 'resolves in a new pwsh right after Import-Module Kestrun.Rust, from the module, without loading what the runtime has twice' {
        $result = Invoke-KrChildPwsh -Command @'
Import-Module Kestrun.Rust -ErrorAction Stop
$cfg = [StackExchange.Redis.ConfigurationOptions]::new()
[pscustomobject]@{
    Redis            = $cfg.GetType().Assembly.Location
    Pipelines        = [System.IO.Pipelines.Pipe].Assembly.Location
    RuntimePipelines = [bool]([System.AppContext]::GetData('TRUSTED_PLATFORM_ASSEMBLIES') -match 'System\.IO\.Pipelines\.dll')
    Copies           = @([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in @('StackExchange.Redis', 'System.IO.Pipelines') }).Count
} | ConvertTo-Json -Compress
'@
        $result.ExitCode | Should -Be 0 -Because $result.StdErr
        $loaded = $result.StdOut | ConvertFrom-Json
        $lib = Join-Path -Path (Get-KrStagedModulePath) -ChildPath (Join-Path -Path 'Kestrun.Rust' -ChildPath 'lib')
        $loaded.Redis | Should -BeLike (Join-Path -Path $lib -ChildPath 'StackExchange.Redis.dll')
        $loaded.Copies | Should -Be 2
        if ($loaded.RuntimePipelines) {
            $loaded.Pipelines | Should -Not -BeLike "$lib*" -Because 'the runtime provides System.IO.Pipelines'
        } else {
            $loaded.Pipelines | Should -BeLike "$lib*"
        }
    }

    It 'passes every field that matters to a session store, and every endpoint' {
        $cfg = New-TestOptions
        $cfg.EndPoints.Add('replica.local')
        $cfg.Ssl = $true
        $cfg.User = 'default'
        $cfg.Password = 'tok3n'
        $cfg.DefaultDatabase = 2
        $cfg.ConnectTimeout = 1500
        $cfg.SyncTimeout = 250
        $cfg.AsyncTimeout = 700
        $cfg.ClientName = 'kestrun-web1'
        $cfg.AbortOnConnectFail = $false
        $cfg.ConnectRetry = 5
        Add-KrDistributedRedisCache -Server $server -ConfigurationOptions $cfg -InstanceName 'KestrunSession_' -NoDistributedMemoryCache
        $server.DistributedCache.Configuration |
            Should -Be '127.0.0.1:1,replica.local,user=default,password=tok3n,ssl=true,defaultDatabase=2,connectTimeout=1500,syncTimeout=250,asyncTimeout=700,name=kestrun-web1,abortConnect=false,connectRetry=5'
        $server.DistributedCache.InstanceName | Should -Be 'KestrunSession_'
        "$($server.DistributedCache)" | Should -Not -Match 'tok3n'
    }

    It 'accepts options left at their defaults, SslHost naming the endpoint, and the options that cannot matter' {
        Add-KrDistributedRedisCache -Server $server -ConfigurationOptions (New-TestOptions)
        $server.DistributedCache.Configuration | Should -Be '127.0.0.1:1,connectTimeout=5000,syncTimeout=5000,asyncTimeout=5000,abortConnect=true,connectRetry=3'
        $other = New-KrServer -Name "pester-redis-cfg2-$([guid]::NewGuid().ToString('N').Substring(0, 8))" -PassThru
        try {
            $cfg = [StackExchange.Redis.ConfigurationOptions]::Parse('cache.local,ssl=true,sslHost=cache.local,allowAdmin=true,keepAlive=30,tiebreaker=,syncTimeout=900')
            $cfg.SslProtocols = [System.Security.Authentication.SslProtocols]'Tls12, Tls13'
            $cfg.CheckCertificateRevocation = $false
            Add-KrDistributedRedisCache -Server $other -ConfigurationOptions $cfg
            $other.DistributedCache.Configuration | Should -Be 'cache.local,ssl=true,sslHost=cache.local,connectTimeout=5000,syncTimeout=900,asyncTimeout=900,abortConnect=true,connectRetry=3'
        } finally {
            Remove-KrServer -Server $other -Force
        }
    }

    It 'rejects <Field> with an ErrorRecord that names it' -ForEach @(
        @{ Field = 'ServiceName'; Set = { param($c) $c.ServiceName = 'mymaster' }; Message = '*ConfigurationOptions.ServiceName*Sentinel*' }
        @{ Field = 'Proxy'; Set = { param($c) $c.Proxy = [StackExchange.Redis.Proxy]::Twemproxy }; Message = '*ConfigurationOptions.Proxy*Twemproxy*' }
        @{ Field = 'SslProtocols'; Set = { param($c) $c.SslProtocols = [System.Security.Authentication.SslProtocols]::Tls12 }; Message = '*ConfigurationOptions.SslProtocols*Tls12*' }
        @{ Field = 'CertificateValidation'; Set = { param($c) $c.add_CertificateValidation({ $true }) }; Message = '*ConfigurationOptions.CertificateValidation*SSL_CERT_FILE*' }
        @{ Field = 'CommandMap'; Set = { param($c) $c.CommandMap = [StackExchange.Redis.CommandMap]::Create([System.Collections.Generic.HashSet[string]]@('SUBSCRIBE'), $false) }; Message = '*ConfigurationOptions.CommandMap*' }
        @{ Field = 'Password'; Set = { param($c) $c.Password = 'pass,word' }; Message = '*ConfigurationOptions.Password contains a comma*' }
        @{ Field = 'ConnectRetry'; Set = { param($c) $c.ConnectRetry = -1 }; Message = '*ConfigurationOptions.ConnectRetry*' }
        @{ Field = 'ConnectTimeout'; Set = { param($c) $c.ConnectTimeout = 0 }; Message = '*ConfigurationOptions.ConnectTimeout*' }
        @{ Field = 'EndPoints'; Set = { param($c) $c.EndPoints.Clear() }; Message = '*ConfigurationOptions.EndPoints is empty*' }
        @{ Field = 'SslHost'; Set = { param($c) $c.Ssl = $true; $c.SslHost = 'cache.example' }; Message = '*sslHost="cache.example" differs from the endpoint host "127.0.0.1"*' }
        @{ Field = 'ClientName'; Set = { param($c) $c.ClientName = 'two words' }; Message = '*name="two words" is not a Redis client name*' }
    ) {
        $cfg = New-TestOptions
        & $Set $cfg
        $err = { Add-KrDistributedRedisCache -Server $server -ConfigurationOptions $cfg } | Should -Throw -PassThru
        $err.Exception.Message | Should -BeLike $Message
        $err.FullyQualifiedErrorId | Should -BeExactly "KrAddDistributedRedisCacheFailed,$(Get-KrErrorIdSuffix -Name 'Add-KrDistributedRedisCache')"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Not -Match 'kr_'
        $server.DistributedCache | Should -BeNullOrEmpty
    }
}

Describe 'examples/19.2-Sessions-Redis.ps1: two servers, one Redis' -Skip:([bool]$redisMissing) {
    BeforeAll {
        $script:redis = Start-KrRedisServer
        $script:redisPort = $redis.Port
        $script:redisDir = $redis.Directory
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
        Stop-KrRedisServer -Server $script:redis
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
        $keys = @(Invoke-KrRedisCli -Server $redis -Arguments @('--scan', '--pattern', 'PesterFarm:*'))
        $keys.Count | Should -Be 1
        $json = (Invoke-KrRedisCli -Server $redis -Arguments @('GET', $keys[0])) -join ''
        $json | Should -Match '"user"'
        $json | Should -Match '"counter"'
        [int]((Invoke-KrRedisCli -Server $redis -Arguments @('TTL', $keys[0])) | Select-Object -First 1) | Should -BeGreaterThan 0
    }

    It 'keeps answering while redis-server is down, bounded by the timeouts, and never acknowledges a lost write' {
        Stop-KrRedisServer -Server $script:redis
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
        $script:redis = Start-KrRedisServer -Port $redisPort -Directory $redisDir
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

Describe 'examples/19.2-Sessions-Redis.ps1: the idle timeout is the key expiry in Redis' -Skip:([bool]$redisMissing) {
    BeforeAll {
        $script:idleRedis = Start-KrRedisServer
        $script:idle = Start-KrTestScript -Path $example -Arguments @('-RedisConfiguration', "127.0.0.1:$($idleRedis.Port)", '-InstanceName', 'PesterIdle:', '-IdleTimeout', '2')
        $script:idleJar = Join-Path -Path $idleRedis.Directory -ChildPath 'jar.txt'
    }
    AfterAll {
        if ($script:idle) {
            $null = Stop-KrTestScript -Instance $script:idle
        }
        Stop-KrRedisServer -Server $script:idleRedis -RemoveDirectory
    }

    It 'expires the session key after the idle timeout, and the session is gone' {
        # Warm the route runspace up first, so that the timing below is about Redis only.
        (Invoke-KrCurl -Url "$($idle.BaseUrl)/hello" -Jar $idleJar).Status | Should -Be 200
        (Invoke-KrCurl -Url "$($idle.BaseUrl)/session/login?user=max" -Jar $idleJar).Status | Should -Be 200
        # The session key; the key ring (no DataProtectionKey given) lives beside it and never expires.
        $all = @(Invoke-KrRedisCli -Server $idleRedis -Arguments @('--scan', '--pattern', 'PesterIdle:*'))
        $all | Should -Contain 'PesterIdle:Kestrun.Rust:SessionKeyRing'
        $keys = @($all | Where-Object { $_ -ne 'PesterIdle:Kestrun.Rust:SessionKeyRing' })
        $keys.Count | Should -Be 1
        [int]((Invoke-KrRedisCli -Server $idleRedis -Arguments @('TTL', $keys[0])) | Select-Object -First 1) | Should -BeLessOrEqual 2
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ((Invoke-KrRedisCli -Server $idleRedis -Arguments @('EXISTS', $keys[0])) -contains '1') {
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
                $farm.Redis = Start-KrRedisServer -Port $farm.Port -Directory $farm.Directory
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
            Stop-KrRedisServer -Server $Farm.Redis
            Remove-Item -LiteralPath $Farm.Directory -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    Context 'redis-server paused with SIGSTOP, then resumed with SIGCONT (-IOTimeout 2)' {
        BeforeAll {
            # Redis' own command timeout (syncTimeout) is longer than the IO timeout: the IO timeout is the bound.
            $script:pauseFarm = Start-TestSessionFarm -Prefix 'PesterPause' -RedisOptions ',syncTimeout=5000' -Arguments @('-IdleTimeout', '60', '-IOTimeout', '2')
            $script:pauseClient = New-KrHttpClient -MaxConnections 2
            $script:pause = New-KrOutageProbe -Client $pauseClient -BaseUrl $pauseFarm.Servers[0].BaseUrl

            function Send-TestRedisSignal {
                # kill -STOP / -CONT <redis-server pid>: a hung Redis (connections open, nothing answers), then resumed.
                param(
                    [Parameter(Mandatory = $true)]
                    [ValidateSet('STOP', 'CONT')]
                    [string]$Signal
                )
                $kill = (Get-Command -Name 'kill' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
                & $kill "-$Signal" "$($script:pauseFarm.Redis.Process.Id)"
                $LASTEXITCODE | Should -Be 0 -Because "kill -$Signal $($script:pauseFarm.Redis.Process.Id)"
            }
        }
        AfterAll {
            Remove-KrHttpClient -Client $script:pauseClient
            Stop-TestSessionFarm -Farm $script:pauseFarm
        }

        It 'answers a write 503 (JSON) within the IO timeout while Redis is paused, and still answers reads' {
            $first = Invoke-KrOutageRequest -Probe $pause
            $first.SetCookie.Count | Should -Be 1
            $pause.Cookie = Get-KrCookiePair -SetCookie $first.SetCookie[0]
            foreach ($i in 1..5) {
                (Invoke-KrOutageRequest -Probe $pause).Status | Should -Be 200
            }
            $pause.Acknowledged | Should -Be @(1, 2, 3, 4, 5, 6)

            Send-TestRedisSignal -Signal STOP
            # The IO timeout (2 s) bounds every answer.
            Assert-KrOutageAnswers -Probe $pause -BoundSeconds 5 -Message 'session store is unavailable'
        }

        It 'works again after SIGCONT, and every write that was answered 200 is in the stored session' {
            Send-TestRedisSignal -Signal CONT
            Wait-KrOutageRecovery -Probe $pause
        }
    }

    Context 'two servers, one Redis, one session: 400 concurrent increments' {
        BeforeAll {
            $script:lockFarm = Start-TestSessionFarm -Prefix 'PesterLock' -Servers 2 -Arguments @('-IdleTimeout', '60', '-IOTimeout', '10')
            # Four connections to each server: eight requests of the session in flight at once.
            $script:lockClient = New-KrHttpClient -MaxConnections 4
        }
        AfterAll {
            Remove-KrHttpClient -Client $script:lockClient
            Stop-TestSessionFarm -Farm $script:lockFarm
        }

        It 'answers all 400 sent alternately to both servers with 200, each with its own value, and the counter ends at 402' {
            $a = $lockFarm.Servers[0].BaseUrl
            $b = $lockFarm.Servers[1].BaseUrl
            $first = Invoke-KrHttpBatch -Client $lockClient -Url "$a/session/counter"
            Get-KrSessionCounter -Response $first | Should -Be 1
            $cookie = Get-KrCookiePair -SetCookie $first.SetCookie[0]
            Invoke-KrIncrementBurst -Client $lockClient -BaseUrl @($a, $b) -Cookie $cookie -First 1

            $final = Invoke-KrHttpBatch -Client $lockClient -Url "$b/session/counter" -Cookie $cookie
            Get-KrSessionCounter -Response $final | Should -Be 402 -Because '1 + 400 increments, none lost'
            @(Invoke-KrRedisCli -Server $lockFarm.Redis -Arguments @('--scan', '--pattern', "$($lockFarm.Prefix)*:lock")) | Should -BeNullOrEmpty -Because 'every session lock was released'
        }
    }
}

# Issue 14, what must show: the seed's 19.1 script with nothing but the cache line inserted (and -NoDistributedMemoryCache)
# continues one session on every server that shares the Redis and its InstanceName, with no secret anywhere: the cookie
# keys come from the key ring `<InstanceName>Kestrun.Rust:SessionKeyRing` in Redis. The ring outlives the servers (the
# cookie still works after all of them restart, and a server started later joins), and it is per prefix.
Describe 'Issue 14: the seed''s 19.1 with only Add-KrDistributedRedisCache inserted shares sessions through the key ring in Redis' -Skip:$redisMissing {
    BeforeAll {
        $script:ringDir = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath "kr-pester-keyring-$([guid]::NewGuid().ToString('N'))"
        $script:ringRedisPort = Get-FreeTcpPort
        $script:ringRedis = Start-KrRedisServer -Port $ringRedisPort -Directory (Join-Path -Path $ringDir -ChildPath 'redis')
        $script:ringSeed = Get-KrSeedScript -Name '19.1-Sessions.ps1'
        $script:ringServers = [System.Collections.Generic.List[object]]::new()
        $script:ringJar = Join-Path -Path $ringDir -ChildPath 'jar.txt'
        $script:ringKeyName = 'X_Kestrun.Rust:SessionKeyRing'

        function New-TestRingScript {
            # The seed with `Add-KrDistributedRedisCache -Configuration '127.0.0.1:<redis port>' -InstanceName '<InstanceName>'`
            # inserted before its Add-KrSession line (-NoDistributedMemoryCache added to it), in <temp>/<InstanceName>/.
            param(
                [Parameter(Mandatory = $true)]
                [string]$InstanceName
            )
            New-KrSeedVariant -Seed $script:ringSeed -CacheLine (Get-TestRingCacheLine -InstanceName $InstanceName) `
                -Path (Join-Path -Path (Join-Path -Path $script:ringDir -ChildPath $InstanceName.TrimEnd('_')) -ChildPath '19.1-Sessions.ps1')
        }

        function Get-TestRingCacheLine {
            # The line New-TestRingScript inserts.
            param(
                [Parameter(Mandatory = $true)]
                [string]$InstanceName
            )
            "Add-KrDistributedRedisCache -Configuration '127.0.0.1:$($script:ringRedisPort)' -InstanceName '$InstanceName'"
        }

        function Start-TestRingServer {
            # A server from a script of New-TestRingScript (its own free port and process group). The seed's idle
            # timeout is 20 s and a server start can take longer on a busy machine: the session keys in Redis are made
            # persistent first, and the server's first request of the session gives them the idle expiry again, so a
            # slow start is never mistaken for a cookie the server cannot open.
            param(
                [Parameter(Mandatory = $true)]
                [string]$Path
            )
            foreach ($key in @(Get-TestRingSessionKey -Pattern 'X_*') + @(Get-TestRingSessionKey -Pattern 'Y_*')) {
                $null = Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('PERSIST', $key)
            }
            $instance = Start-KrTestScript -Path $Path
            $script:ringServers.Add($instance)
            $instance
        }

        function Get-TestRingSessionKey {
            # The session keys in Redis (every key but the key rings and the session locks).
            param(
                [Parameter(Mandatory = $true)]
                [string]$Pattern
            )
            @(Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('--scan', '--pattern', $Pattern) |
                    Where-Object { $_ -notmatch 'Kestrun\.Rust:SessionKeyRing$' -and $_ -notmatch ':lock$' })
        }

        function Get-TestRing {
            # The key ring's JSON under a prefix, parsed; $null when there is none.
            param(
                [Parameter()]
                [string]$Prefix = 'X_'
            )
            $json = (Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('GET', "${Prefix}Kestrun.Rust:SessionKeyRing")) -join ''
            if ([string]::IsNullOrEmpty($json)) {
                return $null
            }
            [pscustomobject]@{ Json = $json; Ring = ($json | ConvertFrom-Json) }
        }

        $script:xScript = New-TestRingScript -InstanceName 'X_'
    }
    AfterAll {
        Stop-KrTrackedTestScript -Running $script:ringServers
        Stop-KrRedisServer -Server $script:ringRedis
        Remove-Item -LiteralPath $script:ringDir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'runs a script that differs from the seed only by the inserted cache line and -NoDistributedMemoryCache, with no secret in it' {
        Assert-KrSeedVariant -Seed $ringSeed -Script $xScript -CacheLine (Get-TestRingCacheLine -InstanceName 'X_') -Forbidden 'DataProtectionKey|CookieKey|KeyLifetime|secret|password'
    }

    It 'continues one session on two servers with one cookie jar: counter, login, set and get' {
        $script:ringA = Start-TestRingServer -Path $xScript
        $script:ringB = Start-TestRingServer -Path $xScript
        Assert-KrSharedSession -First $ringA -Second $ringB -Jar $ringJar
    }

    It 'keeps the session under X_ in Redis, beside the key ring X_Kestrun.Rust:SessionKeyRing: one key, no expiry' {
        # (--scan without a pattern: every key; PowerShell would expand a bare '*' argument as a file name pattern.)
        $all = @(Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('--scan'))
        $all.Count | Should -BeGreaterThan 0
        @($all | Where-Object { -not $_.StartsWith('X_') }) | Should -BeNullOrEmpty -Because "everything is under the prefix: $($all -join ', ')"
        $all | Should -Contain $ringKeyName
        $sessions = @(Get-TestRingSessionKey -Pattern 'X_*')
        $sessions.Count | Should -Be 1
        # The session's JSON: each value a JSON string of its bytes in base64.
        $session = (Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('GET', $sessions[0])) -join '' | ConvertFrom-Json
        $value = { param($name) [System.Convert]::FromBase64String(($session.$name | ConvertFrom-Json)) }
        [System.Text.Encoding]::UTF8.GetString((& $value 'user')) | Should -BeExactly 'max'
        [System.Text.Encoding]::UTF8.GetString((& $value 'color')) | Should -BeExactly 'purple'
        @(& $value 'counter') | Should -Be @(0, 0, 0, 3)
        [int]((Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('TTL', $sessions[0])) | Select-Object -First 1) | Should -BeGreaterThan 0

        @(Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('TYPE', $ringKeyName)) | Should -Be @('string')
        @(Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('TTL', $ringKeyName)) | Should -Be @('-1') -Because 'the key ring never expires'
        $ring = Get-TestRing
        @($ring.Ring.keys).Count | Should -Be 1
        [System.Convert]::FromBase64String($ring.Ring.keys[0].key).Length | Should -Be 64
        $script:ringBefore = $ring
    }

    It 'opens the old cookie after both servers restart (the ring unchanged), and never writes a key to the servers'' output' {
        $outputs = @((Stop-KrTrackedTestScript -Instance $ringA -Running $ringServers), (Stop-KrTrackedTestScript -Instance $ringB -Running $ringServers))
        foreach ($output in $outputs) {
            $output | Should -Match 'Sessions Demo Server|session' -Because 'the seed logs at Debug level to the console'
            $output | Should -Not -Match ([regex]::Escape($ringBefore.Ring.keys[0].key)) -Because 'keys are never logged'
        }
        $script:ringA = Start-TestRingServer -Path $xScript
        $script:ringB = Start-TestRingServer -Path $xScript
        Invoke-KrCurl -Url "$($ringA.BaseUrl)/session/whoami" -Jar $ringJar | Assert-KrResponse -Json @{ user = 'max' }
        Invoke-KrCurl -Url "$($ringB.BaseUrl)/session/counter" -Jar $ringJar | Assert-KrResponse -Json @{ counter = 4 }
        Invoke-KrCurl -Url "$($ringA.BaseUrl)/session/get?key=color" -Jar $ringJar | Assert-KrResponse -Json @{ value = 'purple' }
        Invoke-KrCurl -Url "$($ringB.BaseUrl)/session/whoami" -Jar $ringJar | Assert-KrResponse -Json @{ user = 'max' }
        (Get-TestRing).Json | Should -BeExactly $ringBefore.Json -Because 'the restarted servers read the ring, they do not make a new one'
        $sessions = @(Get-TestRingSessionKey -Pattern 'X_*')
        $sessions.Count | Should -Be 1
        $ttl = [int]((Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('TTL', $sessions[0])) | Select-Object -First 1)
        $ttl | Should -BeGreaterThan 0 -Because 'the session has its idle expiry again'
        $ttl | Should -BeLessOrEqual 20
    }

    It 'lets a third server started later join the session' {
        $c = Start-TestRingServer -Path $xScript
        Invoke-KrCurl -Url "$($c.BaseUrl)/session/whoami" -Jar $ringJar | Assert-KrResponse -Json @{ user = 'max' }
        Invoke-KrCurl -Url "$($c.BaseUrl)/session/counter" -Jar $ringJar | Assert-KrResponse -Json @{ counter = 5 }
        Invoke-KrCurl -Url "$($ringA.BaseUrl)/session/counter" -Jar $ringJar | Assert-KrResponse -Json @{ counter = 6 }
        (Get-TestRing).Json | Should -BeExactly $ringBefore.Json
    }

    It 'a server with another InstanceName (Y_) has a ring of its own and does not open these cookies (401), until it is given X_''s ring' {
        $yScript = New-TestRingScript -InstanceName 'Y_'
        $y = Start-TestRingServer -Path $yScript
        Invoke-KrCurl -Url "$($y.BaseUrl)/hello" | Assert-KrResponse -Body 'Hello, Session World!'
        $yRing = Get-TestRing -Prefix 'Y_'
        $yRing | Should -Not -BeNullOrEmpty -Because 'the Y_ server made its own key ring'
        @(Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('TTL', 'Y_Kestrun.Rust:SessionKeyRing')) | Should -Be @('-1')
        @($yRing.Ring.keys).Count | Should -Be 1
        $yRing.Ring.keys[0].key | Should -Not -Be $ringBefore.Ring.keys[0].key

        # The session's data under Y_ too: only the cookie key stands between the Y_ server and the session.
        $session = @(Get-TestRingSessionKey -Pattern 'X_*')
        $session.Count | Should -Be 1
        $yKey = 'Y_' + $session[0].Substring(2)
        @(Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('COPY', $session[0], $yKey)) | Should -Be @('1')
        $yJar = Join-Path -Path $ringDir -ChildPath 'jar-y.txt'
        Copy-Item -LiteralPath $ringJar -Destination $yJar -Force
        Invoke-KrCurl -Url "$($y.BaseUrl)/session/whoami" -Jar $yJar | Assert-KrResponse -Status 401 -Json @{ error = 'No active session or user not set' }
        Invoke-KrCurl -Url "$($y.BaseUrl)/session/get?key=color" -Jar $yJar | Assert-KrResponse -Status 404

        # The control: the same Y_ script started again with X_'s ring under Y_ opens the cookie.
        $null = Stop-KrTrackedTestScript -Instance $y -Running $ringServers
        @(Invoke-KrRedisCli -Server $script:ringRedis -Arguments @('COPY', $ringKeyName, 'Y_Kestrun.Rust:SessionKeyRing', 'REPLACE')) | Should -Be @('1')
        $y = Start-TestRingServer -Path $yScript
        Copy-Item -LiteralPath $ringJar -Destination $yJar -Force
        Invoke-KrCurl -Url "$($y.BaseUrl)/session/whoami" -Jar $yJar | Assert-KrResponse -Json @{ user = 'max' }

        # The X_ servers still serve the session (the Y_ answers changed nothing under X_).
        Invoke-KrCurl -Url "$($ringB.BaseUrl)/session/counter" -Jar $ringJar | Assert-KrResponse -Json @{ counter = 7 }
        (Get-TestRing).Json | Should -BeExactly $ringBefore.Json
    }
}

# Add-KrSession -KeyLifetime: what a user sees (no Redis needed).
Describe 'Add-KrSession -KeyLifetime: validation and help' {
    BeforeEach {
        $script:lifetimeServer = New-KrTestServer -Prefix 'pester-keylifetime'
    }
    AfterEach {
        Remove-KrTestServer -Server $script:lifetimeServer
    }

    It 'rejects a lifetime of <Shown> with a clear error, and configures nothing' -ForEach @(
        @{ Value = 0; Shown = '0' }
        @{ Value = '00:00:00'; Shown = '00:00:00' }
        @{ Value = [TimeSpan]::FromSeconds(-1); Shown = '-1 s' }
        @{ Value = '-1.00:00:00'; Shown = '-1 day' }
    ) {
        Add-KrDistributedRedisCache -Server $lifetimeServer -Configuration '127.0.0.1:1' -InstanceName 'Life_'
        $err = { Add-KrSession -Server $lifetimeServer -KeyLifetime $Value } | Should -Throw -PassThru
        $err | Should -BeOfType ([System.Management.Automation.ErrorRecord])
        $err.Exception.Message | Should -Match 'KeyLifetime must be longer than zero'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $lifetimeServer.Session | Should -BeNullOrEmpty
    }

    It 'takes <Shown> as <Seconds> s (a TimeSpan, rounded up to whole seconds)' -ForEach @(
        @{ Value = [TimeSpan]::FromDays(30); Shown = '30 days'; Seconds = 2592000 }
        @{ Value = '01:00:00'; Shown = '01:00:00'; Seconds = 3600 }
        @{ Value = [TimeSpan]::FromMilliseconds(1500); Shown = '1.5 s'; Seconds = 2 }
    ) {
        Add-KrDistributedRedisCache -Server $lifetimeServer -Configuration '127.0.0.1:1' -InstanceName 'Life_'
        Add-KrSession -Server $lifetimeServer -NoDistributedMemoryCache -KeyLifetime $Value
        $lifetimeServer.Session.KeyLifetimeSeconds | Should -Be $Seconds
        $lifetimeServer.Session.HasCookieKey | Should -BeFalse
    }

    It 'leaves the lifetime to the engine''s default (90 days) when not given' {
        Add-KrSession -Server $lifetimeServer
        $lifetimeServer.Session.KeyLifetimeSeconds | Should -BeNullOrEmpty
    }

    It 'is documented: Get-Help Add-KrSession -Parameter KeyLifetime' {
        $help = Get-Help -Name Add-KrSession -Parameter KeyLifetime
        $help.name | Should -Be 'KeyLifetime'
        $help.type.name | Should -Match 'TimeSpan'
        $text = ($help.description | ForEach-Object { $_.Text }) -join ' '
        $text | Should -Match 'key ring'
        $text | Should -Match '90 days'
        $text | Should -Match 'older keys still open'
    }
}

# Issue 14: rotation of the key ring, from PowerShell: the seed's 19.1 with the cache line (InstanceName 'R_') and
# `-NoDistributedMemoryCache -KeyLifetime 00:00:40` on its Add-KrSession line. Time is moved by ageing the keys of the
# ring in Redis (their `created`, Unix seconds) while no server is starting, so no test waits for a lifetime to pass:
# a server that starts when the newest key is younger than the lifetime keeps the ring, one that starts when it is
# older adds a key (and drops keys created more than two lifetimes ago); an older key still opens its cookies, which are
# sent back sealed with the current key; a running server reads the ring again (every lifetime / 4 = 10 s here).
Describe 'Issue 14: Add-KrSession -KeyLifetime rotates the key ring in Redis' -Skip:$redisMissing {
    BeforeAll {
        $script:rotDir = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath "kr-pester-rotation-$([guid]::NewGuid().ToString('N'))"
        $script:rotRedisPort = Get-FreeTcpPort
        $script:rotRedis = Start-KrRedisServer -Port $rotRedisPort -Directory (Join-Path -Path $rotDir -ChildPath 'redis')
        $script:rotServers = [System.Collections.Generic.List[object]]::new()
        $script:rotRingName = 'R_Kestrun.Rust:SessionKeyRing'

        $script:rotScript = New-KrSeedVariant -Seed (Get-KrSeedScript -Name '19.1-Sessions.ps1') -Path (Join-Path -Path $rotDir -ChildPath '19.1-Sessions.ps1') `
            -CacheLine "Add-KrDistributedRedisCache -Configuration '127.0.0.1:$rotRedisPort' -InstanceName 'R_'" -SessionSuffix ' -NoDistributedMemoryCache -KeyLifetime 00:00:40'

        function Start-TestRotServer {
            # A server of the R_ script; the session keys are made persistent first (the seed's idle timeout is 20 s,
            # and the server's first request of the session gives them their expiry again).
            foreach ($key in @(Invoke-KrRedisCli -Server $script:rotRedis -Arguments @('--scan', '--pattern', 'R_*') |
                        Where-Object { $_ -ne $script:rotRingName -and $_ -notmatch ':lock$' })) {
                $null = Invoke-KrRedisCli -Server $script:rotRedis -Arguments @('PERSIST', $key)
            }
            $instance = Start-KrTestScript -Path $script:rotScript
            $script:rotServers.Add($instance)
            $instance
        }

        function Get-TestRotRing {
            # The R_ key ring: its keys (id, created, key), oldest first; asserts that it never expires.
            @(Invoke-KrRedisCli -Server $script:rotRedis -Arguments @('TTL', $script:rotRingName)) | Should -Be @('-1')
            $json = (Invoke-KrRedisCli -Server $script:rotRedis -Arguments @('GET', $script:rotRingName)) -join ''
            $ring = $json | ConvertFrom-Json
            @($ring.keys | Sort-Object -Property @('created', 'id'))
        }

        function Set-TestRotRingAge {
            # Ages keys of the R_ ring: created = now - <seconds>, by key id.
            param(
                [Parameter(Mandatory = $true)]
                [hashtable]$AgeById
            )
            $json = (Invoke-KrRedisCli -Server $script:rotRedis -Arguments @('GET', $script:rotRingName)) -join ''
            $ring = $json | ConvertFrom-Json
            $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
            foreach ($key in $ring.keys) {
                if ($AgeById.ContainsKey([int]$key.id)) {
                    $key.created = [int64]($now - $AgeById[[int]$key.id])
                }
            }
            $new = ConvertTo-Json -InputObject $ring -Compress -Depth 5
            @(Invoke-KrRedisCli -Server $script:rotRedis -Arguments @('SET', $script:rotRingName, $new)) | Should -Be @('OK')
        }

        function Get-TestSessionSetCookie {
            # The Kr.Session Set-Cookie values of a response.
            param(
                [Parameter(Mandatory = $true)]
                [object]$Response
            )
            @(Get-KrSetCookie -Headers $Response.Headers -Name 'Kr.Session')
        }
    }
    AfterAll {
        Stop-KrTrackedTestScript -Running $script:rotServers
        Stop-KrRedisServer -Server $script:rotRedis
        Remove-Item -LiteralPath $script:rotDir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'keeps the ring when its key is younger than the lifetime, and adds a key when it is older; the old cookie still opens and comes back sealed with the new key' {
        $script:rotA = Start-TestRotServer
        $script:rotJar1 = Join-Path -Path $rotDir -ChildPath 'jar-key1.txt'
        Invoke-KrCurl -Url "$($rotA.BaseUrl)/session/login?user=max" -Jar $rotJar1 | Assert-KrResponse -Json @{ user = 'max' }
        $first = Get-TestRotRing
        $first.Count | Should -Be 1
        $script:rotKey1 = $first[0]

        # Younger than the lifetime (20 s of 40): a server starting now keeps the ring.
        Set-TestRotRingAge -AgeById @{ ([int]$rotKey1.id) = 20 }
        $b = Start-TestRotServer
        $kept = Get-TestRotRing
        $kept.Count | Should -Be 1 -Because 'the key is younger than -KeyLifetime 00:00:40'
        $kept[0].key | Should -BeExactly $rotKey1.key
        $answer = Invoke-KrCurl -Url "$($b.BaseUrl)/session/whoami" -Jar $rotJar1 | Assert-KrResponse -Json @{ user = 'max' } -PassThru
        Get-TestSessionSetCookie -Response $answer | Should -BeNullOrEmpty -Because 'the cookie is sealed with the current key'
        $null = Stop-KrTrackedTestScript -Instance $b -Running $rotServers

        # Older than the lifetime (50 s of 40), younger than two: a server starting now adds a key and keeps the old one.
        Set-TestRotRingAge -AgeById @{ ([int]$rotKey1.id) = 50 }
        $script:rotC = Start-TestRotServer
        $rotated = Get-TestRotRing
        $rotated.Count | Should -Be 2 -Because 'the newest key was older than -KeyLifetime 00:00:40'
        $rotated[0].key | Should -BeExactly $rotKey1.key
        $rotated[1].id | Should -BeGreaterThan $rotKey1.id
        $rotated[1].key | Should -Not -Be $rotKey1.key
        $script:rotKey2 = $rotated[1]

        $script:rotJar2 = Join-Path -Path $rotDir -ChildPath 'jar-key2.txt'
        Copy-Item -LiteralPath $rotJar1 -Destination $rotJar2 -Force
        $old = (Get-Content -LiteralPath $rotJar1 | Where-Object { $_ -match "`tKr\.Session`t" })
        $answer = Invoke-KrCurl -Url "$($rotC.BaseUrl)/session/whoami" -Jar $rotJar2 | Assert-KrResponse -Json @{ user = 'max' } -PassThru
        $resealed = @(Get-TestSessionSetCookie -Response $answer)
        $resealed.Count | Should -Be 1 -Because 'a cookie opened with an older key is sent back sealed with the current one'
        $resealed[0] | Should -Match '(?i)secure'
        $resealed[0] | Should -Match '(?i)httponly'
        (Get-Content -LiteralPath $rotJar2 | Where-Object { $_ -match "`tKr\.Session`t" }) | Should -Not -Be $old
        $again = Invoke-KrCurl -Url "$($rotC.BaseUrl)/session/whoami" -Jar $rotJar2 | Assert-KrResponse -Json @{ user = 'max' } -PassThru
        Get-TestSessionSetCookie -Response $again | Should -BeNullOrEmpty -Because 'the resealed cookie is sealed with the current key'
        Invoke-KrCurl -Url "$($rotC.BaseUrl)/session/counter" -Jar $rotJar2 | Assert-KrResponse -Json @{ counter = 1 }
        # The old cookie still opens the same session.
        $oldCopy = Join-Path -Path $rotDir -ChildPath 'jar-key1-copy.txt'
        Copy-Item -LiteralPath $rotJar1 -Destination $oldCopy -Force
        Invoke-KrCurl -Url "$($rotC.BaseUrl)/session/counter" -Jar $oldCopy | Assert-KrResponse -Json @{ counter = 2 }
    }

    It 'lets a server that was running before the rotation open cookies sealed with the new key (it reads the ring again)' {
        # rotA started with key 1 only; the cookie of rotJar2 is sealed with key 2.
        $deadline = [DateTime]::UtcNow.AddSeconds(45)
        $probe = Join-Path -Path $rotDir -ChildPath 'jar-probe.txt'
        while ($true) {
            Copy-Item -LiteralPath $rotJar2 -Destination $probe -Force
            $answer = Invoke-KrCurl -Url "$($rotA.BaseUrl)/session/whoami" -Jar $probe
            if ($answer.Status -eq 200) {
                break
            }
            $answer.Status | Should -Be 401 -Because $answer.Body
            [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'a running server reads the key ring again every -KeyLifetime / 4 (10 s)'
            Start-Sleep -Milliseconds 500
        }
        $answer.Json.user | Should -Be 'max'
    }

    It 'drops a key created more than two lifetimes ago at the next rotation: its cookies no longer open, the newer ones do' {
        foreach ($instance in @($script:rotServers)) {
            $output = Stop-KrTrackedTestScript -Instance $instance -Running $rotServers
            $output | Should -Not -Match ([regex]::Escape($rotKey1.key)) -Because 'keys are never logged'
            $output | Should -Not -Match ([regex]::Escape($rotKey2.key)) -Because 'keys are never logged'
        }
        Set-TestRotRingAge -AgeById @{ ([int]$rotKey1.id) = 100; ([int]$rotKey2.id) = 50 }
        $d = Start-TestRotServer
        $ring = Get-TestRotRing
        @($ring | ForEach-Object { $_.key }) | Should -Not -Contain $rotKey1.key -Because 'key 1 was created more than two lifetimes ago'
        $ring.Count | Should -Be 2
        $ring[0].key | Should -BeExactly $rotKey2.key
        $ring[1].id | Should -BeGreaterThan $rotKey2.id

        $oldCopy = Join-Path -Path $rotDir -ChildPath 'jar-key1-copy2.txt'
        Copy-Item -LiteralPath $rotJar1 -Destination $oldCopy -Force
        Invoke-KrCurl -Url "$($d.BaseUrl)/session/whoami" -Jar $oldCopy | Assert-KrResponse -Status 401
        $answer = Invoke-KrCurl -Url "$($d.BaseUrl)/session/whoami" -Jar $rotJar2 | Assert-KrResponse -Json @{ user = 'max' } -PassThru
        @(Get-TestSessionSetCookie -Response $answer).Count | Should -Be 1 -Because 'the key 2 cookie comes back sealed with key 3'
        Invoke-KrCurl -Url "$($d.BaseUrl)/session/counter" -Jar $rotJar2 | Assert-KrResponse -Json @{ counter = 3 }
    }
}
