//! Answers for messages seen a moment ago. Busy logs repeat messages word for word (a timer
//! unit's "Deactivated successfully", a retry's "Connection refused"), and a signal's regex
//! gives the same answer for the same bytes: so the answer (the match with its captures, or
//! none) is kept for the scanner, signal and message, and handed out again instead of
//! running the regex once more. A repeat's match shares the first one's captures.
//!
//! One cache per thread, direct-mapped by a hash of scanner, signal and message, the newest
//! answer of a slot winning, like [`crate::recent::Recent`]. Messages longer than
//! [`LONGEST_KEPT`] bytes are not kept. A slot reuses its buffer, so a warm cache allocates
//! nothing, and a run of unique messages only passes through.

use std::cell::RefCell;

use super::hit::SignalMatch;
use crate::recent::{hash_bytes, hash_word};
use crate::rules::SignalIdx;

/// Slots per thread: `2^BITS`.
const BITS: u32 = 9;
/// Longest message whose answer is kept.
pub(super) const LONGEST_KEPT: usize = 256;

#[derive(Default)]
struct Slot {
    /// 0 for an empty slot (no kept answer hashes to 0: see [`key_hash`]).
    hash: u64,
    scanner: u64,
    signal: SignalIdx,
    message: Vec<u8>,
    found: Option<SignalMatch>,
}

thread_local! {
    static REPEATS: RefCell<Box<[Slot]>> = RefCell::new(Box::default());
}

/// A message as [`answer`] looks it up: its bytes and their hash, taken once for all the
/// signals a line is tried against.
pub(super) struct Message<'m> {
    bytes: &'m [u8],
    /// `None` when the message is too long to keep.
    hash: Option<u64>,
}

impl<'m> Message<'m> {
    pub(super) fn new(bytes: &'m [u8]) -> Self {
        let hash = (bytes.len() <= LONGEST_KEPT)
            .then(|| hash_bytes(hash_word(0, bytes.len() as u64), bytes));
        Self { bytes, hash }
    }
}

/// The slot hash of a message's answer for one scanner and signal; never 0 (an empty slot).
fn key_hash(message_hash: u64, scanner: u64, signal: SignalIdx) -> u64 {
    hash_word(hash_word(message_hash, scanner), u64::from(signal)) | 1
}

/// The answer of `signal`'s regex on `message` for the scanner numbered `scanner`: a kept
/// one, else `run`'s, which is then kept (when the message is at most [`LONGEST_KEPT`]
/// bytes long). `run` must be that regex's answer on the message.
pub(super) fn answer(
    scanner: u64,
    signal: SignalIdx,
    message: &Message<'_>,
    run: impl FnOnce() -> Option<SignalMatch>,
) -> Option<SignalMatch> {
    let Some(message_hash) = message.hash else {
        return run();
    };
    let message = message.bytes;
    let hash = key_hash(message_hash, scanner, signal);
    REPEATS.with_borrow_mut(|slots| {
        if slots.is_empty() {
            *slots = (0..1usize << BITS).map(|_| Slot::default()).collect();
        }
        let slot = &mut slots[(hash >> (64 - BITS)) as usize];
        if slot.hash == hash
            && slot.scanner == scanner
            && slot.signal == signal
            && slot.message == message
        {
            return slot.found.clone();
        }
        let found = run();
        slot.hash = hash;
        slot.scanner = scanner;
        slot.signal = signal;
        slot.message.clear();
        slot.message.extend_from_slice(message);
        slot.found.clone_from(&found);
        found
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn with_port(port: &str) -> SignalMatch {
        let names = Arc::new(vec![Arc::<str>::from("port")].into_boxed_slice());
        SignalMatch::new(7, &names, [(0, port)])
    }

    #[test]
    fn a_repeated_message_is_answered_from_the_cache_and_others_run_the_regex() {
        let runs = std::cell::Cell::new(0);
        let ask = |scanner, signal, message: &[u8]| {
            answer(scanner, signal, &Message::new(message), || {
                runs.set(runs.get() + 1);
                message.starts_with(b"bind").then(|| with_port("80"))
            })
        };
        // Scanner numbers no real scanner gets (they count up from 1).
        let (one, two) = (u64::MAX - 1, u64::MAX - 2);
        let first = ask(one, 7, b"bind failed").expect("a match");
        let again = ask(one, 7, b"bind failed").expect("the kept match");
        assert!(again.shares_captures_with(&first));
        assert!(ask(one, 7, b"quiet").is_none());
        assert!(ask(one, 7, b"quiet").is_none());
        assert_eq!(runs.get(), 2);
        // Another signal, another scanner or other bytes are other questions.
        ask(one, 8, b"bind failed");
        ask(two, 7, b"bind failed");
        ask(one, 7, b"bind failed!");
        assert_eq!(runs.get(), 5);
        // Too long to keep: asked every time.
        let long = vec![b'x'; LONGEST_KEPT + 1];
        ask(one, 7, &long);
        ask(one, 7, &long);
        assert_eq!(runs.get(), 7);
    }
}
