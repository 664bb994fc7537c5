// The server commands: New-KrServer, Get-KrServer, Add-KrEndpoint, Enable-KrConfiguration, Set-KrServerLimit,
// Set-KrServerOptions, Start-KrServer, Stop-KrServer and Remove-KrServer. Each is one step on the server the base
// resolves (KrServerCmdlet: -Name, else -Server, else the current server); their errors carry the error id of the
// command (KrAddEndpointFailed, ...) and the server (or the command's own target) as target.
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace KestrunRust.Cmdlets
{
    /// <summary>New-KrServer: creates a server and makes it the current one; a server of the same name is replaced
    /// when it is not running (or with -Force).</summary>
    [Cmdlet(VerbsCommon.New, "KrServer"), OutputType(typeof(KrServer))]
    public sealed class NewKrServerCommand : KrCmdlet
    {
        /// <summary>The name of the server.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Name { get; set; }

        /// <summary>Return the server object.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Replace a running server of the same name (it is stopped first).</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            KrServer server = RunStep("KrNewServerFailed", Name, () => KrServerManager.Create(Name, Force.IsPresent));
            WriteVerbose("Created Kestrun.Rust server '" + Name + "'.");
            if (PassThru.IsPresent)
            {
                WriteObject(server);
            }
        }
    }

    /// <summary>Get-KrServer: the current server, the one named -Name, or -All; a missing server is a
    /// non-terminating error.</summary>
    [Cmdlet(VerbsCommon.Get, "KrServer", DefaultParameterSetName = "Current"), OutputType(typeof(KrServer))]
    public sealed class GetKrServerCommand : KrCmdlet
    {
        /// <summary>The name of the server.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name"), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Name { get; set; }

        /// <summary>Return every server.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "All"), KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter All { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case "All":
                    WriteObject(KrServerManager.GetAll(), true);
                    break;
                case "Name":
                    KrServer named;
                    try
                    {
                        named = KrServerCmdlet.Resolve(Name);
                    }
                    catch (Exception error) when (IsFailure(error))
                    {
                        WriteError(KrErrorRecords.For(error, "KrServerNotFound", Name));
                        return;
                    }
                    WriteObject(named);
                    break;
                default:
                    KrServer current = KrServerManager.Current;
                    if (current == null)
                    {
                        WriteError(new ErrorRecord(
                            new InvalidOperationException("There is no current Kestrun.Rust server: create one with New-KrServer."),
                            "KrNoCurrentServer", ErrorCategory.ObjectNotFound, null));
                        return;
                    }
                    WriteObject(current);
                    break;
            }
        }
    }

    /// <summary>Add-KrEndpoint: an HTTP endpoint, or HTTPS with a generated (-SelfSignedCert) or PEM certificate, on
    /// each address of -IPAddress / -HostName (default 127.0.0.1).</summary>
    [Cmdlet(VerbsCommon.Add, "KrEndpoint", DefaultParameterSetName = NoCertSet), OutputType(typeof(KrServer))]
    public sealed class AddKrEndpointCommand : KrServerConfigCmdlet
    {
        private const string NoCertSet = "NoCert";
        private const string SelfSignedSet = "SelfSignedCert";
        private const string CertFileSet = "CertFile";

        public AddKrEndpointCommand() : base("KrAddEndpointFailed")
        {
        }

        /// <summary>The TCP port, 0..65535 (0 = any free port).</summary>
        [Parameter, ValidateRange(0, 65535), KrScriptType(typeof(int))]
        public int Port { get; set; }

        /// <summary>The address to listen on.</summary>
        [Parameter, ValidateNotNull, KrScriptType(typeof(IPAddress))]
        public IPAddress IPAddress { get; set; }

        /// <summary>A host name to listen on (each of its addresses).</summary>
        [Parameter, ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string HostName { get; set; }

        /// <summary>Serve HTTPS with a generated self-signed certificate.</summary>
        [Parameter(Mandatory = true, ParameterSetName = SelfSignedSet), KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter SelfSignedCert { get; set; }

        /// <summary>Path of a PEM certificate (chain) file.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CertFileSet), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string CertPath { get; set; }

        /// <summary>Path of the PEM private key matching -CertPath.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CertFileSet), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string KeyPath { get; set; }

        /// <summary>The HTTP versions served.</summary>
        [Parameter, KrScriptType(typeof(KrHttpProtocols))]
        public KrHttpProtocols Protocols { get; set; } = KrHttpProtocols.Http1AndHttp2;

        protected override object ErrorTarget => Port;

        protected override void Run(KrServer server)
        {
            List<string> addresses = Addresses();
            string certFile = null;
            string keyFile = null;
            if (ParameterSetName == CertFileSet)
            {
                certFile = GetUnresolvedProviderPathFromPSPath(CertPath);
                keyFile = GetUnresolvedProviderPathFromPSPath(KeyPath);
                if (!File.Exists(certFile))
                {
                    throw new FileNotFoundException("The certificate file '" + certFile + "' does not exist.", certFile);
                }
                if (!File.Exists(keyFile))
                {
                    throw new FileNotFoundException("The private key file '" + keyFile + "' does not exist.", keyFile);
                }
            }
            if (ParameterSetName == NoCertSet && IsBound(nameof(Protocols)) && Protocols == KrHttpProtocols.Http1AndHttp2)
            {
                // Kestrel's note for the same configuration.
                WriteWarning("HTTP/2 is not enabled for port " + Port + ": the endpoint is configured for HTTP/1.1 and HTTP/2, but TLS is not enabled. HTTP/2 requires TLS application protocol negotiation. Connections to this endpoint will use HTTP/1.1.");
            }
            foreach (string address in addresses)
            {
                KrEndpoint endpoint;
                switch (ParameterSetName)
                {
                    case SelfSignedSet:
                        endpoint = server.AddEndpointSelfSigned(address, Port);
                        break;
                    case CertFileSet:
                        endpoint = server.AddEndpointPem(address, Port, certFile, keyFile);
                        break;
                    default:
                        endpoint = server.AddEndpointHttp(address, Port);
                        break;
                }
                if (Protocols != KrHttpProtocols.Http1AndHttp2)
                {
                    endpoint.Protocols = Protocols;
                }
                WriteVerbose("Server '" + server.Name + "': endpoint " + endpoint.Scheme + "://" + address + ":" + Port + " (" + Protocols + ") added.");
            }
        }

        // The addresses to listen on: -HostName's (localhost as such, an IP literal, or what the name resolves to),
        // else -IPAddress, else the loopback address.
        private List<string> Addresses()
        {
            if (IsBound(nameof(IPAddress)) && IsBound(nameof(HostName)))
            {
                throw new ArgumentException("Specify either -IPAddress or -HostName, not both.");
            }
            var addresses = new List<string>();
            if (!IsBound(nameof(HostName)))
            {
                addresses.Add((IsBound(nameof(IPAddress)) ? IPAddress : IPAddress.Loopback).ToString());
                return addresses;
            }
            if (string.Equals(HostName, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                addresses.Add("localhost");
                return addresses;
            }
            if (IPAddress.TryParse(HostName, out IPAddress literal))
            {
                addresses.Add(literal.ToString());
                return addresses;
            }
            IPAddress[] resolved;
            try
            {
                resolved = Dns.GetHostAddresses(HostName);
            }
            catch (Exception error) when (error is SocketException || error is ArgumentException)
            {
                throw new ArgumentException("The host name '" + HostName + "' could not be resolved: " + error.Message, error);
            }
            foreach (IPAddress address in resolved)
            {
                string text = address.ToString();
                if ((address.AddressFamily == AddressFamily.InterNetwork || address.AddressFamily == AddressFamily.InterNetworkV6) &&
                    !addresses.Contains(text))
                {
                    addresses.Add(text);
                }
            }
            if (addresses.Count == 0)
            {
                throw new ArgumentException("The host name '" + HostName + "' has no IPv4 or IPv6 address.");
            }
            return addresses;
        }
    }

    /// <summary>Enable-KrConfiguration: marks the configuration complete and captures the caller's variables,
    /// functions and modules for the route runspaces (KrScriptCapture).</summary>
    [Cmdlet(VerbsLifecycle.Enable, "KrConfiguration"), OutputType(typeof(KrServer))]
    public sealed class EnableKrConfigurationCommand : KrPositionalServerCmdlet
    {
        public EnableKrConfigurationCommand() : base("KrEnableConfigurationFailed")
        {
        }

        /// <summary>Wildcard patterns of variable names not to share with the routes.</summary>
        [Parameter(Position = 1), KrScriptType(typeof(string[]))]
        public string[] ExcludeVariables { get; set; }

        /// <summary>Wildcard patterns of function names not to share with the routes.</summary>
        [Parameter(Position = 2), KrScriptType(typeof(string[]))]
        public string[] ExcludeFunctions { get; set; }

        /// <summary>Wildcard patterns of module names not to import in the route runspaces.</summary>
        [Parameter(Position = 3), KrScriptType(typeof(string[]))]
        public string[] ExcludeModules { get; set; }

        /// <summary>Do not write the confirmation message.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter Quiet { get; set; }

        protected override void Run(KrServer server)
        {
            KrScriptCapture.Update(server, this, ExcludeVariables, ExcludeFunctions, ExcludeModules, true);
            server.ConfigurationEnabled = true;
            if (!Quiet.IsPresent)
            {
                KrScriptState state = KrScriptState.For(server);
                WriteVerbose(string.Format(CultureInfo.CurrentCulture,
                    "Server '{0}': configuration enabled ({1} variables, {2} functions, {3} modules shared with the routes).",
                    server.Name, state.Variables.Count, state.Functions.Count, state.Modules.Count));
            }
        }
    }

    /// <summary>Set-KrServerLimit: request header limits (431 beyond them), TLS handshake timeout and concurrency;
    /// a limit not given is kept.</summary>
    [Cmdlet(VerbsCommon.Set, "KrServerLimit"), OutputType(typeof(KrServer))]
    public sealed class SetKrServerLimitCommand : KrPositionalServerCmdlet
    {
        public SetKrServerLimitCommand() : base("KrSetServerLimitFailed")
        {
        }

        /// <summary>Most request headers, 1..96.</summary>
        [Parameter(Position = 1), ValidateRange(1, 96), KrScriptType(typeof(int))]
        public int MaxRequestHeaderCount { get; set; }

        /// <summary>Most bytes of request header names and values together, 1024..131072.</summary>
        [Parameter(Position = 2), ValidateRange(1024, 131072), KrScriptType(typeof(int))]
        public int MaxRequestHeadersTotalSize { get; set; }

        /// <summary>Seconds to complete the TLS handshake, 1..300.</summary>
        [Parameter(Position = 3), ValidateRange(1, 300), KrScriptType(typeof(int))]
        public int TlsHandshakeTimeout { get; set; }

        /// <summary>TLS handshakes computing at the same time, 1..65536.</summary>
        [Parameter(Position = 4), ValidateRange(1, 65536), KrScriptType(typeof(int))]
        public int MaxConcurrentTlsHandshakes { get; set; }

        protected override void Run(KrServer server)
        {
            uint count = IsBound(nameof(MaxRequestHeaderCount)) ? (uint)MaxRequestHeaderCount : 0;
            uint size = IsBound(nameof(MaxRequestHeadersTotalSize)) ? (uint)MaxRequestHeadersTotalSize : 0;
            if (count != 0 || size != 0)
            {
                server.SetRequestHeaderLimits(count, size);
            }
            if (IsBound(nameof(TlsHandshakeTimeout)))
            {
                server.SetTlsHandshakeTimeoutMs((uint)TlsHandshakeTimeout * 1000);
            }
            if (IsBound(nameof(MaxConcurrentTlsHandshakes)))
            {
                server.SetMaxConcurrentTlsHandshakes((uint)MaxConcurrentTlsHandshakes);
            }
        }
    }

    /// <summary>Set-KrServerOptions: runspaces (callback threads), request queue wait, body size and shutdown
    /// timeout; an option not given is kept.</summary>
    [Cmdlet(VerbsCommon.Set, "KrServerOptions"), OutputType(typeof(KrServer))]
    public sealed class SetKrServerOptionsCommand : KrPositionalServerCmdlet
    {
        public SetKrServerOptionsCommand() : base("KrSetServerOptionsFailed")
        {
        }

        /// <summary>Most callback threads / runspaces at a time, 1..1024.</summary>
        [Parameter(Position = 1), ValidateRange(1, 1024), KrScriptType(typeof(int))]
        public int MaxRunspaces { get; set; }

        /// <summary>Callback threads started with the server and kept, 1..1024.</summary>
        [Parameter(Position = 2), ValidateRange(1, 1024), KrScriptType(typeof(int))]
        public int MinRunspaces { get; set; }

        /// <summary>How long runspaces above the minimum may go unused: seconds or a TimeSpan, at most 24 hours.</summary>
        [Parameter(Position = 3), KrSecondsOrTimeSpan, KrValidateTimeSpan("The runspace idle timeout '{0}' must be more than zero and at most 24 hours.", MaxSeconds = 24 * 3600)]
        public TimeSpan RunspaceIdleTimeout { get; set; }

        /// <summary>Seconds a request may wait for a free runspace before 503, 1..3600.</summary>
        [Parameter(Position = 4), ValidateRange(1, 3600), KrScriptType(typeof(int))]
        public int RequestQueueTimeout { get; set; }

        /// <summary>Largest accepted request body in bytes; larger bodies get 413.</summary>
        [Parameter(Position = 5), KrValidatePositive, KrScriptType(typeof(long))]
        public long MaxRequestBodySize { get; set; }

        /// <summary>Seconds a graceful stop lets in-flight requests finish, 0..3600.</summary>
        [Parameter(Position = 6), ValidateRange(0, 3600), KrScriptType(typeof(int))]
        public int ShutdownTimeout { get; set; }

        protected override void Run(KrServer server)
        {
            if (IsBound(nameof(MaxRunspaces)) || IsBound(nameof(MinRunspaces)))
            {
                server.SetCallbackThreadLimits(IsBound(nameof(MinRunspaces)) ? MinRunspaces : (int?)null,
                    IsBound(nameof(MaxRunspaces)) ? MaxRunspaces : (int?)null);
            }
            if (IsBound(nameof(RunspaceIdleTimeout)))
            {
                server.SetCallbackIdleTimeoutMs((uint)Math.Max(1, Math.Ceiling(RunspaceIdleTimeout.TotalMilliseconds)));
            }
            if (IsBound(nameof(RequestQueueTimeout)))
            {
                server.SetCallbackWaitMs((uint)RequestQueueTimeout * 1000);
            }
            if (IsBound(nameof(MaxRequestBodySize)))
            {
                server.SetMaxBodyBytes((ulong)MaxRequestBodySize);
            }
            if (IsBound(nameof(ShutdownTimeout)))
            {
                server.SetShutdownTimeoutMs((uint)ShutdownTimeout * 1000);
            }
        }
    }

    /// <summary>Start-KrServer: captures what the script defined since Enable-KrConfiguration, prepares the route
    /// runspaces and starts serving; unless -NoWait, then serves until Ctrl+C or Stop-KrServer and removes the server.</summary>
    [Cmdlet(VerbsLifecycle.Start, "KrServer"), OutputType(typeof(KrServer))]
    public sealed class StartKrServerCommand : KrPositionalServerCmdlet
    {
        private readonly ManualResetEventSlim _stopping = new ManualResetEventSlim();

        public StartKrServerCommand() : base("KrStartServerFailed")
        {
        }

        /// <summary>Return as soon as the server is listening.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter NoWait { get; set; }

        /// <summary>Do not write the listening URLs and the stop messages to the host.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Close the log sinks when the server stops (without -NoWait).</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter CloseLogsOnExit { get; set; }

        protected override void Run(KrServer server)
        {
            try
            {
                if (server.IsRunning)
                {
                    throw new InvalidOperationException("The server '" + server.Name + "' is already running.");
                }
                if (server.Endpoints.Count == 0)
                {
                    throw new InvalidOperationException("The server '" + server.Name + "' has no endpoint: add one with Add-KrEndpoint.");
                }
                KrScriptCapture.Update(server, this, null, null, null, false);
                server.ScriptHost = new KrRunspaceHost(server, KrRunspaceHost.ModuleImportPath);
                server.Start();
            }
            catch
            {
                if (server.State != KrServerState.Freed && !server.IsRunning)
                {
                    server.ScriptHost = null;
                }
                throw;
            }
        }

        protected override void Completed(KrServer server)
        {
            string name = server.Name;
            if (!Quiet.IsPresent)
            {
                WriteHost("Kestrun.Rust server '" + name + "' started.");
                foreach (string url in server.GetUrls())
                {
                    WriteHost("Listening on " + url);
                }
            }
            if (NoWait.IsPresent)
            {
                base.Completed(server);
                return;
            }
            if (!Quiet.IsPresent)
            {
                WriteHost("Press Ctrl+C to stop the server.");
            }
            try
            {
                // Ctrl+C (StopProcessing) ends the wait; the server is then stopped and removed below.
                while (server.State == KrServerState.Running && server.IsRunning && !_stopping.Wait(200))
                {
                }
            }
            finally
            {
                Exception stopError = null;
                try
                {
                    server.Dispose();
                }
                catch (Exception error)
                {
                    stopError = error;
                }
                if (CloseLogsOnExit.IsPresent)
                {
                    try
                    {
                        KrLoggerManager.CloseAll();
                    }
                    catch (Exception error) when (IsFailure(error))
                    {
                        // Closing the logs is best effort, as the server's own stop.
                    }
                }
                if (!Quiet.IsPresent)
                {
                    WriteHost("Kestrun.Rust server '" + name + "' stopped.");
                }
                if (stopError != null)
                {
                    Exception shown = KrErrorRecords.For(stopError, "KrStopServerFailed", null).Exception;
                    WriteWarningLine(shown is KrException ? shown.Message : "Stopping the server '" + name + "' failed: " + shown.Message);
                }
            }
        }

        protected override void StopProcessing()
        {
            _stopping.Set();
        }

        // Write-Host's way (the information stream, tagged PSHOST, shown by the host); once Ctrl+C stops the pipeline
        // the streams refuse writes, and the stop messages go to the host directly.
        private void WriteHost(string line)
        {
            if (Stopping)
            {
                Host.UI.WriteLine(line);
                return;
            }
            WriteInformation(new HostInformationMessage { Message = line }, new[] { "PSHOST" });
        }

        private void WriteWarningLine(string message)
        {
            if (Stopping)
            {
                Host.UI.WriteWarningLine(message);
                return;
            }
            WriteWarning(message);
        }
    }

    /// <summary>Stop-KrServer: stops a running server gracefully (-Timeout seconds for in-flight requests); it can
    /// be started again.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "KrServer", DefaultParameterSetName = "Server"), OutputType(typeof(KrServer))]
    public sealed class StopKrServerCommand : KrNamedServerCmdlet
    {
        public StopKrServerCommand() : base("KrStopServerFailed")
        {
        }

        /// <summary>Seconds in-flight requests may take to finish, 0..3600 (default: the server's shutdown timeout).</summary>
        [Parameter, ValidateRange(0, 3600), KrScriptType(typeof(int))]
        public int Timeout { get; set; }

        /// <summary>Return the server.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter PassThru { get; set; }

        protected override bool ReturnsServer => PassThru.IsPresent;

        protected override void Run(KrServer server)
        {
            server.Stop(IsBound(nameof(Timeout)) ? (uint)Timeout * 1000 : (uint?)null);
            WriteVerbose("Server '" + server.Name + "' stopped.");
        }
    }

    /// <summary>Remove-KrServer: frees a server (a running one only with -Force, stopped first).</summary>
    [Cmdlet(VerbsCommon.Remove, "KrServer", DefaultParameterSetName = "Server")]
    public sealed class RemoveKrServerCommand : KrNamedServerCmdlet
    {
        public RemoveKrServerCommand() : base("KrRemoveServerFailed")
        {
        }

        /// <summary>Remove the server even if it is running.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter Force { get; set; }

        protected override void Run(KrServer server)
        {
            if (server.IsRunning && !Force.IsPresent)
            {
                throw new InvalidOperationException("The server '" + server.Name + "' is running: stop it first (Stop-KrServer) or use -Force.");
            }
            server.Dispose();
            WriteVerbose("Server '" + server.Name + "' removed.");
        }
    }
}
