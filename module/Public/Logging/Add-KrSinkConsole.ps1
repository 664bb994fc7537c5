function Add-KrSinkConsole {
    <#
    .SYNOPSIS
        Adds a console (standard output) sink to a logger configuration.
    .DESCRIPTION
        Adds a sink that writes log lines such as '2026-11-21T10:00:00.123Z [INF] message' to standard output, and
        passes the configuration on. It takes effect when the configuration is registered with Register-KrLogger.
    .PARAMETER LoggerConfig
        The logger configuration (from New-KrLogger), usually from the pipeline.
    .EXAMPLE
        New-KrLogger | Add-KrSinkConsole | Register-KrLogger -Name 'console' -SetAsDefault
    .INPUTS
        KestrunRust.KrLoggerConfig
    .OUTPUTS
        KestrunRust.KrLoggerConfig
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrLoggerConfig])]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)]
        [KestrunRust.KrLoggerConfig]$LoggerConfig
    )
    process {
        $LoggerConfig.AddConsoleSink()
    }
}
