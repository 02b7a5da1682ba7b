//! Captures that many evidence lines repeat, shared: a timer unit's "Deactivated
//! successfully" captures the same unit name every time, a crawler asks for the same missing
//! page again and again. A line whose captures equal those of a recent line with the same
//! signal names points at that line's pack instead of keeping its own allocation.
//!
//! The lookup is a [`Recent`] cache of packs, so its memory is bounded whatever the number
//! of distinct values.

use crate::recent::{hash_bytes, hash_word, Recent};
use crate::scan::SignalMatch;

/// Bits of the captures' hash that pick a slot: 2,048 slots. A larger table kept a few more
/// packs shared (1.7 MB less at the end of the 1 GiB reference corpus with 8,192 slots) but
/// cost 7 % more CPU, the table no longer fitting the processor's cache.
const SLOT_BITS: u32 = 11;

/// The cache of recent packs (see the module docs).
#[derive(Debug, Default)]
pub(super) struct SharedCaptures(Recent<SignalMatch, SLOT_BITS>);

impl SharedCaptures {
    /// Makes `found` share the pack of a recent match that captured the same, or remembers
    /// it for the next ones.
    pub(super) fn share(&mut self, found: &mut SignalMatch) {
        let (names, packed) = found.pack_contents();
        let hash = hash_bytes(hash_word(0, names as u64), packed);
        let recent = self
            .0
            .get(hash, |recent| recent.same_captures(found), || found.clone());
        if !recent.shares_captures_with(found) {
            found.share_captures(recent);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::scan::CaptureNames;

    #[test]
    fn equal_captures_share_one_pack_and_different_ones_do_not() {
        let names: CaptureNames = Arc::new(vec![Arc::from("unit")].into_boxed_slice());
        let other_names: CaptureNames = Arc::new(vec![Arc::from("unit")].into_boxed_slice());
        let unit = |names: &CaptureNames, value: &str| SignalMatch::new(3, names, [(0, value)]);
        let mut shared = SharedCaptures::default();
        let mut first = unit(&names, "cron.service");
        let mut second = unit(&names, "cron.service");
        let mut third = unit(&names, "ssh.service");
        let mut fourth = unit(&other_names, "cron.service");
        for found in [&mut first, &mut second, &mut third, &mut fourth] {
            shared.share(found);
        }
        assert!(first.shares_captures_with(&second));
        assert!(!first.shares_captures_with(&third));
        // Same text under another signal's names: equal values, but not shared.
        assert!(!first.shares_captures_with(&fourth));
        assert_eq!(first, fourth);
        assert_eq!(second.capture("unit"), Some("cron.service"));
        assert_eq!(third.capture("unit"), Some("ssh.service"));
    }
}
