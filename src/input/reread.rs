//! Reading a source a second time, for targeted passes after the main scan (see
//! `detect::routes`): files by their path (an archive member by its name inside the
//! archive), and stdin when it is a regular file (`logsleuth < app.log`), from the offset it
//! had before the first read. A pipe cannot be read twice.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use super::archive::TAR_HEADER_LEN;
use super::open::{is_plain_text, open_stream};
use super::text::TextReader;
use super::{open, InputError, Location, Source, SourceSpec};

/// How to read a command-line source (and every source inside it) again.
#[derive(Debug, Clone)]
pub struct Reread {
    spec: SourceSpec,
    /// For stdin redirected from a regular file: where it started.
    stdin_offset: Option<u64>,
}

impl Reread {
    /// How `spec` can be read again, checked before its first read (for stdin, the offset
    /// it has now); `None` for a pipe or a terminal, on stdin or named (a FIFO opened again
    /// would wait for a writer that never comes).
    pub fn of(spec: &SourceSpec) -> Option<Self> {
        let stdin_offset = match &spec.location {
            Location::File(path) if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) => {
                return None
            }
            Location::File(_) | Location::JournalFiles(_) => None,
            Location::Stdin => Some(stdin_file()?.stream_position().ok()?),
        };
        Some(Self {
            spec: spec.clone(),
            stdin_offset,
        })
    }

    /// Opens the spec again, decompressed, unpacked and normalised as the first time, and
    /// hands `visit` the source named `name` (the spec itself, or one archive member).
    /// Problems are not reported again: the first read reported them.
    pub fn read_source(&self, name: &str, mut visit: impl FnMut(Source<'_>)) {
        let mut wanted = |opened: Result<Source<'_>, InputError>| {
            if let Ok(source) = opened {
                if source.name == name {
                    visit(source);
                }
            }
        };
        match self.stdin_offset {
            None => open(&self.spec, wanted),
            Some(offset) => {
                let Some(mut file) = stdin_file() else {
                    return;
                };
                if file.seek(SeekFrom::Start(offset)).is_ok() {
                    open_stream(Box::new(file), &self.spec.name, false, 0, &mut wanted);
                }
            }
        }
    }
}

impl Reread {
    /// Like [`Reread::read_source`], but the source handed to `visit` starts at byte
    /// `offset` of its normalised stream (an offset the first read recorded, at the start of
    /// a line). A plain text file is read from there with a seek; anything else (compressed,
    /// an archive member, a journal, UTF-16) is opened again and read up to there.
    pub fn read_source_from(&self, name: &str, offset: u64, mut visit: impl FnMut(Source<'_>)) {
        if name == self.spec.name {
            if let Some(file) = self.plain_file_at(offset) {
                visit(Source::from_reader(name, Box::new(TextReader::new(file))));
                return;
            }
        }
        self.read_source(name, |mut source| {
            let skipped = io::copy(&mut (&mut source.reader).take(offset), &mut io::sink());
            if matches!(skipped, Ok(n) if n == offset) {
                visit(source);
            }
        });
    }

    /// Whether [`Reread::read_source_from`] seeks for the source `name` (rather than read
    /// everything before the offset).
    pub fn can_seek(&self, name: &str) -> bool {
        name == self.spec.name && self.plain_file_at(0).is_some()
    }

    /// The spec's file positioned at `offset`, when the spec is a plain text file.
    fn plain_file_at(&self, offset: u64) -> Option<File> {
        let (mut file, base) = match (&self.spec.location, self.stdin_offset) {
            (Location::File(path), None) => (File::open(path).ok()?, 0),
            (Location::Stdin, Some(base)) => (stdin_file()?, base),
            _ => return None,
        };
        file.seek(SeekFrom::Start(base)).ok()?;
        let mut head = Vec::with_capacity(TAR_HEADER_LEN);
        (&mut file)
            .take(TAR_HEADER_LEN as u64)
            .read_to_end(&mut head)
            .ok()?;
        if !is_plain_text(&head) {
            return None;
        }
        file.seek(SeekFrom::Start(base.checked_add(offset)?)).ok()?;
        Some(file)
    }
}

/// A second handle on stdin when it is a regular file.
#[cfg(unix)]
fn stdin_file() -> Option<File> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let file = File::from(fd);
    file.metadata().ok()?.is_file().then_some(file)
}

#[cfg(not(unix))]
fn stdin_file() -> Option<File> {
    None
}
