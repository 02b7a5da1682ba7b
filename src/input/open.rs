//! Opening a source: stdin, a memory-mapped regular file, or a decompressing stream.
//!
//! The decompressor is chosen by the first bytes, whatever the file's name. An uncompressed
//! regular file is mapped; an empty one, a file that cannot be mapped, and anything that is
//! not a regular file (a FIFO, `/dev/stdin`, `/proc` files that claim a size of 0) are
//! streamed. A file found by a directory walk whose first 8 KiB (after decompression)
//! contain a NUL byte is not opened: [`open`] returns [`InputError::Binary`], a note rather
//! than an error. Files named explicitly are always read; NUL bytes are just data there.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use super::compression::{Compression, MAGIC_LEN};
use super::{Body, InputError, Location, Source, SourceSpec};

/// How many leading bytes of a walked file are checked for NUL bytes.
pub const BINARY_CHECK_LEN: usize = 8 * 1024;

/// Opens a source: maps regular files, wraps stdin and decompresses by magic bytes.
///
/// Errors are about this source only. [`InputError::Binary`] (for walked files only) means
/// "skipped, say so and go on"; check [`InputError::is_error`].
pub fn open(spec: &SourceSpec) -> Result<Source, InputError> {
    let body = match &spec.location {
        Location::Stdin => Body::Stream(Box::new(io::stdin())),
        Location::File(path) => open_file(path, spec)?,
    };
    Ok(Source {
        name: spec.name.clone(),
        body,
    })
}

fn open_file(path: &Path, spec: &SourceSpec) -> Result<Body, InputError> {
    let fail = |err| InputError::from_io(&spec.name, err);
    let mut file = File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if meta.is_dir() {
        return Err(InputError::IsDirectory {
            name: spec.name.clone(),
        });
    }
    let magic = read_prefix(&mut file, MAGIC_LEN).map_err(fail)?;
    let body = match Compression::detect(&magic) {
        Some(format) => {
            let compressed = Cursor::new(magic).chain(file);
            Body::Stream(format.decoder(compressed).map_err(fail)?)
        }
        None if meta.is_file() && meta.len() > 0 => map_or_stream(file, magic),
        None => Body::Stream(Box::new(Cursor::new(magic).chain(file))),
    };
    if spec.from_walk {
        return skip_if_binary(body, &spec.name);
    }
    Ok(body)
}

/// Maps a regular file; streams it when the system refuses the mapping.
fn map_or_stream(file: File, magic: Vec<u8>) -> Body {
    // SAFETY: the map is read-only and private to this process. If another process
    // truncates the file while it is mapped, reading past the new end raises SIGBUS; that
    // is the accepted cost of mapping (ripgrep makes the same trade). Logs are appended to,
    // and rotation renames or copies before truncating.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => {
            advise_sequential(&map);
            Body::Mapped(map)
        }
        Err(_) => Body::Stream(Box::new(Cursor::new(magic).chain(file))),
    }
}

#[cfg(unix)]
fn advise_sequential(map: &memmap2::Mmap) {
    // Only a hint to the kernel; failing to give it changes nothing.
    let _ = map.advise(memmap2::Advice::Sequential);
}

#[cfg(not(unix))]
fn advise_sequential(_map: &memmap2::Mmap) {}

/// Reads up to `len` bytes, fewer only at the end of the stream.
fn read_prefix<R: Read>(reader: &mut R, len: usize) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(len);
    reader.take(len as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Returns the body unchanged unless its first bytes contain a NUL byte.
fn skip_if_binary(body: Body, name: &str) -> Result<Body, InputError> {
    let (body, binary) = match body {
        Body::Mapped(map) => {
            let head = &map[..map.len().min(BINARY_CHECK_LEN)];
            let binary = memchr::memchr(0, head).is_some();
            (Body::Mapped(map), binary)
        }
        Body::Stream(reader) => {
            let peeked = Peeked::read(reader, BINARY_CHECK_LEN);
            let binary = memchr::memchr(0, &peeked.head).is_some();
            (Body::Stream(Box::new(peeked)), binary)
        }
    };
    if binary {
        return Err(InputError::Binary { name: name.into() });
    }
    Ok(body)
}

/// A stream whose first bytes were read ahead: hands them out again, then an error the
/// read-ahead ran into (so no data before it is lost), then the rest of the stream.
struct Peeked {
    head: Vec<u8>,
    pos: usize,
    pending_error: Option<io::Error>,
    rest: Box<dyn Read + Send>,
}

impl Peeked {
    fn read(mut rest: Box<dyn Read + Send>, len: usize) -> Self {
        let mut head = Vec::with_capacity(len);
        let pending_error = (&mut rest).take(len as u64).read_to_end(&mut head).err();
        Peeked {
            head,
            pos: 0,
            pending_error,
            rest,
        }
    }
}

impl Read for Peeked {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.head.len() {
            let n = (&self.head[self.pos..]).read(buf)?;
            self.pos += n;
            return Ok(n);
        }
        if let Some(err) = self.pending_error.take() {
            return Err(err);
        }
        self.rest.read(buf)
    }
}
