// The logging commands: New-KrLogger, Set-KrLoggerLevel, Add-KrSinkConsole, Add-KrSinkFile, Register-KrLogger,
// Write-KrLog and Close-KrLogger. A logger configuration (KrLoggerConfig) travels down the pipeline and is applied to
// the engine's one logging pipeline by Register-KrLogger; each step's failure is the command's error
// (KrSetLoggerLevelFailed, KrAddConsoleSinkFailed, ...).

namespace KestrunRust.Cmdlets
{
    /// <summary>A step on the logger configuration received from the pipeline.</summary>
    public abstract class KrLoggerConfigCmdlet : KrCmdlet
    {
        /// <summary>The logger configuration (from New-KrLogger).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true), KrScriptType(typeof(KrLoggerConfig))]
        public KrLoggerConfig LoggerConfig { get; set; }
    }

    /// <summary>New-KrLogger: an empty logger configuration (Information, no sinks).</summary>
    [Cmdlet(VerbsCommon.New, "KrLogger"), OutputType(typeof(KrLoggerConfig))]
    public sealed class NewKrLoggerCommand : KrCmdlet
    {
        protected override void ProcessRecord()
        {
            WriteObject(new KrLoggerConfig());
        }
    }

    /// <summary>Set-KrLoggerLevel: sets the minimum level and passes the configuration on.</summary>
    [Cmdlet(VerbsCommon.Set, "KrLoggerLevel"), OutputType(typeof(KrLoggerConfig))]
    public sealed class SetKrLoggerLevelCommand : KrLoggerConfigCmdlet
    {
        /// <summary>The minimum level.</summary>
        [Parameter(Mandatory = true, Position = 0), Alias("Level"), KrScriptType(typeof(KrLogLevel))]
        public KrLogLevel Value { get; set; }

        protected override void ProcessRecord()
        {
            RunStep("KrSetLoggerLevelFailed", Value, () => { LoggerConfig.MinimumLevel = Value; });
            WriteObject(LoggerConfig);
        }
    }

    /// <summary>Add-KrSinkConsole: adds a console sink (template checked now) and passes the configuration on.</summary>
    [Cmdlet(VerbsCommon.Add, "KrSinkConsole"), OutputType(typeof(KrLoggerConfig))]
    public sealed class AddKrSinkConsoleCommand : KrLoggerConfigCmdlet
    {
        /// <summary>The logger configuration (from New-KrLogger).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true), KrScriptType(typeof(KrLoggerConfig))]
        public new KrLoggerConfig LoggerConfig { get => base.LoggerConfig; set => base.LoggerConfig = value; }

        /// <summary>The Serilog output template of the lines.</summary>
        [Parameter(Position = 1), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string OutputTemplate { get; set; } = KrLogSink.DefaultConsoleTemplate;

        /// <summary>The sink's own minimum level.</summary>
        [Parameter(Position = 2), KrScriptType(typeof(KrLogLevel))]
        public KrLogLevel RestrictedToMinimumLevel { get; set; } = KrLogLevel.Verbose;

        protected override void ProcessRecord()
        {
            WriteObject(RunStep("KrAddConsoleSinkFailed", OutputTemplate, () => LoggerConfig.AddConsoleSink(OutputTemplate, RestrictedToMinimumLevel)));
        }
    }

    /// <summary>Add-KrSinkFile: adds a file sink (path resolved against the current location now) and passes the
    /// configuration on.</summary>
    [Cmdlet(VerbsCommon.Add, "KrSinkFile"), OutputType(typeof(KrLoggerConfig))]
    public sealed class AddKrSinkFileCommand : KrLoggerConfigCmdlet
    {
        /// <summary>The log file, or the pattern of the rolled files' names.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Path { get; set; }

        /// <summary>The Serilog output template of the lines.</summary>
        [Parameter, ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string OutputTemplate { get; set; } = KrLogSink.DefaultFileTemplate;

        /// <summary>Infinite, Day, Hour or Minute.</summary>
        [Parameter, KrScriptType(typeof(KrRollingInterval))]
        public KrRollingInterval RollingInterval { get; set; } = KrRollingInterval.Infinite;

        /// <summary>How many rolled files to keep ($null: all).</summary>
        [Parameter, KrScriptType(typeof(int?))]
        public int? RetainedFileCountLimit { get; set; } = 31;

        /// <summary>The sink's own minimum level.</summary>
        [Parameter, KrScriptType(typeof(KrLogLevel))]
        public KrLogLevel RestrictedToMinimumLevel { get; set; } = KrLogLevel.Verbose;

        protected override void ProcessRecord()
        {
            WriteObject(RunStep("KrAddFileSinkFailed", Path, () => LoggerConfig.AddFileSink(
                GetUnresolvedProviderPathFromPSPath(Path), OutputTemplate, RollingInterval, RetainedFileCountLimit, RestrictedToMinimumLevel)));
        }
    }

    /// <summary>Register-KrLogger: registers the configuration under -Name and applies it to the native pipeline
    /// (with -SetAsDefault, or when it is the first or replaces the default logger).</summary>
    [Cmdlet(VerbsLifecycle.Register, "KrLogger"), OutputType(typeof(KrLogger))]
    public sealed class RegisterKrLoggerCommand : KrLoggerConfigCmdlet
    {
        /// <summary>The name of the logger.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Name { get; set; }

        /// <summary>Make this logger the one the engine uses.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter SetAsDefault { get; set; }

        /// <summary>Return the registered logger.</summary>
        [Parameter, KrScriptType(typeof(SwitchParameter))]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            KrLogger logger = RunStep("KrRegisterLoggerFailed", Name, () => KrLoggerManager.Register(Name, LoggerConfig, SetAsDefault.IsPresent));
            if (PassThru.IsPresent)
            {
                WriteObject(logger);
            }
        }
    }

    /// <summary>Write-KrLog: writes a message through the native pipeline (nothing when no sink is registered or
    /// the level is below the minimum).</summary>
    [Cmdlet(VerbsCommunications.Write, "KrLog")]
    public sealed class WriteKrLogCommand : KrCmdlet
    {
        /// <summary>The level of the message.</summary>
        [Parameter, KrScriptType(typeof(KrLogLevel))]
        public KrLogLevel Level { get; set; } = KrLogLevel.Information;

        /// <summary>The text to log.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true), AllowEmptyString, KrScriptType(typeof(string))]
        public string Message { get; set; }

        protected override void ProcessRecord()
        {
            RunStep("KrWriteLogFailed", Message, () => KrLog.Write(Level, Message));
        }
    }

    /// <summary>Close-KrLogger: flushes and closes every sink and forgets the registered loggers.</summary>
    [Cmdlet(VerbsCommon.Close, "KrLogger")]
    public sealed class CloseKrLoggerCommand : KrCmdlet
    {
        protected override void ProcessRecord()
        {
            RunStep("KrCloseLoggerFailed", null, KrLoggerManager.CloseAll);
        }
    }
}
