function Resolve-KrServer {
    <#
    .SYNOPSIS
        Returns the server a command acts on: the one given, else the current one (the last created by New-KrServer).
    .DESCRIPTION
        Throws an InvalidOperationException with a useful message when there is no server or when the given
        server was removed.
    .PARAMETER Server
        The server passed to the command (may be $null).
    .EXAMPLE
        $Server = Resolve-KrServer -Server $Server
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter()]
        [AllowNull()]
        [KestrunRust.KrServer]$Server
    )

    if ($null -eq $Server) {
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
