# What route script blocks get from the script that defines them (scripts/SharedState.ps1): the variables and
# functions defined before Enable-KrConfiguration / Start-KrServer, the modules it imported (by path and by name),
# the exclusions of Enable-KrConfiguration, in every runspace of the pool, set once per runspace.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:instance = Start-KrTestScript -Path (Join-Path -Path $PSScriptRoot -ChildPath 'scripts/SharedState.ps1')
    $script:base = $script:instance.BaseUrl
}

AfterAll {
    if ($script:instance) {
        $null = Stop-KrTestScript -Instance $script:instance
    }
}

Describe 'Variables and functions of the script in a route' {
    BeforeAll {
        $script:vars = Invoke-KrCurl -Url "$base/vars"
    }

    It 'the route answers 200' {
        $vars | Assert-KrResponse
    }

    It 'sees a scalar variable, and a typed one keeps its type' {
        $vars | Assert-KrResponse -Json ([ordered]@{ greeting = 'Hello'; answer = 42; answerType = 'Int32' })
    }

    It 'sees a hashtable with its nested values' {
        $vars | Assert-KrResponse -Json ([ordered]@{ settingsName = 'shared'; limitsMax = 10 })
        @($vars.Json.tags) | Should -Be @('a', 'b')
    }

    It 'can call a script block stored in a variable' {
        $vars.Json.formatted | Should -Be '[x]'
    }

    It 'can call a function of the script, which uses a variable of the script' {
        $vars.Json.message | Should -Be 'Hello, route!'
    }

    It 'sees a variable and a function defined after Enable-KrConfiguration (added by Start-KrServer)' {
        $vars.Json.late | Should -Be 'late'
        $vars.Json.lateFunction | Should -Be 'late function'
    }

    It 'does not see a variable left out with Enable-KrConfiguration -ExcludeVariables' {
        $vars.Json.secretVisible | Should -BeFalse
    }
}

Describe 'Modules imported by the script in a route' {
    BeforeAll {
        $script:modules = Invoke-KrCurl -Url "$base/modules"
    }

    It 'the route answers 200' {
        $modules | Assert-KrResponse
    }

    It 'can call a command of a module imported by path (.psm1 not on PSModulePath)' {
        $modules.Json.userValue | Should -Be 'from the user module'
        @($modules.Json.loaded) | Should -Contain 'KrTestUserModule'
    }

    It 'has a module imported by name already loaded, through its manifest (only its exported commands)' {
        @($modules.Json.loaded) | Should -Contain 'KrTestNamedModule'
        $modules.Json.namedValue | Should -Be 'from the named module'
        $modules.Json.namedHelper | Should -BeFalse
    }

    It 'has Kestrun.Rust loaded once, and not a module left out with -ExcludeModules' {
        @($modules.Json.loaded | Where-Object { $_ -eq 'Kestrun.Rust' }).Count | Should -Be 1
        @($modules.Json.loaded) | Should -Not -Contain 'KrTestExcludedModule'
        $modules.Json.excludedCommand | Should -BeFalse
    }
}

Describe 'Runspaces of the pool' {
    It 'every runspace (2 with -MaxRunspaces 2) has the variables, functions and modules' {
        $jobs = foreach ($i in 1..4) {
            Start-ThreadJob -ScriptBlock {
                param($url)
                (Invoke-WebRequest -Uri $url -SkipCertificateCheck -TimeoutSec 60).Content | ConvertFrom-Json
            } -ArgumentList "$base/slow"
        }
        $results = @($jobs | Wait-Job -Timeout 120 | Receive-Job)
        $jobs | Remove-Job -Force
        $results.Count | Should -Be 4
        @($results.runspace | Sort-Object -Unique).Count | Should -Be 2
        foreach ($result in $results) {
            $result.message | Should -Be 'Hello, pool!'
            $result.answer | Should -Be 42
            $result.limitsMax | Should -Be 10
            $result.userValue | Should -Be 'from the user module'
        }
    }

    It 'each runspace gets the values once when it is created: a change a route makes stays in its runspace' {
        $seen = @{}
        foreach ($i in 1..8) {
            $r = Invoke-KrCurl -Url "$base/hits"
            $r.Status | Should -Be 200
            if (-not $seen.ContainsKey($r.Json.runspace)) {
                $seen[$r.Json.runspace] = [System.Collections.Generic.List[int]]::new()
            }
            $seen[$r.Json.runspace].Add([int]$r.Json.hits)
        }
        # Set again for each request, every answer would be 1; shared by all runspaces, the counts would interleave.
        foreach ($counts in $seen.Values) {
            @($counts) | Should -Be @(1..$counts.Count)
        }
        ($seen.Values | Measure-Object -Property Count -Maximum).Maximum | Should -BeGreaterThan 1
    }
}
