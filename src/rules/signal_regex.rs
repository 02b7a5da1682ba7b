//! A signal's regex, compiled when a line first needs it.
//!
//! Compiling the two hundred built-in regexes was most of a run's start-up time (about
//! 65 ms of CPU and 20 MB), yet a log wakes only the few signals whose literals it holds.
//! So a built-in signal keeps its pattern and compiles it on the first candidate line; a
//! quiet log compiles none. A user's regex is compiled while the rules load, so its errors
//! are reported with `file:line:col` before any log byte is read; the built-in ones are
//! checked the same way by the test suite
//! (`every_builtin_regex_compiles_and_a_users_regex_is_compiled_at_once`).
//!
//! A pattern written in ASCII also has an ASCII form ([`SignalRegex::for_message`]), used
//! for messages that are ASCII, which most log lines are. On such a message it finds
//! exactly what the Unicode form finds: `\w`, `\d`, `\s`, `\b`, `.` and case folding differ
//! only in the characters beyond ASCII they also accept, and none of those can occur in the
//! message, nor in the pattern. The ASCII form is a much smaller automaton (Unicode's
//! `\w` alone is hundreds of ranges), and so are the lazy DFA caches each scanning thread
//! fills for it: a run over the 1 GiB reference corpus peaks about 13 MiB lower (BENCHMARKS.md).
//! It too is compiled on first use, and a pattern it cannot express (`\p{L}`) keeps the
//! Unicode form for every message.

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
    /// The ASCII form, for ASCII messages; `None` when the pattern is not ASCII or has no
    /// ASCII form (see the module docs).
    ascii: OnceLock<Option<Regex>>,
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
            ascii: OnceLock::new(),
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
            ascii: OnceLock::new(),
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

    /// The form to match `message` with: the ASCII one when the message and the pattern are
    /// ASCII (see the module docs), else the Unicode one. The flag says which, for callers
    /// that keep per-regex state such as capture locations.
    pub fn for_message(&self, message: &[u8]) -> (&Regex, Form) {
        self.for_ascii_message(message.is_ascii())
    }

    /// [`SignalRegex::for_message`] for a message already known to be ASCII or not, so a
    /// line tried against several signals is looked at once.
    pub fn for_ascii_message(&self, ascii_message: bool) -> (&Regex, Form) {
        if ascii_message {
            if let Some(ascii) = self.ascii() {
                return (ascii, Form::Ascii);
            }
        }
        (self.get(), Form::Unicode)
    }

    /// The ASCII form, compiling it now if no message needed it before.
    fn ascii(&self) -> Option<&Regex> {
        self.inner
            .ascii
            .get_or_init(|| {
                let pattern = &self.inner.pattern;
                has_ascii_form(pattern)
                    .then(|| super::load::build_regex(pattern, false).ok())
                    .flatten()
            })
            .as_ref()
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

/// Whether the ASCII form of `pattern` finds what its Unicode form finds on every ASCII
/// message: the pattern is ASCII and names no character beyond ASCII by an escape
/// (`\x{212A}`, the Kelvin sign, is an uppercase `k` to Unicode's case folding). An
/// escaped backslash followed by such letters is refused too, which only costs speed.
fn has_ascii_form(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    pattern.is_ascii()
        && !bytes.windows(3).any(|w| match w {
            [b'\\', b'u' | b'U', _] => true,
            [b'\\', b'x', next] => {
                *next == b'{' || matches!(next, b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F')
            }
            _ => false,
        })
}

/// Which form of a [`SignalRegex`] matched a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Unicode,
    Ascii,
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

    /// Every capture group's span when `regex` runs on `line`, or `None` without a match.
    fn spans(regex: &Regex, line: &[u8]) -> Option<Vec<Option<(usize, usize)>>> {
        let mut locations = regex.capture_locations();
        regex.captures_read(&mut locations, line)?;
        Some((0..locations.len()).map(|i| locations.get(i)).collect())
    }

    #[test]
    fn the_ascii_form_serves_ascii_messages_of_patterns_that_have_one() {
        let word = SignalRegex::deferred(r"(?P<word>\w+)").expect("parses");
        let (regex, form) = word.for_message(b"size: 12");
        assert_eq!(form, Form::Ascii);
        assert_eq!(
            spans(regex, b"size: 12"),
            Some(vec![Some((0, 4)), Some((0, 4))])
        );
        // Beyond ASCII the Unicode form reads the whole word.
        let line = "Größe: 12".as_bytes();
        let (regex, form) = word.for_message(line);
        assert_eq!(form, Form::Unicode);
        assert_eq!(spans(regex, line), Some(vec![Some((0, 7)), Some((0, 7))]));

        for (pattern, ascii) in [
            (r"connection refused", true),
            (r"\x1b\[\d+m", true),
            (r"Adresse déjà utilisée", false),
            (r"(?i)\x{212A}elvin", false),
            (r"(?i)\u212Aelvin", false),
            (r"\xE9", false),
            (r"\pL+", false),
        ] {
            let regex = SignalRegex::deferred(pattern).expect("parses");
            let (_, form) = regex.for_message(b"kelvin");
            assert_eq!(form == Form::Ascii, ascii, "{pattern}");
        }
    }

    #[test]
    fn every_builtin_regex_finds_the_same_with_either_form_on_ascii_lines() {
        let rules = crate::rules::RuleSetBuilder::new()
            .build()
            .expect("built-in rules");
        // Every example line of every signal, as written and with its case changed.
        let mut lines: Vec<String> = Vec::new();
        for signal in &rules.signals {
            let examples = signal.examples.iter().map(|e| e.line.clone());
            for line in examples.chain(signal.counter_examples.iter().cloned()) {
                if line.is_ascii() {
                    lines.push(line.to_ascii_uppercase());
                    lines.push(line.to_ascii_lowercase());
                    lines.push(line);
                }
            }
        }
        let mut compared = 0;
        for signal in &rules.signals {
            let (ascii, form) = signal.regex.for_message(b"");
            if form != Form::Ascii {
                continue;
            }
            let unicode = signal.regex.get();
            for line in &lines {
                let found = spans(ascii, line.as_bytes());
                assert_eq!(
                    found,
                    spans(unicode, line.as_bytes()),
                    "{} on {line:?}",
                    signal.id
                );
                compared += usize::from(found.is_some());
            }
        }
        assert!(compared > 1000, "only {compared} matches compared");
    }

    proptest::proptest! {
        #[test]
        fn both_forms_find_the_same_on_any_ascii_text(text in "[ -~\t]{0,40}") {
            for pattern in [
                r"(?i)\b(?P<word>[a-z]\w*) (?P<n>\d+)\b",
                r"(?P<key>\w+)=(?P<value>\S+)\s",
                r"(?i)(?:error|fail\w*)[^:]*: (?P<rest>.+)$",
                r"\B(?P<inner>\w)\B",
            ] {
                let regex = SignalRegex::deferred(pattern).expect("parses");
                let (ascii, form) = regex.for_message(text.as_bytes());
                proptest::prop_assert_eq!(form, Form::Ascii);
                proptest::prop_assert_eq!(
                    spans(ascii, text.as_bytes()),
                    spans(regex.get(), text.as_bytes()),
                    "{} on {:?}", pattern, text
                );
            }
        }
    }

    #[test]
    fn a_pattern_that_does_not_parse_is_not_deferred() {
        assert!(SignalRegex::deferred("(unclosed").is_none());
    }
}
