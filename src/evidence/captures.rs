//! Captures that many evidence lines repeat, shared: a timer unit's "Deactivated
//! successfully" captures the same unit name every time, a crawler asks for the same missing
//! page again and again. A line whose captures equal those of a recent line with the same
//! signal names points at that line's pack instead of keeping its own allocation.
//!
//! The lookup is a direct-mapped cache of recent packs (a slot for each value of some bits
//! of the captures' hash, the newest wins), so its memory is bounded whatever the number of distinct values: values that
//! recur stay in it, a run of unique ones (request ids) only passes through.

use crate::scan::SignalMatch;

/// Slots in the cache: a power of two. A larger table kept a few more packs shared
/// (1.7 MB less at the end of the 1 GiB reference corpus with 8,192 slots) but cost 7 % more
/// CPU, the table no longer fitting the processor's cache.
const SLOTS: usize = 1 << 11;

/// The cache (see the module docs): per slot, the hash of the match it holds, so a slot
/// holding other captures is passed over without reading that match's pack (which is
/// rarely in the processor's cache).
#[derive(Debug)]
pub(super) struct SharedCaptures {
    slots: Box<[(u64, Option<SignalMatch>)]>,
}

impl Default for SharedCaptures {
    fn default() -> Self {
        Self {
            slots: vec![(0, None); SLOTS].into_boxed_slice(),
        }
    }
}

impl SharedCaptures {
    /// Makes `found` share the pack of a recent match that captured the same, or remembers
    /// it for the next ones.
    pub(super) fn share(&mut self, found: &mut SignalMatch) {
        let hash = found.captures_hash();
        let (slot_hash, slot) = &mut self.slots[(hash >> 40) as usize & (SLOTS - 1)];
        match slot {
            Some(recent) if *slot_hash == hash && recent.same_captures(found) => {
                found.share_captures(recent);
            }
            _ => (*slot_hash, *slot) = (hash, Some(found.clone())),
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
