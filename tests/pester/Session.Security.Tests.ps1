# Sessions against a hostile client (issue 12), as a user sees them, on tests/pester/scripts/SessionSecurity.ps1:
# session fixation (a cookie planted before a login that calls Reset-KrSessionId sees nothing afterwards), logout
# replay (a cookie captured before Clear-KrSession reaches nothing of the user's next session), the cookie sent once per
# session with Cache-Control: no-cache,no-store, Pragma: no-cache and Expires: -1, active users keeping their sessions
# through a flood of cookie-less requests against Add-KrSession -MaxSessions, and the help of the two commands.
# Cookies are sent by hand (a Cookie header), as an attacker replaying a captured or planted cookie would.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:serverScript = Join-Path -Path $PSScriptRoot -ChildPath (Join-Path -Path 'scripts' -ChildPath 'SessionSecurity.ps1')

    function Invoke-TestSession {
        # curl GET <base><Path>, with the Cookie header 'Kr.Session=…' when -Cookie is given (no cookie jar).
        param(
            [Parameter(Mandatory = $true)]
            [string]$Path,

            [Parameter()]
            [string]$Cookie
        )
        $curlArgs = if ($Cookie) { @('-H', "Cookie: $Cookie") } else { @() }
        Invoke-KrCurl -Url "$($script:instance.BaseUrl)$Path" -CurlArgument $curlArgs
    }

    function Get-TestIssuedCookie {
        # The one session cookie a response sets, as name=value (asserts there is exactly one).
        param(
            [Parameter(Mandatory = $true)]
            [object]$Response
        )
        $issued = @(Get-KrSetCookie -Headers $Response.Headers -Name 'Kr.Session')
        $issued.Count | Should -Be 1 -Because "the response sets the session cookie once:`n$($Response.Headers)"
        Get-KrCookiePair -SetCookie $issued[0]
    }

    function Assert-TestNotCacheable {
        # The three headers of a response that carries the session cookie, exactly as sent.
        param(
            [Parameter(Mandatory = $true)]
            [object]$Response
        )
        $expected = [ordered]@{ 'Cache-Control' = 'no-cache,no-store'; 'Pragma' = 'no-cache'; 'Expires' = '-1' }
        foreach ($name in $expected.Keys) {
            $values = @(Get-KrHeaderValue -Headers $Response.Headers -Name $name)
            $values.Count | Should -Be 1 -Because "one $name header:`n$($Response.Headers)"
            $values[0] | Should -BeExactly $expected[$name]
        }
    }

    function Assert-TestNoSessionHeader {
        # A response that neither sets the session cookie nor carries the no-cache headers.
        param(
            [Parameter(Mandatory = $true)]
            [object]$Response
        )
        @(Get-KrHeaderValue -Headers $Response.Headers -Name 'Set-Cookie') | Should -BeNullOrEmpty -Because $Response.Headers
        @(Get-KrHeaderValue -Headers $Response.Headers -Name 'Cache-Control') | Should -BeNullOrEmpty -Because $Response.Headers
        @(Get-KrHeaderValue -Headers $Response.Headers -Name 'Pragma') | Should -BeNullOrEmpty -Because $Response.Headers
        @(Get-KrHeaderValue -Headers $Response.Headers -Name 'Expires') | Should -BeNullOrEmpty -Because $Response.Headers
    }
}

Describe 'Sessions: login, logout and the session cookie' {
    BeforeAll {
        $script:instance = Start-KrTestScript -Path $serverScript
    }
    AfterAll {
        if ($script:instance) {
            $null = Stop-KrTestScript -Instance $script:instance -ShowOutput
        }
    }

    It 'a cookie planted before a login that calls Reset-KrSessionId sees nothing afterwards, and the user keeps their data' {
        # The attacker gets a session of their own and plants its cookie in the victim's browser.
        $first = Invoke-TestSession -Path '/session/counter'
        $first | Assert-KrResponse -Json @{ counter = 1 }
        $planted = Get-TestIssuedCookie -Response $first
        Invoke-TestSession -Path '/session/counter' -Cookie $planted | Assert-KrResponse -Json @{ counter = 2 }

        # The victim logs in with the planted cookie: a new cookie, not cacheable.
        $login = Invoke-TestSession -Path '/session/login?user=alice' -Cookie $planted
        $login | Assert-KrResponse -Json @{ message = 'Logged in'; user = 'alice' }
        $victim = Get-TestIssuedCookie -Response $login
        $victim | Should -Not -Be $planted
        Assert-TestNotCacheable -Response $login

        # The victim keeps the data under the new cookie …
        Invoke-TestSession -Path '/session/whoami' -Cookie $victim | Assert-KrResponse -Json @{ user = 'alice' }
        Invoke-TestSession -Path '/session/counter' -Cookie $victim | Assert-KrResponse -Json @{ counter = 3 }
        # … and the planted cookie reaches nothing: not the identity, not the counter.
        Invoke-TestSession -Path '/session/whoami' -Cookie $planted | Assert-KrResponse -Status 401 -Json @{ error = 'No active session or user not set' }
        Invoke-TestSession -Path '/session/peek' -Cookie $planted | Assert-KrResponse -Json @{ counter = $null; user = $null }
        $fresh = Invoke-TestSession -Path '/session/counter' -Cookie $planted
        $fresh | Assert-KrResponse -Json @{ counter = 1 }
        Get-TestIssuedCookie -Response $fresh | Should -Not -BeIn @($planted, $victim) -Because 'a write with a dead id starts another session'
        # What the attacker did changed nothing of the victim's session.
        Invoke-TestSession -Path '/session/peek' -Cookie $victim | Assert-KrResponse -Json @{ counter = 3; user = 'alice' }
    }

    It 'without Reset-KrSessionId the planted cookie would see the login (what the command protects against)' {
        $planted = Get-TestIssuedCookie -Response (Invoke-TestSession -Path '/session/counter')
        $login = Invoke-TestSession -Path '/session/login-plain?user=alice' -Cookie $planted
        $login | Assert-KrResponse -Json @{ user = 'alice' }
        Assert-TestNoSessionHeader -Response $login
        Invoke-TestSession -Path '/session/whoami' -Cookie $planted | Assert-KrResponse -Json @{ user = 'alice' }
    }

    It "a cookie captured before logout reaches nothing of the user's next session" {
        $login = Invoke-TestSession -Path '/session/login?user=alice'
        $login | Assert-KrResponse -Json @{ user = 'alice' }
        $captured = Get-TestIssuedCookie -Response $login
        Invoke-TestSession -Path '/session/counter' -Cookie $captured | Assert-KrResponse -Json @{ counter = 1 }
        Invoke-TestSession -Path '/session/whoami' -Cookie $captured | Assert-KrResponse -Json @{ user = 'alice' }

        # Logout: the removal cookie, not cacheable.
        $logout = Invoke-TestSession -Path '/session/logout' -Cookie $captured
        $logout | Assert-KrResponse -Json @{ message = 'Session cleared' }
        $removal = @(Get-KrSetCookie -Headers $logout.Headers -Name 'Kr.Session')
        $removal.Count | Should -Be 1 -Because $logout.Headers
        $removal[0] | Should -Match '^Kr\.Session=;'
        $removal[0] | Should -Match '(?i);\s*Max-Age=0(;|$)'
        Assert-TestNotCacheable -Response $logout

        # The captured cookie reaches nothing.
        Invoke-TestSession -Path '/session/whoami' -Cookie $captured | Assert-KrResponse -Status 401
        Invoke-TestSession -Path '/session/peek' -Cookie $captured | Assert-KrResponse -Json @{ counter = $null; user = $null }

        # The user logs in again (the browser dropped the removed cookie): a new session of their own.
        $again = Invoke-TestSession -Path '/session/login?user=alice'
        $next = Get-TestIssuedCookie -Response $again
        $next | Should -Not -Be $captured
        Invoke-TestSession -Path '/session/counter' -Cookie $next | Assert-KrResponse -Json @{ counter = 1 }
        Invoke-TestSession -Path '/session/whoami' -Cookie $captured | Assert-KrResponse -Status 401
        Invoke-TestSession -Path '/session/peek' -Cookie $captured | Assert-KrResponse -Json @{ counter = $null; user = $null }

        # The attacker logs in as mallory with the captured cookie (a login without a new id): another session.
        $mallory = Invoke-TestSession -Path '/session/login-plain?user=mallory' -Cookie $captured
        $mallory | Assert-KrResponse -Json @{ user = 'mallory' }
        $malloryCookie = Get-TestIssuedCookie -Response $mallory
        $malloryCookie | Should -Not -BeIn @($captured, $next)
        Invoke-TestSession -Path '/session/whoami' -Cookie $malloryCookie | Assert-KrResponse -Json @{ user = 'mallory' }
        Invoke-TestSession -Path '/session/peek' -Cookie $next | Assert-KrResponse -Json @{ counter = 1; user = 'alice' }
        Invoke-TestSession -Path '/session/whoami' -Cookie $captured | Assert-KrResponse -Status 401
    }

    It 'sends Set-Cookie once per session, at its first write, with the three no-cache headers; later writes and reads send neither' {
        # A read before any write: nothing.
        $read = Invoke-TestSession -Path '/session/peek'
        $read | Assert-KrResponse -Json @{ counter = $null }
        Assert-TestNoSessionHeader -Response $read

        # The first write establishes the session.
        $first = Invoke-TestSession -Path '/session/counter'
        $first | Assert-KrResponse -Json @{ counter = 1 }
        $cookie = Get-TestIssuedCookie -Response $first
        Assert-TestNotCacheable -Response $first

        # Later writes (an Int32, a string) and reads: neither the cookie nor the headers.
        foreach ($expected in 2..5) {
            $write = Invoke-TestSession -Path '/session/counter' -Cookie $cookie
            $write | Assert-KrResponse -Json @{ counter = $expected }
            Assert-TestNoSessionHeader -Response $write
        }
        $write = Invoke-TestSession -Path '/session/login-plain?user=max' -Cookie $cookie
        $write | Assert-KrResponse -Json @{ user = 'max' }
        Assert-TestNoSessionHeader -Response $write
        foreach ($path in @('/session/peek', '/session/whoami')) {
            $read = Invoke-TestSession -Path $path -Cookie $cookie
            $read | Assert-KrResponse -Json @{ user = 'max' }
            Assert-TestNoSessionHeader -Response $read
        }
        Invoke-TestSession -Path '/session/peek' -Cookie $cookie | Assert-KrResponse -Json @{ counter = 5 }
    }
}

Describe 'Sessions: active users keep their sessions through a flood of new sessions (-MaxSessions 2000)' {
    BeforeAll {
        $script:instance = Start-KrTestScript -Path $serverScript -Arguments @('-MaxSessions', '2000')
        $script:client = New-KrHttpClient -MaxConnections 32
    }
    AfterAll {
        if ($script:client) {
            $script:client.Dispose()
        }
        if ($script:instance) {
            $null = Stop-KrTestScript -Instance $script:instance -ShowOutput
        }
    }

    It '50 users continue their counters exactly through 12,000 cookie-less requests; the refused ones are 503 JSON; a few log lines' {
        $counterUrl = "$($instance.BaseUrl)/session/counter"
        $userCount = 50
        # The users start their sessions and use them a little (counters 1 to 3).
        $started = @(Invoke-KrHttpBatch -Client $client -Url (@($counterUrl) * $userCount))
        $cookies = foreach ($response in $started) {
            $response.Status | Should -Be 200 -Because $response.Body
            $response.SetCookie.Count | Should -Be 1
            Get-KrCookiePair -SetCookie $response.SetCookie[0]
        }
        @($cookies | Select-Object -Unique).Count | Should -Be $userCount
        $expected = 1

        function Assert-TestUserCounter {
            # Every user's answer is 200 with the counter continued exactly.
            param([object[]]$Responses, [int]$Expected)
            foreach ($response in $Responses) {
                $response.Status | Should -Be 200 -Because "an active user keeps their session: $($response.Body)"
                ($response.Body | ConvertFrom-Json).counter | Should -Be $Expected -Because 'an active user keeps their session'
                $response.SetCookie.Count | Should -Be 0
            }
        }
        foreach ($round in 1..2) {
            $expected++
            Assert-TestUserCounter -Responses @(Invoke-KrHttpBatch -Client $client -Url (@($counterUrl) * $userCount) -Cookie $cookies) -Expected $expected
        }

        # The flood: 12 batches of 1,000 cookie-less requests, each with a request of every user in its middle.
        $half = @($counterUrl) * 500
        $noCookie = @('') * 500
        $batchUrls = $half + (@($counterUrl) * $userCount) + $half
        $batchCookies = $noCookie + $cookies + $noCookie
        $admitted = 0
        $refused = [System.Collections.Generic.List[object]]::new()
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        foreach ($batch in 1..12) {
            $responses = @(Invoke-KrHttpBatch -Client $client -Url $batchUrls -Cookie $batchCookies)
            $expected++
            Assert-TestUserCounter -Responses $responses[500..(500 + $userCount - 1)] -Expected $expected
            foreach ($response in ($responses[0..499] + $responses[(500 + $userCount)..($responses.Count - 1)])) {
                switch ($response.Status) {
                    200 { $admitted++ }
                    503 { $refused.Add($response) }
                    default { throw "A flood request was answered $($response.Status): $($response.Body)" }
                }
            }
        }
        $floodSeconds = $watch.Elapsed.TotalSeconds
        Write-Host "12,000 cookie-less requests in $([Math]::Round($floodSeconds, 1)) s: $admitted admitted, $($refused.Count) refused"

        $admitted + $refused.Count | Should -Be 12000
        $refused.Count | Should -BeGreaterOrEqual (12000 - 2000) -Because 'new sessions beyond the bound are refused'
        foreach ($response in $refused) {
            $response.ContentType | Should -Be 'application/json'
            $response.SetCookie.Count | Should -Be 0
        }
        foreach ($body in @($refused | Select-Object -ExpandProperty Body -Unique)) {
            $json = $body | ConvertFrom-Json
            $json.status | Should -Be 503
            $json.message | Should -Match 'session store is full'
        }

        # After the flood every user continues again.
        $expected++
        Assert-TestUserCounter -Responses @(Invoke-KrHttpBatch -Client $client -Url (@($counterUrl) * $userCount) -Cookie $cookies) -Expected $expected

        # The server's log: a full store is logged once per 10 s with a count, not once per refused request.
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        do {
            $log = @([System.IO.File]::ReadAllLines($instance.StdOut))
            $full = @($log | Where-Object { $_ -match 'session store full' })
            if ($full.Count -gt 0 -or [DateTime]::UtcNow -gt $deadline) {
                break
            }
            Start-Sleep -Milliseconds 200
        } while ($true)
        $full.Count | Should -BeGreaterOrEqual 1 -Because 'a full store is logged'
        $full.Count | Should -BeLessOrEqual ([Math]::Floor($floodSeconds / 10) + 1) -Because "one line per 10 s of a $([Math]::Round($floodSeconds, 1))-s flood: $($full -join "`n")"
        $full[0] | Should -Match 'refused'
        @($log | Where-Object { $_ -match 'session store' }).Count | Should -BeLessOrEqual 10 -Because "$($refused.Count) refusals are not logged one by one:`n$($log -join "`n")"
    }
}

Describe 'Help: Reset-KrSessionId at login, Clear-KrSession at logout' {
    BeforeAll {
        Import-Module (Get-KrStagedManifest) -Force -ErrorAction Stop
    }

    It 'Get-Help Reset-KrSessionId -Examples shows the login example' {
        $examples = @((Get-Help -Name 'Reset-KrSessionId' -Examples).examples.example)
        $login = @($examples | Where-Object { "$($_.code)" -match '/session/login' })
        $login.Count | Should -Be 1
        $code = "$($login[0].code)"
        $code | Should -Match 'Set-KrSessionString -Key ''user'''
        $code | Should -Match 'Reset-KrSessionId'
        $code.IndexOf('Set-KrSessionString') | Should -BeLessThan $code.IndexOf('Reset-KrSessionId')
        ($login[0].remarks | Out-String) | Should -Match 'new id'
    }

    It "Clear-KrSession's help says it ends the session" {
        $help = Get-Help -Name 'Clear-KrSession' -Full
        $help.Synopsis | Should -Match 'Ends the current request''s session'
        $description = $help.Description | Out-String
        $description | Should -Match 'its id stops working'
        $description | Should -Match 'Reset-KrSessionId'
        (Get-Help -Name 'Clear-KrSession' -Examples | Out-String) | Should -Match '/session/logout'
    }
}
