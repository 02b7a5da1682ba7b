//! Reading rule files: TOML with spans, validation, and compilation into a [`RuleSet`].

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::builtin::BUILTIN_RULE_FILES;
use super::error::{RuleError, RuleErrors};
use super::literals::derive_literals;
use super::model::{
    Cause, CauseCondition, EvidenceRef, Example, RuleSet, Severity, Signal, SignalIdx, Tag,
};
use super::signal_regex::SignalRegex;

/// Largest compiled program a rule's regex may have; a bigger one is an error.
const REGEX_SIZE_LIMIT: usize = 2 << 20;
/// Longest regex text a rule may have; a longer one is an error before it is compiled.
pub const MAX_REGEX_LEN: usize = 16 * 1024;
/// Shortest literal the scanner accepts.
const MIN_LITERAL_LEN: usize = 3;
/// Longest literal the scanner accepts (its automata grow with the literals' total length).
const MAX_LITERAL_LEN: usize = 1024;
/// Largest rule file read; a bigger one is an error (rule files are a few KiB).
pub const MAX_RULE_FILE_LEN: u64 = 4 << 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    signal: Vec<RawSignal>,
    #[serde(default)]
    cause: Vec<RawCause>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    id: Spanned<String>,
    #[serde(default)]
    description: String,
    /// Optional with `message_id` (then it defaults to matching any message).
    regex: Option<Spanned<String>>,
    /// A journal `MESSAGE_ID` (32 hex digits): the line must carry it.
    message_id: Option<Spanned<String>>,
    /// The least severity the line's record may state (`min_level = "warning"`).
    min_level: Option<Spanned<String>>,
    literals: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    case_insensitive: bool,
    severity: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    #[serde(default)]
    examples: Vec<Spanned<RawExample>>,
    #[serde(default)]
    counter_examples: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExample {
    Line(String),
    WithCaptures {
        line: String,
        #[serde(default)]
        captures: BTreeMap<String, String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCause {
    id: Spanned<String>,
    #[serde(default)]
    summary: String,
    severity: Option<Spanned<String>>,
    title: String,
    #[serde(default)]
    explanation: String,
    #[serde(default)]
    fix: Vec<String>,
    #[serde(default)]
    verify: Vec<String>,
    #[serde(default)]
    consequence: bool,
    #[serde(default)]
    explains: Vec<Spanned<String>>,
    #[serde(default)]
    supersedes: Vec<Spanned<String>>,
    when: Spanned<RawCondition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default)]
    any: Vec<Spanned<String>>,
    #[serde(default)]
    all: Vec<Spanned<String>>,
    #[serde(default)]
    supporting: Vec<Spanned<String>>,
    #[serde(default)]
    contradicting: Vec<Spanned<String>>,
    #[serde(default)]
    resolved_by: Vec<Spanned<String>>,
    #[serde(default)]
    ends_process: bool,
    #[serde(default)]
    min_count: Option<usize>,
    #[serde(default)]
    confidence: Option<Spanned<f64>>,
}

/// A rule file's text, kept for error positions.
struct RuleText {
    name: String,
    text: String,
    /// Embedded in the binary: its regexes are known to compile and are compiled on first
    /// use ([`SignalRegex`]).
    builtin: bool,
}

/// Collects rule files and builds a validated [`RuleSet`].
///
/// ```
/// let rules = logsleuth::rules::RuleSetBuilder::new().build().expect("built-in rules load");
/// assert!(rules.cause("port-conflict").is_some());
/// ```
pub struct RuleSetBuilder {
    builtin: bool,
    shadow_builtins: bool,
    texts: Vec<RuleText>,
    errors: Vec<RuleError>,
}

impl Default for RuleSetBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl RuleSetBuilder {
    /// A builder that includes the built-in rules.
    pub fn new() -> Self {
        Self {
            builtin: true,
            shadow_builtins: false,
            texts: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Whether to include the built-in rules (`--no-default-rules` turns them off).
    pub fn builtin(mut self, include: bool) -> Self {
        self.builtin = include;
        self
    }

    /// Whether an added file named like a built-in one (`python.toml`) replaces it, so an
    /// edited copy of the built-in rules can be checked without clashing with itself.
    pub fn shadow_builtins(mut self, shadow: bool) -> Self {
        self.shadow_builtins = shadow;
        self
    }

    /// Adds one rule file's text under a display name.
    pub fn add_text(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.texts.push(RuleText {
            name: name.into(),
            text: text.into(),
            builtin: false,
        });
        self
    }

    /// Adds a rule file, or every `*.toml` file in a directory (sorted by name).
    pub fn add_path(mut self, path: &Path) -> Self {
        let name = path.display().to_string();
        if path.is_dir() {
            match list_toml_files(path) {
                Ok(files) => {
                    for file in files {
                        self = self.add_path(&file);
                    }
                }
                Err(err) => self.errors.push(io_error(&name, &err)),
            }
            return self;
        }
        match read_limited(path, MAX_RULE_FILE_LEN) {
            Ok(None) => self.errors.push(RuleError {
                file: name,
                line: 0,
                column: 0,
                message: format!(
                    "rule file is larger than {} MiB: split it",
                    MAX_RULE_FILE_LEN >> 20
                ),
            }),
            Ok(Some(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => self.texts.push(RuleText {
                    name,
                    text,
                    builtin: false,
                }),
                Err(err) => {
                    let offset = err.utf8_error().valid_up_to();
                    let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                    self.errors.push(RuleError::at_offset(
                        &name,
                        &text,
                        offset,
                        "rule files must be UTF-8 text",
                    ));
                }
            },
            Err(err) => self.errors.push(io_error(&name, &err)),
        }
        self
    }

    /// Parses, validates and compiles every file; returns all problems at once.
    pub fn build(self) -> Result<RuleSet, RuleErrors> {
        let mut errors = self.errors;
        let mut texts: Vec<RuleText> = Vec::new();
        if self.builtin {
            let file_name = |name: &str| Path::new(name).file_name().map(|n| n.to_owned());
            let added: Vec<_> = self.texts.iter().map(|t| file_name(&t.name)).collect();
            texts.extend(
                BUILTIN_RULE_FILES
                    .iter()
                    .filter(|(name, _)| !(self.shadow_builtins && added.contains(&file_name(name))))
                    .map(|(name, text)| RuleText {
                        name: name.to_string(),
                        text: text.to_string(),
                        builtin: true,
                    }),
            );
        }
        texts.extend(self.texts);

        let mut parsed = Vec::new();
        for file in &texts {
            match toml::from_str::<RawFile>(&file.text) {
                Ok(raw) => parsed.push((file, raw)),
                Err(err) => {
                    let offset = err.span().map_or(0, |s| s.start);
                    let message = err.message().trim().to_string();
                    errors.push(RuleError::at_offset(
                        &file.name, &file.text, offset, message,
                    ));
                }
            }
        }

        // The users' regexes are compiled now, in parallel, to report their errors; the
        // built-in ones when a line first needs them.
        let patterns: Vec<&str> = parsed
            .iter()
            .filter(|(file, _)| !file.builtin)
            .flat_map(|(_, raw)| raw.signal.iter())
            .filter_map(|signal| signal.regex.as_ref().map(|r| r.get_ref().as_str()))
            .collect();
        let compiled: HashMap<&str, Result<regex::bytes::Regex, String>> = {
            use rayon::prelude::*;
            patterns
                .par_iter()
                .map(|&pattern| (pattern, compile_regex(pattern)))
                .collect()
        };

        let mut rules = RuleSet::default();
        let mut signal_ids: HashMap<String, (String, usize)> = HashMap::new();
        for (file, raw) in &parsed {
            for raw_signal in &raw.signal {
                let mut report = |offset: usize, message: String| {
                    errors.push(RuleError::at_offset(
                        &file.name, &file.text, offset, message,
                    ))
                };
                let regex = |pattern: &str| {
                    let deferred = file.builtin.then(|| SignalRegex::deferred(pattern));
                    match deferred.flatten() {
                        Some(regex) => Ok(regex),
                        None => compiled
                            .get(pattern)
                            .cloned()
                            .unwrap_or_else(|| compile_regex(pattern))
                            .map(SignalRegex::compiled),
                    }
                };
                if let Some(signal) = compile_signal(&file.name, raw_signal, regex, &mut report) {
                    let key = signal.id.clone();
                    let here = raw_signal.id.span().start;
                    if let Some((other_file, other_offset)) = signal_ids.get(&key) {
                        let other = position_of(&texts, other_file, *other_offset);
                        report(
                            here,
                            format!("duplicate signal id `{key}` (first defined at {other})"),
                        );
                    } else {
                        signal_ids.insert(key, (file.name.clone(), here));
                        rules.signals.push(signal);
                    }
                }
            }
        }

        let mut cause_ids: HashMap<String, (String, usize)> = HashMap::new();
        for (file, raw) in &parsed {
            for raw_cause in &raw.cause {
                let mut report = |offset: usize, message: String| {
                    errors.push(RuleError::at_offset(
                        &file.name, &file.text, offset, message,
                    ))
                };
                if let Some(cause) = compile_cause(&file.name, raw_cause, &rules, &mut report) {
                    let key = cause.id.clone();
                    let here = raw_cause.id.span().start;
                    if let Some((other_file, other_offset)) = cause_ids.get(&key) {
                        let other = position_of(&texts, other_file, *other_offset);
                        report(
                            here,
                            format!("duplicate cause id `{key}` (first defined at {other})"),
                        );
                    } else {
                        cause_ids.insert(key, (file.name.clone(), here));
                        rules.causes.push(cause);
                    }
                }
            }
        }

        // `explains` and `supersedes` name other causes: every one must exist.
        for (file, raw) in &parsed {
            for raw_cause in &raw.cause {
                let own = raw_cause.id.get_ref();
                for (key, names) in [
                    ("explains", &raw_cause.explains),
                    ("supersedes", &raw_cause.supersedes),
                ] {
                    for name in names {
                        let problem = if name.get_ref() == own {
                            format!("cause `{own}` cannot name itself in `{key}`")
                        } else if !cause_ids.contains_key(name.get_ref()) {
                            format!("unknown cause `{}` in `{key}`", name.get_ref())
                        } else {
                            continue;
                        };
                        errors.push(RuleError::at_offset(
                            &file.name,
                            &file.text,
                            name.span().start,
                            problem,
                        ));
                    }
                }
            }
        }

        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(RuleErrors(errors))
        }
    }
}

/// The file's bytes, or `None` when it has more than `limit` bytes.
fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

fn list_toml_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|x| x == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn io_error(name: &str, err: &std::io::Error) -> RuleError {
    RuleError {
        file: name.to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read ({err})"),
    }
}

fn position_of(texts: &[RuleText], file: &str, offset: usize) -> String {
    let text = texts
        .iter()
        .find(|t| t.name == file)
        .map_or("", |t| t.text.as_str());
    let err = RuleError::at_offset(file, text, offset, "");
    format!("{}:{}:{}", err.file, err.line, err.column)
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_severity(
    raw: &Option<Spanned<String>>,
    default: Severity,
    report: &mut impl FnMut(usize, String),
) -> Severity {
    let Some(raw) = raw else { return default };
    Severity::parse(raw.get_ref()).unwrap_or_else(|| {
        let names: Vec<_> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        report(
            raw.span().start,
            format!(
                "unknown severity `{}`: must be one of {}",
                raw.get_ref(),
                names.join(", ")
            ),
        );
        default
    })
}

/// Compiles a regex with the rule size limits.
pub(crate) fn compile_regex(pattern: &str) -> Result<regex::bytes::Regex, String> {
    build_regex(pattern, true)
}

/// `pattern` compiled with Unicode-aware classes, case folding and word boundaries
/// (`unicode`), or with their ASCII forms, as [`compile_regex`] reports errors.
pub(crate) fn build_regex(pattern: &str, unicode: bool) -> Result<regex::bytes::Regex, String> {
    if pattern.len() > MAX_REGEX_LEN {
        return Err(format!(
            "regex is too long ({} bytes, at most {MAX_REGEX_LEN}): split it into several signals",
            pattern.len()
        ));
    }
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(unicode)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|err| match err {
            regex::Error::CompiledTooBig(limit) => {
                format!("regex is too big (compiled form exceeds {limit} bytes): simplify it")
            }
            other => {
                let text = other.to_string();
                let last = text.lines().rev().find(|l| l.starts_with("error:"));
                format!(
                    "invalid regex: {}",
                    last.unwrap_or(&text).trim_start_matches("error: ")
                )
            }
        })
}

/// `regex` compiles (or defers) a pattern.
fn compile_signal(
    file: &str,
    raw: &RawSignal,
    regex: impl Fn(&str) -> Result<SignalRegex, String>,
    report: &mut impl FnMut(usize, String),
) -> Option<Signal> {
    let id = raw.id.get_ref();
    let mut ok = true;
    if !is_kebab_case(id) {
        report(
            raw.id.span().start,
            format!("signal id `{id}` must be kebab-case (a-z, 0-9, -)"),
        );
        ok = false;
    }
    let (pattern, pattern_at) = match (&raw.regex, &raw.message_id) {
        (Some(regex), _) => (regex.get_ref().as_str(), regex.span().start),
        (None, Some(_)) => ("", raw.id.span().start),
        (None, None) => {
            report(
                raw.id.span().start,
                format!("signal `{id}` needs a `regex` (or a `message_id`)"),
            );
            return None;
        }
    };
    let regex = match regex(pattern) {
        Ok(regex) => Some(regex),
        Err(message) => {
            report(pattern_at, message);
            None
        }
    };
    let message_id = raw.message_id.as_ref().map(|m| m.get_ref().clone());
    let min_level = raw
        .min_level
        .as_ref()
        .map(|_| parse_severity(&raw.min_level, Severity::Debug, report));
    if let Some(m) = &raw.message_id {
        let valid = m.get_ref().len() == 32
            && m.get_ref()
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !valid {
            report(
                m.span().start,
                format!(
                    "message_id `{}` must be 32 lowercase hex digits, as journalctl shows it",
                    m.get_ref()
                ),
            );
            ok = false;
        }
    }
    let severity = parse_severity(&raw.severity, Severity::Info, report);
    let mut tags = Vec::new();
    for tag in &raw.tags {
        match Tag::parse(tag.get_ref()) {
            Some(t) => tags.push(t),
            None => {
                let names: Vec<_> = Tag::ALL.iter().map(|t| t.as_str()).collect();
                report(
                    tag.span().start,
                    format!(
                        "unknown tag `{}`: must be one of {}",
                        tag.get_ref(),
                        names.join(", ")
                    ),
                );
                ok = false;
            }
        }
    }
    let (literals, case_insensitive) = match &raw.literals {
        Some(given) => {
            for literal in given {
                if literal.get_ref().len() < MIN_LITERAL_LEN {
                    report(
                        literal.span().start,
                        format!(
                            "literal `{}` is too short: the scanner needs at least {MIN_LITERAL_LEN} bytes",
                            literal.get_ref()
                        ),
                    );
                    ok = false;
                } else if literal.get_ref().len() > MAX_LITERAL_LEN {
                    report(
                        literal.span().start,
                        format!(
                            "literal is too long ({} bytes, at most {MAX_LITERAL_LEN}): a few distinctive words are enough",
                            literal.get_ref().len()
                        ),
                    );
                    ok = false;
                }
            }
            let folds = pattern.trim_start().starts_with("(?i");
            if folds && !raw.case_insensitive {
                report(
                    pattern_at,
                    "the regex ignores case but its literals are matched exactly: add `case_insensitive = true`".to_string(),
                );
                ok = false;
            }
            (
                given.iter().map(|l| l.get_ref().clone()).collect(),
                raw.case_insensitive,
            )
        }
        // The ID is in the raw record, wherever the message's words are.
        None if message_id.is_some() => (message_id.iter().cloned().collect(), false),
        None => match derive_literals(pattern) {
            Some(derived) => (
                derived.literals,
                derived.case_insensitive || raw.case_insensitive,
            ),
            None => (Vec::new(), raw.case_insensitive),
        },
    };
    let examples = raw
        .examples
        .iter()
        .map(|example| match example.get_ref() {
            RawExample::Line(line) => Example {
                line: line.clone(),
                captures: Vec::new(),
            },
            RawExample::WithCaptures { line, captures } => Example {
                line: line.clone(),
                captures: captures
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            },
        })
        .collect();
    let regex = regex?;
    if !ok {
        return None;
    }
    Some(Signal {
        id: id.clone(),
        description: raw.description.clone(),
        origin: file.to_string(),
        regex,
        message_id,
        min_level,
        literals,
        case_insensitive,
        severity,
        tags,
        examples,
        counter_examples: raw
            .counter_examples
            .iter()
            .map(|c| c.get_ref().clone())
            .collect(),
    })
}

fn resolve_refs(
    refs: &[Spanned<String>],
    rules: &RuleSet,
    report: &mut impl FnMut(usize, String),
) -> Vec<EvidenceRef> {
    let mut resolved = Vec::new();
    for item in refs {
        let name = item.get_ref();
        if name == "detector:restart-loop" {
            resolved.push(EvidenceRef::RestartLoop);
        } else if name == "detector:competing-managers" {
            resolved.push(EvidenceRef::CompetingManagers);
        } else if name == "detector:port-holder" {
            resolved.push(EvidenceRef::PortHolder);
        } else if name == "detector:stale-pid" {
            resolved.push(EvidenceRef::StalePid);
        } else if name == "detector:lost-route" {
            resolved.push(EvidenceRef::LostRoute);
        } else if let Some(tag_name) = name.strip_prefix("tag:") {
            match Tag::parse(tag_name) {
                Some(tag) => resolved.push(EvidenceRef::Tag(tag)),
                None => {
                    let names: Vec<_> = Tag::ALL.iter().map(|t| t.as_str()).collect();
                    report(
                        item.span().start,
                        format!(
                            "unknown tag `{tag_name}`: must be one of {}",
                            names.join(", ")
                        ),
                    );
                }
            }
        } else {
            match rules.signal_by_id(name) {
                Some(idx) => resolved.push(EvidenceRef::Signal(idx as SignalIdx)),
                None => report(
                    item.span().start,
                    format!(
                        "unknown signal `{name}` (use a signal id, `tag:NAME`, `detector:restart-loop`, `detector:competing-managers`, `detector:port-holder`, `detector:stale-pid` or `detector:lost-route`)"
                    ),
                ),
            }
        }
    }
    resolved
}

fn compile_cause(
    file: &str,
    raw: &RawCause,
    rules: &RuleSet,
    report: &mut impl FnMut(usize, String),
) -> Option<Cause> {
    let id = raw.id.get_ref();
    let mut ok = true;
    if !is_kebab_case(id) {
        report(
            raw.id.span().start,
            format!("cause id `{id}` must be kebab-case (a-z, 0-9, -)"),
        );
        ok = false;
    }
    let severity = parse_severity(&raw.severity, Severity::Error, report);
    let when = raw.when.get_ref();
    if when.any.is_empty() && when.all.is_empty() {
        report(
            raw.when.span().start,
            "`when` needs `any` or `all` evidence".to_string(),
        );
        ok = false;
    }
    let confidence = match &when.confidence {
        Some(c) if !(0.0..=1.0).contains(c.get_ref()) => {
            report(
                c.span().start,
                format!("confidence {} must be within 0 and 1", c.get_ref()),
            );
            ok = false;
            0.0
        }
        Some(c) => *c.get_ref(),
        None => 0.8,
    };
    let condition = CauseCondition {
        any: resolve_refs(&when.any, rules, report),
        all: resolve_refs(&when.all, rules, report),
        supporting: resolve_refs(&when.supporting, rules, report),
        contradicting: resolve_refs(&when.contradicting, rules, report),
        resolved_by: resolve_refs(&when.resolved_by, rules, report),
        ends_process: when.ends_process,
        min_count: when.min_count.unwrap_or(1).max(1),
        confidence,
    };
    let resolved_all = condition.any.len() == when.any.len()
        && condition.all.len() == when.all.len()
        && condition.supporting.len() == when.supporting.len()
        && condition.contradicting.len() == when.contradicting.len()
        && condition.resolved_by.len() == when.resolved_by.len();
    if !ok || !resolved_all {
        return None;
    }
    Some(Cause {
        id: id.clone(),
        origin: file.to_string(),
        summary: raw.summary.clone(),
        severity,
        title: raw.title.clone(),
        explanation: raw.explanation.trim().to_string(),
        fix: raw.fix.clone(),
        verify: raw.verify.clone(),
        consequence: raw.consequence,
        explains: raw.explains.iter().map(|c| c.get_ref().clone()).collect(),
        supersedes: raw.supersedes.iter().map(|c| c.get_ref().clone()).collect(),
        when: condition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(text: &str) -> Result<RuleSet, RuleErrors> {
        RuleSetBuilder::new()
            .builtin(false)
            .add_text("t.toml", text)
            .build()
    }

    const GOOD: &str = r#"
[[signal]]
id = "bind-in-use"
regex = 'Address already in use.*port (?P<port>\d+)'
severity = "error"
tags = ["bind-error"]
examples = [{ line = "Address already in use on port 80", captures = { port = "80" } }]

[[cause]]
id = "port-conflict"
title = "Port {port} is in use"
[cause.when]
any = ["bind-in-use"]
supporting = ["tag:restart-marker"]
"#;

    /// Built-in regexes are compiled on first use: this is where a bad one fails.
    #[test]
    fn every_builtin_regex_compiles_and_a_users_regex_is_compiled_at_once() {
        let user_signal = "[[signal]]\nid = \"quota-ledger\"\nregex = 'quota ledger (?P<n>\\d+)'\n";
        let rules = RuleSetBuilder::new()
            .add_text("t.toml", user_signal)
            .build()
            .unwrap();
        let (builtin, user): (Vec<_>, Vec<_>) = rules
            .signals
            .iter()
            .partition(|s| s.origin.as_str() != "t.toml");
        assert!(builtin.len() > 100);
        assert_eq!(user.len(), 1);
        assert!(builtin.iter().all(|s| !s.regex.is_compiled()));
        assert!(user.iter().all(|s| s.regex.is_compiled()));
        for signal in builtin {
            if let Err(err) = compile_regex(signal.regex.as_str()) {
                panic!("{}: signal `{}`: {err}", signal.origin, signal.id);
            }
            assert!(signal.regex.get().captures_len() >= 1);
        }
    }

    #[test]
    fn a_good_file_loads() {
        let rules = build(GOOD).unwrap();
        assert_eq!(rules.signals.len(), 1);
        assert_eq!(
            rules.signals[0].literals,
            vec!["Address already in use".to_string()]
        );
        assert_eq!(rules.causes[0].when.any, vec![EvidenceRef::Signal(0)]);
    }

    #[test]
    fn explains_and_supersedes_name_other_known_causes() {
        let text = format!(
            "{GOOD}\n[[cause]]\nid = \"orphan\"\ntitle = \"t\"\nexplains = [\"port-conflict\", \"nope\"]\nsupersedes = [\"orphan\"]\n[cause.when]\nany = [\"bind-in-use\"]\n"
        );
        let shown: Vec<String> = build(&text)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].ends_with("unknown cause `nope` in `explains`"),
            "{shown:?}"
        );
        assert!(
            shown[1].ends_with("cause `orphan` cannot name itself in `supersedes`"),
            "{shown:?}"
        );
        let text = format!(
            "{GOOD}\n[[cause]]\nid = \"orphan\"\ntitle = \"t\"\nexplains = [\"port-conflict\"]\n[cause.when]\nany = [\"bind-in-use\"]\n"
        );
        assert_eq!(build(&text).unwrap().causes[1].explains, ["port-conflict"]);
    }

    #[test]
    fn every_error_is_reported_with_its_position() {
        let text = "[[signal]]\nid = \"Bad_Id\"\nregex = 'a(b'\nseverity = \"fatal\"\ntags = [\"nope\"]\n\n[[cause]]\nid = \"c\"\ntitle = \"t\"\n[cause.when]\nany = [\"missing\"]\n";
        let errors = build(text).unwrap_err().0;
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            shown[0].starts_with("t.toml:2:6: signal id `Bad_Id` must be kebab-case"),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("t.toml:3:9: invalid regex")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("t.toml:4:12: unknown severity `fatal`: must be one of")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("t.toml:5:9: unknown tag `nope`")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|e| e.starts_with("t.toml:11:8: unknown signal `missing`")),
            "{shown:?}"
        );
    }

    #[test]
    fn toml_syntax_errors_point_at_the_problem() {
        let errors = build("[[signal]]\nid = \n").unwrap_err().0;
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].file.as_str()), (2, "t.toml"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let errors = build("[[signal]]\nid = \"a\"\nregex = 'abc'\nregexp = 'x'\n")
            .unwrap_err()
            .0;
        assert!(errors[0].message.contains("regexp"), "{errors:?}");
    }

    #[test]
    fn duplicate_ids_name_the_first_definition() {
        let text =
            "[[signal]]\nid = \"a\"\nregex = 'abcd'\n[[signal]]\nid = \"a\"\nregex = 'efgh'\n";
        let errors = build(text).unwrap_err().0;
        assert_eq!(
            errors[0].to_string(),
            "t.toml:5:6: duplicate signal id `a` (first defined at t.toml:2:6)"
        );
    }

    #[test]
    fn huge_regexes_are_refused() {
        let text = "[[signal]]\nid = \"a\"\nregex = '\\w{1000}\\w{1000}\\w{1000}'\n";
        let errors = build(text).unwrap_err().0;
        assert!(errors[0].message.contains("too big"), "{errors:?}");
    }

    #[test]
    fn overlong_regex_text_is_refused_before_compiling() {
        let pattern = "abc|".repeat(MAX_REGEX_LEN / 4) + "x";
        let text = format!("[[signal]]\nid = \"a\"\nregex = '{pattern}'\n");
        let errors = build(&text).unwrap_err().0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].line, errors[0].column), (3, 9));
        assert!(errors[0].message.contains("too long"), "{errors:?}");
        // Just under the limit, the same kind of pattern loads.
        let pattern = "abc|".repeat(MAX_REGEX_LEN / 4 - 1) + "x";
        let text = format!("[[signal]]\nid = \"a\"\nregex = '{pattern}'\n");
        assert!(build(&text).is_ok());
    }

    #[test]
    fn overlong_literals_are_refused() {
        let literal = "x".repeat(MAX_LITERAL_LEN + 1);
        let text = format!("[[signal]]\nid = \"a\"\nregex = 'x+'\nliterals = [\"{literal}\"]\n");
        let errors = build(&text).unwrap_err().0;
        assert_eq!((errors[0].line, errors[0].column), (4, 13), "{errors:?}");
        assert!(errors[0].message.contains("too long"), "{errors:?}");
    }

    #[test]
    fn oversized_rule_files_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        let mut text = "[[signal]]\nid = \"a\"\nregex = 'abc'\n".to_string();
        text.push_str(&"# padding\n".repeat((MAX_RULE_FILE_LEN / 10) as usize + 1));
        std::fs::write(&path, text).unwrap();
        let errors = RuleSetBuilder::new()
            .builtin(false)
            .add_path(&path)
            .build()
            .unwrap_err()
            .0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .to_string()
                .ends_with("big.toml: rule file is larger than 4 MiB: split it"),
            "{errors:?}"
        );
    }

    #[test]
    fn short_literals_are_refused() {
        let text = "[[signal]]\nid = \"a\"\nregex = 'ab+'\nliterals = [\"ab\"]\n";
        let errors = build(text).unwrap_err().0;
        assert!(errors[0].message.contains("too short"), "{errors:?}");
    }
}
