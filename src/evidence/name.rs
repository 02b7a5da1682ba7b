//! A name many evidence lines share (host, identifier, unit, message id): one pointer wide.
//!
//! `Arc<str>` is a pointer and a length, 16 bytes; four of them were a fifth of an evidence
//! line. A `Name` points at a shared `Box<str>` instead, so it is 8 bytes and an absent one
//! costs nothing more (`Option<Name>` is 8 bytes too). It reads as a `str`.

use std::sync::Arc;

use serde::Serialize;

/// A shared, immutable name; see the module docs.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(Arc<Box<str>>);

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Name(Arc::new(text.into()))
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_one_pointer_and_reads_as_a_str() {
        assert_eq!(std::mem::size_of::<Option<Name>>(), 8);
        let name = Name::from("web-01");
        let shared = name.clone();
        assert!(Arc::ptr_eq(&name.0, &shared.0));
        assert_eq!(Some(name).as_deref(), Some("web-01"));
        assert_eq!(serde_json::to_string(&shared).unwrap(), "\"web-01\"");
    }
}
