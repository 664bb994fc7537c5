// Add-KrMapRoute: maps verbs and a path pattern to a PowerShell script block, run for each matching request in a
// route runspace of the server's callback threads (KrScriptRoute, KrRunspaceHost); its errors are KrAddRouteFailed
// with the pattern as target.
using System.Collections;

namespace KestrunRust.Cmdlets
{
    /// <summary>Add-KrMapRoute: one route of the server, with an optional timeout (504 and the script stopped).</summary>
    [Cmdlet(VerbsCommon.Add, "KrMapRoute"), OutputType(typeof(KrServer))]
    public sealed class AddKrMapRouteCommand : KrServerConfigCmdlet
    {
        public AddKrMapRouteCommand() : base("KrAddRouteFailed")
        {
        }

        /// <summary>The HTTP verbs the route answers.</summary>
        [Parameter, Alias("Method"), ValidateNotNullOrEmpty, KrScriptType(typeof(KrHttpVerb[]))]
        public KrHttpVerb[] Verbs { get; set; } = { KrHttpVerb.Get };

        /// <summary>The path pattern, starting with '/'.</summary>
        [Parameter, Alias("Path"), ValidatePattern("^/"), KrScriptType(typeof(string))]
        public string Pattern { get; set; } = "/";

        /// <summary>The script block run for each request.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNull, KrScriptType(typeof(ScriptBlock))]
        public ScriptBlock ScriptBlock { get; set; }

        /// <summary>Values handed to the script block on each request.</summary>
        [Parameter, KrScriptType(typeof(Hashtable))]
        public Hashtable Arguments { get; set; }

        /// <summary>Longest time a request of this route may take: seconds or a TimeSpan, at most 24 hours.</summary>
        [Parameter, KrSecondsOrTimeSpan, KrValidateTimeSpan("The timeout '{0}' must be more than zero and at most 24 hours.", MaxSeconds = 24 * 3600)]
        public TimeSpan Timeout { get; set; }

        protected override object ErrorTarget => Pattern;

        protected override void Run(KrServer server)
        {
            var verbs = new List<string>();
            foreach (KrHttpVerb verb in Verbs)
            {
                string text = verb.ToString().ToUpperInvariant();
                if (!verbs.Contains(text))
                {
                    verbs.Add(text);
                }
            }
            var handler = new KrScriptRoute(ScriptBlock, Arguments);
            KrRoute route = server.AddRoute(string.Join(",", verbs), Pattern, handler, IsBound(nameof(Timeout)) ? Timeout : (TimeSpan?)null);
            WriteVerbose("Server '" + server.Name + "': route " + route + " mapped.");
        }
    }
}
