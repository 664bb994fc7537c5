# Help of Start-KrServer (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Starts a server and, unless -NoWait is given, serves until Ctrl+C or Stop-KrServer.
'@
    Description = @'
Captures what the script defined since Enable-KrConfiguration (new variables, functions and imported
modules; see Enable-KrConfiguration), prepares the route runspaces (the module, the user's modules, the
captured variables and functions, one function per route), binds every endpoint and starts serving;
bind and certificate errors are reported here. Without -NoWait the command then blocks until Ctrl+C is
pressed or the server is stopped (Stop-KrServer from a route or another runspace), and in a finally block
stops the server gracefully and removes it. With -NoWait it returns at once and the server keeps running
until Stop-KrServer / Remove-KrServer.
'@
    Outputs = @'
KestrunRust.KrServer (with -NoWait -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        NoWait = @'
Return as soon as the server is listening.
'@
        Quiet = @'
Do not write the listening URLs and the stop messages to the host.
'@
        PassThru = @'
Return the server (with -NoWait).
'@
        CloseLogsOnExit = @'
Close the log sinks (Close-KrLogger) when the server stops (without -NoWait).
'@
    }
    Examples = @(
        @'
Start-KrServer -CloseLogsOnExit

Serves until Ctrl+C.
'@
        @'
Start-KrServer -NoWait -Quiet
Invoke-RestMethod -Uri 'https://127.0.0.1:5000/hello' -SkipCertificateCheck
Stop-KrServer
'@
    )
}
