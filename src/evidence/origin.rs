//! Where a line comes from, as its envelope names it: host, identifier, unit and message
//! id, shared by every line that names the same four.
//!
//! A busy log repeats a handful of combinations (one host, a few programs) on every line, so
//! a line keeps one pointer to its combination instead of four names: 8 bytes instead of 32.
//! The combinations are shared through a direct-mapped cache of recent ones, so the memory
//! it holds is bounded however many there are.

use std::sync::Arc;

use serde::Serialize;

use super::Name;

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

/// Slots in the cache: a power of two.
const SLOTS: usize = 1 << 12;

/// The cache of recent origins (see the module docs).
#[derive(Debug)]
pub(super) struct SharedOrigins {
    slots: Box<[Option<Origin>]>,
}

impl Default for SharedOrigins {
    fn default() -> Self {
        Self {
            slots: vec![None; SLOTS].into_boxed_slice(),
        }
    }
}

impl SharedOrigins {
    /// The shared origin of these names: a recent line's, or a new one.
    pub(super) fn get(&mut self, names: OriginNames) -> Origin {
        let address = |name: &Option<Name>| name.as_ref().map_or(0, Name::address);
        let mut hash = 0u64;
        for name in [
            &names.host,
            &names.identifier,
            &names.unit,
            &names.message_id,
        ] {
            hash = (hash.rotate_left(5) ^ address(name) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        let slot = &mut self.slots[(hash >> 40) as usize & (SLOTS - 1)];
        match slot {
            Some(recent) if **recent == names => recent.clone(),
            _ => {
                let origin = Origin::from(names);
                *slot = Some(origin.clone());
                origin
            }
        }
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
        let first = shared.get(names(&api));
        let second = shared.get(names(&api));
        let other = shared.get(names(&Name::from("cron")));
        assert!(Arc::ptr_eq(&first.0, &second.0));
        assert!(!Arc::ptr_eq(&first.0, &other.0));
        assert_eq!(first.identifier.as_deref(), Some("api"));
        assert_eq!(std::mem::size_of::<Origin>(), 8);
    }
}
