function Write-KrLog {
    <#
    .SYNOPSIS
        Writes a message through the Kestrun.Rust logging pipeline.
    .DESCRIPTION
        Writes a line at the given level through the native pipeline configured by Register-KrLogger (the same
        sinks and format as the engine's own lines, e.g. '[08:31:04 WRN] Disk almost full' on the console). Works inside and outside routes; nothing is written when no
        logger with a sink is registered or the level is below the minimum.
    .PARAMETER Level
        Verbose, Debug, Information, Warning, Error or Fatal. Default Information.
    .PARAMETER Message
        The text to log.
    .EXAMPLE
        Write-KrLog -Level Warning -Message 'Disk almost full'
    .EXAMPLE
        Add-KrMapRoute -Path '/ping' -ScriptBlock { Write-KrLog -Message 'ping'; Write-KrTextResponse -InputObject 'pong' }
    #>
    [CmdletBinding()]
    param(
        [Parameter()]
        [KestrunRust.KrLogLevel]$Level = [KestrunRust.KrLogLevel]::Information,

        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [AllowEmptyString()]
        [string]$Message
    )
    process {
        try {
            [KestrunRust.KrLog]::Write($Level, $Message)
        } catch {
            $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrWriteLogFailed' -TargetObject $Message))
        }
    }
}
