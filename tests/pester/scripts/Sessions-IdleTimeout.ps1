<#
    Test server: a session counter with a very short idle timeout (Pester: Session.IdleTimeout.Tests.ps1).
#>
param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback,
    [int]$IdleTimeout = 2
)

Import-Module Kestrun.Rust

New-KrServer -Name 'Idle Timeout Test Server'
Add-KrEndpoint -Port $Port -IPAddress $IPAddress -SelfSignedCert
# One runspace: no request waits for a second runspace to be created while the idle clock runs.
Set-KrServerOptions -MaxRunspaces 1
$cookie = New-KrCookieBuilder -Name 'Kr.Idle' -HttpOnly -SameSite Lax -SecurePolicy Always
Add-KrSession -Cookie $cookie -IdleTimeout $IdleTimeout -IOTimeout 5
Enable-KrConfiguration

Add-KrMapRoute -Verbs Get -Path '/counter' -ScriptBlock {
    $current = Get-KrSessionInt32 -Key 'counter'
    Set-KrSessionInt32 -Key 'counter' -Value ($current + 1)
    Write-KrJsonResponse -InputObject @{ counter = $current + 1 }
}

Start-KrServer -Quiet
