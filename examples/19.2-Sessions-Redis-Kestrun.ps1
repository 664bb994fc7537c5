<#
    Sample Kestrun Server Configuration – Sessions with Redis (the style of Kestrun's tutorial 19.2)
    The routes of 19.1-Sessions.ps1 with the session state in a TLS Redis (e.g. Upstash), configured through a
    StackExchange.Redis ConfigurationOptions built from the URL in $env:UPSTASH_REDIS_URL:
        rediss://default:YOUR_TOKEN@your-host:6379
    FileName: 19.2-Sessions-Redis-Kestrun.ps1

    Run:         $env:UPSTASH_REDIS_URL = 'rediss://default:TOKEN@host:6379'; pwsh ./examples/19.2-Sessions-Redis-Kestrun.ps1
    A private CA for the Redis certificate: $env:SSL_CERT_FILE = '/path/to/ca.pem' (replaces the system trust store)
    Try:         curl -k -c jar.txt -b jar.txt https://127.0.0.1:5000/session/login?user=max
    Look inside: redis-cli --tls -h host -p 6379 --user default --pass TOKEN --scan --pattern 'KestrunSession_*'
#>

param(
    [int]$Port = $env:PORT ?? 5000
)

# Configure default logging
New-KrLogger |
    Set-KrLoggerLevel -Value Debug |
    Add-KrSinkConsole |
    Register-KrLogger -Name 'myLogger' -SetAsDefault

# Create a new Kestrun server
New-KrServer -Name 'Sessions Redis Demo Server'

# Listener
Add-KrEndpoint -Port ($Port) -SelfSignedCert

# --- Redis: a StackExchange.Redis ConfigurationOptions from UPSTASH_REDIS_URL ----------------------------------
$redisUrl = $env:UPSTASH_REDIS_URL
if ([string]::IsNullOrWhiteSpace($redisUrl)) {
    throw 'Set UPSTASH_REDIS_URL to the Redis URL, e.g. rediss://default:YOUR_TOKEN@your-host:6379.'
}
$uri = [System.Uri]::new($redisUrl)
# UserInfo is 'default:YOUR_TOKEN': the Redis user and its password.
$user, $token = $uri.UserInfo.Split(':', 2)

$cfg = [StackExchange.Redis.ConfigurationOptions]::new()
$cfg.EndPoints.Add("$($uri.Host):$($uri.Port)")
$cfg.Ssl = $true                          # rediss:// is Redis over TLS
$cfg.User = [System.Uri]::UnescapeDataString($user)
$cfg.Password = [System.Uri]::UnescapeDataString($token)
$cfg.AbortOnConnectFail = $false          # start even while Redis cannot be reached
$cfg.ConnectTimeout = 5000
$cfg.SyncTimeout = 5000
$cfg.ClientName = "kestrun-$([System.Environment]::MachineName)"

# The distributed cache first: sessions are kept in Redis under 'KestrunSession_<session key>'.
Add-KrDistributedRedisCache -ConfigurationOptions $cfg -InstanceName 'KestrunSession_'

# --- Session setup -----------------------------------------------------------
$cookie = New-KrCookieBuilder `
    -Name 'Kr.Session' `
    -HttpOnly `
    -SameSite Lax `
    -SecurePolicy Always

# The cache above holds the sessions: no in-memory cache.
Add-KrSession -Cookie $cookie -IdleTimeout 20 -IOTimeout 10 -NoDistributedMemoryCache

# Enable configuration
Enable-KrConfiguration

# --- Routes -----------------------------------------------------------------

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

# Start the server
Start-KrServer -CloseLogsOnExit
