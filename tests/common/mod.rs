//! Helpers shared by the test binaries that read the corpora (each uses a part of them).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// systemd's tool that writes `.journal` files from export format.
pub const JOURNAL_REMOTE: &str = "/lib/systemd/systemd-journal-remote";

/// Every corpus case's `journal.export`, in name order.
pub fn export_cases() -> Vec<PathBuf> {
    corpus_files("journal.export")
}

/// The file `name` of every corpus case that has one, in case name order.
pub fn corpus_files(name: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join(name))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}
