// New-KrCookieBuilder: cookie settings (the model is ASP.NET Core's CookieBuilder) for Add-KrSession -Cookie; a
// setting not given keeps the session default. -Domain must be a host name or an IPv4 address (KrInvalidDomain),
// -MaxAge a TimeSpan, a duration string or a number of seconds, not negative (KrInvalidMaxAge).
using System.Text.RegularExpressions;

namespace KestrunRust.Cmdlets
{
    /// <summary>New-KrCookieBuilder: a <see cref="KrCookieBuilder"/> with the settings given.</summary>
    [Cmdlet(VerbsCommon.New, "KrCookieBuilder"), OutputType(typeof(KrCookieBuilder))]
    public sealed class NewKrCookieBuilderCommand : KrCmdlet
    {
        // RFC 6265 domain-value: a host name (labels of letters, digits and hyphens, 1..63 characters, not starting or
        // ending with a hyphen; 253 characters at most), optionally with a leading dot, or an IPv4 address.
        private const string Label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
        private static readonly Regex s_hostName = new Regex("^" + Label + "(\\." + Label + ")*$", RegexOptions.CultureInvariant);
        private static readonly Regex s_ipv4 = new Regex(@"^\d{1,3}(\.\d{1,3}){3}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The cookie name.</summary>
        [Parameter(Position = 0), ValidatePattern(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$"), KrScriptType(typeof(string))]
        public string Name { get; set; }

        /// <summary>The Domain attribute.</summary>
        [Parameter(Position = 1), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Domain { get; set; }

        /// <summary>The Path attribute.</summary>
        [Parameter(Position = 2), ValidatePattern("^/"), KrScriptType(typeof(string))]
        public string Path { get; set; }

        /// <summary>Mark the cookie HttpOnly.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter HttpOnly { get; set; }

        /// <summary>Recorded for Kestrun compatibility.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter IsEssential { get; set; }

        /// <summary>Lifetime of the cookie: a TimeSpan, a duration string or a number of seconds.</summary>
        [Parameter(Position = 3), ValidateNotNull]
        public object MaxAge { get; set; }

        /// <summary>Lax, Strict, None or Unspecified.</summary>
        [Parameter(Position = 4), KrScriptType(typeof(KrSameSite))]
        public KrSameSite SameSite { get; set; }

        /// <summary>When the cookie gets the Secure attribute.</summary>
        [Parameter(Position = 5), KrScriptType(typeof(KrSecurePolicy))]
        public KrSecurePolicy SecurePolicy { get; set; }

        protected override void ProcessRecord()
        {
            var builder = new KrCookieBuilder();
            if (IsBound(nameof(Name)))
            {
                builder.Name = Name;
            }
            if (IsBound(nameof(Domain)))
            {
                if (!IsDomain(Domain))
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new ArgumentException("-Domain must be a host name such as 'example.com' or '.example.com' (letters, digits and hyphens in dot-separated labels) or an IPv4 address; got '" + Domain + "'."),
                        "KrInvalidDomain", ErrorCategory.InvalidArgument, Domain));
                }
                builder.Domain = Domain;
            }
            if (IsBound(nameof(Path)))
            {
                builder.Path = Path;
            }
            if (IsBound(nameof(HttpOnly)))
            {
                builder.HttpOnly = HttpOnly.IsPresent;
            }
            if (IsEssential.IsPresent)
            {
                builder.IsEssential = true;
            }
            if (IsBound(nameof(SameSite)))
            {
                builder.SameSite = SameSite;
            }
            if (IsBound(nameof(SecurePolicy)))
            {
                builder.SecurePolicy = SecurePolicy;
            }
            if (IsBound(nameof(MaxAge)))
            {
                builder.MaxAge = MaxAgeSpan();
            }
            WriteObject(builder);
        }

        private static bool IsDomain(string domain)
        {
            string hostName = domain.TrimStart('.');
            bool isIPv4 = s_ipv4.IsMatch(hostName) && Array.TrueForAll(hostName.Split('.'),
                part => int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int octet) && octet <= 255);
            return !domain.StartsWith("..", StringComparison.Ordinal) && hostName.Length <= 253 && (isIPv4 || s_hostName.IsMatch(hostName));
        }

        // -MaxAge as a TimeSpan: a TimeSpan, a number of seconds, or a string holding either.
        private TimeSpan MaxAgeSpan()
        {
            object value = MaxAge is PSObject wrapped ? wrapped.BaseObject : MaxAge;
            TimeSpan? span = null;
            switch (value)
            {
                case TimeSpan given:
                    span = given;
                    break;
                case byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal:
                    span = TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    break;
                case string text:
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                    {
                        span = TimeSpan.FromSeconds(seconds);
                    }
                    else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsed))
                    {
                        span = parsed;
                    }
                    break;
            }
            if (span == null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("-MaxAge must be a TimeSpan, a string such as '00:30:00' or a number of seconds; got '" + LanguagePrimitives.ConvertTo<string>(MaxAge) + "'."),
                    "KrInvalidMaxAge", ErrorCategory.InvalidArgument, MaxAge));
            }
            if (span.Value < TimeSpan.Zero)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentOutOfRangeException(nameof(MaxAge), span.Value, "-MaxAge cannot be negative."),
                    "KrInvalidMaxAge", ErrorCategory.InvalidArgument, MaxAge));
            }
            return span.Value;
        }
    }
}
