<#
    Test server: sessions against a hostile client (Pester: Session.Security.Tests.ps1). A login that gives the session
    a new id (Reset-KrSessionId) and one that does not, a logout that ends the session (Clear-KrSession), a counter and
    a read-only peek; the in-memory store bounded by -MaxSessions. Its console (Information and above) is the log the
    tests read ("session store full ...").
#>
param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback,
    # 0: the module's default bound.
    [long]$MaxSessions = 0,
    [int]$IOTimeout = 10
)

Import-Module Kestrun.Rust

New-KrLogger |
    Set-KrLoggerLevel -Value Information |
    Add-KrSinkConsole |
    Register-KrLogger -Name 'sessionSecurity' -SetAsDefault

New-KrServer -Name 'Session Security Test Server'
Add-KrEndpoint -Port $Port -IPAddress $IPAddress -SelfSignedCert
$cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy Always
$sessionParameters = @{ Cookie = $cookie; IdleTimeout = 600; IOTimeout = $IOTimeout }
if ($MaxSessions -gt 0) {
    $sessionParameters.MaxSessions = $MaxSessions
}
Add-KrSession @sessionParameters
Enable-KrConfiguration

# A write: the counter of this session, incremented.
Add-KrMapRoute -Verbs Get -Path '/session/counter' -ScriptBlock {
    $current = Get-KrSessionInt32 -Key 'counter'
    Set-KrSessionInt32 -Key 'counter' -Value ($current + 1)
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ counter = $current + 1 }
}

# Login as the issue asks for it: store the user, then a new id for the session.
Add-KrMapRoute -Verbs Get -Path '/session/login' -ScriptBlock {
    $user = Get-KrRequestQuery -Name 'user'
    Set-KrSessionString -Key 'user' -Value $user
    Reset-KrSessionId
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Logged in'; user = $user }
}

# Login without a new id (what Reset-KrSessionId protects against).
Add-KrMapRoute -Verbs Get -Path '/session/login-plain' -ScriptBlock {
    $user = Get-KrRequestQuery -Name 'user'
    Set-KrSessionString -Key 'user' -Value $user
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Logged in'; user = $user }
}

Add-KrMapRoute -Verbs Get -Path '/session/whoami' -ScriptBlock {
    $user = Get-KrSessionString -Key 'user'
    if ([string]::IsNullOrEmpty($user)) {
        Write-KrJsonResponse -StatusCode 401 -InputObject @{ error = 'No active session or user not set' }
        return
    }
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ user = $user }
}

Add-KrMapRoute -Verbs Get -Path '/session/logout' -ScriptBlock {
    Clear-KrSession
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Session cleared' }
}

# A read only: what the session holds ($null for what it does not).
Add-KrMapRoute -Verbs Get -Path '/session/peek' -ScriptBlock {
    Write-KrJsonResponse -StatusCode 200 -InputObject @{
        counter = Get-KrSessionInt32 -Key 'counter'
        user    = Get-KrSessionString -Key 'user'
    }
}

Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -StatusCode 200 -InputObject 'Hello'
}

Start-KrServer -CloseLogsOnExit
