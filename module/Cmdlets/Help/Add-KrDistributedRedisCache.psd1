# Help of Add-KrDistributedRedisCache (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Keeps the server's session state in Redis, a distributed cache that several servers can share.
'@
    Description = @'
Registers Redis as the store of the server's sessions (ASP.NET Core's AddStackExchangeRedisCache). Call it
before Add-KrSession, once per server; Add-KrSession then keeps every session in Redis (with or without
-NoDistributedMemoryCache) under the key '<InstanceName><session key>', as JSON, with the idle timeout as the
key's expiry (extended by every request), so the state survives restarts and is shared by all servers that use
the same Redis and InstanceName.

Servers behind a load balancer must also read each other's session cookies: give every one of them the same
secret with Add-KrSession -DataProtectionKey (ASP.NET Core servers share their data-protection keys for this).

The connection string is checked here, but nothing connects yet: the server starts even when Redis is down
(and logs it). While Redis is unreachable, routes still run: sessions read as empty and their changes are
logged as lost, each store call bounded by the timeouts. When Redis is back, sessions work again (no restart).
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        Configuration = @'
The StackExchange.Redis configuration string, as ASP.NET Core's RedisCacheOptions.Configuration
(default 'localhost:6379'): 'host[:port][,host2[:port]...][,password=...][,user=...][,ssl=true][,sslHost=...]
[,defaultDatabase=N][,connectTimeout=ms][,syncTimeout=ms][,asyncTimeout=ms][,name=...][,abortConnect=false]
[,connectRetry=N]', or a URL 'redis://[[user]:password@]host[:port][/db]' ('rediss://' for TLS).
'@
        ConfigurationOptions = @'
Instead of -Configuration: a [StackExchange.Redis.ConfigurationOptions] (the type is available once the module
is imported, as in Kestrun), the same options as a hashtable (EndPoints, Password, User, Ssl, SslHost,
DefaultDatabase, ConnectTimeout, SyncTimeout, AsyncTimeout, ClientName, AbortOnConnectFail, ConnectRetry), or a
redis:// / rediss:// URL.
Honoured: every endpoint of EndPoints (in order; the next one is used when one fails), Password, User, Ssl,
SslHost, DefaultDatabase, ConnectTimeout, SyncTimeout and AsyncTimeout (the per-command timeout: AsyncTimeout,
which defaults to SyncTimeout), ClientName (CLIENT SETNAME), AbortOnConnectFail, ConnectRetry and Protocol.
TLS verifies the server certificate against the system trust store, which SSL_CERT_FILE can point at a
private CA; SslHost must name the endpoint's host.
Rejected with an error that names the property, when set: ServiceName (Sentinel), Proxy, Tunnel, CommandMap,
SslProtocols without both Tls12 and Tls13, SslClientAuthenticationOptions, BeforeSocketConnect, handlers of
CertificateValidation / CertificateSelection, and a property unknown to Kestrun.Rust.
No effect on a session store (they tune StackExchange.Redis itself or serve features sessions do not use):
AllowAdmin, KeepAlive, TieBreaker, ConfigurationChannel, ConfigCheckSeconds, ChannelPrefix, DefaultVersion,
ResolveDns, HeartbeatInterval, HeartbeatConsistencyChecks, HighPrioritySocketThreads, IncludeDetailInExceptions,
IncludePerformanceCountersInExceptions, SetClientLibrary, LibraryName, ReconnectRetryPolicy, BacklogPolicy,
LoggerFactory, SocketManager, CheckCertificateRevocation (certificates are not checked for revocation).
A Password, User, ClientName or SslHost with a comma cannot be passed: give a URL with the password
percent-encoded instead.
'@
        InstanceName = @'
The prefix of every key the sessions use in Redis (ASP.NET Core's InstanceName), e.g. 'MyApp:'. Default: none.
'@
        ConnectTimeout = @'
Milliseconds allowed to connect to Redis (default: the configuration's connectTimeout, else 5000).
'@
        OperationTimeout = @'
Milliseconds allowed for each Redis command (default: the configuration's asyncTimeout / syncTimeout, else 5000).
'@
        NoDistributedMemoryCache = @'
Accepted for compatibility with Kestrun's tutorial: a server with a distributed cache keeps its sessions there
and never in memory, with or without this switch.
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
New-KrServer -Name 'web1'
Add-KrEndpoint -Port 5000 -SelfSignedCert
Add-KrDistributedRedisCache -Configuration 'localhost:6379' -InstanceName 'MyApp:'
Add-KrSession -IdleTimeout 1200 -DataProtectionKey $env:MYAPP_SESSION_SECRET

Sessions in the local Redis, readable by every server started with the same secret.
'@
        @'
$uri = [System.Uri]::new($env:UPSTASH_REDIS_URL)          # rediss://default:TOKEN@host:6379
$cfg = [StackExchange.Redis.ConfigurationOptions]::new()
$cfg.EndPoints.Add("$($uri.Host):$($uri.Port)")
$cfg.Ssl = $true
$cfg.User, $cfg.Password = $uri.UserInfo.Split(':', 2)   # 'default', 'TOKEN'
$cfg.AbortOnConnectFail = $false
$cfg.ConnectTimeout = 5000
$cfg.SyncTimeout = 5000
$cfg.ClientName = 'kestrun-web1'
Add-KrDistributedRedisCache -ConfigurationOptions $cfg -InstanceName 'KestrunSession_'
Add-KrSession -NoDistributedMemoryCache -IdleTimeout 20

Kestrun's tutorial 19.2: a TLS Redis with a user and password, from a StackExchange.Redis ConfigurationOptions.
'@
        @'
$cfg = [StackExchange.Redis.ConfigurationOptions]::Parse('primary.internal:6379,replica.internal:6379,password=secret')
Add-KrDistributedRedisCache -ConfigurationOptions $cfg -InstanceName 'Shop:'

Two endpoints: the sessions use the first that answers and move to the other when it fails.
'@
        @'
Add-KrDistributedRedisCache -ConfigurationOptions @{ EndPoints = 'cache.internal:6380'; Password = $pw; Ssl = $true; DefaultDatabase = 2 }

TLS with a password, from a hashtable of StackExchange.Redis options.
'@
        @'
Add-KrDistributedRedisCache -ConfigurationOptions 'redis://:secret@127.0.0.1:6379/1' -InstanceName 'Shop:' -PassThru | Add-KrSession

A URL, then sessions on the returned server.
'@
    )
}
