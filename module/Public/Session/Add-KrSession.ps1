function Add-KrSession {
    <#
    .SYNOPSIS
        Enables cookie-based sessions on a server.
    .DESCRIPTION
        Turns on the engine's session middleware: each client gets a session identified by an encrypted cookie
        (set when the session is first written), whose values live in a server-side store (in-memory by default, Redis
        after Add-KrDistributedRedisCache) and expire after -IdleTimeout seconds without a request (sliding). Requests
        of one session are served one at a time (across every server sharing a Redis store too), so read-modify-write
        sequences such as a counter are safe. Routes then use Get-KrSession* / Set-KrSession* / Remove-KrSession,
        Reset-KrSessionId at login (a new id for the session, against session fixation) and Clear-KrSession at logout
        (the session and its id end). The cookie is sent when a session is established, renewed or ended, with
        Cache-Control: no-cache,no-store, Pragma: no-cache and Expires: -1, never for a mere update. A route that fails
        (500) has its session changes discarded. When the store fails or does not answer within -IOTimeout, the route
        runs with an empty session that cannot be saved, and a route that changes it is answered 503 (JSON): a change
        is never acknowledged when it was not stored.
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER Cookie
        Cookie settings from New-KrCookieBuilder (name, path, domain, HttpOnly, SameSite, SecurePolicy, MaxAge).
    .PARAMETER IdleTimeout
        Seconds of inactivity after which a session is abandoned (default 1200 = 20 minutes).
    .PARAMETER IOTimeout
        Seconds allowed for every wait of the session store (default 60): the load, the save, and the wait for another
        request of the same session to finish.
    .PARAMETER MaxSessions
        The most sessions the in-memory store holds (default 1000000). When it is full, sessions in use are kept: a new
        session is admitted only if it is used more than the least recently used one (frequency-based admission), so a
        flood of cookie-less requests cannot push users out; a request whose new session is refused gets 503. A full
        store is logged once per 10 seconds with the count of refused sessions. Has no effect with a Redis store.
    .PARAMETER DataProtectionKey
        A secret (16 to 4096 characters) the session cookie's key is derived from (HKDF-SHA512). Servers given the same
        secret read each other's session cookies, so a client keeps its session when a load balancer sends it to another
        server sharing the same distributed cache (Add-KrDistributedRedisCache) — as ASP.NET Core servers sharing their
        data-protection keys. Use a long random secret kept out of source control (e.g. from an environment variable),
        never something derived from public values such as the InstanceName. Without it, each server uses a random key
        and its cookies are readable by that server (run) only.
    .PARAMETER NoDistributedMemoryCache
        Kestrun compatibility: do not add the default in-memory store because another store was configured. Kestrun.Rust
        uses the store registered for the server (Add-KrDistributedRedisCache), else its in-memory store, with or without
        this switch.
    .PARAMETER PassThru
        Return the server.
    .EXAMPLE
        $cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy Always
        Add-KrSession -Cookie $cookie -IdleTimeout 20 -IOTimeout 10
    .EXAMPLE
        New-KrCookieBuilder -Name 'sid' | Add-KrSession -IdleTimeout 600
    .EXAMPLE
        Add-KrSession -IdleTimeout 1200 -MaxSessions 50000

        At most 50,000 sessions in memory; when full, active users keep their sessions and new ones are refused (503).
    .EXAMPLE
        Add-KrDistributedRedisCache -Configuration 'localhost:6379' -InstanceName 'MyApp:'
        Add-KrSession -NoDistributedMemoryCache -DataProtectionKey $env:MYAPP_SESSION_SECRET

        Sessions in Redis, shared by every server given the same secret.
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrCookieBuilder]$Cookie,

        [Parameter()]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$IdleTimeout,

        [Parameter()]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$IOTimeout,

        [Parameter()]
        [ValidateRange(1, [long]::MaxValue)]
        [long]$MaxSessions,

        [Parameter()]
        [Alias('CookieKey')]
        [ValidateLength(16, 4096)]
        [string]$DataProtectionKey,

        [Parameter()]
        [switch]$NoDistributedMemoryCache,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -ErrorId 'KrAddSessionFailed' -PassThru:$PassThru -Action {
            param($Server, $Bound)
            $settings = [KestrunRust.KrSessionSettings]::new()
            if ($null -ne $Cookie) {
                $settings.Cookie = $Cookie
            }
            if ($Bound.ContainsKey('IdleTimeout')) {
                $settings.IdleTimeoutSeconds = [uint64]$IdleTimeout
            }
            if ($Bound.ContainsKey('IOTimeout')) {
                $settings.IoTimeoutSeconds = [uint64]$IOTimeout
            }
            if ($Bound.ContainsKey('MaxSessions')) {
                $settings.MaxSessions = [uint64]$MaxSessions
            }
            if ($Bound.ContainsKey('DataProtectionKey')) {
                $settings.CookieKey = [System.Text.Encoding]::UTF8.GetBytes($DataProtectionKey)
            }
            if ($null -ne $Server.DistributedCache) {
                Write-Verbose "Add-KrSession: sessions are kept in $($Server.DistributedCache.ToString())."
                if (-not $settings.HasCookieKey) {
                    Write-Warning ("Server '$($Server.Name)' keeps sessions in Redis but has no -DataProtectionKey: its session cookies are " +
                        'readable by this server only. Give every server that shares the cache the same -DataProtectionKey.')
                }
            } elseif ($NoDistributedMemoryCache.IsPresent) {
                Write-Verbose 'Add-KrSession -NoDistributedMemoryCache: no distributed cache is registered for the server, so its in-memory store is used.'
            }
            $Server.ConfigureSession($settings)
        }
    }
}
