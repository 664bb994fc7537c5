function Close-KrLogger {
    <#
    .SYNOPSIS
        Closes every log sink (flushes and closes log files) and forgets the registered loggers.
    .DESCRIPTION
        Clears the native logging pipeline: console output is flushed and log files are closed when it returns;
        nothing is logged afterwards until a logger is registered again.
        Start-KrServer -CloseLogsOnExit calls it when the server stops.
    .EXAMPLE
        Close-KrLogger
    #>
    [CmdletBinding()]
    param()
    Invoke-KrLoggerAction -Cmdlet $PSCmdlet -ErrorId 'KrCloseLoggerFailed' -Action {
        [KestrunRust.KrLoggerManager]::CloseAll()
    }
}
