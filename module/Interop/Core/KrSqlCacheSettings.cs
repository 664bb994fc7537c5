// The SQL session stores of Add-KrDistributedPostgresCache and Add-KrDistributedSqliteCache (the model is ASP.NET Core's
// SqlServerCacheOptions: ConnectionString, SchemaName, TableName, ExpiredItemsDeletionInterval), turned into what
// kr_server_use_postgres_session_store / kr_server_use_sqlite_session_store take; and KrDistributedCacheSettings, what
// every distributed cache of a server is (KrServer.DistributedCache: Redis, PostgreSQL or SQLite).
using System;
using System.Collections.Generic;
using System.Globalization;

namespace KestrunRust
{
    /// <summary>Where a server keeps its session state instead of memory (one per server, chosen before sessions are
    /// configured). <see cref="ToString"/> never shows a password.</summary>
    public abstract class KrDistributedCacheSettings
    {
        /// <summary>"Redis", "PostgreSQL" or "SQLite".</summary>
        public abstract string StoreKind { get; }

        /// <summary>The store as a user may read it in a message or a log: never a password.</summary>
        public abstract override string ToString();
    }

    /// <summary>What the SQL stores share: the table and the interval of the sweep of expired rows.</summary>
    public abstract class KrSqlCacheSettings : KrDistributedCacheSettings
    {
        /// <summary>The table's name unless another is given.</summary>
        public const string DefaultTableName = "Sessions";

        /// <summary>How often expired rows are deleted unless told otherwise (ASP.NET Core's SQL cache: 30 minutes).</summary>
        public static readonly TimeSpan DefaultExpiredItemsDeletionInterval = TimeSpan.FromMinutes(30);

        /// <summary>The longest interval the engine takes (whole seconds in a uint32).</summary>
        public static readonly TimeSpan MaxExpiredItemsDeletionInterval = TimeSpan.FromSeconds(uint.MaxValue);

        /// <summary>The table of the sessions (letters, digits and '_', not starting with a digit, at most 63).</summary>
        public string TableName { get; set; } = DefaultTableName;

        /// <summary>How often expired rows are deleted (null: <see cref="DefaultExpiredItemsDeletionInterval"/>); rounded
        /// up to whole seconds.</summary>
        public TimeSpan? ExpiredItemsDeletionInterval { get; set; }

        /// <summary>Whether <paramref name="name"/> can name a schema or table: 1 to 63 ASCII letters, digits or '_', not
        /// starting with a digit (the engine quotes it in every statement).</summary>
        public static bool IsIdentifier(string name)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 63 || (name[0] >= '0' && name[0] <= '9'))
            {
                return false;
            }
            foreach (char c in name)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                if (!ok)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>The interval in whole seconds (rounded up) as the C API takes it; 0 = the engine's default.</summary>
        public uint DeletionIntervalSeconds
        {
            get
            {
                if (!ExpiredItemsDeletionInterval.HasValue)
                {
                    return 0;
                }
                TimeSpan interval = ExpiredItemsDeletionInterval.Value;
                if (interval <= TimeSpan.Zero || interval > MaxExpiredItemsDeletionInterval)
                {
                    throw new ArgumentOutOfRangeException(nameof(ExpiredItemsDeletionInterval), interval,
                        "ExpiredItemsDeletionInterval must be longer than zero and at most " + uint.MaxValue.ToString(CultureInfo.InvariantCulture) + " seconds.");
                }
                return (uint)Math.Min(uint.MaxValue, Math.Ceiling(interval.TotalSeconds));
            }
        }

        /// <summary>' (table "schema"."table", expired rows deleted every N s)'.</summary>
        protected string Describe(string qualifiedTable)
        {
            TimeSpan interval = ExpiredItemsDeletionInterval ?? DefaultExpiredItemsDeletionInterval;
            return " (table " + qualifiedTable + ", expired rows deleted every " +
                Math.Ceiling(interval.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s)";
        }
    }

    /// <summary>Sessions in a PostgreSQL table shared by every server that uses it (Add-KrDistributedPostgresCache).</summary>
    public sealed class KrPostgresCacheSettings : KrSqlCacheSettings
    {
        /// <summary>The schema's name unless another is given.</summary>
        public const string DefaultSchemaName = "public";

        /// <summary>The options of Npgsql's form that the engine understands (keys lower-case, spaces removed).</summary>
        private static readonly HashSet<string> KnownKeys = new HashSet<string>(StringComparer.Ordinal)
        {
            "host", "server", "port", "username", "userid", "user", "password", "pwd", "database", "db", "sslmode",
            "timeout", "commandtimeout", "applicationname",
        };

        /// <summary>Npgsql's "Host=…;Port=…;Username=…;Password=…;Database=…;SSL Mode=Disable;Timeout=s;Command Timeout=s"
        /// or a URL "postgres://user:password@host:port/database".</summary>
        public string ConnectionString { get; set; }

        /// <summary>The schema of the table (default 'public').</summary>
        public string SchemaName { get; set; } = DefaultSchemaName;

        /// <summary>Create the schema, the table and its index at first use when they are missing.</summary>
        public bool CreateIfNotExists { get; set; }

        public override string StoreKind
        {
            get { return "PostgreSQL"; }
        }

        /// <summary>'PostgreSQL Host=db;Username=app;Password=***;Database=app (table "public"."Sessions", …)'.</summary>
        public override string ToString()
        {
            return "PostgreSQL " + Redact(ConnectionString) + Describe("\"" + SchemaName + "\".\"" + TableName + "\"");
        }

        /// <summary>A copy whose ConnectionString has no password (<see cref="Redact"/>): what the server keeps once the
        /// engine has the string.</summary>
        public KrPostgresCacheSettings WithoutPassword()
        {
            return new KrPostgresCacheSettings
            {
                ConnectionString = Redact(ConnectionString),
                SchemaName = SchemaName,
                TableName = TableName,
                CreateIfNotExists = CreateIfNotExists,
                ExpiredItemsDeletionInterval = ExpiredItemsDeletionInterval,
            };
        }

        /// <summary>Whether <paramref name="connection"/> is a URL (postgres:// or postgresql://).</summary>
        public static bool IsUrl(string connection)
        {
            string c = (connection ?? string.Empty).Trim();
            return c.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || c.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The key of a "key=value" part of Npgsql's form as the engine reads it (lower-case, no spaces); null
        /// when the part has no '='.</summary>
        private static string KeyOf(string part)
        {
            int eq = part.IndexOf('=');
            return eq < 0 ? null : part.Substring(0, eq).Replace(" ", string.Empty).Trim().ToLowerInvariant();
        }

        private static bool IsPasswordKey(string key)
        {
            return key == "password" || key == "pwd";
        }

        /// <summary><paramref name="connection"/> with its password replaced by ***: the Password (Pwd) value of Npgsql's
        /// form (with anything after it up to the next known option, which can only be more of the password), or the
        /// password of a URL (user information and a password= query parameter).</summary>
        public static string Redact(string connection)
        {
            if (string.IsNullOrEmpty(connection))
            {
                return connection ?? string.Empty;
            }
            if (IsUrl(connection))
            {
                int scheme = connection.IndexOf("://", StringComparison.Ordinal);
                string head = connection.Substring(0, scheme + 3);
                string rest = connection.Substring(scheme + 3);
                int end = rest.IndexOfAny(new[] { '/', '?', '#' });
                string authority = end < 0 ? rest : rest.Substring(0, end);
                string tail = end < 0 ? string.Empty : rest.Substring(end);
                int at = authority.LastIndexOf('@');
                if (at >= 0)
                {
                    string userInfo = authority.Substring(0, at);
                    int colon = userInfo.IndexOf(':');
                    authority = (colon < 0 ? userInfo : userInfo.Substring(0, colon) + ":***") + authority.Substring(at);
                }
                int query = tail.IndexOf('?');
                if (query >= 0)
                {
                    string[] pairs = tail.Substring(query + 1).Split('&');
                    for (int i = 0; i < pairs.Length; i++)
                    {
                        string key = KeyOf(pairs[i]);
                        if (key != null && IsPasswordKey(key))
                        {
                            pairs[i] = pairs[i].Substring(0, pairs[i].IndexOf('=')) + "=***";
                        }
                    }
                    tail = tail.Substring(0, query + 1) + string.Join("&", pairs);
                }
                return head + authority + tail;
            }
            var shown = new List<string>();
            bool inPassword = false;
            foreach (string part in connection.Split(';'))
            {
                string key = KeyOf(part);
                if (key != null && IsPasswordKey(key))
                {
                    shown.Add(part.Substring(0, part.IndexOf('=')) + "=***");
                    inPassword = true;
                }
                else if (inPassword && (key == null || !KnownKeys.Contains(key)))
                {
                    // More of the password (a value with ';' in it): hidden with it.
                    continue;
                }
                else
                {
                    inPassword = false;
                    shown.Add(part);
                }
            }
            return string.Join(";", shown);
        }

        /// <summary>Throws an ArgumentException (that shows no part of the password) for a connection string whose
        /// password the engine would read wrongly or quote in its error: a quoted Password value of Npgsql's form, or
        /// one followed by text that is not a known option (a password with ';' in it). Such a password goes in a
        /// postgres:// URL, percent-encoded.</summary>
        public static void CheckPassword(string connection)
        {
            if (string.IsNullOrWhiteSpace(connection) || IsUrl(connection))
            {
                return;
            }
            const string Advice = "give the connection string as a URL instead, 'postgres://user:password@host:port/database', " +
                "with the password percent-encoded ([uri]::EscapeDataString($password)).";
            bool afterPassword = false;
            foreach (string raw in connection.Split(';'))
            {
                string part = raw.Trim();
                if (part.Length == 0)
                {
                    continue;
                }
                string key = KeyOf(part);
                if (key != null && IsPasswordKey(key))
                {
                    string value = part.Substring(part.IndexOf('=') + 1).Trim();
                    if (value.StartsWith("'", StringComparison.Ordinal) || value.StartsWith("\"", StringComparison.Ordinal))
                    {
                        throw new ArgumentException("The Password of the PostgreSQL connection string is quoted, which Kestrun.Rust does not read: " + Advice);
                    }
                    afterPassword = true;
                }
                else if (afterPassword && (key == null || !KnownKeys.Contains(key)))
                {
                    throw new ArgumentException("The PostgreSQL connection string has text after its Password that is no option " +
                        "(a password with ';' in it?): " + Advice);
                }
                else
                {
                    afterPassword = false;
                }
            }
        }
    }

    /// <summary>Sessions in one SQLite file (WAL), kept across restarts of the server (Add-KrDistributedSqliteCache).</summary>
    public sealed class KrSqliteCacheSettings : KrSqlCacheSettings
    {
        /// <summary>The full path of the file (created when missing).</summary>
        public string Path { get; set; }

        public override string StoreKind
        {
            get { return "SQLite"; }
        }

        /// <summary>"SQLite file '/var/lib/app/sessions.db' (table "Sessions", …)".</summary>
        public override string ToString()
        {
            return "SQLite file '" + Path + "'" + Describe("\"" + TableName + "\"");
        }
    }
}
