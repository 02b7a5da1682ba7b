//! What the scanner reports: the lines that matched, with the signals and their captures.

use std::sync::Arc;

use triomphe::ThinArc;

use serde::Serialize;

use crate::rules::SignalIdx;

/// Longest line text kept as evidence; longer lines are cut (the cut is marked).
pub const MAX_EVIDENCE_BYTES: usize = 4096;

/// The names of a signal's named capture groups, shared by every match of the signal; a
/// match refers to them by index. One pointer wide (a boxed slice behind the `Arc`).
pub type CaptureNames = Arc<Box<[Arc<str>]>>;

/// A match's captures in one shared allocation: the signal's capture names, then the packed
/// captures (see [`SignalMatch`]). One pointer wide; cloning it shares it.
type CapturePack = ThinArc<CaptureNames, u8>;

/// One signal that matched a line, with its named captures.
///
/// The captures live in one byte string: for each, its name's index and its value's length,
/// each a little varint of ASCII bytes (6 bits per byte, bit 6 says more follow), then the
/// value. That string and the signal's capture names share one reference-counted allocation
/// (the *pack*), so a match is 16 bytes and keeps one allocation however many groups its
/// regex has; lines that captured the same values can share one pack
/// ([`SignalMatch::share_captures`]), which is how evidence lines by the hundred thousand
/// stay small.
#[derive(Clone)]
pub struct SignalMatch {
    pub signal: SignalIdx,
    /// Always valid UTF-8: the varints are ASCII and the values are `str`.
    pack: CapturePack,
}

const _: () = assert!(std::mem::size_of::<SignalMatch>() == 16);

thread_local! {
    /// Where [`SignalMatch::new`] packs captures before they get their own allocation.
    static PACKING: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl SignalMatch {
    /// A match of `signal` with `captures`: (index into `names`, value) pairs.
    pub fn new<V: AsRef<str>>(
        signal: SignalIdx,
        names: &CaptureNames,
        captures: impl IntoIterator<Item = (usize, V)>,
    ) -> Self {
        let pack = PACKING.with_borrow_mut(|packed| {
            packed.clear();
            for (name, value) in captures {
                let value = value.as_ref();
                debug_assert!(name < names.len());
                push_varint(packed, name);
                push_varint(packed, value.len());
                packed.extend_from_slice(value.as_bytes());
            }
            CapturePack::from_header_and_slice(Arc::clone(names), packed)
        });
        Self { signal, pack }
    }

    /// Whether `other` captured exactly what this match did, under the same names: then
    /// the two can share one pack.
    pub fn same_captures(&self, other: &SignalMatch) -> bool {
        self.pack.ptr() == other.pack.ptr()
            || (Arc::ptr_eq(&self.pack.header.header, &other.pack.header.header)
                && self.pack.slice == other.pack.slice)
    }

    /// Whether the two matches share one pack.
    pub fn shares_captures_with(&self, other: &SignalMatch) -> bool {
        self.pack.ptr() == other.pack.ptr()
    }

    /// Makes this match use `other`'s captures, which must be the same
    /// ([`SignalMatch::same_captures`]); its own allocation is freed.
    pub fn share_captures(&mut self, other: &SignalMatch) {
        debug_assert!(self.same_captures(other));
        self.pack = other.pack.clone();
    }

    /// The identity of the capture names (their address) and the packed captures: what
    /// [`SignalMatch::same_captures`] compares, for hashing.
    pub fn pack_contents(&self) -> (usize, &[u8]) {
        (
            Arc::as_ptr(&self.pack.header.header) as usize,
            &self.pack.slice,
        )
    }

    fn names(&self) -> &[Arc<str>] {
        &self.pack.header.header
    }

    fn packed(&self) -> &str {
        // SAFETY: `new` is the only writer, and it writes ASCII varints and `str` values.
        unsafe { std::str::from_utf8_unchecked(&self.pack.slice) }
    }

    /// The value captured under `name`, the first if several groups share the name.
    /// Detectors ask this of every line, so names are compared once, not per capture.
    pub fn capture(&self, name: &str) -> Option<&str> {
        let mut wanted = 0u64;
        let first = name.as_bytes().first();
        for (index, candidate) in self.names().iter().enumerate().take(64) {
            // Length and first byte rule out most names without a comparison call.
            if candidate.len() == name.len()
                && candidate.as_bytes().first() == first
                && **candidate == *name
            {
                wanted |= 1 << index;
            }
        }
        if wanted == 0 && self.names().len() <= 64 {
            return None;
        }
        self.entries()
            .find(|&(index, _)| match index {
                0..=63 => wanted & (1 << index) != 0,
                _ => *self.names()[index] == *name,
            })
            .map(|(_, value)| value)
    }

    /// Every capture, as (name, value), in group order.
    pub fn captures(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.entries()
            .map(|(index, value)| (&*self.names()[index], value))
    }

    /// Every capture as (name index, value).
    fn entries(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        let packed = self.packed();
        let bytes = packed.as_bytes();
        let mut at = 0;
        std::iter::from_fn(move || {
            if at >= bytes.len() {
                return None;
            }
            let (index, after_index) = read_varint(bytes, at);
            let (len, start) = read_varint(bytes, after_index);
            at = start + len;
            Some((index, &packed[start..at]))
        })
    }
}

/// Appends `n` as ASCII bytes of 6 bits each, low bits first; bit 6 marks that more follow.
fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 64 {
        out.push(0x40 | (n & 0x3F) as u8);
        n >>= 6;
    }
    out.push(n as u8);
}

/// Reads a number [`push_varint`] wrote at `bytes[at..]`; returns it and where it ends.
fn read_varint(bytes: &[u8], mut at: usize) -> (usize, usize) {
    let (mut n, mut shift) = (0usize, 0);
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        n |= usize::from(byte & 0x3F) << shift;
        shift += 6;
        if byte & 0x40 == 0 {
            break;
        }
    }
    (n, at)
}

/// Equal when the same signal captured the same values under the same names.
impl PartialEq for SignalMatch {
    fn eq(&self, other: &Self) -> bool {
        self.signal == other.signal
            && (self.shares_captures_with(other)
                || (self.names() == other.names() && self.pack.slice == other.pack.slice))
    }
}

impl Eq for SignalMatch {}

impl std::fmt::Debug for SignalMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalMatch")
            .field("signal", &self.signal)
            .field("captures", &self.captures().collect::<Vec<_>>())
            .finish()
    }
}

/// As a list of `{name, value}` objects, the shape the evidence has always had.
impl Serialize for SignalMatch {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Captures<'a>(&'a SignalMatch);
        impl Serialize for Captures<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[derive(Serialize)]
                struct Capture<'a> {
                    name: &'a str,
                    value: &'a str,
                }
                let mut seq = serializer.serialize_seq(None)?;
                for (name, value) in self.0.captures() {
                    seq.serialize_element(&Capture { name, value })?;
                }
                seq.end()
            }
        }
        let mut state = serializer.serialize_struct("SignalMatch", 2)?;
        state.serialize_field("signal", &self.signal)?;
        state.serialize_field("captures", &Captures(self))?;
        state.end()
    }
}

/// A line that matched at least one signal. Its text is in the [`Hits`] it came in, and
/// means nothing without them ([`Hits::text`], [`Hits::drain`]).
#[derive(Debug, Clone)]
pub struct LineHit {
    /// 1-based line number in its source.
    pub line_no: u64,
    /// Byte offset of the line's start in the scanned data (the engine makes it an offset
    /// in the source's stream).
    pub offset: u64,
    /// Where its text is in its [`Hits`]' buffer.
    text: std::ops::Range<usize>,
    pub matches: super::Matches,
}

/// The lines of a scan that matched, in input order, with their texts (as read, without the
/// line ending, cut at [`MAX_EVIDENCE_BYTES`]) in one buffer: a busy block's hundreds of
/// matched lines cost one allocation for their texts, not one each, and the thread that
/// turns them into evidence frees one buffer, not each line's (frees of memory another
/// thread allocated contend for that thread's allocator lock).
///
/// Reads as a slice of [`LineHit`]; [`Hits::text`] gives a hit's text. Two are equal when
/// their hits are, text for text.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    lines: Vec<LineHit>,
    texts: Vec<u8>,
}

impl std::ops::Deref for Hits {
    type Target = [LineHit];

    fn deref(&self) -> &[LineHit] {
        &self.lines
    }
}

impl PartialEq for Hits {
    fn eq(&self, other: &Self) -> bool {
        self.lines.len() == other.lines.len()
            && self.lines.iter().zip(&other.lines).all(|(a, b)| {
                (a.line_no, a.offset, &a.matches) == (b.line_no, b.offset, &b.matches)
                    && self.text(a) == other.text(b)
            })
    }
}

impl Eq for Hits {}

impl Hits {
    /// The text of `hit`, one of these hits.
    pub fn text(&self, hit: &LineHit) -> &[u8] {
        &self.texts[hit.text.clone()]
    }

    /// Adds a hit for `line` (cut at [`MAX_EVIDENCE_BYTES`]).
    pub(crate) fn push(&mut self, line_no: u64, offset: u64, line: &[u8], matches: super::Matches) {
        let start = self.texts.len();
        keep_text(line, &mut self.texts);
        self.lines.push(LineHit {
            line_no,
            offset,
            text: start..self.texts.len(),
            matches,
        });
    }

    /// Appends `other`'s hits, with `line_base` added to their line numbers and
    /// `offset_base` to their offsets.
    pub(crate) fn append(&mut self, mut other: Hits, line_base: u64, offset_base: u64) {
        if self.lines.is_empty() && self.texts.is_empty() {
            // The first part (a block of one chunk is all of it): taken, not copied.
            for hit in &mut other.lines {
                hit.line_no += line_base;
                hit.offset += offset_base;
            }
            *self = other;
            return;
        }
        let text_base = self.texts.len();
        self.texts.extend_from_slice(&other.texts);
        self.lines.extend(other.lines.into_iter().map(|mut hit| {
            hit.line_no += line_base;
            hit.offset += offset_base;
            hit.text = hit.text.start + text_base..hit.text.end + text_base;
            hit
        }));
    }

    /// Takes the hits out in order, each with its text.
    pub fn drain(&mut self) -> impl Iterator<Item = (LineHit, &[u8])> {
        let Self { lines, texts } = self;
        let texts: &[u8] = texts;
        lines.drain(..).map(move |hit| {
            let text = &texts[hit.text.clone()];
            (hit, text)
        })
    }
}

/// Appends `line` to `out`, cut at [`MAX_EVIDENCE_BYTES`] (the cut marked with an ellipsis).
pub(crate) fn keep_text(line: &[u8], out: &mut Vec<u8>) {
    if line.len() <= MAX_EVIDENCE_BYTES {
        out.extend_from_slice(line);
        return;
    }
    let mut end = MAX_EVIDENCE_BYTES;
    // Do not cut a UTF-8 sequence in half.
    while end > 0 && (line[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    out.extend_from_slice(&line[..end]);
    out.extend_from_slice("…".as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_come_back_as_they_went_in() {
        let long = "x".repeat(70_000);
        let names: CaptureNames = Arc::new(
            ["port", "path", "port", "message"]
                .iter()
                .map(|n| Arc::from(*n))
                .collect(),
        );
        let m = SignalMatch::new(7, &names, [(1, "/ä/€"), (2, "80"), (3, long.as_str())]);
        assert_eq!(
            m.captures().collect::<Vec<_>>(),
            [("path", "/ä/€"), ("port", "80"), ("message", long.as_str())]
        );
        assert_eq!(m.capture("port"), Some("80"));
        assert_eq!(m.capture("missing"), None);
        let many: CaptureNames = Arc::new((0..300).map(|i| Arc::from(format!("g{i}"))).collect());
        let m = SignalMatch::new(1, &many, [(299, ""), (64, "v")]);
        assert_eq!(
            m.captures().collect::<Vec<_>>(),
            [("g299", ""), ("g64", "v")]
        );
        let none = SignalMatch::new(4, &names, std::iter::empty::<(usize, &str)>());
        assert_eq!((none.captures().count(), none.capture("port")), (0, None));
        let unit: CaptureNames = Arc::new(Box::new([Arc::from("unit")]));
        assert_eq!(
            serde_json::to_string(&SignalMatch::new(3, &unit, [(0, "a.service")])).unwrap(),
            r#"{"signal":3,"captures":[{"name":"unit","value":"a.service"}]}"#
        );
    }
}
