# Shared helpers of the Kestrun.Rust Pester suite.
# Starts example scripts (the tutorial seeds, tests/pester/scripts/*.ps1) in their own pwsh on a free port with
# out/ (the module staged by build.ps1) on PSModulePath, waits until they answer, and stops them.
#
# Process groups: `pwsh` may be a launcher that runs the real PowerShell as a CHILD process (the dotnet tool does), so
# killing the PID of what was started leaves the real PowerShell (a running server) behind. On Linux every child pwsh
# is therefore started through `setsid` (the launcher leads a new session and process group: its PID is the group id)
# and stopped as a group by Stop-KrProcessGroup (SIGTERM to the group, SIGKILL after a grace period): the one place
# that stops what the suite starts. Each start is recorded (runner, group, a token put in the child's environment) in
# <test logs>/pester-process-groups.tsv, which tests/pester/Processes.Tests.ps1 checks for processes left behind.
# Without setsid or /proc (macOS, Windows) children are started directly and stopped with Process.Kill($true).

Set-StrictMode -Version 3.0

$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path -Path $PSScriptRoot -ChildPath (Join-Path -Path '..' -ChildPath '..')))
# The environment variable that marks every process of a started group (the launcher and what it starts inherit it).
$script:TokenVariable = 'KR_TEST_PROCESS_TOKEN'
$script:SetsidPath = $null
$script:KillPath = $null
if ($IsLinux -and (Test-Path -LiteralPath '/proc/self/stat')) {
    $script:SetsidPath = Get-Command -Name 'setsid' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source
    $script:KillPath = Get-Command -Name 'kill' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source
}

function Get-KrRepoRoot {
    <#
    .SYNOPSIS
        The repository root (two folders above tests/pester).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $script:RepoRoot
}

function Get-KrStagedModulePath {
    <#
    .SYNOPSIS
        The folder that holds the staged module (out/, to put on PSModulePath), and checks that build.ps1 ran.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $out = Join-Path -Path $script:RepoRoot -ChildPath 'out'
    $manifest = Join-Path -Path $out -ChildPath (Join-Path -Path 'Kestrun.Rust' -ChildPath 'Kestrun.Rust.psd1')
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "The module is not staged at '$manifest': run 'pwsh ./build.ps1' first."
    }
    $out
}

function Get-KrStagedManifest {
    <#
    .SYNOPSIS
        The path of out/Kestrun.Rust/Kestrun.Rust.psd1.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Join-Path -Path (Get-KrStagedModulePath) -ChildPath (Join-Path -Path 'Kestrun.Rust' -ChildPath 'Kestrun.Rust.psd1')
}

function Get-KrErrorIdSuffix {
    <#
    .SYNOPSIS
        What the FullyQualifiedErrorId of a command's errors ends with ('<error id>,<this>'): its name for a function,
        its implementing type for a compiled cmdlet.
    .PARAMETER Name
        The command.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Name
    )
    $info = Get-Command -Name $Name -ErrorAction Stop
    if ($info -is [System.Management.Automation.CmdletInfo]) { $info.ImplementingType.FullName } else { $info.Name }
}

function Get-KrSeedScript {
    <#
    .SYNOPSIS
        The path of a seed document (tutorial script) from shared/seeds, or from $env:KR_SEEDS when set.
    .PARAMETER Name
        The file name, e.g. '19.1-Sessions.ps1'.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Name
    )
    $seeds = [System.Environment]::GetEnvironmentVariable('KR_SEEDS')
    if ([string]::IsNullOrEmpty($seeds)) {
        $seeds = Join-Path -Path $PSScriptRoot -ChildPath (Join-Path -Path '..' -ChildPath (Join-Path -Path '..' -ChildPath (Join-Path -Path '..' -ChildPath (Join-Path -Path 'shared' -ChildPath 'seeds'))))
    }
    $path = Join-Path -Path $seeds -ChildPath $Name
    if (-not (Test-Path -LiteralPath $path)) {
        throw "Seed script '$Name' not found in '$seeds' (set KR_SEEDS to the seeds folder)."
    }
    [System.IO.Path]::GetFullPath($path)
}

function Get-FreeTcpPort {
    <#
    .SYNOPSIS
        A TCP port that is free on the loopback address right now.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try {
        $listener.Start()
        ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
    } finally {
        $listener.Stop()
    }
}

function Get-KrPwshPath {
    <#
    .SYNOPSIS
        The pwsh executable running the tests (so child scripts use the same PowerShell).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    # KR_PWSH (what tests/run-all.sh runs), else this process when it is pwsh itself (not e.g. `dotnet pwsh.dll`),
    # else pwsh from PATH.
    $path = [System.Environment]::GetEnvironmentVariable('KR_PWSH')
    if ([string]::IsNullOrEmpty($path) -or -not (Test-Path -LiteralPath $path)) {
        $path = (Get-Process -Id $PID).Path
    }
    if ([string]::IsNullOrEmpty($path) -or [System.IO.Path]::GetFileNameWithoutExtension($path) -ne 'pwsh') {
        $command = Get-Command -Name 'pwsh' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $command) {
            throw 'pwsh was not found (set KR_PWSH to its path).'
        }
        $path = $command.Source
    }
    $path
}

function Test-KrProcessGroupSupport {
    <#
    .SYNOPSIS
        $true when child processes are started in process groups of their own (Linux with setsid, kill and /proc).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()
    $null -ne $script:SetsidPath -and $null -ne $script:KillPath
}

function Get-KrTestLogPath {
    <#
    .SYNOPSIS
        The folder of the test logs (KR_TEST_LOGS, as tests/run-all.sh sets it, else target/test-logs), created.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $path = [System.Environment]::GetEnvironmentVariable('KR_TEST_LOGS')
    if ([string]::IsNullOrEmpty($path)) {
        $path = Join-Path -Path $script:RepoRoot -ChildPath (Join-Path -Path 'target' -ChildPath 'test-logs')
    }
    $null = [System.IO.Directory]::CreateDirectory($path)
    $path
}

function Get-KrProcessGroupLogPath {
    <#
    .SYNOPSIS
        The file where Start-KrChildProcess records every process group it starts (tab-separated: runner PID, runner
        start time, group id, token, UTC time, what was started).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Join-Path -Path (Get-KrTestLogPath) -ChildPath 'pester-process-groups.tsv'
}

function Get-KrProcessStat {
    <#
    .SYNOPSIS
        State, process group and start time (clock ticks after boot) of a process from /proc/<id>/stat; $null when
        there is no such process.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [int]$Id
    )
    try {
        $text = [System.IO.File]::ReadAllText("/proc/$Id/stat")
    } catch {
        return $null
    }
    # pid (comm) state ppid pgrp session ... starttime (field 22); comm may hold spaces and parentheses.
    $close = $text.LastIndexOf(')')
    if ($close -lt 0) {
        return $null
    }
    $fields = $text.Substring($close + 2).Split(' ')
    [pscustomobject]@{
        Id             = $Id
        State          = $fields[0]
        ProcessGroupId = [int]$fields[2]
        StartTime      = [long]$fields[19]
    }
}

function Get-KrProcessTable {
    <#
    .SYNOPSIS
        Every live process (zombies left out) from /proc: Id, State, ProcessGroupId, StartTime.
    #>
    [CmdletBinding()]
    param()
    foreach ($dir in [System.IO.Directory]::EnumerateDirectories('/proc')) {
        $id = 0
        if (-not [int]::TryParse([System.IO.Path]::GetFileName($dir), [ref]$id)) {
            continue
        }
        $stat = Get-KrProcessStat -Id $id
        if ($null -ne $stat -and $stat.State -notin @('Z', 'X', 'x')) {
            $stat
        }
    }
}

function Test-KrProcessToken {
    <#
    .SYNOPSIS
        $true when the environment a process started with holds the token of a group started here, or cannot be told
        (unreadable, or empty: a process that is exiting has released its memory); $false when it lacks the token.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [int]$Id,

        [Parameter(Mandatory = $true)]
        [string]$Token
    )
    try {
        $environ = [System.IO.File]::ReadAllText("/proc/$Id/environ")
    } catch {
        return $true
    }
    $environ.Length -eq 0 -or $environ.Split([char]0) -contains "$script:TokenVariable=$Token"
}

function Get-KrProcessGroupMember {
    <#
    .SYNOPSIS
        The live processes (zombies left out) of a process group: Id, ProcessGroupId, State, CommandLine.
    .PARAMETER ProcessGroupId
        The group id (the PID of its leader).
    .PARAMETER Token
        Leave out processes whose environment lacks this token (what Start-KrChildProcess put there), so a group id
        that was reused by an unrelated group is not mistaken for one started here.
    .PARAMETER Table
        A Get-KrProcessTable result to use instead of reading /proc again.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [int]$ProcessGroupId,

        [Parameter()]
        [string]$Token,

        [Parameter()]
        [object[]]$Table
    )
    if ($null -eq $Table) {
        $Table = @(Get-KrProcessTable)
    }
    foreach ($entry in $Table) {
        if ($entry.ProcessGroupId -ne $ProcessGroupId) {
            continue
        }
        if (-not [string]::IsNullOrEmpty($Token) -and -not (Test-KrProcessToken -Id $entry.Id -Token $Token)) {
            continue
        }
        $commandLine = try { [System.IO.File]::ReadAllText("/proc/$($entry.Id)/cmdline").Replace([char]0, ' ').Trim() } catch { '' }
        [pscustomobject]@{
            Id             = $entry.Id
            ProcessGroupId = $entry.ProcessGroupId
            State          = $entry.State
            CommandLine    = $commandLine
        }
    }
}

function Send-KrProcessGroupSignal {
    <#
    .SYNOPSIS
        Sends a signal to every process of a group (kill -s <signal> -- -<group>); never to this process's own group.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [int]$ProcessGroupId,

        [Parameter(Mandatory = $true)]
        [ValidateSet('TERM', 'KILL')]
        [string]$Signal
    )
    $own = Get-KrProcessStat -Id $PID
    if ($ProcessGroupId -le 1 -or ($null -ne $own -and $own.ProcessGroupId -eq $ProcessGroupId)) {
        throw "Refusing to signal process group $ProcessGroupId (the test runner's own group)."
    }
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($script:KillPath)
    foreach ($argument in @('-s', $Signal, '--', "-$ProcessGroupId")) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $kill = [System.Diagnostics.Process]::Start($startInfo)
    try {
        # "No such process" when the group ended meanwhile: nothing to do.
        $null = $kill.StandardOutput.ReadToEnd()
        $null = $kill.StandardError.ReadToEnd()
        $kill.WaitForExit()
    } finally {
        $kill.Dispose()
    }
}

function Wait-KrProcessGroupEmpty {
    <#
    .SYNOPSIS
        Waits until a started group has no live process; $true when it had none within the timeout.
    .PARAMETER Child
        What Start-KrChildProcess returned (or an object with its ProcessGroupId and Token, e.g. a test script).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Child,

        [Parameter()]
        [double]$TimeoutSeconds = 10
    )
    $deadline = [DateTime]::UtcNow.AddSeconds([Math]::Max(0, $TimeoutSeconds))
    while ($true) {
        if (@(Get-KrProcessGroupMember -ProcessGroupId $Child.ProcessGroupId -Token $Child.Token).Count -eq 0) {
            return $true
        }
        if ([DateTime]::UtcNow -ge $deadline) {
            return $false
        }
        Start-Sleep -Milliseconds 100
    }
}

function Stop-KrProcessGroup {
    <#
    .SYNOPSIS
        Ends a child started by Start-KrChildProcess together with every process of its group: SIGTERM to the group,
        SIGKILL after -GraceSeconds; then waits for the started process (and the end of its redirected output).
    .DESCRIPTION
        The one place that stops what the suite starts. Also ends what is left of the group after the started process
        exited by itself (a launcher's child). Without process groups (no setsid) it falls back to Process.Kill($true).
    .PARAMETER Child
        What Start-KrChildProcess returned, or an object with its Process, ProcessGroupId and Token (a test script).
    .PARAMETER GraceSeconds
        How long the group gets to end after SIGTERM before SIGKILL.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Child,

        [Parameter()]
        [double]$GraceSeconds = 5
    )
    $process = $Child.Process
    if ($null -ne $Child.ProcessGroupId) {
        if (-not (Wait-KrProcessGroupEmpty -Child $Child -TimeoutSeconds 0)) {
            Send-KrProcessGroupSignal -ProcessGroupId $Child.ProcessGroupId -Signal TERM
            if (-not (Wait-KrProcessGroupEmpty -Child $Child -TimeoutSeconds $GraceSeconds)) {
                Send-KrProcessGroupSignal -ProcessGroupId $Child.ProcessGroupId -Signal KILL
                if (-not (Wait-KrProcessGroupEmpty -Child $Child -TimeoutSeconds 10)) {
                    $left = (Get-KrProcessGroupMember -ProcessGroupId $Child.ProcessGroupId -Token $Child.Token | ForEach-Object { "$($_.Id) $($_.CommandLine)" }) -join '; '
                    Write-Warning "Process group $($Child.ProcessGroupId) survived SIGKILL: $left"
                }
            }
        }
    } elseif ($null -ne $process -and -not $process.HasExited) {
        $process.Kill($true)
    }
    if ($null -ne $process -and $process.WaitForExit(15000)) {
        # Without a timeout, WaitForExit also waits for redirected output to be drained (Start-Process without groups).
        $process.WaitForExit()
    }
}

function Invoke-KrChildPwsh {
    <#
    .SYNOPSIS
        Runs a command in a new pwsh (-NoProfile) with out/ on PSModulePath and returns its output and exit code.
    .PARAMETER Command
        The PowerShell command text.
    .PARAMETER TimeoutSeconds
        Stop the child (its whole process group) after this many seconds.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Command,

        [Parameter()]
        [int]$TimeoutSeconds = 120
    )
    $stdout = [System.IO.Path]::GetTempFileName()
    $stderr = [System.IO.Path]::GetTempFileName()
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Command))
    $child = Start-KrChildProcess -Arguments @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) -StdOut $stdout -StdErr $stderr -Description 'Invoke-KrChildPwsh'
    $process = $child.Process
    $stopped = $false
    try {
        $exited = $process.WaitForExit($TimeoutSeconds * 1000)
        # Ends the group: everything on a timeout, else what outlived the started process; drains the output.
        Stop-KrProcessGroup -Child $child
        $stopped = $true
        if (-not $exited) {
            throw "The child pwsh did not finish within $TimeoutSeconds s: $Command"
        }
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            StdOut   = [System.IO.File]::ReadAllText($stdout)
            StdErr   = [System.IO.File]::ReadAllText($stderr)
        }
    } finally {
        if (-not $stopped) {
            Stop-KrProcessGroup -Child $child
        }
        $process.Dispose()
        Remove-Item -LiteralPath $stdout, $stderr -Force -ErrorAction SilentlyContinue
    }
}

function Add-KrProcessGroupRecord {
    <#
    .SYNOPSIS
        Appends a started group to Get-KrProcessGroupLogPath (under a lock: several runs may share the file).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Child,

        [Parameter()]
        [string]$Description = ''
    )
    $runner = Get-KrProcessStat -Id $PID
    $line = (@($PID, $runner.StartTime, $Child.ProcessGroupId, $Child.Token, [DateTime]::UtcNow.ToString('o'), ($Description -replace '[\t\r\n]', ' ')) -join "`t") + "`n"
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($line)
    $path = Get-KrProcessGroupLogPath
    for ($attempt = 1; ; $attempt++) {
        try {
            $stream = [System.IO.FileStream]::new($path, [System.IO.FileMode]::Append, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
            try {
                $stream.Write($bytes, 0, $bytes.Length)
            } finally {
                $stream.Dispose()
            }
            return
        } catch [System.IO.IOException] {
            if ($attempt -ge 100) {
                throw
            }
            Start-Sleep -Milliseconds 20
        }
    }
}

function Get-KrProcessGroupRecord {
    <#
    .SYNOPSIS
        The groups recorded in Get-KrProcessGroupLogPath: RunnerId, RunnerStartTime, ProcessGroupId, Token, Time,
        Description, and RunnerState: Current (this process), Running (another run still going) or Finished.
    #>
    [CmdletBinding()]
    param()
    $path = Get-KrProcessGroupLogPath
    if (-not (Test-Path -LiteralPath $path)) {
        return
    }
    $runnerState = @{}
    foreach ($line in [System.IO.File]::ReadAllLines($path)) {
        $fields = $line.Split("`t")
        if ($fields.Count -lt 6) {
            continue
        }
        $runnerKey = "$($fields[0])/$($fields[1])"
        if (-not $runnerState.ContainsKey($runnerKey)) {
            $stat = Get-KrProcessStat -Id ([int]$fields[0])
            $runnerState[$runnerKey] = if ([int]$fields[0] -eq $PID -and $null -ne $stat -and "$($stat.StartTime)" -eq $fields[1]) {
                'Current'
            } elseif ($null -ne $stat -and "$($stat.StartTime)" -eq $fields[1]) {
                'Running'
            } else {
                'Finished'
            }
        }
        [pscustomobject]@{
            RunnerId        = [int]$fields[0]
            RunnerStartTime = $fields[1]
            RunnerState     = $runnerState[$runnerKey]
            ProcessGroupId  = [int]$fields[2]
            Token           = $fields[3]
            Time            = $fields[4]
            Description     = $fields[5]
        }
    }
}

function Get-KrLeftoverTestProcess {
    <#
    .SYNOPSIS
        Live processes of recorded groups that should be gone: groups started earlier by this run, and groups of runs
        that finished (another run still going may legitimately have servers running). Empty when nothing was left.
    #>
    [CmdletBinding()]
    param()
    $records = @(Get-KrProcessGroupRecord | Where-Object RunnerState -NE 'Running')
    if ($records.Count -eq 0) {
        return
    }
    $table = @(Get-KrProcessTable)
    foreach ($record in $records) {
        foreach ($member in Get-KrProcessGroupMember -ProcessGroupId $record.ProcessGroupId -Token $record.Token -Table $table) {
            [pscustomobject]@{
                Id             = $member.Id
                ProcessGroupId = $member.ProcessGroupId
                CommandLine    = $member.CommandLine
                StartedBy      = "$($record.RunnerState) run (runner PID $($record.RunnerId)) at $($record.Time): $($record.Description)"
            }
        }
    }
}

function Start-KrChildProcess {
    <#
    .SYNOPSIS
        Starts pwsh with the given arguments, out/ first on PSModulePath, output redirected to files, in a process group
        of its own (setsid) that is recorded; returns Process, ProcessGroupId ($null without process groups) and Token.
        Stop it with Stop-KrProcessGroup. -Environment: variables to set (a $null value removes one) in the child only.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string[]]$Arguments,

        [Parameter(Mandatory = $true)]
        [string]$StdOut,

        [Parameter(Mandatory = $true)]
        [string]$StdErr,

        [Parameter()]
        [string]$Description = '',

        [Parameter()]
        [System.Collections.IDictionary]$Environment
    )
    $modulePath = Get-KrStagedModulePath
    $token = [guid]::NewGuid().ToString('N')
    $groups = Test-KrProcessGroupSupport
    $savedModulePath = $env:PSModulePath
    $savedToken = [System.Environment]::GetEnvironmentVariable($script:TokenVariable)
    $savedEnvironment = @{}
    if ($null -ne $Environment) {
        foreach ($name in @($Environment.Keys)) {
            $savedEnvironment[[string]$name] = [System.Environment]::GetEnvironmentVariable([string]$name)
        }
    }
    try {
        # The child inherits this process's environment: set -Environment for the start, restored below.
        foreach ($name in @($savedEnvironment.Keys)) {
            Set-KrEnvironmentVariable -Name $name -Value $Environment[$name]
        }
        $env:PSModulePath = $modulePath + [System.IO.Path]::PathSeparator + $savedModulePath
        [System.Environment]::SetEnvironmentVariable($script:TokenVariable, $token)
        if ($groups) {
            # sh opens the output files itself (no pipes to this process: stopping never waits for output to drain, even
            # if something outlived its group) and execs setsid, which execs pwsh: all in place, one PID. A process
            # started from here is never a group leader, so setsid does not fork and that PID is the id of the new
            # session and process group (-w keeps the exit code should it fork after all).
            $startInfo = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
            $shArguments = @('-c', 'out=$1 err=$2; shift 2; exec "$@" <"/dev/null" >"$out" 2>"$err"', 'sh', $StdOut, $StdErr, $script:SetsidPath, '-w', (Get-KrPwshPath)) + $Arguments
            foreach ($argument in $shArguments) {
                $startInfo.ArgumentList.Add($argument)
            }
            $startInfo.UseShellExecute = $false
            $process = [System.Diagnostics.Process]::Start($startInfo)
        } else {
            # Start-Process joins -ArgumentList with spaces: quote each argument (the .NET command-line rules, which
            # are also how .NET splits the string again on Linux and macOS).
            $quoted = foreach ($argument in $Arguments) {
                if ($argument -eq '' -or $argument -match '[\s"]') {
                    '"' + ($argument -replace '(\\*)"', '$1$1\"' -replace '(\\+)$', '$1$1') + '"'
                } else {
                    $argument
                }
            }
            $process = Start-Process -FilePath (Get-KrPwshPath) -ArgumentList ($quoted -join ' ') -RedirectStandardOutput $StdOut -RedirectStandardError $StdErr -NoNewWindow -PassThru
        }
    } finally {
        $env:PSModulePath = $savedModulePath
        [System.Environment]::SetEnvironmentVariable($script:TokenVariable, $savedToken)
        foreach ($name in @($savedEnvironment.Keys)) {
            Set-KrEnvironmentVariable -Name $name -Value $savedEnvironment[$name]
        }
    }
    $child = [pscustomobject]@{
        Process        = $process
        ProcessGroupId = $null
        Token          = $token
    }
    if ($groups) {
        # Wait until setsid made the process a group leader (or it already ended); if it never does (setsid forked),
        # fall back to stopping the process tree.
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ($true) {
            $stat = Get-KrProcessStat -Id $process.Id
            if ($null -eq $stat -or $stat.ProcessGroupId -eq $process.Id -or $process.HasExited) {
                $child.ProcessGroupId = $process.Id
                break
            }
            if ([DateTime]::UtcNow -gt $deadline) {
                Write-Warning "pwsh (PID $($process.Id)) is not the leader of its process group: it will be stopped with Process.Kill(`$true)."
                break
            }
            Start-Sleep -Milliseconds 10
        }
        if ($null -ne $child.ProcessGroupId) {
            Add-KrProcessGroupRecord -Child $child -Description $Description
        }
    }
    $child
}

function Start-KrTestScript {
    <#
    .SYNOPSIS
        Starts a server script (pwsh -NoProfile -File <Path> -Port <free port> ...) and waits until it answers.
    .DESCRIPTION
        The script gets -Port <free port> plus -Arguments. PSModulePath includes out/, so `Import-Module Kestrun.Rust`
        (or command auto-loading) finds the staged module. Waits until https://127.0.0.1:<port>/ answers any HTTP
        status (certificate not checked) and returns an object with Port, BaseUrl, Process, Path, the output files and
        ProcessGroupId / Token (the process group it runs in: Stop-KrTestScript ends the whole group).
    .PARAMETER Path
        The script to run.
    .PARAMETER Arguments
        More arguments for the script (e.g. @('-IdleTimeout', '2')).
    .PARAMETER Scheme
        https (default) or http.
    .PARAMETER ImportModule
        Run `Import-Module Kestrun.Rust` first, then the script (-Command instead of -File).
    .PARAMETER TimeoutSeconds
        How long to wait for the server to answer.
    .PARAMETER Environment
        Environment variables for the script's process only (a $null value removes one), e.g. @{ SSL_CERT_FILE = $ca }.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Path,

        [Parameter()]
        [string[]]$Arguments = @(),

        [Parameter()]
        [ValidateSet('https', 'http')]
        [string]$Scheme = 'https',

        [Parameter()]
        [switch]$ImportModule,

        [Parameter()]
        [int]$TimeoutSeconds = 90,

        [Parameter()]
        [System.Collections.IDictionary]$Environment
    )
    $fullPath = [System.IO.Path]::GetFullPath($Path)
    if (-not (Test-Path -LiteralPath $fullPath)) {
        throw "Script not found: $fullPath"
    }
    $port = Get-FreeTcpPort
    $stdout = [System.IO.Path]::GetTempFileName()
    $stderr = [System.IO.Path]::GetTempFileName()
    if ($ImportModule.IsPresent) {
        $quoted = "'" + $fullPath.Replace("'", "''") + "'"
        $extra = ($Arguments | ForEach-Object { "'" + $_.Replace("'", "''") + "'" }) -join ' '
        $command = "Import-Module Kestrun.Rust -ErrorAction Stop; & $quoted -Port $port $extra"
        $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($command))
        $pwshArgs = @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    } else {
        $pwshArgs = @('-NoProfile', '-NonInteractive', '-File', $fullPath, '-Port', "$port") + $Arguments
    }
    $child = Start-KrChildProcess -Arguments $pwshArgs -StdOut $stdout -StdErr $stderr -Description $fullPath -Environment $Environment
    $process = $child.Process
    $instance = [pscustomobject]@{
        Path           = $fullPath
        Port           = $port
        BaseUrl        = "${Scheme}://127.0.0.1:$port"
        Process        = $process
        ProcessGroupId = $child.ProcessGroupId
        Token          = $child.Token
        StdOut         = $stdout
        StdErr         = $stderr
    }

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        if ($process.HasExited) {
            $output = Stop-KrTestScript -Instance $instance
            throw "The script '$fullPath' exited (code $($process.ExitCode)) before answering on port $port.`nstdout:`n$($output.StdOut)`nstderr:`n$($output.StdErr)"
        }
        try {
            $null = Invoke-WebRequest -Uri "$($instance.BaseUrl)/" -SkipCertificateCheck -SkipHttpErrorCheck -TimeoutSec 5 -ErrorAction Stop
            break
        } catch {
            if ([DateTime]::UtcNow -gt $deadline) {
                $output = Stop-KrTestScript -Instance $instance
                throw "The script '$fullPath' did not answer on port $port within $TimeoutSeconds s.`nstdout:`n$($output.StdOut)`nstderr:`n$($output.StdErr)"
            }
            Start-Sleep -Milliseconds 250
        }
    }
    $instance
}

function Stop-KrTestScript {
    <#
    .SYNOPSIS
        Ends a script started by Start-KrTestScript with its whole process group (Stop-KrProcessGroup; also what is left
        of the group when the script exited) and returns its exit code and output.
    .PARAMETER Instance
        What Start-KrTestScript returned.
    .PARAMETER ShowOutput
        Also write the script's output to the host, under a line naming the script and its port (for the test log).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Instance,

        [Parameter()]
        [switch]$ShowOutput
    )
    $process = $Instance.Process
    if ($null -ne $process) {
        try {
            Stop-KrProcessGroup -Child $Instance
        } catch {
            Write-Warning "Stopping '$($Instance.Path)' failed: $($_.Exception.Message)"
        }
    }
    $result = [pscustomobject]@{
        ExitCode = if ($null -ne $process -and $process.HasExited) { $process.ExitCode } else { $null }
        StdOut   = if (Test-Path -LiteralPath $Instance.StdOut) { [System.IO.File]::ReadAllText($Instance.StdOut) } else { '' }
        StdErr   = if (Test-Path -LiteralPath $Instance.StdErr) { [System.IO.File]::ReadAllText($Instance.StdErr) } else { '' }
    }
    Remove-Item -LiteralPath $Instance.StdOut, $Instance.StdErr -Force -ErrorAction SilentlyContinue
    if ($ShowOutput.IsPresent) {
        Write-Host "---- $([System.IO.Path]::GetFileName($Instance.Path)) on port $($Instance.Port) ----`n$($result.StdOut)`n$($result.StdErr)"
    }
    $result
}

function Wait-KrTestScriptExit {
    <#
    .SYNOPSIS
        Waits for a started script to exit by itself; $true when it did within the timeout, and with it every process
        of its group (the real PowerShell under a launcher). Its exit code: Stop-KrTestScript returns it.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Instance,

        [Parameter()]
        [int]$TimeoutSeconds = 30
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    if (-not $Instance.Process.WaitForExit($TimeoutSeconds * 1000)) {
        return $false
    }
    if ($null -eq $Instance.ProcessGroupId) {
        return $true
    }
    Wait-KrProcessGroupEmpty -Child $Instance -TimeoutSeconds ($deadline - [DateTime]::UtcNow).TotalSeconds
}

function Invoke-KrCurl {
    <#
    .SYNOPSIS
        Runs the real curl (-k -s, optionally with a cookie jar: -c jar -b jar) and returns status, headers and body.
    .PARAMETER Url
        The URL.
    .PARAMETER Jar
        The cookie jar file (curl -c / -b).
    .PARAMETER Method
        The HTTP method (default GET).
    .PARAMETER Body
        A request body (--data-binary).
    .PARAMETER ContentType
        The Content-Type of -Body.
    .PARAMETER CurlArgument
        More curl arguments (e.g. '--http2', '-I', '-H', '@headers.txt'). The result's HttpVersion is curl's
        %{http_version} (1.1, 2).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Url,

        [Parameter()]
        [string[]]$CurlArgument = @(),

        [Parameter()]
        [string]$Jar,

        [Parameter()]
        [string]$Method = 'GET',

        [Parameter()]
        [string]$Body,

        [Parameter()]
        [string]$ContentType = 'application/json'
    )
    $curl = Get-Command -Name 'curl' -CommandType Application -ErrorAction Stop | Select-Object -First 1
    $headersFile = [System.IO.Path]::GetTempFileName()
    $bodyFile = [System.IO.Path]::GetTempFileName()
    try {
        $curlArgs = [System.Collections.Generic.List[string]]::new()
        foreach ($a in @('-k', '-s', '-S', '--max-time', '60', '-D', $headersFile, '-o', $bodyFile, '-w', '%{http_code} %{http_version}')) { $curlArgs.Add($a) }
        foreach ($a in $CurlArgument) { $curlArgs.Add($a) }
        if ($Jar) {
            foreach ($a in @('-c', $Jar, '-b', $Jar)) { $curlArgs.Add($a) }
        }
        if ($Method -ne 'GET') {
            foreach ($a in @('-X', $Method)) { $curlArgs.Add($a) }
        }
        if ($PSBoundParameters.ContainsKey('Body')) {
            foreach ($a in @('-H', "Content-Type: $ContentType", '--data-binary', $Body)) { $curlArgs.Add($a) }
        }
        $curlArgs.Add($Url)
        $argumentArray = $curlArgs.ToArray()
        $code = & $curl.Source @argumentArray
        if ($LASTEXITCODE -ne 0) {
            throw "curl $Url failed with exit code $LASTEXITCODE."
        }
        $text = [System.IO.File]::ReadAllText($bodyFile)
        $json = $null
        if ($text.Length -gt 0) {
            try { $json = $text | ConvertFrom-Json -ErrorAction Stop } catch { $json = $null }
        }
        $written = "$code".Trim() -split ' '
        [pscustomobject]@{
            Status      = [int]$written[0]
            HttpVersion = if ($written.Count -gt 1) { $written[1] } else { $null }
            Headers     = [System.IO.File]::ReadAllText($headersFile)
            Body        = $text
            Json        = $json
        }
    } finally {
        Remove-Item -LiteralPath $headersFile, $bodyFile -Force -ErrorAction SilentlyContinue
    }
}

function Assert-KrResponse {
    <#
    .SYNOPSIS
        Asserts (Pester Should) what an Invoke-KrCurl response holds: its status, and optionally the values of its
        JSON body, its whole text body and its Content-Type.
    .PARAMETER Response
        What Invoke-KrCurl returned (from the pipeline).
    .PARAMETER Status
        The expected HTTP status (default 200).
    .PARAMETER Json
        Expected values of top-level properties of the JSON body, by name (an [ordered] table asserts in its order).
    .PARAMETER Body
        The expected body text.
    .PARAMETER ContentType
        The expected start of the Content-Type header's value.
    .PARAMETER PassThru
        Return the response, for further assertions.
    .EXAMPLE
        Invoke-KrCurl -Url "$base/session/whoami" -Jar $jar | Assert-KrResponse -Status 401 -Json @{ error = 'No active session or user not set' }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)]
        [object]$Response,

        [Parameter()]
        [int]$Status = 200,

        [Parameter()]
        [System.Collections.IDictionary]$Json,

        [Parameter()]
        [string]$Body,

        [Parameter()]
        [string]$ContentType,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        Set-StrictMode -Off  # a property missing from the JSON body is $null, as in the tests themselves
        $Response.Status | Should -Be $Status -Because $Response.Body
        if ($PSBoundParameters.ContainsKey('Json')) {
            foreach ($name in $Json.Keys) {
                $Response.Json.$name | Should -Be $Json[$name] -Because "of the JSON property '$name' in $($Response.Body)"
            }
        }
        if ($PSBoundParameters.ContainsKey('Body')) {
            $Response.Body | Should -Be $Body
        }
        if ($PSBoundParameters.ContainsKey('ContentType')) {
            $Response.Headers | Should -Match ('(?im)^content-type:\s*' + [regex]::Escape($ContentType))
        }
        if ($PassThru.IsPresent) {
            $Response
        }
    }
}

function Get-KrSetCookie {
    <#
    .SYNOPSIS
        The Set-Cookie header lines (raw header text of curl -D) for a cookie name.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Headers,

        [Parameter(Mandatory = $true)]
        [string]$Name
    )
    @($Headers -split "`r?`n" | Where-Object { $_ -match "^set-cookie:\s*$([regex]::Escape($Name))=" } | ForEach-Object { ($_ -replace '^set-cookie:\s*', '').Trim() })
}

function Get-KrHeaderValue {
    <#
    .SYNOPSIS
        The values of a response header (raw header text of curl -D), by name (case-insensitive), as sent.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string]$Headers,

        [Parameter(Mandatory = $true)]
        [string]$Name
    )
    @($Headers -split "`r?`n" | Where-Object { $_ -match "^$([regex]::Escape($Name)):" } | ForEach-Object { ($_ -replace '^[^:]+:\s*', '').Trim() })
}

function Get-KrCookiePair {
    <#
    .SYNOPSIS
        The name=value part of a Set-Cookie value: what a client sends back in its Cookie header.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$SetCookie
    )
    $SetCookie.Split(';')[0].Trim()
}

function New-KrHttpClient {
    <#
    .SYNOPSIS
        An HttpClient for the test servers: certificate not checked, no cookie store (send cookies with -Cookie of
        Invoke-KrHttpBatch), no redirects, at most -MaxConnections connections (requests in flight) per server.
        Dispose it after use.
    #>
    [CmdletBinding()]
    [OutputType([System.Net.Http.HttpClient])]
    param(
        [Parameter()]
        [int]$MaxConnections = 16,

        [Parameter()]
        [int]$TimeoutSeconds = 60
    )
    $handler = [System.Net.Http.HttpClientHandler]::new()
    # A static delegate, not a script block: the TLS handshake runs on thread-pool threads without a runspace.
    $handler.ServerCertificateCustomValidationCallback = [System.Net.Http.HttpClientHandler]::DangerousAcceptAnyServerCertificateValidator
    $handler.UseCookies = $false
    $handler.AllowAutoRedirect = $false
    $handler.MaxConnectionsPerServer = $MaxConnections
    $client = [System.Net.Http.HttpClient]::new($handler, $true)
    $client.Timeout = [TimeSpan]::FromSeconds($TimeoutSeconds)
    $client
}

function Remove-KrHttpClient {
    <#
    .SYNOPSIS
        Disposes an HttpClient of New-KrHttpClient (its connections close); nothing for $null.
    .PARAMETER Client
        The client.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowNull()]
        [System.Net.Http.HttpClient]$Client
    )
    if ($null -ne $Client) {
        $Client.Dispose()
    }
}

function Invoke-KrHttpBatch {
    <#
    .SYNOPSIS
        Sends GET requests all at once (in flight together, up to the client's connection limit) and waits for every
        answer; returns one object per request, in order: Url, Cookie, Status, Body, ContentType, SetCookie (values).
    .PARAMETER Client
        What New-KrHttpClient returned.
    .PARAMETER Url
        The URLs, one per request.
    .PARAMETER Cookie
        The Cookie header of each request (name=value), by position; none for a missing or empty entry. A single value
        is sent with every request.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Net.Http.HttpClient]$Client,

        [Parameter(Mandatory = $true)]
        [string[]]$Url,

        [Parameter()]
        [AllowEmptyString()]
        [AllowEmptyCollection()]
        [string[]]$Cookie = @()
    )
    $tasks = [System.Collections.Generic.List[System.Threading.Tasks.Task[System.Net.Http.HttpResponseMessage]]]::new($Url.Count)
    $cookies = [string[]]::new($Url.Count)
    for ($i = 0; $i -lt $Url.Count; $i++) {
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Get, $Url[$i])
        $cookies[$i] = if ($Cookie.Count -eq 1) { $Cookie[0] } elseif ($i -lt $Cookie.Count) { $Cookie[$i] } else { $null }
        if (-not [string]::IsNullOrEmpty($cookies[$i])) {
            $null = $request.Headers.TryAddWithoutValidation('Cookie', $cookies[$i])
        }
        $tasks.Add($Client.SendAsync($request))
    }
    try {
        $null = [System.Threading.Tasks.Task]::WhenAll($tasks).GetAwaiter().GetResult()
    } catch {
        throw "Invoke-KrHttpBatch: a request of $($Url.Count) failed: $($_.Exception.GetBaseException().Message)"
    }
    for ($i = 0; $i -lt $tasks.Count; $i++) {
        $response = $tasks[$i].Result
        try {
            $setCookie = [string[]]@()
            $values = $null
            if ($response.Headers.TryGetValues('Set-Cookie', [ref]$values)) {
                $setCookie = [string[]]@($values)
            }
            [pscustomobject]@{
                Url         = $Url[$i]
                Cookie      = $cookies[$i]
                Status      = [int]$response.StatusCode
                Body        = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
                ContentType = if ($null -ne $response.Content.Headers.ContentType) { $response.Content.Headers.ContentType.MediaType } else { $null }
                SetCookie   = $setCookie
            }
        } finally {
            $response.Dispose()
        }
    }
}

function Set-KrEnvironmentVariable {
    <#
    .SYNOPSIS
        Sets an environment variable of this process, or removes it when -Value is $null or empty (a $null passed to
        [Environment]::SetEnvironmentVariable from PowerShell would set it to '').
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Name,

        [Parameter()]
        [AllowNull()]
        [AllowEmptyString()]
        [string]$Value
    )
    if ([string]::IsNullOrEmpty($Value)) {
        [System.Environment]::SetEnvironmentVariable($Name, [NullString]::Value)
    } else {
        [System.Environment]::SetEnvironmentVariable($Name, $Value)
    }
}

function Get-KrRedisMissingReason {
    <#
    .SYNOPSIS
        Why the Redis tests cannot run here ('redis-server, ... not installed'), or $null when they can: redis-server
        and redis-cli, and with -Tls also openssl (a redis-server built without TLS fails in Start-KrRedisServer -Tls,
        with its log).
    .PARAMETER Tls
        Also check what Start-KrRedisServer -Tls needs.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter()]
        [switch]$Tls
    )
    $tools = @('redis-server', 'redis-cli')
    if ($Tls.IsPresent) {
        $tools += 'openssl'
    }
    $missing = @($tools | Where-Object { $null -eq (Get-Command -Name $_ -CommandType Application -ErrorAction SilentlyContinue) })
    if ($missing.Count -gt 0) {
        return "$($missing -join ', ') not installed (apt-get install redis-server redis-tools openssl)"
    }
    $null
}

function New-KrTestCertificateAuthority {
    <#
    .SYNOPSIS
        Makes, with openssl, a throw-away CA (ca.pem) and a server certificate signed by it for 127.0.0.1 and localhost
        (server.pem, server.key) in -Directory, unless ca.pem is already there. Returns the three paths.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Directory
    )
    $paths = [pscustomobject]@{
        CaFile   = Join-Path -Path $Directory -ChildPath 'ca.pem'
        CertFile = Join-Path -Path $Directory -ChildPath 'server.pem'
        KeyFile  = Join-Path -Path $Directory -ChildPath 'server.key'
    }
    if ((Test-Path -LiteralPath $paths.CaFile) -and (Test-Path -LiteralPath $paths.CertFile) -and (Test-Path -LiteralPath $paths.KeyFile)) {
        return $paths
    }
    $openssl = (Get-Command -Name 'openssl' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $caConfig = Join-Path -Path $Directory -ChildPath 'ca.cnf'
    $serverExtensions = Join-Path -Path $Directory -ChildPath 'server.ext'
    Set-Content -LiteralPath $caConfig -Encoding ascii -Value @(
        '[req]', 'distinguished_name = dn', 'x509_extensions = v3_ca', 'prompt = no',
        '[dn]', 'CN = Kestrun.Rust test CA',
        '[v3_ca]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash'
    )
    Set-Content -LiteralPath $serverExtensions -Encoding ascii -Value @(
        'basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = serverAuth',
        'subjectAltName = IP:127.0.0.1, DNS:localhost', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'
    )
    $caKey = Join-Path -Path $Directory -ChildPath 'ca.key'
    $request = Join-Path -Path $Directory -ChildPath 'server.csr'
    $serial = '0x' + [guid]::NewGuid().ToString('N').Substring(0, 16)
    $steps = @(
        @('req', '-x509', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-days', '2',
            '-config', $caConfig, '-keyout', $caKey, '-out', $paths.CaFile),
        @('req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-subj', '/CN=localhost',
            '-keyout', $paths.KeyFile, '-out', $request),
        @('x509', '-req', '-in', $request, '-CA', $paths.CaFile, '-CAkey', $caKey, '-set_serial', $serial, '-days', '2',
            '-extfile', $serverExtensions, '-out', $paths.CertFile)
    )
    foreach ($step in $steps) {
        $output = & $openssl @step 2>&1 | Out-String
        if ($LASTEXITCODE -ne 0) {
            throw "openssl $($step[0]) failed (exit code $LASTEXITCODE): $output"
        }
    }
    $paths
}

function Invoke-KrRedisCli {
    <#
    .SYNOPSIS
        Runs redis-cli --raw against a server of Start-KrRedisServer (with --tls --cacert and the password when it has
        them; the password goes through REDISCLI_AUTH, never on the command line) and returns the non-empty output lines.
    .PARAMETER Server
        What Start-KrRedisServer returned.
    .PARAMETER Arguments
        The redis-cli command, e.g. @('--scan', '--pattern', 'App:*') or @('GET', $key).
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Server,

        [Parameter(Mandatory = $true)]
        [string[]]$Arguments
    )
    $cli = (Get-Command -Name 'redis-cli' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $cliArgs = @('-h', '127.0.0.1', '-p', "$($Server.Port)", '--raw')
    if ($Server.Tls) {
        $cliArgs += @('--tls', '--cacert', $Server.CaFile)
    }
    $savedAuth = [System.Environment]::GetEnvironmentVariable('REDISCLI_AUTH')
    try {
        Set-KrEnvironmentVariable -Name 'REDISCLI_AUTH' -Value $Server.Password
        $output = & $cli @cliArgs @Arguments 2>$null
    } finally {
        Set-KrEnvironmentVariable -Name 'REDISCLI_AUTH' -Value $savedAuth
    }
    @($output | ForEach-Object { "$_" } | Where-Object { $_ -ne '' })
}

function New-KrTestServerFolder {
    <#
    .SYNOPSIS
        The folder a test server keeps its files in: -Directory (created when missing), else a new folder
        kr-pester-<Prefix>-<random> under the temp folder.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Prefix,

        [Parameter()]
        [AllowEmptyString()]
        [AllowNull()]
        [string]$Directory
    )
    if ([string]::IsNullOrEmpty($Directory)) {
        $Directory = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath "kr-pester-$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    }
    $null = [System.IO.Directory]::CreateDirectory($Directory)
    $Directory
}

function Start-KrTestServerProcess {
    <#
    .SYNOPSIS
        Starts a server program for a test (redis-server, postgres) and waits until it answers: returns -Properties
        as an object with Process and the -Stop script as its Stop() method once -Ready says so; throws with the tail
        of -LogFile when the program exits first, or, after -OnTimeout, when -TimeoutSeconds pass.
    .PARAMETER Name
        The program's name in messages.
    .PARAMETER FilePath
        The program to start.
    .PARAMETER ArgumentList
        Its arguments (an empty one is passed as such, e.g. redis-server's --save '').
    .PARAMETER Properties
        What the returned object holds (Port, Directory, ...), besides Process.
    .PARAMETER Stop
        The Stop() method of the object ($this is the object).
    .PARAMETER Ready
        param($Server): $true when the server answers (an error counts as not yet; the last one is reported).
    .PARAMETER OnTimeout
        param($Server): stops a server that never answered.
    .PARAMETER LogFile
        The program's log (its tail goes into the errors).
    .PARAMETER TimeoutSeconds
        How long to wait for -Ready.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Name,

        [Parameter(Mandatory = $true)]
        [string]$FilePath,

        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string[]]$ArgumentList,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary]$Properties,

        [Parameter(Mandatory = $true)]
        [scriptblock]$Stop,

        [Parameter(Mandatory = $true)]
        [scriptblock]$Ready,

        [Parameter(Mandatory = $true)]
        [scriptblock]$OnTimeout,

        [Parameter(Mandatory = $true)]
        [string]$LogFile,

        [Parameter(Mandatory = $true)]
        [int]$TimeoutSeconds
    )
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) {
        $startInfo.ArgumentList.Add($a)
    }
    $startInfo.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $values = [ordered]@{}
    foreach ($key in $Properties.Keys) {
        $values[$key] = $Properties[$key]
    }
    $values['Process'] = $process
    $instance = [pscustomobject]$values
    $instance | Add-Member -MemberType ScriptMethod -Name Stop -Value $Stop
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $lastError = ''
    while ([DateTime]::UtcNow -lt $deadline) {
        try {
            if (& $Ready $instance) {
                return $instance
            }
        } catch {
            $lastError = $_.Exception.Message
        }
        if ($process.HasExited) {
            $tail = if (Test-Path -LiteralPath $LogFile) { (Get-Content -LiteralPath $LogFile -Tail 10) -join "`n" } else { '' }
            throw "$Name exited (code $($process.ExitCode)) on port $($values['Port'])`n$tail"
        }
        Start-Sleep -Milliseconds 100
    }
    & $OnTimeout $instance
    throw "$Name did not answer on port $($values['Port']) within $TimeoutSeconds s $lastError"
}

function Start-KrRedisServer {
    <#
    .SYNOPSIS
        Starts a redis-server of its own for a test, on 127.0.0.1 without persistence, and waits until it answers PING.
    .DESCRIPTION
        Without -Tls: redis-server --port <Port> --bind 127.0.0.1 --save '' --appendonly no. With -Tls: a throw-away
        CA and a server certificate for 127.0.0.1 and localhost are made with openssl in -Directory
        (New-KrTestCertificateAuthority; kept there, so a restart on the same folder reuses them) and redis-server
        listens with TLS only: --port 0 --tls-port <Port> --tls-cert-file ... --tls-key-file ... --tls-ca-cert-file ...
        --tls-auth-clients no. -Password adds --requirepass. Returns Port, Tls, Password, CaFile (-Tls only),
        Directory, Process and a Stop() method (Stop-KrRedisServer); Invoke-KrRedisCli talks to it.
    .PARAMETER Port
        The port (default: a free one). Start again with the same -Port and -Directory to restart a stopped server.
    .PARAMETER Directory
        The folder of its log (redis.log) and certificates (default: a new folder under the temp folder).
    .PARAMETER Tls
        Listen with TLS only, with a certificate of a CA made for the test.
    .PARAMETER Password
        Require this password (AUTH, or the user 'default' with it).
    .PARAMETER TimeoutSeconds
        How long to wait for PONG.
    #>
    [CmdletBinding()]
    param(
        [Parameter()]
        [ValidateRange(0, 65535)]
        [int]$Port = 0,

        [Parameter()]
        [string]$Directory,

        [Parameter()]
        [switch]$Tls,

        [Parameter()]
        [string]$Password,

        [Parameter()]
        [ValidateRange(1, 300)]
        [int]$TimeoutSeconds = 20
    )
    if ($Port -eq 0) {
        $Port = Get-FreeTcpPort
    }
    $Directory = New-KrTestServerFolder -Prefix 'redis' -Directory $Directory
    $arguments = [System.Collections.Generic.List[string]]::new()
    $caFile = $null
    if ($Tls.IsPresent) {
        $certificates = New-KrTestCertificateAuthority -Directory $Directory
        $caFile = $certificates.CaFile
        foreach ($a in @('--port', '0', '--tls-port', "$Port", '--tls-cert-file', $certificates.CertFile, '--tls-key-file', $certificates.KeyFile,
                '--tls-ca-cert-file', $certificates.CaFile, '--tls-auth-clients', 'no')) {
            $arguments.Add($a)
        }
    } else {
        foreach ($a in @('--port', "$Port")) { $arguments.Add($a) }
    }
    if (-not [string]::IsNullOrEmpty($Password)) {
        foreach ($a in @('--requirepass', $Password)) { $arguments.Add($a) }
    }
    foreach ($a in @('--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', $Directory,
            '--logfile', (Join-Path -Path $Directory -ChildPath 'redis.log'))) {
        $arguments.Add($a)
    }
    $server = (Get-Command -Name 'redis-server' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $properties = [ordered]@{
        Port      = $Port
        Tls       = $Tls.IsPresent
        Password  = if ([string]::IsNullOrEmpty($Password)) { $null } else { $Password }
        CaFile    = $caFile
        Directory = $Directory
    }
    Start-KrTestServerProcess -Name 'redis-server' -FilePath $server -ArgumentList $arguments -Properties $properties `
        -Stop { Stop-KrRedisServer -Server $this } `
        -Ready { param($Server) (Invoke-KrRedisCli -Server $Server -Arguments @('PING')) -contains 'PONG' } `
        -OnTimeout { param($Server) Stop-KrRedisServer -Server $Server } `
        -LogFile (Join-Path -Path $Directory -ChildPath 'redis.log') -TimeoutSeconds $TimeoutSeconds
}

function Stop-KrRedisServer {
    <#
    .SYNOPSIS
        Stops a redis-server of Start-KrRedisServer (the process it started, by its id) and waits for its end; with
        -RemoveDirectory also deletes its folder. Does nothing for a server already stopped.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowNull()]
        [object]$Server,

        [Parameter()]
        [switch]$RemoveDirectory
    )
    if ($null -eq $Server) {
        return
    }
    $process = $Server.Process
    if ($null -ne $process -and -not $process.HasExited) {
        $process.Kill()
        $null = $process.WaitForExit(10000)
    }
    if ($RemoveDirectory.IsPresent -and -not [string]::IsNullOrEmpty($Server.Directory)) {
        Remove-Item -LiteralPath $Server.Directory -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Get-KrPostgresProgram {
    <#
    .SYNOPSIS
        The path of one of PostgreSQL's programs (initdb, postgres, psql): from KR_PG_BIN, else the newest
        /usr/lib/postgresql/<version>/bin that has initdb, else PATH. Throws, with what to install, when it is missing.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('initdb', 'postgres', 'psql')]
        [string]$Name
    )
    $folders = [System.Collections.Generic.List[string]]::new()
    $configured = [System.Environment]::GetEnvironmentVariable('KR_PG_BIN')
    if (-not [string]::IsNullOrEmpty($configured)) {
        $folders.Add($configured)
    } elseif (Test-Path -LiteralPath '/usr/lib/postgresql') {
        $versions = @(Get-ChildItem -LiteralPath '/usr/lib/postgresql' -Directory -ErrorAction SilentlyContinue |
                Where-Object { Test-Path -LiteralPath (Join-Path -Path $_.FullName -ChildPath 'bin/initdb') } |
                Sort-Object -Property { $v = 0; if ([int]::TryParse($_.Name, [ref]$v)) { $v } else { 0 } } -Descending)
        foreach ($version in $versions) {
            $folders.Add((Join-Path -Path $version.FullName -ChildPath 'bin'))
        }
    }
    foreach ($folder in $folders) {
        $candidate = Join-Path -Path $folder -ChildPath $Name
        if (Test-Path -LiteralPath $candidate) {
            return $candidate
        }
    }
    $command = Get-Command -Name $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $command) {
        return $command.Source
    }
    throw "PostgreSQL's '$Name' was not found (in KR_PG_BIN, /usr/lib/postgresql/<version>/bin or PATH): install Debian's postgresql (tests/run-all.sh does)."
}

function Test-KrRunningAsRoot {
    <#
    .SYNOPSIS
        $true when this process runs as root (PostgreSQL's programs then run as the postgres user).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()
    try {
        [bool]([System.IO.File]::ReadAllLines('/proc/self/status') | Where-Object { $_ -match '^Uid:\s+0\s' })
    } catch {
        $false
    }
}

function Invoke-KrPostgresProgram {
    <#
    .SYNOPSIS
        Runs one of PostgreSQL's programs and waits for it (at most -TimeoutSeconds, then it is killed): as the postgres
        user (setpriv) when this process runs as root. Returns ExitCode, StdOut and StdErr.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('initdb', 'psql')]
        [string]$Name,

        [Parameter(Mandatory = $true)]
        [string[]]$Arguments,

        [Parameter()]
        [System.Collections.IDictionary]$Environment,

        [Parameter()]
        [int]$TimeoutSeconds = 60
    )
    $program = Get-KrPostgresProgram -Name $Name
    $prefix = @()
    if ($Name -eq 'initdb' -and (Test-KrRunningAsRoot)) {
        $setpriv = (Get-Command -Name 'setpriv' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        $prefix = @('--reuid=postgres', '--regid=postgres', '--init-groups', '--', $program)
        $program = $setpriv
    }
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($program)
    foreach ($a in @($prefix) + @($Arguments)) {
        $startInfo.ArgumentList.Add($a)
    }
    if ($null -ne $Environment) {
        foreach ($key in $Environment.Keys) {
            $startInfo.Environment[[string]$key] = [string]$Environment[$key]
        }
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill()
            $null = $process.WaitForExit(5000)
            throw "$Name did not finish within $TimeoutSeconds s: $($Arguments -join ' ')"
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            StdOut   = $stdout.GetAwaiter().GetResult()
            StdErr   = $stderr.GetAwaiter().GetResult()
        }
    } finally {
        $process.Dispose()
    }
}

function Invoke-KrPsql {
    <#
    .SYNOPSIS
        Runs SQL with psql against a server of Start-KrPostgresServer (user postgres, database postgres, unaligned
        output without headers) and returns the non-empty output lines; throws with psql's message when it fails.
    .PARAMETER Server
        What Start-KrPostgresServer returned.
    .PARAMETER Query
        The SQL, e.g. 'SELECT count(*) FROM public."Sessions"'.
    .PARAMETER TimeoutSeconds
        Bound of the connection, of the statement and of psql itself.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Server,

        [Parameter(Mandatory = $true)]
        [string]$Query,

        [Parameter()]
        [ValidateRange(1, 300)]
        [int]$TimeoutSeconds = 10
    )
    $result = Invoke-KrPostgresProgram -Name psql -TimeoutSeconds ($TimeoutSeconds + 5) -Arguments @(
        '-X', '-q', '-h', '127.0.0.1', '-p', "$($Server.Port)", '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-At', '-c', $Query
    ) -Environment @{ PGCONNECT_TIMEOUT = "$TimeoutSeconds"; PGOPTIONS = "-c statement_timeout=$($TimeoutSeconds * 1000)" }
    if ($result.ExitCode -ne 0) {
        throw "psql on port $($Server.Port) failed (exit code $($result.ExitCode)): $($result.StdErr.Trim())"
    }
    @($result.StdOut -split "`r?`n" | Where-Object { $_ -ne '' })
}

function Get-KrPostgresProcessId {
    <#
    .SYNOPSIS
        The PIDs of a server of Start-KrPostgresServer: its postmaster and the postmaster's children (pgrep -P), the
        children first; none when the postmaster is gone.
    #>
    [CmdletBinding()]
    [OutputType([int[]])]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Server
    )
    $process = $Server.Process
    if ($null -eq $process -or $process.HasExited) {
        return
    }
    $pgrep = (Get-Command -Name 'pgrep' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $children = @(& $pgrep -P "$($process.Id)" 2>$null | ForEach-Object { [int]$_ })
    @($children) + @($process.Id)
}

function Send-KrPostgresSignal {
    <#
    .SYNOPSIS
        Pauses (STOP) or resumes (CONT) a server of Start-KrPostgresServer: the signal goes to its postmaster and to
        every child of it (the backends of the open connections, the background processes). Paused, it is a hung
        database: connections stay open, nothing answers, new connections are accepted by the kernel and never served.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Server,

        [Parameter(Mandatory = $true)]
        [ValidateSet('STOP', 'CONT')]
        [string]$Signal
    )
    $kill = (Get-Command -Name 'kill' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    if ($Signal -eq 'STOP') {
        # The postmaster first: once it is stopped it forks no new child, so the list of children below is complete.
        & $kill -STOP "$($Server.Process.Id)"
        if ($LASTEXITCODE -ne 0) {
            throw "kill -STOP $($Server.Process.Id) failed"
        }
    }
    $ids = @(Get-KrPostgresProcessId -Server $Server)
    if ($ids.Count -gt 0) {
        & $kill "-$Signal" @($ids | ForEach-Object { "$_" }) 2>$null
    }
    $Server.Paused = $Signal -eq 'STOP'
}

function Start-KrPostgresServer {
    <#
    .SYNOPSIS
        Starts a PostgreSQL server of its own for a test: a new cluster (initdb -A trust, user postgres) in a temporary
        folder, listening on 127.0.0.1 only, on a free port; waits until it answers a query.
    .DESCRIPTION
        initdb -A trust -U postgres --no-sync -D <Directory>/data (when the folder holds no cluster yet), then
        postgres -D <Directory>/data -p <Port> -k <Directory> -c listen_addresses=127.0.0.1 -c fsync=off, its output in
        <Directory>/postgres.log. When this process runs as root, both run as the postgres user (setpriv; PostgreSQL
        refuses root) and the folder is given to that user. Trust authentication: any password in a connection
        string is accepted (and must never show in a log). Returns Port, Directory, DataDirectory, LogFile, Process
        (the postmaster), Paused and a Stop() method; Invoke-KrPsql runs SQL on it, Send-KrPostgresSignal pauses and
        resumes it, Stop-KrPostgresServer stops (or kills) it, and starting again with the same -Port and -Directory
        restarts it on its data.
    .PARAMETER Port
        The port (default: a free one).
    .PARAMETER Directory
        The folder of the cluster, the socket and the log (default: a new folder under the temp folder).
    .PARAMETER TimeoutSeconds
        How long to wait for the server to answer.
    #>
    [CmdletBinding()]
    param(
        [Parameter()]
        [ValidateRange(0, 65535)]
        [int]$Port = 0,

        [Parameter()]
        [string]$Directory,

        [Parameter()]
        [ValidateRange(1, 300)]
        [int]$TimeoutSeconds = 30
    )
    if ($Port -eq 0) {
        $Port = Get-FreeTcpPort
    }
    $Directory = New-KrTestServerFolder -Prefix 'pg' -Directory $Directory
    $data = Join-Path -Path $Directory -ChildPath 'data'
    $log = Join-Path -Path $Directory -ChildPath 'postgres.log'
    $postgres = Get-KrPostgresProgram -Name postgres
    $root = Test-KrRunningAsRoot
    if ($root) {
        $chown = (Get-Command -Name 'chown' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        & $chown -R 'postgres:postgres' $Directory
        if ($LASTEXITCODE -ne 0) {
            throw "chown -R postgres:postgres '$Directory' failed (is there a postgres user? Debian's postgresql makes it)"
        }
    }
    if (-not (Test-Path -LiteralPath (Join-Path -Path $data -ChildPath 'PG_VERSION'))) {
        $init = Invoke-KrPostgresProgram -Name initdb -Arguments @('-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '-D', $data)
        if ($init.ExitCode -ne 0) {
            throw "initdb failed (exit code $($init.ExitCode)) in '$data': $($init.StdErr.Trim())"
        }
    }
    # sh opens the log and execs (setpriv execs too): the started process is the postmaster itself, whose PID is the
    # one to signal; its output never reaches this process.
    $command = @($postgres, '-D', $data, '-p', "$Port", '-k', $Directory, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off')
    if ($root) {
        $setpriv = (Get-Command -Name 'setpriv' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        $command = @($setpriv, '--reuid=postgres', '--regid=postgres', '--init-groups', '--') + $command
    }
    $properties = [ordered]@{
        Port          = $Port
        Directory     = $Directory
        DataDirectory = $data
        LogFile       = $log
        Paused        = $false
    }
    Start-KrTestServerProcess -Name 'postgres' -FilePath '/bin/sh' -Properties $properties `
        -ArgumentList (@('-c', 'log=$1; shift; exec "$@" <"/dev/null" >>"$log" 2>&1', 'sh', $log) + $command) `
        -Stop { Stop-KrPostgresServer -Server $this } `
        -Ready { param($Server) (Invoke-KrPsql -Server $Server -Query 'SELECT 1' -TimeoutSeconds 2) -contains '1' } `
        -OnTimeout { param($Server) Stop-KrPostgresServer -Server $Server -Kill } `
        -LogFile $log -TimeoutSeconds $TimeoutSeconds
}

function Stop-KrPostgresServer {
    <#
    .SYNOPSIS
        Stops a server of Start-KrPostgresServer (resumed first when paused): a fast shutdown (SIGINT to the postmaster,
        SIGKILL after 10 s), or with -Kill a crash (SIGKILL to the postmaster and every child of it at once). Waits until
        its processes are gone and the port is free; with -RemoveDirectory also deletes its folder. Does nothing for a
        server already stopped.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowNull()]
        [object]$Server,

        [Parameter()]
        [switch]$Kill,

        [Parameter()]
        [switch]$RemoveDirectory
    )
    if ($null -eq $Server) {
        return
    }
    $process = $Server.Process
    if ($null -ne $process -and -not $process.HasExited) {
        $killPath = (Get-Command -Name 'kill' -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        $ids = @(Get-KrPostgresProcessId -Server $Server)
        if ($Kill.IsPresent) {
            & $killPath -KILL @($ids | ForEach-Object { "$_" }) 2>$null
        } else {
            if ($Server.Paused) {
                & $killPath -CONT @($ids | ForEach-Object { "$_" }) 2>$null
            }
            & $killPath -INT "$($process.Id)" 2>$null
            if (-not $process.WaitForExit(10000)) {
                $ids = @(Get-KrPostgresProcessId -Server $Server)
                & $killPath -KILL @($ids | ForEach-Object { "$_" }) 2>$null
            }
        }
        $null = $process.WaitForExit(15000)
        $Server.Paused = $false
        # The children end with the postmaster (or were killed with it); wait for them and for the port.
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ([DateTime]::UtcNow -lt $deadline) {
            $alive = @($ids | Where-Object { $stat = Get-KrProcessStat -Id $_; $null -ne $stat -and $stat.State -notin @('Z', 'X', 'x') })
            $listening = $false
            $client = [System.Net.Sockets.TcpClient]::new()
            try {
                $listening = $client.ConnectAsync('127.0.0.1', $Server.Port).Wait(500)
            } catch {
                $listening = $false
            } finally {
                $client.Dispose()
            }
            if ($alive.Count -eq 0 -and -not $listening) {
                break
            }
            Start-Sleep -Milliseconds 100
        }
    }
    if ($RemoveDirectory.IsPresent -and -not [string]::IsNullOrEmpty($Server.Directory)) {
        Remove-Item -LiteralPath $Server.Directory -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# ---- servers of this process -------------------------------------------------------------------------------------

function New-KrTestServer {
    <#
    .SYNOPSIS
        A new server of this process for one test, named <Prefix>-<8 random hex digits> (New-KrServer -PassThru).
    .PARAMETER Prefix
        The start of its name.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Prefix
    )
    New-KrServer -Name "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 8))" -PassThru
}

function Remove-KrTestServer {
    <#
    .SYNOPSIS
        Removes a server of New-KrTestServer (stopped first when running); nothing for $null.
    .PARAMETER Server
        The server.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowNull()]
        [object]$Server
    )
    if ($null -ne $Server) {
        Remove-KrServer -Server $Server -Force
    }
}

# ---- sessions shared by servers (Redis.Tests.ps1, SqlSessions.Tests.ps1, the tutorials) ------------------------------

function Invoke-KrTutorialStep {
    <#
    .SYNOPSIS
        One step of the 19.1 tutorial's "Try it" transcript with curl and a cookie jar, with its assertions: Counter
        (1 then 2), LoginRequired (whoami 401 JSON), Login (login max, whoami max), SetGet (color=purple), Logout
        (logout, then whoami 401 and get 404).
    .PARAMETER Step
        The step.
    .PARAMETER BaseUrl
        The server.
    .PARAMETER Jar
        The cookie jar of the session.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('Counter', 'LoginRequired', 'Login', 'SetGet', 'Logout')]
        [string]$Step,

        [Parameter(Mandatory = $true)]
        [string]$BaseUrl,

        [Parameter(Mandatory = $true)]
        [string]$Jar
    )
    switch ($Step) {
        'Counter' {
            Invoke-KrCurl -Url "$BaseUrl/session/counter" -Jar $Jar | Assert-KrResponse -Json ([ordered]@{ message = 'Counter incremented'; counter = 1 })
            Invoke-KrCurl -Url "$BaseUrl/session/counter" -Jar $Jar | Assert-KrResponse -Json @{ counter = 2 }
        }
        'LoginRequired' {
            Invoke-KrCurl -Url "$BaseUrl/session/whoami" -Jar $Jar |
                Assert-KrResponse -Status 401 -Json @{ error = 'No active session or user not set' } -ContentType 'application/json'
        }
        'Login' {
            Invoke-KrCurl -Url "$BaseUrl/session/login?user=max" -Jar $Jar | Assert-KrResponse -Json ([ordered]@{ message = 'Logged in'; user = 'max' })
            Invoke-KrCurl -Url "$BaseUrl/session/whoami" -Jar $Jar | Assert-KrResponse -Json @{ user = 'max' }
        }
        'SetGet' {
            Invoke-KrCurl -Url "$BaseUrl/session/set?key=color&value=purple" -Jar $Jar |
                Assert-KrResponse -Json ([ordered]@{ message = 'Stored in session'; key = 'color'; value = 'purple' })
            Invoke-KrCurl -Url "$BaseUrl/session/get?key=color" -Jar $Jar | Assert-KrResponse -Json ([ordered]@{ key = 'color'; value = 'purple' })
        }
        'Logout' {
            Invoke-KrCurl -Url "$BaseUrl/session/logout" -Jar $Jar | Assert-KrResponse -Json @{ message = 'Session cleared' }
            Invoke-KrCurl -Url "$BaseUrl/session/whoami" -Jar $Jar | Assert-KrResponse -Status 401
            Invoke-KrCurl -Url "$BaseUrl/session/get?key=color" -Jar $Jar | Assert-KrResponse -Status 404
        }
    }
}

function Assert-KrSharedSession {
    <#
    .SYNOPSIS
        One session of the 19.1 tutorial's routes continued on two servers with one cookie jar: counter 1 on the first,
        2 on the second, login on the first seen by the second, set on the second read on the first, counter 3; the jar
        holds one session cookie.
    .PARAMETER First
        The first server (Start-KrTestScript).
    .PARAMETER Second
        The second server.
    .PARAMETER Jar
        The cookie jar.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$First,

        [Parameter(Mandatory = $true)]
        [object]$Second,

        [Parameter(Mandatory = $true)]
        [string]$Jar
    )
    $First.Port | Should -Not -Be $Second.Port
    $a = $First.BaseUrl
    $b = $Second.BaseUrl
    Invoke-KrCurl -Url "$a/session/counter" -Jar $Jar | Assert-KrResponse -Json @{ counter = 1 }
    Invoke-KrCurl -Url "$b/session/counter" -Jar $Jar | Assert-KrResponse -Json @{ counter = 2 }
    Invoke-KrCurl -Url "$b/session/whoami" -Jar $Jar | Assert-KrResponse -Status 401
    Invoke-KrCurl -Url "$a/session/login?user=max" -Jar $Jar | Assert-KrResponse -Json @{ user = 'max' }
    Invoke-KrCurl -Url "$b/session/whoami" -Jar $Jar | Assert-KrResponse -Json @{ user = 'max' }
    Invoke-KrCurl -Url "$b/session/set?key=color&value=purple" -Jar $Jar | Assert-KrResponse -Json @{ value = 'purple' }
    Invoke-KrCurl -Url "$a/session/get?key=color" -Jar $Jar | Assert-KrResponse -Json ([ordered]@{ key = 'color'; value = 'purple' })
    Invoke-KrCurl -Url "$a/session/counter" -Jar $Jar | Assert-KrResponse -Json @{ counter = 3 }
    # One session: the jar holds one session cookie.
    @(Get-Content -LiteralPath $Jar | Where-Object { $_ -match "`tKr\.Session`t" }).Count | Should -Be 1
}

function New-KrSeedVariant {
    <#
    .SYNOPSIS
        Writes the seed script with one line inserted before its Add-KrSession line and a suffix added to that line,
        nothing else changed (its bytes, encoding and line ends kept); returns the path written.
    .PARAMETER Seed
        The seed script (19.1-Sessions.ps1).
    .PARAMETER CacheLine
        The line to insert, e.g. "Add-KrDistributedRedisCache -Configuration '127.0.0.1:6379' -InstanceName 'X_'".
    .PARAMETER SessionSuffix
        What is added at the end of the Add-KrSession line.
    .PARAMETER Path
        The file to write.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Seed,

        [Parameter(Mandatory = $true)]
        [string]$CacheLine,

        [Parameter()]
        [string]$SessionSuffix = ' -NoDistributedMemoryCache',

        [Parameter(Mandatory = $true)]
        [string]$Path
    )
    # Latin-1 maps every byte to one character and back: the bytes of the seed are kept as they are.
    $latin = [System.Text.Encoding]::Latin1
    $text = $latin.GetString([System.IO.File]::ReadAllBytes($Seed))
    $pattern = '(?m)^Add-KrSession\b[^\r\n]*'
    [regex]::Matches($text, $pattern).Count | Should -Be 1 -Because 'the seed has one Add-KrSession line'
    $match = [regex]::Match($text, $pattern)
    $newline = if ($text.Contains("`r`n")) { "`r`n" } else { "`n" }
    $changed = $text.Substring(0, $match.Index) + $CacheLine + $newline + $match.Value + $SessionSuffix + $text.Substring($match.Index + $match.Length)
    $null = New-Item -ItemType Directory -Path (Split-Path -Path $Path -Parent) -Force
    [System.IO.File]::WriteAllBytes($Path, $latin.GetBytes($changed))
    $Path
}

function Assert-KrSeedVariant {
    <#
    .SYNOPSIS
        Asserts that a script differs from the seed (the tutorial's 19.1) only by the inserted cache line and
        -NoDistributedMemoryCache on its Add-KrSession line: line by line, then byte for byte; and that it holds none of
        -Forbidden (no secret).
    .PARAMETER Seed
        The seed script.
    .PARAMETER Script
        The script run (New-KrSeedVariant).
    .PARAMETER CacheLine
        The inserted line.
    .PARAMETER Forbidden
        A pattern the script must not match.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Seed,

        [Parameter(Mandatory = $true)]
        [string]$Script,

        [Parameter(Mandatory = $true)]
        [string]$CacheLine,

        [Parameter(Mandatory = $true)]
        [string]$Forbidden
    )
    $seedLines = [System.IO.File]::ReadAllLines($Seed)
    $lines = [System.IO.File]::ReadAllLines($Script)
    $at = @(0..($seedLines.Count - 1) | Where-Object { $seedLines[$_] -match '^Add-KrSession\b' })
    $at.Count | Should -Be 1
    $i = $at[0]
    $seedLines[$i] | Should -BeExactly 'Add-KrSession -Cookie $cookie -IdleTimeout 20 -IOTimeout 10' -Because 'the seed is the tutorial''s 19.1'
    $lines.Count | Should -Be ($seedLines.Count + 1)
    $lines[0..($i - 1)] | Should -Be $seedLines[0..($i - 1)]
    $lines[$i] | Should -BeExactly $CacheLine
    $lines[$i + 1] | Should -BeExactly 'Add-KrSession -Cookie $cookie -IdleTimeout 20 -IOTimeout 10 -NoDistributedMemoryCache'
    $lines[($i + 2)..($lines.Count - 1)] | Should -Be $seedLines[($i + 1)..($seedLines.Count - 1)]
    # Byte for byte: without the inserted line (and its line end) and the added switch, the script is the seed's bytes.
    $latin = [System.Text.Encoding]::Latin1
    $seedText = $latin.GetString([System.IO.File]::ReadAllBytes($Seed))
    $newline = if ($seedText.Contains("`r`n")) { "`r`n" } else { "`n" }
    $scriptText = $latin.GetString([System.IO.File]::ReadAllBytes($Script))
    $scriptText.IndexOf($CacheLine + $newline, [System.StringComparison]::Ordinal) | Should -BeGreaterThan 0
    $restored = [regex]::Replace($scriptText.Replace($CacheLine + $newline, ''), '(?m)^(Add-KrSession\b[^\r\n]*) -NoDistributedMemoryCache(?=\r?\n)', '$1')
    $restored | Should -BeExactly $seedText
    [System.IO.File]::ReadAllText($Script) | Should -Not -Match $Forbidden
}

function Stop-KrTrackedTestScript {
    <#
    .SYNOPSIS
        Stops a server started by a test (Stop-KrTestScript -ShowOutput: its output goes to the test log), drops it from
        the test's list of running servers, and returns its output as one text; without -Instance stops every server
        of the list (what an AfterAll does), returning nothing.
    .PARAMETER Instance
        What Start-KrTestScript returned.
    .PARAMETER Running
        The test's list of the servers it started and has not stopped yet.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter()]
        [object]$Instance,

        [Parameter()]
        [AllowNull()]
        [System.Collections.Generic.List[object]]$Running
    )
    if ($null -eq $Instance) {
        foreach ($server in @($Running | Where-Object { $null -ne $_ })) {
            $null = Stop-KrTrackedTestScript -Instance $server -Running $Running
        }
        return
    }
    if ($null -ne $Running) {
        $null = $Running.Remove($Instance)
    }
    $output = Stop-KrTestScript -Instance $Instance -ShowOutput
    "$($output.StdOut)`n$($output.StdErr)"
}

function Get-KrSessionCounter {
    <#
    .SYNOPSIS
        The counter of a 200 answer of /session/counter (Invoke-KrHttpBatch); asserts the 200.
    .PARAMETER Response
        The response.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Response
    )
    $Response.Status | Should -Be 200 -Because $Response.Body
    [int]($Response.Body | ConvertFrom-Json).counter
}

function Invoke-KrIncrementBurst {
    <#
    .SYNOPSIS
        400 GET /session/counter of one session (its cookie), alternately to two servers, all in flight at once;
        asserts that every one is answered 200 with its own value, -First + 1 .. -First + 400.
    .PARAMETER Client
        An HttpClient of New-KrHttpClient (its connections bound how many run at once).
    .PARAMETER BaseUrl
        The two servers.
    .PARAMETER Cookie
        The session's cookie (name=value).
    .PARAMETER First
        The counter before the burst.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Net.Http.HttpClient]$Client,

        [Parameter(Mandatory = $true)]
        [string[]]$BaseUrl,

        [Parameter(Mandatory = $true)]
        [string]$Cookie,

        [Parameter(Mandatory = $true)]
        [int]$First
    )
    $urls = foreach ($i in 0..399) {
        "$($BaseUrl[$i % 2])/session/counter"
    }
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $responses = @(Invoke-KrHttpBatch -Client $Client -Url $urls -Cookie $Cookie)
    Write-Host "400 increments of one session over two servers in $([Math]::Round($watch.Elapsed.TotalSeconds, 2)) s"
    $failed = @($responses | Where-Object Status -NE 200)
    $failed.Count | Should -Be 0 -Because (($failed | Select-Object -First 3 | ForEach-Object { "$($_.Status) $($_.Body)" }) -join "`n")
    $values = @($responses | ForEach-Object { Get-KrSessionCounter -Response $_ } | Sort-Object)
    $values | Should -Be @(($First + 1)..($First + 400)) -Because 'each increment saw the one before it, on either server'
}

function New-KrOutageProbe {
    <#
    .SYNOPSIS
        What the outage tests of a session store share: one session (its Cookie, set by the test) on one server, and
        every counter value answered 200 (Acknowledged), each of which must stay stored.
    .PARAMETER Client
        An HttpClient of New-KrHttpClient.
    .PARAMETER BaseUrl
        The server.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Net.Http.HttpClient]$Client,

        [Parameter(Mandatory = $true)]
        [string]$BaseUrl
    )
    [pscustomobject]@{
        Client       = $Client
        BaseUrl      = $BaseUrl
        Cookie       = $null
        Acknowledged = [System.Collections.Generic.List[int]]::new()
    }
}

function Invoke-KrOutageRequest {
    <#
    .SYNOPSIS
        One request of the probe's session; a 200 of /session/counter adds its counter to the probe's Acknowledged.
    .PARAMETER Probe
        New-KrOutageProbe's object.
    .PARAMETER Path
        The route (default /session/counter).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Probe,

        [Parameter()]
        [string]$Path = '/session/counter'
    )
    # No Cookie header until the test has set the probe's cookie.
    $response = Invoke-KrHttpBatch -Client $Probe.Client -Url "$($Probe.BaseUrl)$Path" -Cookie @($Probe.Cookie | Where-Object { $_ })
    if ($Path -eq '/session/counter' -and $response.Status -eq 200) {
        $Probe.Acknowledged.Add((Get-KrSessionCounter -Response $response))
    }
    $response
}

function Assert-KrOutageAnswers {
    <#
    .SYNOPSIS
        While the store does not answer: three writes answered 503 (JSON, a message matching -Message) and a read
        (whoami) answered 401, each within -BoundSeconds; a route without session state answers as usual.
    .PARAMETER Probe
        New-KrOutageProbe's object.
    .PARAMETER BoundSeconds
        The longest an answer may take (the IO timeout and the store's own timeouts).
    .PARAMETER Message
        A pattern of the 503's message.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Probe,

        [Parameter(Mandatory = $true)]
        [double]$BoundSeconds,

        [Parameter(Mandatory = $true)]
        [string]$Message
    )
    foreach ($i in 1..3) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $response = Invoke-KrOutageRequest -Probe $Probe
        $watch.Elapsed.TotalSeconds | Should -BeLessThan $BoundSeconds -Because 'every store wait is bounded by the IO timeout'
        $response.Status | Should -Be 503 -Because "a write that was not stored is never answered 200: $($response.Body)"
        $response.ContentType | Should -Be 'application/json'
        ($response.Body | ConvertFrom-Json).message | Should -Match $Message
    }
    # Reads: the session is served empty (whoami 401); a route that does not use the session answers as usual.
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $read = Invoke-KrOutageRequest -Probe $Probe -Path '/session/whoami'
    $watch.Elapsed.TotalSeconds | Should -BeLessThan $BoundSeconds -Because 'the load is bounded by the IO timeout'
    $read.Status | Should -Be 401 -Because $read.Body
    $hello = Invoke-KrOutageRequest -Probe $Probe -Path '/hello'
    $hello.Status | Should -Be 200
    $hello.Body | Should -Be 'Hello, Session World!'
}

function Wait-KrOutageRecovery {
    <#
    .SYNOPSIS
        Writes until one is answered 200 again (503 meanwhile, for at most 30 s); then asserts that the session
        continued after every acknowledged value (with -Exact: from the highest one, + 1), that no value was
        acknowledged twice, and that the next write is the next value.
    .PARAMETER Probe
        New-KrOutageProbe's object.
    .PARAMETER Exact
        The first write after the outage is the highest acknowledged value + 1 (no write of the outage was stored).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Probe,

        [Parameter()]
        [switch]$Exact
    )
    $acknowledged = $Probe.Acknowledged
    $before = ($acknowledged | Measure-Object -Maximum).Maximum
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ($true) {
        $response = Invoke-KrOutageRequest -Probe $Probe
        if ($response.Status -eq 200) {
            break
        }
        $response.Status | Should -Be 503 -Because $response.Body
        [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'sessions work again once the store answers'
        Start-Sleep -Milliseconds 200
    }
    $last = $acknowledged[$acknowledged.Count - 1]
    $last | Should -BeGreaterThan $before -Because "every acknowledged increment is stored: $($acknowledged -join ', ')"
    if ($Exact.IsPresent) {
        $last | Should -Be ($before + 1) -Because "no write of the outage was stored: $($acknowledged -join ', ')"
    }
    @($acknowledged | Select-Object -Unique).Count | Should -Be $acknowledged.Count -Because "no counter value is acknowledged twice: $($acknowledged -join ', ')"
    $null = Invoke-KrOutageRequest -Probe $Probe
    $acknowledged[$acknowledged.Count - 1] | Should -Be ($last + 1)
}

$exported = @(
    'Get-KrRepoRoot', 'Get-KrStagedModulePath', 'Get-KrStagedManifest', 'Get-KrErrorIdSuffix', 'Get-KrSeedScript', 'Get-FreeTcpPort', 'Get-KrPwshPath',
    'Invoke-KrChildPwsh', 'Start-KrTestScript', 'Stop-KrTestScript', 'Wait-KrTestScriptExit', 'Invoke-KrCurl', 'Assert-KrResponse', 'Get-KrSetCookie',
    'Get-KrHeaderValue', 'Get-KrCookiePair', 'New-KrHttpClient', 'Remove-KrHttpClient', 'Invoke-KrHttpBatch',
    'Test-KrProcessGroupSupport', 'Get-KrTestLogPath', 'Get-KrProcessGroupLogPath', 'Get-KrProcessStat', 'Get-KrProcessGroupMember',
    'Stop-KrProcessGroup', 'Get-KrProcessGroupRecord', 'Get-KrLeftoverTestProcess',
    'Get-KrRedisMissingReason', 'New-KrTestCertificateAuthority', 'Start-KrRedisServer', 'Stop-KrRedisServer', 'Invoke-KrRedisCli',
    'Get-KrPostgresProgram', 'Start-KrPostgresServer', 'Stop-KrPostgresServer', 'Invoke-KrPsql', 'Send-KrPostgresSignal', 'Get-KrPostgresProcessId',
    'New-KrTestServer', 'Remove-KrTestServer', 'Invoke-KrTutorialStep', 'Assert-KrSharedSession', 'New-KrSeedVariant', 'Assert-KrSeedVariant', 'Stop-KrTrackedTestScript',
    'Get-KrSessionCounter', 'Invoke-KrIncrementBurst', 'New-KrOutageProbe', 'Invoke-KrOutageRequest', 'Assert-KrOutageAnswers', 'Wait-KrOutageRecovery'
)
Export-ModuleMember -Function $exported
