# Help of Remove-KrServer (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Stops (if needed) and removes a server, releasing its native resources.
'@
    Description = @'
Frees the server in the engine: a running server is stopped gracefully first when -Force is given
(without -Force removing a running server is an error). The server object can no longer be used.
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        Name = @'
The name of the server to remove (instead of -Server).
'@
        Force = @'
Remove the server even if it is running.
'@
    }
    Examples = @(
        @'
Remove-KrServer -Name 'api' -Force
'@
        @'
Stop-KrServer; Remove-KrServer
'@
    )
}
