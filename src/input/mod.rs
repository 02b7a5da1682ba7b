//! Log sources: stdin, files, directories and compressed files, read as line-aligned blocks.
//!
//! A source has a stable display name (`-`, the path as given, `dir/app.log`). Regular files
//! are memory-mapped and handed over whole; stdin and decompressed data are read in
//! fixed-size blocks so memory stays bounded whatever the input size.

use std::io::Read;
use std::path::PathBuf;

/// Where a source's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Stdin,
    File(PathBuf),
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

/// An opened source.
pub struct Source {
    pub name: String,
    pub body: Body,
}

/// The bytes of an opened source.
pub enum Body {
    /// An uncompressed regular file, mapped into memory.
    Mapped(memmap2::Mmap),
    /// Stdin or decompressed data, to be read in blocks with [`LineBlocks`].
    Stream(Box<dyn Read + Send>),
}

/// Something went wrong with one source; the others are still analysed.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{name}: {err}")]
    Io {
        name: String,
        #[source]
        err: std::io::Error,
    },
}

impl InputError {
    /// The display name of the source the error is about.
    pub fn source_name(&self) -> &str {
        match self {
            InputError::Io { name, .. } => name,
        }
    }
}

/// Expands the command-line paths (`-` is stdin, directories are walked) into sources.
pub fn collect_sources(paths: &[PathBuf]) -> (Vec<SourceSpec>, Vec<InputError>) {
    let specs = if paths.is_empty() {
        vec![SourceSpec { name: "-".into(), location: Location::Stdin, from_walk: false }]
    } else {
        paths
            .iter()
            .map(|p| {
                if p.as_os_str() == "-" {
                    SourceSpec { name: "-".into(), location: Location::Stdin, from_walk: false }
                } else {
                    SourceSpec {
                        name: p.display().to_string(),
                        location: Location::File(p.clone()),
                        from_walk: false,
                    }
                }
            })
            .collect()
    };
    (specs, Vec::new())
}

/// Opens a source: maps regular files, wraps stdin and decompresses by magic bytes.
pub fn open(spec: &SourceSpec) -> Result<Source, InputError> {
    let io = |err| InputError::Io { name: spec.name.clone(), err };
    let body = match &spec.location {
        Location::Stdin => Body::Stream(Box::new(std::io::stdin())),
        Location::File(path) => Body::Stream(Box::new(std::fs::File::open(path).map_err(io)?)),
    };
    Ok(Source { name: spec.name.clone(), body })
}

/// A block of whole lines read from a stream.
pub struct Block<'a> {
    pub bytes: &'a [u8],
    /// The first bytes continue a line that an earlier block had to cut (over-long line).
    pub continues_line: bool,
}

/// Reads a stream as blocks of whole lines with bounded memory. A line longer than the
/// block size is cut into block-sized pieces; the pieces keep one line number.
pub struct LineBlocks<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    cut_pending: bool,
}

impl<R: Read> LineBlocks<R> {
    pub fn new(reader: R, block_size: usize) -> Self {
        Self {
            reader,
            buf: vec![0; block_size.max(4096)],
            start: 0,
            end: 0,
            eof: false,
            cut_pending: false,
        }
    }

    /// The next block, or `None` at the end of the stream.
    pub fn next_block(&mut self) -> std::io::Result<Option<Block<'_>>> {
        // Move the unfinished tail to the front and fill the rest.
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        while !self.eof && self.end < self.buf.len() {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if self.end == 0 {
            return Ok(None);
        }
        let continues_line = self.cut_pending;
        let cut = if self.eof {
            self.cut_pending = false;
            self.end
        } else {
            match memchr::memrchr(b'\n', &self.buf[..self.end]) {
                Some(nl) => {
                    self.cut_pending = false;
                    nl + 1
                }
                None => {
                    self.cut_pending = true;
                    self.end
                }
            }
        };
        self.start = cut;
        Ok(Some(Block { bytes: &self.buf[..cut], continues_line }))
    }
}
