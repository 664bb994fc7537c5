// The base of the commands that configure or drive a server (Server, Route and Session areas): the server they act
// on is -Name where the command has it, else -Server, else the current one (the last created by New-KrServer); the
// command's step runs on it, a failure becomes the command's terminating error (its error id; the target is the
// command's own, else the server, else the name), and -PassThru writes the server afterwards.

namespace KestrunRust.Cmdlets
{
    /// <summary>A command acting on one server.</summary>
    public abstract class KrServerCmdlet : KrCmdlet
    {
        private readonly string _errorId;

        /// <param name="errorId">The error id of the command's errors.</param>
        protected KrServerCmdlet(string errorId)
        {
            _errorId = errorId;
        }

        /// <summary>The server given to the command (-Server; null: the current one).</summary>
        protected KrServer GivenServer { get; set; }

        /// <summary>The name of the server, for the commands that take -Name (null otherwise).</summary>
        protected virtual string ServerName => null;

        /// <summary>Whether the server is written after the step (-PassThru).</summary>
        protected virtual bool ReturnsServer => false;

        /// <summary>The target of the command's error records (null: the server, else the name).</summary>
        protected virtual object ErrorTarget => null;

        /// <summary>The command's work on the resolved server.</summary>
        protected abstract void Run(KrServer server);

        /// <summary>What follows a successful <see cref="Run"/>: the server is written with -PassThru.</summary>
        protected virtual void Completed(KrServer server)
        {
            if (ReturnsServer)
            {
                WriteObject(server);
            }
        }

        protected override void ProcessRecord()
        {
            KrServer server = null;
            try
            {
                server = string.IsNullOrEmpty(ServerName) ? Resolve(GivenServer) : Resolve(ServerName);
                Run(server);
            }
            catch (Exception error) when (IsFailure(error))
            {
                ThrowFailure(error, _errorId, ErrorTarget ?? (object)server ?? (object)GivenServer ?? ServerName);
                return;
            }
            Completed(server);
        }

        /// <summary>The server given, else the current one; an error when there is none or it was removed.</summary>
        public static KrServer Resolve(KrServer given)
        {
            KrServer server = given ?? KrServerManager.Current;
            if (server == null)
            {
                throw new InvalidOperationException("There is no Kestrun.Rust server: create one with New-KrServer first (or pass -Server).");
            }
            return NotRemoved(server);
        }

        /// <summary>The server named <paramref name="name"/>; a KeyNotFoundException (ObjectNotFound) when there is none.</summary>
        public static KrServer Resolve(string name)
        {
            KrServer server = KrServerManager.Get(name);
            if (server == null)
            {
                throw new KeyNotFoundException("There is no Kestrun.Rust server named '" + name + "'.");
            }
            return NotRemoved(server);
        }

        private static KrServer NotRemoved(KrServer server)
        {
            if (server.State == KrServerState.Freed)
            {
                throw new InvalidOperationException("The server '" + server.Name + "' was removed; create a new one with New-KrServer.");
            }
            return server;
        }
    }

    /// <summary>A command configuring a server: -Server (from the pipeline; default the current server) and -PassThru.</summary>
    public abstract class KrServerConfigCmdlet : KrServerCmdlet
    {
        protected KrServerConfigCmdlet(string errorId) : base(errorId)
        {
        }

        /// <summary>The server (default: the current one).</summary>
        [Parameter(ValueFromPipeline = true), KrScriptType(typeof(KrServer))]
        public KrServer Server { get => GivenServer; set => GivenServer = value; }

        /// <summary>Return the server.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter PassThru { get; set; }

        protected override bool ReturnsServer => PassThru.IsPresent;
    }

    /// <summary>A server configuration command whose -Server is its first positional parameter, as in the script
    /// command it replaces (whose parameters all took positions in order): Enable-KrConfiguration, Set-KrServerLimit,
    /// Set-KrServerOptions, Start-KrServer, Add-KrSession. Its own positional parameters start at 1.</summary>
    public abstract class KrPositionalServerCmdlet : KrServerConfigCmdlet
    {
        protected KrPositionalServerCmdlet(string errorId) : base(errorId)
        {
        }

        /// <summary>The server (default: the current one).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true), KrScriptType(typeof(KrServer))]
        public new KrServer Server { get => GivenServer; set => GivenServer = value; }
    }

    /// <summary>A command on a server given (parameter set Server) or named (parameter set Name): Stop-KrServer,
    /// Remove-KrServer.</summary>
    public abstract class KrNamedServerCmdlet : KrServerCmdlet
    {
        protected KrNamedServerCmdlet(string errorId) : base(errorId)
        {
        }

        /// <summary>The server (default: the current one).</summary>
        [Parameter(ParameterSetName = "Server", ValueFromPipeline = true), KrScriptType(typeof(KrServer))]
        public KrServer Server { get => GivenServer; set => GivenServer = value; }

        /// <summary>The name of the server (instead of -Server).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Name"), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Name { get; set; }

        protected override string ServerName => Name;
    }
}
