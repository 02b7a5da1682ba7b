//! Reading live sources: stdin or growing files, handed on as whole lines as soon as they
//! arrive.
//!
//! Each source gets a thread ([`spawn_reader`]) that reads whatever the stream has (a pipe
//! returns what was written; it does not wait for a full block), cuts it at the last line
//! end and sends the whole lines over a bounded channel: a producer faster than the
//! analysis waits instead of filling memory. A line longer than the line limit is handed
//! on as its first `max_line` bytes; the rest of it is skipped up to its newline, as in
//! batch reading.
//!
//! [`FileTail`] follows a file like `tail -F`: at the end it waits for more, starts again
//! from the top when the file is truncated (copytruncate rotation), and opens the new file
//! when the path is replaced (rename rotation) or reappears after being removed.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::input::InputError;

/// Bytes asked for per read.
const READ_SIZE: usize = 256 * 1024;
/// Default longest line handed on whole.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;
/// How often a file at its end is checked for growth, truncation or replacement.
pub const TAIL_POLL: Duration = Duration::from_millis(200);

/// What a reader thread sends.
#[derive(Debug)]
pub enum LiveEvent {
    /// Whole lines (the last one may lack its newline at the end of the input).
    Lines { source: usize, bytes: Vec<u8> },
    /// The source failed; what it sent before was read.
    Failed { source: usize, error: InputError },
    /// The source ended.
    Ended { source: usize },
}

impl LiveEvent {
    /// Bytes carried (for batching).
    pub fn len(&self) -> usize {
        match self {
            LiveEvent::Lines { bytes, .. } => bytes.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Starts a thread that reads `reader` and sends its lines as [`LiveEvent`]s for source
/// index `source`; it ends at the end of the stream, on an error, or when the receiver is
/// gone.
pub fn spawn_reader(
    source: usize,
    name: String,
    reader: Box<dyn Read + Send>,
    sender: SyncSender<LiveEvent>,
    max_line: usize,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name(format!("read {name}"))
        .spawn(move || read_lines(source, &name, reader, &sender, max_line.max(1)))
}

fn read_lines(
    source: usize,
    name: &str,
    mut reader: Box<dyn Read + Send>,
    sender: &SyncSender<LiveEvent>,
    max_line: usize,
) {
    let mut buf = vec![0u8; READ_SIZE];
    let mut pending: Vec<u8> = Vec::new();
    // Inside the tail of an over-long line, skipped up to its newline.
    let mut skipping = false;
    let send = |bytes: Vec<u8>| sender.send(LiveEvent::Lines { source, bytes }).is_ok();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                if !pending.is_empty() && !skipping {
                    let _ = send(std::mem::take(&mut pending));
                }
                let error = InputError::from_read(name, err);
                let _ = sender.send(LiveEvent::Failed { source, error });
                return;
            }
        };
        let mut data = &buf[..n];
        if skipping {
            match memchr::memchr(b'\n', data) {
                Some(end) => {
                    data = &data[end + 1..];
                    skipping = false;
                }
                None => continue,
            }
        }
        pending.extend_from_slice(data);
        if let Some(last) = memchr::memrchr(b'\n', &pending) {
            let rest = pending.split_off(last + 1);
            if !send(std::mem::replace(&mut pending, rest)) {
                return;
            }
        }
        if pending.len() > max_line {
            // An over-long line: its first `max_line` bytes stand for it.
            pending.truncate(max_line);
            pending.push(b'\n');
            if !send(std::mem::take(&mut pending)) {
                return;
            }
            skipping = true;
        }
    }
    if !pending.is_empty() && !skipping && !send(pending) {
        return;
    }
    let _ = sender.send(LiveEvent::Ended { source });
}

/// A file followed like `tail -F` (see the module docs). Reads block until there is more.
pub struct FileTail {
    path: PathBuf,
    file: File,
    /// Bytes read from the current file.
    position: u64,
    identity: Option<(u64, u64)>,
    poll: Duration,
}

impl FileTail {
    /// Opens `path`, reading it from the start.
    pub fn open(path: impl Into<PathBuf>) -> io::Result<Self> {
        let path = path.into();
        let file = File::open(&path)?;
        let identity = identity(&file.metadata()?);
        Ok(Self {
            path,
            file,
            position: 0,
            identity,
            poll: TAIL_POLL,
        })
    }

    /// Checks at the end of the file: replaced, truncated, or just not grown yet.
    fn at_end(&mut self) -> io::Result<()> {
        if let Ok(meta) = std::fs::metadata(&self.path) {
            let now = identity(&meta);
            if now.is_some() && now != self.identity {
                // Rotated by rename (the old file was read to its end) or recreated.
                if let Ok(file) = File::open(&self.path) {
                    self.identity = file.metadata().ok().and_then(|m| identity(&m));
                    self.file = file;
                    self.position = 0;
                    return Ok(());
                }
            } else if meta.len() < self.position {
                // Truncated in place: what is there now is new.
                self.file.seek(SeekFrom::Start(0))?;
                self.position = 0;
                return Ok(());
            }
        }
        thread::sleep(self.poll);
        Ok(())
    }
}

impl Read for FileTail {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.file.read(buf)?;
            if n > 0 || buf.is_empty() {
                self.position += n as u64;
                return Ok(n);
            }
            self.at_end()?;
        }
    }
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::sync_channel;

    /// Hands out at most `step` bytes per read, like a pipe written in pieces.
    struct Trickle {
        data: &'static [u8],
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn collect(input: &'static [u8], max_line: usize) -> (Vec<Vec<u8>>, bool) {
        let (tx, rx) = sync_channel(4);
        let reader = Box::new(Trickle {
            data: input,
            step: 8,
        });
        let handle = spawn_reader(0, "-".into(), reader, tx, max_line).unwrap();
        let mut lines = Vec::new();
        let mut ended = false;
        for event in rx {
            match event {
                LiveEvent::Lines { bytes, .. } => lines.push(bytes),
                LiveEvent::Ended { .. } => ended = true,
                LiveEvent::Failed { .. } => panic!("no failure expected"),
            }
        }
        handle.join().unwrap();
        (lines, ended)
    }

    #[test]
    fn sends_whole_lines_and_the_unterminated_last_one() {
        let (batches, ended) = collect(b"a\nb\nc", 100);
        assert_eq!(batches, vec![b"a\nb\n".to_vec(), b"c".to_vec()]);
        let (batches, _) = collect(b"a line that spans reads\nend", 100);
        assert_eq!(
            batches,
            vec![b"a line that spans reads\n".to_vec(), b"end".to_vec()]
        );
        assert!(ended);
    }

    #[test]
    fn an_over_long_line_is_cut_and_its_tail_skipped() {
        let input: &'static [u8] = Box::leak(
            [b"short\n".as_slice(), &[b'x'; 50], b"\nnext\n"]
                .concat()
                .into_boxed_slice(),
        );
        let (batches, _) = collect(input, 10);
        let all: Vec<u8> = batches.concat();
        assert_eq!(all, b"short\nxxxxxxxxxx\nnext\n".to_vec());
    }

    #[test]
    fn a_tailed_file_is_read_as_it_grows_and_after_truncation() {
        let dir = std::env::temp_dir().join(format!("logsleuth-tail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app.log");
        std::fs::write(&path, "one\n").unwrap();
        let mut tail = FileTail::open(&path).unwrap();
        tail.poll = Duration::from_millis(10);
        let mut buf = [0u8; 64];
        let n = tail.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"one\n");
        let writer = {
            let path = path.clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(50));
                // Shorter than what was read: seen as a truncation.
                std::fs::write(&path, "2\n").unwrap();
            })
        };
        let n = tail.read(&mut buf).unwrap();
        writer.join().unwrap();
        assert_eq!(&buf[..n], b"2\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
