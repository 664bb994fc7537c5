// The Redis distributed cache of Add-KrDistributedRedisCache (the model is ASP.NET Core's RedisCacheOptions:
// Configuration, ConfigurationOptions, InstanceName), turned into what kr_server_use_redis_session_store takes.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Authentication;
using System.Text;

namespace KestrunRust
{
    /// <summary>Where a server keeps its session state in Redis.</summary>
    public sealed class KrRedisCacheSettings : KrDistributedCacheSettings
    {
        /// <summary>StackExchange.Redis's default endpoint.</summary>
        public const string DefaultConfiguration = "localhost:6379";

        /// <summary>The connection string given to the engine: StackExchange.Redis's
        /// "host:port[,password=...][,ssl=true][,defaultDatabase=N]..." or a URL "redis://[[user]:password@]host[:port][/db]"
        /// ("rediss://" for TLS).</summary>
        public string Configuration { get; set; }

        /// <summary>Prefix of every session key in Redis (ASP.NET Core's InstanceName); "" = none.</summary>
        public string InstanceName { get; set; }

        /// <summary>Connect timeout in milliseconds; 0 = the string's connectTimeout, else 5000.</summary>
        public uint ConnectTimeoutMs { get; set; }

        /// <summary>Per-command timeout in milliseconds; 0 = the string's syncTimeout, else 5000.</summary>
        public uint OperationTimeoutMs { get; set; }

        public override string StoreKind
        {
            get { return "Redis"; }
        }

        /// <summary>The configuration without its password.</summary>
        public override string ToString()
        {
            string prefix = string.IsNullOrEmpty(InstanceName) ? string.Empty : " (InstanceName '" + InstanceName + "')";
            return "Redis " + Redact(Configuration) + prefix;
        }

        /// <summary><paramref name="configuration"/> with any password replaced by ***.</summary>
        public static string Redact(string configuration)
        {
            if (string.IsNullOrEmpty(configuration))
            {
                return configuration ?? string.Empty;
            }
            int scheme = configuration.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                string rest = configuration.Substring(scheme + 3);
                int end = rest.IndexOfAny(new[] { '/', '?', '#' });
                string authority = end < 0 ? rest : rest.Substring(0, end);
                int at = authority.LastIndexOf('@');
                if (at < 0)
                {
                    return configuration;
                }
                string userInfo = authority.Substring(0, at);
                int colon = userInfo.IndexOf(':');
                string shown = colon < 0 ? "***" : userInfo.Substring(0, colon) + ":***";
                return configuration.Substring(0, scheme + 3) + shown + rest.Substring(at);
            }
            string[] parts = configuration.Split(',');
            for (int i = 0; i < parts.Length; i++)
            {
                int eq = parts[i].IndexOf('=');
                if (eq > 0 && parts[i].Substring(0, eq).Trim().Equals("password", StringComparison.OrdinalIgnoreCase))
                {
                    parts[i] = parts[i].Substring(0, eq) + "=***";
                }
            }
            return string.Join(",", parts);
        }

        /// <summary>Whether <paramref name="value"/> is a Redis URL (redis://, rediss://, unix://, redis+unix://).</summary>
        public static bool IsRedisUrl(string value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return false;
            }
            string v = value.Trim();
            foreach (string scheme in new[] { "redis://", "rediss://", "unix://", "redis+unix://" })
            {
                if (v.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }

        // ---- StackExchange.Redis options: a dictionary (PowerShell hashtable) or a ConfigurationOptions object ----------
        // Both become the StackExchange.Redis configuration string the engine parses (native/src/session/redis/
        // connection.rs): every endpoint, then user, password, ssl, sslHost, defaultDatabase, connectTimeout,
        // syncTimeout, asyncTimeout, name, abortConnect, connectRetry, protocol.

        /// <summary>The options a dictionary may hold (case-insensitive; EndPoint and UserName are taken for
        /// EndPoints and User). KeepAlive and AllowAdmin are checked and have no effect on a session store.</summary>
        private static readonly string[] SupportedOptions =
        {
            "EndPoints", "Password", "User", "Ssl", "SslHost", "DefaultDatabase", "ConnectTimeout", "SyncTimeout",
            "AsyncTimeout", "ClientName", "AbortOnConnectFail", "ConnectRetry", "KeepAlive", "AllowAdmin",
        };

        /// <summary>Full name of the StackExchange.Redis type -ConfigurationOptions takes.</summary>
        public const string ConfigurationOptionsTypeName = "StackExchange.Redis.ConfigurationOptions";

        /// <summary>Largest accepted ConnectRetry (the engine's limit).</summary>
        public const int MaxConnectRetry = 1000;

        /// <summary>Properties of ConfigurationOptions that reach the engine.</summary>
        private static readonly HashSet<string> HonouredProperties = new HashSet<string>(StringComparer.Ordinal)
        {
            "EndPoints", "User", "Password", "Ssl", "UseSsl", "SslHost", "DefaultDatabase", "ConnectTimeout", "SyncTimeout",
            "AsyncTimeout", "ClientName", "AbortOnConnectFail", "ConnectRetry", "Protocol",
        };

        /// <summary>Properties of ConfigurationOptions that cannot matter to a session store: they tune
        /// StackExchange.Redis itself (its sockets, reconnect and backlog policies, heartbeats, logging, diagnostics)
        /// or serve what the store does not use (administrative commands, pub/sub, replica election).
        /// CheckCertificateRevocation is among them: rustls checks trust, validity and the host name, not revocation
        /// lists. Defaults only provides the defaults of the others, which are read.</summary>
        private static readonly HashSet<string> IgnoredProperties = new HashSet<string>(StringComparer.Ordinal)
        {
            "Defaults", "AllowAdmin", "KeepAlive", "TieBreaker", "ConfigurationChannel", "ConfigCheckSeconds", "ChannelPrefix",
            "DefaultVersion", "ResolveDns", "HeartbeatInterval", "HeartbeatConsistencyChecks", "HighPrioritySocketThreads",
            "IncludeDetailInExceptions", "IncludePerformanceCountersInExceptions", "SetClientLibrary", "LibraryName",
            "PreserveAsyncOrder", "WriteBuffer", "ResponseTimeout", "CheckCertificateRevocation", "ReconnectRetryPolicy",
            "BacklogPolicy", "LoggerFactory", "SocketManager",
        };

        /// <summary>What reaches the engine's connection string.</summary>
        private sealed class OptionValues
        {
            public readonly List<string> EndPoints = new List<string>();
            public string User;
            public string Password;
            public bool Ssl;
            public string SslHost;
            public long? DefaultDatabase;
            public long? ConnectTimeout;
            public long? SyncTimeout;
            public long? AsyncTimeout;
            public string ClientName;
            public bool? AbortConnect;
            public long? ConnectRetry;
            public string Protocol;
        }

        /// <summary>Builds the settings from StackExchange.Redis ConfigurationOptions given as a dictionary (a PowerShell
        /// hashtable): EndPoints (string or strings, "host[:port]"; all are used, in order), Password, User, Ssl, SslHost,
        /// DefaultDatabase, ConnectTimeout, SyncTimeout and AsyncTimeout (milliseconds), ClientName, AbortOnConnectFail,
        /// ConnectRetry; KeepAlive and AllowAdmin are checked and have no effect. Keys are case-insensitive; values may be
        /// strings. <paramref name="defaultEndPoint"/> is used when there are no EndPoints (else localhost:6379). The
        /// result's Configuration is a StackExchange.Redis configuration string.</summary>
        public static KrRedisCacheSettings FromOptions(IDictionary options, string defaultEndPoint, string instanceName)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }
            var values = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in options)
            {
                string key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                string known = Array.Find(SupportedOptions, o => o.Equals(key, StringComparison.OrdinalIgnoreCase))
                    ?? (key.Equals("EndPoint", StringComparison.OrdinalIgnoreCase) ? "EndPoints"
                        : key.Equals("UserName", StringComparison.OrdinalIgnoreCase) ? "User" : null);
                if (known == null)
                {
                    throw new ArgumentException("Unsupported Redis configuration option '" + key + "'. Supported: " +
                        string.Join(", ", SupportedOptions) + ".", nameof(options));
                }
                values[known] = entry.Value;
            }

            var v = new OptionValues();
            if (values.TryGetValue("EndPoints", out object ep) && ep != null)
            {
                if (ep is string single)
                {
                    v.EndPoints.AddRange(single.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries));
                }
                else if (ep is IEnumerable many)
                {
                    foreach (object item in many)
                    {
                        string s = Convert.ToString(item, CultureInfo.InvariantCulture);
                        if (!string.IsNullOrWhiteSpace(s))
                        {
                            v.EndPoints.Add(s);
                        }
                    }
                }
                else
                {
                    v.EndPoints.Add(Convert.ToString(ep, CultureInfo.InvariantCulture));
                }
            }
            if (v.EndPoints.Count == 0)
            {
                v.EndPoints.Add(string.IsNullOrWhiteSpace(defaultEndPoint) ? DefaultConfiguration : defaultEndPoint);
            }
            v.Ssl = values.TryGetValue("Ssl", out object ssl) && ssl != null && ToBool(ssl, "Ssl");
            v.SslHost = Text(values, "SslHost");
            v.User = Text(values, "User");
            v.Password = Text(values, "Password");
            v.ClientName = Text(values, "ClientName");
            v.DefaultDatabase = Number(values, "DefaultDatabase", 0, int.MaxValue);
            v.ConnectTimeout = Number(values, "ConnectTimeout", 1, 3600000);
            v.SyncTimeout = Number(values, "SyncTimeout", 1, 3600000);
            v.AsyncTimeout = Number(values, "AsyncTimeout", 1, 3600000);
            v.ConnectRetry = Number(values, "ConnectRetry", 0, MaxConnectRetry);
            if (values.TryGetValue("AbortOnConnectFail", out object abort) && abort != null)
            {
                v.AbortConnect = ToBool(abort, "AbortOnConnectFail");
            }
            // No effect on a session store, but a wrong value is still an error.
            if (values.TryGetValue("AllowAdmin", out object admin) && admin != null)
            {
                ToBool(admin, "AllowAdmin");
            }
            Number(values, "KeepAlive", -1, int.MaxValue);
            return new KrRedisCacheSettings
            {
                Configuration = BuildConfiguration(v, "The Redis option "),
                InstanceName = instanceName ?? string.Empty,
            };
        }

        /// <summary>Builds the settings from a StackExchange.Redis ConfigurationOptions object (read through reflection,
        /// so any StackExchange.Redis version works). Passed to the engine: every endpoint of EndPoints (in order: the
        /// engine fails over to the next), User, Password, Ssl, SslHost, DefaultDatabase, ConnectTimeout, SyncTimeout,
        /// AsyncTimeout, ClientName, AbortOnConnectFail, ConnectRetry and Protocol. Rejected (ArgumentException naming
        /// the property) when set: ServiceName (Sentinel), Proxy, Tunnel, CommandMap, SslProtocols without both TLS 1.2
        /// and 1.3, SslClientAuthenticationOptions, BeforeSocketConnect, CertificateValidation and CertificateSelection
        /// handlers, and any property this code does not know that differs from its default. The properties in
        /// <see cref="IgnoredProperties"/> cannot matter to a session store and are not read.</summary>
        public static KrRedisCacheSettings FromConfigurationOptions(object options, string instanceName)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }
            Type type = options.GetType();
            if (type.FullName != ConfigurationOptionsTypeName)
            {
                throw new ArgumentException("Expected a " + ConfigurationOptionsTypeName + ", got a " + type.FullName + ".", nameof(options));
            }
            object defaults = Activator.CreateInstance(type);
            const string P = "ConfigurationOptions.";

            var v = new OptionValues();
            if (Property(options, "EndPoints") is IEnumerable endPoints)
            {
                foreach (object endPoint in endPoints)
                {
                    v.EndPoints.Add(FormatEndPoint(endPoint));
                }
            }
            if (v.EndPoints.Count == 0)
            {
                throw new ArgumentException(P + "EndPoints is empty: add the Redis server, e.g. $cfg.EndPoints.Add('host:6379').", nameof(options));
            }
            v.User = Property(options, "User") as string;
            v.Password = Property(options, "Password") as string;
            v.Ssl = Property(options, "Ssl") is bool ssl && ssl;
            // Only an SslHost the user set: without one, StackExchange.Redis's getter infers a host from EndPoints (and
            // verifies every endpoint against it), while the engine verifies each endpoint against its own host.
            v.SslHost = ExplicitSslHost(options);
            object db = Property(options, "DefaultDatabase");
            if (db != null)
            {
                v.DefaultDatabase = ToLong(db, P + "DefaultDatabase", 0, int.MaxValue);
            }
            v.ConnectTimeout = ToLong(Property(options, "ConnectTimeout"), P + "ConnectTimeout", 1, 3600000);
            v.SyncTimeout = ToLong(Property(options, "SyncTimeout"), P + "SyncTimeout", 1, 3600000);
            v.AsyncTimeout = ToLong(Property(options, "AsyncTimeout"), P + "AsyncTimeout", 1, 3600000);
            v.ClientName = Property(options, "ClientName") as string;
            v.AbortConnect = Property(options, "AbortOnConnectFail") is bool abort && abort;
            v.ConnectRetry = ToLong(Property(options, "ConnectRetry"), P + "ConnectRetry", 0, MaxConnectRetry);
            object protocol = Property(options, "Protocol");
            if (protocol != null)
            {
                v.Protocol = protocol.ToString().Equals("Resp3", StringComparison.OrdinalIgnoreCase) ? "resp3" : "resp2";
            }
            RejectUnsupported(options, defaults, type);
            return new KrRedisCacheSettings
            {
                Configuration = BuildConfiguration(v, P),
                InstanceName = instanceName ?? string.Empty,
            };
        }

        /// <summary>The SslHost set on <paramref name="options"/> (its private field when the version has one, else
        /// the property).</summary>
        private static string ExplicitSslHost(object options)
        {
            FieldInfo field = options.GetType().GetField("sslHost", BindingFlags.Instance | BindingFlags.NonPublic);
            return field != null && field.FieldType == typeof(string) ? (string)field.GetValue(options) : Property(options, "SslHost") as string;
        }

        private static object Property(object target, string name)
        {
            PropertyInfo property = target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
            return property == null || property.GetIndexParameters().Length > 0 ? null : property.GetValue(target);
        }

        /// <summary>"host", "host:port", "[v6]:port" of a DnsEndPoint / IPEndPoint (port 0: StackExchange's default).</summary>
        private static string FormatEndPoint(object endPoint)
        {
            switch (endPoint)
            {
                case DnsEndPoint dns:
                    return dns.Port == 0 ? dns.Host : dns.Host + ":" + dns.Port.ToString(CultureInfo.InvariantCulture);
                case IPEndPoint ip:
                    string address = ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip.Address + "]" : ip.Address.ToString();
                    return ip.Port == 0 ? address : address + ":" + ip.Port.ToString(CultureInfo.InvariantCulture);
                default:
                    throw new ArgumentException("ConfigurationOptions.EndPoints: '" + endPoint + "' is not a host:port endpoint " +
                        "(the session store connects over TCP).");
            }
        }

        /// <summary>Properties checked one by one in <see cref="RejectUnsupported"/>, in this order (Proxy before
        /// CommandMap: a proxy changes the default command map).</summary>
        private static readonly string[] CheckedProperties =
        {
            "ServiceName", "Proxy", "Tunnel", "CommandMap", "SslProtocols", "SslClientAuthenticationOptions", "BeforeSocketConnect",
        };

        private static void RejectUnsupported(object options, object defaults, Type type)
        {
            const string P = "ConfigurationOptions.";
            foreach (string name in CheckedProperties)
            {
                PropertyInfo property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
                if (property == null)
                {
                    continue;
                }
                object value = property.GetValue(options);
                string why = null;
                switch (name)
                {
                    case "ServiceName":
                        if (!string.IsNullOrEmpty(value as string))
                        {
                            why = " ('" + value + "') selects Redis Sentinel, which the session store does not support: give the Redis servers themselves in EndPoints.";
                        }
                        break;
                    case "Proxy":
                        if (value != null && value.ToString() != "None")
                        {
                            why = " ('" + value + "') is not supported: the session store talks to Redis itself (leave Proxy at None).";
                        }
                        break;
                    case "CommandMap":
                        object standard = type.Assembly.GetType("StackExchange.Redis.CommandMap")?
                            .GetProperty("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
                        if (value != null && !ReferenceEquals(value, standard ?? property.GetValue(defaults)))
                        {
                            why = " renames or disables commands, which the session store does not support (it sends GET, SET, EXPIRE and DEL as they are).";
                        }
                        break;
                    case "SslProtocols":
                        if (value is SslProtocols protocols && protocols != SslProtocols.None &&
                            ((protocols & SslProtocols.Tls12) == 0 || (protocols & SslProtocols.Tls13) == 0))
                        {
                            why = " ('" + protocols + "') cannot be honoured: the session store's TLS (rustls) offers TLS 1.2 and 1.3; leave it unset or include Tls12 and Tls13.";
                        }
                        break;
                    case "Tunnel":
                        if (value != null)
                        {
                            why = " is set: connecting through a tunnel is not supported.";
                        }
                        break;
                    case "SslClientAuthenticationOptions":
                        if (value != null)
                        {
                            why = " is set: custom TLS client options (client certificates) are not supported.";
                        }
                        break;
                    case "BeforeSocketConnect":
                        if (value != null)
                        {
                            why = " is set: the session store opens its own sockets, so the callback would never run.";
                        }
                        break;
                }
                if (why != null)
                {
                    throw new ArgumentException(P + name + why);
                }
            }
            // The certificate events have no public getter: their handlers sit in private delegate fields.
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic))
            {
                if (field.FieldType == typeof(RemoteCertificateValidationCallback) && field.GetValue(options) != null)
                {
                    throw new ArgumentException(P + "CertificateValidation has a handler: a custom certificate check is not supported. The session store " +
                        "verifies the server certificate against the system trust store; set SSL_CERT_FILE to a PEM file with a private CA instead.");
                }
                if (field.FieldType == typeof(LocalCertificateSelectionCallback) && field.GetValue(options) != null)
                {
                    throw new ArgumentException(P + "CertificateSelection has a handler: client certificates are not supported.");
                }
            }
            // A property of a newer StackExchange.Redis that this code does not know: only its default is accepted.
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                string name = property.Name;
                if (!property.CanRead || property.GetIndexParameters().Length > 0 || HonouredProperties.Contains(name) ||
                    IgnoredProperties.Contains(name) || Array.IndexOf(CheckedProperties, name) >= 0)
                {
                    continue;
                }
                if (!Equals(property.GetValue(options), property.GetValue(defaults)))
                {
                    throw new ArgumentException(P + name + " is set, and the session store does not know that option: leave it at its default.");
                }
            }
        }

        /// <summary>The engine's configuration string of <paramref name="v"/>; <paramref name="label"/> starts the
        /// messages ("ConfigurationOptions." or "The Redis option ").</summary>
        private static string BuildConfiguration(OptionValues v, string label)
        {
            var text = new StringBuilder();
            foreach (string raw in v.EndPoints)
            {
                string endPoint = raw.Trim();
                CheckValue(endPoint, label + "EndPoints");
                SplitEndPoint(endPoint, v.Ssl ? 6380 : 6379, out _, out _);
                if (text.Length > 0)
                {
                    text.Append(',');
                }
                text.Append(endPoint);
            }
            AppendText(text, "user", v.User, label + "User");
            if (!string.IsNullOrEmpty(v.Password))
            {
                CheckValue(v.Password, label + "Password");
                if (char.IsWhiteSpace(v.Password[v.Password.Length - 1]))
                {
                    throw new ArgumentException(label + "Password ends with white space, which the session store's connection string cannot carry: " +
                        "give the server as a URL instead, e.g. -ConfigurationOptions 'rediss://user:password@host:6380' (password percent-encoded).");
                }
                text.Append(",password=").Append(v.Password);
            }
            if (v.Ssl)
            {
                text.Append(",ssl=true");
            }
            AppendText(text, "sslHost", v.SslHost, label + "SslHost");
            AppendNumber(text, "defaultDatabase", v.DefaultDatabase);
            AppendNumber(text, "connectTimeout", v.ConnectTimeout);
            AppendNumber(text, "syncTimeout", v.SyncTimeout);
            AppendNumber(text, "asyncTimeout", v.AsyncTimeout);
            AppendText(text, "name", v.ClientName, label + "ClientName");
            if (v.AbortConnect.HasValue)
            {
                text.Append(",abortConnect=").Append(v.AbortConnect.Value ? "true" : "false");
            }
            AppendNumber(text, "connectRetry", v.ConnectRetry);
            if (v.Protocol != null)
            {
                text.Append(",protocol=").Append(v.Protocol);
            }
            return text.ToString();
        }

        /// <summary>A value must not hold a comma: the configuration string separates its parts with them.</summary>
        private static void CheckValue(string value, string name)
        {
            if (value.IndexOf(',') >= 0)
            {
                throw new ArgumentException(name + " contains a comma, which the session store's connection string cannot carry: give the server " +
                    "as a URL instead, e.g. -ConfigurationOptions 'rediss://user:p%2Cssword@host:6380' (user and password percent-encoded).");
            }
        }

        private static void AppendText(StringBuilder text, string key, string value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return;
            }
            CheckValue(value, name);
            text.Append(',').Append(key).Append('=').Append(value.Trim());
        }

        private static void AppendNumber(StringBuilder text, string key, long? value)
        {
            if (value.HasValue)
            {
                text.Append(',').Append(key).Append('=').Append(value.Value.ToString(CultureInfo.InvariantCulture));
            }
        }

        private static string Text(Dictionary<string, object> values, string key)
        {
            return values.TryGetValue(key, out object value) && value != null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
        }

        private static long? Number(Dictionary<string, object> values, string key, long min, long max)
        {
            return values.TryGetValue(key, out object value) && value != null ? ToLong(value, "The Redis option " + key, min, max) : (long?)null;
        }

        private static void SplitEndPoint(string endPoint, int defaultPort, out string host, out int port)
        {
            port = defaultPort;
            host = endPoint;
            string portText = null;
            if (endPoint.StartsWith("[", StringComparison.Ordinal))
            {
                int close = endPoint.IndexOf(']');
                if (close < 0)
                {
                    throw new ArgumentException("Invalid Redis endpoint '" + endPoint + "': unclosed '['.");
                }
                host = endPoint.Substring(1, close - 1);
                string after = endPoint.Substring(close + 1);
                if (after.StartsWith(":", StringComparison.Ordinal))
                {
                    portText = after.Substring(1);
                }
                else if (after.Length > 0)
                {
                    throw new ArgumentException("Invalid Redis endpoint '" + endPoint + "'.");
                }
            }
            else if (endPoint.IndexOf(':') >= 0 && endPoint.IndexOf(':') == endPoint.LastIndexOf(':'))
            {
                int colon = endPoint.IndexOf(':');
                host = endPoint.Substring(0, colon);
                portText = endPoint.Substring(colon + 1);
            }
            if (string.IsNullOrWhiteSpace(host) || host.IndexOfAny(new[] { ' ', '/', '@', '?', '#' }) >= 0)
            {
                throw new ArgumentException("Invalid Redis endpoint '" + endPoint + "': expected host[:port].");
            }
            if (portText != null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port < 1 || port > 65535))
            {
                throw new ArgumentException("Invalid Redis endpoint '" + endPoint + "': the port must be 1..65535.");
            }
        }

        private static bool ToBool(object value, string name)
        {
            if (value is bool b)
            {
                return b;
            }
            string s = Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim();
            if (bool.TryParse(s, out bool parsed))
            {
                return parsed;
            }
            if (s == "1" || s == "0")
            {
                return s == "1";
            }
            throw new ArgumentException("The Redis option " + name + " must be true or false (got '" + s + "').");
        }

        /// <summary><paramref name="value"/> as a whole number in min..max; <paramref name="name"/> starts the message.</summary>
        private static long ToLong(object value, string name, long min, long max)
        {
            string s = Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim();
            if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= min && n <= max)
            {
                return n;
            }
            throw new ArgumentException(name + " must be a whole number in " + min + ".." + max + " (got '" + s + "').");
        }
    }
}
