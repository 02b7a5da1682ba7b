//! The multi-pattern scanner: finds the lines that match any signal of the loaded rules.
//!
//! A literal prefilter runs over whole blocks to find candidate lines: Aho-Corasick for a
//! small literal set (literals grouped so each automaton stays on its fast SIMD path), the
//! bucketed shift-or search of `bucket_filter` for a large one. Only on a candidate line is
//! the envelope stripped and the signal's regex run to confirm and capture (`repeats`: a
//! message seen word for word a moment ago gets the answer kept for it instead). Signals
//! without a usable literal are found by one multi-line regex over the block. Large inputs
//! are cut into line-aligned chunks scanned in parallel; hits come back in input order,
//! identical for any chunk size.

mod bucket_filter;
mod hit;
mod matcher;
mod matches;
mod repeats;

pub(crate) use hit::keep_text;
pub use hit::{CaptureNames, Hits, LineHit, SignalMatch, MAX_EVIDENCE_BYTES};
pub use matcher::{signals_capturing, Scanner, ScannerBuilder};
pub use matches::Matches;

/// Counts `\n` bytes (memchr's vectorised count).
pub fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}
