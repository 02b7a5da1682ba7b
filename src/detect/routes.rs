//! Routes that answered before a restart and 404 after it: in-memory state lost on restart
//! (registrations, sessions, job lists kept only in the process).
//!
//! Access-log lines that answer 2xx are most of a web log, so they are not evidence: the
//! per-line stage never looks at them. The evidence does have the 404s that matter (signal
//! `http-access-404`, with the request's method and path; [`super::not_found`] drops the
//! others as they are read and marks those kept only as a process's sign of life) and every
//! start of a server (`start-marker` lines such as uvicorn's "Started server process").
//! That is enough to find
//! the *candidates* ([`lost_route_candidates`]): a route (method and path, query left out)
//! of one server that answers 404 after a start of that server and never answered 404
//! before it. Whether the route answered 2xx before the start is then checked by a targeted
//! pass over the source (the engine re-reads files; stdin cannot be read twice), which looks
//! only for the candidates' request strings ([`EarlierAnswers`]) and adds each line it
//! finds to the evidence as a *context line* (an evidence line without signal matches).
//!
//! [`lost_route_lines`] is `detector:lost-route`: the 404s after the restart together with
//! the last 2xx answer before it, for every candidate a context line proves.

use foldhash::{HashMap, HashMapExt, HashSet};

use aho_corasick::AhoCorasick;

use crate::evidence::{EvidenceBuilder, EvidenceLine};
use crate::record::EnvelopeParser;
use crate::rules::{RuleSet, Tag};

/// The signal whose lines are server-side 404 answers (captures `method`, `path`).
pub(super) const NOT_FOUND_SIGNAL: &str = "http-access-404";
/// A route is a candidate when it answers 404 at least this often after the restart: a
/// client that keeps asking for what it had (one 404 per random id is a crawler or a typo).
pub const MIN_NOT_FOUND: usize = 2;
/// Candidates checked at most (those with the most 404s first), so a web log full of
/// distinct paths cannot make the targeted pass or its note large.
pub const MAX_CANDIDATES: usize = 32;

/// A route of one server that answers 404 after a start of the server, and never before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostRouteCandidate {
    pub source: usize,
    /// The server's identifier (syslog identifier, container), empty when lines have none.
    pub subject: String,
    pub method: String,
    /// The path without its query string.
    pub path: String,
    /// The line of the start after which the route answers 404.
    pub restart_line: u64,
    /// The line and byte offset where the run that this restart ended began: the server's
    /// previous start, or the top of the source. Only an answer in that run proves state
    /// that the restart lost.
    pub run_start: (u64, u64),
    /// Evidence indexes of the 404 answers after that start.
    pub not_found: Vec<usize>,
}

/// A route of one server: (source, server, method, path without query).
type RouteKey<'a> = (usize, &'a str, &'a str, &'a str);

/// The server a line is from: its identifier, else its unit, else none (empty).
pub(super) fn subject_of(line: &EvidenceLine) -> &str {
    line.origin
        .identifier
        .as_deref()
        .or(line.origin.unit.as_deref())
        .unwrap_or("")
}

fn without_query(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or(path)
}

/// A route as candidates are keyed: the method and the path without its query.
pub(super) fn route_parts<'a>(method: &'a str, path: &'a str) -> (&'a str, &'a str) {
    (method, without_query(path))
}

/// Finds the candidates (see the module docs), in evidence order: routes with at least
/// `MIN_NOT_FOUND` 404s after the restart, at most `MAX_CANDIDATES` of them.
pub fn lost_route_candidates(
    rules: &RuleSet,
    evidence: &[EvidenceLine],
) -> Vec<LostRouteCandidate> {
    let Some(not_found_signal) = rules.signal_by_id(NOT_FOUND_SIGNAL) else {
        return Vec::new();
    };
    let mut is_start = vec![false; rules.signals.len()];
    for (i, signal) in rules.signals.iter().enumerate() {
        is_start[i] = signal.has_tag(Tag::StartMarker);
    }
    let starts_line =
        |line: &EvidenceLine| line.matches.iter().any(|m| is_start[m.signal as usize]);
    // Servers that start somewhere in the evidence: only their 404s can be candidates, so a
    // web log without restarts costs one pass over the evidence and no hashing per 404.
    let restarted: HashSet<(usize, &str)> = evidence
        .iter()
        .filter(|line| starts_line(line))
        .map(|line| (line.source(), subject_of(line)))
        .collect();
    if restarted.is_empty() {
        return Vec::new();
    }
    // (source, subject) -> (line, offset) of its latest start and of the one before it.
    type Starts = ((u64, u64), (u64, u64));
    let mut last_start: HashMap<(usize, &str), Starts> = HashMap::new();
    // (source, subject, method, path) -> line of its first 404.
    let mut first_not_found: HashMap<RouteKey<'_>, u64> = HashMap::new();
    let mut candidates: Vec<LostRouteCandidate> = Vec::new();
    let mut by_key: HashMap<(usize, &str, &str, &str, u64), usize> = HashMap::new();
    for (index, line) in evidence.iter().enumerate() {
        if starts_line(line) {
            let key = (line.source(), subject_of(line));
            let previous = last_start.get(&key).map_or((1, 0), |&(latest, _)| latest);
            last_start.insert(key, ((line.line_no, line.offset), previous));
        }
        let Some(found) = line.matches.iter().find(|m| m.signal == not_found_signal) else {
            continue;
        };
        if line.presence_only {
            continue; // A route's 404 kept only as its process's sign of life.
        }
        if !restarted.contains(&(line.source(), subject_of(line))) {
            continue;
        }
        let (Some(method), Some(path)) = (found.capture("method"), found.capture("path")) else {
            continue;
        };
        let subject = subject_of(line);
        let path = without_query(path);
        let first = *first_not_found
            .entry((line.source(), subject, method, path))
            .or_insert(line.line_no);
        let Some(&((start, _), run_start)) = last_start.get(&(line.source(), subject)) else {
            continue;
        };
        if first < start {
            continue; // It answered 404 before this start too: not state lost by it.
        }
        let key = (line.source(), subject, method, path, start);
        let slot = *by_key.entry(key).or_insert_with(|| {
            candidates.push(LostRouteCandidate {
                source: line.source(),
                subject: subject.to_string(),
                method: method.to_string(),
                path: path.to_string(),
                restart_line: start,
                run_start,
                not_found: Vec::new(),
            });
            candidates.len() - 1
        });
        candidates[slot].not_found.push(index);
    }
    candidates.retain(|c| c.not_found.len() >= MIN_NOT_FOUND);
    if candidates.len() > MAX_CANDIDATES {
        // The most-asked routes, then back in evidence order.
        candidates.sort_by_key(|c| (std::cmp::Reverse(c.not_found.len()), c.not_found[0]));
        candidates.truncate(MAX_CANDIDATES);
        candidates.sort_by_key(|c| c.not_found[0]);
    }
    candidates
}

/// `"GET /path HTTP/1.1" 200` in an access line: the method, the path without its query,
/// and the status.
pub fn parse_request(text: &str) -> Option<(&str, &str, u16)> {
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        let close = after.find('"')?;
        let request = &after[..close];
        let tail = &after[close + 1..];
        let mut parts = request.split(' ');
        if let (Some(method), Some(path), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        {
            if version.starts_with("HTTP/") && method.bytes().all(|b| b.is_ascii_uppercase()) {
                let status = tail.trim_start().get(..3)?.parse().ok()?;
                return Some((method, without_query(path), status));
            }
        }
        rest = tail;
    }
    None
}

/// The targeted pass for one source: finds the 2xx answers to candidate routes before their
/// restart line. Feed it the source's lines in blocks ([`EarlierAnswers::scan`]) with the
/// same line numbering as the main scan, then take the context lines.
pub struct EarlierAnswers<'c> {
    candidates: Vec<&'c LostRouteCandidate>,
    /// `"METHOD /path` per candidate, searched together.
    needles: AhoCorasick,
    /// No line at or after this can prove anything.
    stop_line: u64,
    /// Parses the envelopes of the lines found (which server answered).
    builder: EvidenceBuilder,
    /// Per candidate, the last 2xx answer of its server before its restart.
    found: Vec<Option<EvidenceLine>>,
}

impl<'c> EarlierAnswers<'c> {
    /// A pass for the candidates of one source, parsing envelopes with `parser`; `None`
    /// when there are none.
    pub fn new(candidates: Vec<&'c LostRouteCandidate>, parser: EnvelopeParser) -> Option<Self> {
        if candidates.is_empty() {
            return None;
        }
        // The request itself, and a DELETE of the same path (a resource deleted before the
        // restart is rightly gone after it).
        let patterns: Vec<String> = candidates
            .iter()
            .flat_map(|c| {
                [
                    format!("\"{} {}", c.method, c.path),
                    format!("\"DELETE {}", c.path),
                ]
            })
            .collect();
        // Leftmost-first semantics put the search on aho-corasick's SIMD path (the needles
        // all start with a quote, common in access logs, so a start-byte prefilter is slow).
        let needles = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(&patterns)
            .ok()?;
        let stop_line = candidates.iter().map(|c| c.restart_line).max().unwrap_or(0);
        let found = vec![None; candidates.len()];
        Some(Self {
            candidates,
            needles,
            stop_line,
            builder: EvidenceBuilder::new(parser),
            found,
        })
    }

    /// The stretches of the source that can prove anything, in order and without overlap:
    /// (first line, its byte offset, line after the stretch). Each is a candidate's
    /// restarted run, from its start to the restart; overlapping runs are merged.
    pub fn windows(&self) -> Vec<(u64, u64, u64)> {
        let mut runs: Vec<(u64, u64, u64)> = self
            .candidates
            .iter()
            .map(|c| (c.run_start.0, c.run_start.1, c.restart_line))
            .collect();
        runs.sort_unstable();
        let mut merged: Vec<(u64, u64, u64)> = Vec::new();
        for run in runs {
            match merged.last_mut() {
                Some(last) if run.0 <= last.2 => last.2 = last.2.max(run.2),
                _ => merged.push(run),
            }
        }
        merged
    }

    /// Whether lines from `line` on are still of interest.
    pub fn wants(&self, line: u64) -> bool {
        line < self.stop_line
    }

    /// Looks at whole lines starting at line number `first_line`, byte offset
    /// `first_offset` of the source's stream.
    pub fn scan(&mut self, bytes: &[u8], first_line: u64, first_offset: u64) {
        // `line_no` is the number of the line that contains `pos`.
        let (mut pos, mut line_no) = (0, first_line);
        while let Some(found) = self.needles.find(&bytes[pos..]) {
            let at = pos + found.start();
            line_no += memchr::memchr_iter(b'\n', &bytes[pos..at]).count() as u64;
            if !self.wants(line_no) {
                return;
            }
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            self.check_line(line_no, first_offset + start as u64, &bytes[start..end]);
            if end >= bytes.len() {
                return;
            }
            pos = end + 1;
            line_no += 1;
        }
    }

    /// A line that contains a candidate's request string: a 2xx answer to it from the
    /// candidate's server before the candidate's restart is kept (the last one wins); a
    /// later 2xx DELETE of the same path takes it back.
    fn check_line(&mut self, line_no: u64, offset: u64, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = String::from_utf8_lossy(line);
        let Some((method, path, status)) = parse_request(&text) else {
            return;
        };
        if !(200..300).contains(&status) {
            return;
        }
        let mut answer: Option<EvidenceLine> = None;
        for (candidate, found) in self.candidates.iter().zip(&mut self.found) {
            if line_no >= candidate.restart_line
                || line_no < candidate.run_start.0
                || path != candidate.path
            {
                continue;
            }
            let answer = answer.get_or_insert_with(|| {
                self.builder
                    .context_line(candidate.source, line_no, offset, line)
            });
            if subject_of(answer) != candidate.subject {
                continue;
            }
            if method == candidate.method {
                *found = Some(answer.clone());
            } else if method == "DELETE" {
                *found = None;
            }
        }
    }

    /// The answers found, as context evidence lines (one per line, in candidate order).
    pub fn into_context_lines(self) -> Vec<EvidenceLine> {
        let mut lines: Vec<EvidenceLine> = Vec::new();
        for line in self.found.into_iter().flatten() {
            if !lines.iter().any(|l| l.line_no == line.line_no) {
                lines.push(line);
            }
        }
        lines
    }
}

/// `detector:lost-route`: for each candidate proven by a context line (a 2xx answer to the
/// route before the restart), that answer and the 404s after the restart.
pub fn lost_route_lines(rules: &RuleSet, evidence: &[EvidenceLine]) -> Vec<usize> {
    if !evidence.iter().any(|e| e.matches.is_empty()) {
        return Vec::new();
    }
    let candidates = lost_route_candidates(rules, evidence);
    // The 2xx context lines by (source, subject, method, path): (line number, index).
    type AnswerKey<'a> = (usize, &'a str, String, String);
    let mut answers: HashMap<AnswerKey<'_>, Vec<(u64, usize)>> = HashMap::new();
    for (index, line) in evidence.iter().enumerate() {
        if !line.matches.is_empty() {
            continue;
        }
        let text = line.text.get();
        if let Some((method, path, status)) = parse_request(&text) {
            if (200..300).contains(&status) {
                let key = (
                    line.source(),
                    subject_of(line),
                    method.to_string(),
                    path.to_string(),
                );
                answers.entry(key).or_default().push((line.line_no, index));
            }
        }
    }
    let mut lines = Vec::new();
    for candidate in &candidates {
        let key = (
            candidate.source,
            candidate.subject.as_str(),
            candidate.method.clone(),
            candidate.path.clone(),
        );
        let proof = answers.get(&key).and_then(|found| {
            found
                .iter()
                .filter(|(line_no, _)| *line_no < candidate.restart_line)
                .max()
        });
        if let Some(&(_, index)) = proof {
            lines.push(index);
            lines.extend(&candidate.not_found);
        }
    }
    lines.sort_unstable();
    lines.dedup();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_read_covers_each_restarted_run_once() {
        let candidate = |run_start: (u64, u64), restart_line| LostRouteCandidate {
            source: 0,
            subject: "uvicorn".into(),
            method: "GET".into(),
            path: "/x".into(),
            restart_line,
            run_start,
            not_found: vec![0, 1],
        };
        let candidates = [
            candidate((500, 50_000), 900),
            candidate((1, 0), 100),
            candidate((800, 80_000), 1200),
            candidate((5000, 500_000), 5100),
        ];
        let pass = EarlierAnswers::new(candidates.iter().collect(), EnvelopeParser::new()).unwrap();
        assert_eq!(
            pass.windows(),
            [(1, 0, 100), (500, 50_000, 1200), (5000, 500_000, 5100)]
        );
    }

    #[test]
    fn requests_are_parsed_from_common_access_lines() {
        assert_eq!(
            parse_request(
                r#"INFO:     127.0.0.1:50928 - "POST /api/bots/ai_chatbot/join HTTP/1.1" 200 OK"#
            ),
            Some(("POST", "/api/bots/ai_chatbot/join", 200))
        );
        assert_eq!(
            parse_request(
                r#"10.0.0.1 - - [09/Apr/2019:11:50:39 +0000] "GET /content/81c5?x=1 HTTP/1.1" 404 153 "-" "curl/8.0""#
            ),
            Some(("GET", "/content/81c5", 404))
        );
        assert_eq!(parse_request(r#"said "hello world" 200 times"#), None);
        assert_eq!(parse_request("no quotes at all"), None);
    }
}
