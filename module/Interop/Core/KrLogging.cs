// Logging: a logger configuration object built by a pipeline (New-KrLogger | Set-KrLoggerLevel |
// Add-KrSinkConsole | Register-KrLogger) and applied to the process-wide native pipeline (kr_log_*).
using System;
using System.Collections.Generic;

namespace KestrunRust
{
    public enum KrLogSinkKind
    {
        Console,
        File,
    }

    /// <summary>One sink of a logger configuration.</summary>
    public sealed class KrLogSink
    {
        public KrLogSink(KrLogSinkKind kind, string path)
        {
            Kind = kind;
            Path = path;
        }

        public KrLogSinkKind Kind { get; }

        /// <summary>The file of a File sink (null for Console).</summary>
        public string Path { get; }

        public override string ToString()
        {
            return Kind == KrLogSinkKind.File ? "File(" + Path + ")" : "Console";
        }
    }

    /// <summary>What New-KrLogger returns: a minimum level and sinks, applied natively by Register-KrLogger.</summary>
    public sealed class KrLoggerConfig
    {
        private readonly List<KrLogSink> _sinks = new List<KrLogSink>();

        public KrLogLevel MinimumLevel { get; set; } = KrLogLevel.Information;

        public IReadOnlyList<KrLogSink> Sinks
        {
            get { return _sinks; }
        }

        public KrLoggerConfig AddConsoleSink()
        {
            _sinks.Add(new KrLogSink(KrLogSinkKind.Console, null));
            return this;
        }

        public KrLoggerConfig AddFileSink(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("A log file path must be given.", nameof(path));
            }
            _sinks.Add(new KrLogSink(KrLogSinkKind.File, path));
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
            MinimumLevel = config.MinimumLevel;
            Sinks = new List<KrLogSink>(config.Sinks).AsReadOnly();
        }

        public string Name { get; }
        public KrLogLevel MinimumLevel { get; }
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
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, KrLogger> Loggers = new Dictionary<string, KrLogger>(StringComparer.OrdinalIgnoreCase);
        private static KrLogger _default;

        public static KrLogger Default
        {
            get { lock (Gate) { return _default; } }
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
            lock (Gate)
            {
                bool replacesDefault = _default != null && string.Equals(_default.Name, name, StringComparison.OrdinalIgnoreCase);
                if (setAsDefault || _default == null || replacesDefault)
                {
                    Apply(logger);
                    _default = logger;
                }
                Loggers[name] = logger;
            }
            return logger;
        }

        public static KrLogger Get(string name)
        {
            lock (Gate)
            {
                KrLogger logger;
                return Loggers.TryGetValue(name, out logger) ? logger : null;
            }
        }

        public static KrLogger[] GetAll()
        {
            lock (Gate)
            {
                var all = new KrLogger[Loggers.Count];
                Loggers.Values.CopyTo(all, 0);
                return all;
            }
        }

        /// <summary>Closes every native sink (files are flushed and closed) and forgets the loggers.</summary>
        public static void CloseAll()
        {
            lock (Gate)
            {
                KrError.Check(KrNative.kr_log_clear_sinks(), "kr_log_clear_sinks");
                Loggers.Clear();
                _default = null;
            }
        }

        private static void Apply(KrLogger logger)
        {
            KrError.Check(KrNative.kr_log_clear_sinks(), "kr_log_clear_sinks");
            KrError.Check(KrNative.kr_log_set_level((int)logger.MinimumLevel), "kr_log_set_level");
            foreach (KrLogSink sink in logger.Sinks)
            {
                if (sink.Kind == KrLogSinkKind.Console)
                {
                    KrError.Check(KrNative.kr_log_add_console_sink(), "kr_log_add_console_sink");
                }
                else
                {
                    byte[] path = KrUtf8.ZArray(sink.Path);
                    KrError.Check(KrNative.kr_log_add_file_sink(ref path[0]), "kr_log_add_file_sink", sink.Path);
                }
            }
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
            KrError.Check(KrNative.kr_log_write((int)level, ref m), "kr_log_write");
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
