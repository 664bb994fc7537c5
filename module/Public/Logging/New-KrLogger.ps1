function New-KrLogger {
    <#
    .SYNOPSIS
        Creates a new logger configuration.
    .DESCRIPTION
        Returns an empty logger configuration (minimum level Information, no sinks). Pipe it through
        Set-KrLoggerLevel, Add-KrSinkConsole and Add-KrSinkFile, then to Register-KrLogger, which applies it to the
        native logging pipeline of the Rust engine (request lines, route errors, Write-KrLog).
        Nothing is logged until a logger with at least one sink is registered.
    .EXAMPLE
        New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'myLogger' -SetAsDefault

        Logs everything from Debug up to the console.
    .EXAMPLE
        $config = New-KrLogger
        $config | Add-KrSinkFile -Path './logs/server.log' | Register-KrLogger -Name 'file'

        Builds a configuration in steps and logs to a file.
    .OUTPUTS
        KestrunRust.KrLoggerConfig
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrLoggerConfig])]
    param()
    [KestrunRust.KrLoggerConfig]::new()
}
