# Help of Register-KrLogger (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Registers a logger configuration under a name and applies it to the native logging pipeline.
'@
    Description = @'
Registers the configuration built with New-KrLogger / Set-KrLoggerLevel / Add-KrSink*. The engine has one
process-wide pipeline: the configuration is applied to it (level set, previous sinks closed, new sinks
opened) when -SetAsDefault is given, when no logger was registered before, or when it replaces the
default logger of the same name. A file sink that cannot be opened is reported here.
The local time offset of the timestamps is taken when the configuration is applied (the engine cannot read
the time zone itself in a multithreaded process); register again after a daylight saving change to follow it.
'@
    Outputs = @'
KestrunRust.KrLogger (with -PassThru)
'@
    Parameters = @{
        LoggerConfig = @'
The logger configuration, usually from the pipeline.
'@
        Name = @'
The name of the logger.
'@
        SetAsDefault = @'
Make this logger the one the engine uses.
'@
        PassThru = @'
Return the registered logger.
'@
    }
    Examples = @(
        @'
New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'myLogger' -SetAsDefault
'@
        @'
$logger = New-KrLogger | Add-KrSinkFile -Path ./app.log | Register-KrLogger -Name 'app' -SetAsDefault -PassThru
$logger.Sinks
'@
    )
}
