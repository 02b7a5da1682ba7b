//! The text of evidence lines: held in memory up to a budget, then written to an anonymous
//! temporary file and read back when a report cites the line.
//!
//! A batch run keeps every matched line, and most are never shown: a report cites a few
//! lines per finding. Their text is one of the largest parts of the evidence (40 MB of about
//! 260 MB for a 1 GiB log), so past [`DEFAULT_TEXT_BUDGET`] bytes new texts go to a
//! [`TextStore`], and memory for text stays bounded however long the input is. Small runs
//! never touch the disk. Live analysis keeps its texts in memory: its window of evidence is
//! bounded, and a file that only grows would not be. When no
//! temporary file can be made or written, texts stay in memory and the run says so
//! ([`TextKeeper::problem`]); nothing is lost either way.

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Bytes of evidence text a run holds in memory before it writes further texts to a
/// temporary file.
pub const DEFAULT_TEXT_BUDGET: usize = 512 << 10;

/// Texts gathered before one write to the file.
const WRITE_CHUNK: usize = 256 << 10;

/// The text of one evidence line.
#[derive(Clone, Default)]
pub struct LineText(Repr);

#[derive(Clone)]
enum Repr {
    Held(Box<str>),
    Stored {
        store: Arc<TextStore>,
        at: u64,
        len: u32,
    },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Held(Box::default())
    }
}

impl LineText {
    /// The text, read back from the temporary file when it was written there.
    pub fn get(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Held(text) => Cow::Borrowed(text),
            Repr::Stored { store, at, len } => Cow::Owned(store.read(*at, *len)),
        }
    }

    /// Whether the text lives in a temporary file rather than in memory.
    pub fn is_stored(&self) -> bool {
        matches!(self.0, Repr::Stored { .. })
    }
}

impl From<String> for LineText {
    fn from(text: String) -> Self {
        LineText(Repr::Held(text.into_boxed_str()))
    }
}

impl From<&str> for LineText {
    fn from(text: &str) -> Self {
        LineText(Repr::Held(text.into()))
    }
}

impl PartialEq for LineText {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl std::fmt::Debug for LineText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.get(), f)
    }
}

impl Serialize for LineText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.get())
    }
}

/// Evidence texts in an anonymous temporary file (unlinked at creation: it disappears with
/// the process). Texts not yet written wait in memory and are read from there.
pub struct TextStore {
    inner: Mutex<StoreInner>,
}

struct StoreInner {
    file: File,
    /// Bytes in the file; a text at or past this offset is still in `pending`.
    written: u64,
    pending: Vec<u8>,
    /// A write failed: `pending` keeps what it holds and takes nothing more.
    failed: Option<String>,
}

impl TextStore {
    fn create() -> std::io::Result<Self> {
        Ok(Self {
            inner: Mutex::new(StoreInner {
                file: tempfile::tempfile()?,
                written: 0,
                pending: Vec::with_capacity(WRITE_CHUNK),
                failed: None,
            }),
        })
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, StoreInner> {
        // A panic elsewhere cannot leave the store half-updated: take it as it is.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `text`; returns where it is, or the problem when the file cannot take it.
    fn push(&self, text: &str) -> Result<(u64, u32), String> {
        let mut inner = self.inner();
        if let Some(problem) = &inner.failed {
            return Err(problem.clone());
        }
        let at = inner.written + inner.pending.len() as u64;
        inner.pending.extend_from_slice(text.as_bytes());
        if inner.pending.len() >= WRITE_CHUNK {
            let StoreInner {
                file,
                written,
                pending,
                failed,
            } = &mut *inner;
            match file.write_all(pending) {
                Ok(()) => {
                    *written += pending.len() as u64;
                    pending.clear();
                }
                Err(err) => *failed = Some(err.to_string()),
            }
        }
        Ok((at, text.len() as u32))
    }

    fn read(&self, at: u64, len: u32) -> String {
        let inner = self.inner();
        let len = len as usize;
        if at >= inner.written {
            let start = (at - inner.written) as usize;
            return match inner.pending.get(start..start + len) {
                Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                None => "(evidence text missing)".to_string(),
            };
        }
        let mut bytes = vec![0; len];
        match inner.file.read_exact_at(&mut bytes, at) {
            Ok(()) => String::from_utf8(bytes)
                .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()),
            Err(err) => format!("(evidence text unreadable: {err})"),
        }
    }
}

impl std::fmt::Debug for TextStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextStore").finish_non_exhaustive()
    }
}

/// Decides where each new text goes: memory while the run's budget lasts, then the store.
#[derive(Debug)]
pub struct TextKeeper {
    budget: usize,
    held: usize,
    store: Option<Arc<TextStore>>,
    problem: Option<String>,
}

impl Default for TextKeeper {
    fn default() -> Self {
        Self::new(DEFAULT_TEXT_BUDGET)
    }
}

impl TextKeeper {
    /// Holds `budget` bytes of text in memory, then writes texts to a temporary file.
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            held: 0,
            store: None,
            problem: None,
        }
    }

    pub fn keep(&mut self, text: String) -> LineText {
        if self.problem.is_some() || self.held + text.len() <= self.budget {
            self.held += text.len();
            return text.into();
        }
        if self.store.is_none() {
            match TextStore::create() {
                Ok(store) => self.store = Some(Arc::new(store)),
                Err(err) => {
                    self.problem = Some(format!("cannot create a temporary file: {err}"));
                    return text.into();
                }
            }
        }
        let store = self.store.as_ref().expect("created above");
        match store.push(&text) {
            Ok((at, len)) => LineText(Repr::Stored {
                store: Arc::clone(store),
                at,
                len,
            }),
            Err(err) => {
                self.problem = Some(format!("cannot write a temporary file: {err}"));
                text.into()
            }
        }
    }

    /// Why texts past the budget stayed in memory, if they did.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_past_the_budget_are_stored_and_read_back_alike() {
        let mut keeper = TextKeeper::new(10);
        let held = keeper.keep("0123456789".to_string());
        assert!(!held.is_stored());
        // Enough texts to fill several write chunks: some read from the file, the last
        // ones from what waits in memory.
        let texts: Vec<String> = (0..30_000)
            .map(|i| format!("line {i}: {}", "é".repeat(i % 50)))
            .collect();
        let kept: Vec<LineText> = texts.iter().map(|t| keeper.keep(t.clone())).collect();
        assert!(kept.iter().all(LineText::is_stored));
        assert_eq!(keeper.problem(), None);
        for (text, line) in texts.iter().zip(&kept) {
            assert_eq!(line.get(), text.as_str());
        }
        assert_eq!(held.get(), "0123456789");
        assert_eq!(serde_json::to_string(&kept[3]).unwrap(), "\"line 3: ééé\"");
        assert_eq!(kept[7].clone(), LineText::from(texts[7].as_str()));
    }

    #[test]
    fn an_empty_text_costs_nothing_anywhere() {
        let mut keeper = TextKeeper::new(0);
        let line = keeper.keep(String::new());
        assert!(!line.is_stored());
        assert_eq!(line.get(), "");
    }
}
