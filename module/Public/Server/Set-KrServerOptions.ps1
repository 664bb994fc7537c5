function Set-KrServerOptions {
    <#
    .SYNOPSIS
        Sets run-time options of a server: runspaces (callback threads), request queue wait, body size, shutdown timeout.
    .DESCRIPTION
        Route script blocks run on the engine's callback threads, each with its own PowerShell runspace, so
        -MaxRunspaces is the number of requests served at the same time (default: 2 x processor count). A request
        that finds no free runspace waits up to -RequestQueueTimeout seconds before a 503. Options must be set before
        Start-KrServer.
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER MaxRunspaces
        Number of callback threads / runspaces, 1..1024.
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
            if ($Bound.ContainsKey('MaxRunspaces')) {
                $Server.SetCallbackThreads($MaxRunspaces)
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
