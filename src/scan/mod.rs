//! The multi-pattern scanner: finds the lines that match any signal of the loaded rules.
//!
//! Aho-Corasick runs over whole blocks to find candidate lines (literals grouped so each
//! automaton stays on its fast SIMD path); only on a candidate line is the envelope stripped
//! and the signal's regex run to confirm and capture. Signals without a usable literal are
//! found by one multi-line regex over the block. Large inputs are cut into line-aligned
//! chunks scanned in parallel; hits come back in input order, identical for any chunk size.

mod hit;
mod matcher;

pub use hit::{LineHit, SignalMatch};
pub use matcher::{Scanner, ScannerBuilder};

/// Counts `\n` bytes; written so the compiler vectorises it.
pub fn count_newlines(bytes: &[u8]) -> u64 {
    let mut total = 0u64;
    for chunk in bytes.chunks(1 << 14) {
        total += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
    }
    total
}
