# Help of Set-KrServerOptions (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Sets run-time options of a server: runspaces (callback threads), request queue wait, body size, shutdown timeout.
'@
    Description = @'
Route script blocks run on the engine's callback threads, each with its own PowerShell runspace (opened on the
thread's first request). -MinRunspaces threads start with the server and stay (default: 2 x processor count).
When every runspace is held by a slow route (none finished for 5 ms), the engine starts more, one per 5 ms, up
to -MaxRunspaces (default: 32, or 4 x processor count when that is more), so a few slow routes never hold up
the fast ones for long. While routes keep finishing (fast routes under load) a request waits for the next free
runspace, and one more is started only for a request that waited 0.5 s (one per 0.5 s): a busy server keeps
its requests on a few runspaces whose data stay in the CPU caches. Threads above the minimum that were not
needed for -RunspaceIdleTimeout are released again and their runspaces disposed. At -MaxRunspaces a request
waits for a free runspace up to -RequestQueueTimeout seconds, then 503.
Each runspace beyond the first costs about 2.5 MB of process memory (RSS) once it has served a small route,
more if its scripts keep data (measured with tools/Measure-RunspaceMemory.ps1, see docs/DESIGN.md).
Options must be set before Start-KrServer.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        MaxRunspaces = @'
Most callback threads / runspaces at a time (requests served at once), 1..1024. Default: max(32, 4 x
processor count). Given alone and below the minimum, the minimum follows it (-MaxRunspaces 2 alone gives a
fixed pool of 2).
'@
        MinRunspaces = @'
Callback threads started with the server and kept (their runspaces are opened on their first request),
1..1024. Default: 2 x processor count. Given alone and above the maximum, the maximum follows it.
'@
        RunspaceIdleTimeout = @'
How long runspaces above the minimum may go unused before they are released: seconds (30, 0.5) or a TimeSpan,
more than zero and at most 24 hours. Default 60 seconds. The pool is back at -MinRunspaces within one to two
such periods after a burst.
'@
        RequestQueueTimeout = @'
Seconds a request may wait for a free runspace before the engine answers 503 (default 30).
'@
        MaxRequestBodySize = @'
Largest accepted request body in bytes (default 30 MiB); larger bodies get 413.
'@
        ShutdownTimeout = @'
Seconds a graceful stop lets in-flight requests finish (default 5).
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
Set-KrServerOptions -MaxRunspaces 8

At most 8 requests run at once (the minimum, 2 x cores by default, is lowered to 8 if it was higher).
'@
        @'
Set-KrServerOptions -MinRunspaces 2 -MaxRunspaces 64 -RunspaceIdleTimeout 120

Two runspaces kept warm; up to 64 while slow routes pile up, released after 2 minutes without need.
'@
        @'
Set-KrServerOptions -MaxRequestBodySize 1MB -ShutdownTimeout 10
'@
    )
}
