//! Errors about one source (`InputError`), and how I/O and decoder errors map onto them.
//!
//! Every message reads `source: problem`, in plain words, with a hint where one helps.
//! [`InputError::Binary`] is not a failure: it is the note for a binary file skipped
//! during a directory walk ([`InputError::is_error`] is `false` for it).

use std::io;

use super::archive::ArchiveCutShort;
use super::compression::{Compression, DecodeFailure};
use super::journal::JournalError;

/// Something went wrong with one source; the others are still analysed.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The path does not exist (or is a dangling symlink).
    #[error("{name}: no such file or directory (check the path)")]
    NotFound { name: String },

    /// The file or directory exists but may not be read by this user.
    #[error(
        "{name}: permission denied (run as a user who may read it, e.g. in the `adm` or \
         `systemd-journal` group, or with sudo)"
    )]
    PermissionDenied { name: String },

    /// A directory could not be listed while walking it.
    #[error("{name}: cannot read directory ({err})")]
    UnreadableDirectory {
        name: String,
        #[source]
        err: io::Error,
    },

    /// [`open`](super::open) was asked to read a directory; directories are walked by
    /// [`collect_sources`](super::collect_sources).
    #[error("{name}: is a directory (pass it on the command line to have it walked)")]
    IsDirectory { name: String },

    /// Any other I/O error while opening or reading.
    #[error("{name}: read error ({err})")]
    Io {
        name: String,
        #[source]
        err: io::Error,
    },

    /// Compressed data ends early, for example a file still being written or cut in a copy.
    #[error("{name}: truncated {format} data (unexpected end of file)")]
    Truncated { name: String, format: Compression },

    /// Compressed data that does not decode.
    #[error("{name}: corrupt {format} data ({detail}); `{test}` checks the file", test = format.test_command())]
    Corrupt {
        name: String,
        format: Compression,
        detail: String,
    },

    /// A tar archive that ends early: inside a member (named `archive:member`) or inside a
    /// header (named after the archive).
    #[error("{name}: truncated tar archive (unexpected end of file)")]
    TruncatedArchive { name: String },

    /// A tar archive whose headers do not parse (a bad checksum, a bad size field).
    #[error("{name}: corrupt tar archive ({detail}); `tar -tvf` lists what it can read")]
    CorruptArchive { name: String, detail: String },

    /// A systemd journal file that cannot be read, or could be read only in part (what was
    /// readable has been read).
    #[error("{name}: {err}")]
    Journal {
        name: String,
        #[source]
        err: JournalError,
    },

    /// Not an error: a binary file found while walking a directory (or inside an archive)
    /// was skipped.
    #[error("{name}: skipped (binary file)")]
    Binary { name: String },
}

impl InputError {
    /// The display name of the source the error is about.
    pub fn source_name(&self) -> &str {
        match self {
            InputError::NotFound { name }
            | InputError::PermissionDenied { name }
            | InputError::UnreadableDirectory { name, .. }
            | InputError::IsDirectory { name }
            | InputError::Io { name, .. }
            | InputError::Truncated { name, .. }
            | InputError::Corrupt { name, .. }
            | InputError::TruncatedArchive { name }
            | InputError::CorruptArchive { name, .. }
            | InputError::Journal { name, .. }
            | InputError::Binary { name } => name,
        }
    }

    /// `false` for notes that are not failures (a skipped binary file): print them, but do
    /// not let them change the exit code.
    pub fn is_error(&self) -> bool {
        !matches!(self, InputError::Binary { .. })
    }

    /// Maps an error from opening or inspecting a path, by its kind.
    pub fn from_io(name: &str, err: io::Error) -> Self {
        let name = name.to_owned();
        match err.kind() {
            io::ErrorKind::NotFound => InputError::NotFound { name },
            io::ErrorKind::PermissionDenied => InputError::PermissionDenied { name },
            _ => InputError::Io { name, err },
        }
    }

    /// Maps an error returned while reading a source's body: decoder failures become
    /// [`InputError::Truncated`] or [`InputError::Corrupt`] naming the format, an archive
    /// member cut short [`InputError::TruncatedArchive`], damage found in a journal file
    /// [`InputError::Journal`], the rest are mapped as in
    /// [`InputError::from_io`].
    pub fn from_read(name: &str, err: io::Error) -> Self {
        if let Some(failure) = DecodeFailure::from_io(&err) {
            return failure.to_input_error(name);
        }
        if ArchiveCutShort::from_io(&err).is_some() {
            return InputError::TruncatedArchive { name: name.into() };
        }
        if err
            .get_ref()
            .is_some_and(|inner| inner.is::<JournalError>())
        {
            let kind = err.kind();
            return match err
                .into_inner()
                .map(|inner| inner.downcast::<JournalError>())
            {
                Some(Ok(journal)) => InputError::Journal {
                    name: name.to_owned(),
                    err: *journal,
                },
                Some(Err(other)) => Self::from_io(name, io::Error::new(kind, other)),
                None => Self::from_io(name, io::Error::from(kind)),
            };
        }
        Self::from_io(name, err)
    }

    /// Maps an error from reading a tar archive's headers. Decoder and operating-system
    /// errors are mapped as in [`InputError::from_read`]; the archive format's own errors
    /// mean a [`InputError::TruncatedArchive`] when the stream had ended
    /// (`stream_ended`), a [`InputError::CorruptArchive`] otherwise.
    pub fn from_archive(name: &str, err: io::Error, stream_ended: bool) -> Self {
        let described = DecodeFailure::from_io(&err).is_some()
            || ArchiveCutShort::from_io(&err).is_some()
            || err.raw_os_error().is_some();
        if described {
            return Self::from_read(name, err);
        }
        let name = name.to_owned();
        if stream_ended {
            InputError::TruncatedArchive { name }
        } else {
            InputError::CorruptArchive {
                name,
                detail: err.to_string(),
            }
        }
    }
}

impl DecodeFailure {
    fn to_input_error(&self, name: &str) -> InputError {
        let name = name.to_owned();
        let format = self.format;
        if self.truncated {
            InputError::Truncated { name, format }
        } else {
            InputError::Corrupt {
                name,
                format,
                detail: self.detail.clone(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_start_with_the_source_name() {
        let errors = [
            InputError::NotFound {
                name: "a.log".into(),
            },
            InputError::PermissionDenied {
                name: "a.log".into(),
            },
            InputError::Binary {
                name: "a.log".into(),
            },
            InputError::Truncated {
                name: "a.log".into(),
                format: Compression::Gzip,
            },
        ];
        for err in &errors {
            assert!(err.to_string().starts_with("a.log: "), "{err}");
            assert_eq!(err.source_name(), "a.log");
        }
    }

    #[test]
    fn truncated_message_names_the_format() {
        let err = InputError::Truncated {
            name: "app.log.gz".into(),
            format: Compression::Gzip,
        };
        assert_eq!(
            err.to_string(),
            "app.log.gz: truncated gzip data (unexpected end of file)"
        );
    }

    #[test]
    fn corrupt_message_says_how_to_check() {
        let err = InputError::Corrupt {
            name: "app.log.xz".into(),
            format: Compression::Xz,
            detail: "bad header".into(),
        };
        assert_eq!(
            err.to_string(),
            "app.log.xz: corrupt xz data (bad header); `xz -t` checks the file"
        );
    }

    #[test]
    fn archive_errors_say_what_is_damaged() {
        let cut = InputError::from_read("x.tar:a.log", ArchiveCutShort.into_io());
        assert_eq!(
            cut.to_string(),
            "x.tar:a.log: truncated tar archive (unexpected end of file)"
        );
        let header_cut = InputError::from_archive("x.tar", io::Error::other("short block"), true);
        assert!(matches!(header_cut, InputError::TruncatedArchive { .. }));
        let bad = InputError::from_archive("x.tar", io::Error::other("bad checksum"), false);
        assert_eq!(
            bad.to_string(),
            "x.tar: corrupt tar archive (bad checksum); `tar -tvf` lists what it can read"
        );
        let os = InputError::from_archive("x.tar", io::Error::from_raw_os_error(5), true);
        assert!(matches!(os, InputError::Io { .. }));
    }

    #[test]
    fn only_binary_is_not_an_error() {
        assert!(!InputError::Binary { name: "x".into() }.is_error());
        assert!(InputError::NotFound { name: "x".into() }.is_error());
    }

    #[test]
    fn from_io_maps_kinds() {
        let not_found = InputError::from_io("x", io::Error::from(io::ErrorKind::NotFound));
        assert!(matches!(not_found, InputError::NotFound { .. }));
        let denied = InputError::from_io("x", io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(matches!(denied, InputError::PermissionDenied { .. }));
        let other = InputError::from_read("x", io::Error::other("disk on fire"));
        assert_eq!(other.to_string(), "x: read error (disk on fire)");
    }
}
