//! Process-wide logging on [`tracing`]: a minimum level and sinks (console = stdout, files), like
//! Serilog's default logger in Kestrun. **Nothing is written at all until a sink is added**, and nothing
//! after [`clear_sinks`]: a library must not print by itself.
//!
//! # How it works
//!
//! The engine logs through [`write`] (and [`verbose`] .. [`fatal`]), which emits one `tracing` event with
//! target [`TARGET`]: [`LogLevel::Verbose`] .. [`LogLevel::Error`] map onto `TRACE` .. `ERROR`, and
//! [`LogLevel::Fatal`] is `ERROR` with the field `fatal = true` (so its tag prints `FTL`). The sinks are
//! `tracing-subscriber` layers (a `fmt` layer each, with an [`OutputTemplate`] as its event format and a
//! per-layer filter for the sink's own minimum level) on a `Registry` that the engine keeps to itself:
//! events are dispatched to it with [`tracing::dispatcher::with_default`], never through the process's
//! global default subscriber, which the engine neither sets nor reads. A host using `tracing` itself is
//! unaffected, and other crates' events never reach these sinks. File sinks are
//! `tracing_appender::rolling::RollingFileAppender`s.
//!
//! An event is written when its level is at least the minimum level ([`set_level`], default
//! [`LogLevel::Information`], changeable at any time) and at least the sink's own
//! `restricted_to_minimum_level`; `Error` and `Fatal` events pass the minimum level whatever it is.
//!
//! # Line format
//!
//! Kestrun's (Serilog's) defaults: the console writes [`DEFAULT_CONSOLE_TEMPLATE`],
//! `[08:31:04 DBG] GET /hello 200 5.03ms`; files write [`DEFAULT_FILE_TEMPLATE`],
//! `2026-11-29 08:31:04.123 +01:00 [DBG] GET /hello 200 5.03ms`. Both can be replaced by any
//! [`OutputTemplate`] (see its module for the tokens).
//!
//! Timestamps are in the offset set with [`set_utc_offset`] (a host that knows its local offset passes it:
//! the PowerShell module does). Otherwise the engine asks the `time` crate for the local offset when a sink
//! is added; that query refuses to run in a multithreaded process on Unix (reading the time zone there is
//! not thread-safe), and the timestamps are then in **UTC** (`+00:00`).
//!
//! # Rolling files
//!
//! [`RollingInterval`] has Serilog's values; `Infinite`, `Day`, `Hour` and `Minute` are supported (`Year`
//! and `Month` are rejected: `tracing-appender` cannot roll on them). A rolling file's name is built by
//! `tracing-appender` as `prefix.DATE.extension`, from the path's stem without a trailing `-`, `_` or `.`
//! and its extension: `logs/log-.txt` rolled by Day writes `logs/log.2026-11-29.txt` (Serilog would write
//! `log-20261129.txt`), by Hour `log.2026-11-29-08.txt`, by Minute `log.2026-11-29-08-31.txt`. Periods
//! and dates are UTC. With a retained file count limit, when a file is created the oldest files of the
//! folder whose names start with that prefix and end with that extension are deleted so that at most that
//! many remain: give rolling logs a folder (or a prefix) of their own.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use time::OffsetDateTime;
use tracing::{Dispatch, Event, Level, Metadata};
use tracing_appender::rolling::{RollingFileAppender, RollingWriter, Rotation};
use tracing_subscriber::field::Visit;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::{Context, Filter, Layer, SubscriberExt};
use tracing_subscriber::Registry;

use crate::error::{Error, Result};

mod template;

pub use template::OutputTemplate;
/// The offset type of [`set_utc_offset`] (the `time` crate's).
pub use time::UtcOffset;

/// The `tracing` target of the engine's events; the sinks ignore every other target.
pub const TARGET: &str = "kestrun";

/// Kestrun's (Serilog's) default console template: `[08:31:04 DBG] GET /hello 200 5.03ms`.
pub const DEFAULT_CONSOLE_TEMPLATE: &str = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

/// Kestrun's (Serilog's) default file template: `2026-11-29 08:31:04.123 +01:00 [DBG] GET /hello 200 5.03ms`.
pub const DEFAULT_FILE_TEMPLATE: &str =
    "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

/// Log levels (Serilog's), in increasing severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// `VRB` (`tracing`'s `TRACE`)
    Verbose = 0,
    /// `DBG` (`DEBUG`)
    Debug = 1,
    /// `INF` (`INFO`)
    Information = 2,
    /// `WRN` (`WARN`)
    Warning = 3,
    /// `ERR` (`ERROR`)
    Error = 4,
    /// `FTL` (`ERROR` with the field `fatal = true`)
    Fatal = 5,
}

/// Every level, indexed by its discriminant (how `MIN_LEVEL` stores it).
const LEVELS: [LogLevel; 6] =
    [LogLevel::Verbose, LogLevel::Debug, LogLevel::Information, LogLevel::Warning, LogLevel::Error, LogLevel::Fatal];

impl LogLevel {
    /// The three-letter tag of the default templates (`VRB`, `DBG`, `INF`, `WRN`, `ERR`, `FTL`).
    pub fn tag(self) -> &'static str {
        match self {
            LogLevel::Verbose => "VRB",
            LogLevel::Debug => "DBG",
            LogLevel::Information => "INF",
            LogLevel::Warning => "WRN",
            LogLevel::Error => "ERR",
            LogLevel::Fatal => "FTL",
        }
    }

    /// The `tracing` level of this level's events.
    pub fn tracing_level(self) -> Level {
        match self {
            LogLevel::Verbose => Level::TRACE,
            LogLevel::Debug => Level::DEBUG,
            LogLevel::Information => Level::INFO,
            LogLevel::Warning => Level::WARN,
            LogLevel::Error | LogLevel::Fatal => Level::ERROR,
        }
    }

    /// The level of an event (or callsite): from its `tracing` level, `Fatal` when it has a `fatal` field.
    pub fn of(metadata: &Metadata<'_>) -> LogLevel {
        match *metadata.level() {
            Level::TRACE => LogLevel::Verbose,
            Level::DEBUG => LogLevel::Debug,
            Level::INFO => LogLevel::Information,
            Level::WARN => LogLevel::Warning,
            _ if metadata.fields().field("fatal").is_some() => LogLevel::Fatal,
            _ => LogLevel::Error,
        }
    }
}

/// When a file sink starts a new file (Serilog's `RollingInterval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RollingInterval {
    /// One file, never rolled (the path is the file name).
    #[default]
    Infinite,
    /// Not supported (`tracing-appender` has no yearly rotation): rejected.
    Year,
    /// Not supported (`tracing-appender` has no monthly rotation): rejected.
    Month,
    /// A file per UTC day: `log.2026-11-29.txt`.
    Day,
    /// A file per UTC hour: `log.2026-11-29-08.txt`.
    Hour,
    /// A file per minute: `log.2026-11-29-08-31.txt`.
    Minute,
}

/// A console sink: lines to stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSinkOptions {
    /// The output template; default [`DEFAULT_CONSOLE_TEMPLATE`].
    pub output_template: String,
    /// The sink writes only events at least this level (default `Verbose`: all that pass [`set_level`]).
    pub restricted_to_minimum_level: LogLevel,
}

impl Default for ConsoleSinkOptions {
    fn default() -> Self {
        ConsoleSinkOptions {
            output_template: DEFAULT_CONSOLE_TEMPLATE.to_owned(),
            restricted_to_minimum_level: LogLevel::Verbose,
        }
    }
}

/// A file sink: lines appended to a file, optionally rolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSinkOptions {
    /// The file (`Infinite`), or the pattern of the rolled files' names (see the module docs).
    pub path: PathBuf,
    /// The output template; default [`DEFAULT_FILE_TEMPLATE`].
    pub output_template: String,
    /// When to start a new file; default `Infinite`.
    pub rolling_interval: RollingInterval,
    /// Rolled files kept (at least 1), `None` = all; ignored by `Infinite`. Default `None`.
    pub retained_file_count_limit: Option<usize>,
    /// The sink writes only events at least this level (default `Verbose`).
    pub restricted_to_minimum_level: LogLevel,
}

impl FileSinkOptions {
    /// A never-rolled file at `path` with the default template.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileSinkOptions {
            path: path.into(),
            output_template: DEFAULT_FILE_TEMPLATE.to_owned(),
            rolling_interval: RollingInterval::Infinite,
            retained_file_count_limit: None,
            restricted_to_minimum_level: LogLevel::Verbose,
        }
    }
}

// ---- state --------------------------------------------------------------------------------------------

/// A configured sink: enough to build its layer again whenever the sink list changes.
struct Sink {
    template: Arc<OutputTemplate>,
    min: LogLevel,
    output: Output,
}

#[derive(Clone)]
enum Output {
    Console,
    File { path: PathBuf, appender: Arc<RollingFileAppender> },
}

/// The sinks and the dispatcher built from them (`None` without sinks).
struct Pipeline {
    sinks: Vec<Sink>,
    dispatch: Option<Dispatch>,
}

static MIN_LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Information as u8);
/// The lowest `restricted_to_minimum_level` of the sinks (`u8::MAX` without sinks): below it nothing is
/// emitted at all.
static SINK_FLOOR: AtomicU8 = AtomicU8::new(u8::MAX);
static PIPELINE: RwLock<Pipeline> = RwLock::new(Pipeline { sinks: Vec::new(), dispatch: None });
static OFFSET_SECONDS: AtomicI32 = AtomicI32::new(0);
/// Whether the host set the offset (then the local offset is never queried).
static OFFSET_FROM_HOST: AtomicBool = AtomicBool::new(false);

/// Sets the minimum level written to the sinks (at any time; `Error` and `Fatal` are always written).
pub fn set_level(level: LogLevel) {
    MIN_LEVEL.store(level as u8, Ordering::Relaxed);
}

/// The current minimum level.
pub fn level() -> LogLevel {
    LEVELS.get(MIN_LEVEL.load(Ordering::Relaxed) as usize).copied().unwrap_or(LogLevel::Information)
}

/// Sets the offset from UTC of the timestamps (the host's local offset, which the engine cannot read
/// safely in a multithreaded process). Until called, the `time` crate's local offset when it can tell,
/// else UTC.
pub fn set_utc_offset(offset: UtcOffset) {
    OFFSET_SECONDS.store(offset.whole_seconds(), Ordering::Relaxed);
    OFFSET_FROM_HOST.store(true, Ordering::Relaxed);
}

/// The offset the timestamps are written in.
pub fn utc_offset() -> UtcOffset {
    UtcOffset::from_whole_seconds(OFFSET_SECONDS.load(Ordering::Relaxed)).unwrap_or(UtcOffset::UTC)
}

/// Asks for the local offset unless the host gave one (it fails in multithreaded Unix processes: UTC).
fn refresh_local_offset() {
    if !OFFSET_FROM_HOST.load(Ordering::Relaxed) {
        if let Ok(offset) = UtcOffset::current_local_offset() {
            OFFSET_SECONDS.store(offset.whole_seconds(), Ordering::Relaxed);
        }
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().to_offset(utc_offset())
}

/// Checks an output template (the error names the offending token).
pub fn check_template(template: &str) -> Result<()> {
    OutputTemplate::parse(template).map(drop)
}

/// Adds a console sink with the default template ([`DEFAULT_CONSOLE_TEMPLATE`]).
pub fn add_console_sink() {
    // The default template always parses.
    let _ = add_console_sink_with(ConsoleSinkOptions::default());
}

/// Adds a console sink; `ErrorKind::InvalidArgument` for a bad template.
pub fn add_console_sink_with(options: ConsoleSinkOptions) -> Result<()> {
    let template = Arc::new(OutputTemplate::parse(&options.output_template)?);
    add_sink(Sink { template, min: options.restricted_to_minimum_level, output: Output::Console });
    Ok(())
}

/// Adds a sink appending lines to the file at `path` with the default template
/// ([`DEFAULT_FILE_TEMPLATE`]), never rolled; missing directories are created. `ErrorKind::Io` when the
/// file cannot be opened.
pub fn add_file_sink(path: &Path) -> Result<()> {
    add_file_sink_with(FileSinkOptions::new(path))
}

/// Adds a file sink. `ErrorKind::InvalidArgument` for a bad template, an empty path, `Year` / `Month`
/// rolling or a retained count of 0; `ErrorKind::Io` when the (first) file cannot be opened.
pub fn add_file_sink_with(options: FileSinkOptions) -> Result<()> {
    let template = Arc::new(OutputTemplate::parse(&options.output_template)?);
    let appender = open_appender(&options)?;
    add_sink(Sink {
        template,
        min: options.restricted_to_minimum_level,
        output: Output::File { path: options.path, appender: Arc::new(appender) },
    });
    Ok(())
}

/// Removes every sink: console output is flushed, files are closed. Afterwards nothing is written. Returns
/// once no event is being written any more.
pub fn clear_sinks() {
    let mut pipeline = PIPELINE.write();
    SINK_FLOOR.store(u8::MAX, Ordering::Release);
    pipeline.dispatch = None;
    pipeline.sinks.clear();
    drop(pipeline);
    let _ = std::io::stdout().flush();
}

/// The paths of the current file sinks, as given (for diagnostics).
pub fn file_sink_paths() -> Vec<PathBuf> {
    PIPELINE
        .read()
        .sinks
        .iter()
        .filter_map(|s| match &s.output {
            Output::File { path, .. } => Some(path.clone()),
            Output::Console => None,
        })
        .collect()
}

/// Whether a message at `level` would be written (a sink takes it and the level passes).
pub fn enabled(level: LogLevel) -> bool {
    let level = level as u8;
    level >= SINK_FLOOR.load(Ordering::Acquire)
        && (level >= LogLevel::Error as u8 || level >= MIN_LEVEL.load(Ordering::Relaxed))
}

/// Writes `message` at `level` to the sinks (if [`enabled`]): one `tracing` event, dispatched to the
/// engine's subscriber.
pub fn write(level: LogLevel, message: &str) {
    if !enabled(level) {
        return;
    }
    let pipeline = PIPELINE.read();
    if let Some(dispatch) = &pipeline.dispatch {
        tracing::dispatcher::with_default(dispatch, || emit(level, message));
    }
}

fn emit(level: LogLevel, message: &str) {
    match level {
        LogLevel::Verbose => tracing::event!(target: TARGET, Level::TRACE, "{}", message),
        LogLevel::Debug => tracing::event!(target: TARGET, Level::DEBUG, "{}", message),
        LogLevel::Information => tracing::event!(target: TARGET, Level::INFO, "{}", message),
        LogLevel::Warning => tracing::event!(target: TARGET, Level::WARN, "{}", message),
        LogLevel::Error => tracing::event!(target: TARGET, Level::ERROR, "{}", message),
        LogLevel::Fatal => tracing::event!(target: TARGET, Level::ERROR, fatal = true, "{}", message),
    }
}

/// `pub fn <name>(message)`: writes `message` at the level `<Level>`.
macro_rules! level_writers {
    ($($name:ident => $level:ident),+ $(,)?) => {
        $(
            #[doc = concat!("Writes at `", stringify!($level), "`.")]
            pub fn $name(message: &str) {
                write(LogLevel::$level, message)
            }
        )+
    };
}

level_writers! {
    verbose => Verbose,
    debug => Debug,
    info => Information,
    warn => Warning,
    error => Error,
    fatal => Fatal,
}

// ---- the subscriber -----------------------------------------------------------------------------------

fn add_sink(sink: Sink) {
    refresh_local_offset();
    let mut pipeline = PIPELINE.write();
    pipeline.sinks.push(sink);
    pipeline.dispatch = Some(build_dispatch(&pipeline.sinks));
    let floor = pipeline.sinks.iter().map(|s| s.min as u8).min().unwrap_or(u8::MAX);
    SINK_FLOOR.store(floor, Ordering::Release);
}

/// A `Registry` with one `fmt` layer per sink (built anew whenever the sinks change: layers cannot be
/// added to a subscriber in place; files are shared through `Arc`s so they stay open).
fn build_dispatch(sinks: &[Sink]) -> Dispatch {
    let layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = sinks
        .iter()
        .map(|sink| {
            let format = TemplateFormat(sink.template.clone());
            let filter = SinkFilter(sink.min);
            let layer = tracing_subscriber::fmt::layer().event_format(format).log_internal_errors(false);
            match &sink.output {
                Output::Console => layer.with_writer(ConsoleWriter).with_filter(filter).boxed(),
                Output::File { appender, .. } => {
                    layer.with_writer(FileWriter(appender.clone())).with_filter(filter).boxed()
                }
            }
        })
        .collect();
    Dispatch::new(Registry::default().with(layers))
}

/// A sink's filter: the engine's target and the sink's minimum level (decided per callsite, cached).
struct SinkFilter(LogLevel);

impl SinkFilter {
    fn accepts(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == TARGET && LogLevel::of(metadata) >= self.0
    }
}

impl<S> Filter<S> for SinkFilter {
    fn enabled(&self, metadata: &Metadata<'_>, _: &Context<'_, S>) -> bool {
        self.accepts(metadata)
    }

    fn callsite_enabled(&self, metadata: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        if self.accepts(metadata) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }
}

/// A sink's event format: its output template.
struct TemplateFormat(Arc<OutputTemplate>);

impl<N> FormatEvent<Registry, N> for TemplateFormat
where
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, Registry, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let level = LogLevel::of(event.metadata());
        self.0.render(&mut writer, level, now(), &mut |out| {
            let mut visitor = MessageVisitor { out, result: Ok(()) };
            event.record(&mut visitor);
            visitor.result
        })
    }
}

/// Writes an event's `message` field.
struct MessageVisitor<'a> {
    out: &'a mut dyn std::fmt::Write,
    result: std::fmt::Result,
}

impl Visit for MessageVisitor<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" {
            self.result = self.out.write_str(value);
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.result = write!(self.out, "{value:?}");
        }
    }
}

/// stdout, flushed after each event (a template without `{NewLine}` is still written at once).
struct ConsoleWriter;

struct ConsoleLine(std::io::StdoutLock<'static>);

impl Write for ConsoleLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl Drop for ConsoleLine {
    fn drop(&mut self) {
        let _ = self.0.flush();
    }
}

impl<'a> MakeWriter<'a> for ConsoleWriter {
    type Writer = ConsoleLine;

    fn make_writer(&'a self) -> ConsoleLine {
        ConsoleLine(std::io::stdout().lock())
    }
}

/// A file sink's appender, shared by the dispatchers built while the sink exists.
struct FileWriter(Arc<RollingFileAppender>);

impl<'a> MakeWriter<'a> for FileWriter {
    type Writer = RollingWriter<'a>;

    fn make_writer(&'a self) -> RollingWriter<'a> {
        self.0.make_writer()
    }
}

// ---- files --------------------------------------------------------------------------------------------

/// The folder, prefix and suffix `tracing-appender` builds the file names from (see the module docs).
fn file_name_parts(path: &Path, rolling: bool) -> Result<(PathBuf, Option<String>, Option<String>)> {
    if path.as_os_str().is_empty() {
        return Err(Error::invalid_argument("log file path is empty"));
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::invalid_argument(format!("log file path {} has no UTF-8 file name", path.display())))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !rolling {
        return Ok((dir, Some(name.to_owned()), None));
    }
    let (stem, extension) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], Some(&name[i + 1..])),
        _ => (name, None),
    };
    let prefix = stem.trim_end_matches(['-', '_', '.']);
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok((dir, some(prefix), extension.and_then(some)))
}

fn open_appender(options: &FileSinkOptions) -> Result<RollingFileAppender> {
    let rotation = match options.rolling_interval {
        RollingInterval::Infinite => Rotation::NEVER,
        RollingInterval::Day => Rotation::DAILY,
        RollingInterval::Hour => Rotation::HOURLY,
        RollingInterval::Minute => Rotation::MINUTELY,
        other @ (RollingInterval::Year | RollingInterval::Month) => {
            return Err(Error::invalid_argument(format!(
                "rolling interval {other:?} is not supported by the file sink (supported: Infinite, Day, Hour, Minute)"
            )));
        }
    };
    let rolling = rotation != Rotation::NEVER;
    let (dir, prefix, suffix) = file_name_parts(&options.path, rolling)?;
    let mut builder = RollingFileAppender::builder().rotation(rotation);
    if let Some(prefix) = prefix {
        builder = builder.filename_prefix(prefix);
    }
    if let Some(suffix) = suffix {
        builder = builder.filename_suffix(suffix);
    }
    match options.retained_file_count_limit {
        Some(0) => return Err(Error::invalid_argument("retained file count limit must be at least 1")),
        Some(n) if rolling => builder = builder.max_log_files(n),
        _ => {}
    }
    // Created here: tracing-appender would look for old files (retention) in a missing folder first, and
    // print that it is missing.
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create log directory {}: {e}", dir.display())))?;
    builder.build(&dir).map_err(|e| Error::io(format!("cannot open log file {}: {e}", options.path.display())))
}

#[cfg(test)]
mod tests {
    use tracing::Subscriber;

    use super::*;

    #[test]
    fn levels_table_matches_discriminants() {
        for (i, level) in LEVELS.iter().enumerate() {
            assert_eq!(*level as usize, i);
        }
        assert!(LEVELS.windows(2).all(|w| w[0] < w[1]), "increasing severity");
    }

    #[test]
    fn levels_map_onto_tracing_levels_and_back() {
        struct Capture(parking_lot::Mutex<Vec<LogLevel>>);
        impl Subscriber for Capture {
            fn enabled(&self, _: &Metadata<'_>) -> bool {
                true
            }
            fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
                tracing::span::Id::from_u64(1)
            }
            fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
            fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
            fn event(&self, event: &Event<'_>) {
                assert_eq!(event.metadata().target(), TARGET);
                self.0.lock().push(LogLevel::of(event.metadata()));
            }
            fn enter(&self, _: &tracing::span::Id) {}
            fn exit(&self, _: &tracing::span::Id) {}
        }
        let capture = Arc::new(Capture(parking_lot::Mutex::new(Vec::new())));
        let dispatch = Dispatch::from(capture.clone());
        tracing::dispatcher::with_default(&dispatch, || {
            for level in LEVELS {
                emit(level, "x");
            }
        });
        assert_eq!(*capture.0.lock(), LEVELS);
        assert_eq!(LogLevel::Fatal.tracing_level(), Level::ERROR);
        assert_eq!(LogLevel::Verbose.tracing_level(), Level::TRACE);
    }

    #[test]
    fn rolled_file_names_come_from_the_path() {
        let parts = |p: &str, rolling: bool| {
            let (dir, prefix, suffix) = file_name_parts(Path::new(p), rolling).unwrap();
            (dir.to_string_lossy().into_owned(), prefix, suffix)
        };
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(parts("logs/log-.txt", true), ("logs".into(), s("log"), s("txt")));
        assert_eq!(parts("logs/app_.log", true), ("logs".into(), s("app"), s("log")));
        assert_eq!(parts("server.log", true), (".".into(), s("server"), s("log")));
        assert_eq!(parts("/var/log/kr", true), ("/var/log".into(), s("kr"), None));
        assert_eq!(parts("logs/-.txt", true), ("logs".into(), None, s("txt")));
        assert_eq!(parts("logs/.hidden", true), ("logs".into(), s(".hidden"), None));
        assert_eq!(parts("logs/log-.txt", false), ("logs".into(), s("log-.txt"), None), "Infinite: the name as is");
        assert_eq!(file_name_parts(Path::new(""), false).unwrap_err().kind(), crate::ErrorKind::InvalidArgument);
    }
}
