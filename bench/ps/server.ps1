<#
    Kestrun.Rust benchmark server (bench/run.sh starts it with pwsh when pwsh is installed).
    The routes of the 19.1 sessions tutorial, served over plain HTTP (cookie -SecurePolicy None) and,
    with -HttpsPort, also over HTTPS with a self-signed certificate. Runs until the process is stopped.

        pwsh -NoProfile -File bench/ps/server.ps1 -ModulePath out/Kestrun.Rust/Kestrun.Rust.psd1 -Port 5000 [-HttpsPort 5001]
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][int]$Port,
    [int]$HttpsPort = 0
)
$ErrorActionPreference = 'Stop'

Import-Module $ModulePath

New-KrServer -Name 'Kestrun.Rust bench'
Add-KrEndpoint -Port $Port -IPAddress ([IPAddress]::Loopback)
if ($HttpsPort -gt 0) {
    Add-KrEndpoint -Port $HttpsPort -IPAddress ([IPAddress]::Loopback) -SelfSignedCert
}

# Sessions as in the tutorial, but the cookie is never marked Secure: the benchmark also runs over HTTP.
$cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy None
Add-KrSession -Cookie $cookie -IdleTimeout 20 -IOTimeout 10

Enable-KrConfiguration

# Counter kept in the session: read, increment, write back, answer JSON (the route measured).
Add-KrMapRoute -Verbs Get -Path '/session/counter' -ScriptBlock {
    $current = Get-KrSessionInt32 -Key 'counter'
    Set-KrSessionInt32 -Key 'counter' -Value ($current + 1)
    Write-KrJsonResponse -StatusCode 200 -InputObject @{
        message = 'Counter incremented'
        counter = $current + 1
    }
}

# The tutorial's other session routes, so the server is the whole example (not measured).
Add-KrMapRoute -Verbs Get -Path '/session/login' -ScriptBlock {
    $user = Get-KrRequestQuery -Name 'user'
    if ([string]::IsNullOrWhiteSpace($user)) {
        Write-KrJsonResponse -StatusCode 400 -InputObject @{ error = "The 'user' query parameter is required"; example = '/session/login?user=max' }
        return
    }
    Set-KrSessionString -Key 'user' -Value $user
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Logged in'; user = $user }
}

Add-KrMapRoute -Verbs Get -Path '/session/whoami' -ScriptBlock {
    $user = Get-KrSessionString -Key 'user'
    if ([string]::IsNullOrEmpty($user)) {
        Write-KrJsonResponse -StatusCode 401 -InputObject @{ error = 'No user in this session' }
        return
    }
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ user = $user }
}

Add-KrMapRoute -Verbs Get -Path '/session/logout' -ScriptBlock {
    Clear-KrSession
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Session cleared' }
}

Add-KrMapRoute -Verbs Get -Path '/session/set' -ScriptBlock {
    $key = Get-KrRequestQuery -Name 'key'
    $value = Get-KrRequestQuery -Name 'value'
    if ([string]::IsNullOrWhiteSpace($key) -or [string]::IsNullOrWhiteSpace($value)) {
        Write-KrJsonResponse -StatusCode 400 -InputObject @{ error = "The 'key' and 'value' query parameters are required"; example = '/session/set?key=color&value=purple' }
        return
    }
    Set-KrSessionString -Key $key -Value $value
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Stored in session'; key = $key; value = $value }
}

Add-KrMapRoute -Verbs Get -Path '/session/get' -ScriptBlock {
    $key = Get-KrRequestQuery -Name 'key'
    if ([string]::IsNullOrWhiteSpace($key)) {
        Write-KrJsonResponse -StatusCode 400 -InputObject @{ error = "The 'key' query parameter is required"; example = '/session/get?key=color' }
        return
    }
    $value = Get-KrSessionString -Key $key
    if ($null -eq $value) {
        Write-KrJsonResponse -StatusCode 404 -InputObject @{ error = "Key '$key' not found in session" }
        return
    }
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ key = $key; value = $value }
}

# No session access: the PowerShell route overhead alone (measured).
Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -StatusCode 200 -InputObject 'Hello, World!'
}

Start-KrServer
