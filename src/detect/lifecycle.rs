//! Which of systemd's routine lifecycle lines are kept as evidence, decided as they are read.
//!
//! A long journal is mostly systemd starting and finishing units that do their job: a
//! timer's oneshot service (`Starting sysstat-collect.service`, `Finished …`,
//! `…: Deactivated successfully`) every few minutes, a scope per login session. Those lines
//! are start markers and clean exits of the service manager, and the restart-loop detector
//! reads them as a state machine per unit ([`super::restarts`]): a start counts as a cycle
//! only as the first start of a stretch of such lines (a start after a death, or the first
//! of all); a clean exit settles the unit, so the starts after it are no restarts; the
//! first start after a death measures uptime; the last start before a counted cycle leads
//! into it.
//!
//! So of a *run* (a manager's lines about one unit that are only starts and clean exits,
//! with no other evidence line about the unit between them) five lines say all the detector
//! reads: the first line, the first start, the first clean exit, the last start and the last
//! line. The other lines are left out; the last line counts them (`stands_for`), so a host's
//! and a process's line counts do not change. The host's and the manager's first and last
//! lines are kept, since each is the first or last line of its run.
//!
//! A run ends at any other evidence line about its unit (named by a `unit` or `process`
//! capture, the envelope's unit or the identifier, as the restart-loop detector names
//! subjects), at a line of another manager about the unit, when a line's clock goes back,
//! and at the end of a source. Sources read one after the other (rotated logs) keep their
//! order; two sources that log the same unit's lifecycle over the same hours (the same
//! journal twice) are merged by time by the detector, and a run left out of one could hide
//! a line of the other's story: such inputs double every event anyway.
//!
//! When a cause names one of these signals (by id or tag) other than as `supporting` (which
//! asks only whether one is present), every line is kept.
//!
//! Bounded: one run per unit being read, at most [`MAX_RUNS`], each holding at most two
//! lines.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use foldhash::{HashMap, HashMapExt};

use crate::evidence::EvidenceLine;
use crate::rules::{RuleSet, Severity, SignalIdx, Tag};
use crate::scan::SignalMatch;

use super::counted_by_a_cause;
use super::restarts::subject_of;

/// Runs being read at once. Past it, the half least recently continued end (a login
/// session's scope has a line or two, a timer's service goes on for the whole log).
pub const MAX_RUNS: usize = 16_384;

/// What a quiet lifecycle line says about its unit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    CleanExit,
}

/// A manager's start and clean-exit lines about one unit (see the module docs).
struct Run {
    /// The manager's PID.
    pid: Option<u32>,
    saw_start: bool,
    saw_clean_exit: bool,
    /// The latest start since the first one, unless it is `latest`.
    last_start: Option<EvidenceLine>,
    latest: Option<(EvidenceLine, Kind)>,
    latest_clock: Option<i64>,
    /// Lines left out so far.
    left_out: u32,
    /// When it was last continued: the count of quiet lines seen before that line.
    continued: u64,
}

/// Keeps the lifecycle lines the detectors need (see the module docs). Feed it every
/// evidence line in input order ([`LifecycleLines::add`]), tell it where sources end
/// ([`LifecycleLines::end_all_runs`]), then call [`LifecycleLines::finish`].
pub struct LifecycleLines {
    /// Per signal: the kind of a quiet lifecycle line, when it is one.
    kinds: Vec<Option<Kind>>,
    enabled: bool,
    hasher: FixedState,
    /// Per (host, unit): its run.
    runs: HashMap<u64, Run>,
    /// Quiet lines seen so far (the runs' clock for [`Run::continued`]).
    lines_seen: u64,
    out_of_order: bool,
}

impl LifecycleLines {
    pub fn new(rules: &RuleSet) -> Self {
        let kinds: Vec<Option<Kind>> = rules.signals.iter().map(quiet_kind).collect();
        let counted = kinds
            .iter()
            .enumerate()
            .filter(|(_, kind)| kind.is_some())
            .any(|(signal, _)| counted_by_a_cause(rules, signal as SignalIdx));
        Self {
            enabled: !counted && kinds.iter().any(Option::is_some),
            kinds,
            hasher: FixedState::default(),
            runs: HashMap::new(),
            lines_seen: 0,
            out_of_order: false,
        }
    }

    /// Takes the next evidence line: a quiet lifecycle line is kept, held or left out
    /// (`None`); any other line ends the runs of the units it names and is handed back.
    pub fn add(
        &mut self,
        line: EvidenceLine,
        evidence: &mut Vec<EvidenceLine>,
    ) -> Option<EvidenceLine> {
        if !self.enabled {
            return Some(line);
        }
        match self.quiet(&line) {
            Some((kind, unit)) => {
                self.extend_run(unit, kind, line, evidence);
                None
            }
            None => {
                if !self.runs.is_empty() {
                    self.end_runs_named_by(&line, evidence);
                }
                Some(line)
            }
        }
    }

    /// Ends every run (a source ended: no run goes on into the next): their held lines
    /// join the evidence.
    pub fn end_all_runs(&mut self, evidence: &mut Vec<EvidenceLine>) {
        let runs: Vec<Run> = self.runs.drain().map(|(_, run)| run).collect();
        for run in runs {
            self.end(run, evidence);
        }
    }

    /// Pushes the lines still held. Returns whether the evidence is out of input order
    /// (lines were pushed after lines that follow them).
    pub fn finish(&mut self, evidence: &mut Vec<EvidenceLine>) -> bool {
        self.end_all_runs(evidence);
        std::mem::take(&mut self.out_of_order)
    }

    /// A quiet lifecycle line: the manager's own, every match a start or a clean exit
    /// of one unit. Its kind and the run's key.
    fn quiet(&self, line: &EvidenceLine) -> Option<(Kind, u64)> {
        if line.origin.identifier.as_deref() != Some("systemd") {
            return None;
        }
        let mut found: Option<(Kind, u64)> = None;
        for m in line.matches.iter() {
            let kind = self.kinds[m.signal as usize]?;
            let unit = self.subject_key(line, m)?;
            match found {
                None => found = Some((kind, unit)),
                Some((k, u)) if k == kind && u == unit => {}
                Some(_) => return None,
            }
        }
        found
    }

    /// The run key of the subject a match is about, as the restart-loop detector names it;
    /// `None` when it names none.
    fn subject_key(&self, line: &EvidenceLine, m: &SignalMatch) -> Option<u64> {
        let subject = subject_of(
            line,
            m.capture("unit").or(m.capture("unit2")),
            m.capture("process"),
            m.capture("description"),
        );
        (!subject.is_empty()).then(|| self.key(line, subject))
    }

    fn key(&self, line: &EvidenceLine, subject: &str) -> u64 {
        self.hasher.hash_one((line.origin.host.as_deref(), subject))
    }

    fn extend_run(
        &mut self,
        key: u64,
        kind: Kind,
        mut line: EvidenceLine,
        evidence: &mut Vec<EvidenceLine>,
    ) {
        let clock = line.clock_us();
        if let Some(run) = self.runs.get(&key) {
            let went_back =
                matches!((run.latest_clock, clock), (Some(was), Some(now)) if now < was);
            if run.pid != line.pid || went_back || run.left_out >= u32::from(u16::MAX) - 2 {
                let run = self.runs.remove(&key).expect("looked up");
                self.end(run, evidence);
            }
        }
        if self.runs.len() >= MAX_RUNS && !self.runs.contains_key(&key) {
            self.end_stale_runs(evidence);
        }
        self.lines_seen += 1;
        let Some(run) = self.runs.get_mut(&key) else {
            let run = Run {
                pid: line.pid,
                saw_start: kind == Kind::Start,
                saw_clean_exit: kind == Kind::CleanExit,
                last_start: None,
                latest: None,
                latest_clock: clock,
                left_out: 0,
                continued: self.lines_seen,
            };
            self.runs.insert(key, run);
            return evidence.push(line);
        };
        run.latest_clock = clock.or(run.latest_clock);
        run.continued = self.lines_seen;
        // The line before this one is no longer the last: a start stays as the last start
        // so far, anything else goes.
        let replaced = match run.latest.take() {
            Some((before, Kind::Start)) => run.last_start.replace(before).is_some(),
            Some((_, Kind::CleanExit)) => true,
            None => false,
        };
        run.left_out += u32::from(replaced);
        let first_of_kind = match kind {
            Kind::Start => !std::mem::replace(&mut run.saw_start, true),
            Kind::CleanExit => !std::mem::replace(&mut run.saw_clean_exit, true),
        };
        if first_of_kind {
            // It counts the lines left out so far (an earlier start held as the last one
            // stays held).
            line.stands_for = u16::try_from(std::mem::take(&mut run.left_out)).unwrap_or(u16::MAX);
            return evidence.push(line);
        }
        if kind == Kind::Start {
            // A later start replaces the one held.
            if run.last_start.take().is_some() {
                run.left_out += 1;
            }
        }
        run.latest = Some((line, kind));
    }

    /// Ends the half of the runs continued longest ago: the run table is full.
    fn end_stale_runs(&mut self, evidence: &mut Vec<EvidenceLine>) {
        let mut when: Vec<u64> = self.runs.values().map(|run| run.continued).collect();
        let middle = when.len() / 2;
        let (_, &mut median, _) = when.select_nth_unstable(middle);
        let stale: Vec<u64> = self
            .runs
            .iter()
            .filter(|(_, run)| run.continued <= median)
            .map(|(&key, _)| key)
            .collect();
        for key in stale {
            if let Some(run) = self.runs.remove(&key) {
                self.end(run, evidence);
            }
        }
    }

    /// Any other line: the runs of every subject it names end.
    fn end_runs_named_by(&mut self, line: &EvidenceLine, evidence: &mut Vec<EvidenceLine>) {
        let mut keys: Vec<u64> = line
            .matches
            .iter()
            .filter_map(|m| self.subject_key(line, m))
            .collect();
        let plain = subject_of(line, None, None, None);
        if !plain.is_empty() {
            keys.push(self.key(line, plain));
        }
        for key in keys {
            if let Some(run) = self.runs.remove(&key) {
                self.end(run, evidence);
            }
        }
    }

    /// The run's held lines join the evidence; the last counts those left out.
    fn end(&mut self, run: Run, evidence: &mut Vec<EvidenceLine>) {
        let Run {
            last_start,
            latest,
            left_out,
            ..
        } = run;
        let mut held: Vec<EvidenceLine> = last_start.into_iter().collect();
        held.extend(latest.map(|(line, _)| line));
        if let Some(last) = held.last_mut() {
            last.stands_for = u16::try_from(left_out).unwrap_or(u16::MAX);
        }
        if !held.is_empty() {
            self.out_of_order = true;
        }
        evidence.extend(held);
    }
}

/// A signal of the manager's routine: informational, and only a start or a clean exit.
fn quiet_kind(signal: &crate::rules::Signal) -> Option<Kind> {
    if signal.severity != Severity::Info || signal.tags.is_empty() {
        return None;
    }
    if signal.tags.iter().all(|&t| t == Tag::StartMarker) {
        Some(Kind::Start)
    } else if signal.tags.iter().all(|&t| t == Tag::CleanExit) {
        Some(Kind::CleanExit)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{detect_restart_loops, track_processes};
    use crate::rules::RuleSetBuilder;

    /// Both evidences (with the filter, without); their reports must be the same.
    fn thinned_and_whole(log: &str) -> (Vec<EvidenceLine>, Vec<EvidenceLine>) {
        crate::detect::thinned_and_whole(log, &["tag:start-marker"])
    }

    /// A journal of a few units on one host: timers that finish cleanly, services that
    /// fail and are restarted (with and without systemd's restart lines), deliberate
    /// restarts, a user manager, and the services' own lines. Deterministic.
    fn unit_log(lines: usize, seed: u64) -> String {
        let mut next = crate::detect::xorshift(seed);
        let units = ["api", "worker", "backup", "sysstat-collect"];
        let mut log = String::new();
        let mut clock = 0u64;
        let mut pid = 1000;
        while log.lines().count() < lines {
            clock += next() % 20;
            let (h, m, s) = (8 + clock / 3600, clock / 60 % 60, clock % 60);
            let stamp = format!("Jan 16 {h:02}:{m:02}:{s:02} web");
            let unit = units[(next() % 4) as usize];
            let manager = if next() % 10 == 0 { 1234 } else { 1 };
            let sd = format!("{stamp} systemd[{manager}]:");
            let text = match next() % 12 {
                0..=2 => format!(
                    "{sd} Starting {unit}.service - {unit} job...\n\
                     {sd} Finished {unit}.service - {unit} job.\n\
                     {sd} {unit}.service: Deactivated successfully.\n"
                ),
                3 | 4 => format!("{sd} Started {unit}.service - {unit} service.\n"),
                5 => format!("{sd} {unit}.service: Deactivated successfully.\n"),
                6 => format!(
                    "{sd} {unit}.service: Main process exited, code=exited, status=1/FAILURE\n\
                     {sd} {unit}.service: Failed with result 'exit-code'.\n"
                ),
                // Only one unit's restarts are announced: the others' cycles are counted
                // from their starts.
                7 => format!(
                    "{sd} worker.service: Scheduled restart job, restart counter is at {}.\n",
                    next() % 9 + 1
                ),
                8 => format!(
                    "{sd} Stopping {unit}.service - {unit} service...\n\
                     {sd} Stopped {unit}.service - {unit} service.\n"
                ),
                9 => {
                    pid += 1;
                    format!("{stamp} {unit}[{pid}]: ERROR: cannot reach the database\n")
                }
                10 => format!(
                    "{sd} Started session-{}.scope - Session of User deploy.\n",
                    next() % 50
                ),
                _ => format!("{stamp} kernel: Out of memory: Killed process {pid} ({unit})\n"),
            };
            log.push_str(&text);
        }
        log
    }

    /// What the detectors read of the lifecycle lines is the same in both.
    fn thinned_as_whole(thinned: &[EvidenceLine], whole: &[EvidenceLine]) {
        let rules = RuleSetBuilder::new().build().unwrap();
        let loops = |evidence: &[EvidenceLine]| {
            detect_restart_loops(&rules, evidence)
                .into_iter()
                .map(|l| (serde_json::to_string(&l).unwrap(), l.cycle_lines))
                .collect::<Vec<_>>()
        };
        assert_eq!(loops(thinned), loops(whole));
        let lives = |evidence: &[EvidenceLine]| {
            let found = track_processes(&rules, evidence);
            serde_json::to_string(&found).unwrap()
        };
        assert_eq!(lives(thinned), lives(whole));
        let counted: usize = thinned.iter().map(|l| 1 + usize::from(l.stands_for)).sum();
        assert_eq!(counted, whole.len());
        let key = |l: &EvidenceLine| (l.source(), l.line_no);
        assert!(thinned.windows(2).all(|w| key(&w[0]) < key(&w[1])));
        let span = |e: &[EvidenceLine]| {
            let times = e.iter().filter_map(EvidenceLine::clock_us);
            (times.clone().min(), times.max())
        };
        assert_eq!(span(thinned), span(whole));
    }

    #[test]
    fn thinned_lifecycle_lines_leave_the_loops_and_processes_as_they_were() {
        let (thinned, whole) = thinned_and_whole(&unit_log(6000, 0x9e37_79b9_7f4a_7c15));
        assert!(
            thinned.len() * 10 < whole.len() * 9,
            "{} of {}",
            thinned.len(),
            whole.len()
        );
        assert!(!detect_restart_loops(&RuleSetBuilder::new().build().unwrap(), &whole).is_empty());
        thinned_as_whole(&thinned, &whole);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        #[test]
        fn any_unit_log_thins_to_the_same_loops(lines in 1usize..1500, seed: u64) {
            let (thinned, whole) = thinned_and_whole(&unit_log(lines, seed));
            thinned_as_whole(&thinned, &whole);
        }
    }

    #[test]
    fn a_timer_keeps_its_first_start_and_clean_exit_and_its_last_lines() {
        let mut log = String::new();
        for minute in 0..5 {
            log.push_str(&format!(
                "Jan 16 10:{minute:02}:00 web systemd[1]: Starting sysstat-collect.service - accounting...\n\
                 Jan 16 10:{minute:02}:01 web systemd[1]: Finished sysstat-collect.service - accounting.\n\
                 Jan 16 10:{minute:02}:01 web systemd[1]: sysstat-collect.service: Deactivated successfully.\n"
            ));
        }
        let (thinned, whole) = thinned_and_whole(&log);
        let lines = |e: &[EvidenceLine]| e.iter().map(|l| l.line_no).collect::<Vec<_>>();
        assert_eq!(lines(&whole), (1..=15).collect::<Vec<_>>());
        // The first start and clean exit, the last start, the last line (standing for 10).
        assert_eq!(lines(&thinned), [1, 2, 13, 15]);
        assert_eq!(thinned[3].stands_for, 11);
    }
}
