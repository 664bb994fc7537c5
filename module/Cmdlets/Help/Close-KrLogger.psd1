# Help of Close-KrLogger (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Closes every log sink (flushes and closes log files) and forgets the registered loggers.
'@
    Description = @'
Clears the native logging pipeline: console output is flushed and log files are closed when it returns;
nothing is logged afterwards until a logger is registered again.
Start-KrServer -CloseLogsOnExit calls it when the server stops.
'@
    Examples = @(
        @'
Close-KrLogger
'@
    )
}
