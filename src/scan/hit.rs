//! What the scanner reports: the lines that matched, with the signals and their captures.

use std::sync::Arc;

use serde::Serialize;

use crate::rules::SignalIdx;

/// Longest line text kept as evidence; longer lines are cut (the cut is marked).
pub const MAX_EVIDENCE_BYTES: usize = 4096;

/// One named capture of a signal's regex. The name is shared by every match of the signal,
/// so evidence pays only for the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capture {
    pub name: Arc<str>,
    pub value: Box<str>,
}

impl Capture {
    pub fn new(name: &str, value: &str) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// One signal that matched a line, with its named captures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignalMatch {
    pub signal: SignalIdx,
    pub captures: Box<[Capture]>,
}

impl SignalMatch {
    pub fn capture(&self, name: &str) -> Option<&str> {
        self.captures
            .iter()
            .find(|c| &*c.name == name)
            .map(|c| &*c.value)
    }
}

/// A line that matched at least one signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineHit {
    /// 1-based line number in its source.
    pub line_no: u64,
    /// Byte offset of the line's start in the scanned data (the engine makes it an offset
    /// in the source's stream).
    #[serde(skip)]
    pub offset: u64,
    /// The line as read (without the line ending), cut at [`MAX_EVIDENCE_BYTES`].
    #[serde(serialize_with = "lossy")]
    pub text: Vec<u8>,
    pub matches: Vec<SignalMatch>,
}

fn lossy<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&String::from_utf8_lossy(bytes))
}

impl LineHit {
    pub(crate) fn keep_text(line: &[u8]) -> Vec<u8> {
        if line.len() <= MAX_EVIDENCE_BYTES {
            return line.to_vec();
        }
        let mut end = MAX_EVIDENCE_BYTES;
        // Do not cut a UTF-8 sequence in half.
        while end > 0 && (line[end] & 0xC0) == 0x80 {
            end -= 1;
        }
        let mut text = line[..end].to_vec();
        text.extend_from_slice("…".as_bytes());
        text
    }
}
