// Validation attributes of the compiled commands that the PowerShell reference assemblies the module builds against
// (PowerShell Standard 5.1) do not offer, with the errors the script commands gave ("Cannot validate argument on
// parameter '<name>'. <message>", ParameterArgumentValidationError, InvalidData):
//  - [KrValidateTimeSpan("message", MaxSeconds = n)]: a TimeSpan more than zero (and at most MaxSeconds), what the
//    script commands checked with ValidateScript and its ErrorMessage ({0} is the value);
//  - [KrValidatePositive]: a number more than zero, as PowerShell 7's [ValidateRange('Positive')].
using System;
using System.Globalization;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Validates that a TimeSpan argument is positive and, with <see cref="MaxSeconds"/>, not longer.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class KrValidateTimeSpanAttribute : ValidateArgumentsAttribute
    {
        /// <param name="errorMessage">The message when the value is refused; {0} is the value.</param>
        public KrValidateTimeSpanAttribute(string errorMessage)
        {
            ErrorMessage = errorMessage ?? throw new ArgumentNullException(nameof(errorMessage));
        }

        /// <summary>The message when the value is refused; {0} is the value.</summary>
        public string ErrorMessage { get; }

        /// <summary>The longest value allowed, in seconds; 0 (the default) for no limit.</summary>
        public double MaxSeconds { get; set; }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
            if (value is TimeSpan span && span > TimeSpan.Zero && (MaxSeconds <= 0 || span <= TimeSpan.FromSeconds(MaxSeconds)))
            {
                return;
            }
            throw new ValidationMetadataException(string.Format(CultureInfo.CurrentCulture, ErrorMessage, value));
        }
    }

    /// <summary>Validates that a numeric argument is more than zero.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class KrValidatePositiveAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
            if (value is IConvertible number && !(value is string) && number.ToDecimal(CultureInfo.InvariantCulture) > 0)
            {
                return;
            }
            throw new ValidationMetadataException(string.Format(CultureInfo.CurrentCulture,
                "The argument \"{0}\" cannot be validated because its value is not greater than zero.", value));
        }
    }
}
