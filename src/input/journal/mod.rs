//! systemd journal files (`*.journal`, `*.journal~`) read directly, without journalctl.
//!
//! A journal is recognised by its first bytes (`LPKSHHRH`), wherever it is found: named on
//! the command line, met in a directory walk, piped in on stdin. Its entries are rendered
//! as `journalctl -o json` lines ([`entry`]), so the scanner and the JSON envelope parser
//! handle them like journalctl's own output. The journal files of one directory
//! (`/var/log/journal/<machine-id>/system.journal`, `system@….journal`,
//! `user-1000.journal`) are one source named after the directory, their entries merged by
//! wall-clock time ([`merge`]); evidence line numbers count entries in that merged order.
//!
//! Every incompatible feature flag of the format is understood: xz, lz4 and zstd
//! compressed DATA objects, keyed hashes (hashes are not needed to read) and compact files
//! (32-bit item offsets). Damaged files are read as far as they go ([`file`]); what was
//! skipped ends the stream as an [`InputError::Journal`] after every readable entry.
//!
//! Submodules: `format` (the on-disk layout), `pages` (cached, bounds-checked random
//! access), `file` (one file's entries), `decompress` (compressed payloads), `entry` (JSON
//! rendering), `merge` (several files as one stream), `error` ([`JournalError`],
//! [`Damage`]).

mod decompress;
mod entry;
mod error;
mod file;
mod format;
mod merge;
mod pages;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, Cursor, Read, Seek};
use std::path::{Path, PathBuf};

pub use error::{Damage, JournalError};
pub use format::JOURNAL_MAGIC;

use super::InputError;
use file::JournalFile;
use merge::JournalLines;

/// A journal piped in on stdin is read into memory up to this size (journald rotates its
/// files long before).
const STDIN_LIMIT: u64 = 1024 * 1024 * 1024;

/// Whether `prefix` (a stream's first bytes) starts a journal file.
pub fn is_journal(prefix: &[u8]) -> bool {
    prefix.starts_with(JOURNAL_MAGIC)
}

/// Whether the file at `path` starts like a journal file (`false` when it cannot be read:
/// opening it as any other file then reports why).
pub fn file_is_journal(path: &Path) -> bool {
    let mut magic = [0u8; JOURNAL_MAGIC.len()];
    File::open(path)
        .and_then(|mut file| file.read_exact(&mut magic))
        .is_ok()
        && is_journal(&magic)
}

/// Whether an open file starts like a journal file; the file is left at its start.
pub fn starts_like_journal(file: &mut File) -> io::Result<bool> {
    let mut magic = [0u8; JOURNAL_MAGIC.len()];
    let read = file.read_exact(&mut magic);
    file.rewind()?;
    match read {
        Ok(()) => Ok(is_journal(&magic)),
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(err) => Err(err),
    }
}

/// Opens one journal file as a stream of JSON lines.
pub fn open_file(file: File, name: &str) -> Result<Box<dyn Read + Send>, InputError> {
    let journal = open_journal(name, file)?;
    Ok(Box::new(JournalLines::new(vec![journal], Vec::new())))
}

/// Opens several journal files as one stream of JSON lines, merged by time. Files that
/// cannot be opened are reported at the end of the stream; the others are read.
pub fn open_files(paths: &[PathBuf]) -> Box<dyn Read + Send> {
    let mut files = Vec::new();
    let mut unopened = Vec::new();
    for path in paths {
        let file_name = path.display().to_string();
        let opened = File::open(path)
            .map_err(|err| format!("cannot be opened ({err})"))
            .and_then(|file| JournalFile::open(&file_name, file).map_err(|err| err.to_string()));
        match opened {
            Ok(file) => files.push(file),
            Err(what) => unopened.push(Damage {
                file: file_name,
                offset: 0,
                what: format!("not read: {what}"),
            }),
        }
    }
    Box::new(JournalLines::new(files, unopened))
}

/// Reads a journal file from a stream (stdin, a buffer) into memory and opens it as a
/// stream of JSON lines.
pub fn open_stream(reader: impl Read, name: &str) -> Result<Box<dyn Read + Send>, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(STDIN_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| InputError::from_read(name, err))?;
    if bytes.len() as u64 > STDIN_LIMIT {
        let err = JournalError::TooLargeForStdin {
            limit_mib: STDIN_LIMIT / (1024 * 1024),
        };
        return Err(journal_error(name, err));
    }
    let journal = open_journal(name, Cursor::new(bytes))?;
    Ok(Box::new(JournalLines::new(vec![journal], Vec::new())))
}

fn open_journal<R: Read + Seek>(name: &str, reader: R) -> Result<JournalFile<R>, InputError> {
    JournalFile::open(name, reader).map_err(|err| journal_error(name, err))
}

fn journal_error(name: &str, err: JournalError) -> InputError {
    InputError::Journal {
        name: name.to_owned(),
        err,
    }
}
