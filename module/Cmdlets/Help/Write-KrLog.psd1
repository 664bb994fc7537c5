# Help of Write-KrLog (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Writes a message through the Kestrun.Rust logging pipeline.
'@
    Description = @'
Writes a line at the given level through the native pipeline configured by Register-KrLogger (the same
sinks and format as the engine's own lines, e.g. '[08:31:04 WRN] Disk almost full' on the console). Works inside and outside routes; nothing is written when no
logger with a sink is registered or the level is below the minimum.
'@
    Parameters = @{
        Level = @'
Verbose, Debug, Information, Warning, Error or Fatal. Default Information.
'@
        Message = @'
The text to log.
'@
    }
    Examples = @(
        @'
Write-KrLog -Level Warning -Message 'Disk almost full'
'@
        @'
Add-KrMapRoute -Path '/ping' -ScriptBlock { Write-KrLog -Message 'ping'; Write-KrTextResponse -InputObject 'pong' }
'@
    )
}
