//! Compiling signals into block-level prefilters and confirming candidate lines.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use rayon::prelude::*;
use regex::bytes::{CaptureLocations, Regex};

use super::bucket_filter::{BucketFilter, FilterLiteral};
use super::count_newlines;
use super::hit::{CaptureNames, Hits, SignalMatch};
use super::matches::Matches;
use super::repeats;
use crate::record::{EnvelopeParser, Level, LineFormat};
use crate::rules::{RegexForm, RuleSet, Severity, SignalIdx, SignalRegex};

/// Literals per prefilter automaton. Measured: aho-corasick's SIMD (Teddy) path holds up to
/// about 32 literals, halves its speed by 48 and falls to a slow path past 64.
pub const DEFAULT_GROUP_SIZE: usize = 32;
/// Literal count above which one bucketed shift-or pass beats several Teddy passes
/// (measured: past 64 literals aho-corasick leaves its SIMD path).
pub const DEFAULT_SINGLE_PASS_ABOVE: usize = 64;
/// Bytes per parallel chunk: a 4 MiB read block is four chunks, so a thread that finishes
/// its chunk early takes another instead of waiting for the block's slowest (two chunks a
/// block left a fifth of two cores idle).
pub const DEFAULT_CHUNK_SIZE: usize = 1 << 20;

/// Configures and builds a [`Scanner`].
///
/// ```
/// use logsleuth::{rules::RuleSetBuilder, scan::ScannerBuilder};
/// let rules = RuleSetBuilder::new().builtin(false)
///     .add_text("t.toml", "[[signal]]\nid = \"in-use\"\nregex = 'Address already in use'\n")
///     .build().unwrap();
/// let scanner = ScannerBuilder::new().build(&rules);
/// let (hits, lines) = scanner.scan(b"ok\nbind: Address already in use\n", 1);
/// assert_eq!((hits[0].line_no, lines), (2, 2));
/// ```
#[derive(Debug, Clone)]
pub struct ScannerBuilder {
    group_size: usize,
    single_pass_above: usize,
    chunk_size: usize,
}

impl Default for ScannerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ScannerBuilder {
    pub fn new() -> Self {
        Self {
            group_size: DEFAULT_GROUP_SIZE,
            single_pass_above: DEFAULT_SINGLE_PASS_ABOVE,
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }

    /// Literals per prefilter automaton (at least 1).
    pub fn group_size(mut self, size: usize) -> Self {
        self.group_size = size.max(1);
        self
    }

    /// Above this many literals, one bucketed shift-or pass replaces the Teddy groups.
    pub fn single_pass_above(mut self, literals: usize) -> Self {
        self.single_pass_above = literals;
        self
    }

    /// Bytes per parallel chunk (at least 4 KiB).
    pub fn chunk_size(mut self, size: usize) -> Self {
        self.chunk_size = size.max(4096);
        self
    }

    /// Compiles every signal of `rules` once.
    pub fn build(&self, rules: &RuleSet) -> Scanner {
        let mut literals = LiteralTable::default();
        let mut fallback = Vec::new();
        for (idx, signal) in rules.signals.iter().enumerate() {
            let idx = idx as SignalIdx;
            if signal.literals.is_empty() {
                fallback.push(idx);
                continue;
            }
            for literal in &signal.literals {
                for variant in escaped_variants(literal) {
                    literals.add(variant, signal.case_insensitive, idx);
                }
            }
        }
        let bucket_filter = literals.single_pass(self.single_pass_above);
        let prefilters = literals.prefilters(self.group_size, self.single_pass_above);
        let fallback_finders = build_fallback_finders(rules, &fallback);
        // The bucket filter reports which literals occur; only Teddy candidates need the
        // line automata.
        let line_matchers = if bucket_filter.is_some() {
            Vec::new()
        } else {
            literals.line_matchers()
        };
        Scanner {
            bucket_filter,
            prefilters,
            line_matchers,
            fallback,
            fallback_finders,
            regexes: rules.signals.iter().map(|s| s.regex.clone()).collect(),
            capture_groups: rules
                .signals
                .iter()
                .map(|s| CaptureGroups::new(s.regex.capture_names()))
                .collect(),
            message_ids: rules
                .signals
                .iter()
                .map(|s| s.message_id.as_ref().map(|m| m.as_bytes().into()))
                .collect(),
            min_levels: rules.signals.iter().map(|s| s.min_level).collect(),
            chunk_size: self.chunk_size,
            id: NEXT_SCANNER_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }
}

/// Literal texts with the signals that own them, split by case sensitivity.
#[derive(Default)]
struct LiteralTable {
    exact: Vec<(String, Vec<SignalIdx>)>,
    folded: Vec<(String, Vec<SignalIdx>)>,
}

impl LiteralTable {
    fn add(&mut self, text: String, case_insensitive: bool, signal: SignalIdx) {
        let (list, text) = if case_insensitive {
            (&mut self.folded, text.to_ascii_lowercase())
        } else {
            (&mut self.exact, text)
        };
        match list.iter_mut().find(|(t, _)| *t == text) {
            Some((_, owners)) if !owners.contains(&signal) => owners.push(signal),
            Some(_) => {}
            None => list.push((text, vec![signal])),
        }
    }

    /// The automata that find candidate lines of a small rule set: groups of at most
    /// `group_size` literals, each on aho-corasick's SIMD (Teddy) path. A large rule set gets
    /// none: see [`LiteralTable::single_pass`].
    fn prefilters(&self, group_size: usize, single_pass_above: usize) -> Vec<AhoCorasick> {
        if self.exact.len() + self.folded.len() > single_pass_above {
            return Vec::new();
        }
        let mut automata = Vec::new();
        for (list, fold) in [(&self.exact, false), (&self.folded, true)] {
            for group in list.chunks(group_size) {
                automata.push(literal_automaton(group, fold, MatchKind::LeftmostFirst));
            }
        }
        automata
    }

    /// For a large rule set, one bucketed shift-or filter of all literals
    /// ([`BucketFilter`]): one pass whatever the number of literals, each literal keeping
    /// its own case rule. Every further Teddy group would instead be one more pass.
    fn single_pass(&self, single_pass_above: usize) -> Option<(BucketFilter, Vec<Vec<SignalIdx>>)> {
        if self.exact.len() + self.folded.len() <= single_pass_above {
            return None;
        }
        let both = || [(&self.exact, false), (&self.folded, true)].into_iter();
        let literals: Vec<FilterLiteral> = both()
            .flat_map(|(list, fold)| {
                list.iter().map(move |(text, _)| FilterLiteral {
                    text: text.as_bytes(),
                    case_insensitive: fold,
                })
            })
            .collect();
        let owners = both()
            .flat_map(|(list, _)| list.iter().map(|(_, owners)| owners.clone()))
            .collect();
        Some((BucketFilter::new(&literals), owners))
    }

    fn line_matchers(&self) -> Vec<LineMatcher> {
        [(&self.exact, false), (&self.folded, true)]
            .into_iter()
            .filter(|(list, _)| !list.is_empty())
            .map(|(list, fold)| LineMatcher {
                automaton: literal_automaton(list, fold, MatchKind::Standard),
                owners: list.iter().map(|(_, o)| o.clone()).collect(),
            })
            .collect()
    }
}

/// An automaton over the texts of `literals`.
fn literal_automaton(
    literals: &[(String, Vec<SignalIdx>)],
    fold: bool,
    kind: MatchKind,
) -> AhoCorasick {
    let texts = || literals.iter().map(|(text, _)| text.as_str());
    let mut builder = AhoCorasick::builder();
    builder.match_kind(kind).ascii_case_insensitive(fold);
    // The DFA is the fast choice; should it exceed aho-corasick's limits, it picks a smaller
    // automaton itself. Rule files are size-limited, so the second build cannot fail.
    builder
        .kind(Some(AhoCorasickKind::DFA))
        .build(texts())
        .or_else(|_| builder.kind(None).build(texts()))
        .expect("literals of size-limited rule files fit an automaton")
}

/// Finds every literal on one candidate line (overlapping), mapping them to signals.
#[derive(Debug, Clone)]
struct LineMatcher {
    automaton: AhoCorasick,
    owners: Vec<Vec<SignalIdx>>,
}

/// A literal as it appears raw and, when it has quotes or backslashes, as JSON escapes it
/// (journalctl `-o json`, docker json-file).
fn escaped_variants(literal: &str) -> Vec<String> {
    let mut variants = vec![literal.to_string()];
    if literal.contains(['"', '\\']) {
        variants.push(literal.replace('\\', "\\\\").replace('"', "\\\""));
    }
    variants
}

/// Regexes that find the candidate lines of the signals without literals: one combined
/// regex, or (should the combination exceed the size limit) one per signal, so no signal is
/// ever dropped. A signal's `^` and `$` mean the start and end of its *message*, which may
/// follow an envelope, so the block finders match the regex with its anchors removed and the
/// line-level regex, which keeps them, confirms.
fn build_fallback_finders(rules: &RuleSet, fallback: &[SignalIdx]) -> Vec<Regex> {
    let unanchored: Vec<String> = fallback
        .iter()
        .map(|&idx| without_anchors(rules.signal(idx).regex.as_str()))
        .collect();
    if unanchored.is_empty() {
        return Vec::new();
    }
    let build = |pattern: &str| {
        regex::bytes::RegexBuilder::new(pattern)
            .multi_line(true)
            .size_limit(64 << 20)
            .build()
    };
    let combined: Vec<String> = unanchored.iter().map(|p| format!("(?:{p})")).collect();
    if let Ok(regex) = build(&combined.join("|")) {
        return vec![regex];
    }
    unanchored
        .iter()
        .zip(fallback)
        .map(|(pattern, &idx)| {
            build(pattern).unwrap_or_else(|_| rules.signal(idx).regex.get().clone())
        })
        .collect()
}

/// The pattern with every start/end anchor (`^`, `$`, `\A`, `\z`, in any flag mode) removed,
/// so it matches wherever the message starts. Word boundaries stay.
fn without_anchors(pattern: &str) -> String {
    use regex_syntax::hir::{Hir, HirKind, Look};
    fn strip(hir: &Hir) -> Hir {
        match hir.kind() {
            HirKind::Look(look)
                if !matches!(
                    look,
                    Look::WordAscii
                        | Look::WordAsciiNegate
                        | Look::WordUnicode
                        | Look::WordUnicodeNegate
                        | Look::WordStartAscii
                        | Look::WordEndAscii
                        | Look::WordStartUnicode
                        | Look::WordEndUnicode
                        | Look::WordStartHalfAscii
                        | Look::WordEndHalfAscii
                        | Look::WordStartHalfUnicode
                        | Look::WordEndHalfUnicode
                ) =>
            {
                Hir::empty()
            }
            HirKind::Capture(cap) => Hir::capture(regex_syntax::hir::Capture {
                index: cap.index,
                name: cap.name.clone(),
                sub: Box::new(strip(&cap.sub)),
            }),
            HirKind::Repetition(rep) => Hir::repetition(regex_syntax::hir::Repetition {
                min: rep.min,
                max: rep.max,
                greedy: rep.greedy,
                sub: Box::new(strip(&rep.sub)),
            }),
            HirKind::Concat(children) => Hir::concat(children.iter().map(strip).collect()),
            HirKind::Alternation(children) => {
                Hir::alternation(children.iter().map(strip).collect())
            }
            _ => hir.clone(),
        }
    }
    match regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
    {
        Ok(hir) => strip(&hir).to_string(),
        Err(_) => pattern.to_string(),
    }
}

/// The compiled scanner. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Scanner {
    /// The single-pass literal finder of a large rule set (else `None`), with the signals
    /// that own each of its literals.
    bucket_filter: Option<(BucketFilter, Vec<Vec<SignalIdx>>)>,
    prefilters: Vec<AhoCorasick>,
    line_matchers: Vec<LineMatcher>,
    fallback: Vec<SignalIdx>,
    fallback_finders: Vec<Regex>,
    /// Compiled on a signal's first candidate line.
    regexes: Vec<SignalRegex>,
    /// Per signal, the names its capture groups report under (see [`base_name`]).
    capture_groups: Vec<CaptureGroups>,
    /// The journal `MESSAGE_ID` each signal requires, if any.
    message_ids: Vec<Option<Box<[u8]>>>,
    /// Per signal: the least severity a line that states one must have.
    min_levels: Vec<Option<Severity>>,
    chunk_size: usize,
    /// Tells this scanner's (and its clones') kept answers from other scanners' in the
    /// per-thread cache of [`repeats`].
    id: u64,
}

/// The next [`Scanner::id`].
static NEXT_SCANNER_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Scanner {
    /// Signals scanned by the regex fallback.
    pub fn fallback_signals(&self) -> &[SignalIdx] {
        &self.fallback
    }

    /// Scans `data` (whole lines; the last may lack its newline) in parallel chunks.
    /// `first_line_no` is the number of the first line. Returns the hits in input order and
    /// the number of newlines in `data`.
    pub fn scan(&self, data: &[u8], first_line_no: u64) -> (Hits, u64) {
        let chunks = split_lines(data, self.chunk_size);
        let results: Vec<(Hits, u64)> = if chunks.len() == 1 {
            vec![self.scan_chunk(chunks[0])]
        } else {
            chunks
                .par_iter()
                .map(|chunk| self.scan_chunk(chunk))
                .collect()
        };
        let mut base = first_line_no;
        let mut chunk_offset = 0u64;
        let mut hits = Hits::default();
        for ((chunk_hits, newlines), chunk) in results.into_iter().zip(&chunks) {
            hits.append(chunk_hits, base, chunk_offset);
            base += newlines;
            chunk_offset += chunk.len() as u64;
        }
        (hits, base - first_line_no)
    }

    /// Scans one chunk; hit line numbers are 0-based within the chunk.
    fn scan_chunk(&self, chunk: &[u8]) -> (Hits, u64) {
        let candidates = self.candidate_lines(chunk);
        let mut scratch = Scratch::new(self.regexes.len());
        let mut hits = Hits::default();
        let mut counted_to = 0usize;
        let mut line_no = 0u64;
        let mut found = candidates.literals.as_slice();
        for start in candidates.starts {
            let end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |i| start + i);
            let line = &chunk[start..end];
            let fallback = candidates.fallback.binary_search(&start).is_ok();
            let known = if self.bucket_filter.is_some() {
                // The filter's literals on this line (they come in line order).
                let skip = found.iter().take_while(|(at, _)| *at < start).count();
                found = &found[skip..];
                let here = found.iter().take_while(|(at, _)| *at == start).count();
                let (on_line, rest) = found.split_at(here);
                found = rest;
                Some(on_line)
            } else {
                None
            };
            let Some(matches) = self.confirm(line, fallback, known, &mut scratch) else {
                continue;
            };
            line_no += count_newlines(&chunk[counted_to..start]);
            counted_to = start;
            hits.push(line_no, start as u64, trim_cr(line), matches);
        }
        let newlines = line_no + count_newlines(&chunk[counted_to..]);
        (hits, newlines)
    }

    /// The lines of `chunk` that contain a literal or a fallback match.
    fn candidate_lines(&self, chunk: &[u8]) -> Candidates {
        let mut starts = Vec::new();
        let mut literals = Vec::new();
        if let Some((filter, _)) = &self.bucket_filter {
            // The line around the last occurrence: later literals on it need no search.
            let (mut line, mut line_end) = (0, 0);
            filter.for_each_match(chunk, |at, literal| {
                if at >= line_end || starts.is_empty() {
                    line = line_start(chunk, at);
                    line_end = memchr::memchr(b'\n', &chunk[at..]).map_or(chunk.len(), |i| at + i);
                    starts.push(line);
                }
                literals.push((line, literal));
            });
        }
        for automaton in &self.prefilters {
            let mut pos = 0;
            while pos < chunk.len() {
                let Some(m) = automaton.find(Input::new(chunk).range(pos..)) else {
                    break;
                };
                starts.push(line_start(chunk, m.start()));
                pos = memchr::memchr(b'\n', &chunk[m.end()..])
                    .map_or(chunk.len(), |i| m.end() + i + 1);
            }
        }
        let mut fallback_starts = Vec::new();
        for finder in &self.fallback_finders {
            let mut pos = 0;
            while pos < chunk.len() {
                let Some(m) = finder.find_at(chunk, pos) else {
                    break;
                };
                fallback_starts.push(line_start(chunk, m.start()));
                let from = m.end().max(m.start() + 1).min(chunk.len());
                pos = memchr::memchr(b'\n', &chunk[from..]).map_or(chunk.len(), |i| from + i + 1);
            }
        }
        if !fallback_starts.is_empty() {
            fallback_starts.sort_unstable();
            fallback_starts.dedup();
            starts.extend_from_slice(&fallback_starts);
        }
        let finders = self.prefilters.len()
            + self.fallback_finders.len()
            + usize::from(self.bucket_filter.is_some());
        if finders > 1 {
            starts.sort_unstable();
            starts.dedup();
        }
        Candidates {
            starts,
            fallback: fallback_starts,
            literals,
        }
    }

    /// Runs the regexes of the signals whose literals occur on `line`.
    /// `fallback`: a fallback finder found this line, so the signals without literals are
    /// tried too. The envelope is parsed without memory of earlier lines, so the result does
    /// not depend on where chunks start.
    fn confirm(
        &self,
        line: &[u8],
        fallback: bool,
        known: Option<&[(usize, u32)]>,
        scratch: &mut Scratch,
    ) -> Option<Matches> {
        let line = trim_cr(line);
        scratch.candidates.clear();
        match (known, &self.bucket_filter) {
            (Some(found), Some((_, owners))) => {
                for &(_, literal) in found {
                    scratch
                        .candidates
                        .extend_from_slice(&owners[literal as usize]);
                }
            }
            _ => {
                for matcher in &self.line_matchers {
                    for m in matcher.automaton.find_overlapping_iter(line) {
                        scratch
                            .candidates
                            .extend_from_slice(&matcher.owners[m.pattern().as_usize()]);
                    }
                }
            }
        }
        if fallback {
            scratch.candidates.extend_from_slice(&self.fallback);
        }
        scratch.candidates.sort_unstable();
        scratch.candidates.dedup();
        if scratch.candidates.is_empty() {
            return None;
        }
        let envelope = EnvelopeParser::new().parse(line);
        // Rules match the message inside a transport envelope (journal, syslog, docker,
        // JSON); an application's own stamp and level prefix stay part of the message.
        let message: &[u8] = match envelope.format {
            LineFormat::App | LineFormat::Logfmt => trim_leading_blanks(line),
            _ => &envelope.message,
        };
        let ascii = message.is_ascii();
        let asked = repeats::Message::new(message);
        let candidates = std::mem::take(&mut scratch.candidates);
        for &idx in &candidates {
            if let Some(wanted) = &self.message_ids[idx as usize] {
                if envelope.message_id.as_deref() != Some(&wanted[..]) {
                    continue;
                }
            }
            if let (Some(least), Some(level)) = (self.min_levels[idx as usize], envelope.level) {
                if severity_of(level) < least {
                    continue;
                }
            }
            let found = repeats::answer(self.id, idx, &asked, || {
                let (regex, form) = self.regexes[idx as usize].for_ascii_message(ascii);
                let locations = scratch.locations(idx, regex, form);
                regex.captures_read(locations, message)?;
                Some(self.capture_groups[idx as usize].matched(idx, locations, message))
            });
            scratch.matches.extend(found);
        }
        scratch.candidates = candidates;
        (!scratch.matches.is_empty()).then(|| Matches::take_all(&mut scratch.matches))
    }
}

/// A record's level on the rules' severity scale.
fn severity_of(level: Level) -> Severity {
    match level {
        Level::Debug => Severity::Debug,
        Level::Info => Severity::Info,
        Level::Notice => Severity::Notice,
        Level::Warning => Severity::Warning,
        Level::Error => Severity::Error,
        Level::Critical => Severity::Critical,
    }
}

/// A signal's named capture groups: the names its matches share, and for each group of
/// the regex the index of its name (`None` for unnamed groups).
#[derive(Debug, Clone)]
struct CaptureGroups {
    names: CaptureNames,
    name_of_group: Box<[Option<usize>]>,
}

impl CaptureGroups {
    fn new<'a>(group_names: impl Iterator<Item = Option<&'a str>>) -> Self {
        let mut names: Vec<Arc<str>> = Vec::new();
        let name_of_group = group_names
            .map(|name| {
                let name = name?;
                names.push(Arc::from(base_name(name)));
                Some(names.len() - 1)
            })
            .collect();
        Self {
            names: Arc::new(names.into_boxed_slice()),
            name_of_group,
        }
    }

    /// The match of `signal` whose groups matched at `locations` in `text`.
    fn matched(&self, signal: SignalIdx, locations: &CaptureLocations, text: &[u8]) -> SignalMatch {
        let values = self
            .name_of_group
            .iter()
            .enumerate()
            .filter_map(|(group, name)| {
                let name = (*name)?;
                let (start, end) = locations.get(group)?;
                Some((name, crate::record::lossy(&text[start..end])))
            });
        SignalMatch::new(signal, &self.names, values)
    }
}

/// Per signal (by index), whether its matches can capture one of `names`: whether its regex
/// has a group of that name (`port2` counts as `port`, as for [`SignalMatch::capture`]). A
/// detector that reads such a capture from every line skips the other signals' matches
/// without looking into their captures.
pub fn signals_capturing(rules: &RuleSet, names: &[&str]) -> Vec<bool> {
    rules
        .signals
        .iter()
        .map(|signal| {
            signal
                .regex
                .capture_names()
                .flatten()
                .any(|group| names.contains(&base_name(group)))
        })
        .collect()
}

/// A regex cannot name two groups alike, so alternatives capture `port`, `port2`, `port3`:
/// they all mean `port`.
fn base_name(name: &str) -> &str {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if trimmed.is_empty() {
        name
    } else {
        trimmed
    }
}

/// The candidate lines of a chunk, by the offset where each starts (ascending).
struct Candidates {
    starts: Vec<usize>,
    /// The lines a fallback finder found (the signals without literals are tried there).
    fallback: Vec<usize>,
    /// With the bucket filter: (line start, literal index) for every literal occurrence,
    /// in line order.
    literals: Vec<(usize, u32)>,
}

/// Per-chunk reusable buffers.
struct Scratch {
    candidates: Vec<SignalIdx>,
    /// Per signal, the capture locations of each form of its regex (Unicode, ASCII).
    locations: Vec<[Option<CaptureLocations>; 2]>,
    /// The matches of the line being confirmed.
    matches: Vec<SignalMatch>,
}

impl Scratch {
    fn new(signals: usize) -> Self {
        Self {
            candidates: Vec::new(),
            locations: (0..signals).map(|_| [None, None]).collect(),
            matches: Vec::new(),
        }
    }

    fn locations(
        &mut self,
        idx: SignalIdx,
        regex: &Regex,
        form: RegexForm,
    ) -> &mut CaptureLocations {
        let slot = usize::from(form == RegexForm::Ascii);
        self.locations[idx as usize][slot].get_or_insert_with(|| regex.capture_locations())
    }
}

fn line_start(chunk: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &chunk[..pos]).map_or(0, |i| i + 1)
}

fn trim_leading_blanks(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(line.len());
    &line[start..]
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Cuts `data` into pieces of about `size` bytes that end at a newline.
fn split_lines(data: &[u8], size: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = data;
    while rest.len() > size {
        let cut = match memchr::memchr(b'\n', &rest[size..]) {
            Some(i) => size + i + 1,
            None => rest.len(),
        };
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSetBuilder;

    const RULES: &str = r#"
[[signal]]
id = "in-use"
regex = 'Address already in use.*?(?P<port>\d+)?$'
[[signal]]
id = "oom"
regex = '(?i)out of memory: killed process (?P<pid>\d+)'
[[signal]]
id = "restart"
regex = 'restart counter is at (?P<counter>\d+)'
[[signal]]
id = "digits-only"
regex = '^\d{5,}$'
"#;

    fn scanner(chunk: usize) -> Scanner {
        let rules = RuleSetBuilder::new()
            .builtin(false)
            .add_text("t.toml", RULES)
            .build()
            .unwrap();
        ScannerBuilder::new()
            .chunk_size(chunk)
            .group_size(1)
            .build(&rules)
    }

    fn sample() -> Vec<u8> {
        let mut text = Vec::new();
        for i in 0..5000 {
            match i % 97 {
                3 => text.extend_from_slice(
                    b"Jan 16 12:00:00 h app[1]: bind: Address already in use 8000\n",
                ),
                10 => text.extend_from_slice(b"kernel: OUT OF MEMORY: Killed process 42 (x)\n"),
                20 => text.extend_from_slice(
                    b"x.service: Scheduled restart job, restart counter is at 7.\r\n",
                ),
                30 => text.extend_from_slice(b"1234567\n"),
                _ => text.extend_from_slice(format!("line {i} nothing to see\n").as_bytes()),
            }
        }
        text
    }

    #[test]
    fn finds_each_signal_with_line_numbers_and_captures() {
        let data = sample();
        let (hits, lines) = scanner(1 << 20).scan(&data, 1);
        assert_eq!(lines, 5000);
        assert_eq!(hits.len(), 4 * 52);
        assert_eq!(hits[0].line_no, 4);
        assert_eq!(hits[0].matches[0].capture("port"), Some("8000"));
        assert_eq!(hits[1].matches[0].capture("pid"), Some("42"));
        assert_eq!(hits[2].matches[0].capture("counter"), Some("7"));
        assert_eq!(hits.text(&hits[3]), b"1234567");
    }

    #[test]
    fn signals_capturing_knows_which_signals_can_capture_a_name() {
        let rules = RuleSetBuilder::new()
            .builtin(false)
            .add_text(
                "t.toml",
                format!("{RULES}[[signal]]\nid = \"either\"\nregex = 'port (?P<port2>\\d+)|pid (?P<pid>\\d+)'\n"),
            )
            .build()
            .unwrap();
        // in-use, oom, restart, digits-only, either
        assert_eq!(
            signals_capturing(&rules, &["port"]),
            [true, false, false, false, true]
        );
        assert_eq!(
            signals_capturing(&rules, &["pid", "counter"]),
            [false, true, true, false, true]
        );
        assert_eq!(signals_capturing(&rules, &["backoff"]), [false; 5]);
    }

    #[test]
    fn results_do_not_depend_on_the_chunk_size() {
        let data = sample();
        let (whole, n) = scanner(1 << 30).scan(&data, 1);
        for size in [4096, 5000, 65536] {
            assert_eq!(
                scanner(size).scan(&data, 1),
                (whole.clone(), n),
                "chunk size {size}"
            );
        }
    }

    #[test]
    fn the_bucket_filter_finds_what_the_teddy_groups_find() {
        let rules = RuleSetBuilder::new()
            .builtin(false)
            .add_text("t.toml", RULES)
            .build()
            .unwrap();
        let data = sample();
        let teddy = ScannerBuilder::new().chunk_size(8192).build(&rules);
        let buckets = ScannerBuilder::new()
            .chunk_size(8192)
            .single_pass_above(0)
            .build(&rules);
        assert!(teddy.bucket_filter.is_none() && buckets.bucket_filter.is_some());
        assert_eq!(buckets.scan(&data, 1), teddy.scan(&data, 1));
    }

    #[test]
    fn json_escaped_literals_are_found() {
        let rules = RuleSetBuilder::new()
            .builtin(false)
            .add_text(
                "t.toml",
                "[[signal]]\nid = \"q\"\nregex = 'result \"oom-kill\"'\n",
            )
            .build()
            .unwrap();
        let scanner = ScannerBuilder::new().build(&rules);
        let (hits, _) = scanner.scan(br#"{"MESSAGE":"Failed with result \"oom-kill\"."}"#, 1);
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn signals_without_literals_match_after_an_envelope_whatever_their_anchors() {
        for regex in [
            r"^\d{5,}$",
            r"(?i)^\d{5,}$",
            r"(?m)^\d{5,}\z",
            r"^x{9}|^\d{5,}$",
        ] {
            let text = format!("[[signal]]\nid = \"digits\"\nregex = '{regex}'\n");
            let rules = RuleSetBuilder::new()
                .builtin(false)
                .add_text("t.toml", text)
                .build()
                .unwrap();
            let scanner = ScannerBuilder::new().build(&rules);
            assert_eq!(scanner.fallback_signals(), &[0], "{regex}");
            let (hits, _) = scanner.scan(
                b"Jan 16 12:00:00 h app[42]: 1234567\nJan 16 12:00:01 h app[42]: 12 34567\n",
                1,
            );
            assert_eq!(hits.len(), 1, "{regex}");
            assert_eq!(hits[0].line_no, 1, "{regex}");
        }
    }

    #[test]
    fn split_lines_keeps_every_byte() {
        let data = sample();
        for size in [1, 100, 4096, 1 << 20] {
            assert_eq!(split_lines(&data, size).concat(), data);
        }
        assert_eq!(split_lines(b"", 10), vec![b"" as &[u8]]);
    }
}
