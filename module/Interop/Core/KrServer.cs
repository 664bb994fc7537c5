// A native server (KrServer*): endpoints, options, sessions, routes, start / stop / free.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace KestrunRust
{
    public enum KrServerState
    {
        /// <summary>Created and being configured (never started).</summary>
        Created,
        Running,
        Stopped,
        /// <summary>Freed: the native handle is gone; the object can no longer be used.</summary>
        Freed,
    }

    public enum KrEndpointKind
    {
        Http,
        HttpsSelfSigned,
        HttpsPem,
    }

    /// <summary>An endpoint as configured (the bound port / URL come from the server once started).</summary>
    public sealed class KrEndpoint
    {
        internal KrEndpoint(KrServer server, int index, KrEndpointKind kind, string address, int port, string certPath, string keyPath)
        {
            Server = server;
            Index = index;
            Kind = kind;
            Address = address;
            ConfiguredPort = port;
            CertPath = certPath;
            KeyPath = keyPath;
        }

        internal KrServer Server { get; }
        public int Index { get; }
        public KrEndpointKind Kind { get; }
        public string Address { get; }
        public int ConfiguredPort { get; }
        public string CertPath { get; }
        public string KeyPath { get; }

        public string Scheme
        {
            get { return Kind == KrEndpointKind.Http ? "http" : "https"; }
        }

        /// <summary>The bound port once the server started (the configured port before).</summary>
        public int Port
        {
            get { return Server.GetEndpointPort(Index); }
        }

        /// <summary>e.g. https://127.0.0.1:8080 (bound port once started).</summary>
        public string Url
        {
            get { return Server.GetEndpointUrl(Index); }
        }

        /// <summary>The HTTP versions served (HTTPS: agreed through ALPN; plain HTTP: HTTP/1.1, or h2c with prior
        /// knowledge when Http2 only). Set before the server starts.</summary>
        public KrHttpProtocols Protocols
        {
            get { return Server.GetEndpointProtocols(Index); }
            set { Server.SetEndpointProtocols(Index, value); }
        }

        public override string ToString()
        {
            try
            {
                return Url;
            }
            catch (Exception)
            {
                return Scheme + "://" + Address + ":" + ConfiguredPort;
            }
        }
    }

    /// <summary>A Kestrun.Rust server: a thin owner of the native KrServer* handle.</summary>
    public sealed class KrServer : IDisposable
    {
        /// <summary>Default bound for a graceful stop (the library's default shutdown timeout).</summary>
        public const uint DefaultStopTimeoutMs = 5000;

        private readonly object _gate = new object();
        private readonly object _lifecycle = new object();
        private readonly List<KrEndpoint> _endpoints = new List<KrEndpoint>();
        private readonly List<KrRoute> _routes = new List<KrRoute>();
        private IntPtr _handle;
        private KrServerState _state;
        private IDisposable _scriptHost;

        public KrServer(string name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A server name must be given.", nameof(name));
            }
            Name = name;
            byte[] n = KrUtf8.ZArray(name);
            KrOperation.Check(KrNative.kr_server_new(ref n[0], out IntPtr handle), "creating the server '{0}'", name);
            _handle = handle;
            _state = KrServerState.Created;
            // Every callback thread tells the host when it exits (KrCallbackThreads.Exiting), so that per-thread state
            // (a route runspace) is released by its own thread. A weak handle: the native server does not keep this
            // object alive; the library frees the handle with the server.
            IntPtr self = GCHandle.ToIntPtr(GCHandle.Alloc(this, GCHandleType.Weak));
            KrStatus st = KrNative.kr_server_set_thread_exit_callback(handle, KrRouteDispatcher.ThreadExitCallback, self, KrRouteDispatcher.FreeCallback);
            if (st != KrStatus.Ok)
            {
                string message = KrError.LastErrorMessage();
                KrRouteDispatcher.FreeUserData(self);
                KrNative.kr_server_free(handle);
                _handle = IntPtr.Zero;
                throw new KrException(st, "registering the thread exit callback of the server '" + name + "'", message);
            }
        }

        public string Name { get; }

        public KrServerState State
        {
            get { lock (_gate) { return _state; } }
        }

        /// <summary>The native handle (IntPtr.Zero once freed).</summary>
        public IntPtr Handle
        {
            get { lock (_gate) { return _handle; } }
        }

        /// <summary>Asks the library whether the server is serving.</summary>
        public bool IsRunning
        {
            get
            {
                IntPtr h = Handle;
                if (h == IntPtr.Zero)
                {
                    return false;
                }
                KrStatus st = KrNative.kr_server_is_running(h, out byte running);
                if (st == KrStatus.InvalidHandle)
                {
                    return false;
                }
                KrOperation.Check(st, "checking whether the server '{0}' is running", Name);
                return running != 0;
            }
        }

        public IReadOnlyList<KrEndpoint> Endpoints
        {
            get { lock (_gate) { return _endpoints.ToArray(); } }
        }

        public IReadOnlyList<KrRoute> Routes
        {
            get { lock (_gate) { return _routes.ToArray(); } }
        }

        /// <summary>What Add-KrSession configured (null when sessions are off).</summary>
        public KrSessionSettings Session { get; private set; }

        /// <summary>The session store chosen before Add-KrSession (null = the in-memory store): a
        /// <see cref="KrRedisCacheSettings"/> (Add-KrDistributedRedisCache), <see cref="KrPostgresCacheSettings"/>
        /// (Add-KrDistributedPostgresCache) or <see cref="KrSqliteCacheSettings"/> (Add-KrDistributedSqliteCache).</summary>
        public KrDistributedCacheSettings DistributedCache { get; private set; }

        /// <summary>Set by Enable-KrConfiguration.</summary>
        public bool ConfigurationEnabled { get; set; }

        /// <summary>Most callback threads (= runspaces) at a time, set with Set-KrServerOptions -MaxRunspaces (null = the
        /// library's default, max(32, 4 x cores)).</summary>
        public int? MaxRunspaces { get; private set; }

        /// <summary>Callback threads (= runspaces) kept warm, set with Set-KrServerOptions -MinRunspaces (null = the
        /// library's default, 2 x cores).</summary>
        public int? MinRunspaces { get; private set; }

        /// <summary>Bound used by Stop when no timeout is given.</summary>
        public uint ShutdownTimeoutMs { get; private set; } = DefaultStopTimeoutMs;

        /// <summary>The object that runs the routes' scripts while the server runs (the PowerShell runspace host);
        /// disposed when the server stops or is freed.</summary>
        public IDisposable ScriptHost
        {
            get { lock (_gate) { return _scriptHost; } }
            set
            {
                IDisposable old;
                lock (_gate)
                {
                    old = _scriptHost;
                    _scriptHost = value;
                }
                if (old != null && !ReferenceEquals(old, value))
                {
                    old.Dispose();
                }
            }
        }

        // ---- configuration --------------------------------------------------------------------------

        public KrEndpoint AddEndpointHttp(string address, int port)
        {
            return AddEndpoint(KrEndpointKind.Http, address, port, null, null);
        }

        public KrEndpoint AddEndpointSelfSigned(string address, int port)
        {
            return AddEndpoint(KrEndpointKind.HttpsSelfSigned, address, port, null, null);
        }

        public KrEndpoint AddEndpointPem(string address, int port, string certPath, string keyPath)
        {
            return AddEndpoint(KrEndpointKind.HttpsPem, address, port, certPath, keyPath);
        }

        private KrEndpoint AddEndpoint(KrEndpointKind kind, string address, int port, string certPath, string keyPath)
        {
            if (string.IsNullOrWhiteSpace(address))
            {
                throw new ArgumentException("An endpoint address must be given.", nameof(address));
            }
            if (port < 0 || port > ushort.MaxValue)
            {
                // The C type is uint16_t: a value it cannot carry never reaches the engine.
                throw new ArgumentOutOfRangeException(nameof(port), port, "A port must be between 0 and 65535.");
            }
            lock (_gate)
            {
                IntPtr h = RequireHandle();
                byte[] a = KrUtf8.ZArray(address);
                KrStatus st;
                nuint index;
                string op;
                switch (kind)
                {
                    case KrEndpointKind.Http:
                        op = "adding the HTTP endpoint {0}";
                        st = KrNative.kr_server_add_endpoint_http(h, ref a[0], (ushort)port, out index);
                        break;
                    case KrEndpointKind.HttpsSelfSigned:
                        op = "adding the HTTPS endpoint {0} (self-signed certificate)";
                        st = KrNative.kr_server_add_endpoint_https_self_signed(h, ref a[0], (ushort)port, out index);
                        break;
                    default:
                        op = "adding the HTTPS endpoint {0}";
                        byte[] c = KrUtf8.ZArray(certPath ?? throw new ArgumentNullException(nameof(certPath)));
                        byte[] k = KrUtf8.ZArray(keyPath ?? throw new ArgumentNullException(nameof(keyPath)));
                        st = KrNative.kr_server_add_endpoint_https_pem(h, ref a[0], (ushort)port, ref c[0], ref k[0], out index);
                        break;
                }
                KrOperation.Check(st, op, KrOperation.Address(address, port));
                var endpoint = new KrEndpoint(this, checked((int)index), kind, address, port, certPath, keyPath);
                _endpoints.Add(endpoint);
                return endpoint;
            }
        }

        /// <summary>Number of callback threads; each owns one PowerShell runspace (1..1024).</summary>
        public void SetCallbackThreads(int count)
        {
            if (count < 1 || count > 1024)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "The number of callback threads must be between 1 and 1024.");
            }
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_callback_threads(RequireHandle(), (uint)count), "setting the number of callback threads of the server '{0}'", Name);
                MaxRunspaces = count;
                MinRunspaces = count;
            }
        }

        /// <summary>The callback pool's bounds, each 1..1024 (null keeps one): <paramref name="min"/> threads (runspaces)
        /// start with the server and stay, the pool grows up to <paramref name="max"/> while routes are busy. When only
        /// one is given and it crosses the other, the other follows it.</summary>
        public void SetCallbackThreadLimits(int? min, int? max)
        {
            if (min.HasValue && (min.Value < 1 || min.Value > 1024))
            {
                throw new ArgumentOutOfRangeException(nameof(min), min.Value, "The minimum number of callback threads must be between 1 and 1024.");
            }
            if (max.HasValue && (max.Value < 1 || max.Value > 1024))
            {
                throw new ArgumentOutOfRangeException(nameof(max), max.Value, "The maximum number of callback threads must be between 1 and 1024.");
            }
            if (min.HasValue && max.HasValue && min.Value > max.Value)
            {
                throw new ArgumentException("The minimum number of callback threads (" + min.Value + ") exceeds the maximum (" + max.Value + ").", nameof(min));
            }
            lock (_gate)
            {
                IntPtr h = RequireHandle();
                KrOperation.Check(KrNative.kr_server_set_callback_thread_limits(h, (uint)(min ?? 0), (uint)(max ?? 0)), "setting the callback thread limits of the server '{0}'", Name);
                KrOperation.Check(KrNative.kr_server_callback_pool_stats(h, out KrCallbackPoolStatsNative stats), "reading the callback pool of the server '{0}'", Name);
                MinRunspaces = (int)stats.MinThreads;
                MaxRunspaces = (int)stats.MaxThreads;
            }
        }

        /// <summary>How long callback threads above the minimum may go unused before they are released (and their
        /// runspaces disposed); default 60 s.</summary>
        public void SetCallbackIdleTimeoutMs(uint ms)
        {
            if (ms == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(ms), ms, "The callback idle timeout must be greater than zero.");
            }
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_callback_idle_timeout_ms(RequireHandle(), ms), "setting the callback idle timeout of the server '{0}'", Name);
            }
        }

        /// <summary>A snapshot of the callback pool: bounds, live / busy threads, queue, peak, released, timed out.</summary>
        public KrCallbackPoolStats GetCallbackPoolStats()
        {
            KrOperation.Check(KrNative.kr_server_callback_pool_stats(RequireHandle(), out KrCallbackPoolStatsNative stats), "reading the callback pool of the server '{0}'", Name);
            return new KrCallbackPoolStats(stats);
        }

        /// <summary>How long a request may wait for a free callback thread before 503.</summary>
        public void SetCallbackWaitMs(uint ms)
        {
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_callback_wait_ms(RequireHandle(), ms), "setting the callback wait time of the server '{0}'", Name);
            }
        }

        public void SetShutdownTimeoutMs(uint ms)
        {
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_shutdown_timeout_ms(RequireHandle(), ms), "setting the shutdown timeout of the server '{0}'", Name);
                ShutdownTimeoutMs = ms;
            }
        }

        public void SetMaxBodyBytes(ulong bytes)
        {
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_max_body_bytes(RequireHandle(), bytes), "setting the maximum request body size of the server '{0}'", Name);
            }
        }

        /// <summary>Enables cookie sessions with <paramref name="settings"/>, on the store chosen before (Redis with
        /// <see cref="UseRedisSessionStore"/>, PostgreSQL with <see cref="UsePostgresSessionStore"/>, SQLite with
        /// <see cref="UseSqliteSessionStore"/>), else the in-memory store.</summary>
        public void ConfigureSession(KrSessionSettings settings)
        {
            if (settings == null)
            {
                settings = new KrSessionSettings();
            }
            lock (_gate)
            {
                IntPtr h = RequireHandle();
                KrError.Check(KrNative.kr_session_options_default(out KrSessionOptionsNative options), "reading the default session options");
                KrCookieBuilder cookie = settings.Cookie;
                IntPtr name = IntPtr.Zero, path = IntPtr.Zero, domain = IntPtr.Zero, key = IntPtr.Zero;
                int keyLength = 0;
                try
                {
                    if (settings.HasCookieKey)
                    {
                        keyLength = settings.CookieKey.Length;
                        key = Marshal.AllocCoTaskMem(keyLength);
                        Marshal.Copy(settings.CookieKey, 0, key, keyLength);
                        options.CookieKey = key;
                        options.CookieKeyLen = (nuint)keyLength;
                    }
                    if (cookie != null)
                    {
                        if (!string.IsNullOrEmpty(cookie.Name))
                        {
                            name = Marshal.StringToCoTaskMemUTF8(cookie.Name);
                            options.CookieName = name;
                        }
                        if (!string.IsNullOrEmpty(cookie.Path))
                        {
                            path = Marshal.StringToCoTaskMemUTF8(cookie.Path);
                            options.CookiePath = path;
                        }
                        if (!string.IsNullOrEmpty(cookie.Domain))
                        {
                            domain = Marshal.StringToCoTaskMemUTF8(cookie.Domain);
                            options.CookieDomain = domain;
                        }
                        if (cookie.HttpOnly.HasValue)
                        {
                            options.HttpOnly = cookie.HttpOnly.Value ? (byte)1 : (byte)0;
                        }
                        if (cookie.SameSite.HasValue)
                        {
                            options.SameSite = (int)cookie.SameSite.Value;
                        }
                        if (cookie.SecurePolicy.HasValue)
                        {
                            options.SecurePolicy = (int)cookie.SecurePolicy.Value;
                        }
                        if (cookie.MaxAge.HasValue)
                        {
                            options.CookieMaxAgeSeconds = (long)Math.Floor(cookie.MaxAge.Value.TotalSeconds);
                        }
                    }
                    if (settings.IdleTimeoutSeconds.HasValue)
                    {
                        options.IdleTimeoutSeconds = settings.IdleTimeoutSeconds.Value;
                    }
                    if (settings.IoTimeoutSeconds.HasValue)
                    {
                        options.IoTimeoutSeconds = settings.IoTimeoutSeconds.Value;
                    }
                    if (settings.KeyLifetimeSeconds.HasValue)
                    {
                        options.KeyLifetimeSeconds = settings.KeyLifetimeSeconds.Value;
                    }
                    if (settings.MaxSessions.HasValue)
                    {
                        options.MaxSessions = settings.MaxSessions.Value;
                    }
                    KrOperation.Check(KrNative.kr_server_configure_session(h, ref options), "enabling sessions on the server '{0}'", Name);
                    Session = settings;
                }
                finally
                {
                    Marshal.FreeCoTaskMem(name);
                    Marshal.FreeCoTaskMem(path);
                    Marshal.FreeCoTaskMem(domain);
                    if (key != IntPtr.Zero)
                    {
                        // The library copied the secret; do not leave it in freed memory.
                        Marshal.Copy(new byte[keyLength], 0, key, keyLength);
                        Marshal.FreeCoTaskMem(key);
                    }
                }
            }
        }

        /// <summary>Keeps the session state in Redis (Add-KrDistributedRedisCache). Must come before
        /// <see cref="ConfigureSession"/>, once per server. The connection string is checked here; no connection is
        /// made until the first session is used.</summary>
        public void UseRedisSessionStore(KrRedisCacheSettings settings)
        {
            if (settings == null)
            {
                throw new ArgumentNullException(nameof(settings));
            }
            if (string.IsNullOrWhiteSpace(settings.Configuration))
            {
                throw new ArgumentException("A Redis configuration (connection string) must be given.", nameof(settings));
            }
            lock (_gate)
            {
                IntPtr h = RequireStoreChoice();
                byte[] c = KrUtf8.ZArray(settings.Configuration);
                byte[] p = KrUtf8.ZArray(settings.InstanceName ?? string.Empty);
                KrStatus st = KrNative.kr_server_use_redis_session_store(h, ref c[0], ref p[0], settings.ConnectTimeoutMs, settings.OperationTimeoutMs);
                if (st != KrStatus.Ok)
                {
                    KrError.Check(st, "registering the Redis cache '" + KrRedisCacheSettings.Redact(settings.Configuration) + "' on the server '" + Name + "'");
                }
                DistributedCache = settings;
            }
        }

        /// <summary>Keeps the session state in a PostgreSQL table (Add-KrDistributedPostgresCache), shared by every server
        /// that uses it. Must come before <see cref="ConfigureSession"/>, once per server. The connection string and the
        /// names are checked here; no connection is made until the first session is used. <see cref="DistributedCache"/>
        /// becomes a copy of <paramref name="settings"/> whose connection string has no password.</summary>
        public void UsePostgresSessionStore(KrPostgresCacheSettings settings)
        {
            if (settings == null)
            {
                throw new ArgumentNullException(nameof(settings));
            }
            if (string.IsNullOrWhiteSpace(settings.ConnectionString))
            {
                throw new ArgumentException("A PostgreSQL connection string must be given.", nameof(settings));
            }
            KrPostgresCacheSettings.CheckPassword(settings.ConnectionString);
            uint interval = settings.DeletionIntervalSeconds;
            lock (_gate)
            {
                IntPtr h = RequireStoreChoice();
                byte[] c = KrUtf8.ZArray(settings.ConnectionString);
                byte[] schema = KrUtf8.ZArray(settings.SchemaName ?? KrPostgresCacheSettings.DefaultSchemaName);
                byte[] table = KrUtf8.ZArray(settings.TableName ?? KrSqlCacheSettings.DefaultTableName);
                KrStatus st;
                try
                {
                    st = KrNative.kr_server_use_postgres_session_store(h, ref c[0], ref schema[0], ref table[0], settings.CreateIfNotExists, interval);
                }
                finally
                {
                    // The library copied the string; do not leave its password in memory longer than needed.
                    Array.Clear(c, 0, c.Length);
                }
                if (st != KrStatus.Ok)
                {
                    KrError.Check(st, "registering the PostgreSQL session store '" + KrPostgresCacheSettings.Redact(settings.ConnectionString) + "' on the server '" + Name + "'");
                }
                // The engine has the string: the server keeps it without its password, so that it is never shown.
                DistributedCache = settings.WithoutPassword();
            }
        }

        /// <summary>Keeps the session state in a SQLite file (Add-KrDistributedSqliteCache): the file (a relative path is
        /// taken from the current directory of the process) is created when missing and opened here.
        /// Must come before <see cref="ConfigureSession"/>, once per server.</summary>
        public void UseSqliteSessionStore(KrSqliteCacheSettings settings)
        {
            if (settings == null)
            {
                throw new ArgumentNullException(nameof(settings));
            }
            if (string.IsNullOrWhiteSpace(settings.Path))
            {
                throw new ArgumentException("The path of the SQLite file must be given.", nameof(settings));
            }
            uint interval = settings.DeletionIntervalSeconds;
            string path = System.IO.Path.GetFullPath(settings.Path);
            lock (_gate)
            {
                IntPtr h = RequireStoreChoice();
                byte[] p = KrUtf8.ZArray(path);
                byte[] table = KrUtf8.ZArray(settings.TableName ?? KrSqlCacheSettings.DefaultTableName);
                KrStatus st = KrNative.kr_server_use_sqlite_session_store(h, ref p[0], ref table[0], interval);
                if (st != KrStatus.Ok)
                {
                    KrError.Check(st, "registering the SQLite session store '" + path + "' on the server '" + Name + "'");
                }
                settings.Path = path;
                DistributedCache = settings;
            }
        }

        /// <summary>The handle, when a session store may still be chosen (under _gate): none chosen yet, no sessions yet.</summary>
        private IntPtr RequireStoreChoice()
        {
            IntPtr h = RequireHandle();
            if (DistributedCache != null)
            {
                throw new InvalidOperationException("The server '" + Name + "' already has a distributed cache (" + DistributedCache +
                    "); a server has one session store: register it once.");
            }
            if (Session != null)
            {
                throw new InvalidOperationException("The server '" + Name + "' already has sessions (Add-KrSession): register the distributed cache first, then call Add-KrSession.");
            }
            return h;
        }

        /// <summary>Adds a route. <paramref name="verbs"/>: comma-separated ("GET", "get,post", "*").</summary>
        public KrRoute AddRoute(string verbs, string pattern, IKrRouteHandler handler)
        {
            return AddRoute(verbs, pattern, handler, null);
        }

        /// <summary>Longest route timeout the library accepts.</summary>
        public static readonly TimeSpan MaxRouteTimeout = TimeSpan.FromHours(24);

        /// <summary>Adds a route with a timeout (null = none, else 1 ms..24 h, rounded up to whole milliseconds): when it
        /// elapses the client gets 504 JSON and the request's CancellationToken is cancelled.</summary>
        public KrRoute AddRoute(string verbs, string pattern, IKrRouteHandler handler, TimeSpan? timeout)
        {
            uint timeoutMs = 0;
            if (timeout.HasValue)
            {
                if (timeout.Value <= TimeSpan.Zero || timeout.Value > MaxRouteTimeout)
                {
                    throw new ArgumentOutOfRangeException(nameof(timeout), timeout.Value, "A route timeout must be greater than zero and at most 24 hours.");
                }
                timeoutMs = (uint)Math.Min(Math.Ceiling(timeout.Value.TotalMilliseconds), MaxRouteTimeout.TotalMilliseconds);
            }
            if (string.IsNullOrWhiteSpace(verbs))
            {
                throw new ArgumentException("At least one HTTP verb must be given.", nameof(verbs));
            }
            if (string.IsNullOrWhiteSpace(pattern))
            {
                throw new ArgumentException("A route pattern must be given.", nameof(pattern));
            }
            if (handler == null)
            {
                throw new ArgumentNullException(nameof(handler));
            }
            lock (_gate)
            {
                IntPtr h = RequireHandle();
                var route = new KrRoute(this, verbs, pattern, handler, timeout);
                byte[] v = KrUtf8.ZArray(verbs);
                byte[] p = KrUtf8.ZArray(pattern);
                IntPtr userData = KrRouteDispatcher.AllocUserData(route);
                KrStatus st;
                if (timeoutMs == 0)
                {
                    st = KrNative.kr_server_add_route(h, ref v[0], ref p[0], KrRouteDispatcher.Callback, userData, KrRouteDispatcher.FreeCallback);
                }
                else
                {
                    st = KrNative.kr_route_options_default(out KrRouteOptionsNative options);
                    if (st == KrStatus.Ok)
                    {
                        options.TimeoutMs = timeoutMs;
                        options.OnCancel = Marshal.GetFunctionPointerForDelegate(KrRouteDispatcher.CancelCallback);
                        st = KrNative.kr_server_add_route_ex(h, ref v[0], ref p[0], ref options, KrRouteDispatcher.Callback, userData, KrRouteDispatcher.FreeCallback);
                    }
                }
                if (st != KrStatus.Ok)
                {
                    string message = KrError.LastErrorMessage();
                    // A rejected route is not kept by the library, so its user_data is ours to free.
                    KrRouteDispatcher.FreeUserData(userData);
                    throw new KrException(st, "adding the route '" + verbs + " " + pattern + "'", message);
                }
                _routes.Add(route);
                return route;
            }
        }

        // ---- lifecycle ------------------------------------------------------------------------------

        /// <summary>Binds every endpoint and starts serving (returns once listening).</summary>
        public void Start()
        {
            lock (_lifecycle)
            {
                IntPtr h = Handle;
                if (h == IntPtr.Zero)
                {
                    RequireHandle();
                }
                KrOperation.Check(KrNative.kr_server_start(h), "starting the server '{0}'", Name);
                lock (_gate)
                {
                    _state = KrServerState.Running;
                }
            }
        }

        /// <summary>Stops gracefully (in-flight requests finish within <paramref name="timeoutMs"/>), joins the
        /// server's threads, then disposes the script host. Stopping a stopped server is fine. Called from a
        /// route of this server (whose thread the stop would have to join), the stop runs in the background
        /// and false is returned.</summary>
        public bool Stop(uint? timeoutMs = null)
        {
            uint t = timeoutMs ?? ShutdownTimeoutMs;
            if (IsCalledFromOwnRoute())
            {
                Task.Run(() => StopNow(t));
                return false;
            }
            StopNow(t);
            return true;
        }

        private bool IsCalledFromOwnRoute()
        {
            KrRequestContext current = KrRequestContext.CurrentOrNull;
            return current != null && current.Route != null && ReferenceEquals(current.Route.Server, this);
        }

        private void StopNow(uint timeoutMs)
        {
            // The native stop waits for in-flight callbacks, so no lock that a callback could need is held
            // during it (only _lifecycle, which callbacks never take).
            lock (_lifecycle)
            {
                IntPtr h = Handle;
                if (h == IntPtr.Zero)
                {
                    return;
                }
                KrStatus st = KrNative.kr_server_stop(h, timeoutMs);
                if (st != KrStatus.Ok && st != KrStatus.Timeout)
                {
                    KrOperation.Check(st, "stopping the server '{0}'", Name);
                }
                IDisposable host;
                lock (_gate)
                {
                    if (_state == KrServerState.Running)
                    {
                        _state = KrServerState.Stopped;
                    }
                    host = _scriptHost;
                    _scriptHost = null;
                }
                // KR_TIMEOUT: the server is stopped, but a route callback was still running and its thread was left
                // to finish on its own; that thread still uses its runspace, so the runspaces are not released.
                if (host != null && st == KrStatus.Ok)
                {
                    host.Dispose();
                }
            }
        }

        /// <summary>Stops (if running) and frees the native server; its routes are released. Called from a
        /// route of this server, the free runs in the background.</summary>
        public void Dispose()
        {
            if (IsCalledFromOwnRoute())
            {
                Task.Run(() => FreeNow());
                return;
            }
            FreeNow();
        }

        private void FreeNow()
        {
            KrStatus st;
            IDisposable host;
            lock (_lifecycle)
            {
                IntPtr h = Handle;
                if (h == IntPtr.Zero)
                {
                    return;
                }
                st = KrNative.kr_server_free(h);
                string message = st == KrStatus.Ok ? null : KrError.LastErrorMessage();
                lock (_gate)
                {
                    _handle = IntPtr.Zero;
                    _state = KrServerState.Freed;
                    host = _scriptHost;
                    _scriptHost = null;
                }
                if (host != null)
                {
                    host.Dispose();
                }
                KrServerManager.Forget(this);
                if (st != KrStatus.Ok)
                {
                    throw new KrException(st, "removing the server '" + Name + "'", message);
                }
            }
        }

        // ---- endpoints at run time -----------------------------------------------------------------

        public int EndpointCount
        {
            get
            {
                KrOperation.Check(KrNative.kr_server_endpoint_count(RequireHandle(), out nuint count), "counting the endpoints of the server '{0}'", Name);
                return checked((int)count);
            }
        }

        public KrHttpProtocols GetEndpointProtocols(int index)
        {
            KrOperation.Check(KrNative.kr_server_endpoint_protocols(RequireHandle(), (nuint)index, out KrHttpProtocols protocols), "reading the protocols of an endpoint of the server '{0}'", Name);
            return protocols;
        }

        /// <summary>Sets the HTTP versions endpoint <paramref name="index"/> serves (before the server starts).</summary>
        public void SetEndpointProtocols(int index, KrHttpProtocols protocols)
        {
            if (!Enum.IsDefined(typeof(KrHttpProtocols), protocols))
            {
                throw new ArgumentOutOfRangeException(nameof(protocols), protocols, "The protocols must be Http1, Http2 or Http1AndHttp2.");
            }
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_endpoint_protocols(RequireHandle(), (nuint)index, protocols), "setting the protocols of an endpoint of the server '{0}'", Name);
            }
        }

        /// <summary>How long a client has to complete the TLS handshake (1..300000 ms; default 10000).</summary>
        public void SetTlsHandshakeTimeoutMs(uint ms)
        {
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_tls_handshake_timeout_ms(RequireHandle(), ms), "setting the TLS handshake timeout of the server '{0}'", Name);
            }
        }

        /// <summary>How many TLS handshakes may compute at the same time (1..65536; default 256).</summary>
        public void SetMaxConcurrentTlsHandshakes(uint count)
        {
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_max_concurrent_tls_handshakes(RequireHandle(), count), "setting the concurrent TLS handshake bound of the server '{0}'", Name);
            }
        }

        /// <summary>Request header limits: count 1..96 (default 96), total bytes 1024..131072 (default 32768); 0 keeps one.</summary>
        public void SetRequestHeaderLimits(uint maxCount, uint maxTotalBytes)
        {
            lock (_gate)
            {
                KrOperation.Check(KrNative.kr_server_set_request_header_limits(RequireHandle(), maxCount, maxTotalBytes), "setting the request header limits of the server '{0}'", Name);
            }
        }

        public int GetEndpointPort(int index)
        {
            KrOperation.Check(KrNative.kr_server_endpoint_port(RequireHandle(), (nuint)index, out ushort port), "reading the port of an endpoint of the server '{0}'", Name);
            return port;
        }

        public string GetEndpointUrl(int index)
        {
            return KrUtf8.ReadString(RequireHandle(), (nuint)index, KrFn.EndpointUrl, "reading the URL of an endpoint of the server '" + Name + "'");
        }

        /// <summary>The URLs of every endpoint (bound ports once started).</summary>
        public string[] GetUrls()
        {
            int count = EndpointCount;
            var urls = new string[count];
            for (int i = 0; i < count; i++)
            {
                urls[i] = GetEndpointUrl(i);
            }
            return urls;
        }

        public override string ToString()
        {
            return Name + " (" + State + ")";
        }

        private IntPtr RequireHandle()
        {
            IntPtr h = _handle;
            if (h == IntPtr.Zero)
            {
                throw new ObjectDisposedException("KrServer '" + Name + "'", "The server '" + Name + "' was removed (freed); create a new one with New-KrServer.");
            }
            return h;
        }
    }
}
