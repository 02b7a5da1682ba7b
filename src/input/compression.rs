//! Compressed sources: format detection by magic bytes and streaming decoders.
//!
//! The format is chosen from the first bytes, never from the file name. Every decoder reads
//! concatenated members/frames/streams to the end (`cat a.gz b.gz`, `pigz`, `pbzip2`,
//! `zstd` with several frames, `xz` with several streams). Errors from a decoder are tagged
//! with a [`DecodeFailure`] so [`InputError::from_read`](super::InputError::from_read) can
//! name the format, and say whether the data was cut short or is corrupt.

use std::fmt;
use std::io::{self, Read};

use super::archive::ArchiveCutShort;

/// The longest magic number among the supported formats (xz).
pub const MAGIC_LEN: usize = 6;

/// A supported compression format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    Gzip,
    Zstd,
    Xz,
    Bzip2,
}

impl Compression {
    /// The format whose magic number `prefix` starts with, if any.
    pub fn detect(prefix: &[u8]) -> Option<Compression> {
        const MAGICS: [(&[u8], Compression); 4] = [
            (&[0x1f, 0x8b], Compression::Gzip),
            (&[0x28, 0xb5, 0x2f, 0xfd], Compression::Zstd),
            (&[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], Compression::Xz),
            (b"BZh", Compression::Bzip2),
        ];
        MAGICS
            .iter()
            .find(|(magic, _)| prefix.starts_with(magic))
            .map(|(_, format)| *format)
    }

    /// The format's usual name, as used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
            Compression::Bzip2 => "bzip2",
        }
    }

    /// The command that tests a file of this format for damage.
    pub fn test_command(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip -t",
            Compression::Zstd => "zstd -t",
            Compression::Xz => "xz -t",
            Compression::Bzip2 => "bzip2 -t",
        }
    }

    /// Wraps `compressed` in a decoder that reads all concatenated members to the end.
    pub fn decoder<'a, R>(self, compressed: R) -> io::Result<Box<dyn Read + 'a>>
    where
        R: Read + 'a,
    {
        let inner: Box<dyn Read + 'a> = match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(compressed)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(compressed)?),
            Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(compressed)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(compressed)),
        };
        Ok(Box::new(DecodeReader {
            inner,
            format: self,
        }))
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The payload of an `io::Error` raised by a decoder: which format, cut short or corrupt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeFailure {
    pub format: Compression,
    /// The data ends in the middle of a member/frame/stream.
    pub truncated: bool,
    /// The decoder's own words.
    pub detail: String,
}

impl DecodeFailure {
    /// The failure carried by `err`, if a decoder raised it.
    pub fn from_io(err: &io::Error) -> Option<&DecodeFailure> {
        err.get_ref()?.downcast_ref::<DecodeFailure>()
    }

    /// Tags a decoder error, or returns it unchanged when it comes from the layers below:
    /// an operating-system error from the underlying file (an I/O error, not bad data), or
    /// an error those layers already described (an outer decoder's [`DecodeFailure`], a
    /// tar archive cut short), which keeps its own words.
    fn tag(format: Compression, err: io::Error) -> io::Error {
        if err.raw_os_error().is_some()
            || err.kind() == io::ErrorKind::Interrupted
            || DecodeFailure::from_io(&err).is_some()
            || ArchiveCutShort::from_io(&err).is_some()
        {
            return err;
        }
        let kind = err.kind();
        let failure = DecodeFailure {
            format,
            truncated: kind == io::ErrorKind::UnexpectedEof,
            detail: err.to_string(),
        };
        io::Error::new(kind, failure)
    }
}

impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problem = if self.truncated {
            "truncated"
        } else {
            "corrupt"
        };
        write!(f, "{problem} {} data ({})", self.format, self.detail)
    }
}

impl std::error::Error for DecodeFailure {}

/// A decoder whose errors are tagged with a [`DecodeFailure`].
struct DecodeReader<'a> {
    inner: Box<dyn Read + 'a>,
    format: Compression,
}

impl Read for DecodeReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|err| DecodeFailure::tag(self.format, err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_magic() {
        assert_eq!(
            Compression::detect(&[0x1f, 0x8b, 8]),
            Some(Compression::Gzip)
        );
        assert_eq!(
            Compression::detect(&[0x28, 0xb5, 0x2f, 0xfd]),
            Some(Compression::Zstd)
        );
        assert_eq!(
            Compression::detect(&[0xfd, b'7', b'z', b'X', b'Z', 0]),
            Some(Compression::Xz)
        );
        assert_eq!(Compression::detect(b"BZh91AY"), Some(Compression::Bzip2));
    }

    #[test]
    fn plain_text_and_short_prefixes_are_not_compressed() {
        assert_eq!(
            Compression::detect(b"Jan 12 10:00:01 host app[1]: hi"),
            None
        );
        assert_eq!(Compression::detect(&[0x1f]), None);
        assert_eq!(Compression::detect(&[0xfd, b'7', b'z', b'X', b'Z']), None);
        assert_eq!(Compression::detect(b""), None);
    }

    #[test]
    fn decoder_errors_carry_the_format() {
        let garbage: &'static [u8] = &[0x1f, 0x8b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        let mut reader = Compression::Gzip.decoder(garbage).expect("decoder");
        let mut out = Vec::new();
        let err = reader
            .read_to_end(&mut out)
            .expect_err("garbage must not decode");
        let failure = DecodeFailure::from_io(&err).expect("tagged");
        assert_eq!(failure.format, Compression::Gzip);
    }

    #[test]
    fn os_errors_pass_through_untagged() {
        let err = DecodeFailure::tag(Compression::Zstd, io::Error::from_raw_os_error(5));
        assert!(DecodeFailure::from_io(&err).is_none());
        assert_eq!(err.raw_os_error(), Some(5));
    }

    #[test]
    fn errors_of_the_layers_below_keep_their_words() {
        let outer = DecodeFailure::tag(
            Compression::Xz,
            io::Error::new(io::ErrorKind::InvalidData, "bad block"),
        );
        let err = DecodeFailure::tag(Compression::Gzip, outer);
        let failure = DecodeFailure::from_io(&err).expect("still tagged");
        assert_eq!(failure.format, Compression::Xz);
        assert!(!failure.truncated);

        let cut = DecodeFailure::tag(Compression::Gzip, ArchiveCutShort.into_io());
        assert!(DecodeFailure::from_io(&cut).is_none());
        assert!(ArchiveCutShort::from_io(&cut).is_some());
    }
}
