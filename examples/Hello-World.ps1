<#
    Minimal Kestrun.Rust server: one text route and one JSON route over plain HTTP.
    Run:  pwsh ./examples/Hello-World.ps1 [-Port 5000]
    Try:  curl http://127.0.0.1:5000/hello   and   curl 'http://127.0.0.1:5000/greet/Ada?excited=true'
#>
param(
    [int]$Port = 5000
)

Import-Module Kestrun.Rust

New-KrLogger | Set-KrLoggerLevel -Value Information | Add-KrSinkConsole | Register-KrLogger -Name 'console' -SetAsDefault

New-KrServer -Name 'Hello World'
Add-KrEndpoint -Port $Port -IPAddress ([IPAddress]::Loopback)

$punctuation = '!'
Enable-KrConfiguration

Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -InputObject 'Hello, World!'
}

Add-KrMapRoute -Verbs Get -Path '/greet/{name}' -ScriptBlock {
    $name = Get-KrRequestRouteParam -Name 'name'
    $excited = Get-KrRequestQuery -Name 'excited' -AsBool
    $text = "Hello, $name"
    if ($excited) { $text += $punctuation }
    Write-KrJsonResponse -InputObject @{ greeting = $text; method = $Context.Method }
}

Start-KrServer
