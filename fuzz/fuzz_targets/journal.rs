//! Journal files read natively: arbitrary bytes as the objects of a journal file behind a
//! valid header (so the fuzzer spends its time on entry arrays, entries and compressed
//! fields, not on finding the signature), or as a whole file; every entry is read.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use logsleuth::input::{open_journal_stream, JOURNAL_MAGIC};

/// Header size of the files built here (a multiple of 8, at least the 208 every version has).
const HEADER_SIZE: usize = 272;

/// A journal file whose header declares `objects` as its arena, with the entry array chain
/// starting at the first object; `flags` chooses compact items and compression flags.
fn with_header(flags: u8, objects: &[u8]) -> Vec<u8> {
    let mut file = vec![0u8; HEADER_SIZE];
    file[..8].copy_from_slice(JOURNAL_MAGIC);
    file[12..16].copy_from_slice(&u32::from(flags & 0x1f).to_le_bytes());
    file[88..96].copy_from_slice(&(HEADER_SIZE as u64).to_le_bytes());
    file[96..104].copy_from_slice(&(objects.len() as u64).to_le_bytes());
    file[176..184].copy_from_slice(&(HEADER_SIZE as u64).to_le_bytes());
    file.extend_from_slice(objects);
    file
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let file = if control & 0x80 != 0 {
        rest.to_vec()
    } else {
        with_header(control, rest)
    };
    let Ok(mut lines) = open_journal_stream(&file[..], "fuzz.journal") else {
        return;
    };
    let mut text = Vec::new();
    let _ = lines.read_to_end(&mut text);
    for line in text.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
        assert!(serde_json::from_slice::<serde_json::Value>(line).is_ok());
    }
});
