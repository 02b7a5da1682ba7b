//! Line envelopes: the timestamp, host, identifier, unit, PID, level and message of one
//! log line.
//!
//! Only lines that the scanner flagged (and the few a detector asks for) are parsed, so this
//! module is off the per-line hot path; it still allocates nothing except for JSON string
//! values with escapes (or journald byte-array messages) and quoted logfmt messages with
//! escapes. A journalctl `short` line takes roughly 100-150 ns.
//!
//! # Formats and fallback
//!
//! [`EnvelopeParser::parse`] never fails. It tries the format family that matched the
//! previous line first, then the others in a fixed order: journalctl `-x` catalog lines,
//! JSON (journal `-o json`, docker json-file, JSON application logs), `<PRI>` syslog
//! (RFC 5424 / RFC 3164), journalctl `short`/`short-precise`, ISO-led lines (`short-iso`,
//! CRI, dmesg ISO, application lines), `short-unix`, dmesg brackets, `systemctl status`
//! lines, docker-compose / concurrently prefixes, logfmt, other application shapes, and a
//! bare `ident[pid]: msg`. A line nothing matches is [`LineFormat::Plain`] with the whole
//! line as the message. A trailing `\r` is stripped; leading blanks are ignored (pasted
//! output), except that `systemctl status` key lines use their indentation.
//!
//! # Timestamps
//!
//! Stamps are UTC microseconds since the epoch. Stamps without a zone are taken as UTC;
//! numeric offsets and a small table of zone abbreviations are applied. Year-less stamps
//! (syslog `Mar 06 02:30:04`, dmesg `-H` `[Feb 5 06:51]`) get their year by this rule:
//!
//! 1. the year given to [`EnvelopeParser::with_reference_year`], if any;
//! 2. else the first year hint: [`EnvelopeParser::note_year_hint`] (e.g. a file's mtime
//!    year) or the year of the first full-dated stamp parsed, outer or nested (including
//!    `-- Logs begin at ...` and `systemctl status` `Active: ... since ...`), whichever
//!    comes first;
//! 3. else the current UTC year, provisionally: when a hint arrives later it replaces that
//!    guess from then on (and on the line itself when the hint is that line's nested
//!    stamp, e.g. `Oct 31 09:12:23 host app[1]: ERR 2023-10-31 09:12:23 ...`).
//!
//! The year is fixed at the first year-less stamp and then only moves forward: if a
//! year-less stamp's month is more than 6 months before the previous year-less stamp's
//! month (Dec → Jan), the year is incremented; a jump of more than 6 months forward
//! (Jan → Dec) never decrements it.
//!
//! # Nested envelopes
//!
//! Journal, syslog, docker, compose and CRI envelopes often wrap an application line
//! (`python3[12]: 2026-01-16 12:28:18 | ERROR | ...`, `web_1 | ERROR:    ...`). Their
//! message is read again for an application stamp, level and PID:
//!
//! - the outer timestamp is kept when there is one, else the inner one is used;
//! - the inner level wins over the outer one (journald `PRIORITY` is 6 or 3 for anything
//!   an application prints on stdout/stderr, so the inner level is the better one);
//! - the outer PID is kept, else the inner one is used;
//! - `message` stays the outer message: the inner stamp and level prefix remain in it.
//!
//! # Borrowing
//!
//! Everything borrows from the line except decoded JSON/logfmt messages, journal units and
//! MESSAGE_IDs with escapes. `host` and `identifier` always borrow: a JSON value with
//! escapes is returned still escaped there (hostnames and identifiers are plain ASCII in
//! practice).

mod app;
mod bytes;
pub use bytes::lossy;
mod container;
mod json;
mod kernel;
mod level;
mod syslog;
mod systemd;
mod time;
mod year;

use std::borrow::Cow;

use year::YearClock;

/// Severity level found in a line's envelope or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
}

/// Which line shape the envelope was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineFormat {
    /// `Mar 06 02:30:04 host ident[pid]: msg` (journalctl short, RFC 3164 syslog).
    SyslogShort,
    /// `2026-01-16T12:28:18+0000 host ident[pid]: msg` (short-iso, short-iso-precise).
    SyslogIso,
    /// `1700000000.123456 host ident[pid]: msg` (short-unix).
    SyslogUnix,
    /// RFC 5424 `<34>1 2026-01-16T12:28:18Z host app pid msgid - msg`.
    Rfc5424,
    /// journalctl `-o json` / `-o json-seq`.
    JournalJson,
    /// journalctl `-x` catalog line, prefixed `░░` (or `--` in old versions).
    Catalog,
    /// `systemctl status` header lines (`Active:`, `Main PID:`, `Process:` ...).
    SystemctlStatus,
    /// dmesg `[  123.456789] msg`.
    Dmesg,
    /// dmesg -T `[Thu Dec  7 00:05:14 2017] msg`.
    DmesgHuman,
    /// docker-compose `web_1  | msg`.
    DockerCompose,
    /// docker json-file `{"log":"...","stream":"stderr","time":"..."}`.
    DockerJson,
    /// Kubernetes CRI `2026-01-16T12:28:18.123456789Z stderr F msg`.
    Cri,
    /// Application line with its own timestamp (python logging, loguru, uvicorn, Go log, ...).
    App,
    /// logfmt `time=... level=error msg="..."`.
    Logfmt,
    /// A JSON application line (`{"level":"error","msg":...}`).
    JsonApp,
    /// No recognised envelope: the whole line is the message.
    Plain,
}

/// The parsed envelope of one line. Byte slices borrow from the line, except `message`
/// for JSON input, where escapes have to be decoded.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    pub format: LineFormat,
    /// UTC microseconds since the Unix epoch: the envelope's stamp, or the one inside the
    /// message when the envelope has none.
    pub timestamp_us: Option<i64>,
    /// Seconds since boot (dmesg, kernel lines with `[  518.050606]`).
    pub monotonic_s: Option<f64>,
    pub host: Option<&'a [u8]>,
    /// Syslog identifier, container or compose service name.
    pub identifier: Option<&'a [u8]>,
    /// systemd unit where the input names it (`_SYSTEMD_UNIT`, `UNIT`).
    pub unit: Option<std::borrow::Cow<'a, [u8]>>,
    pub pid: Option<u32>,
    pub level: Option<Level>,
    /// journald MESSAGE_ID (32 hex digits) where the input has it.
    pub message_id: Option<std::borrow::Cow<'a, [u8]>>,
    pub message: std::borrow::Cow<'a, [u8]>,
}

impl<'a> Envelope<'a> {
    /// An envelope with only a format and a message.
    pub(crate) fn new(format: LineFormat, message: Cow<'a, [u8]>) -> Self {
        Envelope {
            format,
            timestamp_us: None,
            monotonic_s: None,
            host: None,
            identifier: None,
            unit: None,
            pid: None,
            level: None,
            message_id: None,
            message,
        }
    }

    /// The envelope of a line with no recognised envelope: the whole line is the message.
    pub fn plain(line: &'a [u8]) -> Self {
        Envelope::new(LineFormat::Plain, Cow::Borrowed(line))
    }
}

/// A group of line shapes recognised by one parsing function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Catalog,
    Json,
    Pri,
    SyslogShort,
    IsoLed,
    SyslogUnix,
    Dmesg,
    SystemctlStatus,
    Compose,
    Logfmt,
    App,
    BareTag,
}

/// The order in which families are tried after the remembered one.
const FAMILY_ORDER: [Family; 12] = [
    Family::Catalog,
    Family::Json,
    Family::Pri,
    Family::SyslogShort,
    Family::IsoLed,
    Family::SyslogUnix,
    Family::Dmesg,
    Family::SystemctlStatus,
    Family::Compose,
    Family::Logfmt,
    Family::App,
    Family::BareTag,
];

/// Families tried on the message of an outer envelope, chosen by its first byte.
fn inner_families(first: u8) -> &'static [Family] {
    match first {
        b'0'..=b'9' => &[Family::IsoLed, Family::App],
        b'{' => &[Family::Json],
        b'[' => &[Family::App],
        c if c.is_ascii_alphabetic() => &[Family::App, Family::Logfmt],
        _ => &[],
    }
}

/// Stamp, level and PID found in the message of an outer envelope.
#[derive(Debug, Clone, Copy)]
struct InnerFacts {
    timestamp_us: Option<i64>,
    level: Option<Level>,
    pid: Option<u32>,
}

/// Parses envelopes, remembering what it learned from earlier lines of the same source
/// (format, year for year-less stamps). Use one parser per source.
#[derive(Debug, Default, Clone)]
pub struct EnvelopeParser {
    last_family: Option<Family>,
    clock: YearClock,
}

impl EnvelopeParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives year-less stamps this year (before any rollover); overrides all hints.
    #[must_use]
    pub fn with_reference_year(mut self, year: i32) -> Self {
        self.clock.set_reference(year);
        self
    }

    /// Offers a year for year-less stamps (e.g. the file's mtime year). Only the first
    /// hint counts, whether it comes from here or from a full-dated stamp in the input;
    /// call it before parsing the source's first line.
    pub fn note_year_hint(&mut self, year: i32) {
        self.clock.note_hint(year);
    }

    /// Parses the envelope of one line (without its newline). Never fails.
    pub fn parse<'a>(&mut self, line: &'a [u8]) -> Envelope<'a> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let body = bytes::skip_blanks(line);
        if body.is_empty() {
            return Envelope::plain(line);
        }
        let indent = line.len() - body.len();
        let yearless_before = self.clock.yearless_stamps();
        let Some(env) = self.parse_outer(body, indent) else {
            return Envelope::plain(line);
        };
        let used_yearless = self.clock.yearless_stamps() != yearless_before;
        if !used_yearless {
            self.note_stamp_year(env.timestamp_us);
        }
        self.with_inner(env, used_yearless)
    }

    /// The remembered family first, then the others in order.
    fn parse_outer<'a>(&mut self, body: &'a [u8], indent: usize) -> Option<Envelope<'a>> {
        if let Some(family) = self.last_family {
            if let Some(env) = self.try_family(family, body, indent) {
                return Some(env);
            }
        }
        for family in FAMILY_ORDER {
            if Some(family) == self.last_family {
                continue;
            }
            if let Some(env) = self.try_family(family, body, indent) {
                self.last_family = Some(family);
                return Some(env);
            }
        }
        None
    }

    /// A full-dated stamp is a year hint (only the first hint counts).
    fn note_stamp_year(&mut self, timestamp_us: Option<i64>) {
        if let Some(us) = timestamp_us {
            self.clock.note_hint(time::year_of_us(us));
        }
    }

    fn try_family<'a>(
        &mut self,
        family: Family,
        body: &'a [u8],
        indent: usize,
    ) -> Option<Envelope<'a>> {
        let clock = &mut self.clock;
        match family {
            Family::Catalog => systemd::parse_catalog(body, clock),
            Family::Json => json::parse_json_line(body),
            Family::Pri => syslog::parse_with_pri(body, clock),
            Family::SyslogShort => syslog::parse_short(body, clock),
            Family::IsoLed => app::parse_iso_led(body),
            Family::SyslogUnix => syslog::parse_short_unix(body),
            Family::Dmesg => kernel::parse_dmesg_prefix(body, clock),
            Family::SystemctlStatus => systemd::parse_status(body, indent),
            Family::Compose => container::parse_compose(body),
            Family::Logfmt => app::parse_logfmt(body),
            Family::App => app::parse_app(body),
            Family::BareTag => syslog::parse_bare_tag(body),
        }
    }

    /// Applies the nesting rule (module docs) to envelopes that can wrap an app line.
    /// When the outer stamp used the wall-clock year guess and the inner stamp supplies
    /// the first year hint, the outer stamp is moved to the hinted year.
    fn with_inner<'a>(&mut self, mut env: Envelope<'a>, used_yearless: bool) -> Envelope<'a> {
        if !wraps_application_lines(env.format) {
            return env;
        }
        let guessed_year = self.clock.provisional_year().filter(|_| used_yearless);
        let Some(inner) = self.inner_facts(&env.message) else {
            return env;
        };
        self.note_stamp_year(inner.timestamp_us);
        if let (Some(guess), Some(us)) = (guessed_year, env.timestamp_us) {
            match self.clock.running_year() {
                Some(year) if year != guess && self.clock.provisional_year().is_none() => {
                    env.timestamp_us = Some(time::with_year(us, year));
                }
                _ => {}
            }
        }
        env.timestamp_us = env.timestamp_us.or(inner.timestamp_us);
        env.level = inner.level.or(env.level);
        env.pid = env.pid.or(inner.pid);
        env
    }

    fn inner_facts(&mut self, message: &[u8]) -> Option<InnerFacts> {
        let body = bytes::skip_blanks(message);
        let first = *body.first()?;
        inner_families(first).iter().find_map(|&family| {
            let env = self.try_family(family, body, 0)?;
            Some(InnerFacts {
                timestamp_us: env.timestamp_us,
                level: env.level,
                pid: env.pid,
            })
        })
    }
}

fn wraps_application_lines(format: LineFormat) -> bool {
    matches!(
        format,
        LineFormat::SyslogShort
            | LineFormat::SyslogIso
            | LineFormat::SyslogUnix
            | LineFormat::Rfc5424
            | LineFormat::JournalJson
            | LineFormat::DockerCompose
            | LineFormat::DockerJson
            | LineFormat::Cri
    )
}

#[cfg(test)]
mod tests;
