// Runs PowerShell route script blocks on the server's callback threads.
//
// Model: every callback thread of a server (the engine's callback pool: -MinRunspaces threads kept warm, growing up to
// -MaxRunspaces while routes are busy) lazily creates ONE runspace of its own, opened with
// PSThreadOptions.UseCurrentThread and the server's KrRouteHost, from an InitialSessionState that imports the module and
// the user's modules and carries the user's variables and functions plus one function per route (__KrRoute_<n>, parsed
// once per runspace). A request reuses that runspace: set $Context, run the route, clear. A script block is therefore
// never run on a thread without its own runspace, and the request commands find the request through
// KrRequestContext.Current (a thread-static set by the dispatcher).
// A route runs as its function's script block, invoked directly on that thread (no PowerShell pipeline around it: the
// pipeline machinery of PowerShell.Invoke costs about 10 µs a request); its errors arrive in KrRouteErrors, its
// warning / verbose / debug / information output at the host, which logs it. A route with -Timeout (stopped with
// PowerShell.BeginStop from the engine's cancel thread when its timeout elapses; the runspace stays and serves the next
// request), one that binds -Arguments as parameters or uses [CmdletBinding()], and every route of a runspace where the
// errors cannot be collected that way, run through a PowerShell instance built once per route and runspace instead.
// When the engine releases an idle thread (or stops), the thread disposes its own runspace right before it exits
// (KrCallbackThreads.Exiting).
using System.Collections;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace KestrunRust
{
    /// <summary>The handler of a route defined by a PowerShell script block (Add-KrMapRoute).</summary>
    public sealed class KrScriptRoute : IKrRouteHandler
    {
        private static int _nextId;

        public KrScriptRoute(ScriptBlock scriptBlock, IDictionary arguments)
        {
            if (scriptBlock == null)
            {
                throw new ArgumentNullException(nameof(scriptBlock));
            }
            Id = Interlocked.Increment(ref _nextId);
            FunctionName = "__KrRoute_" + Id;
            ScriptText = scriptBlock.ToString();
            Arguments = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            if (arguments != null)
            {
                foreach (DictionaryEntry entry in arguments)
                {
                    string key = Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture);
                    if (string.IsNullOrWhiteSpace(key))
                    {
                        throw new ArgumentException("The keys of -Arguments must be non-empty names.", nameof(arguments));
                    }
                    Arguments[key] = entry.Value;
                }
            }
            ParameterNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var ast = scriptBlock.Ast as ScriptBlockAst;
            if (ast != null && ast.ParamBlock != null)
            {
                foreach (ParameterAst p in ast.ParamBlock.Parameters)
                {
                    ParameterNames.Add(p.Name.VariablePath.UserPath);
                }
            }
            foreach (string key in Arguments.Keys)
            {
                if (ParameterNames.Contains(key))
                {
                    BindsParameters = true;
                }
                else
                {
                    HasVariableArguments = true;
                }
            }
        }

        public int Id { get; }

        /// <summary>The name of the function the route runs as in each runspace.</summary>
        public string FunctionName { get; }

        /// <summary>The body of the script block.</summary>
        public string ScriptText { get; }

        /// <summary>-Arguments: passed as parameters when the script block declares them in param(), else set as variables.</summary>
        public IDictionary<string, object> Arguments { get; }

        public ISet<string> ParameterNames { get; }

        /// <summary>True when some -Arguments are not parameters of the script block (set as variables per request).</summary>
        public bool HasVariableArguments { get; }

        /// <summary>True when some -Arguments are parameters of the script block (bound by name on every call).</summary>
        public bool BindsParameters { get; }

        public int Invoke(KrRequestContext context)
        {
            KrRunspaceHost host = context.Route.Server.ScriptHost as KrRunspaceHost;
            if (host == null)
            {
                KrLog.TryWrite(KrLogLevel.Error, "Kestrun.Rust: route " + context.Route + " has no PowerShell host: start the server with Start-KrServer.");
                return 1;
            }
            return host.Invoke(this, context);
        }
    }

    /// <summary>One runspace per callback thread; created when the thread serves its first request.</summary>
    public sealed class KrRunspaceHost : IDisposable
    {
        [ThreadStatic]
        private static Slot t_slot;

        [ThreadStatic]
        private static bool t_openingRunspace;

        private readonly object _issGate = new object();
        private readonly InitialSessionState _iss;
        private readonly KrRouteHost _host = new KrRouteHost();
        private int _reportedPipelineOnly;
        /// <summary>The open runspaces; whoever removes a slot (its thread at exit, or Dispose) disposes it.</summary>
        private readonly ConcurrentDictionary<Slot, byte> _slots = new ConcurrentDictionary<Slot, byte>();
        private readonly string _serverName;
        private int _disposed;
        private long _requests;
        private long _failures;
        private long _opened;
        private long _released;
        private long _timedOut;

        static KrRunspaceHost()
        {
            KrCallbackThreads.Exiting += ReleaseThreadRunspace;
        }

        /// <summary>What route runspaces import to get the module: its manifest when there is one (staged module or
        /// repository root), else Kestrun.Rust.psm1. Set by Kestrun.Rust.psm1 when it is imported.</summary>
        public static string ModuleImportPath { get; set; }

        /// <param name="server">The server whose routes (KrScriptRoute) and shared variables / functions are used.</param>
        /// <param name="modulePath">The module to import in every runspace (its .psd1 or .psm1); null for none.</param>
        public KrRunspaceHost(KrServer server, string modulePath)
        {
            if (server == null)
            {
                throw new ArgumentNullException(nameof(server));
            }
            _serverName = server.Name;
            ModulePath = modulePath;

            InitialSessionState iss = InitialSessionState.CreateDefault();
            iss.ThreadOptions = PSThreadOptions.UseCurrentThread;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            }
            // Kestrun.Rust first, then the modules the user's script imported (captured by KrScriptCapture), in
            // the order they were imported.
            var modules = new List<string>();
            if (!string.IsNullOrEmpty(modulePath))
            {
                modules.Add(modulePath);
            }
            KrScriptState shared = KrScriptState.For(server);
            foreach (string module in shared.Modules)
            {
                if (!string.IsNullOrEmpty(module) && !modules.Contains(module, StringComparer.OrdinalIgnoreCase))
                {
                    modules.Add(module);
                }
            }
            if (modules.Count > 0)
            {
                iss.ImportPSModule(modules.ToArray());
            }
            foreach (KeyValuePair<string, object> variable in shared.Variables)
            {
                iss.Variables.Add(new SessionStateVariableEntry(variable.Key, variable.Value, "Shared by Kestrun.Rust"));
            }
            foreach (KeyValuePair<string, string> function in shared.Functions)
            {
                iss.Commands.Add(new SessionStateFunctionEntry(function.Key, function.Value));
            }
            foreach (KrRoute route in server.Routes)
            {
                var script = route.Handler as KrScriptRoute;
                if (script != null)
                {
                    iss.Commands.Add(new SessionStateFunctionEntry(script.FunctionName, script.ScriptText));
                }
            }
            _iss = iss;
        }

        /// <summary>True on a thread that is opening a route runspace (the module's import code can tell
        /// it runs inside a route runspace).</summary>
        public static bool InRouteRunspace
        {
            get { return t_slot != null || t_openingRunspace; }
        }

        public string ModulePath { get; }

        /// <summary>Runspaces open now (one per live callback thread that served a request).</summary>
        public int RunspaceCount
        {
            get { return _slots.Count; }
        }

        /// <summary>Runspaces opened since the server started.</summary>
        public long RunspacesOpened
        {
            get { return Interlocked.Read(ref _opened); }
        }

        /// <summary>Runspaces disposed by their thread when the engine released it (or at stop).</summary>
        public long RunspacesReleased
        {
            get { return Interlocked.Read(ref _released); }
        }

        /// <summary>Route scripts stopped because their -Timeout elapsed.</summary>
        public long TimedOut
        {
            get { return Interlocked.Read(ref _timedOut); }
        }

        public long Requests
        {
            get { return Interlocked.Read(ref _requests); }
        }

        public long Failures
        {
            get { return Interlocked.Read(ref _failures); }
        }

        public bool IsDisposed
        {
            get { return Volatile.Read(ref _disposed) != 0; }
        }

        internal int Invoke(KrScriptRoute route, KrRequestContext context)
        {
            if (IsDisposed)
            {
                KrLog.TryWrite(KrLogLevel.Error, "Kestrun.Rust: request for " + context.Route + " after the server's runspaces were released.");
                return 1;
            }
            Interlocked.Increment(ref _requests);
            Slot slot = t_slot;
            if (slot == null || !ReferenceEquals(slot.Host, this))
            {
                try
                {
                    slot = OpenSlot();
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref _failures);
                    KrLog.TryWrite(KrLogLevel.Error, "Kestrun.Rust: could not open a runspace for server '" + _serverName + "': " + Describe(ex));
                    return 1;
                }
                t_slot = slot;
            }

            CancellationToken token = context.CancellationToken;
            ScriptBlock direct = token.CanBeCanceled ? null : slot.DirectScriptFor(route);
            List<string> routeVariables = null;
            try
            {
                slot.Context.Value = context;
                if (route.HasVariableArguments)
                {
                    SessionStateProxy state = slot.Runspace.SessionStateProxy;
                    foreach (KeyValuePair<string, object> argument in route.Arguments)
                    {
                        if (!route.ParameterNames.Contains(argument.Key))
                        {
                            state.SetVariable(argument.Key, argument.Value);
                            (routeVariables ??= new List<string>()).Add(argument.Key);
                        }
                    }
                }
                return direct != null ? InvokeDirect(slot, direct, context) : InvokePipeline(slot, route, context, token);
            }
            catch (Exception ex)
            {
                return Failed(context, " " + Describe(ex));
            }
            finally
            {
                try
                {
                    slot.Context.Value = null;
                    if (routeVariables != null)
                    {
                        foreach (string name in routeVariables)
                        {
                            slot.Runspace.SessionStateProxy.PSVariable.Remove(name);
                        }
                    }
                }
                catch (Exception)
                {
                    // The runspace is broken: drop it so the next request of this thread opens a new one.
                    t_slot = null;
                }
            }
        }

        /// <summary>The usual way: the route's script block run right here, on the thread that owns the runspace, as
        /// a script block (no pipeline around it). Its errors arrive in the slot's collector, its other streams at the
        /// host (KrRouteHost).</summary>
        private int InvokeDirect(Slot slot, ScriptBlock script, KrRequestContext context)
        {
            Runspace.DefaultRunspace = slot.Runspace;
            try
            {
                script.InvokeReturnAsIs();
            }
            catch (ExitException)
            {
                // `exit` ends the route (as it ends a script), not the server.
            }
            catch (LoopFlowException)
            {
                // `break` / `continue` outside a loop end the route, as they end a pipeline.
            }
            catch (RuntimeException ex)
            {
                if (slot.Errors.Count > 0)
                {
                    slot.Errors.Take();
                }
                return Failed(context, " " + Describe(ex.ErrorRecord));
            }
            return slot.Errors.Count == 0 ? 0 : FailOnErrors(context, slot.Errors.Take());
        }

        /// <summary>A route with -Timeout, or one that binds -Arguments as parameters or uses [CmdletBinding()]: run
        /// through its PowerShell instance (built once per runspace), which the timeout can stop.</summary>
        private int InvokePipeline(Slot slot, KrScriptRoute route, KrRequestContext context, CancellationToken token)
        {
            PowerShell ps = slot.PowerShellFor(route);
            // A route with -Timeout: the engine cancels the context's token when it elapses (from a thread of its own),
            // and the registration stops the pipeline. Disposing the registration waits for a stop call in progress.
            IAsyncResult stopping = null;
            CancellationTokenRegistration registration = default;
            if (token.CanBeCanceled)
            {
                registration = token.Register(() =>
                {
                    try
                    {
                        Volatile.Write(ref stopping, ps.BeginStop(null, null));
                    }
                    catch (Exception)
                    {
                        // Not running (any more): nothing to stop.
                    }
                });
            }
            try
            {
                if (token.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }
                ps.Invoke();
                if (token.IsCancellationRequested)
                {
                    // Finished as the timeout elapsed: the client got 504 already; nothing it wrote is sent.
                    throw new PipelineStoppedException();
                }
                return FailOnErrors(context, ps.Streams.Error);
            }
            catch (PipelineStoppedException) when (token.IsCancellationRequested)
            {
                Interlocked.Increment(ref _timedOut);
                KrLog.TryWrite(KrLogLevel.Warning, "Route " + context.Route + " (" + SafeRequestLine(context) + ") was stopped: its timeout of " +
                    DescribeTimeout(context.Route.Timeout) + " elapsed (the client got 504).");
                return 1;
            }
            catch (RuntimeException ex)
            {
                return Failed(context, " " + Describe(ex.ErrorRecord));
            }
            finally
            {
                registration.Dispose();
                IAsyncResult stop = Volatile.Read(ref stopping);
                if (stop != null)
                {
                    // The pipeline has returned; complete the stop so the PowerShell instance is reusable.
                    try
                    {
                        ps.EndStop(stop);
                    }
                    catch (Exception)
                    {
                    }
                }
                // The host logged the informational streams as they were written; the buffers only need emptying.
                PSDataStreams streams = ps.Streams;
                if (streams.Error.Count + streams.Information.Count + streams.Warning.Count + streams.Verbose.Count + streams.Debug.Count > 0)
                {
                    streams.ClearStreams();
                }
            }
        }

        /// <summary>Errors written to the error stream fail the route (Write-Error, a failing command); errors silenced
        /// with -ErrorAction SilentlyContinue / Ignore never reach the stream and do not.</summary>
        private int FailOnErrors(KrRequestContext context, IEnumerable<ErrorRecord> errors)
        {
            StringBuilder detail = null;
            foreach (ErrorRecord error in errors)
            {
                (detail ??= new StringBuilder()).Append(Environment.NewLine).Append(Describe(error));
            }
            return detail == null ? 0 : Failed(context, detail.ToString());
        }

        /// <summary>Counts and logs a failed route: "Route R failed (GET /path):" followed by <paramref name="detail"/>;
        /// returns the callback's failure status.</summary>
        private int Failed(KrRequestContext context, string detail)
        {
            Interlocked.Increment(ref _failures);
            KrLog.TryWrite(KrLogLevel.Error, "Route " + context.Route + " failed (" + SafeRequestLine(context) + "):" + detail);
            return 1;
        }

        private Slot OpenSlot()
        {
            InitialSessionState iss;
            lock (_issGate)
            {
                iss = _iss.Clone();
            }
            t_openingRunspace = true;
            try
            {
                Runspace runspace = RunspaceFactory.CreateRunspace(_host, iss);
                runspace.ThreadOptions = PSThreadOptions.UseCurrentThread;
                runspace.Open();
                var context = new PSVariable("Context", null, ScopedItemOptions.None);
                runspace.SessionStateProxy.PSVariable.Set(context);
                KrRouteErrors errors = KrRouteErrors.TryAttach(runspace, out string why);
                if (errors == null && Interlocked.Exchange(ref _reportedPipelineOnly, 1) == 0)
                {
                    KrLog.TryWrite(KrLogLevel.Debug, "Kestrun.Rust: routes of server '" + _serverName + "' run through PowerShell.Invoke (" + why + ").");
                }
                var slot = new Slot(this, runspace, context, errors);
                _slots.TryAdd(slot, 0);
                Interlocked.Increment(ref _opened);
                return slot;
            }
            finally
            {
                t_openingRunspace = false;
            }
        }

        /// <summary>Releases every runspace. Called once the server stopped (its callback threads are joined).</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            var slots = new List<Slot>();
            foreach (Slot candidate in _slots.Keys)
            {
                if (_slots.TryRemove(candidate, out _))
                {
                    slots.Add(candidate);
                }
            }
            if (slots.Count == 0)
            {
                return;
            }
            // The runspaces were opened on threads that are gone now; close them off the caller's thread so a
            // slow close never delays Stop-KrServer.
            Task.Run(() =>
            {
                foreach (Slot s in slots)
                {
                    s.DisposePowerShells();
                    try
                    {
                        s.Runspace.Dispose();
                    }
                    catch (Exception)
                    {
                    }
                }
            });
        }

        /// <summary>KrCallbackThreads.Exiting: the engine ends this callback thread (released after being idle, or at
        /// stop); the thread disposes the runspace it opened, on itself (the thread the runspace belongs to).</summary>
        private static void ReleaseThreadRunspace(KrServer server)
        {
            Slot slot = t_slot;
            t_slot = null;
            if (slot == null || !slot.Host._slots.TryRemove(slot, out _))
            {
                return;
            }
            Interlocked.Increment(ref slot.Host._released);
            slot.DisposePowerShells();
            try
            {
                slot.Runspace.Dispose();
            }
            catch (Exception ex)
            {
                KrLog.TryWrite(KrLogLevel.Debug, "Kestrun.Rust: disposing the runspace of an ending callback thread failed: " + ex.Message);
            }
        }

        private static string DescribeTimeout(TimeSpan? timeout)
        {
            if (!timeout.HasValue)
            {
                return "?";
            }
            TimeSpan t = timeout.Value;
            return t.TotalSeconds >= 1 ? t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s"
                : t.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " ms";
        }

        private static string SafeRequestLine(KrRequestContext context)
        {
            try
            {
                return context.Method + " " + context.Path;
            }
            catch (Exception)
            {
                return "request";
            }
        }

        private static string Describe(ErrorRecord error)
        {
            if (error == null)
            {
                return "unknown error";
            }
            var text = new StringBuilder(error.ToString());
            if (error.InvocationInfo != null && !string.IsNullOrEmpty(error.InvocationInfo.PositionMessage))
            {
                text.Append(Environment.NewLine).Append(error.InvocationInfo.PositionMessage);
            }
            if (!string.IsNullOrEmpty(error.ScriptStackTrace))
            {
                text.Append(Environment.NewLine).Append(error.ScriptStackTrace);
            }
            return text.ToString();
        }

        private static string Describe(Exception ex)
        {
            var rex = ex as RuntimeException;
            if (rex != null && rex.ErrorRecord != null)
            {
                return Describe(rex.ErrorRecord);
            }
            return ex.ToString();
        }

        private sealed class Slot(KrRunspaceHost host, Runspace runspace, PSVariable context, KrRouteErrors errors)
        {
            private readonly Dictionary<KrScriptRoute, PowerShell> _powerShells = new Dictionary<KrScriptRoute, PowerShell>();
            private readonly Dictionary<KrScriptRoute, ScriptBlock> _scripts = new Dictionary<KrScriptRoute, ScriptBlock>();

            internal KrRunspaceHost Host { get; } = host;
            internal Runspace Runspace { get; } = runspace;

            /// <summary>$Context of this runspace (the global variable; its value is the current request).</summary>
            internal PSVariable Context { get; } = context;

            /// <summary>Where the errors of routes run directly arrive; null when this runspace runs them all through
            /// PowerShell.Invoke.</summary>
            internal KrRouteErrors Errors { get; } = errors;

            /// <summary>The script block of <paramref name="route"/>'s function in this runspace, to run directly; null
            /// when the route must run through PowerShell.Invoke: it binds -Arguments as parameters (named binding) or
            /// is an advanced script block ([CmdletBinding()] / [Parameter()]), or errors cannot be collected here.</summary>
            internal ScriptBlock DirectScriptFor(KrScriptRoute route)
            {
                if (!_scripts.TryGetValue(route, out ScriptBlock script))
                {
                    script = null;
                    if (Errors != null && !route.BindsParameters &&
                        Runspace.SessionStateProxy.InvokeCommand.GetCommand(route.FunctionName, CommandTypes.Function) is FunctionInfo function &&
                        !function.CmdletBinding)
                    {
                        script = function.ScriptBlock;
                    }
                    _scripts.Add(route, script);
                }
                return script;
            }

            /// <summary>The PowerShell instance that runs <paramref name="route"/> in this runspace, made on first use.</summary>
            internal PowerShell PowerShellFor(KrScriptRoute route)
            {
                if (!_powerShells.TryGetValue(route, out PowerShell ps))
                {
                    ps = PowerShell.Create();
                    ps.Runspace = Runspace;
                    ps.AddCommand(route.FunctionName);
                    foreach (KeyValuePair<string, object> argument in route.Arguments)
                    {
                        if (route.ParameterNames.Contains(argument.Key))
                        {
                            ps.AddParameter(argument.Key, argument.Value);
                        }
                    }
                    _powerShells.Add(route, ps);
                }
                return ps;
            }

            internal void DisposePowerShells()
            {
                foreach (PowerShell ps in _powerShells.Values)
                {
                    try
                    {
                        ps.Dispose();
                    }
                    catch (Exception)
                    {
                    }
                }
                Errors?.Dispose();
            }
        }
    }
}
