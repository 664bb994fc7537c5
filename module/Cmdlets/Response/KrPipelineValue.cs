// How the script versions of the response commands saw their input, for the compiled ones: a value added to a
// List[object] from PowerShell (a .NET method argument of type object) loses its PSObject wrapper unless it is a
// PSCustomObject, and @($InputObject) enumerates what the pipeline enumerates (arrays and other collections, not
// strings nor dictionaries).
using System.Collections;

namespace KestrunRust.Cmdlets
{
    internal static class KrPipelineValue
    {
        /// <summary><paramref name="value"/> as a .NET method of PowerShell receives it as an object argument: the
        /// base object of a PSObject, except for a PSCustomObject (whose properties are the PSObject's).</summary>
        internal static object AsMethodArgument(object value)
        {
            if (value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject))
            {
                return wrapped.BaseObject;
            }
            return value;
        }

        /// <summary>Adds the items of @(<paramref name="value"/>) to <paramref name="items"/>, each as
        /// <see cref="AsMethodArgument"/> gives it: the elements of a collection, else the value itself ($null too).</summary>
        internal static void AddEnumerated(List<object> items, object value)
        {
            IEnumerator enumerator = value == null ? null : LanguagePrimitives.GetEnumerator(value);
            if (enumerator == null)
            {
                items.Add(AsMethodArgument(value));
                return;
            }
            while (enumerator.MoveNext())
            {
                items.Add(AsMethodArgument(enumerator.Current));
            }
        }
    }
}
