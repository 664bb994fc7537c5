function Resolve-KrServer {
    <#
    .SYNOPSIS
        Returns the server a command acts on: the one given or named, else the current one (the last created by
        New-KrServer).
    .DESCRIPTION
        The rules of the compiled commands (KestrunRust.Cmdlets.KrServerCmdlet.Resolve): with -Name, the server of
        that name (a KeyNotFoundException, category ObjectNotFound, when there is none); without it, -Server, or the
        current server when -Server is $null (an InvalidOperationException when there is none). A removed server is
        an InvalidOperationException.
    .PARAMETER Server
        The server passed to the command (may be $null).
    .PARAMETER Name
        The name of the server.
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
        [KestrunRust.Cmdlets.KrServerCmdlet]::Resolve($Name)
    } else {
        [KestrunRust.Cmdlets.KrServerCmdlet]::Resolve($Server)
    }
}
