// The session configuration commands: Add-KrSession (the session middleware) and the distributed caches that keep the
// sessions instead of memory, one per server, registered before it: Add-KrDistributedRedisCache,
// Add-KrDistributedPostgresCache, Add-KrDistributedSqliteCache, and Kestrun's Add-KrDistributedSqlServerCache, which
// Kestrun.Rust does not support (always NotImplemented). Their errors carry the command's error id
// (KrAddSessionFailed, KrAddDistributed<Store>CacheFailed) and the server as target.
using System.Collections;
using System.IO;
using System.Linq;
using System.Text;

namespace KestrunRust.Cmdlets
{
    /// <summary>Add-KrSession: cookie sessions on the server, kept in its distributed cache or in memory.</summary>
    [Cmdlet(VerbsCommon.Add, "KrSession"), OutputType(typeof(KrServer))]
    public sealed class AddKrSessionCommand : KrPositionalServerCmdlet
    {
        public AddKrSessionCommand() : base("KrAddSessionFailed")
        {
        }

        /// <summary>Cookie settings from New-KrCookieBuilder.</summary>
        [Parameter(Position = 1, ValueFromPipeline = true), KrScriptType(typeof(KrCookieBuilder))]
        public KrCookieBuilder Cookie { get; set; }

        /// <summary>Seconds of inactivity after which a session is abandoned.</summary>
        [Parameter(Position = 2), ValidateRange(1, int.MaxValue), KrScriptType(typeof(int))]
        public int IdleTimeout { get; set; }

        /// <summary>Seconds allowed for every wait of the session store.</summary>
        [Parameter(Position = 3), ValidateRange(1, int.MaxValue), KrScriptType(typeof(int))]
        public int IOTimeout { get; set; }

        /// <summary>The most sessions the in-memory store holds.</summary>
        [Parameter(Position = 4), ValidateRange(1L, long.MaxValue), KrScriptType(typeof(long))]
        public long MaxSessions { get; set; }

        /// <summary>How long a key of the distributed cache's key ring seals new session cookies.</summary>
        [Parameter(Position = 5), KrValidateTimeSpan("KeyLifetime must be longer than zero."), KrScriptType(typeof(TimeSpan))]
        public TimeSpan KeyLifetime { get; set; }

        /// <summary>A secret the session cookie's key is derived from.</summary>
        [Parameter(Position = 6), Alias("CookieKey"), ValidateLength(16, 4096), KrScriptType(typeof(string))]
        public string DataProtectionKey { get; set; }

        /// <summary>Kestrun compatibility: the store registered for the server is used either way.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter NoDistributedMemoryCache { get; set; }

        protected override void Run(KrServer server)
        {
            var settings = new KrSessionSettings();
            if (Cookie != null)
            {
                settings.Cookie = Cookie;
            }
            if (IsBound(nameof(IdleTimeout)))
            {
                settings.IdleTimeoutSeconds = (ulong)IdleTimeout;
            }
            if (IsBound(nameof(IOTimeout)))
            {
                settings.IoTimeoutSeconds = (ulong)IOTimeout;
            }
            if (IsBound(nameof(MaxSessions)))
            {
                settings.MaxSessions = (ulong)MaxSessions;
            }
            if (IsBound(nameof(KeyLifetime)))
            {
                settings.KeyLifetimeSeconds = (ulong)Math.Max(1, Math.Ceiling(KeyLifetime.TotalSeconds));
            }
            if (IsBound(nameof(DataProtectionKey)))
            {
                settings.CookieKey = Encoding.UTF8.GetBytes(DataProtectionKey);
            }
            if (server.DistributedCache != null)
            {
                WriteVerbose("Add-KrSession: sessions are kept in " + server.DistributedCache + ".");
                if (!settings.HasCookieKey)
                {
                    WriteVerbose("Add-KrSession: the session cookie keys of server '" + server.Name + "' come from the key ring kept in " +
                        "the distributed cache, shared by every server that uses it.");
                }
            }
            else if (NoDistributedMemoryCache.IsPresent)
            {
                WriteVerbose("Add-KrSession -NoDistributedMemoryCache: no distributed cache is registered for the server, so its in-memory store is used.");
            }
            server.ConfigureSession(settings);
        }
    }

    /// <summary>A distributed cache of the server's sessions: registered once, before Add-KrSession.</summary>
    public abstract class KrDistributedCacheCmdlet : KrServerConfigCmdlet
    {
        protected KrDistributedCacheCmdlet(string errorId) : base(errorId)
        {
        }

        /// <summary>Says where the server's sessions are now kept (-Verbose).</summary>
        protected void Registered(KrServer server, KrDistributedCacheSettings settings)
        {
            WriteVerbose("Server '" + server.Name + "': session state in " + settings + "; call Add-KrSession next.");
        }
    }

    /// <summary>Add-KrDistributedRedisCache: sessions in Redis, from a configuration string, a StackExchange.Redis
    /// ConfigurationOptions, a dictionary of its options or a URL.</summary>
    [Cmdlet(VerbsCommon.Add, "KrDistributedRedisCache", DefaultParameterSetName = ConfigurationSet), OutputType(typeof(KrServer))]
    public sealed class AddKrDistributedRedisCacheCommand : KrDistributedCacheCmdlet
    {
        private const string ConfigurationSet = "Configuration";
        private const string OptionsSet = "ConfigurationOptions";

        public AddKrDistributedRedisCacheCommand() : base("KrAddDistributedRedisCacheFailed")
        {
        }

        /// <summary>The StackExchange.Redis configuration string or a redis:// URL.</summary>
        [Parameter(ParameterSetName = ConfigurationSet, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Configuration { get; set; } = KrRedisCacheSettings.DefaultConfiguration;

        /// <summary>A StackExchange.Redis ConfigurationOptions, a hashtable of its options, or a URL.</summary>
        [Parameter(Mandatory = true, ParameterSetName = OptionsSet), ValidateNotNull, KrValidateRedisOptions]
        public object ConfigurationOptions { get; set; }

        /// <summary>The prefix of every key the sessions use in Redis.</summary>
        [Parameter, ValidateNotNull, KrScriptType(typeof(string))]
        public string InstanceName { get; set; } = string.Empty;

        /// <summary>Milliseconds allowed to connect to Redis.</summary>
        [Parameter, ValidateRange(1, 3600000), KrScriptType(typeof(int))]
        public int ConnectTimeout { get; set; }

        /// <summary>Milliseconds allowed for each Redis command.</summary>
        [Parameter, ValidateRange(1, 3600000), KrScriptType(typeof(int))]
        public int OperationTimeout { get; set; }

        /// <summary>Accepted for compatibility with Kestrun's tutorial.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter NoDistributedMemoryCache { get; set; }

        protected override void Run(KrServer server)
        {
            KrRedisCacheSettings settings = Settings();
            if (IsBound(nameof(ConnectTimeout)))
            {
                settings.ConnectTimeoutMs = (uint)ConnectTimeout;
            }
            if (IsBound(nameof(OperationTimeout)))
            {
                settings.OperationTimeoutMs = (uint)OperationTimeout;
            }
            server.UseRedisSessionStore(settings);
            Registered(server, settings);
        }

        private KrRedisCacheSettings Settings()
        {
            object options = ParameterSetName == OptionsSet && ConfigurationOptions is PSObject wrapped ? wrapped.BaseObject : ConfigurationOptions;
            if (ParameterSetName != OptionsSet)
            {
                return new KrRedisCacheSettings { Configuration = Configuration.Trim(), InstanceName = InstanceName };
            }
            if (options.GetType().FullName == KrRedisCacheSettings.ConfigurationOptionsTypeName)
            {
                // What matters to a session store is passed on; anything that cannot be honoured is an error naming
                // the property.
                return KrRedisCacheSettings.FromConfigurationOptions(options, InstanceName);
            }
            if (options is IDictionary dictionary)
            {
                return KrRedisCacheSettings.FromOptions(PlainOptions(dictionary), null, InstanceName);
            }
            string text = options is Uri uri ? uri.OriginalString : LanguagePrimitives.ConvertTo<string>(options);
            return new KrRedisCacheSettings { Configuration = text.Trim(), InstanceName = InstanceName };
        }

        // Plain .NET values for the interop: strings, booleans, and string arrays for lists (EndPoints).
        private static Dictionary<string, object> PlainOptions(IDictionary dictionary)
        {
            var options = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in dictionary)
            {
                object value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
                if (value is IEnumerable list && !(value is string) && !(value is IDictionary))
                {
                    value = list.Cast<object>().Select(item => LanguagePrimitives.ConvertTo<string>(item)).ToArray();
                }
                else if (value != null && !(value is bool))
                {
                    value = LanguagePrimitives.ConvertTo<string>(value);
                }
                options[LanguagePrimitives.ConvertTo<string>(entry.Key)] = value;
            }
            return options;
        }
    }

    /// <summary>A SQL session store: its table and how often expired rows are deleted (ASP.NET Core's SQL cache options).</summary>
    public abstract class KrSqlCacheCmdlet : KrDistributedCacheCmdlet
    {
        protected KrSqlCacheCmdlet(string errorId) : base(errorId)
        {
        }

        /// <summary>The table of the sessions.</summary>
        [Parameter, KrValidateSqlIdentifier("The table name '{0}' is not valid: use 1 to 63 letters, digits or '_', not starting with a digit."), KrScriptType(typeof(string))]
        public string TableName { get; set; } = KrSqlCacheSettings.DefaultTableName;

        /// <summary>How often expired rows are deleted: a TimeSpan or seconds.</summary>
        [Parameter, KrSecondsOrTimeSpan, KrValidateTimeSpan("ExpiredItemsDeletionInterval must be longer than zero (a TimeSpan such as '00:05:00', or seconds).", MaxSeconds = uint.MaxValue)]
        public TimeSpan ExpiredItemsDeletionInterval { get; set; }

        /// <summary>The store's settings, table and interval not yet set.</summary>
        protected abstract KrSqlCacheSettings Settings();

        /// <summary>Registers <paramref name="settings"/> as the server's session store.</summary>
        protected abstract void Use(KrServer server, KrSqlCacheSettings settings);

        protected override void Run(KrServer server)
        {
            KrSqlCacheSettings settings = Settings();
            settings.TableName = TableName;
            if (IsBound(nameof(ExpiredItemsDeletionInterval)))
            {
                settings.ExpiredItemsDeletionInterval = ExpiredItemsDeletionInterval;
            }
            Use(server, settings);
            Registered(server, settings);
        }
    }

    /// <summary>Add-KrDistributedPostgresCache: sessions in a PostgreSQL table that several servers can share.</summary>
    [Cmdlet(VerbsCommon.Add, "KrDistributedPostgresCache"), OutputType(typeof(KrServer))]
    public sealed class AddKrDistributedPostgresCacheCommand : KrSqlCacheCmdlet
    {
        public AddKrDistributedPostgresCacheCommand() : base("KrAddDistributedPostgresCacheFailed")
        {
        }

        /// <summary>The connection string (Npgsql's form) or a postgres:// URL.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string ConnectionString { get; set; }

        /// <summary>The schema of the table.</summary>
        [Parameter, KrValidateSqlIdentifier("The schema name '{0}' is not valid: use 1 to 63 letters, digits or '_', not starting with a digit."), KrScriptType(typeof(string))]
        public string SchemaName { get; set; } = KrPostgresCacheSettings.DefaultSchemaName;

        /// <summary>Create the schema, the table and its index at first use when they are missing.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter CreateIfNotExists { get; set; }

        protected override KrSqlCacheSettings Settings()
        {
            return new KrPostgresCacheSettings
            {
                ConnectionString = ConnectionString.Trim(),
                SchemaName = SchemaName,
                CreateIfNotExists = CreateIfNotExists.IsPresent,
            };
        }

        protected override void Use(KrServer server, KrSqlCacheSettings settings)
        {
            server.UsePostgresSessionStore((KrPostgresCacheSettings)settings);
        }
    }

    /// <summary>Add-KrDistributedSqliteCache: sessions in a SQLite file, kept across restarts.</summary>
    [Cmdlet(VerbsCommon.Add, "KrDistributedSqliteCache"), OutputType(typeof(KrServer))]
    public sealed class AddKrDistributedSqliteCacheCommand : KrSqlCacheCmdlet
    {
        public AddKrDistributedSqliteCacheCommand() : base("KrAddDistributedSqliteCacheFailed")
        {
        }

        /// <summary>The SQLite file (relative to the current PowerShell location).</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Path { get; set; }

        protected override KrSqlCacheSettings Settings()
        {
            // Relative to the current PowerShell location (not the process's current directory).
            string fullPath = GetUnresolvedProviderPathFromPSPath(Path);
            string folder = System.IO.Path.GetDirectoryName(fullPath);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                throw new FileNotFoundException("The folder '" + folder + "' of the SQLite file does not exist: create it first.", fullPath);
            }
            if (Directory.Exists(fullPath))
            {
                throw new ArgumentException("'" + fullPath + "' is a folder: -Path names the SQLite file, e.g. '" + System.IO.Path.Combine(fullPath, "sessions.db") + "'.");
            }
            return new KrSqliteCacheSettings { Path = fullPath };
        }

        protected override void Use(KrServer server, KrSqlCacheSettings settings)
        {
            server.UseSqliteSessionStore((KrSqliteCacheSettings)settings);
        }
    }

    /// <summary>Add-KrDistributedSqlServerCache: Kestrun's SQL Server store, which Kestrun.Rust cannot connect to: it
    /// takes Kestrun's parameters and always fails (NotImplemented), naming the SQL stores Kestrun.Rust has.</summary>
    [Cmdlet(VerbsCommon.Add, "KrDistributedSqlServerCache", DefaultParameterSetName = ItemsSet), OutputType(typeof(KrServer))]
    public sealed class AddKrDistributedSqlServerCacheCommand : KrCmdlet
    {
        private const string ItemsSet = "Items";

        /// <summary>The server (not used).</summary>
        [Parameter(ValueFromPipeline = true), KrScriptType(typeof(KrServer))]
        public KrServer Server { get; set; }

        /// <summary>Kestrun's SqlServerCacheOptions (not used).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Options"), ValidateNotNull]
        public object Options { get; set; }

        /// <summary>The SQL Server connection string (not used).</summary>
        [Parameter(ParameterSetName = ItemsSet), KrScriptType(typeof(string))]
        public string ConnectionString { get; set; }

        /// <summary>The schema of the cache table (not used).</summary>
        [Parameter(ParameterSetName = ItemsSet), KrScriptType(typeof(string))]
        public string SchemaName { get; set; }

        /// <summary>The cache table (not used).</summary>
        [Parameter(ParameterSetName = ItemsSet), KrScriptType(typeof(string))]
        public string TableName { get; set; }

        /// <summary>How often expired items are deleted (not used).</summary>
        [Parameter(ParameterSetName = ItemsSet), KrSecondsOrTimeSpan]
        public TimeSpan ExpiredItemsDeletionInterval { get; set; }

        /// <summary>The sliding expiration of cache items (not used).</summary>
        [Parameter(ParameterSetName = ItemsSet), KrSecondsOrTimeSpan]
        public TimeSpan DefaultSlidingExpiration { get; set; }

        /// <summary>Return the server (never reached).</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter PassThru { get; set; }

        // Nothing is resolved or configured: the command fails whatever it is given.
        protected override void ProcessRecord()
        {
            const string message = "Add-KrDistributedSqlServerCache: SQL Server is not supported by Kestrun.Rust (it cannot connect to SQL Server), " +
                "so no session store was configured. The SQL session stores of Kestrun.Rust are Add-KrDistributedPostgresCache " +
                "(-ConnectionString, -SchemaName, -TableName, -CreateIfNotExists, -ExpiredItemsDeletionInterval: a PostgreSQL table " +
                "shared by several servers) and Add-KrDistributedSqliteCache (-Path, -TableName, -ExpiredItemsDeletionInterval: a " +
                "SQLite file that keeps the sessions of one server across restarts).";
            var record = new ErrorRecord(new NotSupportedException(message), "KrSqlServerCacheNotSupported", ErrorCategory.NotImplemented, Server)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Use Add-KrDistributedPostgresCache or Add-KrDistributedSqliteCache instead." },
            };
            ThrowTerminatingError(record);
        }
    }
}
