function Remove-KrServer {
    <#
    .SYNOPSIS
        Stops (if needed) and removes a server, releasing its native resources.
    .DESCRIPTION
        Frees the server in the engine: a running server is stopped gracefully first when -Force is given
        (without -Force removing a running server is an error). The server object can no longer be used.
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER Name
        The name of the server to remove (instead of -Server).
    .PARAMETER Force
        Remove the server even if it is running.
    .EXAMPLE
        Remove-KrServer -Name 'api' -Force
    .EXAMPLE
        Stop-KrServer; Remove-KrServer
    #>
    [CmdletBinding(DefaultParameterSetName = 'Server')]
    param(
        [Parameter(ParameterSetName = 'Server', ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(Mandatory = $true, ParameterSetName = 'Name')]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [Parameter()]
        [switch]$Force
    )
    process {
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -Name $Name -ErrorId 'KrRemoveServerFailed' -Action {
            param($Server)
            if ($Server.IsRunning -and -not $Force.IsPresent) {
                throw [System.InvalidOperationException]::new("The server '$($Server.Name)' is running: stop it first (Stop-KrServer) or use -Force.")
            }
            $Server.Dispose()
            Write-Verbose "Server '$($Server.Name)' removed."
        }
    }
}
