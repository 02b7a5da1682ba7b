//! Opening a source: stdin, a memory-mapped regular file, or a decompressing stream.
//!
//! The decompressor is chosen by the first bytes, whatever the file's name; stdin too
//! (`logsleuth < app.log.gz` works; detection waits for 6 bytes or the end of the stream).
//! An uncompressed regular file is mapped; an empty one, a file that cannot be mapped, and
//! anything that is not a regular file (a FIFO, `/dev/stdin`, `/proc` files that claim a
//! size of 0) are streamed. A file found by a directory walk whose first 8 KiB (after
//! decompression) contain a NUL byte is not opened: [`open`] returns
//! [`InputError::Binary`], a note rather than an error. Files named explicitly are always
//! read; NUL bytes are just data there.

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
        Location::Stdin => open_stream(Box::new(io::stdin()), spec)?,
        Location::File(path) => open_file(path, spec)?,
    };
    Ok(Source {
        name: spec.name.clone(),
        body,
    })
}

/// A stream that is not a file (stdin): decompressed when its first bytes say so.
fn open_stream(mut reader: Box<dyn Read + Send>, spec: &SourceSpec) -> Result<Body, InputError> {
    let fail = |err| InputError::from_io(&spec.name, err);
    let magic = read_prefix(&mut reader, MAGIC_LEN).map_err(fail)?;
    let body = stream_by_magic(magic, reader).map_err(fail)?;
    skip_if_walked_binary(body, spec)
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
    let mappable = meta.is_file() && meta.len() > 0 && Compression::detect(&magic).is_none();
    let body = if mappable {
        map_or_stream(file, magic)
    } else {
        stream_by_magic(magic, Box::new(file)).map_err(fail)?
    };
    skip_if_walked_binary(body, spec)
}

/// The stream that starts with `magic` and goes on with `rest`, decompressed if the magic
/// bytes name a format.
fn stream_by_magic(magic: Vec<u8>, rest: Box<dyn Read + Send>) -> io::Result<Body> {
    let format = Compression::detect(&magic);
    let whole = Cursor::new(magic).chain(rest);
    Ok(Body::Stream(match format {
        Some(format) => format.decoder(whole)?,
        None => Box::new(whole),
    }))
}

/// Binary files found by a walk are skipped; anything named explicitly is read.
fn skip_if_walked_binary(body: Body, spec: &SourceSpec) -> Result<Body, InputError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stdin_spec() -> SourceSpec {
        SourceSpec {
            name: "-".into(),
            location: Location::Stdin,
            from_walk: false,
        }
    }

    fn read_body(body: Body) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        match body {
            Body::Mapped(map) => bytes.extend_from_slice(&map),
            Body::Stream(mut reader) => {
                reader.read_to_end(&mut bytes)?;
            }
        }
        Ok(bytes)
    }

    #[test]
    fn compressed_stdin_is_decompressed() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut encoder, b"from a pipe\n").expect("gzip write");
        let compressed = encoder.finish().expect("gzip finish");
        let body = open_stream(Box::new(Cursor::new(compressed)), &stdin_spec()).expect("open");
        assert_eq!(read_body(body).expect("read"), b"from a pipe\n");
    }

    #[test]
    fn plain_stdin_is_passed_through_whole() {
        for text in [&b""[..], b"a", b"short\n", b"a longer line of text\n"] {
            let body =
                open_stream(Box::new(Cursor::new(text.to_vec())), &stdin_spec()).expect("open");
            assert_eq!(read_body(body).expect("read"), text);
        }
    }

    #[test]
    fn peeked_streams_replay_the_head_then_the_error() {
        let failing = Cursor::new(b"abc".to_vec()).chain(AlwaysFails);
        let mut peeked = Peeked::read(Box::new(failing), 10);
        let mut buf = [0u8; 16];
        assert_eq!(peeked.read(&mut buf).expect("head"), 3);
        assert_eq!(&buf[..3], b"abc");
        assert!(peeked.read(&mut buf).is_err());
    }

    /// A reader that always fails.
    struct AlwaysFails;

    impl Read for AlwaysFails {
        fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("broken"))
        }
    }
}
