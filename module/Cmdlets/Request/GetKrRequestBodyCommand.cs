// Get-KrRequestBody: the body of the current request, parsed by its Content-Type: application/json and
// application/*+json into a hashtable (as ConvertFrom-Json -AsHashtable), application/x-www-form-urlencoded into a
// hashtable of decoded fields (repeated fields become arrays), anything else as UTF-8 text. -Raw returns the text,
// -AsBytes the bytes (one byte[]). An empty body gives $null; a body that does not parse is an error (InvalidData).
using System.Collections;
using System.Net;
using System.Reflection;

namespace KestrunRust.Cmdlets
{
    /// <summary>Get-KrRequestBody: the body of the current request (parsed, -Raw text or -AsBytes).</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestBody", DefaultParameterSetName = "Parsed"), OutputType(typeof(Hashtable), typeof(string), typeof(byte[]))]
    public sealed class GetKrRequestBodyCommand : KrRouteCmdlet
    {
        // ConvertFrom-Json's parser (Microsoft.PowerShell.Commands.JsonObject, public in every PowerShell 7), bound
        // once per process; ConvertFrom-Json's default -Depth is 1024.
        private delegate object ConvertFromJsonFn(string input, bool returnHashtable, int? maxDepth, out ErrorRecord error);

        private const int JsonMaxDepth = 1024;
        private static readonly ConvertFromJsonFn s_convertFromJson = BindConvertFromJson();

        /// <summary>Return the body text without parsing it.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Raw"), KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter Raw { get; set; }

        /// <summary>Return the body as a byte[].</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Bytes"), KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter AsBytes { get; set; }

        protected override void ProcessRecord()
        {
            object result;
            bool enumerate = false;
            try
            {
                KrRequestContext context = RequireContext();
                if (AsBytes.IsPresent)
                {
                    result = context.GetBody();
                }
                else
                {
                    string text = context.GetBodyText();
                    if (Raw.IsPresent || string.IsNullOrEmpty(text))
                    {
                        // -Raw: the text as is; otherwise an empty body is $null.
                        result = Raw.IsPresent ? text : null;
                    }
                    else
                    {
                        string mediaType = MediaType(context.GetHeader("Content-Type"));
                        if (EqualsAsPowerShell(mediaType, "application/json") || IsJsonSuffixType(mediaType))
                        {
                            // ConvertFrom-Json writes a JSON array one element at a time: so does this command.
                            result = ParseJson(text);
                            enumerate = true;
                        }
                        else if (EqualsAsPowerShell(mediaType, "application/x-www-form-urlencoded"))
                        {
                            result = ParseForm(text);
                        }
                        else
                        {
                            result = text;
                        }
                    }
                }
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrGetRequestBodyFailed", null);
                return;
            }
            // A byte[] is one object (enumerate is false), not one pipeline object per byte.
            WriteObject(result, enumerate);
        }

        // The media type of a Content-Type value: before the first ';', trimmed, lower case ('' when there is none).
        private static string MediaType(string contentType)
        {
            if (contentType == null)
            {
                return string.Empty;
            }
            int semicolon = contentType.IndexOf(';');
            string mediaType = semicolon < 0 ? contentType : contentType.Substring(0, semicolon);
            return mediaType.Trim().ToLowerInvariant();
        }

        // PowerShell's -eq on strings: invariant culture, ignoring case.
        private static bool EqualsAsPowerShell(string text, string value)
        {
            return CultureInfo.InvariantCulture.CompareInfo.Compare(text, value, CompareOptions.IgnoreCase) == 0;
        }

        // -like 'application/*+json' on a lower-case media type.
        private static bool IsJsonSuffixType(string mediaType)
        {
            const string prefix = "application/";
            const string suffix = "+json";
            return mediaType.Length >= prefix.Length + suffix.Length &&
                   mediaType.StartsWith(prefix, StringComparison.Ordinal) &&
                   mediaType.EndsWith(suffix, StringComparison.Ordinal);
        }

        private static object ParseJson(string text)
        {
            if (s_convertFromJson == null)
            {
                throw new InvalidOperationException("Parsing a JSON request body needs ConvertFrom-Json's parser (Microsoft.PowerShell.Commands.JsonObject), which this PowerShell host does not have.");
            }
            object result;
            ErrorRecord error;
            try
            {
                result = s_convertFromJson(text, true, JsonMaxDepth, out error);
            }
            catch (Exception failure)
            {
                throw new FormatException("The request body is not valid JSON: " + failure.Message);
            }
            if (error != null)
            {
                throw new FormatException("The request body is not valid JSON: " + error.Exception.Message);
            }
            return result;
        }

        // Fields are split on '&' and the first '=' (a field without '=' has the value ''), then decoded by
        // WebUtility.UrlDecode: '+' is a space, %XX are UTF-8 bytes (an invalid sequence becomes U+FFFD). The
        // hashtable compares keys as PowerShell's @{} does (ordinal, ignoring case); a repeated field becomes an
        // object[] of its values.
        private static Hashtable ParseForm(string text)
        {
            var form = new Hashtable(StringComparer.OrdinalIgnoreCase);
            int start = 0;
            while (start < text.Length)
            {
                int end = text.IndexOf('&', start);
                if (end < 0)
                {
                    end = text.Length;
                }
                if (end > start)
                {
                    int equals = text.IndexOf('=', start, end - start);
                    string key;
                    string value;
                    if (equals < 0)
                    {
                        key = WebUtility.UrlDecode(text.Substring(start, end - start));
                        value = string.Empty;
                    }
                    else
                    {
                        key = WebUtility.UrlDecode(text.Substring(start, equals - start));
                        value = WebUtility.UrlDecode(text.Substring(equals + 1, end - equals - 1));
                    }
                    object existing = form[key];
                    if (existing == null)
                    {
                        form[key] = value;
                    }
                    else if (existing is object[] values)
                    {
                        var more = new object[values.Length + 1];
                        Array.Copy(values, more, values.Length);
                        more[values.Length] = value;
                        form[key] = more;
                    }
                    else
                    {
                        form[key] = new object[] { existing, value };
                    }
                }
                start = end + 1;
            }
            return form;
        }

        private static ConvertFromJsonFn BindConvertFromJson()
        {
            Type jsonObject = Type.GetType("Microsoft.PowerShell.Commands.JsonObject, Microsoft.PowerShell.Commands.Utility", false);
            MethodInfo method = jsonObject?.GetMethod(
                "ConvertFromJson",
                BindingFlags.Public | BindingFlags.Static,
                null,
                new[] { typeof(string), typeof(bool), typeof(int?), typeof(ErrorRecord).MakeByRefType() },
                null);
            if (method == null || method.ReturnType != typeof(object))
            {
                return null;
            }
            return (ConvertFromJsonFn)Delegate.CreateDelegate(typeof(ConvertFromJsonFn), method, false);
        }
    }
}
