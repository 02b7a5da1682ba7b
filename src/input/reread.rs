//! Reading a source a second time, for targeted passes after the main scan (see
//! `detect::routes`): files by their path, and stdin when it is a regular file
//! (`logsleuth < app.log`), from the offset it had before the first read. A pipe cannot be
//! read twice.

use std::fs::File;
use std::io::{Seek, SeekFrom};

use super::open::open_stream;
use super::{open, InputError, Location, Source, SourceSpec};

/// How to read a source again.
#[derive(Debug, Clone)]
pub enum Reread {
    /// A file (or anything opened by path), opened again.
    Path(SourceSpec),
    /// Stdin redirected from a regular file, read again from `offset`.
    StdinFile { name: String, offset: u64 },
}

impl Reread {
    /// How `spec` can be read again, checked before its first read (for stdin, the
    /// offset it has now); `None` for a pipe or a terminal.
    pub fn of(spec: &SourceSpec) -> Option<Self> {
        match &spec.location {
            Location::File(_) => Some(Reread::Path(spec.clone())),
            Location::Stdin => {
                let mut file = stdin_file()?;
                let offset = file.stream_position().ok()?;
                Some(Reread::StdinFile {
                    name: spec.name.clone(),
                    offset,
                })
            }
        }
    }

    /// Opens the source again, decompressed and normalised as the first time.
    pub fn open(&self) -> Result<Source, InputError> {
        match self {
            Reread::Path(spec) => open(spec),
            Reread::StdinFile { name, offset } => {
                let spec = SourceSpec {
                    name: name.clone(),
                    location: Location::Stdin,
                    from_walk: false,
                };
                let fail = |err| InputError::from_io(name, err);
                let mut file = stdin_file().ok_or_else(|| {
                    fail(std::io::Error::other("standard input is no longer a file"))
                })?;
                file.seek(SeekFrom::Start(*offset)).map_err(fail)?;
                let reader = open_stream(Box::new(file), &spec)?;
                Ok(Source::from_reader(name.clone(), reader))
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
