//! The evidence that crosses from the parallel scan to the sequential detectors: one matched
//! line with its source, position, envelope fields and signal captures.
//!
//! It is a plain, serializable value so chunks, files and machines can be scanned apart and
//! judged together.

use serde::Serialize;

use crate::record::{Envelope, EnvelopeParser, Level, LineFormat};
use crate::scan::{LineHit, SignalMatch};

/// One line that matched at least one signal, with its parsed envelope; or a *context line*
/// (no signal matches) that a targeted pass added (an earlier 2xx answer to a route that
/// answers 404 after a restart, see `detect::routes`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceLine {
    /// Index into the analysis's source list.
    pub source: usize,
    pub line_no: u64,
    /// Byte offset of the line's start in its source's (decompressed, normalised) stream.
    #[serde(skip)]
    pub offset: u64,
    /// The line as read (lossy UTF-8, cut when very long); a journal or docker JSON record
    /// is shown as `time host identifier[pid]: message`.
    pub text: String,
    /// UTC microseconds since the epoch.
    pub timestamp_us: Option<i64>,
    /// Microseconds since boot (kernel and dmesg lines).
    pub monotonic_us: Option<i64>,
    pub host: Option<String>,
    /// Syslog identifier, container or compose service.
    pub identifier: Option<String>,
    /// systemd unit named by the envelope (journal JSON) or `None`.
    pub unit: Option<String>,
    pub pid: Option<u32>,
    pub level: Option<Level>,
    pub message_id: Option<String>,
    pub matches: Vec<SignalMatch>,
}

/// A JSON record shown the way `journalctl -o short-iso` shows it: time, host,
/// identifier[pid]: message. The raw object (dozens of fields) is no use as evidence.
fn readable(envelope: &Envelope<'_>) -> String {
    let mut text = String::new();
    if let Some(us) = envelope.timestamp_us {
        text.push_str(&crate::detect::format_time(us));
        text.push(' ');
    }
    if let Some(host) = envelope.host {
        text.push_str(&String::from_utf8_lossy(host));
        text.push(' ');
    }
    if let Some(ident) = envelope.identifier.or(envelope.unit.as_deref()) {
        text.push_str(&String::from_utf8_lossy(ident));
        if let Some(pid) = envelope.pid {
            text.push_str(&format!("[{pid}]"));
        }
        text.push_str(": ");
    }
    // A journal message may span lines; evidence is one line.
    text.push_str(&String::from_utf8_lossy(&envelope.message).replace('\n', "\\n"));
    text
}

fn text(bytes: Option<&[u8]>) -> Option<String> {
    bytes.map(|b| String::from_utf8_lossy(b).into_owned())
}

impl EvidenceLine {
    /// Combines a scanner hit with its parsed envelope.
    pub fn from_hit(source: usize, hit: LineHit, parser: &mut EnvelopeParser) -> Self {
        let mut line = {
            let envelope = parser.parse(&hit.text);
            Self::from_envelope(source, hit.line_no, &hit.text, &envelope)
        };
        line.offset = hit.offset;
        line.matches = hit.matches;
        line
    }

    /// A context line: a line found by a targeted pass, with its envelope and no matches.
    pub fn context(
        source: usize,
        line_no: u64,
        offset: u64,
        raw: &[u8],
        parser: &mut EnvelopeParser,
    ) -> Self {
        let envelope = parser.parse(raw);
        let mut line = Self::from_envelope(source, line_no, &LineHit::keep_text(raw), &envelope);
        line.offset = offset;
        line
    }

    fn from_envelope(source: usize, line_no: u64, raw: &[u8], envelope: &Envelope<'_>) -> Self {
        Self {
            source,
            line_no,
            offset: 0,
            timestamp_us: envelope.timestamp_us,
            monotonic_us: envelope.monotonic_s.map(|s| (s * 1e6).round() as i64),
            host: text(envelope.host),
            identifier: text(envelope.identifier),
            unit: text(envelope.unit.as_deref()),
            pid: envelope.pid,
            level: envelope.level,
            message_id: text(envelope.message_id.as_deref()),
            text: match envelope.format {
                LineFormat::JournalJson | LineFormat::DockerJson => readable(envelope),
                _ => String::from_utf8_lossy(raw).into_owned(),
            },
            matches: Vec::new(),
        }
    }

    /// The first value captured under `name` by any signal on this line.
    pub fn capture(&self, name: &str) -> Option<&str> {
        self.matches.iter().find_map(|m| m.capture(name))
    }

    /// The best clock for intervals: wall time, else time since boot.
    pub fn clock_us(&self) -> Option<i64> {
        self.timestamp_us.or(self.monotonic_us)
    }

    /// Whether `signal` matched this line.
    pub fn has_signal(&self, signal: crate::rules::SignalIdx) -> bool {
        self.matches.iter().any(|m| m.signal == signal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_json_evidence_reads_like_short_iso() {
        let raw = br#"{"__REALTIME_TIMESTAMP":"1768566498069134","_HOSTNAME":"web","SYSLOG_IDENTIFIER":"python","_PID":"42","MESSAGE":"bind failed\nretrying"}"#;
        let hit = LineHit {
            line_no: 7,
            offset: 0,
            text: raw.to_vec(),
            matches: Vec::new(),
        };
        let line = EvidenceLine::from_hit(0, hit, &mut EnvelopeParser::new());
        assert_eq!(
            line.text,
            "2026-01-16T12:28:18.069134Z web python[42]: bind failed\\nretrying"
        );
        assert_eq!((line.line_no, line.pid), (7, Some(42)));
    }
}
