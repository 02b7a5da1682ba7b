//! Opening a source: stdin, a regular file or any other readable path, decompressed by magic
//! bytes, unpacked when it is a tar archive, and with its text encoding normalised; or
//! systemd journal files, read natively.
//!
//! The decompressor is chosen by the first bytes, whatever the file's name; stdin too
//! (`logsleuth < app.log.gz` works; detection waits for 8 bytes or the end of the stream).
//! A journal file (`LPKSHHRH`) is read by [`journal`](super::journal) as JSON lines, found
//! by a walk or not, inside an archive too; a journal that is not a regular file (stdin, an
//! archive member) is read into memory first.
//! Every source is a stream (read in blocks by the caller): regular files, FIFOs,
//! `/dev/stdin`, `/proc` files that claim a size of 0. A decompressed stream whose first
//! 512 bytes are a tar header is an archive: each regular-file member is a source of its
//! own (`archive:member`), opened as a walked file would be (decompressed by magic, binary
//! members skipped). An archive inside an archive is unpacked too, one level deep; deeper
//! ones are binary members. The decompressed bytes then go through [`TextReader`] (UTF-16
//! with a BOM to UTF-8, lone CR to LF). A file found by a directory walk, or a member of an
//! archive, whose first 8 KiB (after decompression and decoding) contain a NUL byte is not
//! opened: [`open`] hands over [`InputError::Binary`], a note rather than an error. Files
//! named explicitly are always read; NUL bytes are just data there.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;

use super::archive::{self, TAR_HEADER_LEN};
use super::compression::{Compression, MAGIC_LEN};
use super::journal::{self, JOURNAL_MAGIC};
use super::text::TextReader;
use super::{InputError, Location, Source, SourceSpec};

/// How many leading bytes of a walked file are checked for NUL bytes.
pub const BINARY_CHECK_LEN: usize = 8 * 1024;

/// How many archives deep members are unpacked: an archive named or walked, and one
/// archive inside it.
const MAX_ARCHIVE_DEPTH: usize = 2;

/// How many first bytes choose how a stream is read (the longest magic number).
const PREFIX_LEN: usize = if MAGIC_LEN > JOURNAL_MAGIC.len() {
    MAGIC_LEN
} else {
    JOURNAL_MAGIC.len()
};

/// A source's byte stream.
type Stream<'a> = Box<dyn Read + 'a>;

/// What [`open`] hands each source to: the opened source, or the problem that kept it (or
/// the rest of an archive) from being read.
type Visitor<'v> = dyn FnMut(Result<Source<'_>, InputError>) + 'v;

/// Asks for a larger pipe when stdin is one (`journalctl | logsleuth`): a pipe holds 64 KiB
/// by default, so the writer and the reader took turns every 64 KiB, each turn two context
/// switches. 1 MiB is what an unprivileged process may ask for by default
/// (`/proc/sys/fs/pipe-max-size`). A pipe already that large is left alone, and so is the
/// pipe when the kernel refuses.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn widen_stdin_pipe() {
    use std::os::fd::AsRawFd;
    const PIPE_BYTES: libc::c_int = 1 << 20;
    let fd = io::stdin().as_raw_fd();
    // SAFETY: F_GETPIPE_SZ and F_SETPIPE_SZ take and return plain integers: they read or
    // change the size of the pipe behind `fd`, and fail (-1, ignored) when it is no pipe.
    unsafe {
        let size = libc::fcntl(fd, libc::F_GETPIPE_SZ);
        if (0..PIPE_BYTES).contains(&size) {
            libc::fcntl(fd, libc::F_SETPIPE_SZ, PIPE_BYTES);
        }
    }
}

/// Pipes have no settable size here.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn widen_stdin_pipe() {}

/// Opens a source and hands what it holds to `visit`, one source at a time: a file or stdin
/// is one source; a tar archive is one source per regular-file member, each opened in turn
/// while the archive streams (so `visit` reads a member before the next one is opened).
/// The source is decompressed by magic bytes and its text encoding normalised.
///
/// A problem is handed over as an `Err`, about that source only: a file that cannot be
/// opened, a binary file skipped ([`InputError::Binary`], for walked files and archive
/// members only: "skipped, say so and go on"; check [`InputError::is_error`]), a damaged
/// archive after the members read before the damage. An error while `visit` reads a
/// source is returned to it by [`Source::for_each_block`]; after such an error in an
/// archive's own stream the archive ends.
pub fn open<F>(spec: &SourceSpec, mut visit: F)
where
    F: FnMut(Result<Source<'_>, InputError>),
{
    let reader: Stream<'static> = match &spec.location {
        Location::Stdin => {
            widen_stdin_pipe();
            Box::new(io::stdin())
        }
        Location::File(path) => match open_file(path, spec) {
            Ok(FileKind::Journal(reader)) => {
                return visit_journal(Ok(reader), &spec.name, &mut visit)
            }
            Ok(FileKind::Other(file)) => file,
            Err(err) => return visit(Err(err)),
        },
        Location::JournalFiles(paths) => {
            return visit_journal(Ok(journal::open_files(paths)), &spec.name, &mut visit)
        }
    };
    open_stream(reader, &spec.name, spec.from_walk, 0, &mut visit);
}

/// A regular file opened: a journal file (read natively, with seeks) or any other file.
enum FileKind {
    Journal(Box<dyn Read + Send>),
    Other(Stream<'static>),
}

fn open_file(path: &Path, spec: &SourceSpec) -> Result<FileKind, InputError> {
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
        return journal::open_file(file, &spec.name).map(FileKind::Journal);
    }
    Ok(FileKind::Other(Box::new(file)))
}

/// Hands a journal's JSON-line stream (or the problem opening it) to `visit`.
fn visit_journal(
    opened: Result<Box<dyn Read + Send>, InputError>,
    name: &str,
    visit: &mut Visitor<'_>,
) {
    match opened {
        Ok(reader) => visit(Ok(Source {
            name: name.to_owned(),
            reader,
        })),
        Err(err) => visit(Err(err)),
    }
}

/// Decompresses when the first bytes say so, unpacks a tar archive (`depth` archives deep
/// already), normalises the text, and skips binary files when `skip_binary`.
pub(super) fn open_stream(
    reader: Stream<'_>,
    name: &str,
    skip_binary: bool,
    depth: usize,
    visit: &mut Visitor<'_>,
) {
    let mut reader = reader;
    let prefix = match read_prefix(&mut reader, PREFIX_LEN) {
        Ok(prefix) => prefix,
        Err(err) => return visit(Err(InputError::from_read(name, err))),
    };
    let is_journal = journal::is_journal(&prefix);
    let reader: Stream<'_> = Box::new(Cursor::new(prefix).chain(reader));
    if is_journal {
        return visit_journal(journal::open_stream(reader, name), name, visit);
    }
    let decoded = match decompress(reader) {
        Ok(decoded) => decoded,
        Err(err) => return visit(Err(InputError::from_read(name, err))),
    };
    let peeked = Peeked::read(decoded, TAR_HEADER_LEN);
    if depth < MAX_ARCHIVE_DEPTH && archive::is_tar(&peeked.head) {
        let mut open_member = |member_name: String, member: Stream<'_>| {
            open_stream(member, &member_name, true, depth + 1, visit);
        };
        if let Err(err) = archive::for_each_member(Box::new(peeked), name, &mut open_member) {
            visit(Err(err));
        }
        return;
    }
    let text: Stream<'_> = Box::new(TextReader::new(peeked));
    let reader = if skip_binary {
        match skip_if_binary(text, name) {
            Ok(reader) => reader,
            Err(err) => return visit(Err(err)),
        }
    } else {
        text
    };
    visit(Ok(Source {
        name: name.to_owned(),
        reader,
    }));
}

/// Whether a stream whose first bytes are `head` (at least [`TAR_HEADER_LEN`] of them, or
/// the whole stream) is read as it is: no journal, compression, archive or byte-order mark,
/// so an offset in the normalised stream is the same offset in the raw one.
pub(super) fn is_plain_text(head: &[u8]) -> bool {
    const MARKS: [&[u8]; 3] = [b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"];
    !journal::is_journal(head)
        && Compression::detect(head).is_none()
        && !archive::is_tar(head)
        && !MARKS.iter().any(|mark| head.starts_with(mark))
}

/// The stream decompressed when its first bytes are a known magic number, else as it is.
fn decompress(mut reader: Stream<'_>) -> io::Result<Stream<'_>> {
    let magic = read_prefix(&mut reader, MAGIC_LEN)?;
    let format = Compression::detect(&magic);
    let whole = Cursor::new(magic).chain(reader);
    match format {
        Some(format) => format.decoder(whole),
        None => Ok(Box::new(whole)),
    }
}

/// Reads up to `len` bytes, fewer only at the end of the stream.
fn read_prefix<R: Read>(reader: &mut R, len: usize) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(len);
    reader.take(len as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Returns the stream unchanged unless its first bytes contain a NUL byte. A read error
/// among those bytes is reported rather than hidden behind the note.
fn skip_if_binary<'a>(reader: Stream<'a>, name: &str) -> Result<Stream<'a>, InputError> {
    let mut peeked = Peeked::read(reader, BINARY_CHECK_LEN);
    if memchr::memchr(0, &peeked.head).is_some() {
        return Err(match peeked.pending_error.take() {
            Some(err) => InputError::from_read(name, err),
            None => InputError::Binary { name: name.into() },
        });
    }
    Ok(Box::new(peeked))
}

/// A stream whose first bytes were read ahead: hands them out again, then an error the
/// read-ahead ran into (so no data before it is lost), then the rest of the stream.
struct Peeked<'a> {
    head: Vec<u8>,
    pos: usize,
    pending_error: Option<io::Error>,
    rest: Stream<'a>,
}

impl<'a> Peeked<'a> {
    fn read(mut rest: Stream<'a>, len: usize) -> Self {
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

impl Read for Peeked<'_> {
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

    /// Opens `bytes` as stdin would be; returns each source's name and bytes, or problem.
    fn read_stream(bytes: Vec<u8>) -> Vec<Result<(String, Vec<u8>), String>> {
        let mut sources = Vec::new();
        open_stream(Box::new(Cursor::new(bytes)), "-", false, 0, &mut |opened| {
            sources.push(match opened {
                Ok(mut source) => {
                    let mut bytes = Vec::new();
                    match source.reader.read_to_end(&mut bytes) {
                        Ok(_) => Ok((source.name, bytes)),
                        Err(err) => Err(InputError::from_read(&source.name, err).to_string()),
                    }
                }
                Err(err) => Err(err.to_string()),
            });
        });
        sources
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut encoder, data).expect("gzip write");
        encoder.finish().expect("gzip finish")
    }

    fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_cksum();
            builder
                .append_data(&mut header, path, *data)
                .expect("append");
        }
        builder.into_inner().expect("finish")
    }

    #[test]
    fn compressed_stdin_is_decompressed() {
        assert_eq!(
            read_stream(gzip(b"from a pipe\n")),
            [Ok(("-".into(), b"from a pipe\n".to_vec()))]
        );
    }

    #[test]
    fn plain_stdin_is_passed_through_whole() {
        for text in [&b""[..], b"a", b"short\n", b"a longer line of text\n"] {
            assert_eq!(
                read_stream(text.to_vec()),
                [Ok(("-".into(), text.to_vec()))]
            );
        }
    }

    #[test]
    fn archive_members_are_opened_like_walked_files() {
        let inner = tar_of(&[("deep.log", b"deep\n")]);
        let innermost = tar_of(&[("x.tar", &tar_of(&[("z.log", b"z\n")]))]);
        let archive = tar_of(&[
            ("a.log", b"plain\n"),
            ("b.log.1.gz", &gzip(b"gzipped\n")),
            ("core", b"\x7fELF\0\0\0"),
            ("inner.tar.gz", &gzip(&inner)),
            ("two-deep.tar", &innermost),
        ]);
        assert_eq!(
            read_stream(gzip(&archive)),
            [
                Ok(("-:a.log".into(), b"plain\n".to_vec())),
                Ok(("-:b.log.1.gz".into(), b"gzipped\n".to_vec())),
                Err("-:core: skipped (binary file)".into()),
                Ok(("-:inner.tar.gz:deep.log".into(), b"deep\n".to_vec())),
                Err("-:two-deep.tar:x.tar: skipped (binary file)".into()),
            ]
        );
    }

    #[test]
    fn an_archive_cut_inside_a_compressed_member_reports_once() {
        let noisy: Vec<u8> = (0..5000u64)
            .flat_map(|i| format!("line {i} {:x}\n", i.wrapping_mul(0x9e37_79b9)).into_bytes())
            .collect();
        let archive = tar_of(&[
            ("a.log", b"a\n"),
            ("b.log.gz", &gzip(&noisy)),
            ("c.log", b"c\n"),
        ]);
        let compressed = gzip(&archive);
        let sources = read_stream(compressed[..compressed.len() / 2].to_vec());
        assert_eq!(sources.len(), 2, "{sources:?}");
        assert_eq!(sources[0], Ok(("-:a.log".into(), b"a\n".to_vec())));
        assert_eq!(
            sources[1],
            Err("-:b.log.gz: truncated gzip data (unexpected end of file)".into())
        );
    }

    #[test]
    fn a_walked_binary_file_with_a_read_error_reports_the_error() {
        let failing: Stream<'_> = Box::new(Cursor::new(b"\0\x01".to_vec()).chain(AlwaysFails));
        let err = skip_if_binary(failing, "x").err().expect("not read");
        assert_eq!(err.to_string(), "x: read error (broken)");
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
