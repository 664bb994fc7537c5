# Kestrun's tutorial 19.2 "Sessions with Redis", in its style: examples/19.2-Sessions-Redis-Kestrun.ps1 builds a
# [StackExchange.Redis.ConfigurationOptions] from the rediss://default:TOKEN@host:port URL in $env:UPSTASH_REDIS_URL
# (TLS, a user and a password) and passes it to Add-KrDistributedRedisCache -ConfigurationOptions. Here it runs against
# a redis-server that the test starts with TLS only (--tls-port, a CA and a certificate made with openssl for the test)
# and --requirepass; the script's process trusts the CA through SSL_CERT_FILE. The tutorial's transcript, then the
# session data under the script's prefix, read with redis-cli --tls --cacert. Without SSL_CERT_FILE the certificate
# is refused: the server runs, sessions read as empty, and its log says why.
# Without redis-server / redis-cli / openssl the tests are reported as skipped (counted as failures), with the reason.

BeforeDiscovery {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $missing = Get-KrRedisMissingReason -Tls
    if ($missing) {
        Write-Host "Tutorial.19.2-Sessions-Redis.Tests.ps1: skipped because $missing."
    }
}

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:example = Join-Path -Path (Get-KrRepoRoot) -ChildPath (Join-Path -Path 'examples' -ChildPath '19.2-Sessions-Redis-Kestrun.ps1')

    function Start-TestTutorial {
        # A TLS redis-server with a password of its own ($script:redis), and the tutorial's script against it through
        # UPSTASH_REDIS_URL; with -TrustCa the script's process trusts the test CA (SSL_CERT_FILE), else only the
        # system trust store (which does not know it).
        param(
            [Parameter()]
            [switch]$TrustCa
        )
        $token = "tok-$([guid]::NewGuid().ToString('N'))"
        $script:redis = Start-KrRedisServer -Tls -Password $token
        Start-KrTestScript -Path $script:example -Environment @{
            UPSTASH_REDIS_URL = "rediss://default:$token@127.0.0.1:$($script:redis.Port)"
            SSL_CERT_FILE     = if ($TrustCa.IsPresent) { $script:redis.CaFile } else { $null }
            SSL_CERT_DIR      = $null
        }
    }
}

Describe 'Kestrun 19.2 Sessions with Redis: a ConfigurationOptions from UPSTASH_REDIS_URL, TLS and a password' -Skip:([bool]$missing) {
    BeforeAll {
        $script:tutorial = Start-TestTutorial -TrustCa
        $script:base = $tutorial.BaseUrl
        $script:jar = Join-Path -Path $TestDrive -ChildPath 'jar.txt'
    }
    AfterAll {
        if ($script:tutorial) {
            $output = Stop-KrTestScript -Instance $script:tutorial
            Write-Host "---- 19.2-Sessions-Redis-Kestrun.ps1 output ----`n$($output.StdOut)`n$($output.StdErr)"
        }
        Stop-KrRedisServer -Server $script:redis -RemoveDirectory
    }

    . (Join-Path -Path $PSScriptRoot -ChildPath 'Tutorial.Steps.ps1')

    It 'keeps the session in the TLS Redis under the KestrunSession_ prefix (redis-cli --tls --cacert)' {
        $keys = @(Invoke-KrRedisCli -Server $redis -Arguments @('--scan', '--pattern', 'KestrunSession_*'))
        $keys.Count | Should -BeGreaterThan 0
        @(Invoke-KrRedisCli -Server $redis -Arguments @('--scan') | Where-Object { $_ -notlike 'KestrunSession_*' }) | Should -BeNullOrEmpty
        # The one session of the cookie jar: its JSON state holds what the transcript stored.
        $sessions = @(foreach ($key in $keys) {
                $json = (Invoke-KrRedisCli -Server $redis -Arguments @('GET', $key)) -join ''
                $state = try { $json | ConvertFrom-Json -AsHashtable -ErrorAction Stop } catch { $null }
                if ($state -is [System.Collections.IDictionary] -and $state.ContainsKey('user')) {
                    [pscustomobject]@{ Key = $key; State = $state }
                }
            })
        $sessions.Count | Should -Be 1
        $sessions[0].Key | Should -Match '^KestrunSession_.{8,}$'
        # Each value is the JSON text of the base64 of the bytes the route stored (a session holds bytes).
        $text = { param($value) [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String(($value | ConvertFrom-Json))) }
        & $text $sessions[0].State['user'] | Should -Be 'max'
        & $text $sessions[0].State['color'] | Should -Be 'purple'
        $sessions[0].State.Keys | Should -Contain 'counter'
        [int]((Invoke-KrRedisCli -Server $redis -Arguments @('TTL', $sessions[0].Key)) | Select-Object -First 1) | Should -BeIn (1..1200)
    }

    It 'logout clears the session and whoami is 401 again' {
        Invoke-KrTutorialStep -Step Logout -BaseUrl $base -Jar $jar
    }
}

Describe 'Kestrun 19.2 Sessions with Redis: without the CA in the trust store the certificate is refused' -Skip:([bool]$missing) {
    BeforeAll {
        # SSL_CERT_FILE / SSL_CERT_DIR unset: the system trust store, which does not know the test CA.
        $script:untrusted = Start-TestTutorial
        $script:jar = Join-Path -Path $TestDrive -ChildPath 'untrusted-jar.txt'
    }
    AfterAll {
        if ($script:untrusted) {
            $null = Stop-KrTestScript -Instance $script:untrusted
        }
        Stop-KrRedisServer -Server $script:redis -RemoveDirectory
    }

    It 'serves, answers a write 503 (it cannot be stored), no session reaches Redis, and the log names the certificate error' {
        $login = Invoke-KrCurl -Url "$($untrusted.BaseUrl)/session/login?user=max" -Jar $jar
        $login.Status | Should -Be 503
        $login.Json.message | Should -Match 'session store is unavailable'
        Invoke-KrCurl -Url "$($untrusted.BaseUrl)/hello" -Jar $jar | Assert-KrResponse -Status 200
        Invoke-KrCurl -Url "$($untrusted.BaseUrl)/session/whoami" -Jar $jar | Assert-KrResponse -Status 401
        @(Invoke-KrRedisCli -Server $redis -Arguments @('--scan')) | Should -BeNullOrEmpty
        $output = Stop-KrTestScript -Instance $untrusted
        $script:untrusted = $null
        "$($output.StdOut)$($output.StdErr)" | Should -Match 'invalid peer certificate: UnknownIssuer'
    }
}
