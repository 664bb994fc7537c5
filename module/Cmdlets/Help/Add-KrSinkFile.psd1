# Help of Add-KrSinkFile (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Adds a file sink to a logger configuration.
'@
    Description = @'
Adds a sink that appends log lines to a file and passes the configuration on. A relative path is resolved
against the current location now; missing folders are created when the logger is registered
(Register-KrLogger reports a file that cannot be opened). Start-KrServer -CloseLogsOnExit (or
Close-KrLogger) closes the files.

Lines use Kestrun's (Serilog's) default file template,
'{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}', e.g.
"2026-11-29 08:31:05.120 +01:00 [DBG] GET /hello 200 0.41ms". -OutputTemplate takes the tokens described in Add-KrSinkConsole's help.

With -RollingInterval Day, Hour or Minute the file is rolled: -Path is then the pattern of the names, which
the underlying tracing-appender builds as <stem>.<period>.<extension>, from the stem without a trailing
'-', '_' or '.': -Path ./logs/log-.txt writes ./logs/log.2026-11-29.txt by Day, log.2026-11-29-08.txt by
Hour, log.2026-11-29-08-31.txt by Minute (Serilog would name them log-20261129.txt ...). Periods and names
are in UTC. Year and Month rolling are not supported (an error). When a file is created, files beyond
-RetainedFileCountLimit are deleted, oldest first, among the files of the folder whose names start with
that stem and end with that extension: keep rolled logs in a folder (or under a name) of their own.
'@
    Outputs = @'
KestrunRust.KrLoggerConfig
'@
    Parameters = @{
        LoggerConfig = @'
The logger configuration (from New-KrLogger), usually from the pipeline.
'@
        Path = @'
The log file; with a rolling interval, the pattern of the rolled files' names (see the description).
'@
        OutputTemplate = @'
The Serilog output template of the lines. Default '{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}'.
'@
        RollingInterval = @'
Infinite (default: one file, never rolled), Day, Hour or Minute. Year and Month are rejected.
'@
        RetainedFileCountLimit = @'
How many rolled files to keep (at least 1; $null keeps all). Default 31, as Serilog. Ignored without a
rolling interval.
'@
        RestrictedToMinimumLevel = @'
The sink writes only messages at least this level (and at least the logger's level). Default Verbose.
'@
    }
    Examples = @(
        @'
New-KrLogger | Set-KrLoggerLevel -Value Information | Add-KrSinkFile -Path './logs/server.log' | Register-KrLogger -Name 'file' -SetAsDefault

Appends '2026-11-29 08:31:04.123 +01:00 [INF] ...' lines to ./logs/server.log.
'@
        @'
New-KrLogger | Add-KrSinkFile -Path './logs/log-.txt' -RollingInterval Day -RetainedFileCountLimit 7 | Register-KrLogger -Name 'daily' -SetAsDefault

One file a day (./logs/log.2026-11-29.txt), the last 7 kept.
'@
        @'
New-KrLogger | Add-KrSinkFile -Path './logs/errors.log' -RestrictedToMinimumLevel Error -OutputTemplate '{Timestamp:o} {Level:u3} {Message}{NewLine}' | Register-KrLogger -Name 'errors'

Errors only, with ISO 8601 timestamps.
'@
    )
}
