//! Where a line comes from, as its envelope names it: host, identifier, unit and message
//! id, shared by every line that names the same four.
//!
//! A busy log repeats a handful of combinations (one host, a few programs) on every line, so
//! a line keeps one pointer to its combination instead of four names: 8 bytes instead of 32.
//! The combinations are shared through a [`Recent`] cache, keyed by the names' bytes, so
//! the memory it holds is bounded however many there are, and a line that repeats a recent
//! combination needs no lookup of each name.

use std::sync::Arc;

use serde::Serialize;

use super::Name;
use crate::recent::{hash_bytes, hash_word, Recent};

/// The names of a line's origin; see the module docs. Reads as [`OriginNames`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Origin(Arc<OriginNames>);

/// The four names; each is absent when the envelope does not give it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OriginNames {
    pub host: Option<Name>,
    /// Syslog identifier, container or compose service.
    pub identifier: Option<Name>,
    /// systemd unit named by the envelope (journal JSON).
    pub unit: Option<Name>,
    pub message_id: Option<Name>,
}

impl std::ops::Deref for Origin {
    type Target = OriginNames;

    fn deref(&self) -> &OriginNames {
        &self.0
    }
}

impl From<OriginNames> for Origin {
    fn from(names: OriginNames) -> Self {
        Origin(Arc::new(names))
    }
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Bits of the names' hash that pick a slot: 1,024 slots.
const SLOT_BITS: u32 = 10;

/// The cache of recent origins (see the module docs).
#[derive(Debug, Default)]
pub(super) struct SharedOrigins(Recent<Origin, SLOT_BITS>);

/// The four names as an envelope gives them, raw: host, identifier, unit, message id.
pub(super) type RawOrigin<'a> = [Option<&'a [u8]>; 4];

impl SharedOrigins {
    /// The shared origin of the names `raw` gives: a recent line's when it named the same
    /// four, else a new one of the names `make` gives (and then the recent one for its slot).
    /// A line that repeats a recent origin costs a hash of its names' bytes and a comparison,
    /// no lookup of each name.
    pub(super) fn get(&mut self, raw: RawOrigin<'_>, make: impl FnOnce() -> OriginNames) -> Origin {
        let mut hash = 0;
        for field in raw {
            // Absent and empty differ; so do ("ab", "c") and ("a", "bc").
            let marker = field.map_or(u64::MAX, |bytes| bytes.len() as u64);
            hash = hash_bytes(hash_word(hash, marker), field.unwrap_or_default());
        }
        self.0
            .get(
                hash,
                |recent| recent.names_equal(raw),
                || Origin::from(make()),
            )
            .clone()
    }
}

impl OriginNames {
    /// Whether these are the names `raw` gives: byte for byte, or as the lossy text a name
    /// that is not UTF-8 was kept as.
    fn names_equal(&self, raw: RawOrigin<'_>) -> bool {
        let names = [&self.host, &self.identifier, &self.unit, &self.message_id];
        names
            .iter()
            .zip(raw)
            .all(|(name, field)| match (name, field) {
                (None, None) => true,
                (Some(name), Some(field)) => {
                    name.as_bytes() == field
                        || (std::str::from_utf8(field).is_err()
                            && String::from_utf8_lossy(field) == **name)
                }
                _ => false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_naming_the_same_four_share_one_origin() {
        let (web, api) = (Name::from("web"), Name::from("api"));
        let names = |identifier: &Name| OriginNames {
            host: Some(web.clone()),
            identifier: Some(identifier.clone()),
            ..OriginNames::default()
        };
        let mut shared = SharedOrigins::default();
        let raw =
            |identifier: &'static str| [Some(&b"web"[..]), Some(identifier.as_bytes()), None, None];
        let first = shared.get(raw("api"), || names(&api));
        let second = shared.get(raw("api"), || unreachable!("a recent origin"));
        let other = shared.get(raw("cron"), || names(&Name::from("cron")));
        let unit = shared.get([Some(&b"web"[..]), None, Some(&b"api"[..]), None], || {
            OriginNames {
                host: Some(web.clone()),
                unit: Some(api.clone()),
                ..OriginNames::default()
            }
        });
        assert!(Arc::ptr_eq(&first.0, &second.0));
        assert!(!Arc::ptr_eq(&first.0, &other.0));
        assert!(!Arc::ptr_eq(&first.0, &unit.0));
        assert_eq!(unit.unit.as_deref(), Some("api"));
        // A name that is not UTF-8 is kept as lossy text and still found again.
        let latin1 = [Some(&b"caf\xe9"[..]), None, None, None];
        let named = || OriginNames {
            host: Some(Name::from(&*String::from_utf8_lossy(b"caf\xe9"))),
            ..OriginNames::default()
        };
        let first_latin1 = shared.get(latin1, named);
        let again = shared.get(latin1, || unreachable!("a recent origin"));
        assert!(Arc::ptr_eq(&first_latin1.0, &again.0));
        assert!(!first_latin1.names_equal([Some(&b"caf\xc3\xa9"[..]), None, None, None]));
        assert_eq!(first.identifier.as_deref(), Some("api"));
        assert_eq!(std::mem::size_of::<Origin>(), 8);
    }
}
