# Help of Add-KrSinkConsole (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Adds a console (standard output) sink to a logger configuration.
'@
    Description = @'
Adds a sink that writes log lines to standard output, and passes the configuration on. It takes effect when
the configuration is registered with Register-KrLogger.

Lines use Kestrun's (Serilog's) default console template,
'[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}', e.g.
"[08:31:04 INF] Server 'demo' listening on http://127.0.0.1:5000" and "[08:31:05 DBG] GET /hello 200 0.41ms",
in the local time of the moment the logger was registered (its UTC offset is taken then).

-OutputTemplate takes Serilog's template syntax, {Name[,alignment][:format]}, with these tokens:

- {Timestamp} / {Timestamp:format}: a .NET date format: HH:mm:ss, HH:mm:ss.fff, yyyy-MM-dd,
  'yyyy-MM-dd HH:mm:ss.fff zzz', o, s, u ... (no format: MM/dd/yyyy HH:mm:ss zzz)
- {Level:u3} / {Level:w3} / {Level}: INF / inf / Information (also t3, u4 INFO, u, w, t)
- {Message} / {Message:lj}: the message text
- {NewLine}: a line end
- {Exception} / {ErrorRecord}: always empty (accepted so that Kestrun's templates work unchanged)

Write {{ and }} for literal braces. Any other token (e.g. {Properties} or {SourceContext}) is rejected here
with an error naming it, as is an unclosed '{'.
'@
    Outputs = @'
KestrunRust.KrLoggerConfig
'@
    Parameters = @{
        LoggerConfig = @'
The logger configuration (from New-KrLogger), usually from the pipeline.
'@
        OutputTemplate = @'
The Serilog output template of the lines. Default '[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}'.
'@
        RestrictedToMinimumLevel = @'
The sink writes only messages at least this level (and at least the logger's level, Set-KrLoggerLevel).
Default Verbose.
'@
    }
    Examples = @(
        @'
New-KrLogger | Add-KrSinkConsole | Register-KrLogger -Name 'console' -SetAsDefault

Logs to the console in Kestrun's format: '[08:31:04 INF] message'.
'@
        @'
New-KrLogger | Set-KrLoggerLevel -Value Debug |
    Add-KrSinkConsole -OutputTemplate '{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level,-11} {Message}{NewLine}' |
    Register-KrLogger -Name 'console' -SetAsDefault

Logs '2026-11-29 08:31:05.120 Debug       GET /hello 200 0.41ms'.
'@
        @'
New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole -RestrictedToMinimumLevel Warning |
    Add-KrSinkFile -Path './logs/server.log' | Register-KrLogger -Name 'both' -SetAsDefault

Warnings and errors on the console, everything from Debug up in the file.
'@
    )
}
