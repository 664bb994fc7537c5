// Get-KrRequestQuery / -Header / -Cookie / -RouteParam and their base: one named value of the current request,
// $null when absent (or "Missing required <source> '<name>'." with -ThrowIfMissing), converted as the parameter set
// says (-AsInt / -AsBool / -AsDouble / -AsString). A value that does not convert is an error naming it and its
// value, never a silent $null. Errors carry the error id KrGetRequest<Kind>Failed and the name as target.

namespace KestrunRust.Cmdlets
{
    /// <summary>A getter of one named value of the current request (query parameter, header, cookie, route parameter).</summary>
    public abstract class KrRequestValueCmdlet : KrRouteCmdlet
    {
        /// <summary>The parameter set without a conversion (the value is returned as a string).</summary>
        protected const string DefaultSet = "Default";

        private static readonly object s_true = true;
        private static readonly object s_false = false;

        private readonly string _source;
        private readonly string _errorId;

        /// <param name="source">What the value is, for messages: "query parameter", "header", "cookie", "route parameter".</param>
        /// <param name="errorId">The error id of the command's errors (KrGetRequest&lt;Kind&gt;Failed).</param>
        protected KrRequestValueCmdlet(string source, string errorId)
        {
            _source = source;
            _errorId = errorId;
        }

        /// <summary>The name of the value.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Name { get; set; }

        /// <summary>Convert the value to an integer.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Int"), KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter AsInt { get; set; }

        /// <summary>Convert the value to a boolean (true/false, 1/0, yes/no, on/off).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Bool"), Alias("AsBoolean"), KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter AsBool { get; set; }

        /// <summary>Convert the value to a double (invariant culture).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Double"), KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter AsDouble { get; set; }

        /// <summary>Return the value as a string (the default).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "String"), KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter AsString { get; set; }

        /// <summary>Fail when the value is absent instead of returning $null.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter ThrowIfMissing { get; set; }

        /// <summary>The value <paramref name="name"/> of the request, or null when it is absent.</summary>
        protected abstract string Read(KrRequestContext context, string name);

        protected override void ProcessRecord()
        {
            string name = Name;
            object result;
            try
            {
                string value = Read(RequireContext(), name);
                if (value == null)
                {
                    if (ThrowIfMissing.IsPresent)
                    {
                        throw new KeyNotFoundException("Missing required " + _source + " '" + name + "'.");
                    }
                    result = null;
                }
                else
                {
                    result = Convert(value, name);
                }
            }
            catch (Exception error)
            {
                ThrowFailure(error, _errorId, name);
                return;
            }
            // $null when absent, as the script command's `return $null` wrote it.
            WriteObject(result);
        }

        // The conversion is chosen by the parameter set (as the script command did), so -AsInt:$false converts too.
        private object Convert(string value, string name)
        {
            switch (ParameterSetName)
            {
                case "Int":
                    if (int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int integer))
                    {
                        return integer;
                    }
                    throw new FormatException("The " + _source + " '" + name + "' is '" + value + "', which is not an integer.");
                case "Double":
                    if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                    {
                        return number;
                    }
                    throw new FormatException("The " + _source + " '" + name + "' is '" + value + "', which is not a number.");
                case "Bool":
                    // Compared as PowerShell's -in compares strings: invariant culture, ignoring case.
                    string text = value.Trim().ToLowerInvariant();
                    if (Is(text, "true") || Is(text, "1") || Is(text, "yes") || Is(text, "on"))
                    {
                        return s_true;
                    }
                    if (Is(text, "false") || Is(text, "0") || Is(text, "no") || Is(text, "off") || Is(text, string.Empty))
                    {
                        return s_false;
                    }
                    throw new FormatException("The " + _source + " '" + name + "' is '" + value + "', which is not a boolean (true/false, 1/0, yes/no, on/off).");
                default:
                    return value;
            }
        }

        private static bool Is(string text, string word)
        {
            return CultureInfo.InvariantCulture.CompareInfo.Compare(text, word, CompareOptions.IgnoreCase) == 0;
        }
    }

    /// <summary>Get-KrRequestQuery: the (percent-decoded) first value of query parameter -Name, or $null.</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestQuery", DefaultParameterSetName = DefaultSet), OutputType(typeof(string), typeof(int), typeof(bool), typeof(double))]
    public sealed class GetKrRequestQueryCommand : KrRequestValueCmdlet
    {
        public GetKrRequestQueryCommand() : base("query parameter", "KrGetRequestQueryFailed")
        {
        }

        protected override string Read(KrRequestContext context, string name)
        {
            return context.GetQuery(name);
        }
    }

    /// <summary>Get-KrRequestHeader: the value of request header -Name (case-insensitive; repeated headers joined with ", "), or $null.</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestHeader", DefaultParameterSetName = DefaultSet), OutputType(typeof(string), typeof(int), typeof(bool), typeof(double))]
    public sealed class GetKrRequestHeaderCommand : KrRequestValueCmdlet
    {
        public GetKrRequestHeaderCommand() : base("header", "KrGetRequestHeaderFailed")
        {
        }

        protected override string Read(KrRequestContext context, string name)
        {
            return context.GetHeader(name);
        }
    }

    /// <summary>Get-KrRequestCookie: the value of the request cookie -Name, or $null.</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestCookie", DefaultParameterSetName = DefaultSet), OutputType(typeof(string), typeof(int), typeof(bool), typeof(double))]
    public sealed class GetKrRequestCookieCommand : KrRequestValueCmdlet
    {
        public GetKrRequestCookieCommand() : base("cookie", "KrGetRequestCookieFailed")
        {
        }

        protected override string Read(KrRequestContext context, string name)
        {
            return context.GetCookie(name);
        }
    }

    /// <summary>Get-KrRequestRouteParam: the value of route parameter -Name (a {name} segment of the route's pattern), or $null.</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestRouteParam", DefaultParameterSetName = DefaultSet), OutputType(typeof(string), typeof(int), typeof(bool), typeof(double))]
    public sealed class GetKrRequestRouteParamCommand : KrRequestValueCmdlet
    {
        public GetKrRequestRouteParamCommand() : base("route parameter", "KrGetRequestRouteParamFailed")
        {
        }

        protected override string Read(KrRequestContext context, string name)
        {
            return context.GetRouteParam(name);
        }
    }
}
