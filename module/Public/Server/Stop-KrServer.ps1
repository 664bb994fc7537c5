function Stop-KrServer {
    <#
    .SYNOPSIS
        Stops a running server gracefully.
    .DESCRIPTION
        Stops accepting connections, lets in-flight requests finish (bounded by -Timeout), joins the server's
        threads and releases its route runspaces. The server keeps its configuration and can be started again
        with Start-KrServer; a blocking Start-KrServer returns (and removes the server). Stopping a stopped server
        does nothing. Called from a route of the server itself, the stop happens right after the route returns.
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER Name
        The name of the server to stop (instead of -Server).
    .PARAMETER Timeout
        Seconds in-flight requests may take to finish (default: the server's shutdown timeout, 5 s).
    .PARAMETER PassThru
        Return the server.
    .EXAMPLE
        Stop-KrServer
    .EXAMPLE
        Stop-KrServer -Name 'api' -Timeout 10
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding(DefaultParameterSetName = 'Server')]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ParameterSetName = 'Server', ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(Mandatory = $true, ParameterSetName = 'Name')]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [Parameter()]
        [ValidateRange(0, 3600)]
        [int]$Timeout,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -Name $Name -ErrorId 'KrStopServerFailed' -PassThru:$PassThru -Action {
            param($Server, $Bound)
            if ($Bound.ContainsKey('Timeout')) {
                $null = $Server.Stop([uint32]($Timeout * 1000))
            } else {
                $null = $Server.Stop($null)
            }
            Write-Verbose "Server '$($Server.Name)' stopped."
        }
    }
}
