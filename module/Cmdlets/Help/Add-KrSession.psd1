# Help of Add-KrSession (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Enables cookie-based sessions on a server.
'@
    Description = @'
Turns on the engine's session middleware: each client gets a session identified by an encrypted cookie
(set when the session is first written), whose values live in a server-side store (in-memory by default; Redis,
PostgreSQL or SQLite after Add-KrDistributedRedisCache, Add-KrDistributedPostgresCache or
Add-KrDistributedSqliteCache) and expire after -IdleTimeout seconds without a request (sliding). Requests
of one session are served one at a time (across every server sharing a Redis or SQL store too), so read-modify-write
sequences such as a counter are safe. Routes then use Get-KrSession* / Set-KrSession* / Remove-KrSession,
Reset-KrSessionId at login (a new id for the session, against session fixation) and Clear-KrSession at logout
(the session and its id end). The cookie is sent when a session is established, renewed or ended, with
Cache-Control: no-cache,no-store, Pragma: no-cache and Expires: -1, never for a mere update. A route that fails
(500) has its session changes discarded. When the store fails or does not answer within -IOTimeout, the route
runs with an empty session that cannot be saved, and a route that changes it is answered 503 (JSON): a change
is never acknowledged when it was not stored.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        Cookie = @'
Cookie settings from New-KrCookieBuilder (name, path, domain, HttpOnly, SameSite, SecurePolicy, MaxAge).
'@
        IdleTimeout = @'
Seconds of inactivity after which a session is abandoned (default 1200 = 20 minutes).
'@
        IOTimeout = @'
Seconds allowed for every wait of the session store (default 60): the load, the save, and the wait for another
request of the same session to finish.
'@
        MaxSessions = @'
The most sessions the in-memory store holds (default 1000000). When it is full, sessions in use are kept: a new
session is admitted only if it is used more than the least recently used one (frequency-based admission), so a
flood of cookie-less requests cannot push users out; a request whose new session is refused gets 503. A full
store is logged once per 10 seconds with the count of refused sessions. Has no effect with a distributed cache
(Redis, PostgreSQL, SQLite).
'@
        KeyLifetime = @'
How long a key of the distributed cache's key ring seals new session cookies (default 90 days, as ASP.NET Core).
A server that starts when the newest key is older adds a new key; older keys still open the cookies they sealed
for one more lifetime, and a cookie opened with an older key is sent back sealed with the current one.
'@
        DataProtectionKey = @'
A secret (16 to 4096 characters) the session cookie's key is derived from (HKDF-SHA512); it wins over the key
ring. Servers given the same secret read each other's session cookies. Use a long random secret kept out of
source control (e.g. from an environment variable), never something derived from public values such as the
InstanceName. Without it, servers that share a distributed cache (Add-KrDistributedRedisCache,
Add-KrDistributedPostgresCache, Add-KrDistributedSqliteCache) take their cookie keys from a key ring kept in that
cache — created once by the first server, read by the others, and kept across restarts — as ASP.NET Core servers
share their data-protection key ring; with the in-memory store, each server (run) has a random key of its own.
'@
        NoDistributedMemoryCache = @'
Kestrun compatibility: do not add the default in-memory store because another store was configured. Kestrun.Rust
uses the store registered for the server (Add-KrDistributedRedisCache, Add-KrDistributedPostgresCache,
Add-KrDistributedSqliteCache), else its in-memory store, with or without this switch.
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
$cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy Always
Add-KrSession -Cookie $cookie -IdleTimeout 20 -IOTimeout 10
'@
        @'
New-KrCookieBuilder -Name 'sid' | Add-KrSession -IdleTimeout 600
'@
        @'
Add-KrSession -IdleTimeout 1200 -MaxSessions 50000

At most 50,000 sessions in memory; when full, active users keep their sessions and new ones are refused (503).
'@
        @'
Add-KrDistributedRedisCache -Configuration 'localhost:6379' -InstanceName 'MyApp:'
Add-KrSession -NoDistributedMemoryCache

Sessions in Redis, shared by every server that runs this script against the same Redis and InstanceName: their
cookie keys come from the key ring kept in Redis, so no secret is needed and cookies survive restarts.
'@
        @'
Add-KrDistributedRedisCache -Configuration 'localhost:6379' -InstanceName 'MyApp:'
Add-KrSession -NoDistributedMemoryCache -DataProtectionKey $env:MYAPP_SESSION_SECRET

The same with the cookie key derived from a secret of your own (it wins over the key ring).
'@
        @'
Add-KrDistributedPostgresCache -ConnectionString 'Host=db.internal;Username=app;Database=app;SSL Mode=Disable' -CreateIfNotExists
Add-KrSession -NoDistributedMemoryCache -IdleTimeout 1200

Sessions in a PostgreSQL table shared by every server that runs this script, with the key ring in the same table.
'@
    )
}
