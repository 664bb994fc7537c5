//! Serilog-style output templates: `[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}`.
//!
//! A template is text with tokens `{Name[,alignment][:format]}`; `{{` and `}}` are literal braces (a lone `}`
//! is literal too). The tokens:
//!
//! | token | renders |
//! | :---- | :------ |
//! | `{Timestamp}` / `{Timestamp:format}` | the event time, with a .NET date format (see below); without a format .NET's default `MM/dd/yyyy HH:mm:ss zzz` |
//! | `{Level}` | the full level name (`Information`) |
//! | `{Level:u3}` / `{Level:w3}` / `{Level:t3}` | upper / lower / title case, 1 to 4 characters (`INF`, `inf`, `Inf`; `u4` = `INFO`); `u`, `w`, `t` alone: the full name in that case |
//! | `{Message}` / `{Message:lj}` | the message text (`l` and `j` change nothing: messages are plain text) |
//! | `{NewLine}` | the platform's line end (`\n`; `\r\n` on Windows) |
//! | `{Exception}`, `{ErrorRecord}` | nothing: no exception or error record travels through the native pipeline (accepted so that Serilog's and Kestrun's templates work unchanged) |
//!
//! An alignment pads the rendered token with spaces to that width: on the left when positive
//! (`{Level,12}`), on the right when negative (`{Level,-12}`). Any other token (`{Properties}`,
//! `{SourceContext}`, `{@x}`, a misspelt name...) and an unclosed `{` are **rejected** with an error that
//! names the token and lists the supported ones: a template is checked once, when its sink is created.
//!
//! Timestamp formats are .NET's custom date and time format strings in the invariant culture: `yyyy`
//! `yy` `MM` `M` `MMM` `MMMM` `dd` `d` `ddd` `dddd` `HH` `H` `hh` `h` `mm` `m` `ss` `s` `f`..`fffffff`
//! `F`..`FFFFFFF` `tt` `t` `zzz` `zz` `z` `K` `g`, `'quoted'` / `"quoted"` text, `\x` escapes; other
//! characters are copied. A one-character format is a standard format: `d D f F g G M m O o R r s t T u
//! U Y y` (`r`, `R`, `u`, `U` in UTC).
use std::fmt::{self, Write as _};

use time::{OffsetDateTime, UtcOffset};

use super::LogLevel;
use crate::error::{Error, Result};

/// The platform's line end (`{NewLine}`).
const NEWLINE: &str = if cfg!(windows) { "\r\n" } else { "\n" };

/// A parsed output template: what a sink renders for each event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTemplate {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Token { token: Token, alignment: Option<i32> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Timestamp(DateFormat),
    Level(LevelFormat),
    Message,
    NewLine,
    /// `{Exception}` and `{ErrorRecord}`: always empty here.
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    Title,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LevelFormat {
    /// `None`: the name as is (`Information`).
    case: Option<Case>,
    /// `None`: the full name.
    width: Option<usize>,
}

/// A compiled .NET date format.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DateFormat {
    /// Standard formats `r`, `R`, `u`, `U` show UTC whatever the offset.
    utc: bool,
    items: Vec<DateItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DateItem {
    Text(String),
    Year(usize),
    Month(usize),
    Day(usize),
    Hour24(usize),
    Hour12(usize),
    Minute(usize),
    Second(usize),
    /// `f` (keep zeros) or `F` (trailing zeros trimmed; all zero: nothing, and a `.` just before goes too).
    Fraction {
        digits: usize,
        trim: bool,
    },
    AmPm(usize),
    Offset(usize),
    Era,
}

const SUPPORTED: &str = "{Timestamp[:format]}, {Level[:u3|w3|t3]}, {Message[:lj]}, {NewLine}, {Exception}, \
                         {ErrorRecord}, each with an optional alignment such as {Level,-5}; write {{ and }} for literal braces";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// Level names in title case: 1 to 4 characters, then the full name (Serilog's abbreviations).
const LEVEL_NAMES: [[&str; 5]; 6] = [
    ["V", "Vb", "Vrb", "Verb", "Verbose"],
    ["D", "De", "Dbg", "Dbug", "Debug"],
    ["I", "In", "Inf", "Info", "Information"],
    ["W", "Wn", "Wrn", "Warn", "Warning"],
    ["E", "Er", "Err", "Eror", "Error"],
    ["F", "Fa", "Ftl", "Fatl", "Fatal"],
];

impl OutputTemplate {
    /// Parses `template`; `ErrorKind::InvalidArgument` naming the offending token when it has an unknown
    /// token, an unsupported format or an unclosed `{`.
    pub fn parse(template: &str) -> Result<Self> {
        let fail = |what: String| Error::invalid_argument(format!("output template \"{template}\": {what}"));
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = template;
        while let Some(i) = rest.find(['{', '}']) {
            text.push_str(&rest[..i]);
            let brace = rest.as_bytes()[i];
            let after = &rest[i + 1..];
            if brace == b'}' {
                // `}}` and a lone `}` are both one literal brace.
                text.push('}');
                rest = after.strip_prefix('}').unwrap_or(after);
                continue;
            }
            if let Some(after) = after.strip_prefix('{') {
                text.push('{');
                rest = after;
                continue;
            }
            // A `{` before the next `}` means this one is never closed.
            let end = after.find('}').filter(|&end| !after[..end].contains('{'));
            let Some(end) = end else {
                let offset = template.len() - rest.len() + i;
                return Err(fail(format!("unclosed '{{' at offset {offset} (write {{{{ for a literal brace)")));
            };
            let body = &after[..end];
            let (token, alignment) = parse_token(body).map_err(|why| fail(format!("{{{body}}}: {why}")))?;
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(Part::Token { token, alignment });
            rest = &after[end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(OutputTemplate { source: template.to_owned(), parts })
    }

    /// The template text as given.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Renders one event: `timestamp` is shown as is (its offset is the one `zzz` prints).
    pub fn format(&self, level: LogLevel, message: &str, timestamp: OffsetDateTime) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.render(&mut out, level, timestamp, &mut |w: &mut dyn fmt::Write| w.write_str(message));
        out
    }

    /// Renders one event into `out`; `message` writes the message text where `{Message}` is.
    pub(crate) fn render(
        &self,
        out: &mut dyn fmt::Write,
        level: LogLevel,
        timestamp: OffsetDateTime,
        message: &mut dyn FnMut(&mut dyn fmt::Write) -> fmt::Result,
    ) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Text(text) => out.write_str(text)?,
                Part::Token { token, alignment: None } => render_token(out, token, level, timestamp, message)?,
                Part::Token { token, alignment: Some(alignment) } => {
                    let mut text = String::new();
                    render_token(&mut text, token, level, timestamp, message)?;
                    let width = alignment.unsigned_abs() as usize;
                    let pad = width.saturating_sub(text.chars().count());
                    if *alignment > 0 {
                        write!(out, "{:pad$}{text}", "")?;
                    } else {
                        write!(out, "{text}{:pad$}", "")?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for OutputTemplate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        OutputTemplate::parse(s)
    }
}

impl fmt::Display for OutputTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn render_token(
    out: &mut dyn fmt::Write,
    token: &Token,
    level: LogLevel,
    timestamp: OffsetDateTime,
    message: &mut dyn FnMut(&mut dyn fmt::Write) -> fmt::Result,
) -> fmt::Result {
    match token {
        Token::Timestamp(format) => format.render(out, timestamp),
        Token::Level(format) => out.write_str(&format.render(level)),
        Token::Message => message(out),
        Token::NewLine => out.write_str(NEWLINE),
        Token::Empty => Ok(()),
    }
}

/// `Name[,alignment][:format]` → token and alignment, or why not.
fn parse_token(body: &str) -> std::result::Result<(Token, Option<i32>), String> {
    let (head, format) = match body.split_once(':') {
        Some((head, format)) => (head, Some(format)),
        None => (body, None),
    };
    let (name, alignment) =
        match head.split_once(',') {
            Some((name, alignment)) => {
                let value =
                    alignment.trim().parse::<i32>().ok().filter(|a| *a != 0 && a.unsigned_abs() <= 1000).ok_or_else(
                        || format!("alignment '{alignment}' is not a non-zero whole number (e.g. 5 or -5)"),
                    )?;
                (name, Some(value))
            }
            None => (head, None),
        };
    let format = format.unwrap_or("");
    let token = match name {
        "Timestamp" => Token::Timestamp(DateFormat::parse(format)?),
        "Level" => Token::Level(LevelFormat::parse(format)?),
        "Message" => {
            if !format.chars().all(|c| c == 'l' || c == 'j') {
                return Err(format!("unsupported Message format '{format}' (use {{Message}} or {{Message:lj}})"));
            }
            Token::Message
        }
        "NewLine" => Token::NewLine,
        "Exception" | "ErrorRecord" => Token::Empty,
        _ => return Err(format!("unknown token (supported: {SUPPORTED})")),
    };
    Ok((token, alignment))
}

impl LevelFormat {
    fn parse(format: &str) -> std::result::Result<Self, String> {
        let bad =
            || format!("unsupported Level format '{format}' (use u3, w3, t3, u, w or t, or none for the full name)");
        let mut chars = format.chars();
        let case = match chars.next() {
            None => return Ok(LevelFormat { case: None, width: None }),
            Some('u') => Case::Upper,
            Some('w') => Case::Lower,
            Some('t') => Case::Title,
            Some(_) => return Err(bad()),
        };
        let digits = chars.as_str();
        let width = if digits.is_empty() {
            None
        } else {
            Some(digits.parse::<usize>().ok().filter(|w| *w >= 1).ok_or_else(bad)?)
        };
        Ok(LevelFormat { case: Some(case), width })
    }

    fn render(&self, level: LogLevel) -> String {
        let names = &LEVEL_NAMES[level as usize];
        let name = match self.width {
            Some(w) if w <= 4 => names[w - 1],
            _ => names[4],
        };
        match self.case {
            None | Some(Case::Title) => name.to_owned(),
            Some(Case::Upper) => name.to_uppercase(),
            Some(Case::Lower) => name.to_lowercase(),
        }
    }
}

impl DateFormat {
    fn parse(format: &str) -> std::result::Result<Self, String> {
        let mut chars = format.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            let pattern = if format.is_empty() { "MM/dd/yyyy HH:mm:ss zzz" } else { format };
            return Ok(DateFormat { utc: false, items: compile_custom(pattern)? });
        };
        // Standard formats of the invariant culture.
        let (utc, pattern) = match c {
            'd' => (false, "MM/dd/yyyy"),
            'D' => (false, "dddd, dd MMMM yyyy"),
            'f' => (false, "dddd, dd MMMM yyyy HH:mm"),
            'F' => (false, "dddd, dd MMMM yyyy HH:mm:ss"),
            'g' => (false, "MM/dd/yyyy HH:mm"),
            'G' => (false, "MM/dd/yyyy HH:mm:ss"),
            'M' | 'm' => (false, "MMMM dd"),
            'O' | 'o' => (false, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz"),
            'R' | 'r' => (true, "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'"),
            's' => (false, "yyyy'-'MM'-'dd'T'HH':'mm':'ss"),
            't' => (false, "HH:mm"),
            'T' => (false, "HH:mm:ss"),
            'u' => (true, "yyyy'-'MM'-'dd HH':'mm':'ss'Z'"),
            'U' => (true, "dddd, dd MMMM yyyy HH:mm:ss"),
            'Y' | 'y' => (false, "yyyy MMMM"),
            _ => return Err(format!("'{c}' is not a standard date format (d D f F g G M O R s t T u U Y)")),
        };
        Ok(DateFormat { utc, items: compile_custom(pattern)? })
    }

    fn render(&self, out: &mut dyn fmt::Write, timestamp: OffsetDateTime) -> fmt::Result {
        let t = if self.utc { timestamp.to_offset(UtcOffset::UTC) } else { timestamp };
        let mut s = String::with_capacity(32);
        for item in &self.items {
            match item {
                DateItem::Text(text) => s.push_str(text),
                DateItem::Year(1) => write!(s, "{}", t.year().rem_euclid(100))?,
                DateItem::Year(2) => write!(s, "{:02}", t.year().rem_euclid(100))?,
                DateItem::Year(n) => write!(s, "{:0n$}", t.year())?,
                DateItem::Month(n) => match n {
                    1 | 2 => write!(s, "{:0n$}", t.month() as u8)?,
                    3 => s.push_str(&MONTHS[t.month() as usize - 1][..3]),
                    _ => s.push_str(MONTHS[t.month() as usize - 1]),
                },
                DateItem::Day(n) => match n {
                    1 | 2 => write!(s, "{:0n$}", t.day())?,
                    3 => s.push_str(&WEEKDAYS[t.weekday().number_days_from_monday() as usize][..3]),
                    _ => s.push_str(WEEKDAYS[t.weekday().number_days_from_monday() as usize]),
                },
                DateItem::Hour24(n) => write!(s, "{:0w$}", t.hour(), w = (*n).min(2))?,
                DateItem::Hour12(n) => {
                    let h = match t.hour() % 12 {
                        0 => 12,
                        h => h,
                    };
                    write!(s, "{h:0w$}", w = (*n).min(2))?
                }
                DateItem::Minute(n) => write!(s, "{:0w$}", t.minute(), w = (*n).min(2))?,
                DateItem::Second(n) => write!(s, "{:0w$}", t.second(), w = (*n).min(2))?,
                DateItem::Fraction { digits, trim } => {
                    let value = t.nanosecond() / 10u32.pow(9 - *digits as u32);
                    let mut text = format!("{value:0digits$}");
                    if *trim {
                        text.truncate(text.trim_end_matches('0').len());
                        if text.is_empty() && s.ends_with('.') {
                            s.pop();
                        }
                    }
                    s.push_str(&text);
                }
                DateItem::AmPm(n) => {
                    let am_pm = if t.hour() < 12 { "AM" } else { "PM" };
                    s.push_str(if *n == 1 { &am_pm[..1] } else { am_pm });
                }
                DateItem::Offset(n) => {
                    let total = t.offset().whole_seconds();
                    let sign = if total < 0 { '-' } else { '+' };
                    let (hours, minutes) = (total.unsigned_abs() / 3600, total.unsigned_abs() % 3600 / 60);
                    match n {
                        1 => write!(s, "{sign}{hours}")?,
                        2 => write!(s, "{sign}{hours:02}")?,
                        _ => write!(s, "{sign}{hours:02}:{minutes:02}")?,
                    }
                }
                DateItem::Era => s.push_str("A.D."),
            }
        }
        out.write_str(&s)
    }
}

/// Compiles a .NET custom date format (invariant culture).
fn compile_custom(pattern: &str) -> std::result::Result<Vec<DateItem>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut items = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        let item = match c {
            'y' => DateItem::Year(run),
            'M' => DateItem::Month(run),
            'd' => DateItem::Day(run),
            'H' => DateItem::Hour24(run),
            'h' => DateItem::Hour12(run),
            'm' => DateItem::Minute(run),
            's' => DateItem::Second(run),
            'f' | 'F' if run > 7 => {
                return Err(format!("date format '{pattern}': at most 7 '{c}' (fractions of a second)"));
            }
            'f' => DateItem::Fraction { digits: run, trim: false },
            'F' => DateItem::Fraction { digits: run, trim: true },
            't' => DateItem::AmPm(run),
            'z' => DateItem::Offset(run),
            'K' => DateItem::Offset(3),
            'g' => DateItem::Era,
            '\'' | '"' => {
                let Some(len) = chars[i + 1..].iter().position(|&x| x == c) else {
                    return Err(format!("date format '{pattern}': unterminated quote {c}"));
                };
                text.extend(&chars[i + 1..i + 1 + len]);
                i += len + 2;
                continue;
            }
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err(format!("date format '{pattern}': '\\' at the end"));
                };
                text.push(next);
                i += 2;
                continue;
            }
            '%' => {
                i += 1;
                continue;
            }
            other => {
                text.push(other);
                i += 1;
                continue;
            }
        };
        // Repeats beyond what a specifier uses are absorbed by it (as .NET does), except `K` and `g`,
        // which each repeat on their own.
        let used = if matches!(c, 'K') { 1 } else { run };
        if !text.is_empty() {
            items.push(DateItem::Text(std::mem::take(&mut text)));
        }
        items.push(item);
        i += used;
    }
    if !text.is_empty() {
        items.push(DateItem::Text(text));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::error::ErrorKind;

    const T: OffsetDateTime = datetime!(2026-11-29 08:31:04.0305 +01:00);

    fn render(template: &str, level: LogLevel, message: &str) -> String {
        OutputTemplate::parse(template).unwrap().format(level, message, T)
    }

    fn error(template: &str) -> String {
        let e = OutputTemplate::parse(template).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        e.message().to_owned()
    }

    #[test]
    fn serilog_default_templates() {
        assert_eq!(
            render(super::super::DEFAULT_CONSOLE_TEMPLATE, LogLevel::Debug, "GET /hello 200 5.03ms"),
            format!("[08:31:04 DBG] GET /hello 200 5.03ms{NEWLINE}")
        );
        assert_eq!(
            render(super::super::DEFAULT_FILE_TEMPLATE, LogLevel::Information, "started"),
            format!("2026-11-29 08:31:04.030 +01:00 [INF] started{NEWLINE}")
        );
        // Kestrun's own console default (with {ErrorRecord}) works unchanged.
        assert_eq!(
            render(
                "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{ErrorRecord}{Exception}",
                LogLevel::Fatal,
                "x"
            ),
            format!("[08:31:04 FTL] x{NEWLINE}")
        );
    }

    #[test]
    fn level_formats() {
        let all = [
            LogLevel::Verbose,
            LogLevel::Debug,
            LogLevel::Information,
            LogLevel::Warning,
            LogLevel::Error,
            LogLevel::Fatal,
        ];
        // `{Level<format>}` alone.
        let level = |format: &str, l: LogLevel| render(&format!("{{Level{format}}}"), l, "");
        for (format, names) in [
            (":u3", ["VRB", "DBG", "INF", "WRN", "ERR", "FTL"]),
            (":w3", ["vrb", "dbg", "inf", "wrn", "err", "ftl"]),
            ("", ["Verbose", "Debug", "Information", "Warning", "Error", "Fatal"]),
        ] {
            let rendered: Vec<String> = all.iter().map(|l| level(format, *l)).collect();
            assert_eq!(rendered, names, "{{Level{format}}}");
        }
        assert_eq!(level(":t3", LogLevel::Warning), "Wrn");
        assert_eq!(level(":u4", LogLevel::Information), "INFO");
        assert_eq!(level(":u1", LogLevel::Error), "E");
        assert_eq!(level(":u", LogLevel::Information), "INFORMATION");
        assert_eq!(level(":w", LogLevel::Fatal), "fatal");
        assert_eq!(level(":u9", LogLevel::Debug), "DEBUG");
    }

    #[test]
    fn alignment_and_braces() {
        assert_eq!(render("[{Level,-12}]", LogLevel::Debug, ""), "[Debug       ]");
        assert_eq!(render("[{Level,6:u3}]", LogLevel::Debug, ""), "[   DBG]");
        assert_eq!(render("[{Message,-4}]", LogLevel::Debug, "ab"), "[ab  ]");
        assert_eq!(render("{{literal}} {Message} }", LogLevel::Debug, "m"), "{literal} m }");
        assert_eq!(render("no tokens", LogLevel::Debug, "m"), "no tokens");
        assert_eq!(render("{Message}{Message:l}{Message:j}", LogLevel::Debug, "m"), "mmm");
        assert_eq!(render("", LogLevel::Debug, "m"), "");
    }

    #[test]
    fn timestamp_formats() {
        for (format, expected) in [
            ("HH:mm:ss", "08:31:04"),
            ("HH:mm:ss.fff", "08:31:04.030"),
            ("yyyy-MM-dd", "2026-11-29"),
            ("yyyy-MM-dd HH:mm:ss.fff zzz", "2026-11-29 08:31:04.030 +01:00"),
            ("yyyy-MM-ddTHH:mm:ss.ffffffzzz", "2026-11-29T08:31:04.030500+01:00"),
            ("ss.FFFF", "04.0305"),
            ("ss.F", "04"), // an all-zero F drops its dot
            ("h:mm tt", "8:31 AM"),
            ("ddd dd MMM yy", "Sun 29 Nov 26"),
            ("dddd d MMMM", "Sunday 29 November"),
            ("z zz K", "+1 +01 +01:00"),
            ("'at' HH\\h mm \"min\"", "at 08h 31 min"),
            ("o", "2026-11-29T08:31:04.0305000+01:00"),
            ("u", "2026-11-29 07:31:04Z"), // u is UTC
            ("s", "2026-11-29T08:31:04"),
            ("T", "08:31:04"),
        ] {
            let rendered = render(&format!("{{Timestamp:{format}}}"), LogLevel::Debug, "");
            assert_eq!(rendered, expected, "{{Timestamp:{format}}}");
        }
        assert_eq!(render("{Timestamp}", LogLevel::Debug, ""), "11/29/2026 08:31:04 +01:00");
        let negative = datetime!(2026-01-02 23:05:09 -05:30);
        let t = OutputTemplate::parse("{Timestamp:yyyy-MM-dd HH:mm:ss zzz} {Timestamp:hh tt}").unwrap();
        assert_eq!(t.format(LogLevel::Debug, "", negative), "2026-01-02 23:05:09 -05:30 11 PM");
    }

    #[test]
    fn unknown_tokens_and_bad_formats_are_rejected() {
        let e = error("[{Level:u3}] {Properties}{NewLine}");
        assert!(e.contains("{Properties}: unknown token (supported: {Timestamp[:format]}"), "{e}");
        assert!(e.starts_with("output template \"[{Level:u3}] {Properties}{NewLine}\""), "{e}");
        assert!(error("{timestamp}").contains("{timestamp}: unknown token"));
        assert!(error("{@Message}").contains("unknown token"));
        assert!(error("{}").contains("{}: unknown token"));
        assert!(error("[{Level:u3] x").contains("unclosed '{' at offset 1"));
        assert!(error("[{Level:u3] {Message}").contains("unclosed '{' at offset 1"), "not a Level format error");
        assert!(error("{Level:x3}").contains("unsupported Level format 'x3'"));
        assert!(error("{Level:u0}").contains("unsupported Level format 'u0'"));
        assert!(error("{Message:z}").contains("unsupported Message format 'z'"));
        assert!(error("{Level,x}").contains("alignment 'x'"));
        assert!(error("{Timestamp:Q}").contains("'Q' is not a standard date format"));
        assert!(error("{Timestamp:HH 'open}").contains("unterminated quote"));
        assert!(error("{Timestamp:ss.ffffffff}").contains("at most 7"));
    }

    #[test]
    fn round_trips_its_text() {
        let t: OutputTemplate = "[{Level}] {Message}".parse().unwrap();
        assert_eq!(t.as_str(), "[{Level}] {Message}");
        assert_eq!(t.to_string(), "[{Level}] {Message}");
    }
}
