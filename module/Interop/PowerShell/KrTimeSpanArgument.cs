// [KestrunRust.KrSecondsOrTimeSpan()]: lets a [TimeSpan] parameter take seconds too (Add-KrMapRoute -Timeout 5,
// -Timeout 2.5, -Timeout '00:00:30', -Timeout ([TimeSpan]::FromMinutes(1))). PowerShell's own conversion would
// read a number as ticks ([TimeSpan]5 is 5 ticks), which is never what a timeout in a script means.

namespace KestrunRust
{
    /// <summary>Converts a number (or a string holding one) to that many seconds; a TimeSpan, or a string in TimeSpan
    /// format ('00:01:30'), is kept as such.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class KrSecondsOrTimeSpanAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case null:
                    return null;
                case TimeSpan span:
                    return span;
                case byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal:
                    return Seconds(Convert.ToDouble(value, CultureInfo.InvariantCulture), value);
                case string text:
                    string trimmed = text.Trim();
                    if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
                    {
                        return Seconds(seconds, value);
                    }
                    if (TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out TimeSpan parsed))
                    {
                        return parsed;
                    }
                    break;
            }
            throw new ArgumentTransformationMetadataException(
                "Cannot convert '" + value + "' to a time span: give seconds (5, 2.5) or a TimeSpan ('00:00:30', [TimeSpan]::FromMinutes(1)).");
        }

        private static TimeSpan Seconds(double seconds, object value)
        {
            if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > TimeSpan.MaxValue.TotalSeconds)
            {
                throw new ArgumentTransformationMetadataException("Cannot convert '" + value + "' seconds to a time span.");
            }
            return TimeSpan.FromSeconds(seconds);
        }
    }
}
