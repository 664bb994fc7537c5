function Set-KrServerOptions {
    <#
    .SYNOPSIS
        Sets run-time options of a server: runspaces (callback threads), request queue wait, body size, shutdown timeout.
    .DESCRIPTION
        Route script blocks run on the engine's callback threads, each with its own PowerShell runspace (opened on the
        thread's first request). -MinRunspaces threads start with the server and stay (default: 2 x processor count);
        while routes are busy the engine starts more, up to -MaxRunspaces (default: 32, or 4 x processor count when
        that is more), so a few slow routes never hold up the fast ones. Threads above the minimum that were not
        needed for -RunspaceIdleTimeout are released again and their runspaces disposed. Only when -MaxRunspaces
        routes run at once does a request wait for a free runspace, up to -RequestQueueTimeout seconds, then 503.
        Each runspace beyond the first costs about 2.5 MB of process memory (RSS) once it has served a small route,
        more if its scripts keep data (measured with tools/Measure-RunspaceMemory.ps1, see docs/DESIGN.md).
        Options must be set before Start-KrServer.
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER MaxRunspaces
        Most callback threads / runspaces at a time (requests served at once), 1..1024. Default: max(32, 4 x
        processor count). Given alone and below the minimum, the minimum follows it (-MaxRunspaces 2 alone gives a
        fixed pool of 2).
    .PARAMETER MinRunspaces
        Callback threads started with the server and kept (their runspaces are opened on their first request),
        1..1024. Default: 2 x processor count. Given alone and above the maximum, the maximum follows it.
    .PARAMETER RunspaceIdleTimeout
        How long runspaces above the minimum may go unused before they are released: seconds (30, 0.5) or a TimeSpan,
        more than zero and at most 24 hours. Default 60 seconds. The pool is back at -MinRunspaces within one to two
        such periods after a burst.
    .PARAMETER RequestQueueTimeout
        Seconds a request may wait for a free runspace before the engine answers 503 (default 30).
    .PARAMETER MaxRequestBodySize
        Largest accepted request body in bytes (default 30 MiB); larger bodies get 413.
    .PARAMETER ShutdownTimeout
        Seconds a graceful stop lets in-flight requests finish (default 5).
    .PARAMETER PassThru
        Return the server.
    .EXAMPLE
        Set-KrServerOptions -MaxRunspaces 8
        At most 8 requests run at once (the minimum, 2 x cores by default, is lowered to 8 if it was higher).
    .EXAMPLE
        Set-KrServerOptions -MinRunspaces 2 -MaxRunspaces 64 -RunspaceIdleTimeout 120
        Two runspaces kept warm; up to 64 while slow routes pile up, released after 2 minutes without need.
    .EXAMPLE
        Set-KrServerOptions -MaxRequestBodySize 1MB -ShutdownTimeout 10
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter()]
        [ValidateRange(1, 1024)]
        [int]$MaxRunspaces,

        [Parameter()]
        [ValidateRange(1, 1024)]
        [int]$MinRunspaces,

        [Parameter()]
        [KestrunRust.KrSecondsOrTimeSpan()]
        [ValidateScript({ $_ -gt [TimeSpan]::Zero -and $_ -le [TimeSpan]::FromHours(24) }, ErrorMessage = "The runspace idle timeout '{0}' must be more than zero and at most 24 hours.")]
        [TimeSpan]$RunspaceIdleTimeout,

        [Parameter()]
        [ValidateRange(1, 3600)]
        [int]$RequestQueueTimeout,

        [Parameter()]
        [ValidateRange('Positive')]
        [long]$MaxRequestBodySize,

        [Parameter()]
        [ValidateRange(0, 3600)]
        [int]$ShutdownTimeout,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -ErrorId 'KrSetServerOptionsFailed' -PassThru:$PassThru -Action {
            param($Server, $Bound)
            if ($Bound.ContainsKey('MaxRunspaces') -or $Bound.ContainsKey('MinRunspaces')) {
                $min = if ($Bound.ContainsKey('MinRunspaces')) { [Nullable[int]]$MinRunspaces } else { $null }
                $max = if ($Bound.ContainsKey('MaxRunspaces')) { [Nullable[int]]$MaxRunspaces } else { $null }
                $Server.SetCallbackThreadLimits($min, $max)
            }
            if ($Bound.ContainsKey('RunspaceIdleTimeout')) {
                $Server.SetCallbackIdleTimeoutMs([uint32][Math]::Max(1, [Math]::Ceiling($RunspaceIdleTimeout.TotalMilliseconds)))
            }
            if ($Bound.ContainsKey('RequestQueueTimeout')) {
                $Server.SetCallbackWaitMs([uint32]($RequestQueueTimeout * 1000))
            }
            if ($Bound.ContainsKey('MaxRequestBodySize')) {
                $Server.SetMaxBodyBytes([uint64]$MaxRequestBodySize)
            }
            if ($Bound.ContainsKey('ShutdownTimeout')) {
                $Server.SetShutdownTimeoutMs([uint32]($ShutdownTimeout * 1000))
            }
        }
    }
}
