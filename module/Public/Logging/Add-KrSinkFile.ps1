function Add-KrSinkFile {
    <#
    .SYNOPSIS
        Adds a file sink to a logger configuration.
    .DESCRIPTION
        Adds a sink that appends log lines to a file and passes the configuration on. A relative path is resolved
        against the current location now; missing folders are created when the logger is registered
        (Register-KrLogger reports a file that cannot be opened).
    .PARAMETER LoggerConfig
        The logger configuration (from New-KrLogger), usually from the pipeline.
    .PARAMETER Path
        The log file.
    .EXAMPLE
        New-KrLogger | Set-KrLoggerLevel -Value Information | Add-KrSinkFile -Path './logs/server.log' | Register-KrLogger -Name 'file' -SetAsDefault
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
        [ValidateNotNullOrEmpty()]
        [string]$Path
    )
    process {
        try {
            $fullPath = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
            $LoggerConfig.AddFileSink($fullPath)
        } catch {
            $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrAddFileSinkFailed' -TargetObject $Path))
        }
    }
}
