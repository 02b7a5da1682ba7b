//! Helpers shared by the test binaries that build journals from the corpora.

use std::path::{Path, PathBuf};

/// systemd's tool that writes `.journal` files from export format.
pub const JOURNAL_REMOTE: &str = "/lib/systemd/systemd-journal-remote";

/// Every corpus case's `journal.export`, in name order.
pub fn export_cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("journal.export"))
        .filter(|p| p.is_file())
        .collect();
    cases.sort();
    cases
}
