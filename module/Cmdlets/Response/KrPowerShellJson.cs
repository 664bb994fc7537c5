// The JSON of Write-KrJsonResponse: PowerShell's own serializer, the one ConvertTo-Json runs
// (Microsoft.PowerShell.Commands.JsonObject.ConvertToJson(object, in JsonObject.ConvertToJsonContext), in
// Microsoft.PowerShell.Commands.Utility, which PowerShell Standard does not reference), called directly instead of
// running the command: the same bytes, without a pipeline. It is bound once, by reflection, to a compiled delegate.
// ConvertTo-Json passes itself as the context's cmdlet: JsonObject writes the "Resulting JSON is truncated" warning
// through it and stops with a terminating error on a dictionary key that is not a string. Here a stand-in cmdlet
// (KrJsonCmdletProxy) forwards the warning to the calling cmdlet and throws that error's exception, so the caller
// reports it as its own (KrWriteJsonResponseFailed), as the script function did.
using System.Linq;
using System.Linq.Expressions;
using System.Management.Automation.Host;
using System.Reflection;
using System.Threading;

namespace KestrunRust.Cmdlets
{
    /// <summary>ConvertTo-Json without the command: JsonObject.ConvertToJson through a delegate bound once.</summary>
    internal static class KrPowerShellJson
    {
        /// <summary>(value, depth, compress, cmdlet, cancellation) => JsonObject.ConvertToJson(value, new
        /// ConvertToJsonContext(depth, enumsAsStrings: false, compress, StringEscapeHandling.Default, cmdlet,
        /// cancellation)).</summary>
        internal delegate string ConvertDelegate(object value, int depth, bool compress, PSCmdlet cmdlet, CancellationToken cancellation);

        private static readonly Lazy<ConvertDelegate> s_convert = new Lazy<ConvertDelegate>(Bind, LazyThreadSafetyMode.ExecutionAndPublication);

        [ThreadStatic]
        private static KrJsonCmdletProxy t_proxy;

        /// <summary>What ConvertTo-Json -InputObject <paramref name="value"/> -Depth <paramref name="depth"/>
        /// [-Compress] writes; null when <paramref name="cancellation"/> stopped it. Warnings go to
        /// <paramref name="owner"/>; an error of the serializer is thrown as its exception.</summary>
        internal static string Convert(object value, int depth, bool compress, Cmdlet owner, CancellationToken cancellation)
        {
            ConvertDelegate convert = s_convert.Value;
            KrJsonCmdletProxy proxy = t_proxy ??= new KrJsonCmdletProxy();
            Cmdlet previous = proxy.Runtime.Owner;
            proxy.Runtime.Owner = owner;
            try
            {
                return convert(value, depth, compress, proxy, cancellation);
            }
            finally
            {
                proxy.Runtime.Owner = previous;
            }
        }

        /// <summary>The bound delegate (binds on first use); exposed for the tests and the measurements.</summary>
        internal static ConvertDelegate Delegate
        {
            get { return s_convert.Value; }
        }

        private static ConvertDelegate Bind()
        {
            const string AssemblyName = "Microsoft.PowerShell.Commands.Utility";
            const string TypeName = "Microsoft.PowerShell.Commands.JsonObject";
            Assembly utility = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == AssemblyName)
                ?? Assembly.Load(new AssemblyName(AssemblyName));
            Type jsonObject = utility.GetType(TypeName, throwOnError: true);
            Type contextType = jsonObject.GetNestedType("ConvertToJsonContext", BindingFlags.Public)
                ?? throw Missing(TypeName + "+ConvertToJsonContext");
            MethodInfo method = jsonObject.GetMethod(
                "ConvertToJson", BindingFlags.Public | BindingFlags.Static, null,
                new[] { typeof(object), contextType.MakeByRefType() }, null)
                ?? throw Missing(TypeName + ".ConvertToJson(object, in ConvertToJsonContext)");

            ParameterExpression value = Expression.Parameter(typeof(object), "value");
            ParameterExpression depth = Expression.Parameter(typeof(int), "depth");
            ParameterExpression compress = Expression.Parameter(typeof(bool), "compress");
            ParameterExpression cmdlet = Expression.Parameter(typeof(PSCmdlet), "cmdlet");
            ParameterExpression cancellation = Expression.Parameter(typeof(CancellationToken), "cancellation");

            // The constructor with the cmdlet and the cancellation token (PowerShell 7.0 to 7.6:
            // (int maxDepth, bool enumsAsStrings, bool compressOutput, StringEscapeHandling stringEscapeHandling,
            // PSCmdlet targetCmdlet, CancellationToken cancellationToken)); its arguments are matched by name, so
            // another order binds too.
            Expression[] arguments = null;
            ConstructorInfo constructor = null;
            foreach (ConstructorInfo candidate in contextType.GetConstructors().OrderByDescending(c => c.GetParameters().Length))
            {
                ParameterInfo[] parameters = candidate.GetParameters();
                var mapped = new Expression[parameters.Length];
                bool ok = true;
                for (int i = 0; i < parameters.Length && ok; i++)
                {
                    ParameterInfo p = parameters[i];
                    Expression argument = null;
                    switch (p.Name)
                    {
                        case "maxDepth": argument = depth; break;
                        case "enumsAsStrings": argument = Expression.Constant(false); break;
                        case "compressOutput": argument = compress; break;
                        // StringEscapeHandling.Default (0), ConvertTo-Json's default -EscapeHandling.
                        case "stringEscapeHandling": argument = Expression.Convert(Expression.Constant(0), p.ParameterType); break;
                        case "targetCmdlet": argument = cmdlet; break;
                        case "cancellationToken": argument = cancellation; break;
                    }
                    ok = argument != null && p.ParameterType.IsAssignableFrom(argument.Type);
                    mapped[i] = argument;
                }
                if (ok)
                {
                    constructor = candidate;
                    arguments = mapped;
                    break;
                }
            }
            if (constructor == null)
            {
                throw Missing(TypeName + "+ConvertToJsonContext(maxDepth, enumsAsStrings, compressOutput, ...)");
            }

            // { var context = new ConvertToJsonContext(...); return JsonObject.ConvertToJson(value, in context); }
            ParameterExpression context = Expression.Variable(contextType, "context");
            Expression body = Expression.Block(
                typeof(string),
                new[] { context },
                Expression.Assign(context, Expression.New(constructor, arguments)),
                Expression.Call(method, value, context));
            return Expression.Lambda<ConvertDelegate>(body, value, depth, compress, cmdlet, cancellation).Compile();
        }

        private static Exception Missing(string what)
        {
            return new NotSupportedException(
                "Write-KrJsonResponse needs " + what + " of this PowerShell (" + typeof(PSObject).Assembly.GetName().Version +
                "), which was not found.");
        }
    }

    /// <summary>The cmdlet JsonObject.ConvertToJson reports to: warnings go to the calling cmdlet, a terminating error
    /// is thrown as its exception (the pipeline is not stopped, the caller wraps it).</summary>
    internal sealed class KrJsonCmdletProxy : PSCmdlet
    {
        internal KrJsonCmdletProxy()
        {
            Runtime = new KrJsonCommandRuntime();
            CommandRuntime = Runtime;
        }

        internal KrJsonCommandRuntime Runtime { get; }
    }

    /// <summary>The command runtime of <see cref="KrJsonCmdletProxy"/>: only warnings and terminating errors happen.</summary>
    internal sealed class KrJsonCommandRuntime : ICommandRuntime
    {
        /// <summary>The cmdlet serializing right now (warnings are written through it).</summary>
        internal Cmdlet Owner { get; set; }

        public PSHost Host
        {
            get { return Owner?.CommandRuntime?.Host; }
        }

        public void WriteWarning(string text)
        {
            Owner?.WriteWarning(text);
        }

        public void WriteVerbose(string text)
        {
            Owner?.WriteVerbose(text);
        }

        public void WriteDebug(string text)
        {
            Owner?.WriteDebug(text);
        }

        public void ThrowTerminatingError(ErrorRecord errorRecord)
        {
            throw errorRecord?.Exception ?? new InvalidOperationException(errorRecord?.ToString() ?? "JSON serialization failed.");
        }

        public void WriteError(ErrorRecord errorRecord)
        {
            Owner?.WriteError(errorRecord);
        }

        public void WriteObject(object sendToPipeline) => throw new NotSupportedException();

        public void WriteObject(object sendToPipeline, bool enumerateCollection) => throw new NotSupportedException();

        public void WriteProgress(ProgressRecord progressRecord)
        {
        }

        public void WriteProgress(long sourceId, ProgressRecord progressRecord)
        {
        }

        public void WriteCommandDetail(string text)
        {
        }

        public bool ShouldProcess(string target) => true;

        public bool ShouldProcess(string target, string action) => true;

        public bool ShouldProcess(string verboseDescription, string verboseWarning, string caption) => true;

        public bool ShouldProcess(string verboseDescription, string verboseWarning, string caption, out ShouldProcessReason shouldProcessReason)
        {
            shouldProcessReason = ShouldProcessReason.None;
            return true;
        }

        public bool ShouldContinue(string query, string caption) => true;

        public bool ShouldContinue(string query, string caption, ref bool yesToAll, ref bool noToAll) => true;

        public bool TransactionAvailable() => false;

        public PSTransactionContext CurrentPSTransaction
        {
            get { return null; }
        }
    }
}
