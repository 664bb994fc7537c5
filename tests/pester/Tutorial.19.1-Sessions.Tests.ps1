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

    It 'the counter increments with the same cookie jar: 1 then 2' {
        $first = Invoke-KrCurl -Url "$base/session/counter" -Jar $jar
        $first.Status | Should -Be 200
        $first.Json.message | Should -Be 'Counter incremented'
        $first.Json.counter | Should -Be 1
        $second = Invoke-KrCurl -Url "$base/session/counter" -Jar $jar
        $second.Status | Should -Be 200
        $second.Json.counter | Should -Be 2
    }

    It 'whoami requires login: 401 before login' {
        $r = Invoke-KrCurl -Url "$base/session/whoami" -Jar $jar
        $r.Status | Should -Be 401
        $r.Json.error | Should -Be 'No active session or user not set'
        $r.Headers | Should -Match '(?im)^content-type:\s*application/json'
    }

    It 'login stores the user and whoami returns it' {
        $login = Invoke-KrCurl -Url "$base/session/login?user=max" -Jar $jar
        $login.Status | Should -Be 200
        $login.Json.message | Should -Be 'Logged in'
        $login.Json.user | Should -Be 'max'
        $who = Invoke-KrCurl -Url "$base/session/whoami" -Jar $jar
        $who.Status | Should -Be 200
        $who.Json.user | Should -Be 'max'
    }

    It 'set then get color=purple within the same session' {
        $set = Invoke-KrCurl -Url "$base/session/set?key=color&value=purple" -Jar $jar
        $set.Status | Should -Be 200
        $set.Json.message | Should -Be 'Stored in session'
        $set.Json.key | Should -Be 'color'
        $set.Json.value | Should -Be 'purple'
        $get = Invoke-KrCurl -Url "$base/session/get?key=color" -Jar $jar
        $get.Status | Should -Be 200
        $get.Json.key | Should -Be 'color'
        $get.Json.value | Should -Be 'purple'
    }

    It 'logout clears the session and whoami is 401 again' {
        $logout = Invoke-KrCurl -Url "$base/session/logout" -Jar $jar
        $logout.Status | Should -Be 200
        $logout.Json.message | Should -Be 'Session cleared'
        $who = Invoke-KrCurl -Url "$base/session/whoami" -Jar $jar
        $who.Status | Should -Be 401
        (Invoke-KrCurl -Url "$base/session/get?key=color" -Jar $jar).Status | Should -Be 404
        (Invoke-KrCurl -Url "$base/session/counter" -Jar $jar).Json.counter | Should -Be 1
    }

    It 'get of an unknown key is 404' {
        $r = Invoke-KrCurl -Url "$base/session/get?key=nothing-here" -Jar $jar
        $r.Status | Should -Be 404
        $r.Json.error | Should -Be "Key 'nothing-here' not found in session"
    }

    It 'missing query parameters are 400' {
        $login = Invoke-KrCurl -Url "$base/session/login" -Jar $jar
        $login.Status | Should -Be 400
        $login.Json.error | Should -Be "Missing 'user' query parameter"
        $login.Json.example | Should -Be '/session/login?user=max'
        $set = Invoke-KrCurl -Url "$base/session/set?key=color" -Jar $jar
        $set.Status | Should -Be 400
        $set.Json.example | Should -Be '/session/set?key=color&value=purple'
        $get = Invoke-KrCurl -Url "$base/session/get" -Jar $jar
        $get.Status | Should -Be 400
        $get.Json.error | Should -Be "Missing 'key' query parameter"
    }

    It '/hello answers text' {
        $r = Invoke-KrCurl -Url "$base/hello"
        $r.Status | Should -Be 200
        $r.Body | Should -Be 'Hello, Session World!'
        $r.Headers | Should -Match '(?im)^content-type:\s*text/plain'
    }

    It 'a new cookie jar starts a new session at 1' {
        $fresh = Join-Path -Path $TestDrive -ChildPath 'fresh-jar.txt'
        (Invoke-KrCurl -Url "$base/session/counter" -Jar $fresh).Json.counter | Should -Be 1
        (Invoke-KrCurl -Url "$base/session/counter" -Jar $fresh).Json.counter | Should -Be 2
        (Invoke-KrCurl -Url "$base/session/whoami" -Jar $fresh).Status | Should -Be 401
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
    It 'logs one line per request at Debug on the console' {
        $null = Invoke-KrCurl -Url "$base/hello"
        Start-Sleep -Milliseconds 300
        $log = Get-Content -LiteralPath $script:instance.StdOut -Raw
        $log | Should -Match '\[DBG\] GET /hello 200'
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
