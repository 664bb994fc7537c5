# Start-KrServer -NoWait / Stop-KrServer: twice in one pwsh process, restart of a stopped server, removal; and the
# same in this (Pester's) process, with a route that uses a variable of the test.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    Import-Module (Get-KrStagedManifest) -Force -ErrorAction Stop
}

Describe 'Start-KrServer -NoWait and Stop-KrServer in a separate pwsh' {
    It 'serves and stops twice in one process, restarts a stopped server and removes it' {
        $script = (Join-Path -Path $PSScriptRoot -ChildPath 'scripts/NoWait-Twice.ps1').Replace("'", "''")
        $r = Invoke-KrChildPwsh -Command "& '$script'"
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $json = ($r.StdOut -split "`r?`n" | Where-Object { $_.StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json
        @($json.rounds).Count | Should -Be 2
        foreach ($round in $json.rounds) {
            $round.body | Should -Be "hello round $($round.round)"
            $round.stateAfterStop | Should -Be 'Stopped'
            $round.refusedAfterStop | Should -BeTrue
        }
        $json.restarted | Should -Be 'hello round 2'
        $json.removed | Should -BeTrue
    }
}

Describe 'Start-KrServer -NoWait and Stop-KrServer in this process' {
    AfterAll {
        $server = Get-KrServer -All | Where-Object Name -EQ 'pester-lifecycle'
        if ($server) { Remove-KrServer -Server $server -Force }
    }

    It 'runs a route in a runspace of its own, with the variables captured at Enable-KrConfiguration (round <Round>)' -ForEach @(
        @{ Round = 1 }
        @{ Round = 2 }
    ) {
        New-KrServer -Name 'pester-lifecycle'
        Add-KrEndpoint -Port 0 -IPAddress ([System.Net.IPAddress]::Loopback)
        Set-KrServerOptions -MaxRunspaces 2
        $message = "in-process round $Round"
        Enable-KrConfiguration
        Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
            Write-KrJsonResponse -InputObject @{
                message  = $message
                runspace = [runspace]::DefaultRunspace.InstanceId.ToString()
                context  = ($null -ne $Context -and $Context.Valid)
            }
        }
        Start-KrServer -NoWait -Quiet
        $server = Get-KrServer
        $server.IsRunning | Should -BeTrue
        $url = $server.Endpoints[0].Url
        $url | Should -Match '^http://127\.0\.0\.1:\d+$'
        $json = (Invoke-WebRequest -Uri "$url/hello" -TimeoutSec 60).Content | ConvertFrom-Json
        $json.message | Should -Be "in-process round $Round"
        $json.runspace | Should -Not -Be ([runspace]::DefaultRunspace.InstanceId.ToString())
        $json.context | Should -BeTrue

        Stop-KrServer
        $server.State | Should -Be 'Stopped'
        { Invoke-WebRequest -Uri "$url/hello" -TimeoutSec 5 } | Should -Throw
        Stop-KrServer  # stopping a stopped server is fine
    }

    It 'Start-KrServer -NoWait -PassThru returns the server, and Get-KrServer -Name finds it' {
        New-KrServer -Name 'pester-lifecycle'
        Add-KrEndpoint -Port 0
        Add-KrMapRoute -Path '/' -ScriptBlock { Write-KrTextResponse -InputObject 'root' }
        $server = Start-KrServer -NoWait -Quiet -PassThru
        $server.Name | Should -Be 'pester-lifecycle'
        (Get-KrServer -Name 'pester-lifecycle').State | Should -Be 'Running'
        (Invoke-WebRequest -Uri "$($server.Endpoints[0].Url)/" -TimeoutSec 60).Content | Should -Be 'root'
        { Start-KrServer -NoWait -Quiet } | Should -Throw '*already running*'
        { Add-KrMapRoute -Path '/late' -ScriptBlock { $null } } | Should -Throw
        { Remove-KrServer -Name 'pester-lifecycle' } | Should -Throw '*is running*'
        Remove-KrServer -Name 'pester-lifecycle' -Force
        $server.State | Should -Be 'Freed'
        Get-KrServer -Name 'pester-lifecycle' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
