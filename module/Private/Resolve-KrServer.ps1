function Resolve-KrServer {
    <#
    .SYNOPSIS
        Returns the server a command acts on: the one given or named, else the current one (the last created by
        New-KrServer).
    .DESCRIPTION
        With -Name, looks the server up by name and throws a KeyNotFoundException ("There is no Kestrun.Rust server
        named '<name>'.", category ObjectNotFound through ConvertTo-KrErrorRecord) when there is none. Without it, takes -Server, or the current server when -Server is
        $null. Throws an InvalidOperationException with a useful message when there is no server or when the
        server was removed.
    .PARAMETER Server
        The server passed to the command (may be $null).
    .PARAMETER Name
        The name of the server (the -Name of Get-KrServer / Stop-KrServer / Remove-KrServer).
    .EXAMPLE
        $Server = Resolve-KrServer -Server $Server
    .EXAMPLE
        $Server = Resolve-KrServer -Name 'api'
    #>
    [CmdletBinding(DefaultParameterSetName = 'Server')]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ParameterSetName = 'Server')]
        [AllowNull()]
        [KestrunRust.KrServer]$Server,

        [Parameter(Mandatory = $true, ParameterSetName = 'Name')]
        [ValidateNotNullOrEmpty()]
        [string]$Name
    )

    if ($PSCmdlet.ParameterSetName -eq 'Name') {
        $Server = [KestrunRust.KrServerManager]::Get($Name)
        if ($null -eq $Server) {
            throw [System.Collections.Generic.KeyNotFoundException]::new("There is no Kestrun.Rust server named '$Name'.")
        }
    } elseif ($null -eq $Server) {
        $Server = [KestrunRust.KrServerManager]::Current
        if ($null -eq $Server) {
            throw [System.InvalidOperationException]::new('There is no Kestrun.Rust server: create one with New-KrServer first (or pass -Server).')
        }
    }
    if ($Server.State -eq [KestrunRust.KrServerState]::Freed) {
        throw [System.InvalidOperationException]::new("The server '$($Server.Name)' was removed; create a new one with New-KrServer.")
    }
    $Server
}
