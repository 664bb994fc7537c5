# Child pwsh processes of the suite: `pwsh` may be a launcher running the real PowerShell as a child (the dotnet tool
# does), so TestHelper.psm1 starts every child pwsh in a process group of its own (setsid) and stops the whole group
# (Stop-KrProcessGroup). These tests check that stopping leaves no process of a group alive, and that no group the
# suite started is left: the groups started earlier in this run (the files sorted before this one) and every group of
# a finished earlier run (so the files sorted after this one are checked by the next run). Every start is recorded in
# <test logs>/pester-process-groups.tsv (Get-KrProcessGroupLogPath); groups of another run still going are not checked.

BeforeDiscovery {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $noGroups = -not (Test-KrProcessGroupSupport)
}

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:hello = Join-Path -Path (Get-KrRepoRoot) -ChildPath (Join-Path -Path 'examples' -ChildPath 'Hello-World.ps1')

    function Get-GroupProcess {
        # Every live process of a group, whatever its environment (not only those carrying the token).
        param([int]$ProcessGroupId)
        @(Get-KrProcessGroupMember -ProcessGroupId $ProcessGroupId)
    }

    function Format-ProcessList {
        param([object[]]$Processes)
        ($Processes | ForEach-Object { "PID $($_.Id) (group $($_.ProcessGroupId)): $($_.CommandLine)" }) -join "`n"
    }
}

Describe 'Stopping a child pwsh ends its whole process group' -Skip:$noGroups {
    It 'Stop-KrTestScript leaves no process of the group of a running server' {
        $instance = Start-KrTestScript -Path $script:hello -Scheme http
        try {
            # The started pwsh leads a group (and session) of its own, not the runner's.
            $instance.ProcessGroupId | Should -Be $instance.Process.Id
            (Get-KrProcessStat -Id $PID).ProcessGroupId | Should -Not -Be $instance.ProcessGroupId
            $members = Get-GroupProcess -ProcessGroupId $instance.ProcessGroupId
            $members.Id | Should -Contain $instance.Process.Id
            # Every process of the group carries the token of this start (how the leftover check recognises it).
            @(Get-KrProcessGroupMember -ProcessGroupId $instance.ProcessGroupId -Token $instance.Token).Count | Should -Be $members.Count
            (Get-KrProcessGroupRecord | Where-Object Token -EQ $instance.Token).ProcessGroupId | Should -Be $instance.ProcessGroupId
        } finally {
            $output = Stop-KrTestScript -Instance $instance
        }
        $left = Get-GroupProcess -ProcessGroupId $instance.ProcessGroupId
        $left | Should -BeNullOrEmpty -Because (Format-ProcessList $left)
        $output.ExitCode | Should -Not -BeNullOrEmpty
    }

    It 'ends the rest of the group when only the started process (the launcher) was killed' {
        $instance = Start-KrTestScript -Path $script:hello -Scheme http
        try {
            $before = Get-GroupProcess -ProcessGroupId $instance.ProcessGroupId
            # What the helpers used to do: kill the PID that was started.
            $instance.Process.Kill()
            $instance.Process.WaitForExit(15000) | Should -BeTrue
            $survivors = @(Get-GroupProcess -ProcessGroupId $instance.ProcessGroupId)
            if ($before.Count -gt 1) {
                # A launcher: its child, the real PowerShell running the server, outlives it.
                $survivors.Count | Should -BeGreaterThan 0 -Because 'the real PowerShell is a child of the launcher'
                (Invoke-KrCurl -Url "$($instance.BaseUrl)/hello").Status | Should -Be 200
            }
        } finally {
            $null = Stop-KrTestScript -Instance $instance
        }
        $left = Get-GroupProcess -ProcessGroupId $instance.ProcessGroupId
        $left | Should -BeNullOrEmpty -Because (Format-ProcessList $left)
    }

    It 'Invoke-KrChildPwsh returns output and exit code, and a timeout ends the whole group' {
        $r = Invoke-KrChildPwsh -Command "Write-Output 'to stdout'; [Console]::Error.WriteLine('to stderr'); exit 7"
        $r.ExitCode | Should -Be 7
        $r.StdOut.Trim() | Should -Be 'to stdout'
        $r.StdErr.Trim() | Should -Be 'to stderr'

        $marker = [guid]::NewGuid().ToString('N')
        { Invoke-KrChildPwsh -Command "Start-Sleep -Seconds 300 # $marker" -TimeoutSeconds 5 } | Should -Throw '*did not finish within 5 s*'
        $record = @(Get-KrProcessGroupRecord | Where-Object { $_.RunnerState -eq 'Current' -and $_.Description -eq 'Invoke-KrChildPwsh' })[-1]
        $left = Get-GroupProcess -ProcessGroupId $record.ProcessGroupId
        $left | Should -BeNullOrEmpty -Because (Format-ProcessList $left)
    }

    It 'a script that exits by itself reports its exit code, and leaves nothing behind' {
        $script = Join-Path -Path $TestDrive -ChildPath 'Exit-Early.ps1'
        Set-Content -LiteralPath $script -Value "param([int]`$Port)`nWrite-Output 'leaving early'`nexit 3"
        $err = { Start-KrTestScript -Path $script -Scheme http -TimeoutSeconds 30 } | Should -Throw -PassThru
        $err.Exception.Message | Should -BeLike '*exited (code 3) before answering*leaving early*'
        $record = @(Get-KrProcessGroupRecord | Where-Object { $_.RunnerState -eq 'Current' -and $_.Description -eq $script })[-1]
        $left = Get-GroupProcess -ProcessGroupId $record.ProcessGroupId
        $left | Should -BeNullOrEmpty -Because (Format-ProcessList $left)
    }
}

Describe 'No child pwsh of the suite is left' -Skip:$noGroups {
    It 'no group started earlier in this run or by a finished run has a live process' {
        $left = @(Get-KrLeftoverTestProcess)
        $because = ($left | ForEach-Object { "PID $($_.Id) (group $($_.ProcessGroupId)) started by the $($_.StartedBy): $($_.CommandLine)" }) -join "`n"
        $left | Should -BeNullOrEmpty -Because "these processes were left running:`n$because`n"
    }
}
