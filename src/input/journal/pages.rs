//! Random access to a journal file through a small cache of fixed-size pages.
//!
//! Reading an entry touches its own objects (written just before it) and the DATA objects
//! it shares with many other entries (host name, unit, executable), written wherever they
//! first occurred; caching pages keeps both in memory without re-reading them for every
//! entry. Every read is checked against the file's length; memory stays at
//! [`MAX_PAGES`] pages per file, plus reads larger than a page, which go to the file
//! directly.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

/// Bytes per cached page.
const PAGE_SIZE: u64 = 16 * 1024;

/// Pages kept per file (1 MiB); when full, the cache starts over.
const MAX_PAGES: usize = 64;

/// A file (or any seekable stream) of known length, read through the page cache.
pub struct PagedReader<R> {
    inner: R,
    len: u64,
    pages: HashMap<u64, Vec<u8>>,
}

impl<R: Read + Seek> PagedReader<R> {
    /// Wraps a stream; its length is taken once, now.
    pub fn new(mut inner: R) -> std::io::Result<Self> {
        let len = inner.seek(SeekFrom::End(0))?;
        Ok(PagedReader {
            inner,
            len,
            pages: HashMap::new(),
        })
    }

    /// The length of the file when it was opened.
    pub fn file_len(&self) -> u64 {
        self.len
    }

    /// `size` bytes at `offset`, or why not (in words for a damage report).
    pub fn read(&mut self, offset: u64, size: u64) -> Result<Vec<u8>, String> {
        let end = offset
            .checked_add(size)
            .filter(|&end| end <= self.len)
            .ok_or("extends past the end of the file")?;
        if size > PAGE_SIZE {
            return self.read_from_file(offset, size);
        }
        let mut bytes = Vec::with_capacity(size as usize);
        let mut at = offset;
        while at < end {
            let page_start = at - at % PAGE_SIZE;
            let page = self.page(page_start)?;
            let from = (at - page_start) as usize;
            let to = page.len().min((end - page_start) as usize);
            if from >= to {
                return Err(cut_while_read());
            }
            bytes.extend_from_slice(&page[from..to]);
            at = page_start + to as u64;
        }
        Ok(bytes)
    }

    /// The cached page starting at `start`, read first if needed.
    fn page(&mut self, start: u64) -> Result<&[u8], String> {
        if !self.pages.contains_key(&start) {
            if self.pages.len() >= MAX_PAGES {
                self.pages.clear();
            }
            let size = PAGE_SIZE.min(self.len - start);
            let page = self.read_from_file(start, size)?;
            self.pages.insert(start, page);
        }
        self.pages
            .get(&start)
            .map(Vec::as_slice)
            .ok_or_else(cut_while_read)
    }

    /// Reads exactly `size` bytes at `offset` from the file itself.
    fn read_from_file(&mut self, offset: u64, size: u64) -> Result<Vec<u8>, String> {
        let read_error = |err: std::io::Error| format!("read error ({err})");
        let size = usize::try_from(size).map_err(|_| "too large for memory".to_string())?;
        self.inner
            .seek(SeekFrom::Start(offset))
            .map_err(read_error)?;
        let mut bytes = vec![0; size];
        let mut filled = 0;
        while filled < size {
            match self.inner.read(&mut bytes[filled..]) {
                Ok(0) => return Err(cut_while_read()),
                Ok(n) => filled += n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => return Err(read_error(err)),
            }
        }
        Ok(bytes)
    }
}

fn cut_while_read() -> String {
    "the file ends early (cut short while being read?)".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn reads_across_pages_and_checks_bounds() {
        let data: Vec<u8> = (0..3 * PAGE_SIZE + 100).map(|n| (n % 251) as u8).collect();
        let mut reader = PagedReader::new(Cursor::new(data.clone())).expect("seekable");
        assert_eq!(reader.file_len(), data.len() as u64);
        for (offset, size) in [
            (0, 16),
            (PAGE_SIZE - 8, 16),
            (PAGE_SIZE - 1, PAGE_SIZE),
            (5, 3 * PAGE_SIZE),
        ] {
            let got = reader.read(offset, size).expect("inside the file");
            assert_eq!(got, data[offset as usize..(offset + size) as usize]);
        }
        let len = data.len() as u64;
        assert_eq!(
            reader.read(len - 4, 4).expect("the last bytes"),
            data[data.len() - 4..]
        );
        assert!(reader.read(len - 4, 5).is_err());
        assert!(reader.read(u64::MAX, 2).is_err());
        for page in 0..2 * MAX_PAGES as u64 {
            let _ = reader.read(page * 7 % len, 8);
        }
        assert!(reader.pages.len() <= MAX_PAGES);
    }
}
