//! A signal's regex, compiled when a line first needs it.
//!
//! Compiling the two hundred built-in regexes was most of a run's start-up time (about
//! 65 ms of CPU and 20 MB), yet a log wakes only the few signals whose literals it holds.
//! So a built-in signal keeps its pattern and compiles it on the first candidate line; a
//! quiet log compiles none. A user's regex is compiled while the rules load, so its errors
//! are reported with `file:line:col` before any log byte is read; the built-in ones are
//! checked the same way by the test suite
//! (`every_builtin_regex_compiles_and_a_users_regex_is_compiled_at_once`).

use std::sync::{Arc, OnceLock};

use regex::bytes::Regex;

/// A compiled-on-demand regex, cheap to clone (clones share the compiled form).
#[derive(Clone)]
pub struct SignalRegex {
    inner: Arc<Inner>,
}

struct Inner {
    pattern: String,
    compiled: OnceLock<Regex>,
    /// The name of each capture group, by group index (group 0, the whole match, has none).
    capture_names: Box<[Option<Box<str>>]>,
}

impl SignalRegex {
    /// An already compiled regex.
    pub fn compiled(regex: Regex) -> Self {
        let capture_names = regex.capture_names().map(|n| n.map(Box::from)).collect();
        let inner = Inner {
            pattern: regex.as_str().to_string(),
            compiled: OnceLock::from(regex),
            capture_names,
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// A pattern known to compile (a built-in rule's), compiled on first use. `None` when
    /// it does not even parse; the caller then compiles it at once to report why.
    pub fn deferred(pattern: &str) -> Option<Self> {
        let capture_names = capture_names(pattern)?;
        let inner = Inner {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
            capture_names,
        };
        Some(Self {
            inner: Arc::new(inner),
        })
    }

    /// The compiled regex, compiling it now if no line needed it before.
    pub fn get(&self) -> &Regex {
        self.inner.compiled.get_or_init(|| {
            super::load::compile_regex(&self.inner.pattern)
                .expect("a deferred regex is a built-in one, and every built-in regex compiles")
        })
    }

    /// Whether it has been compiled yet.
    pub fn is_compiled(&self) -> bool {
        self.inner.compiled.get().is_some()
    }

    pub fn as_str(&self) -> &str {
        &self.inner.pattern
    }

    /// The names of the capture groups by index, as [`Regex::capture_names`] gives them.
    pub fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.inner.capture_names.iter().map(|n| n.as_deref())
    }
}

impl std::fmt::Debug for SignalRegex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SignalRegex").field(&self.as_str()).finish()
    }
}

/// The capture group names of `pattern` by group index, from its syntax tree (the parse
/// costs a small part of a compilation).
fn capture_names(pattern: &str) -> Option<Box<[Option<Box<str>>]>> {
    use regex_syntax::hir::{Hir, HirKind};
    fn walk(hir: &Hir, names: &mut Vec<Option<Box<str>>>) {
        match hir.kind() {
            HirKind::Capture(capture) => {
                let index = capture.index as usize;
                if names.len() <= index {
                    names.resize(index + 1, None);
                }
                names[index] = capture.name.as_deref().map(Box::from);
                walk(&capture.sub, names);
            }
            HirKind::Repetition(repetition) => walk(&repetition.sub, names),
            HirKind::Concat(children) | HirKind::Alternation(children) => {
                children.iter().for_each(|child| walk(child, names));
            }
            _ => {}
        }
    }
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let mut names = vec![None];
    walk(&hir, &mut names);
    Some(names.into_boxed_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_capture_names_are_those_of_the_compiled_regex() {
        for pattern in [
            r"plain",
            r"(?P<unit>\w+)\.service: (?:Main|main) process exited, code=(?P<code>\w+)",
            r"(a)(?P<b>b)|(?P<c>c(d)(?P<e>e))",
            r"(?i)x(?:y(?P<z>z))*",
        ] {
            let deferred = SignalRegex::deferred(pattern).expect("parses");
            let compiled = Regex::new(pattern).expect("compiles");
            assert!(!deferred.is_compiled());
            assert_eq!(
                deferred.capture_names().collect::<Vec<_>>(),
                compiled.capture_names().collect::<Vec<_>>(),
                "{pattern}"
            );
            assert_eq!(deferred.get().as_str(), pattern);
            assert!(deferred.is_compiled());
        }
    }

    #[test]
    fn a_pattern_that_does_not_parse_is_not_deferred() {
        assert!(SignalRegex::deferred("(unclosed").is_none());
    }
}
