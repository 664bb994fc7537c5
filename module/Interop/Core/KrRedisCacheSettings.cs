// The Redis distributed cache of Add-KrDistributedRedisCache (the model is ASP.NET Core's RedisCacheOptions:
// Configuration, ConfigurationOptions, InstanceName), turned into what kr_server_use_redis_session_store takes.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace KestrunRust
{
    /// <summary>Where a server keeps its session state in Redis.</summary>
    public sealed class KrRedisCacheSettings
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

        private static readonly string[] SupportedOptions =
        {
            "EndPoints", "Password", "User", "Ssl", "DefaultDatabase", "ConnectTimeout", "SyncTimeout", "AsyncTimeout",
            "AbortOnConnectFail", "ClientName", "KeepAlive", "AllowAdmin", "ConnectRetry",
        };

        /// <summary>Builds the settings from StackExchange.Redis ConfigurationOptions given as a dictionary (a PowerShell
        /// hashtable): EndPoints (string or strings, "host[:port]"; only the first is used, like one connection),
        /// Password, User, Ssl, DefaultDatabase, ConnectTimeout and SyncTimeout / AsyncTimeout (milliseconds); AbortOnConnectFail,
        /// ClientName, KeepAlive, AllowAdmin, ConnectRetry are accepted and have no effect (connections are always lazy and
        /// retried). Keys are case-insensitive; values may be strings. <paramref name="defaultEndPoint"/> is used when there
        /// are no EndPoints. The result's Configuration is a redis:// / rediss:// URL (credentials percent-encoded).</summary>
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

            var endPoints = new List<string>();
            if (values.TryGetValue("EndPoints", out object ep) && ep != null)
            {
                if (ep is string single)
                {
                    endPoints.AddRange(single.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries));
                }
                else if (ep is IEnumerable many)
                {
                    foreach (object item in many)
                    {
                        string s = Convert.ToString(item, CultureInfo.InvariantCulture);
                        if (!string.IsNullOrWhiteSpace(s))
                        {
                            endPoints.Add(s);
                        }
                    }
                }
                else
                {
                    endPoints.Add(Convert.ToString(ep, CultureInfo.InvariantCulture));
                }
            }
            if (endPoints.Count == 0)
            {
                endPoints.Add(string.IsNullOrWhiteSpace(defaultEndPoint) ? DefaultConfiguration : defaultEndPoint);
            }

            bool ssl = values.TryGetValue("Ssl", out object sslValue) && ToBool(sslValue, "Ssl");
            SplitEndPoint(endPoints[0].Trim(), ssl ? 6380 : 6379, out string host, out int port);
            long db = values.TryGetValue("DefaultDatabase", out object dbValue) && dbValue != null ? ToLong(dbValue, "DefaultDatabase", 0, int.MaxValue) : 0;
            string user = values.TryGetValue("User", out object userValue) ? Convert.ToString(userValue, CultureInfo.InvariantCulture) : null;
            string password = values.TryGetValue("Password", out object pwValue) ? Convert.ToString(pwValue, CultureInfo.InvariantCulture) : null;
            foreach (string flag in new[] { "AbortOnConnectFail", "KeepAlive", "AllowAdmin" })
            {
                if (values.TryGetValue(flag, out object v) && v != null)
                {
                    ToBool(v, flag);
                }
            }

            var url = new StringBuilder(ssl ? "rediss://" : "redis://");
            if (!string.IsNullOrEmpty(user) || !string.IsNullOrEmpty(password))
            {
                url.Append(Uri.EscapeDataString(user ?? string.Empty));
                if (!string.IsNullOrEmpty(password))
                {
                    url.Append(':').Append(Uri.EscapeDataString(password));
                }
                url.Append('@');
            }
            url.Append(host.Contains(':') ? "[" + host + "]" : host).Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
            url.Append('/').Append(db.ToString(CultureInfo.InvariantCulture));

            var settings = new KrRedisCacheSettings { Configuration = url.ToString(), InstanceName = instanceName ?? string.Empty };
            if (values.TryGetValue("ConnectTimeout", out object ct) && ct != null)
            {
                settings.ConnectTimeoutMs = (uint)ToLong(ct, "ConnectTimeout", 1, 3600000);
            }
            object st = null;
            if ((values.TryGetValue("SyncTimeout", out st) || values.TryGetValue("AsyncTimeout", out st)) && st != null)
            {
                settings.OperationTimeoutMs = (uint)ToLong(st, "SyncTimeout", 1, 3600000);
            }
            return settings;
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

        private static long ToLong(object value, string name, long min, long max)
        {
            string s = Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim();
            if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= min && n <= max)
            {
                return n;
            }
            throw new ArgumentException("The Redis option " + name + " must be a whole number in " + min + ".." + max + " (got '" + s + "').");
        }
    }
}
