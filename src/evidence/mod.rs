//! The evidence that crosses from the parallel scan to the sequential detectors: one matched
//! line with its source, position, envelope fields and signal captures.
//!
//! It is a plain, serializable value so chunks, files and machines can be scanned apart and
//! judged together.

use foldhash::HashMap;
use std::borrow::Cow;

use serde::Serialize;

use crate::record::{Envelope, EnvelopeParser, Level, LineFormat};
use crate::scan::LineHit;

mod captures;
mod clock;
mod name;
mod origin;
mod text;

pub use crate::scan::Matches;
use captures::SharedCaptures;
pub use clock::Clock;
pub use name::Name;
use origin::SharedOrigins;
pub use origin::{Origin, OriginNames};
use text::TextKeeper;
pub use text::{LineText, DEFAULT_TEXT_BUDGET};

/// One line that matched at least one signal, with its parsed envelope; or a *context line*
/// (no signal matches) that a targeted pass added (an earlier 2xx answer to a route that
/// answers 404 after a restart, see `detect::routes`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceLine {
    /// Index into the analysis's source list ([`EvidenceLine::source`]): 4 bytes, as no run
    /// reads 4 billion sources, and next to the PID and level it saves a word per line.
    #[serde(rename = "source")]
    pub source_index: u32,
    pub line_no: u64,
    /// Byte offset of the line's start in its source's (decompressed, normalised) stream.
    #[serde(skip)]
    pub offset: u64,
    /// The line as read (lossy UTF-8, cut when very long); a journal or docker JSON record
    /// is shown as `time host identifier[pid]: message`. Past a run's text budget it lives
    /// in a temporary file ([`LineText::get`] reads it).
    pub text: LineText,
    /// UTC microseconds since the epoch.
    pub timestamp_us: Clock,
    /// Microseconds since boot (kernel and dmesg lines).
    pub monotonic_us: Clock,
    /// Host, identifier, unit and message id, shared with the other lines that name the
    /// same four ([`EvidenceBuilder`]); `line.origin.host` reads one.
    #[serde(flatten)]
    pub origin: Origin,
    pub pid: Option<u32>,
    pub level: Option<Level>,
    /// Lines of the same process left out just before this one, which it stands for in
    /// counts: a run of 404 answers keeps its first and last line ([`crate::detect::NotFoundLines`]).
    #[serde(skip)]
    pub stands_for: u16,
    /// Kept only to show its process was heard from (the first or last 404 of such a run):
    /// the lost-route detector does not count its 404.
    #[serde(skip)]
    pub presence_only: bool,
    pub matches: Matches,
}

// Hundreds of thousands are kept: a field more is megabytes more.
const _: () = assert!(std::mem::size_of::<EvidenceLine>() <= 88);

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
    text.push_str(&crate::record::lossy(&envelope.message).replace('\n', "\\n"));
    text
}

/// Turns scanner hits into evidence lines: parses each line's envelope and shares the
/// names (host, identifier, unit, message id) and the captures (a unit, a request path)
/// that many lines repeat, so a million lines of one host hold its name once.
#[derive(Debug, Default)]
pub struct EvidenceBuilder {
    parser: EnvelopeParser,
    names: SharedNames,
    captures: SharedCaptures,
    texts: TextKeeper,
}

impl EvidenceBuilder {
    pub fn new(parser: EnvelopeParser) -> Self {
        Self {
            parser,
            names: SharedNames::default(),
            captures: SharedCaptures::default(),
            texts: TextKeeper::default(),
        }
    }

    /// Holds at most `bytes` of line text in memory; further texts go to a temporary file
    /// (default [`DEFAULT_TEXT_BUDGET`]).
    pub fn with_text_budget(mut self, bytes: usize) -> Self {
        self.texts = TextKeeper::new(bytes);
        self
    }

    /// Why texts past the budget stayed in memory (no temporary file), if they did.
    pub fn text_problem(&self) -> Option<&str> {
        self.texts.problem()
    }

    /// A new source starts: `parser` (its year state) replaces the last one's; the names
    /// stay shared.
    pub fn start_source(&mut self, parser: EnvelopeParser) {
        self.parser = parser;
    }

    /// Combines a scanner hit (with its text, from its [`crate::scan::Hits`]) with its
    /// parsed envelope.
    pub fn line(&mut self, source: usize, hit: LineHit, text: &[u8]) -> EvidenceLine {
        let LineHit {
            line_no,
            offset,
            mut matches,
            ..
        } = hit;
        let envelope = self.parser.parse(text);
        let record = match envelope.format {
            LineFormat::JournalJson | LineFormat::DockerJson => Some(readable(&envelope)),
            _ => None,
        };
        for found in matches.iter_mut() {
            self.captures.share(found);
        }
        let mut line = from_envelope(source, line_no, &envelope, &mut self.names, matches);
        let shown = match record {
            Some(record) => Cow::Owned(record),
            // Text past the budget goes to the temporary file without a copy of its own.
            None => crate::record::lossy(text),
        };
        line.text = self.texts.keep(shown);
        line.offset = offset;
        line
    }

    /// A context line: a line found by a targeted pass, with its envelope and no matches.
    pub fn context_line(
        &mut self,
        source: usize,
        line_no: u64,
        offset: u64,
        raw: &[u8],
    ) -> EvidenceLine {
        let envelope = self.parser.parse(raw);
        let shown = match envelope.format {
            LineFormat::JournalJson | LineFormat::DockerJson => readable(&envelope),
            _ => {
                let mut kept = Vec::new();
                crate::scan::keep_text(raw, &mut kept);
                into_text(kept)
            }
        };
        let mut line = from_envelope(source, line_no, &envelope, &mut self.names, Matches::none());
        line.text = self.texts.keep(shown);
        line.offset = offset;
        line
    }
}

/// Interned names. Bounded: past [`SharedNames::MAX`] distinct names, new ones are not kept
/// (each origin made then owns its copy).
#[derive(Debug, Default)]
struct SharedNames {
    by_bytes: HashMap<Box<[u8]>, Name>,
    origins: SharedOrigins,
}

impl SharedNames {
    const MAX: usize = 65_536;

    /// The shared origin of the names `envelope` gives.
    fn origin(&mut self, envelope: &Envelope<'_>) -> Origin {
        let raw = [
            envelope.host,
            envelope.identifier,
            envelope.unit.as_deref(),
            envelope.message_id.as_deref(),
        ];
        let Self { by_bytes, origins } = self;
        origins.get(raw, || OriginNames {
            host: Self::name(by_bytes, raw[0]),
            identifier: Self::name(by_bytes, raw[1]),
            unit: Self::name(by_bytes, raw[2]),
            message_id: Self::name(by_bytes, raw[3]),
        })
    }

    fn name(by_bytes: &mut HashMap<Box<[u8]>, Name>, bytes: Option<&[u8]>) -> Option<Name> {
        let bytes = bytes?;
        if let Some(name) = by_bytes.get(bytes) {
            return Some(name.clone());
        }
        let name = Name::from(&*crate::record::lossy(bytes));
        if by_bytes.len() < Self::MAX {
            by_bytes.insert(bytes.into(), name.clone());
        }
        Some(name)
    }
}

/// The bytes as text, without a copy when they are valid UTF-8.
fn into_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}

fn from_envelope(
    source: usize,
    line_no: u64,
    envelope: &Envelope<'_>,
    names: &mut SharedNames,
    matches: Matches,
) -> EvidenceLine {
    EvidenceLine {
        source_index: u32::try_from(source).expect("fewer than 2^32 sources"),
        line_no,
        offset: 0,
        timestamp_us: envelope.timestamp_us.into(),
        monotonic_us: envelope
            .monotonic_s
            .map(|s| (s * 1e6).round() as i64)
            .into(),
        origin: names.origin(envelope),
        pid: envelope.pid,
        level: envelope.level,
        stands_for: 0,
        presence_only: false,
        text: LineText::default(),
        matches,
    }
}

impl EvidenceLine {
    /// Index into the analysis's source list.
    pub fn source(&self) -> usize {
        self.source_index as usize
    }

    /// The first value captured under `name` by any signal on this line.
    pub fn capture(&self, name: &str) -> Option<&str> {
        self.matches.iter().find_map(|m| m.capture(name))
    }

    /// The best clock for intervals: wall time, else time since boot.
    pub fn clock_us(&self) -> Option<i64> {
        self.timestamp_us.get().or(self.monotonic_us.get())
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
        let mut hits = crate::scan::Hits::default();
        hits.push(7, 0, raw, Matches::none());
        let (hit, text) = hits.drain().next().expect("one hit");
        let line = EvidenceBuilder::new(EnvelopeParser::new()).line(0, hit, text);
        assert_eq!(
            line.text.get(),
            "2026-01-16T12:28:18.069134Z web python[42]: bind failed\\nretrying"
        );
        assert_eq!((line.line_no, line.pid), (7, Some(42)));
    }
}
