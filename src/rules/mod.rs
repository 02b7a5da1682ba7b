//! Rule files: signals (what one line looks like) and causes (what the evidence means).
//!
//! Rules are TOML (format in `rules/README.md`). Built-in files are embedded at build time;
//! users add their own with [`RuleSetBuilder::add_path`]. Loading validates everything and
//! collects every problem as a [`RuleError`] with `file:line:col` before any log is read.
//! The built-in regexes, checked by the test suite, are compiled only when a log line first
//! needs them ([`SignalRegex`]).

mod builtin;
mod error;
mod examples;
mod literals;
mod load;
mod model;
mod signal_regex;

pub use builtin::BUILTIN_RULE_FILES;
pub use error::{RuleError, RuleErrors};
pub use examples::{check_examples, ExampleFailure};
pub use literals::derive_literals;
pub use load::{RuleSetBuilder, MAX_REGEX_LEN};
pub use model::{
    Cause, CauseCondition, EvidenceRef, Example, RuleSet, Severity, Signal, SignalIdx, Tag,
};
pub use signal_regex::{Form as RegexForm, SignalRegex};
