function Register-KrLogger {
    <#
    .SYNOPSIS
        Registers a logger configuration under a name and applies it to the native logging pipeline.
    .DESCRIPTION
        Registers the configuration built with New-KrLogger / Set-KrLoggerLevel / Add-KrSink*. The engine has one
        process-wide pipeline: the configuration is applied to it (level set, previous sinks closed, new sinks
        opened) when -SetAsDefault is given, when no logger was registered before, or when it replaces the
        default logger of the same name. A file sink that cannot be opened is reported here.
        The local time offset of the timestamps is taken when the configuration is applied (the engine cannot read
        the time zone itself in a multithreaded process); register again after a daylight saving change to follow it.
    .PARAMETER LoggerConfig
        The logger configuration, usually from the pipeline.
    .PARAMETER Name
        The name of the logger.
    .PARAMETER SetAsDefault
        Make this logger the one the engine uses.
    .PARAMETER PassThru
        Return the registered logger.
    .EXAMPLE
        New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'myLogger' -SetAsDefault
    .EXAMPLE
        $logger = New-KrLogger | Add-KrSinkFile -Path ./app.log | Register-KrLogger -Name 'app' -SetAsDefault -PassThru
        $logger.Sinks
    .INPUTS
        KestrunRust.KrLoggerConfig
    .OUTPUTS
        KestrunRust.KrLogger (with -PassThru)
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrLogger])]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)]
        [KestrunRust.KrLoggerConfig]$LoggerConfig,

        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [Parameter()]
        [switch]$SetAsDefault,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        $logger = Invoke-KrLoggerAction -Cmdlet $PSCmdlet -ErrorId 'KrRegisterLoggerFailed' -TargetObject $Name -Action {
            [KestrunRust.KrLoggerManager]::Register($Name, $LoggerConfig, $SetAsDefault.IsPresent)
        }
        if ($PassThru.IsPresent) {
            $logger
        }
    }
}
