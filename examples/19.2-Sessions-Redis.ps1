<#
    Sample Kestrun.Rust Server Configuration – Sessions on Redis (distributed cache)
    The routes of 19.1-Sessions.ps1, with the session state in Redis instead of the server's memory: it survives a
    restart of the server and is shared by every server that uses the same Redis, InstanceName and DataProtectionKey.
    FileName: 19.2-Sessions-Redis.ps1

    Run one server:        pwsh ./examples/19.2-Sessions-Redis.ps1 -Port 5000
    Run a farm of two:     $env:KESTRUN_SESSION_KEY = 'a long random secret shared by the farm'
                           pwsh ./examples/19.2-Sessions-Redis.ps1 -Port 5000   # and, in another shell,
                           pwsh ./examples/19.2-Sessions-Redis.ps1 -Port 5001
    Try:                   curl -k -c jar.txt -b jar.txt https://127.0.0.1:5000/session/login?user=max
                           curl -k -c jar.txt -b jar.txt https://127.0.0.1:5001/session/whoami     # {"user":"max"}
    Look into Redis:       redis-cli --scan --pattern 'Kestrun.Sessions:*'
#>

param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback,
    # StackExchange.Redis configuration string or redis:// URL (ASP.NET Core's RedisCacheOptions.Configuration).
    [string]$RedisConfiguration = 'localhost:6379',
    # Prefix of the session keys in Redis (ASP.NET Core's InstanceName).
    [string]$InstanceName = 'Kestrun.Sessions:',
    # Secret shared by the servers of a farm so that they read each other's session cookies (none: this server only).
    [string]$DataProtectionKey = $env:KESTRUN_SESSION_KEY,
    [int]$IdleTimeout = 20,
    [int]$IOTimeout = 10
)

# Configure default logging
New-KrLogger |
    Set-KrLoggerLevel -Value Debug |
    Add-KrSinkConsole |
    Register-KrLogger -Name 'myLogger' -SetAsDefault

# Create a new Kestrun server
New-KrServer -Name "Sessions on Redis ($Port)"

# Listener
Add-KrEndpoint -Port ($Port) -IPAddress $IPAddress -SelfSignedCert

# --- Session setup -----------------------------------------------------------
# The distributed cache first: session state in Redis. Nothing connects yet, so the server also starts while Redis
# is down (sessions then read as empty until it is back).
Add-KrDistributedRedisCache -Configuration $RedisConfiguration -InstanceName $InstanceName

$cookie = New-KrCookieBuilder `
    -Name 'Kr.Session' `
    -HttpOnly `
    -SameSite Lax `
    -SecurePolicy Always  # set to None if you want to test over plain http

# Then the sessions, which use the cache registered above.
$sessionParameters = @{
    Cookie                   = $cookie
    IdleTimeout              = $IdleTimeout
    IOTimeout                = $IOTimeout
    NoDistributedMemoryCache = $true
}
if (-not [string]::IsNullOrEmpty($DataProtectionKey)) {
    $sessionParameters.DataProtectionKey = $DataProtectionKey
}
Add-KrSession @sessionParameters

# Enable configuration
Enable-KrConfiguration

# --- Routes (the same as 19.1) ------------------------------------------------

# 1) Simple counter: increments an integer stored in session.
Add-KrMapRoute -Verbs Get -Path '/session/counter' -ScriptBlock {
    $current = Get-KrSessionInt32 -Key 'counter'
    Set-KrSessionInt32 -Key 'counter' -Value ($current + 1)

    Write-KrJsonResponse -StatusCode 200 -InputObject @{
        message = 'Counter incremented'
        counter = $current + 1
    }
}

# 2) Login: set a 'user' value in session (?user=max)
Add-KrMapRoute -Verbs Get -Path '/session/login' -ScriptBlock {
    $user = Get-KrRequestQuery -Name 'user'
    if ([string]::IsNullOrWhiteSpace($user)) {
        Write-KrJsonResponse -StatusCode 400 -InputObject @{
            error = "Missing 'user' query parameter"
            example = '/session/login?user=max'
        }
        return
    }
    Set-KrSessionString -Key 'user' -Value $user
    Write-KrJsonResponse -StatusCode 200 -InputObject @{
        message = 'Logged in'
        user = $user
    }
}

# 3) WhoAmI: read 'user' from session
Add-KrMapRoute -Verbs Get -Path '/session/whoami' -ScriptBlock {
    $user = Get-KrSessionString -Key 'user'
    if ([string]::IsNullOrEmpty($user)) {
        Write-KrJsonResponse -StatusCode 401 -InputObject @{
            error = 'No active session or user not set'
        }
        return
    }
    Write-KrJsonResponse -StatusCode 200 -InputObject @{
        user = $user
    }
}

# 4) Logout: clear the session
Add-KrMapRoute -Verbs Get -Path '/session/logout' -ScriptBlock {
    Clear-KrSession
    Write-KrJsonResponse -StatusCode 200 -InputObject @{
        message = 'Session cleared'
    }
}

# 5) Generic set: /session/set?key=foo&value=bar
Add-KrMapRoute -Verbs Get -Path '/session/set' -ScriptBlock {
    $key = Get-KrRequestQuery -Name 'key'
    $value = Get-KrRequestQuery -Name 'value'
    if ([string]::IsNullOrWhiteSpace($key) -or [string]::IsNullOrWhiteSpace($value)) {
        Write-KrJsonResponse -StatusCode 400 -InputObject @{
            error = "Missing 'key' and/or 'value' query parameter(s)"
            example = '/session/set?key=color&value=purple'
        }
        return
    }
    Set-KrSessionString -Key $key -Value $value
    Write-KrJsonResponse -StatusCode 200 -InputObject @{
        message = 'Stored in session'
        key = $key
        value = $value
    }
}

# 6) Generic get: /session/get?key=foo
Add-KrMapRoute -Verbs Get -Path '/session/get' -ScriptBlock {
    $key = Get-KrRequestQuery -Name 'key'
    if ([string]::IsNullOrWhiteSpace($key)) {
        Write-KrJsonResponse -StatusCode 400 -InputObject @{
            error = "Missing 'key' query parameter"
            example = '/session/get?key=color'
        }
        return
    }
    $val = Get-KrSessionString -Key $key
    if ($null -eq $val) {
        Write-KrJsonResponse -StatusCode 404 -InputObject @{
            error = "Key '$key' not found in session"
        }
        return
    }
    Write-KrJsonResponse -StatusCode 200 -InputObject @{
        key = $key
        value = $val
    }
}

# Convenience: hello (non-session)
Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -StatusCode 200 -InputObject 'Hello, Session World!'
}

# Start the server (serves until Ctrl+C, then stops and cleans up)
Start-KrServer -CloseLogsOnExit
