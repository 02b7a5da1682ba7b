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

/// The text of one evidence line: two words, as hundreds of thousands are kept.
#[derive(Clone, Default)]
pub struct LineText(Repr);

const _: () = assert!(std::mem::size_of::<LineText>() == 16);

#[derive(Clone)]
enum Repr {
    /// In memory (boxed twice, so this variant is one word and fits beside the store's
    /// pointer; the second allocation is paid only by texts within a run's budget and by
    /// live analysis's window); `None` for the empty text.
    Held(Option<Box<Box<str>>>),
    /// In the store at `place` ([`Place`]).
    Stored { store: Arc<TextStore>, place: u64 },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Held(None)
    }
}

/// A stored text's offset in the store and its length, in one word: the length in the low
/// [`Place::LEN_BITS`] bits. A text too long or too far for it stays in memory.
struct Place;

impl Place {
    const LEN_BITS: u32 = 24;

    fn pack(at: u64, len: usize) -> Option<u64> {
        let fits = len < 1 << Self::LEN_BITS && at < 1 << (64 - Self::LEN_BITS);
        fits.then_some(at << Self::LEN_BITS | len as u64)
    }

    fn unpack(place: u64) -> (u64, u32) {
        (
            place >> Self::LEN_BITS,
            (place & ((1 << Self::LEN_BITS) - 1)) as u32,
        )
    }
}

impl LineText {
    /// The text, read back from the temporary file when it was written there.
    pub fn get(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Held(None) => Cow::Borrowed(""),
            Repr::Held(Some(text)) => Cow::Borrowed(text),
            Repr::Stored { store, place } => {
                let (at, len) = Place::unpack(*place);
                Cow::Owned(store.read(at, len))
            }
        }
    }

    /// Whether the text lives in a temporary file rather than in memory.
    pub fn is_stored(&self) -> bool {
        matches!(self.0, Repr::Stored { .. })
    }
}

impl From<String> for LineText {
    fn from(text: String) -> Self {
        LineText(Repr::Held(
            (!text.is_empty()).then(|| Box::new(text.into_boxed_str())),
        ))
    }
}

impl From<&str> for LineText {
    fn from(text: &str) -> Self {
        LineText(Repr::Held(
            (!text.is_empty()).then(|| Box::new(text.into())),
        ))
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

    /// Appends `text`; returns where it is ([`Place`]), `Ok(None)` when the text does not fit
    /// a place, or the problem when the file cannot take it.
    fn push(&self, text: &str) -> Result<Option<u64>, String> {
        let mut inner = self.inner();
        if let Some(problem) = &inner.failed {
            return Err(problem.clone());
        }
        let at = inner.written + inner.pending.len() as u64;
        let Some(place) = Place::pack(at, text.len()) else {
            return Ok(None);
        };
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
        Ok(Some(place))
    }

    fn read(&self, at: u64, len: u32) -> String {
        let inner = self.inner();
        let len = len as usize;
        if at >= inner.written {
            let start = (at - inner.written) as usize;
            return match inner.pending.get(start..start + len) {
                Some(bytes) => crate::record::lossy(bytes).into_owned(),
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

    /// Keeps `text` in memory while the budget lasts, else in the temporary file (copied
    /// there: a borrowed text costs no allocation of its own).
    pub fn keep<'a>(&mut self, text: impl Into<Cow<'a, str>>) -> LineText {
        let text = text.into();
        if self.problem.is_some() || self.held + text.len() <= self.budget {
            self.held += text.len();
            return text.into_owned().into();
        }
        if self.store.is_none() {
            match TextStore::create() {
                Ok(store) => self.store = Some(Arc::new(store)),
                Err(err) => {
                    self.problem = Some(format!("cannot create a temporary file: {err}"));
                    return text.into_owned().into();
                }
            }
        }
        let store = self.store.as_ref().expect("created above");
        match store.push(&text) {
            Ok(Some(place)) => LineText(Repr::Stored {
                store: Arc::clone(store),
                place,
            }),
            Ok(None) => text.into_owned().into(),
            Err(err) => {
                self.problem = Some(format!("cannot write a temporary file: {err}"));
                text.into_owned().into()
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
    fn a_text_too_long_for_a_place_stays_in_memory() {
        assert_eq!(Place::unpack(Place::pack(5, 7).unwrap()), (5, 7));
        let far = (1 << (64 - Place::LEN_BITS)) - 1;
        assert_eq!(Place::unpack(Place::pack(far, 1).unwrap()), (far, 1));
        assert_eq!(Place::pack(far + 1, 1), None);
        assert_eq!(Place::pack(0, 1 << Place::LEN_BITS), None);

        let mut keeper = TextKeeper::new(0);
        let long = "x".repeat(1 << Place::LEN_BITS);
        let kept = keeper.keep(long.clone());
        assert!(!kept.is_stored());
        assert_eq!(kept.get(), long.as_str());
        // The store goes on taking texts that fit.
        let short = keeper.keep("short".to_string());
        assert!(short.is_stored());
        assert_eq!(short.get(), "short");
        assert_eq!(keeper.problem(), None);
    }

    #[test]
    fn an_empty_text_costs_nothing_anywhere() {
        let mut keeper = TextKeeper::new(0);
        let line = keeper.keep(String::new());
        assert!(!line.is_stored());
        assert_eq!(line.get(), "");
    }
}
