//! Journal files as one stream of `journalctl -o json` lines: the entries of every file,
//! merged by wall-clock time (realtime timestamp).
//!
//! Each file keeps its own order (an entry never overtakes one written before it in the
//! same file, even when the clock went back); between files the earlier head entry comes
//! first, ties going to the file listed first. This is the order of `journalctl` for files
//! from different writers. After the last entry the stream ends with a
//! [`JournalError::Damaged`] error when anything was skipped, so every readable entry is
//! scanned before the damage is reported.

use std::io::{self, Read, Seek};

use super::entry::Entry;
use super::error::{Damage, JournalError};
use super::file::JournalFile;

/// How many bytes of rendered entries are prepared at a time.
const FILL_TARGET: usize = 64 * 1024;

/// The merged entries of several journal files, read as JSON lines.
pub struct JournalLines<R> {
    files: Vec<JournalFile<R>>,
    /// The next entry of each file, once started.
    heads: Option<Vec<Option<Entry>>>,
    /// Files that could not be opened at all.
    unopened: Vec<Damage>,
    rendered: Vec<u8>,
    consumed: usize,
    damage_reported: bool,
}

impl<R: Read + Seek> JournalLines<R> {
    /// A stream over `files`; `unopened` are the files of the set that could not be opened,
    /// reported with the damage at the end.
    pub fn new(files: Vec<JournalFile<R>>, unopened: Vec<Damage>) -> Self {
        JournalLines {
            files,
            heads: None,
            unopened,
            rendered: Vec::new(),
            consumed: 0,
            damage_reported: false,
        }
    }

    /// The earliest head entry, replaced by the next one of its file.
    fn next_entry(&mut self) -> Option<Entry> {
        let files = &mut self.files;
        let heads = self
            .heads
            .get_or_insert_with(|| files.iter_mut().map(JournalFile::next_entry).collect());
        let earliest = heads
            .iter()
            .enumerate()
            .filter_map(|(n, head)| head.as_ref().map(|entry| (entry.realtime(), n)))
            .min()?
            .1;
        let next = self.files[earliest].next_entry();
        std::mem::replace(&mut heads[earliest], next)
    }

    /// Renders entries until about [`FILL_TARGET`] bytes are ready or the entries end.
    fn render_more(&mut self) {
        self.rendered.clear();
        self.consumed = 0;
        while self.rendered.len() < FILL_TARGET {
            match self.next_entry() {
                Some(entry) => entry.write_json_line(&mut self.rendered),
                None => break,
            }
        }
    }

    /// Everything skipped in every file, once.
    fn damage(&mut self) -> Option<JournalError> {
        let mut damage = std::mem::take(&mut self.unopened);
        for file in &mut self.files {
            damage.extend(file.take_damage());
        }
        let entries_read = self.files.iter().map(JournalFile::entries_read).sum();
        (!damage.is_empty()).then_some(JournalError::Damaged {
            entries_read,
            damage,
        })
    }
}

impl<R: Read + Seek> Read for JournalLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.consumed == self.rendered.len() {
            self.render_more();
        }
        if self.rendered.is_empty() {
            if !self.damage_reported {
                self.damage_reported = true;
                if let Some(err) = self.damage() {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, err));
                }
            }
            return Ok(0);
        }
        let n = (&self.rendered[self.consumed..]).read(buf)?;
        self.consumed += n;
        Ok(n)
    }
}
