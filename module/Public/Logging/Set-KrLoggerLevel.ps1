function Set-KrLoggerLevel {
    <#
    .SYNOPSIS
        Sets the minimum level of a logger configuration.
    .DESCRIPTION
        Sets the minimum level (Verbose, Debug, Information, Warning, Error, Fatal) of the logger configuration
        received from the pipeline and passes the configuration on. At Debug the engine logs one line per request
        (method, path, status, duration): '[08:31:04 DBG] GET /hello 200 0.41ms'. Error and Fatal messages are
        written whatever the level. A sink can be restricted further with its -RestrictedToMinimumLevel.
        The level can change at run time: when the configuration is the one of the default logger (already
        registered), the new level applies at once, also to a running server.
    .PARAMETER LoggerConfig
        The logger configuration (from New-KrLogger), usually from the pipeline.
    .PARAMETER Value
        The minimum level. Alias: Level.
    .EXAMPLE
        New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'console'
    .EXAMPLE
        $config = New-KrLogger
        Set-KrLoggerLevel -LoggerConfig $config -Level Warning
    .EXAMPLE
        $config = New-KrLogger | Add-KrSinkConsole
        $config | Register-KrLogger -Name 'console' -SetAsDefault
        Set-KrLoggerLevel -LoggerConfig $config -Value Debug

        Turns on the request lines of the running pipeline: '[08:31:04 DBG] GET /hello 200 0.41ms'.
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
        Invoke-KrLoggerAction -Cmdlet $PSCmdlet -ErrorId 'KrSetLoggerLevelFailed' -TargetObject $Value -Action {
            $LoggerConfig.MinimumLevel = $Value
        }
        $LoggerConfig
    }
}
