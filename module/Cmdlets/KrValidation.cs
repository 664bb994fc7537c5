// Validation attributes of the compiled commands for what the script commands checked with ValidateScript (and its
// ErrorMessage) or with PowerShell 7's [ValidateRange('Positive')], which the reference assemblies the module builds
// against (PowerShell Standard 5.1) do not offer. The error is the one the script commands gave: "Cannot validate
// argument on parameter '<name>'. <message>" (ParameterArgumentValidationError, InvalidData).
using System.Collections;

namespace KestrunRust.Cmdlets
{
    /// <summary>A check of a parameter's argument: refused, it is the error <see cref="ErrorMessage"/> ({0}: the value).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public abstract class KrValidateAttribute : ValidateArgumentsAttribute
    {
        /// <param name="errorMessage">The message when the value is refused; {0} is the value.</param>
        protected KrValidateAttribute(string errorMessage)
        {
            ErrorMessage = errorMessage ?? throw new ArgumentNullException(nameof(errorMessage));
        }

        /// <summary>The message when the value is refused; {0} is the value.</summary>
        public string ErrorMessage { get; }

        /// <summary>Whether <paramref name="value"/> (never a PSObject) is accepted.</summary>
        protected abstract bool IsValid(object value);

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
            if (!IsValid(value))
            {
                throw new ValidationMetadataException(string.Format(CultureInfo.CurrentCulture, ErrorMessage, value));
            }
        }
    }

    /// <summary>A TimeSpan more than zero and, with <see cref="MaxSeconds"/>, not longer.</summary>
    public sealed class KrValidateTimeSpanAttribute : KrValidateAttribute
    {
        public KrValidateTimeSpanAttribute(string errorMessage) : base(errorMessage)
        {
        }

        /// <summary>The longest value allowed, in seconds; 0 (the default) for no limit.</summary>
        public double MaxSeconds { get; set; }

        protected override bool IsValid(object value)
        {
            return value is TimeSpan span && span > TimeSpan.Zero && (MaxSeconds <= 0 || span <= TimeSpan.FromSeconds(MaxSeconds));
        }
    }

    /// <summary>A number more than zero (PowerShell 7's [ValidateRange('Positive')]).</summary>
    public sealed class KrValidatePositiveAttribute : KrValidateAttribute
    {
        public KrValidatePositiveAttribute() : base("The argument \"{0}\" cannot be validated because its value is not greater than zero.")
        {
        }

        protected override bool IsValid(object value)
        {
            return value is IConvertible number && !(value is string) && number.ToDecimal(CultureInfo.InvariantCulture) > 0;
        }
    }

    /// <summary>A schema or table name of the SQL session stores (<see cref="KrSqlCacheSettings.IsIdentifier"/>).</summary>
    public sealed class KrValidateSqlIdentifierAttribute : KrValidateAttribute
    {
        public KrValidateSqlIdentifierAttribute(string errorMessage) : base(errorMessage)
        {
        }

        protected override bool IsValid(object value)
        {
            return KrSqlCacheSettings.IsIdentifier(value as string);
        }
    }

    /// <summary>What Add-KrDistributedRedisCache -ConfigurationOptions takes: a StackExchange.Redis ConfigurationOptions,
    /// a dictionary of its options, or a redis:// / rediss:// URL.</summary>
    public sealed class KrValidateRedisOptionsAttribute : KrValidateAttribute
    {
        public KrValidateRedisOptionsAttribute() : base("-ConfigurationOptions must be a [StackExchange.Redis.ConfigurationOptions], a hashtable of its options (EndPoints, Password, Ssl, DefaultDatabase, ...) or a redis:// / rediss:// URL.")
        {
        }

        protected override bool IsValid(object value)
        {
            return value is IDictionary || value?.GetType().FullName == KrRedisCacheSettings.ConfigurationOptionsTypeName ||
                KrRedisCacheSettings.IsRedisUrl(value is Uri uri ? uri.OriginalString : LanguagePrimitives.ConvertTo<string>(value));
        }
    }
}
