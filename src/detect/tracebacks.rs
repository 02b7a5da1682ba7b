//! Tracebacks: the lines of one stack trace assembled into one finding, and the same crash
//! seen again (after each restart, in each worker) counted under one fingerprint.
//!
//! Rule signals say what each line of a trace is: a start (`Traceback (most recent call
//! last):`, `panic:`, `Exception in thread`, `Unhandled exception.`), a frame, a chained
//! cause (`Caused by:`, `During handling of the above exception`), a `Type: message`
//! exception line, or some other continuation. This module only puts them together:
//!
//! - Lines are grouped by source, program and PID, so two processes whose traces interleave
//!   (two workers crashing at once) give two traces, and a journal, docker-compose or
//!   Kubernetes prefix on every line changes nothing.
//! - A trace ends at a gap of more than [`MAX_LINE_GAP`] lines or [`MAX_CLOCK_GAP_US`] of log
//!   time, at an unrelated matched line of the same group, at a new start, or after a
//!   Python traceback's final exception line (unless a chain marker follows).
//! - The frames reported are the innermost ones, runtime machinery (Rust's and Go's panic
//!   plumbing) left out. Python prints the innermost frame last; everyone else first.
//! - The fingerprint hashes the language, the exception type and the innermost frames with
//!   digits and addresses taken out (a trace without frames: its message, likewise), so
//!   PIDs, thread ids, line numbers and addresses do not split one crash into many.

use foldhash::{HashMap, HashMapExt};

use serde::Serialize;

use crate::evidence::EvidenceLine;
use crate::record::{EnvelopeParser, LineFormat};
use crate::rules::{RuleSet, Signal, Tag};

/// Lines between two lines of one trace (in its group's source) before it counts as ended.
pub const MAX_LINE_GAP: u64 = 40;
/// Log time between two lines of one trace before it counts as ended.
pub const MAX_CLOCK_GAP_US: i64 = 5_000_000;
/// Frames reported per trace (innermost first).
pub const REPORTED_FRAMES: usize = 5;
/// PIDs listed per trace; the rest are only counted in `count`.
const LISTED_PIDS: usize = 12;
/// Chained exceptions listed per trace.
const LISTED_CHAIN: usize = 6;
/// Longest summary or message kept, in characters.
const MAX_TEXT: usize = 300;

/// Where a trace was seen: a source (display name) and a line number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TracePlace {
    pub source: String,
    pub line: u64,
}

/// One frame of a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// `file:line`, or the location as printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl std::fmt::Display for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.function, &self.location) {
            (Some(function), Some(location)) => write!(f, "{function} ({location})"),
            (Some(function), None) => f.write_str(function),
            (None, Some(location)) => f.write_str(location),
            (None, None) => f.write_str("?"),
        }
    }
}

/// One distinct stack trace and how often it was seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Traceback {
    /// The rule file that recognised it: `python`, `jvm`, `go`, `rust`, `node`, `dotnet`
    /// (`unknown` when only generic frames were seen).
    pub language: String,
    /// The exception type (`KeyError`, `java.lang.IllegalStateException`); none for Go and
    /// Rust panics, whose `summary` is the panic line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// One line saying what happened: `Type: message`, or the panic line.
    pub summary: String,
    /// The other exceptions of a chained trace, in the order printed (Python: the earlier
    /// ones; Java and .NET: the causes, the root cause last).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// Innermost first, at most `REPORTED_FRAMES`.
    pub frames: Vec<Frame>,
    /// Frames in the trace, reported or not.
    pub frame_count: usize,
    /// Stable across restarts: no PIDs, addresses, line numbers or times.
    pub fingerprint: String,
    /// How many times this trace was seen.
    pub count: usize,
    pub first: TracePlace,
    pub last: TracePlace,
    /// The host it was seen on, when the logs name one (see [`crate::hosts`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The program whose lines carried it, when the envelope names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Distinct PIDs it was seen from (at most 12 listed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pids: Vec<u32>,
    /// Indexes of every evidence line of every occurrence, ascending.
    #[serde(skip)]
    pub members: Vec<usize>,
    /// For each of `members`, the index of the first line of its occurrence.
    #[serde(skip)]
    pub occurrence_starts: Vec<usize>,
}

impl Traceback {
    /// The first line of the occurrence that evidence line `index` belongs to, if any.
    pub fn occurrence_of(&self, index: usize) -> Option<usize> {
        let at = self.members.binary_search(&index).ok()?;
        self.occurrence_starts.get(at).copied()
    }
}

/// What one matched line is to a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Start,
    Cause,
    Exception,
    Frame,
    Continuation,
    Other,
}

fn role_of(rules: &RuleSet, line: &EvidenceLine) -> (Role, Option<usize>) {
    let mut best = (Role::Other, None);
    let rank = |role: Role| match role {
        Role::Start => 0,
        Role::Cause => 1,
        Role::Exception => 2,
        Role::Frame => 3,
        Role::Continuation => 4,
        Role::Other => 5,
    };
    for (i, m) in line.matches.iter().enumerate() {
        let signal = rules.signal(m.signal);
        let role = if signal.has_tag(Tag::TracebackStart) {
            Role::Start
        } else if signal.has_tag(Tag::TracebackCause) {
            Role::Cause
        } else if signal.has_tag(Tag::TracebackEnd) {
            Role::Exception
        } else if signal.has_tag(Tag::TracebackFrame) {
            Role::Frame
        } else if signal.has_tag(Tag::Continuation) {
            Role::Continuation
        } else {
            continue;
        };
        if rank(role) < rank(best.0) {
            best = (role, Some(i));
        }
    }
    best
}

/// The language a signal stands for: its rule file's name (`rules/python.toml` -> python).
fn language_of(signal: &Signal) -> Option<String> {
    let stem = std::path::Path::new(&signal.origin)
        .file_stem()?
        .to_string_lossy()
        .into_owned();
    (stem != "generic").then_some(stem)
}

/// Frames that belong to the runtime's panic or exception plumbing rather than the program.
fn is_machinery(frame: &Frame, language: &str) -> bool {
    // Rust: the standard library and the C entry points around `main`; Go: the runtime's
    // panic path; Python: frozen importlib/runpy bootstrap frames.
    const FUNCTION_PREFIXES: &[&str] = &[
        "__rustc::",
        "rust_begin_unwind",
        "core::",
        "std::",
        "alloc::",
        "<core::",
        "<std::",
        "<alloc::",
        "runtime.gopanic",
        "runtime.panicmem",
        "runtime.sigpanic",
    ];
    const ENTRY_POINTS: &[&str] = &[
        "main",
        "_start",
        "__libc_start_main",
        "__libc_start_call_main",
    ];
    let function = frame.function.as_deref().unwrap_or("");
    let location = frame.location.as_deref().unwrap_or("");
    FUNCTION_PREFIXES.iter().any(|p| function.starts_with(p))
        || (language == "rust" && ENTRY_POINTS.contains(&function))
        || location.starts_with("/rustc/")
        || location.starts_with("<frozen ")
        || location.contains("/src/runtime/panic.go")
}

/// Digits and hex addresses replaced, so line numbers, PIDs and pointers do not count.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'0' && bytes.get(i + 1) == Some(&b'x') {
            let mut j = i + 2;
            while j < bytes.len() && bytes[j].is_ascii_hexdigit() {
                j += 1;
            }
            out.push('X');
            i = j;
        } else if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push('N');
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn fnv1a(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn clip(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The message of a line, without its transport envelope; an application's own stamp and
/// level prefix stay, as they do for the rules.
fn message_of(line: &EvidenceLine) -> String {
    let text = line.text.get();
    let envelope = EnvelopeParser::new().parse(text.as_bytes());
    match envelope.format {
        LineFormat::App | LineFormat::Logfmt => text.trim_start().to_string(),
        _ => crate::record::lossy(&envelope.message).into_owned(),
    }
}

fn capture<'a>(line: &'a EvidenceLine, matched: Option<usize>, name: &str) -> Option<&'a str> {
    let m = &line.matches[matched?];
    m.capture(name).filter(|v| !v.is_empty())
}

/// A trace being assembled in one group.
struct Open<'a> {
    members: Vec<usize>,
    last_line_no: u64,
    last_clock: Option<i64>,
    first: &'a EvidenceLine,
    /// Opened by a start line (else by an exception line or a frame: a candidate that
    /// becomes a trace only with an exception and a frame).
    started: bool,
    language: Option<String>,
    header: Option<String>,
    exception: Option<String>,
    message: Option<String>,
    chain: Vec<String>,
    /// Frames of the section being reported, in printed order.
    frames: Vec<Frame>,
    frame_count: usize,
    /// Later frames belong to a cause or an emitter, not to the reported exception.
    frames_locked: bool,
    /// A Python traceback's final line was seen.
    ended: bool,
    /// A Python chain marker was seen: a new `Traceback` section follows.
    awaiting_section: bool,
}

impl<'a> Open<'a> {
    fn begin(
        rules: &RuleSet,
        line: &'a EvidenceLine,
        index: usize,
        role: Role,
        matched: Option<usize>,
    ) -> Option<Self> {
        if !matches!(role, Role::Start | Role::Exception | Role::Frame) {
            return None;
        }
        let signal = rules.signal(line.matches[matched?].signal);
        let mut open = Open {
            members: Vec::new(),
            last_line_no: line.line_no,
            last_clock: line.clock_us(),
            first: line,
            started: role == Role::Start,
            language: None,
            header: None,
            exception: None,
            message: None,
            chain: Vec::new(),
            frames: Vec::new(),
            frame_count: 0,
            frames_locked: false,
            ended: false,
            awaiting_section: false,
        };
        if role != Role::Exception {
            open.language = language_of(signal);
        }
        open.members.push(index);
        match role {
            Role::Start => {
                open.header = Some(message_of(line));
                open.take_exception(line, matched);
            }
            Role::Exception => open.take_exception(line, matched),
            _ => open.add_frame(line, matched),
        }
        Some(open)
    }

    fn innermost_last(&self) -> bool {
        self.language.as_deref() == Some("python")
    }

    /// Still at its header: nothing but start lines so far.
    fn in_header(&self) -> bool {
        self.started && self.frame_count == 0 && self.exception.is_none() && !self.ended
    }

    fn too_far(&self, line: &EvidenceLine) -> bool {
        let lines = line.line_no.saturating_sub(self.last_line_no) > MAX_LINE_GAP;
        let clock = match (self.last_clock, line.clock_us()) {
            (Some(a), Some(b)) => (b - a).abs() > MAX_CLOCK_GAP_US,
            _ => false,
        };
        lines || clock
    }

    fn take_exception(&mut self, line: &EvidenceLine, matched: Option<usize>) {
        if self.exception.is_none() {
            if let Some(exception) = capture(line, matched, "exception") {
                self.exception = Some(exception.to_string());
                self.message = capture(line, matched, "message").map(clip).or_else(|| {
                    let text = message_of(line);
                    let after = text.split_once(exception)?.1;
                    let rest = after.trim_start().strip_prefix(':')?.trim();
                    (!rest.is_empty()).then(|| clip(rest))
                });
                return;
            }
        }
        if self.message.is_none() {
            self.message = capture(line, matched, "message").map(clip);
        }
    }

    fn add_frame(&mut self, line: &EvidenceLine, matched: Option<usize>) {
        let function = capture(line, matched, "function").map(str::to_string);
        let location = match (
            capture(line, matched, "file"),
            capture(line, matched, "line"),
        ) {
            (Some(file), Some(no)) => Some(format!("{file}:{no}")),
            (Some(file), None) => Some(file.to_string()),
            _ => capture(line, matched, "location").map(str::to_string),
        };
        // Go prints a frame's function and its location on two lines.
        if function.is_none() {
            if let Some(last) = self.frames.last_mut() {
                if last.location.is_none() && last.function.is_some() {
                    last.location = location;
                    return;
                }
            }
        }
        self.frame_count += 1;
        if self.frames_locked {
            return;
        }
        self.frames.push(Frame { function, location });
    }

    /// The reported exception's one-line summary.
    fn summary(&self) -> String {
        match (&self.exception, &self.message) {
            (Some(exception), Some(message)) => format!("{exception}: {message}"),
            (Some(exception), None) => exception.clone(),
            (None, message) => {
                let header = self.header.as_deref().map(str::trim).unwrap_or("");
                match message {
                    Some(message) if !header.contains(message.as_str()) => {
                        clip(&format!("{header} {message}"))
                    }
                    _ => clip(header),
                }
            }
        }
    }

    /// Reacts to the next line of the group; `false` means the trace ended before it.
    fn accept(
        &mut self,
        rules: &RuleSet,
        line: &'a EvidenceLine,
        index: usize,
        role: Role,
        matched: Option<usize>,
    ) -> bool {
        let taken = match role {
            Role::Start if self.awaiting_section => {
                self.new_section();
                true
            }
            Role::Start if self.in_header() => {
                self.take_exception(line, matched);
                true
            }
            Role::Start => false,
            Role::Cause => {
                match capture(line, matched, "exception") {
                    // Java's `Caused by:`, .NET's ` ---> `: the cause, with frames of its own.
                    Some(exception) => {
                        let message = capture(line, matched, "message");
                        self.chain.push(clip(&match message {
                            Some(message) => format!("{exception}: {message}"),
                            None => exception.to_string(),
                        }));
                        self.frames_locked = true;
                    }
                    // Python's chain markers: a new section with a new exception follows.
                    None => {
                        self.awaiting_section = true;
                        self.ended = false;
                    }
                }
                true
            }
            Role::Exception if self.ended || self.awaiting_section => false,
            Role::Exception if self.innermost_last() => {
                self.take_exception(line, matched);
                self.ended = true;
                true
            }
            Role::Exception if self.exception.is_none() && self.frame_count == 0 => {
                self.take_exception(line, matched);
                true
            }
            Role::Exception => false,
            Role::Frame if self.ended => false,
            Role::Frame => {
                if self.awaiting_section {
                    self.new_section();
                }
                if self.language.is_none() {
                    let signal = rules.signal(line.matches[matched.unwrap_or(0)].signal);
                    self.language = language_of(signal);
                }
                self.add_frame(line, matched);
                true
            }
            Role::Continuation => {
                if self.frame_count > 0 && self.language.as_deref() != Some("go") {
                    // `Emitted 'error' event … at:`, `--- End of …`: later frames are
                    // someone else's. (Go's goroutine header comes before its frames.)
                    self.frames_locked = true;
                }
                if self.message.is_none() && self.in_header() {
                    self.message = capture(line, matched, "message").map(clip);
                }
                !self.ended
            }
            Role::Other => !self.ended && self.absorbs(line),
        };
        if taken {
            self.members.push(index);
            self.last_line_no = line.line_no;
            self.last_clock = line.clock_us().or(self.last_clock);
        }
        taken
    }

    /// Another matched line of the group inside an open trace: the message a header
    /// announced with a trailing colon (Rust 1.73+), or an indented detail line.
    fn absorbs(&mut self, line: &EvidenceLine) -> bool {
        if line.line_no > self.last_line_no + 2 {
            return false;
        }
        let text = message_of(line);
        let announced = self.in_header()
            && self.message.is_none()
            && self
                .header
                .as_deref()
                .is_some_and(|h| h.trim_end().ends_with(':'));
        if announced {
            self.message = Some(clip(&text));
            return true;
        }
        text.starts_with([' ', '\t', '}', '{'])
    }

    fn new_section(&mut self) {
        if self.exception.is_some() || self.message.is_some() {
            self.chain.push(self.summary());
        }
        self.exception = None;
        self.message = None;
        self.frames.clear();
        self.frames_locked = false;
        self.ended = false;
        self.awaiting_section = false;
    }

    fn is_trace(&self) -> bool {
        self.started || (self.exception.is_some() && self.frame_count > 0)
    }

    /// The innermost frames worth reporting.
    fn innermost(&self) -> Vec<Frame> {
        let language = self.language.as_deref().unwrap_or("");
        let program = self
            .frames
            .iter()
            .filter(|f| !is_machinery(f, language))
            .cloned();
        if self.innermost_last() {
            let mut frames: Vec<Frame> = program.collect();
            frames.reverse();
            frames.truncate(REPORTED_FRAMES);
            frames
        } else {
            program.take(REPORTED_FRAMES).collect()
        }
    }
}

/// One finished occurrence, before occurrences are merged by fingerprint.
struct Occurrence {
    trace: Traceback,
    pid: Option<u32>,
}

fn finish(open: Open<'_>, source_names: &[String]) -> Option<Occurrence> {
    if !open.is_trace() {
        return None;
    }
    let language = open.language.clone().unwrap_or_else(|| "unknown".into());
    let frames = open.innermost();
    let summary = open.summary();
    let kind = open
        .exception
        .clone()
        .unwrap_or_else(|| normalise(open.header.as_deref().unwrap_or("")));
    let mut parts: Vec<String> = vec![language.clone(), kind];
    if frames.is_empty() {
        parts.push(normalise(open.message.as_deref().unwrap_or(&summary)));
    }
    for frame in &frames {
        parts.push(normalise(
            frame
                .function
                .as_deref()
                .or(frame.location.as_deref())
                .unwrap_or(""),
        ));
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let place = |line: &EvidenceLine| TracePlace {
        source: source_names
            .get(line.source())
            .cloned()
            .unwrap_or_else(|| "-".into()),
        line: line.line_no,
    };
    let first = place(open.first);
    Some(Occurrence {
        pid: open.first.pid,
        trace: Traceback {
            language,
            exception: open.exception.clone(),
            message: open.message.clone(),
            summary,
            chain: open.chain.iter().take(LISTED_CHAIN).cloned().collect(),
            frames,
            frame_count: open.frame_count,
            fingerprint: fnv1a(&parts),
            count: 1,
            last: first.clone(),
            first,
            host: None,
            identifier: open.first.origin.identifier.as_deref().map(str::to_string),
            pids: Vec::new(),
            occurrence_starts: vec![open.members[0]; open.members.len()],
            members: open.members,
        },
    })
}

type GroupKey<'a> = (usize, Option<&'a str>, Option<u32>);

/// Assembles the stack traces in `evidence` (ordered by source and line) and merges repeats
/// of one trace; the result is in order of first appearance.
pub fn assemble_tracebacks(
    rules: &RuleSet,
    evidence: &[EvidenceLine],
    source_names: &[String],
) -> Vec<Traceback> {
    let mut open: HashMap<GroupKey<'_>, Open<'_>> = HashMap::new();
    let mut merged = Merged::default();
    for (index, line) in evidence.iter().enumerate() {
        let (role, matched) = role_of(rules, line);
        if role == Role::Other && open.is_empty() {
            continue;
        }
        let key = (line.source(), line.origin.identifier.as_deref(), line.pid);
        if let Some(mut current) = open.remove(&key) {
            if !current.too_far(line) && current.accept(rules, line, index, role, matched) {
                open.insert(key, current);
                continue;
            }
            merged.add(finish(current, source_names));
        }
        if let Some(started) = Open::begin(rules, line, index, role, matched) {
            open.insert(key, started);
        }
    }
    for rest in open.into_values() {
        merged.add(finish(rest, source_names));
    }
    merged.into_traces()
}

/// The traces merged by fingerprint as their occurrences finish: one entry per distinct
/// trace, however often it repeats. Occurrences finish out of order (their groups
/// interleave), so each entry keeps what the earliest occurrence says and where the latest
/// one was seen, and the result is the same as merging them in order of their first lines.
#[derive(Default)]
struct Merged {
    entries: Vec<MergedTrace>,
    by_fingerprint: HashMap<String, usize>,
}

struct MergedTrace {
    /// The earliest occurrence's trace, with `count`, `last`, `members` and
    /// `occurrence_starts` for all of them.
    trace: Traceback,
    /// The first evidence line of the earliest and of the latest occurrence.
    first_start: usize,
    last_start: usize,
    /// Each PID and the first line of its earliest occurrence.
    pids: HashMap<u32, usize>,
}

impl Merged {
    fn add(&mut self, occurrence: Option<Occurrence>) {
        let Some(Occurrence { mut trace, pid }) = occurrence else {
            return;
        };
        // The lines and the place are added below; the rest describes the trace.
        let members = std::mem::take(&mut trace.members);
        let occurrence_starts = std::mem::take(&mut trace.occurrence_starts);
        let start = members[0];
        let place = trace.first.clone();
        trace.count = 0;
        let slot = match self.by_fingerprint.get(&trace.fingerprint) {
            Some(&slot) => {
                let entry = &mut self.entries[slot];
                if start < entry.first_start {
                    // The earliest occurrence so far says what the trace is.
                    let later = std::mem::replace(&mut entry.trace, trace);
                    entry.trace.count = later.count;
                    entry.trace.last = later.last;
                    entry.trace.members = later.members;
                    entry.trace.occurrence_starts = later.occurrence_starts;
                    entry.first_start = start;
                }
                slot
            }
            None => {
                self.by_fingerprint
                    .insert(trace.fingerprint.clone(), self.entries.len());
                self.entries.push(MergedTrace {
                    trace,
                    first_start: start,
                    last_start: start,
                    pids: HashMap::new(),
                });
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[slot];
        if start >= entry.last_start {
            entry.trace.last = place;
            entry.last_start = start;
        }
        entry.trace.count += 1;
        entry.trace.members.extend(members);
        entry.trace.occurrence_starts.extend(occurrence_starts);
        if let Some(pid) = pid {
            let earliest = entry.pids.entry(pid).or_insert(start);
            *earliest = (*earliest).min(start);
        }
    }

    /// The traces in order of first appearance, each with its first [`LISTED_PIDS`] PIDs
    /// and its lines in evidence order.
    fn into_traces(self) -> Vec<Traceback> {
        let mut entries = self.entries;
        entries.sort_by_key(|e| e.first_start);
        entries
            .into_iter()
            .map(|entry| {
                let mut trace = entry.trace;
                let mut pids: Vec<(usize, u32)> =
                    entry.pids.into_iter().map(|(pid, at)| (at, pid)).collect();
                pids.sort_unstable();
                trace.pids = pids
                    .into_iter()
                    .take(LISTED_PIDS)
                    .map(|(_, pid)| pid)
                    .collect();
                let mut pairs: Vec<(usize, usize)> = trace
                    .members
                    .iter()
                    .copied()
                    .zip(trace.occurrence_starts.iter().copied())
                    .collect();
                pairs.sort_unstable();
                (trace.members, trace.occurrence_starts) = pairs.into_iter().unzip();
                trace
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traces(log: &str) -> Vec<Traceback> {
        crate::detect::report_for(log).tracebacks
    }

    const CHAINED: &str = r#"Traceback (most recent call last):
  File "/srv/app/config.py", line 4, in load
    with open(path) as f:
         ^^^^^^^^^^
FileNotFoundError: [Errno 2] No such file or directory: '/etc/app/config.json'

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/srv/app/main.py", line 10, in main
    load("/etc/app/config.json")
  File "/srv/app/config.py", line 7, in load
    raise RuntimeError(f"config {path} missing") from e
RuntimeError: config /etc/app/config.json missing

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/srv/app/main.py", line 13, in <module>
    main()
  File "/srv/app/main.py", line 12, in main
    {}["DATABASE_URL"]
    ~~^^^^^^^^^^^^^^^^
KeyError: 'DATABASE_URL'
"#;

    #[test]
    fn a_chained_python_traceback_is_one_trace_reporting_the_last_exception() {
        let found = traces(CHAINED);
        assert_eq!(found.len(), 1, "{found:#?}");
        let trace = &found[0];
        assert_eq!(trace.language, "python");
        assert_eq!(trace.summary, "KeyError: 'DATABASE_URL'");
        assert_eq!(
            trace.chain,
            vec![
                "FileNotFoundError: [Errno 2] No such file or directory: '/etc/app/config.json'",
                "RuntimeError: config /etc/app/config.json missing",
            ]
        );
        let innermost: Vec<String> = trace.frames.iter().map(Frame::to_string).collect();
        assert_eq!(
            innermost,
            vec![
                "main (/srv/app/main.py:12)",
                "<module> (/srv/app/main.py:13)"
            ]
        );
    }

    #[test]
    fn the_same_crash_in_two_processes_is_one_fingerprint_counted_twice() {
        // Two workers crash at once; their lines interleave in the journal.
        let mut log = String::new();
        let lines = [
            "Traceback (most recent call last):",
            "  File \"/srv/app/db.py\", line 12, in connect",
            "    return psycopg2.connect(url)",
            "psycopg2.OperationalError: connection to server at \"db\" (10.0.0.5), port 5432 failed: Connection refused",
        ];
        for (i, text) in lines.iter().enumerate() {
            for pid in [301, 302] {
                log.push_str(&format!("Mar 02 10:00:0{i} web api[{pid}]: {text}\n"));
            }
        }
        let found = traces(&log);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].count, 2);
        assert_eq!(found[0].pids, vec![301, 302]);
        assert_eq!(found[0].frames.len(), 1);
        assert_eq!(found[0].members.len(), 6);
    }

    #[test]
    fn repeats_merge_as_in_order_of_their_first_lines_whatever_order_they_end_in() {
        // PID 301's trace starts first and ends last; 302's lies inside it, 303's after it.
        let trace = |pid: u32, message: &str| -> [String; 4] {
            [
                "Traceback (most recent call last):".to_string(),
                "  File \"/srv/app/db.py\", line 12, in connect".to_string(),
                "    return psycopg2.connect(url)".to_string(),
                format!("psycopg2.OperationalError: {message} (pid {pid})"),
            ]
        };
        let line = |pid: u32, text: &str| format!("Mar 02 10:00:00 web api[{pid}]: {text}\n");
        let [a0, a1, a2, a3] = trace(301, "first");
        let mut log = [&a0, &a1, &a2].map(|t| line(301, t)).concat();
        log.extend(trace(302, "second").iter().map(|t| line(302, t)));
        log.push_str(&line(301, &a3));
        log.extend(trace(303, "third").iter().map(|t| line(303, t)));
        let found = traces(&log);
        assert_eq!(found.len(), 1, "{found:#?}");
        let merged = &found[0];
        assert_eq!(merged.count, 3);
        assert_eq!(merged.message.as_deref(), Some("first (pid 301)"));
        assert_eq!((merged.first.line, merged.last.line), (1, 9));
        assert_eq!(merged.pids, vec![301, 302, 303]);
        // Evidence lines: 301's start and frame, 302's three, 301's exception, 303's three.
        assert_eq!(merged.members, (0..9).collect::<Vec<_>>());
        assert_eq!(merged.occurrence_of(4), Some(2));
        assert_eq!(merged.occurrence_of(5), Some(0));
    }

    #[test]
    fn pids_line_numbers_and_addresses_do_not_change_the_fingerprint() {
        let go = |pid: u32, line: u32, off: &str| {
            format!(
                "Mar 02 10:00:00 web worker[{pid}]: panic: runtime error: invalid memory address or nil pointer dereference\n\
                 Mar 02 10:00:00 web worker[{pid}]: [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc={off}]\n\
                 Mar 02 10:00:00 web worker[{pid}]: goroutine 1 [running]:\n\
                 Mar 02 10:00:00 web worker[{pid}]: main.connect(...)\n\
                 Mar 02 10:00:00 web worker[{pid}]: \t/src/worker/main.go:{line}\n\
                 Mar 02 10:00:00 web worker[{pid}]: main.main()\n\
                 Mar 02 10:00:00 web worker[{pid}]: \t/src/worker/main.go:18 {off}\n\
                 Mar 02 10:00:01 web systemd[1]: worker.service: Main process exited, code=exited, status=2/INVALIDARGUMENT\n"
            )
        };
        let log = go(100, 11, "+0x56") + &go(200, 12, "+0x61");
        let found = traces(&log);
        assert_eq!(found.len(), 1, "{found:#?}");
        let trace = &found[0];
        assert_eq!(trace.count, 2);
        assert_eq!(trace.language, "go");
        assert_eq!(
            trace.summary,
            "panic: runtime error: invalid memory address or nil pointer dereference"
        );
        assert_eq!(
            trace.frames[0].to_string(),
            "main.connect (/src/worker/main.go:11)"
        );
        assert_eq!(trace.frame_count, 2);
    }

    #[test]
    fn java_causes_are_chained_and_the_top_frames_reported() {
        let log = "Exception in thread \"main\" java.lang.IllegalStateException: Failed to initialise pool\n\
                   \tat Main.init(Main.java:3)\n\
                   \tat Main.main(Main.java:4)\n\
                   Caused by: java.net.ConnectException: Connection refused\n\
                   \tat Main.connect(Main.java:2)\n\
                   \t... 2 more\n";
        let found = traces(log);
        assert_eq!(found.len(), 1, "{found:#?}");
        let trace = &found[0];
        assert_eq!(trace.language, "jvm");
        assert_eq!(
            trace.summary,
            "java.lang.IllegalStateException: Failed to initialise pool"
        );
        assert_eq!(
            trace.chain,
            vec!["java.net.ConnectException: Connection refused"]
        );
        assert_eq!(trace.frames.len(), 2);
        assert_eq!(trace.frame_count, 3);
    }

    #[test]
    fn a_rust_panic_takes_its_message_from_the_next_line_and_skips_panic_machinery() {
        let log = "thread 'main' (11023) panicked at p.rs:2:76:\n\
                   called `Result::unwrap()` on an `Err` value: Os { code: 98, kind: AddrInUse, message: \"Address already in use\" }\n\
                   stack backtrace:\n\
                   \x20  0: __rustc::rust_begin_unwind\n\
                   \x20            at /rustc/5980/library/std/src/panicking.rs:689:5\n\
                   \x20  4: p::bind\n\
                   \x20            at ./p.rs:2:76\n\
                   \x20  5: p::main\n\
                   \x20            at ./p.rs:3:43\n";
        let found = traces(log);
        assert_eq!(found.len(), 1, "{found:#?}");
        let trace = &found[0];
        assert_eq!(trace.language, "rust");
        assert!(
            trace
                .summary
                .ends_with("Os { code: 98, kind: AddrInUse, message: \"Address already in use\" }"),
            "{}",
            trace.summary
        );
        let frames: Vec<String> = trace.frames.iter().map(Frame::to_string).collect();
        assert_eq!(
            frames,
            vec!["p::bind (./p.rs:2:76)", "p::main (./p.rs:3:43)"]
        );
    }

    #[test]
    fn a_dotnet_trace_chains_inner_exceptions_and_keeps_the_outer_frames() {
        // The shape CoreCLR prints for an exception escaping Main (Kestrel on a busy port).
        let log = "Unhandled exception. System.IO.IOException: Failed to bind to address http://127.0.0.1:5000: address already in use.\n\
                   \x20---> Microsoft.AspNetCore.Connections.AddressInUseException: Address already in use\n\
                   \x20---> System.Net.Sockets.SocketException (98): Address already in use\n\
                   \x20  at System.Net.Sockets.Socket.Bind(EndPoint localEP)\n\
                   \x20  --- End of inner exception stack trace ---\n\
                   \x20  at Microsoft.AspNetCore.Server.Kestrel.Core.Internal.AddressBinder.BindEndpointAsync(ListenOptions endpoint, AddressBindContext context, CancellationToken cancellationToken)\n\
                   \x20  at Program.<Main>$(String[] args) in /src/Program.cs:line 12\n";
        let found = traces(log);
        assert_eq!(found.len(), 1, "{found:#?}");
        let trace = &found[0];
        assert_eq!(trace.language, "dotnet");
        assert_eq!(trace.exception.as_deref(), Some("System.IO.IOException"));
        assert_eq!(trace.chain.len(), 2);
        assert_eq!(
            trace.chain[1],
            "System.Net.Sockets.SocketException: Address already in use"
        );
        assert_eq!(trace.frame_count, 3);
    }

    #[test]
    fn a_node_crash_report_is_one_trace_from_its_source_line_to_its_frames() {
        let log = "node:events:502\n\
                   \x20     throw er; // Unhandled 'error' event\n\
                   \x20     ^\n\
                   \n\
                   Error: listen EADDRINUSE: address already in use :::3999\n\
                   \x20   at Server.setupListenHandle [as _listen2] (node:net:1908:16)\n\
                   \x20   at Object.<anonymous> (/srv/app/s.js:1:81)\n\
                   Emitted 'error' event on Server instance at:\n\
                   \x20   at emitErrorNT (node:net:1944:8) {\n\
                   \x20 code: 'EADDRINUSE',\n\
                   }\n";
        let found = traces(log);
        assert_eq!(found.len(), 1, "{found:#?}");
        let trace = &found[0];
        assert_eq!(trace.language, "node");
        assert_eq!(
            trace.summary,
            "Error: listen EADDRINUSE: address already in use :::3999"
        );
        // The emitter's frames are not the error's.
        assert_eq!(trace.frames.len(), 2);
    }

    #[test]
    fn an_exception_line_without_frames_is_not_a_trace() {
        let log =
            "2026-03-02 10:00:00 ERROR worker: psycopg2.OperationalError: could not connect\n\
                   2026-03-02 10:00:05 INFO worker: retrying\n";
        assert!(traces(log).is_empty());
    }

    #[test]
    fn normalise_drops_numbers_and_addresses() {
        assert_eq!(normalise("main.go:18 +0x56 pid 4242"), "main.go:N +X pid N");
    }
}
