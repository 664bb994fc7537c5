// The cookie settings of New-KrCookieBuilder (the model is ASP.NET Core's CookieBuilder), used by Add-KrSession.
using System;

namespace KestrunRust
{
    /// <summary>Cookie settings. A property left null keeps the session default (HttpOnly true, SameSite Lax,
    /// SecurePolicy SameAsRequest, Path "/", browser-session lifetime).</summary>
    public sealed class KrCookieBuilder
    {
        public string Name { get; set; }
        public string Domain { get; set; }
        public string Path { get; set; }
        public bool? HttpOnly { get; set; }

        /// <summary>Recorded for compatibility with Kestrun (consent policies); it does not change the cookie.</summary>
        public bool IsEssential { get; set; }

        /// <summary>Max-Age of the cookie; null = browser-session cookie.</summary>
        public TimeSpan? MaxAge { get; set; }

        public KrSameSite? SameSite { get; set; }
        public KrSecurePolicy? SecurePolicy { get; set; }

        public override string ToString()
        {
            return string.Format("{0} (Path={1}; Domain={2}; HttpOnly={3}; SameSite={4}; SecurePolicy={5}; MaxAge={6})",
                Name ?? "<default>", Path ?? "/", Domain ?? "<none>",
                HttpOnly.HasValue ? HttpOnly.Value.ToString() : "<default>",
                SameSite.HasValue ? SameSite.Value.ToString() : "<default>",
                SecurePolicy.HasValue ? SecurePolicy.Value.ToString() : "<default>",
                MaxAge.HasValue ? MaxAge.Value.ToString() : "<session>");
        }
    }

    /// <summary>Session settings of a server (what Add-KrSession configured).</summary>
    public sealed class KrSessionSettings
    {
        public KrCookieBuilder Cookie { get; set; }

        /// <summary>Sliding idle timeout in seconds (null = native default, 1200).</summary>
        public ulong? IdleTimeoutSeconds { get; set; }

        /// <summary>Bound on every session store call in seconds (null = native default).</summary>
        public ulong? IoTimeoutSeconds { get; set; }

        /// <summary>Bound of the in-memory store (null = native default).</summary>
        public ulong? MaxSessions { get; set; }

        /// <summary>How long a key of the store's key ring seals new cookies, in seconds (null = native default, 90
        /// days).</summary>
        public ulong? KeyLifetimeSeconds { get; set; }

        /// <summary>Secret (16..4096 bytes) the session cookie key is derived from (HKDF-SHA512 in the engine):
        /// servers given the same secret read each other's session cookies, as ASP.NET Core servers sharing their
        /// data-protection keys do. Null = a random key per server (its cookies are readable by that server only).</summary>
        public byte[] CookieKey { get; set; }

        /// <summary>Whether a <see cref="CookieKey"/> is set (the key itself is never shown).</summary>
        public bool HasCookieKey
        {
            get { return CookieKey != null && CookieKey.Length > 0; }
        }
    }
}
