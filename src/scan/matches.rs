//! The signals that matched a line, kept inline when there is one: most lines match a
//! single signal, and a boxed list of one would cost an allocation (and its malloc header)
//! per line of a busy log, in the scanner and again for as long as the evidence line lives.
//! A list (several matches, or none on a context line) is boxed twice, so that it is one
//! pointer and fits beside the inline match's: `Matches` is as small as one
//! [`SignalMatch`].

use serde::Serialize;

use super::hit::SignalMatch;

/// A line's matches (a hit's, an evidence line's): reads as a slice of [`SignalMatch`].
#[derive(Clone, PartialEq, Eq)]
pub struct Matches(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    One(SignalMatch),
    /// None (a context line) or several.
    Many(Box<Box<[SignalMatch]>>),
}

const _: () = assert!(std::mem::size_of::<Matches>() == std::mem::size_of::<SignalMatch>());

impl Matches {
    /// No matches: a context line's.
    pub fn none() -> Self {
        Self(Repr::Many(Box::default()))
    }

    /// All of `list`'s matches, leaving it empty (with its capacity, for the next line):
    /// one is kept inline, several in a list of exactly their number (it lives as long as
    /// its evidence line, and a longer one would leave a hole behind every line).
    pub fn take_all(list: &mut Vec<SignalMatch>) -> Self {
        match list.len() {
            1 => Self(Repr::One(list.pop().expect("one match"))),
            _ => Self(Repr::Many(Box::new(list.drain(..).collect()))),
        }
    }
}

impl Default for Matches {
    fn default() -> Self {
        Self::none()
    }
}

impl From<Vec<SignalMatch>> for Matches {
    fn from(mut matches: Vec<SignalMatch>) -> Self {
        Self::take_all(&mut matches)
    }
}

impl std::ops::Deref for Matches {
    type Target = [SignalMatch];

    fn deref(&self) -> &[SignalMatch] {
        match &self.0 {
            Repr::One(only) => std::slice::from_ref(only),
            Repr::Many(all) => all,
        }
    }
}

impl std::ops::DerefMut for Matches {
    fn deref_mut(&mut self) -> &mut [SignalMatch] {
        match &mut self.0 {
            Repr::One(only) => std::slice::from_mut(only),
            Repr::Many(all) => all,
        }
    }
}

impl<'a> IntoIterator for &'a Matches {
    type Item = &'a SignalMatch;
    type IntoIter = std::slice::Iter<'a, SignalMatch>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::fmt::Debug for Matches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Matches {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn none_one_and_several_read_as_slices() {
        let names = Arc::new(vec![Arc::from("port")].into_boxed_slice());
        let one = |signal| SignalMatch::new(signal, &names, [(0, "8000")]);
        assert!(Matches::none().is_empty());
        assert_eq!(Matches::from(Vec::new()), Matches::none());
        let single = Matches::from(vec![one(3)]);
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].capture("port"), Some("8000"));
        let several = Matches::from(vec![one(3), one(5)]);
        let signals: Vec<_> = (&several).into_iter().map(|m| m.signal).collect();
        assert_eq!(signals, [3, 5]);
        assert_eq!(
            serde_json::to_string(&single).unwrap(),
            r#"[{"signal":3,"captures":[{"name":"port","value":"8000"}]}]"#
        );
    }
}
