function Get-KrServer {
    <#
    .SYNOPSIS
        Returns Kestrun.Rust servers of this session.
    .DESCRIPTION
        Without parameters returns the current server (the last created one). -Name returns the server of that name
        (an error when there is none), -All every server. A server object shows its State, Endpoints (with the bound
        Url once started), Routes and Session settings.
    .PARAMETER Name
        The name of the server.
    .PARAMETER All
        Return every server.
    .EXAMPLE
        (Get-KrServer).Endpoints.Url
    .EXAMPLE
        Get-KrServer -All | Select-Object Name, State
    .OUTPUTS
        KestrunRust.KrServer
    #>
    [CmdletBinding(DefaultParameterSetName = 'Current')]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'Name')]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [Parameter(Mandatory = $true, ParameterSetName = 'All')]
        [switch]$All
    )
    switch ($PSCmdlet.ParameterSetName) {
        'All' {
            [KestrunRust.KrServerManager]::GetAll()
        }
        'Name' {
            try {
                Resolve-KrServer -Name $Name
            } catch {
                $PSCmdlet.WriteError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrServerNotFound' -TargetObject $Name))
            }
        }
        default {
            $server = [KestrunRust.KrServerManager]::Current
            if ($null -eq $server) {
                $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
                        [System.InvalidOperationException]::new('There is no current Kestrun.Rust server: create one with New-KrServer.'),
                        'KrNoCurrentServer', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $null))
                return
            }
            $server
        }
    }
}
