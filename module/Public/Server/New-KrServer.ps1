function New-KrServer {
    <#
    .SYNOPSIS
        Creates a new Kestrun.Rust server.
    .DESCRIPTION
        Creates a server in the Rust engine and makes it the current server, the one the other commands act on
        when -Server is omitted. Re-running a script in the same shell works: an existing server of the same name
        that is not running is replaced. A running server of that name is an error unless -Force is given, which
        stops and replaces it.
    .PARAMETER Name
        The name of the server.
    .PARAMETER PassThru
        Return the server object.
    .PARAMETER Force
        Replace a running server of the same name (it is stopped first).
    .EXAMPLE
        New-KrServer -Name 'Sessions Demo Server'
    .EXAMPLE
        $server = New-KrServer -Name 'api' -Force -PassThru
        $server | Add-KrEndpoint -Port 8080 -SelfSignedCert
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [Parameter()]
        [switch]$PassThru,

        [Parameter()]
        [switch]$Force
    )
    process {
        try {
            $server = [KestrunRust.KrServerManager]::Create($Name, $Force.IsPresent)
        } catch {
            $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrNewServerFailed' -TargetObject $Name))
        }
        Write-Verbose "Created Kestrun.Rust server '$Name'."
        if ($PassThru.IsPresent) {
            $server
        }
    }
}
