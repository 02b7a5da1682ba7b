//! Text-encoding normalisation between a source's (decompressed) bytes and the line blocks.
//!
//! [`TextReader`] wraps any stream and hands on the same bytes with three changes:
//!
//! - A UTF-16 stream that starts with a byte-order mark (`FF FE` little-endian, `FE FF`
//!   big-endian, as Windows tools write) is transcoded to UTF-8; unpaired surrogates and a
//!   dangling odd byte become U+FFFD. Logs always have some ASCII (stamps, digits), so at
//!   least a quarter of the first 32 units after the mark must be ASCII: binary data that
//!   happens to start with `FF FE` stays bytes.
//! - A UTF-8 byte-order mark at the start is dropped, so it does not stick to the first
//!   line's timestamp.
//! - A lone CR (old Mac line endings, progress output that redraws a line) ends a line like
//!   LF: it is handed on as `\n`. CRLF is handed on unchanged; the scanner leaves the CR out
//!   of the line's text and message.
//!
//! Everything else passes through as bytes: Latin-1 and other 8-bit text, invalid UTF-8 and
//! NUL bytes are data (reports show them lossily). The work is a `memchr` for CR over what
//! each read returns, in place, with no allocation after construction; the UTF-16 path
//! uses two fixed buffers.

use std::io::{self, Read};

/// How many raw bytes the UTF-16 decoder reads at a time.
const UTF16_RAW_LEN: usize = 64 * 1024;
/// How many bytes are read to learn the encoding: a BOM and 32 UTF-16 units.
const SNIFF_LEN: usize = 2 + 64;

/// The text encoding found from a stream's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// Bytes passed through (UTF-8, ASCII, Latin-1, anything without a UTF-16 BOM).
    Bytes,
    /// UTF-16 little-endian, announced by `FF FE`.
    Utf16Le,
    /// UTF-16 big-endian, announced by `FE FF`.
    Utf16Be,
}

/// A stream with its encoding and line endings normalised (see the module docs).
pub struct TextReader<R> {
    /// `None` only while the decoder is being switched to UTF-16.
    inner: Option<Decoded<R>>,
    /// Learnt from the first bytes, at the first read.
    encoding: Option<TextEncoding>,
    /// A byte read from the inner stream but not handed on yet (a CR waiting for the byte
    /// after it, or the byte read to decide about such a CR).
    held: Option<u8>,
}

impl<R: Read> TextReader<R> {
    /// Wraps `reader`; nothing is read until the first read, which looks at the first bytes
    /// (up to 66) to learn the encoding.
    pub fn new(reader: R) -> Self {
        Self {
            inner: Some(Decoded::Bytes(Replay {
                head: [0; SNIFF_LEN],
                pos: 0,
                len: 0,
                failure: None,
                rest: reader,
            })),
            encoding: None,
            held: None,
        }
    }

    /// The encoding found at the start of the stream (`None` before the first read).
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.encoding
    }

    /// Reads the first bytes and picks the decoder. An error leaves the encoding as bytes;
    /// it is returned once the bytes read before it have been handed on.
    fn sniff(&mut self) {
        let Some(Decoded::Bytes(replay)) = &mut self.inner else {
            return;
        };
        let mut failure = None;
        while replay.len < replay.head.len() {
            match replay.rest.read(&mut replay.head[replay.len..]) {
                Ok(0) => break,
                Ok(n) => replay.len += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    failure = Some(err);
                    break;
                }
            }
        }
        let head = &replay.head[..replay.len];
        let (encoding, skip) = match (head, &failure) {
            (_, Some(_)) => (TextEncoding::Bytes, 0),
            ([0xff, 0xfe, units @ ..], None) if looks_like_utf16(units, false) => {
                (TextEncoding::Utf16Le, 2)
            }
            ([0xfe, 0xff, units @ ..], None) if looks_like_utf16(units, true) => {
                (TextEncoding::Utf16Be, 2)
            }
            ([0xef, 0xbb, 0xbf, ..], None) => (TextEncoding::Bytes, 3),
            _ => (TextEncoding::Bytes, 0),
        };
        replay.pos = skip;
        self.encoding = Some(encoding);
        if encoding != TextEncoding::Bytes {
            if let Some(Decoded::Bytes(replay)) = self.inner.take() {
                let big_endian = encoding == TextEncoding::Utf16Be;
                let decoder = Utf16Decoder::new(replay, big_endian);
                self.inner = Some(Decoded::Utf16(Box::new(decoder)));
            }
        } else if let Some(Decoded::Bytes(replay)) = &mut self.inner {
            replay.failure = failure;
        }
    }

    fn read_decoded(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Some(Decoded::Bytes(reader)) => reader.read(buf),
            Some(Decoded::Utf16(decoder)) => decoder.read(buf),
            None => Ok(0),
        }
    }
}

impl<R: Read> Read for TextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.encoding.is_none() {
            self.sniff();
        }
        let mut len = 0;
        if let Some(byte) = self.held.take() {
            buf[0] = byte;
            len = 1;
        }
        let mut at_end = false;
        if len < buf.len() {
            match self.read_decoded(&mut buf[len..]) {
                Ok(0) => at_end = true,
                Ok(n) => len += n,
                Err(err) => {
                    if len > 0 {
                        self.held = Some(buf[0]);
                    }
                    return Err(err);
                }
            }
        }
        if len == 0 {
            return Ok(0);
        }
        self.lone_crs_to_newlines(buf, len, at_end)
    }
}

impl<R: Read> TextReader<R> {
    /// Turns each CR in `buf[..len]` that is not followed by LF into LF. A CR in the last
    /// position is decided by the next byte of the stream: it is held back when more bytes
    /// are in `buf`, or the next byte is read (and held) when it is the only one.
    fn lone_crs_to_newlines(
        &mut self,
        buf: &mut [u8],
        mut len: usize,
        at_end: bool,
    ) -> io::Result<usize> {
        let mut from = 0;
        while let Some(found) = memchr::memchr(b'\r', &buf[from..len]) {
            let at = from + found;
            from = at + 1;
            if at + 1 < len {
                if buf[at + 1] != b'\n' {
                    buf[at] = b'\n';
                }
                continue;
            }
            if at_end {
                buf[at] = b'\n';
            } else if len > 1 {
                self.held = Some(b'\r');
                len -= 1;
                break;
            } else {
                let mut next = [0u8; 1];
                let n = loop {
                    match self.read_decoded(&mut next) {
                        Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                        Err(err) => {
                            self.held = Some(b'\r');
                            return Err(err);
                        }
                        Ok(n) => break n,
                    }
                };
                if n == 0 || next[0] != b'\n' {
                    buf[at] = b'\n';
                }
                if n == 1 {
                    self.held = Some(next[0]);
                }
            }
        }
        Ok(len)
    }
}

/// The decoded stream under the line-ending pass.
enum Decoded<R> {
    Bytes(Replay<R>),
    Utf16(Box<Utf16Decoder<Replay<R>>>),
}

/// Whether the units after a UTF-16 BOM look like text: at least a quarter of them ASCII
/// (a mark alone, with nothing after it, counts as text).
fn looks_like_utf16(units: &[u8], big_endian: bool) -> bool {
    let pairs = units.chunks_exact(2);
    let total = pairs.len();
    let ascii = pairs
        .filter(|pair| {
            let unit = Utf16Decoder::<&[u8]>::unit(pair, big_endian, 0);
            (1..0x80).contains(&unit)
        })
        .count();
    ascii * 4 >= total
}

/// The first bytes read to find the encoding (less a BOM), then the rest of the stream.
struct Replay<R> {
    head: [u8; SNIFF_LEN],
    pos: usize,
    len: usize,
    /// The error that stopped the reading of `head`, returned after it.
    failure: Option<io::Error>,
    rest: R,
}

impl<R: Read> Read for Replay<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.len {
            let n = (self.len - self.pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        if let Some(err) = self.failure.take() {
            return Err(err);
        }
        self.rest.read(buf)
    }
}

/// UTF-16 to UTF-8 with fixed buffers.
struct Utf16Decoder<R> {
    inner: R,
    big_endian: bool,
    raw: Box<[u8]>,
    /// Raw bytes not decoded yet: an odd byte or a high surrogate waiting for its pair.
    raw_len: usize,
    out: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    at_end: bool,
}

impl<R: Read> Utf16Decoder<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        Self {
            inner,
            big_endian,
            raw: vec![0; UTF16_RAW_LEN].into_boxed_slice(),
            raw_len: 0,
            // Every 2-byte unit gives at most 3 UTF-8 bytes (a pair of 2 gives 4).
            out: vec![0; UTF16_RAW_LEN / 2 * 3].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            at_end: false,
        }
    }

    /// The 16-bit unit at byte `at` of `raw`.
    fn unit(raw: &[u8], big_endian: bool, at: usize) -> u16 {
        let pair = [raw[at], raw[at + 1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    }

    /// Reads more raw bytes and decodes what can be decoded into `out`.
    fn refill(&mut self) -> io::Result<()> {
        if !self.at_end {
            match self.inner.read(&mut self.raw[self.raw_len..]) {
                Ok(0) => self.at_end = true,
                Ok(n) => self.raw_len += n,
                Err(err) => return Err(err),
            }
        }
        let mut units = self.raw_len / 2;
        // A high surrogate at the end may be completed by the next read.
        let (raw, big_endian) = (&self.raw, self.big_endian);
        if !self.at_end
            && units > 0
            && is_high_surrogate(Self::unit(raw, big_endian, (units - 1) * 2))
        {
            units -= 1;
        }
        let mut out_end = 0;
        let decoded = char::decode_utf16((0..units).map(|i| Self::unit(raw, big_endian, i * 2)));
        for c in decoded {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            out_end += c.encode_utf8(&mut self.out[out_end..]).len();
        }
        let used = units * 2;
        self.raw.copy_within(used..self.raw_len, 0);
        self.raw_len -= used;
        if self.at_end && self.raw_len > 0 {
            // A dangling odd byte.
            out_end += char::REPLACEMENT_CHARACTER
                .encode_utf8(&mut self.out[out_end..])
                .len();
            self.raw_len = 0;
        }
        self.out_start = 0;
        self.out_end = out_end;
        Ok(())
    }
}

fn is_high_surrogate(unit: u16) -> bool {
    (0xD800..0xDC00).contains(&unit)
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_start == self.out_end {
            if self.at_end && self.raw_len == 0 {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = (self.out_end - self.out_start).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its data `step` bytes at a time.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Normalises `input` read `step` bytes at a time into buffers of `buf_len` bytes.
    fn normalise_with(input: &[u8], step: usize, buf_len: usize) -> Vec<u8> {
        let mut reader = TextReader::new(Trickle { data: input, step });
        let mut out = Vec::new();
        let mut buf = vec![0u8; buf_len];
        loop {
            let n = reader.read(&mut buf).expect("read");
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    /// The same result for every read size and buffer size.
    fn normalise(input: &[u8]) -> Vec<u8> {
        let whole = normalise_with(input, usize::MAX, 1 << 16);
        for step in [1, 2, 3, 5, 64] {
            for buf_len in [1, 2, 3, 7, 4096] {
                assert_eq!(
                    normalise_with(input, step, buf_len),
                    whole,
                    "step {step}, buffer {buf_len}, input {input:?}"
                );
            }
        }
        whole
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        bytes
    }

    #[test]
    fn plain_bytes_pass_through() {
        let input = b"a\nb\r\nc\xe9 \xff\x00 end\n";
        assert_eq!(normalise(input), input);
        assert_eq!(normalise(b""), b"");
        assert_eq!(normalise(b"x"), b"x");
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        assert_eq!(normalise(b"one\rtwo\rthree"), b"one\ntwo\nthree");
        assert_eq!(normalise(b"one\r"), b"one\n");
        assert_eq!(normalise(b"\r\r\n\r"), b"\n\r\n\n");
        assert_eq!(normalise(b"a\r\nb\rc\r\n"), b"a\r\nb\nc\r\n");
    }

    #[test]
    fn a_utf8_bom_is_dropped() {
        assert_eq!(normalise(b"\xef\xbb\xbfJan 1 x\n"), b"Jan 1 x\n");
        assert_eq!(normalise(b"\xef\xbb"), b"\xef\xbb");
    }

    #[test]
    fn utf16_with_a_bom_becomes_utf8() {
        let text = "Jan 16 12:28:18 web app[7]: caf\u{e9} \u{1f600} bind failed\r\nnext\rlast";
        for big_endian in [false, true] {
            let decoded = normalise(&utf16(text, big_endian));
            assert_eq!(
                decoded,
                "Jan 16 12:28:18 web app[7]: caf\u{e9} \u{1f600} bind failed\r\nnext\nlast"
                    .as_bytes()
            );
        }
        let bytes = utf16("x", true);
        let mut reader = TextReader::new(&bytes[..]);
        assert_eq!(reader.encoding(), None);
        assert_eq!(reader.read(&mut [0u8; 8]).expect("read"), 1);
        assert_eq!(reader.encoding(), Some(TextEncoding::Utf16Be));
    }

    #[test]
    fn binary_data_after_a_utf16_mark_stays_bytes() {
        let mut input = vec![0xff, 0xfe, 0x00, b'\n'];
        input.extend_from_slice(b"Jan 16 12:28:18 web app[1]: \xff\xfe OSError\n");
        assert_eq!(normalise(&input), input);
        let bytes = [0xfe, 0xff, 0x91, 0x92, 0x93, 0x94];
        assert_eq!(normalise(&bytes), bytes);
    }

    #[test]
    fn broken_utf16_becomes_replacement_characters() {
        // An unpaired high surrogate, then a dangling odd byte.
        let input = [0xff, 0xfe, 0x3d, 0xd8, b'a', 0, b'b'];
        assert_eq!(normalise(&input), "\u{fffd}a\u{fffd}".as_bytes());
        // A high surrogate at the very end.
        let input = [0xff, 0xfe, b'a', 0, 0x3d, 0xd8];
        assert_eq!(normalise(&input), "a\u{fffd}".as_bytes());
    }

    #[test]
    fn large_utf16_input_crosses_buffer_boundaries() {
        let line = "line \u{1f600} with an emoji and caf\u{e9}\n";
        let text = line.repeat(UTF16_RAW_LEN / 20);
        let decoded = normalise_with(&utf16(&text, false), 7777, 4096);
        assert_eq!(decoded, text.as_bytes());
    }

    /// Fails once after its data, then reports the end.
    struct FailsOnce<'a> {
        data: &'a [u8],
        failed: bool,
    }

    impl Read for FailsOnce<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if !self.data.is_empty() {
                return self.data.read(buf);
            }
            if !self.failed {
                self.failed = true;
                return Err(io::Error::other("cut"));
            }
            Ok(0)
        }
    }

    #[test]
    fn a_held_carriage_return_survives_an_error() {
        let mut reader = TextReader::new(FailsOnce {
            data: b"abc\r",
            failed: false,
        });
        let mut buf = [0u8; 16];
        assert_eq!(reader.read(&mut buf).expect("first"), 3);
        assert!(reader.read(&mut buf).is_err());
        assert_eq!(reader.read(&mut buf).expect("after the error"), 1);
        assert_eq!(buf[0], b'\n');
        assert_eq!(reader.read(&mut buf).expect("end"), 0);
    }
}
