# Help of New-KrLogger (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Creates a new logger configuration.
'@
    Description = @'
Returns an empty logger configuration (minimum level Information, no sinks). Pipe it through
Set-KrLoggerLevel, Add-KrSinkConsole and Add-KrSinkFile, then to Register-KrLogger, which applies it to the
native logging pipeline of the Rust engine (request lines, route errors, Write-KrLog), which is built on
Rust's tracing crates. Lines look like Kestrun's: '[08:31:04 DBG] GET /hello 200 0.41ms' on the console,
'2026-11-29 08:31:04.123 +01:00 [DBG] GET /hello 200 0.41ms' in files (Serilog's default templates; see
Add-KrSinkConsole -OutputTemplate). Nothing is logged until a logger with at least one sink is registered.
'@
    Outputs = @'
KestrunRust.KrLoggerConfig
'@
    Examples = @(
        @'
New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'myLogger' -SetAsDefault

Logs everything from Debug up to the console: '[08:31:04 DBG] GET /hello 200 0.41ms'.
'@
        @'
$config = New-KrLogger
$config | Add-KrSinkFile -Path './logs/server.log' | Register-KrLogger -Name 'file'

Builds a configuration in steps and logs to a file.
'@
        @'
New-KrLogger | Add-KrSinkConsole | Add-KrSinkFile -Path './logs/log-.txt' -RollingInterval Day | Register-KrLogger -Name 'both' -SetAsDefault

Logs to the console and to one file a day.
'@
    )
}
