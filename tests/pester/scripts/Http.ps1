<#
    Test server for HTTP as Kestrel serves it (Pester: Http.Tests.ps1): one HTTPS endpoint per -Protocols value, a
    plain HTTP endpoint and an h2c (Http2-only plain) one; routes for matching (case, trailing slash) and HEAD.
#>
param(
    [int]$Port = 5000,
    [int]$Http1Port = 5001,
    [int]$Http2Port = 5002,
    [int]$PlainPort = 5003,
    [int]$H2cPort = 5004
)

Import-Module Kestrun.Rust

New-KrServer -Name 'HTTP Test Server' -PassThru |
    Add-KrEndpoint -Port $Port -SelfSignedCert -PassThru |
    Add-KrEndpoint -Port $Http1Port -SelfSignedCert -Protocols Http1 -PassThru |
    Add-KrEndpoint -Port $Http2Port -SelfSignedCert -Protocols Http2 -PassThru |
    Add-KrEndpoint -Port $PlainPort -PassThru |
    Add-KrEndpoint -Port $H2cPort -Protocols Http2 -PassThru |
    Set-KrServerOptions -MaxRunspaces 2

Enable-KrConfiguration

Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -InputObject 'hello'
}

Add-KrMapRoute -Verbs Get -Path '/Users/{id}/Profile/' -ScriptBlock {
    Write-KrTextResponse -InputObject "id=$(Get-KrRequestRouteParam -Name 'id')"
}

# GET answers HEAD too: the same status, headers and Content-Length, no body.
Add-KrMapRoute -Verbs Get -Path '/created' -ScriptBlock {
    $Context.AddHeader('X-Kind', 'created')
    Write-KrTextResponse -InputObject 'made' -StatusCode 201
}

# A HEAD route of its own wins over the GET route's answer.
Add-KrMapRoute -Verbs Get -Path '/own' -ScriptBlock {
    Write-KrTextResponse -InputObject 'get'
}
Add-KrMapRoute -Verbs Head -Path '/own' -ScriptBlock {
    $Context.AddHeader('X-Own', 'head')
    Write-KrTextResponse -InputObject '' -StatusCode 204
}

Start-KrServer
