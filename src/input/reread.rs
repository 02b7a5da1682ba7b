//! Reading a source a second time, for targeted passes after the main scan (see
//! `detect::routes`): files by their path (an archive member by its name inside the
//! archive), and stdin when it is a regular file (`logsleuth < app.log`), from the offset it
//! had before the first read. A pipe cannot be read twice.

use std::fs::File;
use std::io::{Seek, SeekFrom};

use super::open::open_stream;
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
    /// it has now); `None` for a pipe or a terminal.
    pub fn of(spec: &SourceSpec) -> Option<Self> {
        let stdin_offset = match &spec.location {
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
