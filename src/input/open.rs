//! Opening a source: stdin, a regular file or any other readable path, decompressed by magic
//! bytes and with its text encoding normalised; or systemd journal files, read natively.
//!
//! The decompressor is chosen by the first bytes, whatever the file's name; stdin too
//! (`logsleuth < app.log.gz` works; detection waits for 8 bytes or the end of the stream).
//! A journal file (`LPKSHHRH`) is read by [`journal`](super::journal) as JSON lines,
//! found by a walk or not; a journal on stdin is read into memory first.
//! Every source is a stream (read in blocks by the caller): regular files, FIFOs,
//! `/dev/stdin`, `/proc` files that claim a size of 0. The decompressed bytes then go
//! through [`TextReader`] (UTF-16 with a BOM to UTF-8, lone CR to LF). A file found by a
//! directory walk whose first 8 KiB (after decompression and decoding) contain a NUL byte
//! is not opened: [`open`] returns [`InputError::Binary`], a note rather than an error.
//! Files named explicitly are always read; NUL bytes are just data there.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use super::compression::{Compression, MAGIC_LEN};
use super::journal::{self, JOURNAL_MAGIC};
use super::text::TextReader;
use super::{InputError, Location, Source, SourceSpec};

/// How many leading bytes of a walked file are checked for NUL bytes.
pub const BINARY_CHECK_LEN: usize = 8 * 1024;

/// A source's byte stream.
type Stream = Box<dyn Read + Send>;

/// How many first bytes choose how a stream is read (the longest magic number).
const PREFIX_LEN: usize = if MAGIC_LEN > JOURNAL_MAGIC.len() {
    MAGIC_LEN
} else {
    JOURNAL_MAGIC.len()
};

/// Opens a source: wraps stdin or the file, decompresses by magic bytes, normalises the
/// text encoding.
///
/// Errors are about this source only. [`InputError::Binary`] (for walked files only) means
/// "skipped, say so and go on"; check [`InputError::is_error`].
pub fn open(spec: &SourceSpec) -> Result<Source, InputError> {
    let reader = match &spec.location {
        Location::Stdin => open_stream(Box::new(io::stdin()), spec)?,
        Location::File(path) => open_file(path, spec)?,
        Location::JournalFiles(paths) => journal::open_files(paths),
    };
    Ok(Source {
        name: spec.name.clone(),
        reader,
    })
}

fn open_file(path: &Path, spec: &SourceSpec) -> Result<Stream, InputError> {
    let mut file = File::open(path).map_err(|err| InputError::from_io(&spec.name, err))?;
    let meta = file
        .metadata()
        .map_err(|err| InputError::from_io(&spec.name, err))?;
    if meta.is_dir() {
        return Err(InputError::IsDirectory {
            name: spec.name.clone(),
        });
    }
    let is_journal = meta.is_file()
        && journal::starts_like_journal(&mut file)
            .map_err(|err| InputError::from_read(&spec.name, err))?;
    if is_journal {
        return journal::open_file(file, &spec.name);
    }
    open_stream(Box::new(file), spec)
}

/// Decompresses when the first bytes say so, normalises the text, and skips walked binary
/// files.
fn open_stream(mut reader: Stream, spec: &SourceSpec) -> Result<Stream, InputError> {
    let fail = |err| InputError::from_read(&spec.name, err);
    let magic = read_prefix(&mut reader, PREFIX_LEN).map_err(fail)?;
    let format = Compression::detect(&magic);
    let is_journal = journal::is_journal(&magic);
    let whole = Cursor::new(magic).chain(reader);
    if is_journal {
        return journal::open_stream(whole, &spec.name);
    }
    let decoded: Stream = match format {
        Some(format) => format.decoder(whole).map_err(fail)?,
        None => Box::new(whole),
    };
    let text: Stream = Box::new(TextReader::new(decoded));
    if spec.from_walk {
        return skip_if_binary(text, &spec.name);
    }
    Ok(text)
}

/// Reads up to `len` bytes, fewer only at the end of the stream.
fn read_prefix<R: Read>(reader: &mut R, len: usize) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(len);
    reader.take(len as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Returns the stream unchanged unless its first bytes contain a NUL byte.
fn skip_if_binary(reader: Stream, name: &str) -> Result<Stream, InputError> {
    let peeked = Peeked::read(reader, BINARY_CHECK_LEN);
    if memchr::memchr(0, &peeked.head).is_some() {
        return Err(InputError::Binary { name: name.into() });
    }
    Ok(Box::new(peeked))
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

    fn read_body(mut body: Stream) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        body.read_to_end(&mut bytes)?;
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
