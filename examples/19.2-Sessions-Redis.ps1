<#
    Sample Kestrun.Rust Server Configuration – Sessions on Redis (distributed cache)
    The routes of 19.1-Sessions.ps1, with the session state in Redis instead of the server's memory: it survives a
    restart of the server and is shared by every server that uses the same Redis, InstanceName and DataProtectionKey.
    FileName: 19.2-Sessions-Redis.ps1

    This script runs 19.1-Sessions.ps1 (logging, server, endpoint, cookie, routes) and changes only its session
    setup: what differs is the function Add-KrSession below.

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

# Imported here rather than when 19.1 first uses it: a module loaded while 19.1 runs would come before the
# function below.
Import-Module Kestrun.Rust

# --- Session setup: the part that differs from 19.1 ------------------------------------------------------------
# 19.1-Sessions.ps1 calls `Add-KrSession -Cookie $cookie -IdleTimeout 20 -IOTimeout 10`. PowerShell finds a function
# of the calling script before a module's command, so while 19.1 runs, this function takes the place of the
# module's Add-KrSession: it keeps 19.1's cookie and replaces its timeouts with this script's parameters.
function Add-KrSession {
    param($Cookie)

    # The distributed cache first: session state in Redis. Nothing connects yet, so the server also starts while
    # Redis is down (sessions then read as empty until it is back).
    Add-KrDistributedRedisCache -Configuration $RedisConfiguration -InstanceName $InstanceName

    # Then the sessions (the module's Add-KrSession), which use the cache registered above.
    $sessionParameters = @{
        Cookie                   = $Cookie
        IdleTimeout              = $IdleTimeout
        IOTimeout                = $IOTimeout
        NoDistributedMemoryCache = $true
    }
    if (-not [string]::IsNullOrEmpty($DataProtectionKey)) {
        $sessionParameters.DataProtectionKey = $DataProtectionKey
    }
    Kestrun.Rust\Add-KrSession @sessionParameters
}

# --- Everything else is 19.1-Sessions.ps1 (serves until Ctrl+C, then stops and cleans up) ----------------------
& (Join-Path -Path $PSScriptRoot -ChildPath '19.1-Sessions.ps1') -Port $Port -IPAddress $IPAddress
