//! A direct-mapped cache of recent values, and the word-at-a-time hash its users pick slots
//! by. The evidence builder shares what many lines repeat through it (their captures, their
//! origins); the scanner's answers for repeated messages (`scan::repeats`) use the same
//! hash. A slot for each value of the top bits of a value's hash, the newest value of a
//! slot wins: its memory is bounded whatever the number of distinct values, values that
//! recur stay in it, and a run of unique ones only passes through.
//!
//! Each slot keeps its value's hash, so a slot holding another value is passed over
//! without reading it (the values live behind pointers, rarely in the processor's cache).

/// Mixes `bytes` into `hash`, a word at a time, for picking a cache slot. Callers mix
/// in what tells apart values whose bytes run together (a length, a marker).
pub(crate) fn hash_bytes(mut hash: u64, bytes: &[u8]) -> u64 {
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        hash = hash_word(hash, u64::from_le_bytes(word));
    }
    hash
}

/// Mixes one word into `hash`; the top bits, which pick the slot, depend on every bit.
pub(crate) fn hash_word(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The cache (see the module docs), of `2^BITS` slots (`BITS` from 1 to 32).
#[derive(Debug)]
pub(crate) struct Recent<T, const BITS: u32> {
    slots: Box<[(u64, Option<T>)]>,
}

impl<T: Clone, const BITS: u32> Default for Recent<T, BITS> {
    fn default() -> Self {
        const { assert!(BITS >= 1 && BITS <= 32) };
        Self {
            slots: vec![(0, None); 1 << BITS].into_boxed_slice(),
        }
    }
}

impl<T: Clone, const BITS: u32> Recent<T, BITS> {
    /// The recent value of hash `hash` that `same` accepts, else `make`'s value, which
    /// becomes the recent one of its slot.
    pub(crate) fn get(
        &mut self,
        hash: u64,
        same: impl FnOnce(&T) -> bool,
        make: impl FnOnce() -> T,
    ) -> &T {
        let (slot_hash, slot) = &mut self.slots[(hash >> (64 - BITS)) as usize];
        match slot {
            Some(recent) if *slot_hash == hash && same(recent) => {}
            _ => (*slot_hash, *slot) = (hash, Some(make())),
        }
        slot.as_ref().expect("filled above")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_found_by_hash_and_test_and_the_newest_of_a_slot_wins() {
        let mut recent: Recent<String, 1> = Recent::default();
        let low = 1u64; // top bit 0: slot 0
        let high = 1u64 << 63; // slot 1
        assert_eq!(recent.get(low, |_| unreachable!(), || "a".into()), "a");
        assert_eq!(recent.get(low, |v| v == "a", || unreachable!()), "a");
        // Same hash, but the test says it is another value: it replaces the recent one.
        assert_eq!(recent.get(low, |v| v == "b", || "b".into()), "b");
        // Another hash in the same slot: not tested, replaced.
        assert_eq!(recent.get(low | 2, |_| unreachable!(), || "c".into()), "c");
        assert_eq!(recent.get(high, |_| unreachable!(), || "d".into()), "d");
        assert_eq!(recent.get(low | 2, |v| v == "c", || unreachable!()), "c");
    }
}
