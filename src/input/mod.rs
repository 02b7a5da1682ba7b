//! Log sources: stdin, files, directories, compressed files, tar archives and systemd
//! journal files, read as line-aligned blocks.
//!
//! A source has a stable display name (`-`, the path as given, `dir/app.log`,
//! `bundle.tar.gz:var/log/app.log` for a member of an archive). Every source,
//! regular files included, is a stream read in fixed-size blocks, so memory stays bounded
//! whatever the input size, and a file truncated or removed while it is read just ends
//! early (files are not memory-mapped: a mapped file truncated by another process would
//! kill this one with SIGBUS, and a mapped 1 GiB was scanned slower than one read through
//! two buffers, whose copy leaves the bytes in the cache for the scanning threads; see
//! BENCHMARKS.md).
//!
//! The usual sequence:
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! use logsleuth::input::{collect_sources, open, DEFAULT_BLOCK_SIZE};
//!
//! let (specs, mut problems) = collect_sources(&["logs".into()]);
//! for spec in &specs {
//!     // A file is one source, a tar archive one per member, handed over one at a time.
//!     open(spec, |opened| {
//!         let mut source = match opened {
//!             Ok(source) => source,
//!             Err(problem) => {
//!                 problems.push(problem); // `problem.is_error()` is false for skipped binaries
//!                 return;
//!             }
//!         };
//!         let outcome = source.for_each_block(DEFAULT_BLOCK_SIZE, |block| {
//!             let _lines = block.bytes; // scan here
//!             ControlFlow::<()>::Continue(())
//!         });
//!         if let Err(problem) = outcome {
//!             problems.push(problem); // what was read before it has been scanned
//!         }
//!     });
//! }
//! for problem in &problems {
//!     eprintln!("{problem}");
//! }
//! ```
//!
//! Private submodules: `walk` expands paths ([`collect_sources`]), `rotation` puts rotated
//! logs in time order within a directory, `open` opens one source ([`open`]), `compression`
//! detects and decodes compressed data ([`Compression`]), `archive` recognises tar archives
//! and streams their members, `text` normalises encodings and line endings
//! ([`TextReader`]), `blocks` cuts streams into line blocks ([`LineBlocks`]), `journal`
//! reads systemd's binary journal files as `journalctl -o json` lines (no journalctl
//! needed), `error` holds [`InputError`].
//!
//! Caveat: tar archives are read as streams, never unpacked to disk; an archive inside an
//! archive is read one level deep (deeper ones are skipped as binary members), and the
//! members of an archive are read in archive order (rotated members are not reordered).

mod archive;
mod blocks;
mod compression;
mod error;
mod journal;
mod open;
mod reread;
mod rotation;
mod text;
mod walk;

#[cfg(test)]
mod tests;

use std::fmt;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::PathBuf;

pub use blocks::{
    Block, LineBlocks, OwnedBlock, DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE,
};
pub use compression::{Compression, DecodeFailure};
pub use error::InputError;
pub use journal::{open_stream as open_journal_stream, Damage, JournalError, JOURNAL_MAGIC};
pub use open::{open, BINARY_CHECK_LEN};
pub use reread::Reread;
pub use text::{TextEncoding, TextReader};
pub use walk::collect_sources;

/// Where a source's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Stdin,
    File(PathBuf),
    /// The journal files of one directory, read as one stream merged by time.
    JournalFiles(Vec<PathBuf>),
}

/// A source found on the command line or by walking a directory, not opened yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    /// Display name used in evidence (`source:line`).
    pub name: String,
    pub location: Location,
    /// Found by walking a directory (binary files are then skipped with a note).
    pub from_walk: bool,
}

/// An opened source: its display name and its bytes (decompressed, encoding normalised).
/// The stream may borrow from what it came out of (a member, from its archive).
pub struct Source<'a> {
    pub name: String,
    pub reader: Box<dyn Read + 'a>,
}

impl<'a> Source<'a> {
    /// A source reading from any stream (in-memory input, tests), taken as it is: no
    /// decompression, no encoding normalisation.
    pub fn from_reader(name: impl Into<String>, reader: Box<dyn Read + 'a>) -> Self {
        Source {
            name: name.into(),
            reader,
        }
    }

    /// Hands the source's bytes to `visit` block by block until the end or until `visit`
    /// breaks; [`LineBlocks`] cuts them into blocks of at most `block_size` bytes. Returns
    /// how `visit` ended, or the error that ended the stream early, after every byte read
    /// before it was visited. The stream is consumed: a second call only sees what the
    /// first one left unread.
    pub fn for_each_block<B, F>(
        &mut self,
        block_size: usize,
        mut visit: F,
    ) -> Result<ControlFlow<B>, InputError>
    where
        F: FnMut(Block<'_>) -> ControlFlow<B>,
    {
        let mut blocks = LineBlocks::new(&mut self.reader, block_size);
        loop {
            match blocks.next_block() {
                Ok(Some(block)) => {
                    if let ControlFlow::Break(value) = visit(block) {
                        return Ok(ControlFlow::Break(value));
                    }
                }
                Ok(None) => return Ok(ControlFlow::Continue(())),
                Err(err) => return Err(InputError::from_read(&self.name, err)),
            }
        }
    }
}

impl fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
