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

    It 'warns when the cache is shared but no DataProtectionKey is given' {
        Add-KrDistributedRedisCache -Server $server -Configuration '127.0.0.1:1'
        $warnings = Add-KrSession -Server $server 3>&1
        "$warnings" | Should -Match 'DataProtectionKey'
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
        $script:server = New-KrServer -Name "pester-redis-cfg-$([guid]::NewGuid().ToString('N').Substring(0, 8))" -PassThru
    }
    AfterEach {
        if ($script:server) {
            Remove-KrServer -Server $script:server -Force
        }
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
        $err.FullyQualifiedErrorId | Should -Match '^KrAddDistributedRedisCacheFailed,Add-KrDistributedRedisCache'
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

    It 'keeps answering while redis-server is down, bounded by the timeouts' {
        Stop-KrRedisServer -Server $script:redis
        $script:redis = $null
        foreach ($i in 1..3) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            (Invoke-KrCurl -Url "$($a.BaseUrl)/hello" -Jar $jar).Status | Should -Be 200
            (Invoke-KrCurl -Url "$($b.BaseUrl)/session/whoami" -Jar $jar).Status | Should -Be 401
            (Invoke-KrCurl -Url "$($a.BaseUrl)/session/counter" -Jar $jar).Json.counter | Should -Be 1
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
        $keys = @(Invoke-KrRedisCli -Server $idleRedis -Arguments @('--scan', '--pattern', 'PesterIdle:*'))
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
