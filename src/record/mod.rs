//! Line envelopes: the timestamp, host, identifier, PID, level and message of one log line.
//!
//! Only lines that the scanner flagged (and the few a detector asks for) are parsed, so this
//! module is off the per-line hot path; it still allocates nothing for the common formats.

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

/// Parses envelopes, remembering what it learned from earlier lines of the same source
/// (format, year for year-less stamps).
#[derive(Debug, Default)]
pub struct EnvelopeParser {}

impl EnvelopeParser {
    pub fn new() -> Self {
        Self {}
    }

    pub fn parse<'a>(&mut self, line: &'a [u8]) -> Envelope<'a> {
        Envelope {
            format: LineFormat::Plain,
            timestamp_us: None,
            monotonic_s: None,
            host: None,
            identifier: None,
            unit: None,
            pid: None,
            level: None,
            message_id: None,
            message: std::borrow::Cow::Borrowed(line),
        }
    }
}

impl EnvelopeParser {
    /// Year for year-less stamps when the logs don't say.
    pub fn with_reference_year(self, _year: i32) -> Self {
        self
    }
}
