//! Which 404 answers are kept as evidence, decided as they are read.
//!
//! An access log's 404s are a large share of a long log's matched lines (a crawler, a
//! stale link, a health check on a wrong path), and only two things look at them:
//!
//! - the lost-route detector ([`super::routes`]), which needs the 404s of a route that
//!   first answers 404 after a start of its server: those are kept;
//! - everything that asks whether a process was still heard from (processes and how
//!   they ended, a restart's previous process, a failure that the process survived), and
//!   the host's first and last line. For those, a run of 404s of one process with no other
//!   evidence line of that process between them says no more than its first and its last
//!   line: those two are kept, the lines between them are not.
//!
//! So the evidence grows with the other lines, not with the traffic. Answers that are not
//! 404 were never evidence ([`super::routes`] reads them again when it needs them), and
//! the dropped 404s are like them: lines of a server that is answering requests.
//!
//! When a cause names the 404 signal (by id or by its tag) other than as `supporting`
//! (which asks only whether one is present, and the first 404 is always kept), every 404
//! is kept, as that cause may count them.
//!
//! Bounded whatever the input: the routes that answered 404 are remembered as hashes, two
//! generations of [`ROUTES_REMEMBERED`] (a route forgotten and asked again after a restart
//! is a candidate that the check of earlier answers still has to prove); at most
//! [`MAX_OPEN_ROUTES`] routes that answered once since their server's start wait for a
//! second 404; and one line waits per process, at most [`MAX_PROCESSES`] processes.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::evidence::EvidenceLine;
use crate::rules::{RuleSet, SignalIdx, Tag};

use super::counted_by_a_cause;
use super::routes::{route_parts, subject_of, NOT_FOUND_SIGNAL};

/// Route hashes held per generation (two generations: about 2 × 1 MiB at most).
pub const ROUTES_REMEMBERED: usize = 1 << 16;
/// Routes that answered 404 once since their server started, each holding that line until
/// a second 404 makes it a candidate (or the server's next start makes it none).
pub const MAX_OPEN_ROUTES: usize = 4096;
/// Processes with a run of 404s in progress, each holding the run's latest line; past it,
/// every run ends (its last line is kept) and starts afresh.
pub const MAX_PROCESSES: usize = 1 << 16;

/// A run of 404s: a process's 404 lines with no other evidence line of it between them.
/// Its first line is evidence at once; the latest waits, standing for those it replaced.
struct Run {
    /// Tells this run from the process's earlier and later ones.
    id: u64,
    latest: Option<EvidenceLine>,
    /// Open routes whose held line is a line of this run.
    held: u32,
}

/// A run that ended while an open route held one of its lines: where its count went.
struct EndedRun {
    /// The line that was kept last, and counts the run's lines left out.
    end: (u32, u64),
    held: u32,
}

/// A route that answered 404 once since its server's latest start.
struct OpenRoute {
    /// Its server, and the server's start line it answered after.
    server: u64,
    start: u64,
    /// That 404, until a second one comes and makes it evidence.
    first: Option<EvidenceLine>,
    /// The run (process, run) the line is counted in, unless the line is evidence itself.
    counted_in: Option<(u64, u64)>,
}

/// Keeps the 404 lines the detectors need (see the module docs). Feed it every evidence
/// line in input order ([`NotFoundLines::add`]), then call [`NotFoundLines::finish`].
pub struct NotFoundLines {
    /// `None`: every line is kept (no 404 signal, or a cause counts 404s).
    signal: Option<SignalIdx>,
    is_start: Vec<bool>,
    hasher: FixedState,
    /// Per server (source, subject): the line of its latest start.
    latest_start: HashMap<u64, u64>,
    /// Routes (source, subject, method, path) that have answered 404.
    seen: [HashSet<u64>; 2],
    open: HashMap<u64, OpenRoute>,
    /// The open routes were full at the last look and no server started since: closing
    /// the restarted ones would find none.
    open_full: bool,
    /// Per process, its run in progress.
    runs: HashMap<u64, Run>,
    next_run: u64,
    ended: HashMap<u64, EndedRun>,
    /// Kept lines whose count took in a line that became evidence after all (a route's
    /// first 404, once asked again): one less each.
    recounts: Vec<(u32, u64)>,
    /// Lines pushed after lines that follow them (a run's last line, a route's first 404).
    out_of_order: bool,
}

/// What a 404 of a route means for the lost-route detector.
enum RouteStep {
    /// The route's second or later 404 since its server's start: evidence.
    Candidate,
    /// Its first since its server's start (and ever): held, as the route's.
    Opens {
        route: u64,
        server: u64,
        start: u64,
    },
    Nothing,
}

impl NotFoundLines {
    pub fn new(rules: &RuleSet) -> Self {
        let signal = rules
            .signal_by_id(NOT_FOUND_SIGNAL)
            .filter(|&signal| !counted_by_a_cause(rules, signal));
        Self {
            signal,
            is_start: rules
                .signals
                .iter()
                .map(|s| s.has_tag(Tag::StartMarker))
                .collect(),
            hasher: FixedState::default(),
            latest_start: HashMap::new(),
            seen: [HashSet::new(), HashSet::new()],
            open: HashMap::new(),
            open_full: false,
            runs: HashMap::new(),
            next_run: 0,
            ended: HashMap::new(),
            recounts: Vec::new(),
            out_of_order: false,
        }
    }

    /// Takes the next evidence line: pushes it to `evidence`, holds it, or drops it.
    pub fn add(&mut self, line: EvidenceLine, evidence: &mut Vec<EvidenceLine>) {
        let Some(signal) = self.signal else {
            return evidence.push(line);
        };
        if line
            .matches
            .iter()
            .any(|m| self.is_start[m.signal as usize])
        {
            let server = self.server_key(&line);
            self.latest_start.insert(server, line.line_no);
            self.open_full = false;
        }
        let mut only_not_found = !line.matches.is_empty();
        let mut route = None;
        for found in line.matches.iter() {
            if found.signal != signal {
                only_not_found = false;
            } else if let (Some(method), Some(path)) =
                (found.capture("method"), found.capture("path"))
            {
                route = Some(self.route_key(&line, method, path));
            }
        }
        let step = match route {
            Some(route) => self.follow_route(route, &line, evidence),
            None => RouteStep::Nothing,
        };
        if matches!(step, RouteStep::Candidate) || !only_not_found {
            self.end_run(self.process_key(&line), evidence);
            return evidence.push(line);
        }
        let first = matches!(step, RouteStep::Opens { .. }).then(|| line.clone());
        let counted_in = self.extend_run(line, evidence);
        if let (
            RouteStep::Opens {
                route,
                server,
                start,
            },
            Some(first),
        ) = (step, first)
        {
            let first = Some(first);
            self.open_route(
                route,
                OpenRoute {
                    server,
                    start,
                    first,
                    counted_in,
                },
            );
        }
    }

    /// Pushes the lines still held (the last line of each run) and puts the evidence back
    /// in input order; `unsorted`: other lines were pushed out of order too.
    pub fn finish(&mut self, evidence: &mut Vec<EvidenceLine>, unsorted: bool) {
        self.end_all_runs(evidence);
        self.open.clear();
        self.ended.clear();
        if !std::mem::take(&mut self.out_of_order) && !unsorted {
            return;
        }
        let key = |l: &EvidenceLine| (l.source_index, l.line_no, l.matches.is_empty());
        evidence.sort_unstable_by_key(key);
        // The key is unique but for a line kept twice: a route's first 404 that was its
        // run's first or last line too (the run's copy may stand for others).
        evidence.dedup_by(|later, kept| {
            let same = key(later) == key(kept);
            if same {
                kept.stands_for = kept.stands_for.max(later.stands_for);
                kept.presence_only &= later.presence_only;
            }
            same
        });
        for (source, line_no) in std::mem::take(&mut self.recounts) {
            if let Ok(at) = evidence.binary_search_by_key(&(source, line_no, false), key) {
                evidence[at].stands_for = evidence[at].stands_for.saturating_sub(1);
            }
        }
    }

    /// A 404 of `route` (see [`RouteStep`]). A second 404 makes the held first one evidence.
    fn follow_route(
        &mut self,
        route: u64,
        line: &EvidenceLine,
        evidence: &mut Vec<EvidenceLine>,
    ) -> RouteStep {
        let server = self.server_key(line);
        let start = self.latest_start.get(&server).copied();
        if let Some(open) = self.open.get_mut(&route) {
            if Some(open.start) == start {
                if let Some(first) = open.first.take() {
                    let counted_in = open.counted_in.take();
                    self.uncount(first.line_no, counted_in);
                    evidence.push(first);
                    self.out_of_order = true;
                }
                return RouteStep::Candidate;
            }
            // Its server started again since: it answered 404 before this start.
            let counted_in = open.counted_in;
            self.open.remove(&route);
            self.release(counted_in);
            return RouteStep::Nothing;
        }
        if self.seen.iter().any(|seen| seen.contains(&route)) {
            return RouteStep::Nothing;
        }
        if self.seen[0].len() >= ROUTES_REMEMBERED {
            self.seen[1] = std::mem::take(&mut self.seen[0]);
        }
        self.seen[0].insert(route);
        match start {
            Some(start) => RouteStep::Opens {
                route,
                server,
                start,
            },
            None => RouteStep::Nothing,
        }
    }

    fn open_route(&mut self, route: u64, open: OpenRoute) {
        if self.open.len() >= MAX_OPEN_ROUTES && !self.open_full {
            self.close_restarted_routes();
            self.open_full = self.open.len() >= MAX_OPEN_ROUTES;
        }
        if self.open.len() >= MAX_OPEN_ROUTES {
            return;
        }
        if let Some((process, id)) = open.counted_in {
            if let Some(run) = self.runs.get_mut(&process).filter(|run| run.id == id) {
                run.held += 1;
            }
        }
        self.open.insert(route, open);
    }

    /// Forgets the open routes whose server started again since their 404.
    fn close_restarted_routes(&mut self) {
        let closed: Vec<u64> = self
            .open
            .iter()
            .filter(|(_, open)| self.latest_start.get(&open.server) != Some(&open.start))
            .map(|(&route, _)| route)
            .collect();
        for route in closed {
            if let Some(open) = self.open.remove(&route) {
                self.release(open.counted_in);
            }
        }
    }

    /// An open route's held line becomes evidence: the run that counted it counts one less.
    fn uncount(&mut self, line_no: u64, counted_in: Option<(u64, u64)>) {
        let Some((process, id)) = counted_in else {
            return;
        };
        if let Some(run) = self.runs.get_mut(&process).filter(|run| run.id == id) {
            if let Some(latest) = run.latest.as_mut().filter(|l| l.line_no != line_no) {
                latest.stands_for -= 1;
            }
        } else if let Some(ended) = self.ended.get(&id) {
            if ended.end.1 != line_no {
                self.recounts.push(ended.end);
            }
        }
        self.release(counted_in);
    }

    /// An open route is gone: its run no longer needs to say where its count went.
    fn release(&mut self, counted_in: Option<(u64, u64)>) {
        let Some((process, id)) = counted_in else {
            return;
        };
        if let Some(run) = self.runs.get_mut(&process).filter(|run| run.id == id) {
            run.held -= 1;
        } else if let Some(ended) = self.ended.get_mut(&id) {
            ended.held -= 1;
            if ended.held == 0 {
                self.ended.remove(&id);
            }
        }
    }

    /// A 404-only line that is no candidate's: the first of its process's run is evidence
    /// at once, a later one waits, standing for the one it replaces and those before it.
    /// Returns the run (process, run) that counts the line, or `None` when it is evidence.
    fn extend_run(
        &mut self,
        mut line: EvidenceLine,
        evidence: &mut Vec<EvidenceLine>,
    ) -> Option<(u64, u64)> {
        if self.runs.len() >= MAX_PROCESSES {
            self.end_all_runs(evidence);
        }
        line.presence_only = true;
        let process = self.process_key(&line);
        let Some(run) = self.runs.get_mut(&process) else {
            let id = self.next_run;
            self.next_run += 1;
            self.runs.insert(
                process,
                Run {
                    id,
                    latest: None,
                    held: 0,
                },
            );
            evidence.push(line);
            return None;
        };
        if let Some(latest) = run.latest.take() {
            line.stands_for = latest.stands_for + 1;
        }
        let id = run.id;
        if line.stands_for == u16::MAX {
            // Its count is full: it ends the run, and the next 404 starts one.
            run.latest = Some(line);
            self.end_run(process, evidence);
            return None;
        }
        run.latest = Some(line);
        Some((process, id))
    }

    /// Another line of `process`: its run ends, its latest line becomes evidence.
    fn end_run(&mut self, process: u64, evidence: &mut Vec<EvidenceLine>) {
        if self.runs.is_empty() {
            return;
        }
        if let Some(run) = self.runs.remove(&process) {
            self.ended_run(run, evidence);
        }
    }

    /// Ends every run: its latest line joins the evidence.
    pub fn end_all_runs(&mut self, evidence: &mut Vec<EvidenceLine>) {
        let runs: Vec<Run> = self.runs.drain().map(|(_, run)| run).collect();
        for run in runs {
            self.ended_run(run, evidence);
        }
    }

    fn ended_run(&mut self, run: Run, evidence: &mut Vec<EvidenceLine>) {
        let Some(latest) = run.latest else {
            return;
        };
        if run.held > 0 {
            let end = (latest.source_index, latest.line_no);
            let held = run.held;
            self.ended.insert(run.id, EndedRun { end, held });
        }
        evidence.push(latest);
        self.out_of_order = true;
    }

    /// A server: source and subject, as the lost-route detector groups them.
    fn server_key(&self, line: &EvidenceLine) -> u64 {
        self.hasher.hash_one((line.source_index, subject_of(line)))
    }

    fn route_key(&self, line: &EvidenceLine, method: &str, path: &str) -> u64 {
        let (method, path) = route_parts(method, path);
        self.hasher
            .hash_one((line.source_index, subject_of(line), method, path))
    }

    /// A process: source, host, program and PID (the program alone when there is no PID).
    fn process_key(&self, line: &EvidenceLine) -> u64 {
        let host = line.origin.host.as_deref();
        self.hasher
            .hash_one((line.source_index, host, subject_of(line), line.pid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{lost_route_candidates, track_processes};
    use crate::rules::RuleSetBuilder;

    /// Both evidences (with the filter, without); their reports must be the same.
    fn thinned_and_whole(log: &str) -> (Vec<EvidenceLine>, Vec<EvidenceLine>) {
        crate::detect::thinned_and_whole(log, &["http-access-404"])
    }

    /// A log of two uvicorn servers behind nginx: crawlers' 404s throughout, restarts, a
    /// route asked again and again after a restart, errors in between. Deterministic.
    fn web_log(lines: usize, seed: u64) -> String {
        let mut log = String::new();
        let mut next = crate::detect::xorshift(seed);
        let mut pids = [100u32, 200];
        for i in 0..lines {
            let (h, m, s) = (10 + i / 3600, i / 60 % 60, i % 60);
            let stamp = format!("Jan 16 {h:02}:{m:02}:{s:02} web");
            let server = (next() % 2) as usize;
            let pid = pids[server];
            let name = ["api", "auth"][server];
            let line = match next() % 100 {
                0 => {
                    pids[server] += 7;
                    format!(
                        "{stamp} {name}[{}]: INFO:     Started server process [{}]",
                        pids[server], pids[server]
                    )
                }
                1..=3 => format!("{stamp} {name}[{pid}]: ERROR: database timeout"),
                // Old routes, and routes of the current process's sessions.
                4..=15 => format!(
                    "{stamp} {name}[{pid}]: INFO:     10.0.0.1:5 - \"GET /items/{} HTTP/1.1\" 404 Not Found",
                    next() % 6
                ),
                16..=30 => format!(
                    "{stamp} {name}[{pid}]: INFO:     10.0.0.1:5 - \"GET /s/{pid}/{}?q=1 HTTP/1.1\" 404 Not Found",
                    next() % 6
                ),
                31..=60 => format!(
                    "{stamp} nginx[9]: 1.2.3.4 - - [16/Jan/2026:10:00:00 +0000] \"GET /x{} HTTP/1.1\" 404 9 \"-\" \"bot\"",
                    next() % 5000
                ),
                _ => format!("{stamp} {name}[{pid}]: INFO:     10.0.0.1:5 - \"GET /ok HTTP/1.1\" 200 OK"),
            };
            log.push_str(&line);
            log.push('\n');
        }
        log
    }

    fn candidates(
        rules: &RuleSet,
        evidence: &[EvidenceLine],
    ) -> Vec<(String, String, u64, Vec<u64>)> {
        lost_route_candidates(rules, evidence)
            .into_iter()
            .map(|c| {
                let lines = c.not_found.iter().map(|&i| evidence[i].line_no).collect();
                (c.subject, c.path, c.restart_line, lines)
            })
            .collect()
    }

    #[test]
    fn thinned_404s_leave_the_lost_route_candidates_and_the_processes_as_they_were() {
        let (thinned, whole) = thinned_and_whole(&web_log(20_000, 0x2545_f491_4f6c_dd1d));
        assert!(
            thinned.len() * 2 < whole.len(),
            "{} of {}",
            thinned.len(),
            whole.len()
        );
        assert!(!candidates(&RuleSetBuilder::new().build().unwrap(), &whole).is_empty());
        thinned_as_whole(&thinned, &whole);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        #[test]
        fn any_web_log_thins_to_the_same_findings(lines in 1usize..3000, seed: u64) {
            let (thinned, whole) = thinned_and_whole(&web_log(lines, seed));
            thinned_as_whole(&thinned, &whole);
        }
    }

    /// What the detectors read of the 404s is the same in both.
    fn thinned_as_whole(thinned: &[EvidenceLine], whole: &[EvidenceLine]) {
        let rules = RuleSetBuilder::new().build().unwrap();
        let found = candidates(&rules, whole);
        assert_eq!(candidates(&rules, thinned), found);
        // Each line left out is counted by one that is kept.
        let counted: usize = thinned.iter().map(|l| 1 + usize::from(l.stands_for)).sum();
        assert_eq!(counted, whole.len());
        // In input order, each line once.
        let key = |l: &EvidenceLine| (l.source(), l.line_no);
        assert!(thinned.windows(2).all(|w| key(&w[0]) < key(&w[1])));
        // Every process is heard from first and last at the same lines.
        let lives = |evidence: &[EvidenceLine]| {
            let found = track_processes(&rules, evidence);
            let mut lives: Vec<_> = found
                .iter()
                .flat_map(|program| &program.processes)
                .map(|p| {
                    let (first, last, lines) = (&p.first, &p.last, p.lines);
                    format!("{} {first:?} {last:?} {lines} {:?}", p.pid, p.ended)
                })
                .collect();
            lives.sort();
            lives
        };
        assert_eq!(lives(thinned), lives(whole));
    }

    #[test]
    fn a_run_of_404s_keeps_its_first_and_last_line() {
        let mut log = String::new();
        for i in 0..10 {
            log.push_str(&format!(
                "Jan 16 10:00:{i:02} web nginx[9]: 1.2.3.4 - - [16/Jan/2026:10:00:00 +0000] \"GET /x{i} HTTP/1.1\" 404 9 \"-\" \"bot\"\n"
            ));
        }
        log.push_str("Jan 16 10:00:20 web nginx[9]: connect() failed (111: Connection refused) while connecting to upstream\n");
        log.push_str("Jan 16 10:00:21 web nginx[9]: 1.2.3.4 - - [16/Jan/2026:10:00:00 +0000] \"GET /y HTTP/1.1\" 404 9 \"-\" \"bot\"\n");
        log.push_str("Jan 16 10:00:22 web nginx[9]: 1.2.3.4 - - [16/Jan/2026:10:00:00 +0000] \"GET /z HTTP/1.1\" 404 9 \"-\" \"bot\"\n");
        let (thinned, whole) = thinned_and_whole(&log);
        let lines = |e: &[EvidenceLine]| e.iter().map(|l| l.line_no).collect::<Vec<_>>();
        assert_eq!(lines(&whole), (1..=13).collect::<Vec<_>>());
        assert_eq!(lines(&thinned), [1, 10, 11, 12, 13]);
    }

    #[test]
    fn a_route_asked_again_after_a_restart_keeps_every_404_after_it() {
        let log = "\
Jan 16 10:00:00 web api[1]: INFO:     Started server process [1]
Jan 16 10:00:01 web api[1]: INFO:     1.1.1.1:5 - \"GET /old HTTP/1.1\" 404 Not Found
Jan 16 10:00:02 web api[2]: INFO:     Started server process [2]
Jan 16 10:00:03 web api[2]: INFO:     1.1.1.1:5 - \"GET /s/1 HTTP/1.1\" 404 Not Found
Jan 16 10:00:04 web api[2]: INFO:     1.1.1.1:5 - \"GET /old HTTP/1.1\" 404 Not Found
Jan 16 10:00:05 web api[2]: INFO:     1.1.1.1:5 - \"GET /once HTTP/1.1\" 404 Not Found
Jan 16 10:00:06 web api[2]: INFO:     1.1.1.1:5 - \"GET /old HTTP/1.1\" 404 Not Found
Jan 16 10:00:07 web api[2]: INFO:     1.1.1.1:5 - \"GET /s/1?x=2 HTTP/1.1\" 404 Not Found
Jan 16 10:00:08 web api[2]: INFO:     1.1.1.1:5 - \"GET /old HTTP/1.1\" 404 Not Found
";
        let (thinned, whole) = thinned_and_whole(log);
        let lines = |e: &[EvidenceLine]| e.iter().map(|l| l.line_no).collect::<Vec<_>>();
        assert_eq!(lines(&whole), (1..=9).collect::<Vec<_>>());
        // /s/1 is asked twice after the start (lines 4 and 8): both are kept. The other
        // 404s of process 2 are a run from 4 to 7 (kept: its first and last line), which
        // line 8 ends, and one of line 9; /once (6) and /old's 404 at 5 go.
        assert_eq!(lines(&thinned), [1, 2, 3, 4, 7, 8, 9]);
    }
}
