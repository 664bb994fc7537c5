# The 19.1 Sessions tutorial: its script (shared/seeds/19.1-Sessions.ps1, run unchanged) and every step of its
# "Try it" section, with the real curl and a cookie jar, and with Invoke-WebRequest and a WebRequestSession.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $seed = Get-KrSeedScript -Name '19.1-Sessions.ps1'
    $script:instance = Start-KrTestScript -Path $seed
    $script:base = $script:instance.BaseUrl
}

AfterAll {
    if ($script:instance) {
        $output = Stop-KrTestScript -Instance $script:instance
        Write-Host "---- 19.1-Sessions.ps1 output ----`n$($output.StdOut)`n$($output.StdErr)"
    }
}

Describe '19.1 Sessions: curl with a cookie jar' {
    BeforeAll {
        $jar = Join-Path -Path $TestDrive -ChildPath 'jar.txt'
    }

    . (Join-Path -Path $PSScriptRoot -ChildPath 'Tutorial.Steps.ps1')

    It 'logout clears the session and whoami is 401 again' {
        Invoke-KrTutorialStep -Step Logout -BaseUrl $base -Jar $jar
        Invoke-KrCurl -Url "$base/session/counter" -Jar $jar | Assert-KrResponse -Json @{ counter = 1 }
    }

    It 'get of an unknown key is 404' {
        Invoke-KrCurl -Url "$base/session/get?key=nothing-here" -Jar $jar |
            Assert-KrResponse -Status 404 -Json @{ error = "Key 'nothing-here' not found in session" }
    }

    It 'missing query parameters are 400' {
        Invoke-KrCurl -Url "$base/session/login" -Jar $jar |
            Assert-KrResponse -Status 400 -Json ([ordered]@{ error = "Missing 'user' query parameter"; example = '/session/login?user=max' })
        Invoke-KrCurl -Url "$base/session/set?key=color" -Jar $jar | Assert-KrResponse -Status 400 -Json @{ example = '/session/set?key=color&value=purple' }
        Invoke-KrCurl -Url "$base/session/get" -Jar $jar | Assert-KrResponse -Status 400 -Json @{ error = "Missing 'key' query parameter" }
    }

    It '/hello answers text' {
        Invoke-KrCurl -Url "$base/hello" | Assert-KrResponse -Body 'Hello, Session World!' -ContentType 'text/plain'
    }

    It 'a new cookie jar starts a new session at 1' {
        $fresh = Join-Path -Path $TestDrive -ChildPath 'fresh-jar.txt'
        Invoke-KrCurl -Url "$base/session/counter" -Jar $fresh | Assert-KrResponse -Json @{ counter = 1 }
        Invoke-KrCurl -Url "$base/session/counter" -Jar $fresh | Assert-KrResponse -Json @{ counter = 2 }
        Invoke-KrCurl -Url "$base/session/whoami" -Jar $fresh | Assert-KrResponse -Status 401
    }

    It 'the session cookie is Kr.Session with HttpOnly, SameSite=Lax and Secure' {
        $r = Invoke-KrCurl -Url "$base/session/counter" -Jar (Join-Path -Path $TestDrive -ChildPath 'attr-jar.txt')
        $cookies = @(Get-KrSetCookie -Headers $r.Headers -Name 'Kr.Session')
        $cookies.Count | Should -Be 1
        $cookie = $cookies[0]
        $cookie | Should -Match '(?i);\s*HttpOnly(;|$)'
        $cookie | Should -Match '(?i);\s*SameSite=Lax(;|$)'
        $cookie | Should -Match '(?i);\s*Secure(;|$)'
        $cookie | Should -Match '(?i);\s*Path=/(;|$)'
    }

    It 'no session cookie is set by a route that does not write the session' {
        $r = Invoke-KrCurl -Url "$base/hello"
        @(Get-KrSetCookie -Headers $r.Headers -Name 'Kr.Session').Count | Should -Be 0
    }
}

Describe '19.1 Sessions: Invoke-WebRequest with a WebRequestSession' {
    BeforeAll {
        $sess = New-Object Microsoft.PowerShell.Commands.WebRequestSession
    }

    It 'the counter increments with the same WebRequestSession: 1 then 2' {
        ((Invoke-WebRequest -Uri "$base/session/counter" -WebSession $sess -SkipCertificateCheck).Content | ConvertFrom-Json).counter | Should -Be 1
        ((Invoke-WebRequest -Uri "$base/session/counter" -WebSession $sess -SkipCertificateCheck).Content | ConvertFrom-Json).counter | Should -Be 2
    }

    It 'the cookie container holds Kr.Session, HttpOnly and Secure' {
        $cookies = @($sess.Cookies.GetCookies([uri]$base) | Where-Object Name -EQ 'Kr.Session')
        $cookies.Count | Should -Be 1
        $cookies[0].HttpOnly | Should -BeTrue
        $cookies[0].Secure | Should -BeTrue
    }

    It 'whoami requires login (expected 401 before login)' {
        $caught = try {
            Invoke-WebRequest -Uri "$base/session/whoami" -WebSession $sess -SkipCertificateCheck -ErrorAction Stop | Out-Null
            'no error'
        } catch {
            [int]$_.Exception.Response.StatusCode
        }
        $caught | Should -Be 401
    }

    It 'login and read identity' {
        Invoke-WebRequest -Uri "$base/session/login?user=max" -WebSession $sess -SkipCertificateCheck | Out-Null
        $who = (Invoke-WebRequest -Uri "$base/session/whoami" -WebSession $sess -SkipCertificateCheck).Content | ConvertFrom-Json
        $who.user | Should -Be 'max'
    }

    It 'generic set/get within the same session' {
        Invoke-WebRequest -Uri "$base/session/set?key=color&value=purple" -WebSession $sess -SkipCertificateCheck | Out-Null
        $got = (Invoke-WebRequest -Uri "$base/session/get?key=color" -WebSession $sess -SkipCertificateCheck).Content | ConvertFrom-Json
        $got.key | Should -Be 'color'
        $got.value | Should -Be 'purple'
    }

    It 'logout clears the session (whoami is 401 afterwards)' {
        Invoke-WebRequest -Uri "$base/session/logout" -WebSession $sess -SkipCertificateCheck | Out-Null
        $response = Invoke-WebRequest -Uri "$base/session/whoami" -WebSession $sess -SkipCertificateCheck -SkipHttpErrorCheck
        $response.StatusCode | Should -Be 401
    }

    It 'a new WebRequestSession starts at 1; unknown key 404; missing query 400; /hello text' {
        $other = New-Object Microsoft.PowerShell.Commands.WebRequestSession
        ((Invoke-WebRequest -Uri "$base/session/counter" -WebSession $other -SkipCertificateCheck).Content | ConvertFrom-Json).counter | Should -Be 1
        (Invoke-WebRequest -Uri "$base/session/get?key=unknown" -WebSession $other -SkipCertificateCheck -SkipHttpErrorCheck).StatusCode | Should -Be 404
        (Invoke-WebRequest -Uri "$base/session/login" -WebSession $other -SkipCertificateCheck -SkipHttpErrorCheck).StatusCode | Should -Be 400
        $hello = Invoke-WebRequest -Uri "$base/hello" -SkipCertificateCheck
        $hello.Content | Should -Be 'Hello, Session World!'
    }
}

Describe '19.1 Sessions: the server' {
    It 'logs one line per request at Debug on the console, in Kestrun''s format [HH:mm:ss DBG]' {
        $null = Invoke-KrCurl -Url "$base/hello"
        Start-Sleep -Milliseconds 300
        $log = Get-Content -LiteralPath $script:instance.StdOut -Raw
        # Serilog's default console template: [{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}
        $log | Should -Match '(?m)^\[\d\d:\d\d:\d\d DBG\] GET /hello 200 \d+\.\d\dms\r?$'
        $log | Should -Match "(?m)^\[\d\d:\d\d:\d\d INF\] Server 'Sessions Demo Server' listening on https://\S+:$($script:instance.Port)\r?$"
        $log | Should -Not -Match '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[' -Because 'the former ISO-8601 UTC prefix is gone'
        # The time is the local time of the host (the module passes .NET's local offset to the engine).
        $last = [regex]::Matches($log, '(?m)^\[(\d\d:\d\d:\d\d) DBG\] GET /hello 200 ')[-1].Groups[1].Value
        $logged = [datetime]::ParseExact($last, 'HH:mm:ss', [cultureinfo]::InvariantCulture)
        $now = Get-Date
        if ($now.TimeOfDay.TotalMinutes -gt 5 -and $now.TimeOfDay.TotalMinutes -lt 1435) {
            [math]::Abs(($now.TimeOfDay - $logged.TimeOfDay).TotalSeconds) | Should -BeLessThan 120
        }
    }

    It 'answers unknown paths with 404 JSON' {
        $r = Invoke-KrCurl -Url "$base/no/such/path"
        $r.Status | Should -Be 404
        $r.Json.status | Should -Be 404
    }
}

Describe '19.1 Sessions: the sample the README runs' {
    It 'examples/19.1-Sessions.ps1 is the tutorial''s script, unchanged byte for byte' {
        $example = Join-Path -Path (Get-KrRepoRoot) -ChildPath 'examples/19.1-Sessions.ps1'
        $seed = Get-KrSeedScript -Name '19.1-Sessions.ps1'
        (Get-FileHash -LiteralPath $example -Algorithm SHA256).Hash | Should -Be (Get-FileHash -LiteralPath $seed -Algorithm SHA256).Hash
    }
}
