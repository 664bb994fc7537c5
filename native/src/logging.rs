//! Process-wide logging, like Serilog's default logger: a minimum level and a list of sinks
//! (console = stdout, files). Nothing is written at all until a sink is added.
//!
//! Line format: `2026-11-21T10:00:00.123Z [DBG] message` (levels `VRB DBG INF WRN ERR FTL`).
//! A message is written when its level is at least the minimum level (default
//! [`LogLevel::Information`]); `Error` and `Fatal` messages are always written (when a sink exists).
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use parking_lot::Mutex;

use crate::error::{Error, Result};

/// Log levels (Serilog's), in increasing severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// `VRB`
    Verbose = 0,
    /// `DBG`
    Debug = 1,
    /// `INF`
    Information = 2,
    /// `WRN`
    Warning = 3,
    /// `ERR`
    Error = 4,
    /// `FTL`
    Fatal = 5,
}

/// Every level, indexed by its discriminant (how `MIN_LEVEL` stores it).
const LEVELS: [LogLevel; 6] =
    [LogLevel::Verbose, LogLevel::Debug, LogLevel::Information, LogLevel::Warning, LogLevel::Error, LogLevel::Fatal];

impl LogLevel {
    /// The three-letter tag written in each line (`VRB`, `DBG`, `INF`, `WRN`, `ERR`, `FTL`).
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
}

enum Sink {
    Console,
    File { path: PathBuf, file: File },
}

static MIN_LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Information as u8);
static HAS_SINKS: AtomicBool = AtomicBool::new(false);
static SINKS: Mutex<Vec<Sink>> = Mutex::new(Vec::new());

/// Sets the minimum level written to the sinks.
pub fn set_level(level: LogLevel) {
    MIN_LEVEL.store(level as u8, Ordering::Relaxed);
}

/// The current minimum level.
pub fn level() -> LogLevel {
    LEVELS.get(MIN_LEVEL.load(Ordering::Relaxed) as usize).copied().unwrap_or(LogLevel::Information)
}

/// Adds a sink writing lines to stdout.
pub fn add_console_sink() {
    let mut sinks = SINKS.lock();
    sinks.push(Sink::Console);
    HAS_SINKS.store(true, Ordering::Release);
}

/// Adds a sink appending lines to the file at `path`; missing directories are created.
/// `ErrorKind::Io` when the file cannot be opened.
pub fn add_file_sink(path: &Path) -> Result<()> {
    if path.as_os_str().is_empty() {
        return Err(Error::invalid_argument("log file path is empty"));
    }
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create log directory {}: {e}", dir.display())))?;
        }
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(format!("cannot open log file {}: {e}", path.display())))?;
    let mut sinks = SINKS.lock();
    sinks.push(Sink::File { path: path.to_path_buf(), file });
    HAS_SINKS.store(true, Ordering::Release);
    Ok(())
}

/// Removes every sink, flushing and closing files. Afterwards nothing is written.
pub fn clear_sinks() {
    let mut sinks = SINKS.lock();
    HAS_SINKS.store(false, Ordering::Release);
    for sink in sinks.drain(..) {
        match sink {
            Sink::Console => {
                let _ = std::io::stdout().flush();
            }
            Sink::File { mut file, .. } => {
                let _ = file.flush();
                let _ = file.sync_data();
            }
        }
    }
}

/// The paths of the current file sinks (for diagnostics).
pub fn file_sink_paths() -> Vec<PathBuf> {
    SINKS
        .lock()
        .iter()
        .filter_map(|s| match s {
            Sink::File { path, .. } => Some(path.clone()),
            Sink::Console => None,
        })
        .collect()
}

/// Whether a message at `level` would be written (a sink exists and the level passes).
pub fn enabled(level: LogLevel) -> bool {
    HAS_SINKS.load(Ordering::Acquire) && (level >= LogLevel::Error || level as u8 >= MIN_LEVEL.load(Ordering::Relaxed))
}

/// Writes `message` at `level` to every sink (if [`enabled`]).
pub fn write(level: LogLevel, message: &str) {
    if !enabled(level) {
        return;
    }
    let line = format_line(level, message, time::OffsetDateTime::now_utc());
    let mut sinks = SINKS.lock();
    for sink in sinks.iter_mut() {
        match sink {
            Sink::Console => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(line.as_bytes());
                let _ = out.flush();
            }
            Sink::File { file, .. } => {
                let _ = file.write_all(line.as_bytes());
            }
        }
    }
}

/// Formats one line (with the trailing newline).
fn format_line(level: LogLevel, message: &str, now: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z [{}] {}\n",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond(),
        level.tag(),
        message
    )
}

/// Writes at `Verbose`.
pub fn verbose(message: &str) {
    write(LogLevel::Verbose, message)
}
/// Writes at `Debug`.
pub fn debug(message: &str) {
    write(LogLevel::Debug, message)
}
/// Writes at `Information`.
pub fn info(message: &str) {
    write(LogLevel::Information, message)
}
/// Writes at `Warning`.
pub fn warn(message: &str) {
    write(LogLevel::Warning, message)
}
/// Writes at `Error`.
pub fn error(message: &str) {
    write(LogLevel::Error, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format() {
        let t = time::macros::datetime!(2026-11-21 10:00:00.123 UTC);
        assert_eq!(
            format_line(LogLevel::Debug, "GET / 200 0.35ms", t),
            "2026-11-21T10:00:00.123Z [DBG] GET / 200 0.35ms\n"
        );
    }

    #[test]
    fn levels_table_matches_discriminants() {
        for (i, level) in LEVELS.iter().enumerate() {
            assert_eq!(*level as usize, i);
        }
        assert!(LEVELS.windows(2).all(|w| w[0] < w[1]), "increasing severity");
    }
}
