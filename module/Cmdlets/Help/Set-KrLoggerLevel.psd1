# Help of Set-KrLoggerLevel (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Sets the minimum level of a logger configuration.
'@
    Description = @'
Sets the minimum level (Verbose, Debug, Information, Warning, Error, Fatal) of the logger configuration
received from the pipeline and passes the configuration on. At Debug the engine logs one line per request
(method, path, status, duration): '[08:31:04 DBG] GET /hello 200 0.41ms'. Error and Fatal messages are
written whatever the level. A sink can be restricted further with its -RestrictedToMinimumLevel.
The level can change at run time: when the configuration is the one of the default logger (already
registered), the new level applies at once, also to a running server.
'@
    Outputs = @'
KestrunRust.KrLoggerConfig
'@
    Parameters = @{
        LoggerConfig = @'
The logger configuration (from New-KrLogger), usually from the pipeline.
'@
        Value = @'
The minimum level. Alias: Level.
'@
    }
    Examples = @(
        @'
New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'console'
'@
        @'
$config = New-KrLogger
Set-KrLoggerLevel -LoggerConfig $config -Level Warning
'@
        @'
$config = New-KrLogger | Add-KrSinkConsole
$config | Register-KrLogger -Name 'console' -SetAsDefault
Set-KrLoggerLevel -LoggerConfig $config -Value Debug

Turns on the request lines of the running pipeline: '[08:31:04 DBG] GET /hello 200 0.41ms'.
'@
    )
}
