function Set-KrLoggerLevel {
    <#
    .SYNOPSIS
        Sets the minimum level of a logger configuration.
    .DESCRIPTION
        Sets the minimum level (Verbose, Debug, Information, Warning, Error, Fatal) of the logger configuration
        received from the pipeline and passes the configuration on. At Debug the engine logs one line per request
        (method, path, status, duration).
    .PARAMETER LoggerConfig
        The logger configuration (from New-KrLogger), usually from the pipeline.
    .PARAMETER Value
        The minimum level. Alias: Level.
    .EXAMPLE
        New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'console'
    .EXAMPLE
        $config = New-KrLogger
        Set-KrLoggerLevel -LoggerConfig $config -Level Warning
    .INPUTS
        KestrunRust.KrLoggerConfig
    .OUTPUTS
        KestrunRust.KrLoggerConfig
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrLoggerConfig])]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)]
        [KestrunRust.KrLoggerConfig]$LoggerConfig,

        [Parameter(Mandatory = $true, Position = 0)]
        [Alias('Level')]
        [KestrunRust.KrLogLevel]$Value
    )
    process {
        $LoggerConfig.MinimumLevel = $Value
        $LoggerConfig
    }
}
