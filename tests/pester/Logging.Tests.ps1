# Logging from PowerShell: Kestrun's console format '[HH:mm:ss LVL] message', Add-KrSinkConsole -OutputTemplate and
# -RestrictedToMinimumLevel, Add-KrSinkFile -RollingInterval / -RetainedFileCountLimit / -OutputTemplate, rejected
# templates and intervals, Close-KrLogger closing the files, and no output at all without a logger.
# Console sinks write to the process's standard output, so those cases run in a child pwsh.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    Import-Module (Get-KrStagedManifest) -Force -ErrorAction Stop
    Close-KrLogger

    function Invoke-KrLoggingChild {
        param([string]$Script)
        $r = Invoke-KrChildPwsh -Command ("Import-Module Kestrun.Rust -ErrorAction Stop`n" + $Script)
        $r.ExitCode | Should -Be 0 -Because "the child succeeds:`n$($r.StdOut)`n$($r.StdErr)"
        $r
    }

    # The file names tracing-appender gives rolled files of -Path <dir>/log-.txt.
    $script:rolledName = @{
        Day    = '^log\.\d{4}-\d\d-\d\d\.txt$'
        Hour   = '^log\.\d{4}-\d\d-\d\d-\d\d\.txt$'
        Minute = '^log\.\d{4}-\d\d-\d\d-\d\d-\d\d\.txt$'
    }
    # Kestrun's default file template: {Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}
    $script:fileLine = '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d'
}

AfterAll {
    Close-KrLogger
}

Describe 'Console sink' {
    It 'writes Kestrun''s default format [HH:mm:ss LVL] message, from the logger''s level up' {
        $r = Invoke-KrLoggingChild -Script @'
New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'console' -SetAsDefault
Write-KrLog -Level Verbose -Message 'below the level'
Write-KrLog -Level Debug -Message 'debug line'
Write-KrLog -Message 'information line'
Write-KrLog -Level Fatal -Message 'fatal line'
Close-KrLogger
Write-KrLog -Level Error -Message 'after close'
'@
        $r.StdOut | Should -Match '(?m)^\[\d\d:\d\d:\d\d DBG\] debug line\r?$'
        $r.StdOut | Should -Match '(?m)^\[\d\d:\d\d:\d\d INF\] information line\r?$'
        $r.StdOut | Should -Match '(?m)^\[\d\d:\d\d:\d\d FTL\] fatal line\r?$'
        $r.StdOut | Should -Not -Match 'below the level|after close'
    }

    It '-OutputTemplate takes Serilog''s tokens; -RestrictedToMinimumLevel filters the sink' {
        $r = Invoke-KrLoggingChild -Script @'
New-KrLogger | Set-KrLoggerLevel -Value Verbose |
    Add-KrSinkConsole -OutputTemplate '{Level:w3}|{Level,-11}|{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz}|{Message:lj}{NewLine}{Exception}' -RestrictedToMinimumLevel Information |
    Register-KrLogger -Name 'templated' -SetAsDefault
Write-KrLog -Level Debug -Message 'debug hidden'
Write-KrLog -Level Information -Message 'info shown'
Write-KrLog -Level Warning -Message 'warning {{not a token}}'
Close-KrLogger
'@
        $r.StdOut | Should -Match '(?m)^inf\|Information\|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d\|info shown\r?$'
        $r.StdOut | Should -Match '(?m)^wrn\|Warning    \|[^|]+\|warning \{\{not a token\}\}\r?$'
        $r.StdOut | Should -Not -Match 'debug hidden'
    }

    It 'writes nothing at all when no logger is registered' {
        $r = Invoke-KrLoggingChild -Script @'
Write-KrLog -Level Fatal -Message 'nobody listens'
New-KrLogger | Register-KrLogger -Name 'no sinks' -SetAsDefault
Write-KrLog -Level Error -Message 'still nobody'
'@
        $r.StdOut | Should -Not -Match 'nobody'
        $r.StdErr | Should -Not -Match 'nobody'
    }

    It 'rejects an unknown token at Add-KrSinkConsole, naming it' {
        $err = { New-KrLogger | Add-KrSinkConsole -OutputTemplate '[{Level:u3}] {SourceContext} {Message}' } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.FullyQualifiedErrorId | Should -BeLike 'KrAddConsoleSinkFailed*'
        $err.Exception.Message | Should -BeLike '*{SourceContext}: unknown token*{Timestamp*{Level*{Message*'
        { New-KrLogger | Add-KrSinkConsole -OutputTemplate '[{Level:u3] {Message}' } | Should -Throw '*unclosed*'
        { New-KrLogger | Add-KrSinkConsole -OutputTemplate '{Level:x9}' } | Should -Throw '*unsupported Level format*'
    }

    It 'accepts Kestrun''s own console template (with {ErrorRecord})' {
        $config = New-KrLogger | Add-KrSinkConsole -OutputTemplate '[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{ErrorRecord}{Exception}'
        $config.Sinks[0].OutputTemplate | Should -BeLike '*{ErrorRecord}*'
    }
}

Describe 'File sink' {
    BeforeEach {
        Close-KrLogger
    }

    It 'writes Kestrun''s default file format and keeps -OutputTemplate and -RestrictedToMinimumLevel per sink' {
        $plain = Join-Path -Path $TestDrive -ChildPath 'plain/server.log'
        $errors = Join-Path -Path $TestDrive -ChildPath 'plain/errors.log'
        New-KrLogger | Set-KrLoggerLevel -Value Debug |
            Add-KrSinkFile -Path $plain |
            Add-KrSinkFile -Path $errors -RestrictedToMinimumLevel Error -OutputTemplate '{Level:u3} {Message}{NewLine}' |
            Register-KrLogger -Name 'files' -SetAsDefault
        Write-KrLog -Level Debug -Message 'file debug'
        Write-KrLog -Level Error -Message 'file error'
        Close-KrLogger
        $text = Get-Content -LiteralPath $plain -Raw
        $text | Should -Match "(?m)^$fileLine \[DBG\] file debug\r?$"
        $text | Should -Match "(?m)^$fileLine \[ERR\] file error\r?$"
        Get-Content -LiteralPath $errors -Raw | Should -Be "ERR file error`n"
    }

    It '-RollingInterval <Interval> names the files stem.period.extension (log.2026-11-29.txt)' -TestCases @(
        @{ Interval = 'Day' }, @{ Interval = 'Hour' }, @{ Interval = 'Minute' }
    ) {
        param($Interval)
        $dir = Join-Path -Path $TestDrive -ChildPath "roll-$Interval"
        New-KrLogger | Add-KrSinkFile -Path (Join-Path -Path $dir -ChildPath 'log-.txt') -RollingInterval $Interval |
            Register-KrLogger -Name 'rolled' -SetAsDefault
        Write-KrLog -Message "rolled by $Interval"
        Close-KrLogger
        $files = @(Get-ChildItem -LiteralPath $dir -File)
        $files.Count | Should -Be 1
        $files[0].Name | Should -Match $rolledName[$Interval]
        Get-Content -LiteralPath $files[0].FullName -Raw | Should -Match "^$fileLine \[INF\] rolled by $Interval\r?\n$"
    }

    It '-RollingInterval Infinite (the default) writes the path as given' {
        $path = Join-Path -Path $TestDrive -ChildPath 'infinite/log-.txt'
        New-KrLogger | Add-KrSinkFile -Path $path | Register-KrLogger -Name 'one' -SetAsDefault
        Write-KrLog -Message 'one file'
        Close-KrLogger
        (Get-ChildItem -LiteralPath (Split-Path -Path $path) -File).Name | Should -Be 'log-.txt'
    }

    It '-RetainedFileCountLimit keeps that many rolled files, other files untouched' {
        $dir = Join-Path -Path $TestDrive -ChildPath 'retained'
        $null = New-Item -ItemType Directory -Path $dir
        foreach ($minute in 1..4) {
            Set-Content -LiteralPath (Join-Path -Path $dir -ChildPath "log.2020-01-01-00-0$minute.txt") -Value 'old'
            Start-Sleep -Milliseconds 20
        }
        Set-Content -LiteralPath (Join-Path -Path $dir -ChildPath 'readme.md') -Value 'not a log'
        New-KrLogger | Add-KrSinkFile -Path (Join-Path -Path $dir -ChildPath 'log-.txt') -RollingInterval Minute -RetainedFileCountLimit 3 |
            Register-KrLogger -Name 'retained' -SetAsDefault
        Write-KrLog -Message 'newest'
        Close-KrLogger
        $logs = @(Get-ChildItem -LiteralPath $dir -File -Filter 'log.*.txt' | Sort-Object -Property Name)
        $logs.Count | Should -Be 3
        $logs.Name | Should -Contain 'log.2020-01-01-00-04.txt'
        $logs.Name | Should -Not -Contain 'log.2020-01-01-00-01.txt'
        Test-Path -LiteralPath (Join-Path -Path $dir -ChildPath 'readme.md') | Should -BeTrue
    }

    It 'rejects -RollingInterval <Interval> with a clear error' -TestCases @(@{ Interval = 'Month' }, @{ Interval = 'Year' }) {
        param($Interval)
        $err = { New-KrLogger | Add-KrSinkFile -Path (Join-Path -Path $TestDrive -ChildPath 'x-.txt') -RollingInterval $Interval } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Be "The rolling interval $Interval is not supported by the file sink; use Infinite, Day, Hour or Minute."
    }

    It 'rejects -RetainedFileCountLimit 0 and an unknown token' {
        { New-KrLogger | Add-KrSinkFile -Path (Join-Path -Path $TestDrive -ChildPath 'x-.txt') -RollingInterval Day -RetainedFileCountLimit 0 } |
            Should -Throw '*at least 1*'
        { New-KrLogger | Add-KrSinkFile -Path (Join-Path -Path $TestDrive -ChildPath 'x.txt') -OutputTemplate '{Properties}' } |
            Should -Throw '*{Properties}: unknown token*'
    }

    It 'Set-KrLoggerLevel on the registered configuration changes the level at run time' {
        $path = Join-Path -Path $TestDrive -ChildPath 'level/run-time.log'
        $config = New-KrLogger | Set-KrLoggerLevel -Value Warning | Add-KrSinkFile -Path $path
        $logger = $config | Register-KrLogger -Name 'run-time' -SetAsDefault -PassThru
        Write-KrLog -Level Information -Message 'information at Warning'
        $config | Set-KrLoggerLevel -Value Information | Out-Null
        $logger.MinimumLevel | Should -Be 'Information'
        Write-KrLog -Level Information -Message 'information at Information'
        Close-KrLogger
        $text = Get-Content -LiteralPath $path -Raw
        $text | Should -Not -Match 'information at Warning'
        $text | Should -Match "(?m)^$fileLine \[INF\] information at Information\r?$"
    }

    It 'Close-KrLogger closes the log files (what Start-KrServer -CloseLogsOnExit calls)' -Skip:(-not $IsLinux) {
        $path = Join-Path -Path $TestDrive -ChildPath 'closed/closed.log'
        New-KrLogger | Add-KrSinkFile -Path $path | Register-KrLogger -Name 'closing' -SetAsDefault
        Write-KrLog -Message 'before close'
        $target = (Get-Item -LiteralPath $path).FullName
        $open = { @(Get-ChildItem -LiteralPath "/proc/$PID/fd" -ErrorAction SilentlyContinue | Where-Object { $_.LinkTarget -eq $target }).Count }
        & $open | Should -Be 1
        Close-KrLogger
        & $open | Should -Be 0
    }
}
