// Logging: a logger configuration object built by a pipeline (New-KrLogger | Set-KrLoggerLevel |
// Add-KrSinkConsole | Add-KrSinkFile | Register-KrLogger) and applied to the process-wide native pipeline (kr_log_*).
// Lines use Serilog's output templates; the defaults are Kestrun's: console "[08:31:04 DBG] message", file
// "2026-11-29 08:31:04.123 +01:00 [DBG] message".
using System;
using System.Collections.Generic;

namespace KestrunRust
{
    public enum KrLogSinkKind
    {
        Console,
        File,
    }

    /// <summary>When a file sink starts a new file (Serilog's RollingInterval; the native KrRollingInterval).
    /// Year and Month are not supported by the native file sink.</summary>
    public enum KrRollingInterval
    {
        Infinite = 0,
        Year = 1,
        Month = 2,
        Day = 3,
        Hour = 4,
        Minute = 5,
    }

    /// <summary>One sink of a logger configuration; a null <paramref name="outputTemplate"/> is the default template of
    /// its kind.</summary>
    public sealed class KrLogSink(KrLogSinkKind kind, string path, string outputTemplate, KrLogLevel restrictedToMinimumLevel,
        KrRollingInterval rollingInterval, int? retainedFileCountLimit)
    {
        /// <summary>Kestrun's (Serilog's) default console template: "[08:31:04 DBG] message".</summary>
        public const string DefaultConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

        /// <summary>Kestrun's (Serilog's) default file template: "2026-11-29 08:31:04.123 +01:00 [DBG] message".</summary>
        public const string DefaultFileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

        public KrLogSink(KrLogSinkKind kind, string path)
            : this(kind, path, null, KrLogLevel.Verbose, KrRollingInterval.Infinite, null)
        {
        }

        public KrLogSinkKind Kind { get; } = kind;

        /// <summary>The file of a File sink, or the pattern of its rolled files' names (null for Console).</summary>
        public string Path { get; } = path;

        /// <summary>The Serilog output template of the lines.</summary>
        public string OutputTemplate { get; } = outputTemplate ?? (kind == KrLogSinkKind.File ? DefaultFileTemplate : DefaultConsoleTemplate);

        /// <summary>The sink writes only events at least this level.</summary>
        public KrLogLevel RestrictedToMinimumLevel { get; } = restrictedToMinimumLevel;

        /// <summary>When a File sink starts a new file.</summary>
        public KrRollingInterval RollingInterval { get; } = rollingInterval;

        /// <summary>Rolled files a File sink keeps (null: all).</summary>
        public int? RetainedFileCountLimit { get; } = retainedFileCountLimit;

        public override string ToString()
        {
            if (Kind == KrLogSinkKind.File)
            {
                return RollingInterval == KrRollingInterval.Infinite ? "File(" + Path + ")" : "File(" + Path + ", " + RollingInterval + ")";
            }
            return "Console";
        }
    }

    /// <summary>What New-KrLogger returns: a minimum level and sinks, applied natively by Register-KrLogger.</summary>
    public sealed class KrLoggerConfig
    {
        private readonly List<KrLogSink> _sinks = new List<KrLogSink>();

        private KrLogLevel _minimumLevel = KrLogLevel.Information;

        /// <summary>The minimum level. Changing it on the configuration of the default (applied) logger changes the
        /// level of the native pipeline at once.</summary>
        public KrLogLevel MinimumLevel
        {
            get { return _minimumLevel; }
            set
            {
                _minimumLevel = value;
                KrLoggerManager.OnLevelChanged(this);
            }
        }

        public IReadOnlyList<KrLogSink> Sinks
        {
            get { return _sinks; }
        }

        public KrLoggerConfig AddConsoleSink()
        {
            return AddConsoleSink(null, KrLogLevel.Verbose);
        }

        /// <summary>Adds a console sink; the template (null: the default) is checked now (KrException naming the
        /// offending token).</summary>
        public KrLoggerConfig AddConsoleSink(string outputTemplate, KrLogLevel restrictedToMinimumLevel)
        {
            if (outputTemplate != null)
            {
                KrLog.CheckTemplate(outputTemplate);
            }
            _sinks.Add(new KrLogSink(KrLogSinkKind.Console, null, outputTemplate, restrictedToMinimumLevel, KrRollingInterval.Infinite, null));
            return this;
        }

        public KrLoggerConfig AddFileSink(string path)
        {
            return AddFileSink(path, null, KrRollingInterval.Infinite, null, KrLogLevel.Verbose);
        }

        /// <summary>Adds a file sink. The template (null: the default) is checked now; Year and Month rolling and a
        /// retained count below 1 are rejected. The file itself is opened by <see cref="KrLoggerManager.Register"/>.</summary>
        public KrLoggerConfig AddFileSink(string path, string outputTemplate, KrRollingInterval rollingInterval,
            int? retainedFileCountLimit, KrLogLevel restrictedToMinimumLevel)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("A log file path must be given.", nameof(path));
            }
            if (rollingInterval == KrRollingInterval.Year || rollingInterval == KrRollingInterval.Month)
            {
                // No parameter name: the message is what PowerShell users read.
                throw new ArgumentException("The rolling interval " + rollingInterval + " is not supported by the file sink; use Infinite, Day, Hour or Minute.");
            }
            if (!Enum.IsDefined(typeof(KrRollingInterval), rollingInterval))
            {
                throw new ArgumentOutOfRangeException(nameof(rollingInterval), rollingInterval, "Unknown rolling interval.");
            }
            if (retainedFileCountLimit.HasValue && retainedFileCountLimit.Value < 1)
            {
                throw new ArgumentException("The retained file count limit must be at least 1 (or null for no limit), not " + retainedFileCountLimit.Value + ".");
            }
            if (outputTemplate != null)
            {
                KrLog.CheckTemplate(outputTemplate);
            }
            _sinks.Add(new KrLogSink(KrLogSinkKind.File, path, outputTemplate, restrictedToMinimumLevel, rollingInterval, retainedFileCountLimit));
            return this;
        }

        public override string ToString()
        {
            return "KrLoggerConfig(" + MinimumLevel + "; " + string.Join(", ", _sinks) + ")";
        }
    }

    /// <summary>A registered logger (what Register-KrLogger -PassThru returns).</summary>
    public sealed class KrLogger
    {
        internal KrLogger(string name, KrLoggerConfig config)
        {
            Name = name;
            Config = config;
            MinimumLevel = config.MinimumLevel;
            Sinks = new List<KrLogSink>(config.Sinks).AsReadOnly();
        }

        public string Name { get; }
        /// <summary>The minimum level; follows later changes of the configuration's level.</summary>
        public KrLogLevel MinimumLevel { get; internal set; }

        internal KrLoggerConfig Config { get; }
        public IReadOnlyList<KrLogSink> Sinks { get; }

        /// <summary>True while this logger is the one applied to the native pipeline.</summary>
        public bool IsDefault
        {
            get { return ReferenceEquals(KrLoggerManager.Default, this); }
        }

        public void Write(KrLogLevel level, string message)
        {
            KrLog.Write(level, message);
        }

        public override string ToString()
        {
            return Name;
        }
    }

    /// <summary>Named loggers; the default one is the configuration of the native (process-wide) pipeline.</summary>
    public static class KrLoggerManager
    {
        private static readonly KrNameRegistry<KrLogger> Loggers = new KrNameRegistry<KrLogger>();

        public static KrLogger Default
        {
            get { return Loggers.Current; }
        }

        /// <summary>Registers <paramref name="config"/> as <paramref name="name"/> (replacing a logger of that name).
        /// It is applied to the native pipeline when <paramref name="setAsDefault"/> is set, when no default exists
        /// yet, or when it replaces the current default.</summary>
        public static KrLogger Register(string name, KrLoggerConfig config, bool setAsDefault)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A logger name must be given.", nameof(name));
            }
            if (config == null)
            {
                throw new ArgumentNullException(nameof(config));
            }
            var logger = new KrLogger(name, config);
            lock (Loggers.Gate)
            {
                KrLogger current = Loggers.Current;
                bool replacesDefault = current != null && string.Equals(current.Name, name, StringComparison.OrdinalIgnoreCase);
                if (setAsDefault || current == null || replacesDefault)
                {
                    Apply(logger);
                    Loggers.Current = logger;
                }
                Loggers.Set(name, logger);
            }
            return logger;
        }

        public static KrLogger Get(string name)
        {
            return Loggers.Get(name);
        }

        public static KrLogger[] GetAll()
        {
            return Loggers.GetAll();
        }

        /// <summary>Closes every native sink (files are flushed and closed) and forgets the loggers.</summary>
        public static void CloseAll()
        {
            lock (Loggers.Gate)
            {
                KrError.Check(KrNative.kr_log_clear_sinks(), "closing the log sinks");
                Loggers.Clear();
            }
        }

        /// <summary>A configuration's level changed (Set-KrLoggerLevel): the loggers registered from it follow, and
        /// the native level changes when one of them is the default.</summary>
        internal static void OnLevelChanged(KrLoggerConfig config)
        {
            lock (Loggers.Gate)
            {
                foreach (KrLogger logger in Loggers.GetAll())
                {
                    if (ReferenceEquals(logger.Config, config))
                    {
                        logger.MinimumLevel = config.MinimumLevel;
                    }
                }
                KrLogger current = Loggers.Current;
                if (current != null && ReferenceEquals(current.Config, config))
                {
                    current.MinimumLevel = config.MinimumLevel;
                    KrError.Check(KrNative.kr_log_set_level((int)config.MinimumLevel), "setting the log level");
                }
            }
        }

        private static void Apply(KrLogger logger)
        {
            KrError.Check(KrNative.kr_log_clear_sinks(), "closing the log sinks");
            KrError.Check(KrNative.kr_log_set_level((int)logger.MinimumLevel), "setting the log level");
            // The library cannot read the local time zone safely in a multithreaded process: .NET can. The offset
            // of now is used until the next registration (a daylight saving change needs a new Register).
            KrError.Check(KrNative.kr_log_set_utc_offset(LocalUtcOffsetSeconds()), "setting the log time offset");
            foreach (KrLogSink sink in logger.Sinks)
            {
                byte[] template = KrUtf8.ZArray(sink.OutputTemplate);
                if (sink.Kind == KrLogSinkKind.Console)
                {
                    KrError.Check(KrNative.kr_log_add_console_sink_template(ref template[0], (int)sink.RestrictedToMinimumLevel), "adding the console log sink");
                }
                else
                {
                    byte[] path = KrUtf8.ZArray(sink.Path);
                    KrOperation.Check(
                        KrNative.kr_log_add_file_sink_ex(ref path[0], ref template[0], (int)sink.RollingInterval, sink.RetainedFileCountLimit ?? 0, (int)sink.RestrictedToMinimumLevel),
                        "opening the log file '{0}'",
                        sink.Path);
                }
            }
        }

        private static int LocalUtcOffsetSeconds()
        {
            return (int)TimeZoneInfo.Local.GetUtcOffset(DateTime.UtcNow).TotalSeconds;
        }
    }

    /// <summary>Writes through the native logging pipeline.</summary>
    public static class KrLog
    {
        public static void Write(KrLogLevel level, string message)
        {
            Span<byte> stack = stackalloc byte[KrUtf8.StackBytes];
            string text = message ?? string.Empty;
            if (text.IndexOf('\0') >= 0)
            {
                text = text.Replace('\0', ' ');
            }
            ref byte m = ref KrUtf8.Z(text, stack);
            KrError.Check(KrNative.kr_log_write((int)level, ref m), "writing to the log");
        }

        /// <summary>Throws a <see cref="KrException"/> (InvalidArgument, naming the offending token) unless
        /// <paramref name="outputTemplate"/> is a template the native sinks accept.</summary>
        public static void CheckTemplate(string outputTemplate)
        {
            if (outputTemplate == null)
            {
                throw new ArgumentNullException(nameof(outputTemplate));
            }
            byte[] template = KrUtf8.ZArray(outputTemplate);
            KrError.Check(KrNative.kr_log_check_template(ref template[0]), "checking the output template");
        }

        /// <summary>Like <see cref="Write"/> but never throws (used on error paths).</summary>
        public static void TryWrite(KrLogLevel level, string message)
        {
            try
            {
                Write(level, message);
            }
            catch (Exception)
            {
                // Logging must never turn an error path into a crash.
            }
        }
    }
}
