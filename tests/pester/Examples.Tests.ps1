# The scripts under examples/: a minimal server and the sessions counter over plain HTTP.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $examples = Join-Path -Path (Get-KrRepoRoot) -ChildPath 'examples'
    $script:hello = Start-KrTestScript -Path (Join-Path -Path $examples -ChildPath 'Hello-World.ps1') -Scheme http
    $script:sessions = Start-KrTestScript -Path (Join-Path -Path $examples -ChildPath 'Sessions-Http.ps1') -Scheme http
}

AfterAll {
    foreach ($instance in @($script:hello, $script:sessions)) {
        if ($instance) { $null = Stop-KrTestScript -Instance $instance }
    }
}

Describe 'examples/Hello-World.ps1' {
    It 'answers /hello with text' {
        Invoke-KrCurl -Url "$($hello.BaseUrl)/hello" | Assert-KrResponse -Body 'Hello, World!'
    }

    It 'reads a route parameter and a boolean query parameter, and uses a script variable' {
        Invoke-KrCurl -Url "$($hello.BaseUrl)/greet/Ada?excited=true" | Assert-KrResponse -Json ([ordered]@{ greeting = 'Hello, Ada!'; method = 'GET' })
        Invoke-KrCurl -Url "$($hello.BaseUrl)/greet/Ada" | Assert-KrResponse -Json @{ greeting = 'Hello, Ada' }
    }

    It 'answers 500 for a query value that is not a boolean, then keeps serving' {
        Invoke-KrCurl -Url "$($hello.BaseUrl)/greet/Ada?excited=maybe" | Assert-KrResponse -Status 500
        Invoke-KrCurl -Url "$($hello.BaseUrl)/hello" | Assert-KrResponse
    }
}

Describe 'examples/Sessions-Http.ps1' {
    It 'counts per session over plain HTTP with a cookie that is not Secure' {
        $jar = Join-Path -Path $TestDrive -ChildPath 'http-jar.txt'
        $first = Invoke-KrCurl -Url "$($sessions.BaseUrl)/session/counter" -Jar $jar | Assert-KrResponse -Json @{ counter = 1 } -PassThru
        $cookie = @(Get-KrSetCookie -Headers $first.Headers -Name 'Kr.Session')[0]
        $cookie | Should -Not -Match '(?i);\s*Secure(;|$)'
        $cookie | Should -Match '(?i);\s*HttpOnly(;|$)'
        Invoke-KrCurl -Url "$($sessions.BaseUrl)/session/counter" -Jar $jar | Assert-KrResponse -Json @{ counter = 2 }
        Invoke-KrCurl -Url "$($sessions.BaseUrl)/session/reset" -Jar $jar | Assert-KrResponse
        Invoke-KrCurl -Url "$($sessions.BaseUrl)/session/counter" -Jar $jar | Assert-KrResponse -Json @{ counter = 1 }
    }
}
