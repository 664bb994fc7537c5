# Route behaviour: errors (500 and the server keeps serving), shared variables and functions, -Arguments, request
# accessors, byte sessions, runspace reuse, logging from routes, and Stop-KrServer from a route ending Start-KrServer.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:instance = Start-KrTestScript -Path (Join-Path -Path $PSScriptRoot -ChildPath 'scripts/Routes.ps1')
    $script:base = $script:instance.BaseUrl
    $script:output = $null
}

AfterAll {
    if ($script:instance -and $null -eq $script:output) {
        $null = Stop-KrTestScript -Instance $script:instance
    }
}

Describe 'Route errors' {
    It 'a throwing route answers 500 JSON and the next request is 200' {
        $boom = Invoke-KrCurl -Url "$base/boom"
        $boom.Status | Should -Be 500
        $boom.Json.status | Should -Be 500
        $boom.Headers | Should -Match '(?im)^content-type:\s*application/json'
        $ok = Invoke-KrCurl -Url "$base/ok"
        $ok.Status | Should -Be 200
        $ok.Body | Should -Be 'ok'
    }

    It 'a route that writes an error answers 500' {
        (Invoke-KrCurl -Url "$base/write-error").Status | Should -Be 500
        (Invoke-KrCurl -Url "$base/ok").Status | Should -Be 200
    }

    It 'a missing required query parameter fails the route (500) with the parameter named in the log' {
        (Invoke-KrCurl -Url "$base/required").Status | Should -Be 500
        $r = Invoke-KrCurl -Url "$base/required?needed=yes"
        $r.Status | Should -Be 200
        $r.Body | Should -Be 'yes'
    }

    It 'a value that does not convert (-AsInt) fails the route instead of giving $null' {
        (Invoke-KrCurl -Url "$base/items/not-a-number").Status | Should -Be 500
    }

    It 'many failures in a row do not break the runspaces' {
        foreach ($i in 1..6) {
            (Invoke-KrCurl -Url "$base/boom").Status | Should -Be 500
        }
        foreach ($i in 1..4) {
            (Invoke-KrCurl -Url "$base/ok").Status | Should -Be 200
        }
    }
}

Describe 'Route script blocks' {
    It 'see the variables and functions of the script (captured by Enable-KrConfiguration and Start-KrServer)' {
        $r = Invoke-KrCurl -Url "$base/shared"
        $r.Status | Should -Be 200
        $r.Json.greeting | Should -Be 'Hello'
        $r.Json.answer | Should -Be 42
        $r.Json.message | Should -Be 'Hello, route!'
        $r.Json.late | Should -Be 'late'
    }

    It 'get -Arguments as parameters (declared in param) or as variables' {
        $r = Invoke-KrCurl -Url "$base/args"
        $r.Json.prefix | Should -Be 'pre'
        $r.Json.count | Should -Be 3
    }

    It 'read route parameters, query, headers and a JSON body' {
        $r = Invoke-WebRequest -Uri "$base/items/17?flag=yes" -Method Post -Body '{"name":"widget","tags":["a","b"]}' -ContentType 'application/json' -Headers @{ 'X-Test' = 'header value' } -SkipCertificateCheck
        $r.StatusCode | Should -Be 201
        $json = $r.Content | ConvertFrom-Json
        $json.id | Should -Be 17
        $json.method | Should -Be 'POST'
        $json.flag | Should -BeTrue
        $json.header | Should -Be 'header value'
        $json.missing | Should -BeNullOrEmpty
        $json.body.name | Should -Be 'widget'
        @($json.body.tags) | Should -Be @('a', 'b')
    }

    It 'store bytes in the session and get one byte[] back' {
        $r = Invoke-KrCurl -Url "$base/bytes" -Jar (Join-Path -Path $TestDrive -ChildPath 'bytes.txt')
        $r.Status | Should -Be 200
        $r.Json.type | Should -Be 'Byte[]'
        $r.Json.length | Should -Be 3
        $r.Json.removed | Should -BeTrue
        $r.Json.absent | Should -BeTrue
    }

    It 'run in at most -MaxRunspaces runspaces, each bound to one callback thread' {
        $pairs = @{}
        $jobs = foreach ($i in 1..12) {
            Start-ThreadJob -ScriptBlock {
                param($url)
                (Invoke-WebRequest -Uri $url -SkipCertificateCheck -TimeoutSec 60).Content | ConvertFrom-Json
            } -ArgumentList "$base/runspace"
        }
        $results = $jobs | Wait-Job -Timeout 120 | Receive-Job
        $jobs | Remove-Job -Force
        @($results).Count | Should -Be 12
        foreach ($result in $results) {
            if ($pairs.ContainsKey($result.runspace)) {
                $pairs[$result.runspace] | Should -Be $result.thread
            } else {
                $pairs[$result.runspace] = $result.thread
            }
        }
        $pairs.Count | Should -BeLessOrEqual 2
    }

    It 'write host output and Write-KrLog lines to the server log' {
        (Invoke-KrCurl -Url "$base/log").Body | Should -Be 'logged'
        Start-Sleep -Milliseconds 300
        $log = Get-Content -LiteralPath $script:instance.StdOut -Raw
        $log | Should -Match '\[\d\d:\d\d:\d\d INF\] host line from a route'
        $log | Should -Match '\[\d\d:\d\d:\d\d WRN\] warning from a route'
    }
}

Describe 'The streams and errors of a route' {
    It 'reach the log once each, for a route run directly and for one run through a pipeline (-Timeout)' {
        (Invoke-KrCurl -Url "$base/streams").Body | Should -Be 'streams'
        (Invoke-KrCurl -Url "$base/streams-timeout").Body | Should -Be 'streams'
        Start-Sleep -Milliseconds 300
        $log = Get-Content -LiteralPath $script:instance.StdOut -Raw
        foreach ($line in 'WRN\] warning stream \(direct\)', 'INF\] information stream \(direct\)',
            'WRN\] warning stream \(timeout\)', 'INF\] information stream \(timeout\)') {
            [regex]::Matches($log, $line).Count | Should -Be 1 -Because "'$line' is logged once"
        }
    }

    It 'an advanced script block ([CmdletBinding()]) that writes an error answers 500 and logs its warning once' {
        (Invoke-KrCurl -Url "$base/advanced").Status | Should -Be 500
        Start-Sleep -Milliseconds 300
        $log = Get-Content -LiteralPath $script:instance.StdOut -Raw
        [regex]::Matches($log, 'WRN\] warning stream \(advanced\)').Count | Should -Be 1
        $log | Should -Match 'error from an advanced route'
    }

    It 'errors silenced with -ErrorAction SilentlyContinue / Ignore or caught by try/catch do not fail the route' {
        $r = Invoke-KrCurl -Url "$base/silenced"
        $r.Status | Should -Be 200
        $r.Body | Should -Be 'silenced'
        Start-Sleep -Milliseconds 300
        Get-Content -LiteralPath $script:instance.StdOut -Raw | Should -Not -Match 'silenced trouble in a route'
    }

    It 'a route that prompts (Read-Host) answers 500: routes run without a console' {
        (Invoke-KrCurl -Url "$base/prompt").Status | Should -Be 500
        Start-Sleep -Milliseconds 300
        Get-Content -LiteralPath $script:instance.StdOut -Raw | Should -Match 'A route cannot ask for input'
        (Invoke-KrCurl -Url "$base/ok").Status | Should -Be 200
    }

    It 'exit ends the route with what it wrote, and the server keeps serving' {
        $r = Invoke-KrCurl -Url "$base/exit"
        $r.Status | Should -Be 200
        $r.Body | Should -Be 'before exit'
        (Invoke-KrCurl -Url "$base/ok").Status | Should -Be 200
    }
}

Describe 'Stop-KrServer from a route' {
    It 'ends the blocking Start-KrServer: the script stops cleanly and exits 0' {
        $r = Invoke-KrCurl -Url "$base/stop"
        $r.Status | Should -Be 200
        $r.Body | Should -Be 'stopping'
        Wait-KrTestScriptExit -Instance $script:instance -TimeoutSeconds 30 | Should -BeTrue
        $script:output = Stop-KrTestScript -Instance $script:instance
        $script:output.ExitCode | Should -Be 0
        $script:output.StdOut | Should -Match "Kestrun.Rust server 'Routes Test Server' stopped"
    }

    It 'logged the route errors with their messages' {
        $script:output.StdOut | Should -Match '\[\d\d:\d\d:\d\d ERR\].*kaboom from a route'
        $script:output.StdOut | Should -Match 'non-terminating trouble in a route'
        $script:output.StdOut | Should -Match "Missing required query parameter 'needed'"
        $script:output.StdOut | Should -Match "query parameter 'flag'|route parameter 'id' is 'not-a-number'"
    }
}
