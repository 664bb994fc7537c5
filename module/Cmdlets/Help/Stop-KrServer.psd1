# Help of Stop-KrServer (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Stops a running server gracefully.
'@
    Description = @'
Stops accepting connections, lets in-flight requests finish (bounded by -Timeout), joins the server's
threads and releases its route runspaces. The server keeps its configuration and can be started again
with Start-KrServer; a blocking Start-KrServer returns (and removes the server). Stopping a stopped server
does nothing. Called from a route of the server itself, the stop happens right after the route returns.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        Name = @'
The name of the server to stop (instead of -Server).
'@
        Timeout = @'
Seconds in-flight requests may take to finish (default: the server's shutdown timeout, 5 s).
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
Stop-KrServer
'@
        @'
Stop-KrServer -Name 'api' -Timeout 10
'@
    )
}
