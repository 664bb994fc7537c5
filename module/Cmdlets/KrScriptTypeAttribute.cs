// Binds an argument as the typed parameter of an advanced script function binds it ([string]$Key, [int]$Value,
// [switch]$AsInt), so that the compiled cmdlets accept and refuse exactly what the script commands they replace did:
// a [ref] is dereferenced, an array is not made a string, a switch takes only $true/$false (or a number that converts),
// $null becomes '' / 0 as the cast would make it, and a value that does not convert is an argument transformation
// error (category InvalidData, "Cannot process argument transformation on parameter 'Value'. Cannot convert ...").
// Without it the cmdlet binder converts with other rules and reports ParameterBindingException (InvalidArgument).

namespace KestrunRust.Cmdlets
{
    /// <summary>Converts a parameter's argument to <see cref="Type"/> as PowerShell converts the argument of a typed
    /// parameter of an advanced function (its ArgumentTypeConverterAttribute, when binding a script cmdlet).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class KrScriptTypeAttribute : ArgumentTransformationAttribute
    {
        private readonly bool _isString;
        private readonly bool _isSwitch;

        public KrScriptTypeAttribute(Type type)
        {
            Type = type ?? throw new ArgumentNullException(nameof(type));
            _isString = type == typeof(string);
            _isSwitch = type == typeof(SwitchParameter);
        }

        /// <summary>The parameter's type.</summary>
        public Type Type { get; }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value != null && value.GetType() == Type)
            {
                // The usual case (a string for a [string] parameter): nothing to convert.
                return value;
            }
            try
            {
                // A [ref] is dereferenced when a non-[ref] type is expected.
                object result = value is PSReference reference ? reference.Value : inputData;
                object baseValue = result is PSObject resultObject ? resultObject.BaseObject : result;
                if (_isString && baseValue != null && baseValue.GetType().IsArray)
                {
                    throw new PSInvalidCastException("Cannot convert value to type System.String.");
                }
                if (_isSwitch && baseValue != null && !IsNumericOrBool(baseValue.GetType()))
                {
                    throw new PSInvalidCastException(string.Format(CultureInfo.InvariantCulture,
                        "Cannot convert value \"{0}\" to type \"{1}\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.",
                        baseValue.GetType(), Type));
                }
                return LanguagePrimitives.ConvertTo(result, Type, CultureInfo.InvariantCulture);
            }
            catch (PSInvalidCastException error)
            {
                throw new ArgumentTransformationMetadataException(error.Message, error);
            }
        }

        private static bool IsNumericOrBool(Type type)
        {
            switch (Type.GetTypeCode(type))
            {
                case TypeCode.SByte:
                case TypeCode.Byte:
                case TypeCode.Int16:
                case TypeCode.UInt16:
                case TypeCode.Int32:
                case TypeCode.UInt32:
                case TypeCode.Int64:
                case TypeCode.UInt64:
                case TypeCode.Single:
                case TypeCode.Double:
                case TypeCode.Decimal:
                case TypeCode.Boolean:
                    return true;
                default:
                    return type == typeof(SwitchParameter) || type == typeof(bool?);
            }
        }
    }
}
