//! Tar archives: recognising one by content, and reading its members one after another as
//! streams.
//!
//! A decompressed stream is a tar archive when its first 512-byte header carries the `ustar`
//! magic at offset 257 (POSIX `ustar\0` and GNU `ustar  ` alike), whatever the file's name.
//! The archive is read front to back with the `tar` crate's streaming entries, never unpacked
//! to disk: each regular-file member (also contiguous files) is handed over as a stream of
//! its bytes, named `archive:member` (`bundle.tar.gz:var/log/app.log`, a leading `./`
//! dropped, control characters shown as `\xNN`). Directories, links, devices, FIFOs and
//! GNU sparse files (whose holes a crafted header could make endless) are passed over.
//! Member names are display names only: nothing is created or opened under them.
//!
//! Damage: a member whose data the archive ends inside of gets an error of its own
//! ([`ArchiveCutShort`], reported as `archive:member: truncated tar archive`), and so does one
//! read while the archive's decompressor fails; the bytes before it have been handed out,
//! and the archive stops there (one error, not one per remaining member). A header that is
//! cut short or does not parse is an error about the archive itself.

use std::cell::Cell;
use std::fmt;
use std::io::{self, Read};

use tar::EntryType;

use super::InputError;

/// The size of a tar header: how much of a decompressed stream is read ahead to recognise
/// an archive.
pub const TAR_HEADER_LEN: usize = 512;

/// The most bytes read for the headers before one member (its header, a GNU long name or
/// link, PAX extensions, sparse maps): real ones take a few KiB.
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// Where the `ustar` magic sits in a tar header.
const USTAR_MAGIC_OFFSET: usize = 257;
/// The part of the magic shared by POSIX (`ustar\0`) and GNU (`ustar  `) archives.
const USTAR_MAGIC: &[u8] = b"ustar";

/// Whether `head`, the first bytes of a decompressed stream, is the header of a tar archive.
pub fn is_tar(head: &[u8]) -> bool {
    head.get(USTAR_MAGIC_OFFSET..USTAR_MAGIC_OFFSET + USTAR_MAGIC.len()) == Some(USTAR_MAGIC)
}

/// The payload of the error a member's stream raises when the archive ends before the
/// member's declared size was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveCutShort;

impl ArchiveCutShort {
    /// The error handed to the member's reader.
    pub fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::UnexpectedEof, self)
    }

    /// The payload carried by `err`, if a member's stream raised it.
    pub fn from_io(err: &io::Error) -> Option<&ArchiveCutShort> {
        err.get_ref()?.downcast_ref::<ArchiveCutShort>()
    }
}

impl fmt::Display for ArchiveCutShort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the tar archive ends inside this member")
    }
}

impl std::error::Error for ArchiveCutShort {}

/// Reads the tar archive in `stream` (already decompressed) and hands every regular-file
/// member to `member`, in archive order, as its display name and its bytes. `member` must
/// read the stream it is given before returning, or leave it; what it leaves is skipped.
///
/// An error a member's stream raised was the member's to report; after it the archive
/// stops. The error returned is about the archive itself (a damaged or cut header), after
/// every member before it was handed over.
pub fn for_each_member<'a>(
    stream: Box<dyn Read + 'a>,
    archive_name: &str,
    member: &mut dyn FnMut(String, Box<dyn Read + '_>),
) -> Result<(), InputError> {
    let health = StreamHealth::default();
    let mut archive = tar::Archive::new(WatchedStream {
        inner: stream,
        health: &health,
    });
    let mut entries = archive
        .entries()
        .map_err(|err| InputError::from_archive(archive_name, err, health.ended.get()))?;
    // Archive bytes of the previous member not read yet (tar skips them before the next
    // header), padding aside.
    let mut unread = 0;
    loop {
        health.limit_reads(unread + TAR_HEADER_LEN as u64 + MAX_HEADER_BYTES);
        let Some(entry) = entries.next() else {
            return Ok(());
        };
        health.unlimit_reads();
        let entry =
            entry.map_err(|err| InputError::from_archive(archive_name, err, health.ended.get()))?;
        unread = entry.size();
        if !is_regular_file(entry.header().entry_type()) {
            continue;
        }
        let name = format!("{archive_name}:{}", member_path(&entry.path_bytes()));
        let remaining = Cell::new(entry.size());
        member(
            name,
            Box::new(MemberStream {
                entry,
                remaining: &remaining,
                health: &health,
            }),
        );
        if health.broken.get() {
            return Ok(());
        }
        unread = remaining.get();
    }
}

/// Members with file contents; the rest (directories, links, devices, FIFOs, sparse files)
/// are passed over.
fn is_regular_file(kind: EntryType) -> bool {
    matches!(kind, EntryType::Regular | EntryType::Continuous)
}

/// A member's path as shown in its source name: UTF-8 (lossily), without a leading `./`,
/// control characters escaped so a crafted archive cannot drive the terminal.
fn member_path(raw: &[u8]) -> String {
    let mut path = raw;
    while let Some(rest) = path.strip_prefix(b"./") {
        path = rest;
    }
    let mut shown = String::with_capacity(path.len());
    for c in String::from_utf8_lossy(path).chars() {
        if c.is_control() {
            shown.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    shown
}

/// How the archive's own stream is doing, shared by the archive and its members' streams.
#[derive(Default)]
struct StreamHealth {
    /// The stream has ended (a read returned no bytes).
    ended: Cell<bool>,
    /// A member's stream has been handed an error about the archive's stream (a failed
    /// read, or the end of the stream inside the member): the archive stops after it.
    broken: Cell<bool>,
    /// How many more bytes may be read, while the `tar` crate reads headers: it holds a
    /// long name or a PAX extension in memory whole, so a crafted size must not decide
    /// how much memory is used.
    read_limit: Cell<Option<u64>>,
}

impl StreamHealth {
    fn limit_reads(&self, limit: u64) {
        self.read_limit.set(Some(limit));
    }

    fn unlimit_reads(&self) {
        self.read_limit.set(None);
    }
}

/// The archive's stream, noting its end and its failures in the shared [`StreamHealth`].
struct WatchedStream<'h, R> {
    inner: R,
    health: &'h StreamHealth,
}

impl<R: Read> Read for WatchedStream<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let limit = self.health.read_limit.get();
        let buf = match limit {
            Some(0) if !buf.is_empty() => return Err(oversized_header()),
            Some(limit) => {
                let len = usize::try_from(limit).unwrap_or(usize::MAX).min(buf.len());
                &mut buf[..len]
            }
            None => buf,
        };
        match self.inner.read(buf) {
            Ok(0) if !buf.is_empty() => {
                self.health.ended.set(true);
                Ok(0)
            }
            Ok(n) => {
                if let Some(limit) = limit {
                    self.health.read_limit.set(Some(limit - n as u64));
                }
                Ok(n)
            }
            Err(err) if err.kind() != io::ErrorKind::Interrupted => {
                self.health.broken.set(true);
                Err(err)
            }
            other => other,
        }
    }
}

/// The error for header data past [`MAX_HEADER_BYTES`].
fn oversized_header() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "header data (long names, PAX extensions) over {} KiB",
            MAX_HEADER_BYTES >> 10
        ),
    )
}

/// One member's bytes: an error instead of a quiet end when the archive ends before the
/// member's declared size.
struct MemberStream<'m, R> {
    entry: R,
    /// Bytes of the member not read yet.
    remaining: &'m Cell<u64>,
    health: &'m StreamHealth,
}

impl<R: Read> Read for MemberStream<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.entry.read(buf)?;
        let remaining = self.remaining.get();
        if n == 0 && !buf.is_empty() && remaining > 0 {
            self.health.broken.set(true);
            return Err(ArchiveCutShort.into_io());
        }
        self.remaining.set(remaining.saturating_sub(n as u64));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(EntryType::Regular);
            header.set_cksum();
            builder
                .append_data(&mut header, path, *data)
                .expect("append");
        }
        builder.into_inner().expect("finish")
    }

    /// A member as handed over: its name, the bytes read, the error that ended the read.
    type Member = (String, Vec<u8>, Option<String>);

    /// Every member, and the archive's own error.
    fn members_of(bytes: Vec<u8>) -> (Vec<Member>, Option<String>) {
        let mut seen = Vec::new();
        let result = for_each_member(
            Box::new(io::Cursor::new(bytes)),
            "x.tar",
            &mut |name, mut stream| {
                let mut data = Vec::new();
                let err = stream.read_to_end(&mut data).err();
                let err = err.map(|err| InputError::from_read(&name, err).to_string());
                seen.push((name, data, err));
            },
        );
        (seen, result.err().map(|err| err.to_string()))
    }

    #[test]
    fn recognises_posix_and_gnu_headers_only() {
        let gnu = tar_of(&[("a.log", b"a\n")]);
        assert!(is_tar(&gnu[..TAR_HEADER_LEN]));
        let mut posix = tar::Header::new_ustar();
        posix.set_path("a.log").expect("path");
        assert!(is_tar(posix.as_bytes()));
        assert!(!is_tar(&tar::Header::new_old().as_bytes()[..]));
        assert!(!is_tar(b"ustar"));
        assert!(!is_tar(&[b'x'; TAR_HEADER_LEN]));
    }

    #[test]
    fn regular_members_are_handed_over_in_order() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(EntryType::Directory);
        dir.set_size(0);
        dir.set_cksum();
        builder
            .append_data(&mut dir, "./var/log/", io::empty())
            .expect("dir");
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(EntryType::Symlink);
        link.set_size(0);
        builder
            .append_link(&mut link, "var/log/current", "app.log")
            .expect("link");
        for (path, data) in [("./var/log/app.log", &b"one\ntwo\n"[..]), ("b.log", b"b\n")] {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_cksum();
            builder.append_data(&mut header, path, data).expect("file");
        }
        let (members, err) = members_of(builder.into_inner().expect("finish"));
        assert_eq!(err, None);
        assert_eq!(
            members,
            [
                ("x.tar:var/log/app.log".into(), b"one\ntwo\n".to_vec(), None),
                ("x.tar:b.log".into(), b"b\n".to_vec(), None),
            ]
        );
    }

    #[test]
    fn a_member_cut_short_is_its_error_and_ends_the_archive() {
        let data = b"0123456789\n".repeat(200);
        let bytes = tar_of(&[("a.log", b"a\n"), ("b.log", &data), ("c.log", b"c\n")]);
        // The first header and data block, the second header, then 100 bytes of b.log.
        let (members, err) = members_of(bytes[..3 * TAR_HEADER_LEN + 100].to_vec());
        assert_eq!(err, None);
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].1, b"a\n");
        assert_eq!(members[1].1, &data[..100]);
        assert_eq!(
            members[1].2.as_deref(),
            Some("x.tar:b.log: truncated tar archive (unexpected end of file)")
        );
    }

    #[test]
    fn a_cut_header_is_the_archive_error() {
        let bytes = tar_of(&[("a.log", b"a\n"), ("b.log", b"b\n")]);
        let (members, err) = members_of(bytes[..2 * TAR_HEADER_LEN + 100].to_vec());
        assert_eq!(members.len(), 1);
        assert_eq!(
            err.as_deref(),
            Some("x.tar: truncated tar archive (unexpected end of file)")
        );
    }

    #[test]
    fn a_damaged_header_is_a_corrupt_archive() {
        let mut bytes = tar_of(&[("a.log", b"a\n"), ("b.log", b"b\n")]);
        bytes[2 * TAR_HEADER_LEN + 10] ^= 0x55;
        let (members, err) = members_of(bytes);
        assert_eq!(members.len(), 1);
        let err = err.expect("damage is reported");
        assert!(
            err.starts_with("x.tar: corrupt tar archive (archive header checksum mismatch)"),
            "{err}"
        );
    }

    #[test]
    fn long_names_are_read_and_oversized_headers_refused() {
        let long = format!("{}/app.log", "d".repeat(300));
        let (members, err) = members_of(tar_of(&[(long.as_str(), b"a\n"), ("b.log", b"b\n")]));
        assert_eq!(err, None);
        assert_eq!(members[0].0, format!("x.tar:{long}"));
        assert_eq!(members[1].1, b"b\n");

        // A GNU long name claiming more than the limit (the data is there: a small file
        // compresses to it).
        let mut builder = tar::Builder::new(Vec::new());
        let mut name = tar::Header::new_gnu();
        name.set_entry_type(EntryType::GNULongName);
        name.set_size(MAX_HEADER_BYTES + 1);
        name.set_cksum();
        let filler = vec![b'n'; (MAX_HEADER_BYTES + 1) as usize];
        builder
            .append_data(&mut name, "././@LongLink", &filler[..])
            .expect("append");
        let mut header = tar::Header::new_gnu();
        header.set_size(2);
        header.set_cksum();
        builder
            .append_data(&mut header, "a.log", &b"a\n"[..])
            .expect("append");
        let bytes = builder.into_inner().expect("finish");
        let (members, err) = members_of(bytes);
        assert!(members.is_empty());
        let err = err.expect("refused");
        assert!(
            err.starts_with("x.tar: corrupt tar archive (header data"),
            "{err}"
        );
    }

    #[test]
    fn a_member_left_unread_is_skipped() {
        let big = b"0123456789\n".repeat(300_000);
        let bytes = tar_of(&[("big.log", &big), ("b.log", b"b\n")]);
        let mut names = Vec::new();
        let result = for_each_member(
            Box::new(io::Cursor::new(bytes)),
            "x.tar",
            &mut |name, _unread| names.push(name),
        );
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(names, ["x.tar:big.log", "x.tar:b.log"]);
    }

    #[test]
    fn damaged_archives_end_with_an_error_never_a_panic() {
        let long = format!("{}/c.log", "d".repeat(200));
        let bytes = tar_of(&[
            ("a.log", &b"line a\n".repeat(100)),
            ("b.log", b"b\n"),
            (long.as_str(), b"c\n"),
        ]);
        for cut in (0..bytes.len()).step_by(37) {
            let (members, _) = members_of(bytes[..cut].to_vec());
            assert!(members.len() <= 3);
        }
        for at in (0..bytes.len()).step_by(3) {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                let (members, _) = members_of(damaged);
                assert!(members.len() <= 3);
            }
        }
    }

    #[test]
    fn member_paths_are_shown_safely() {
        assert_eq!(member_path(b"././var/log/app.log"), "var/log/app.log");
        assert_eq!(member_path(b"/abs/app.log"), "/abs/app.log");
        assert_eq!(member_path(b"evil\x1b[2J.log"), "evil\\x1b[2J.log");
        assert_eq!(member_path(b"caf\xe9.log"), "caf\u{fffd}.log");
    }
}
