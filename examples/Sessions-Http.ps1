<#
    The 19.1 sessions counter over plain HTTP (-SecurePolicy None, as the tutorial's tip says), for quick local tests.
    Run:  pwsh ./examples/Sessions-Http.ps1 [-Port 5000]
    Try:  curl -c jar.txt -b jar.txt http://127.0.0.1:5000/session/counter   (twice: 1, then 2)
#>
param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback
)

Import-Module Kestrun.Rust

New-KrServer -Name 'Sessions over HTTP'
Add-KrEndpoint -Port $Port -IPAddress $IPAddress
$cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy None
Add-KrSession -Cookie $cookie -IdleTimeout 300
Enable-KrConfiguration

Add-KrMapRoute -Verbs Get -Path '/session/counter' -ScriptBlock {
    $current = Get-KrSessionInt32 -Key 'counter'
    Set-KrSessionInt32 -Key 'counter' -Value ($current + 1)
    Write-KrJsonResponse -InputObject @{ counter = $current + 1 }
}

Add-KrMapRoute -Verbs Get -Path '/session/reset' -ScriptBlock {
    Clear-KrSession
    Write-KrJsonResponse -InputObject @{ message = 'Session cleared' }
}

Start-KrServer -CloseLogsOnExit
