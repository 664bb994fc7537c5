# The scripts under examples/: a minimal server and the sessions counter over plain HTTP.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $examples = Join-Path -Path (Get-KrRepoRoot) -ChildPath 'examples'
}

Describe 'examples/Hello-World.ps1' {
    BeforeAll {
        $script:hello = Start-KrTestScript -Path (Join-Path -Path $examples -ChildPath 'Hello-World.ps1') -Scheme http
    }
    AfterAll {
        if ($script:hello) { $null = Stop-KrTestScript -Instance $script:hello }
    }

    It 'answers /hello with text' {
        $r = Invoke-KrCurl -Url "$($script:hello.BaseUrl)/hello"
        $r.Status | Should -Be 200
        $r.Body | Should -Be 'Hello, World!'
    }

    It 'reads a route parameter and a boolean query parameter, and uses a script variable' {
        $r = Invoke-KrCurl -Url "$($script:hello.BaseUrl)/greet/Ada?excited=true"
        $r.Status | Should -Be 200
        $r.Json.greeting | Should -Be 'Hello, Ada!'
        $r.Json.method | Should -Be 'GET'
        (Invoke-KrCurl -Url "$($script:hello.BaseUrl)/greet/Ada").Json.greeting | Should -Be 'Hello, Ada'
    }

    It 'answers 500 for a query value that is not a boolean, then keeps serving' {
        (Invoke-KrCurl -Url "$($script:hello.BaseUrl)/greet/Ada?excited=maybe").Status | Should -Be 500
        (Invoke-KrCurl -Url "$($script:hello.BaseUrl)/hello").Status | Should -Be 200
    }
}

Describe 'examples/Sessions-Http.ps1' {
    BeforeAll {
        $script:sessions = Start-KrTestScript -Path (Join-Path -Path $examples -ChildPath 'Sessions-Http.ps1') -Scheme http
    }
    AfterAll {
        if ($script:sessions) { $null = Stop-KrTestScript -Instance $script:sessions }
    }

    It 'counts per session over plain HTTP with a cookie that is not Secure' {
        $jar = Join-Path -Path $TestDrive -ChildPath 'http-jar.txt'
        $first = Invoke-KrCurl -Url "$($script:sessions.BaseUrl)/session/counter" -Jar $jar
        $first.Json.counter | Should -Be 1
        $cookie = @(Get-KrSetCookie -Headers $first.Headers -Name 'Kr.Session')[0]
        $cookie | Should -Not -Match '(?i);\s*Secure(;|$)'
        $cookie | Should -Match '(?i);\s*HttpOnly(;|$)'
        (Invoke-KrCurl -Url "$($script:sessions.BaseUrl)/session/counter" -Jar $jar).Json.counter | Should -Be 2
        (Invoke-KrCurl -Url "$($script:sessions.BaseUrl)/session/reset" -Jar $jar).Status | Should -Be 200
        (Invoke-KrCurl -Url "$($script:sessions.BaseUrl)/session/counter" -Jar $jar).Json.counter | Should -Be 1
    }
}
