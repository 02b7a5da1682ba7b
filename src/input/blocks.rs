//! Reading a stream as line-aligned blocks with memory bounded by the block size.
//!
//! A block ends at a newline, except at the end of the stream, and when a single line is
//! longer than the block: then the block holds a piece of that line and the next block has
//! [`Block::continues_line`] set. Bytes are handed over untouched (CRLF stays CRLF, invalid
//! UTF-8 stays as it is), so concatenating all blocks gives back the stream.
//!
//! A read error in the middle of the stream (a truncated gzip file, say) does not lose data:
//! every byte read before it is handed out first, as a final block, and the error comes from
//! the following call. After the error the reader reports the end of the stream.

use std::io::{self, Read};

/// The smallest block [`LineBlocks::new`] uses; smaller requests are raised to it.
pub const MIN_BLOCK_SIZE: usize = 4096;

/// The largest block [`LineBlocks::new`] uses; larger requests are lowered to it.
pub const MAX_BLOCK_SIZE: usize = 256 * 1024 * 1024;

/// A reasonable block size for streams: large enough for fast scanning, small in memory.
pub const DEFAULT_BLOCK_SIZE: usize = 256 * 1024;
/// Bytes asked of the reader at a time while a block fills.
const READ_PIECE: usize = 256 * 1024;
/// The most room [`LineBlocks::next_owned_block`] keeps for the unfinished line between
/// calls; a longer line's room is given back.
const TAIL_KEPT: usize = 64 * 1024;

/// A block of bytes from a source: whole lines, except as described in the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block<'a> {
    pub bytes: &'a [u8],
    /// The first bytes continue a line that an earlier block had to cut (over-long line).
    pub continues_line: bool,
}

/// A block handed over with its buffer ([`LineBlocks::next_owned_block`]): the block is
/// `buffer[..len]`; give the buffer back as the next call's spare.
#[derive(Debug)]
pub struct OwnedBlock {
    pub buffer: Vec<u8>,
    pub len: usize,
    /// As [`Block::continues_line`].
    pub continues_line: bool,
}

impl OwnedBlock {
    pub fn bytes(&self) -> &[u8] {
        &self.buffer[..self.len]
    }
}

/// Where the reader stands.
#[derive(Debug)]
enum ReadState {
    /// More bytes may come.
    Reading,
    /// The reader reported the end of the stream.
    Ended,
    /// The reader failed; the error is returned once the buffered bytes are handed out.
    Failed(io::Error),
    /// The error was returned; nothing more comes.
    Finished,
}

/// Reads a stream as blocks of whole lines with bounded memory. A line longer than the
/// block size is cut into block-sized pieces; the pieces keep one line number.
pub struct LineBlocks<R> {
    reader: R,
    /// The buffer being filled; empty before the first block and after
    /// [`LineBlocks::next_owned_block`] handed it over (with the unfinished line kept in
    /// `tail`), until the next call attaches a buffer.
    buf: Box<[u8]>,
    block_size: usize,
    /// A block is handed out once it holds this many bytes and a newline (at most
    /// `block_size`; see [`LineBlocks::handing_out_at`]).
    target: usize,
    /// The bytes after the last owned block (an unfinished line), while `buf` is empty.
    tail: Vec<u8>,
    /// First buffered byte not handed out yet.
    start: usize,
    /// End of the buffered bytes.
    end: usize,
    state: ReadState,
    /// The last block ended inside a line.
    cut_pending: bool,
}

impl<R: Read> LineBlocks<R> {
    /// Blocks of at most `block_size` bytes, kept between [`MIN_BLOCK_SIZE`] and
    /// [`MAX_BLOCK_SIZE`]. The buffer has this size; it is made by the first call, or is the
    /// spare [`LineBlocks::next_owned_block`] is given (a reader of many small sources in
    /// turn can so read them all into one buffer).
    pub fn new(reader: R, block_size: usize) -> Self {
        let block_size = block_size.clamp(MIN_BLOCK_SIZE, MAX_BLOCK_SIZE);
        Self::with_exact_block_size(reader, block_size)
    }

    /// Blocks of at most `block_size` bytes (at least one); small sizes are for tests.
    pub(crate) fn with_exact_block_size(reader: R, block_size: usize) -> Self {
        let block_size = block_size.max(1);
        Self {
            reader,
            buf: Box::default(),
            block_size,
            target: block_size,
            tail: Vec::new(),
            start: 0,
            end: 0,
            state: ReadState::Reading,
            cut_pending: false,
        }
    }

    /// Hands a block out as soon as it holds `target` bytes ending in a whole line, rather
    /// than when the buffer is full: smaller blocks that are still in the cache when they are
    /// scanned. A line longer than `target` still fills the block up to the block size, so
    /// lines are cut where they would be without it.
    pub fn handing_out_at(mut self, target: usize) -> Self {
        self.target = target.clamp(1, self.block_size);
        self
    }

    /// The largest block this reader hands out.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// The next block, `Ok(None)` at the end of the stream, or the reader's error once
    /// everything read before it has been handed out.
    pub fn next_block(&mut self) -> io::Result<Option<Block<'_>>> {
        if self.buf.is_empty() {
            self.attach(Vec::new());
        }
        self.move_tail_to_front();
        self.fill();
        if self.end == 0 {
            return self.finish();
        }
        let continues_line = self.cut_pending;
        let cut = self.cut_point();
        self.start = cut;
        Ok(Some(Block {
            bytes: &self.buf[..cut],
            continues_line,
        }))
    }

    /// Whether everything was handed out and the stream has ended: the next call gives
    /// `Ok(None)`. (Not after a read error, which the next call reports.)
    pub fn is_exhausted(&self) -> bool {
        self.start == self.end
            && self.tail.is_empty()
            && matches!(self.state, ReadState::Ended | ReadState::Finished)
    }

    /// Like [`LineBlocks::next_block`], but hands the block over in its own buffer, so it can
    /// travel to another thread without a copy. The block is read, after the unfinished line
    /// the last block left, into `spare` (a buffer handed over before; anything not of the
    /// block size is replaced by a new buffer), and the whole buffer is handed over: the
    /// reader keeps only the unfinished line after the block, apart, until the next call.
    /// So a caller that gives back each buffer once it is done with it reads into one buffer
    /// while the other is in use: two buffers in all.
    pub fn next_owned_block(&mut self, spare: Vec<u8>) -> io::Result<Option<OwnedBlock>> {
        if self.buf.is_empty() {
            self.attach(spare);
        }
        let (len, continues_line) = match self.next_block()? {
            Some(block) => (block.bytes.len(), block.continues_line),
            None => return Ok(None),
        };
        self.tail.clear();
        self.tail.extend_from_slice(&self.buf[self.start..self.end]);
        let handed = std::mem::take(&mut self.buf);
        self.start = 0;
        self.end = 0;
        Ok(Some(OwnedBlock {
            buffer: handed.into_vec(),
            len,
            continues_line,
        }))
    }

    /// Makes `spare` the buffer (a new one when it is not of the block size), holding the
    /// unfinished line kept apart.
    fn attach(&mut self, spare: Vec<u8>) {
        // A new buffer comes zeroed from the system, its pages untouched until read into:
        // writing zeros over it would touch a whole block for a file of a few lines.
        let mut fresh = if spare.len() == self.block_size {
            spare
        } else {
            vec![0; self.block_size]
        };
        let tail = self.tail.len();
        fresh[..tail].copy_from_slice(&self.tail);
        if self.tail.capacity() > TAIL_KEPT {
            // An unfinished line of nearly a block: not kept as a third buffer.
            self.tail = Vec::new();
        } else {
            self.tail.clear();
        }
        self.buf = fresh.into_boxed_slice();
        self.start = 0;
        self.end = tail;
    }

    /// Moves the bytes not handed out yet (an unfinished line) to the front of the buffer.
    fn move_tail_to_front(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// Reads until the buffer holds the target and a newline, the buffer is full, the
    /// stream ends or the reader fails. Each read asks for at most [`READ_PIECE`] bytes, so
    /// what the reader does with them (the text layer's scan for CR) runs while they are
    /// still in the cache.
    fn fill(&mut self) {
        // Whether the bytes read by this call hold a newline (those before them are an
        // unfinished line, or a block that ended at the buffer's end).
        let mut newline = false;
        while matches!(self.state, ReadState::Reading) && self.end < self.buf.len() {
            if newline && self.end >= self.target {
                break;
            }
            let piece_end = self.buf.len().min(self.end + READ_PIECE);
            match self.reader.read(&mut self.buf[self.end..piece_end]) {
                Ok(0) => self.state = ReadState::Ended,
                Ok(n) => {
                    let read = self.end..self.end + n.min(self.buf.len() - self.end);
                    newline = newline || memchr::memchr(b'\n', &self.buf[read.clone()]).is_some();
                    self.end = read.end;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => self.state = ReadState::Failed(err),
            }
        }
    }

    /// Where the next block ends: after the last newline while more bytes may come,
    /// everything buffered otherwise. Records whether the cut falls inside a line.
    fn cut_point(&mut self) -> usize {
        let more_may_come = matches!(self.state, ReadState::Reading);
        let last_newline = memchr::memrchr(b'\n', &self.buf[..self.end]);
        match last_newline {
            Some(newline) if more_may_come => {
                self.cut_pending = false;
                newline + 1
            }
            _ => {
                self.cut_pending = more_may_come;
                self.end
            }
        }
    }

    /// Nothing is buffered: the end of the stream, or the reader's error (once).
    fn finish(&mut self) -> io::Result<Option<Block<'_>>> {
        match std::mem::replace(&mut self.state, ReadState::Finished) {
            ReadState::Failed(err) => Err(err),
            ReadState::Reading => {
                // Unreachable in practice (fill only stops reading when the buffer is full or
                // holds a newline, so never empty); keep reading on the next call.
                self.state = ReadState::Reading;
                Ok(None)
            }
            ReadState::Ended | ReadState::Finished => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects every block (with its flag) and the error, if any, that ended the stream.
    fn read_all<R: Read>(mut blocks: LineBlocks<R>) -> (Vec<(Vec<u8>, bool)>, Option<io::Error>) {
        let mut out = Vec::new();
        loop {
            match blocks.next_block() {
                Ok(Some(block)) => out.push((block.bytes.to_vec(), block.continues_line)),
                Ok(None) => return (out, None),
                Err(err) => return (out, Some(err)),
            }
        }
    }

    fn concat(blocks: &[(Vec<u8>, bool)]) -> Vec<u8> {
        blocks
            .iter()
            .flat_map(|(bytes, _)| bytes.iter().copied())
            .collect()
    }

    /// Like `read_all`, through owned blocks, each buffer given back as the next spare
    /// (or a fresh one, every third block).
    fn read_all_owned<R: Read>(mut blocks: LineBlocks<R>) -> Vec<(Vec<u8>, bool)> {
        let mut out = Vec::new();
        let mut spare = Vec::new();
        while let Some(block) = blocks.next_owned_block(std::mem::take(&mut spare)).unwrap() {
            out.push((block.bytes().to_vec(), block.continues_line));
            if out.len() % 3 != 0 {
                spare = block.buffer;
            }
        }
        out
    }

    #[test]
    fn owned_blocks_are_the_same_blocks() {
        let mut input = Vec::new();
        for i in 0..500 {
            input.extend_from_slice(format!("line {i} {}\n", "x".repeat(i % 37)).as_bytes());
        }
        input.extend_from_slice(&[b'y'; 300]);
        for size in [16, 64, 100, 4096] {
            let borrowed = read_all(LineBlocks::with_exact_block_size(&input[..], size)).0;
            let owned = read_all_owned(LineBlocks::with_exact_block_size(&input[..], size));
            assert_eq!(owned, borrowed, "block size {size}");
        }
    }

    #[test]
    fn an_owned_reader_holds_no_buffer_between_blocks_and_reads_into_the_spare() {
        let mut input = Vec::new();
        for i in 0..300 {
            input.extend_from_slice(format!("entry {i} {}\n", "z".repeat(i % 53)).as_bytes());
        }
        let borrowed = read_all(LineBlocks::with_exact_block_size(&input[..], 100)).0;
        let mut blocks = LineBlocks::with_exact_block_size(&input[..], 100);
        // Each block handed over is given back as the next spare.
        let mut in_use: Option<Vec<u8>> = None;
        let mut out = Vec::new();
        let mut made = 0;
        loop {
            let spare = in_use.take().unwrap_or_else(|| {
                made += 1;
                Vec::new()
            });
            let Some(block) = blocks.next_owned_block(spare).unwrap() else {
                break;
            };
            // Between calls the reader holds only the unfinished line, no block buffer.
            assert!(blocks.buf.is_empty());
            out.push((block.bytes().to_vec(), block.continues_line));
            in_use = Some(block.buffer);
        }
        assert_eq!(out, borrowed);
        assert_eq!(made, 1, "only the first call comes without a spare");
    }

    /// Checks the block invariants for one input and block size.
    fn check_invariants(input: &[u8], block_size: usize) {
        let blocks = LineBlocks::with_exact_block_size(input, block_size);
        let (out, err) = read_all(blocks);
        assert!(err.is_none());
        assert_eq!(concat(&out), input, "block size {block_size}");
        let mut previous_cut = false;
        for (index, (bytes, continues_line)) in out.iter().enumerate() {
            let last = index + 1 == out.len();
            assert!(!bytes.is_empty());
            assert!(bytes.len() <= block_size);
            assert_eq!(*continues_line, previous_cut, "block {index}");
            let ends_line = bytes.ends_with(b"\n");
            let full = bytes.len() == block_size;
            assert!(
                ends_line || last || (full && !bytes.contains(&b'\n')),
                "block {index}"
            );
            previous_cut = !ends_line && !last;
        }
    }

    /// A tiny deterministic xorshift generator.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> usize {
            (self.next() % n.max(1)) as usize
        }
    }

    /// Random input of lines of very different lengths, some with CR, some without a
    /// final newline, some with NUL and invalid UTF-8 bytes.
    fn random_input(rng: &mut XorShift, len: usize) -> Vec<u8> {
        let mut input = Vec::with_capacity(len);
        while input.len() < len {
            let line_len = match rng.below(10) {
                0 => rng.below(20_000),
                1 => 0,
                _ => rng.below(120),
            };
            input.extend((0..line_len).map(|_| [b'a', b'z', b' ', b'\r', 0, 0xff][rng.below(6)]));
            input.push(b'\n');
        }
        input.truncate(len);
        input
    }

    #[test]
    fn concatenated_blocks_equal_the_input_for_random_inputs() {
        for seed in 1..=40u64 {
            let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let len = rng.below(100_000);
            let input = random_input(&mut rng, len);
            for block_size in [1, 2, 3, 7, 64, 1000, rng.below(9000) + 1] {
                check_invariants(&input, block_size);
            }
        }
    }

    #[test]
    fn realistic_block_sizes_keep_the_invariants() {
        let mut rng = XorShift(0xdead_beef);
        let input = random_input(&mut rng, 300_000);
        for block_size in [4096, 4097, 8192, 65_536, 1 << 20] {
            check_invariants(&input, block_size);
        }
    }

    #[test]
    fn lines_longer_than_the_block_are_cut_and_flagged() {
        let long_line = vec![b'x'; 10_000];
        let mut input = b"short\n".to_vec();
        input.extend(&long_line);
        input.extend(b"\nafter\n");
        let (out, err) = read_all(LineBlocks::new(&input[..], 4096));
        assert!(err.is_none());
        assert_eq!(concat(&out), input);
        let flags: Vec<bool> = out.iter().map(|(_, flag)| *flag).collect();
        // "short\n", then the long line in pieces: 4096, 4096, rest with "after\n".
        assert_eq!(flags, [false, false, true, true]);
        assert_eq!(out[0].0, b"short\n");
        assert_eq!(out[1].0.len(), 4096);
        assert!(out[3].0.ends_with(b"\nafter\n"));
    }

    #[test]
    fn block_ends_at_a_newline_when_more_follows() {
        let input: Vec<u8> = (0..1000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let (out, _) = read_all(LineBlocks::new(&input[..], 4096));
        assert!(out.len() > 1);
        assert!(out
            .iter()
            .all(|(bytes, flag)| bytes.ends_with(b"\n") && !flag));
    }

    #[test]
    fn crlf_is_handed_over_untouched() {
        let input = b"one\r\ntwo\r\nthree\r\n".repeat(1000);
        let (out, _) = read_all(LineBlocks::new(&input[..], 4096));
        assert_eq!(concat(&out), input);
    }

    #[test]
    fn last_line_without_newline_is_delivered() {
        let (out, _) = read_all(LineBlocks::new(&b"a\nb"[..], 4096));
        assert_eq!(concat(&out), b"a\nb");
    }

    #[test]
    fn empty_stream_has_no_blocks() {
        let (out, err) = read_all(LineBlocks::new(&b""[..], 4096));
        assert!(out.is_empty() && err.is_none());
    }

    #[test]
    fn block_sizes_are_kept_within_bounds() {
        assert_eq!(LineBlocks::new(&b""[..], 10).block_size(), MIN_BLOCK_SIZE);
        assert_eq!(LineBlocks::new(&b""[..], 70_000).block_size(), 70_000);
        assert_eq!(
            LineBlocks::new(&b""[..], usize::MAX).block_size(),
            MAX_BLOCK_SIZE
        );
    }

    /// Hands out `data` in small reads, then fails (once), then reports end of stream.
    struct FailingReader {
        data: Vec<u8>,
        pos: usize,
        failed: bool,
    }

    impl Read for FailingReader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pos < self.data.len() {
                let n = buf.len().min(7).min(self.data.len() - self.pos);
                buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if !self.failed {
                self.failed = true;
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut"));
            }
            Ok(0)
        }
    }

    #[test]
    fn a_stream_is_exhausted_only_when_it_ended_and_all_was_handed_out() {
        let mut short = LineBlocks::new(&b"a\nb\n"[..], 4096);
        assert!(!short.is_exhausted());
        assert!(short.next_owned_block(Vec::new()).unwrap().is_some());
        assert!(short.is_exhausted());
        // Exactly one block: the end is seen only by the next read.
        let exact = b"0123456\n".repeat(512);
        let mut full = LineBlocks::new(&exact[..], 4096);
        assert_eq!(
            full.next_owned_block(Vec::new()).unwrap().unwrap().len,
            4096
        );
        assert!(!full.is_exhausted());
        assert!(full.next_owned_block(Vec::new()).unwrap().is_none());
        // An error waiting to be reported is not the end.
        let reader = FailingReader {
            data: b"one line\n".to_vec(),
            pos: 0,
            failed: false,
        };
        let mut failing = LineBlocks::new(reader, 4096);
        assert!(failing.next_owned_block(Vec::new()).unwrap().is_some());
        assert!(!failing.is_exhausted());
        assert!(failing.next_owned_block(Vec::new()).is_err());
    }

    #[test]
    fn bytes_read_before_an_error_are_handed_out_first() {
        let data = b"first line\nsecond line\npartial".repeat(500);
        for block_size in [5, 64, 4096, 100_000] {
            let reader = FailingReader {
                data: data.clone(),
                pos: 0,
                failed: false,
            };
            let mut blocks = LineBlocks::with_exact_block_size(reader, block_size);
            let mut delivered = Vec::new();
            let err = loop {
                match blocks.next_block() {
                    Ok(Some(block)) => delivered.extend_from_slice(block.bytes),
                    Ok(None) => panic!("the error must be reported"),
                    Err(err) => break err,
                }
            };
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
            assert_eq!(delivered, data, "block size {block_size}");
            assert!(matches!(blocks.next_block(), Ok(None)));
        }
    }

    /// Fails with `Interrupted` before every real read.
    struct InterruptingReader<'a> {
        data: &'a [u8],
        interrupt_next: bool,
    }

    impl Read for InterruptingReader<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt_next = !self.interrupt_next;
            if self.interrupt_next {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            self.data.read(buf)
        }
    }

    #[test]
    fn interrupted_reads_are_retried() {
        let input = b"a\nbb\nccc\n".repeat(2000);
        let reader = InterruptingReader {
            data: &input,
            interrupt_next: false,
        };
        let (out, err) = read_all(LineBlocks::new(reader, 4096));
        assert!(err.is_none());
        assert_eq!(concat(&out), input);
    }

    /// Hands out at most `most` bytes per read.
    struct TrickleReader<'a> {
        data: &'a [u8],
        most: usize,
    }

    impl Read for TrickleReader<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.most);
            self.data.read(&mut buf[..n])
        }
    }

    /// Stream offsets where a block ends inside a line (the next one continues it).
    fn cuts_inside_lines(blocks: &[(Vec<u8>, bool)]) -> Vec<usize> {
        let mut offset = 0;
        let mut cuts = Vec::new();
        for (bytes, continues_line) in blocks {
            if *continues_line {
                cuts.push(offset);
            }
            offset += bytes.len();
        }
        cuts
    }

    #[test]
    fn a_target_hands_out_whole_lines_early_and_cuts_long_lines_where_they_were_cut() {
        let mut input = Vec::new();
        for i in 0..400usize {
            // Mostly short lines, every 37th longer than a block.
            let len = if i % 37 == 5 { 300 + i } else { i % 23 };
            input.extend_from_slice(&vec![b'a' + (i % 26) as u8; len]);
            input.push(b'\n');
        }
        input.extend_from_slice(b"no newline at the end");
        for most in [1, 7, 64] {
            let reader = || TrickleReader { data: &input, most };
            let whole = read_all_owned(LineBlocks::with_exact_block_size(reader(), 256));
            let early =
                read_all_owned(LineBlocks::with_exact_block_size(reader(), 256).handing_out_at(40));
            assert_eq!(concat(&early), input);
            assert_eq!(cuts_inside_lines(&early), cuts_inside_lines(&whole));
            assert!(early.len() > whole.len(), "reads of {most}");
            for (i, (bytes, continues)) in early.iter().enumerate() {
                let cut_inside = early.get(i + 1).is_some_and(|(_, continues)| *continues);
                let last = i + 1 == early.len();
                assert!(bytes.ends_with(b"\n") || cut_inside || last);
                // Handed out at the first newline read past the target (but for the pieces
                // of a line longer than a block).
                assert!(bytes.len() < 40 + most + 23 || cut_inside || *continues);
            }
        }
    }
}
