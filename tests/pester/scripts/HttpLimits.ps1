<#
    Test server for Set-KrServerLimit (Pester: Http.Tests.ps1): a short TLS handshake timeout and small request
    header limits on one HTTPS endpoint.
#>
param(
    [int]$Port = 5000
)

Import-Module Kestrun.Rust

New-KrServer -Name 'HTTP Limits Test Server' -PassThru |
    Add-KrEndpoint -Port $Port -SelfSignedCert -PassThru |
    Set-KrServerLimit -TlsHandshakeTimeout 1 -MaxConcurrentTlsHandshakes 4 -MaxRequestHeaderCount 10 -MaxRequestHeadersTotalSize 2KB

Enable-KrConfiguration

Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -InputObject 'hello'
}

Start-KrServer
