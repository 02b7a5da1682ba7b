//! Live analysis (`--follow`): findings reported as soon as their evidence suffices, on
//! endless input, with bounded memory.
//!
//! A [`Follower`] takes whole lines as they arrive ([`Follower::feed`]), scans them with the
//! analyzer's scanner, and keeps the evidence of a sliding *window*: evidence older than
//! [`FollowOptions::window`] (by the logs' own timestamps, measured back from the newest
//! one seen) ages out, and at most [`FollowOptions::max_evidence`] lines are kept whatever
//! their times (lines without a timestamp age out by that count only). Each call to
//! [`Follower::alerts`] re-runs the detectors and the classifier over the window when new
//! evidence arrived and returns what changed, judged by [`changes`]:
//!
//! - a new finding at once (a bind error needs one line);
//! - a restart loop once it has three restarts (or hit the start limit), judged on the
//!   logs' timestamps like any loop;
//! - again when a finding or loop changes materially: its count reaches the next step of
//!   3, 10, 30, 100, …; its severity changes; a consequence (start limit hit) joins it; its
//!   confidence rises by 0.15 or more;
//! - a withdrawal when a finding raised earlier is no longer supported although its first
//!   evidence line is still in the window (contradicting evidence arrived: the database
//!   did start after the "another postmaster" hint).
//!
//! [`Follower::summary`] is the report at the end (end of input or Ctrl-C): the diagnosis
//! of the window, plus the last state of every finding raised earlier whose evidence has
//! aged out since.
//!
//! Reading is separate ([`live`]): one thread per source hands whole lines over a bounded
//! channel, so a slow analysis holds the producer back instead of buffering without end.

pub mod changes;
pub mod live;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use crate::engine::Analyzer;
use crate::evidence::{EvidenceBuilder, EvidenceLine};
use crate::input::InputError;
use crate::record::EnvelopeParser;
use crate::report::{Report, SourceSummary};

pub use changes::{Alert, AlertKind, AlertStatus, AlertTracker};
pub use live::{spawn_reader, FileTail, LiveEvent};

/// How long the follow loop waits for input before checking whether it was told to stop.
const STOP_POLL: Duration = Duration::from_millis(100);
/// Bytes taken from the channel at most before the window is diagnosed again, so a fast
/// producer is analysed in batches and a slow one line by line.
const BATCH_BYTES: usize = 8 << 20;

/// Default window: evidence this much older (log time) than the newest line ages out.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(3600);
/// Default cap on the evidence lines kept, whatever their times.
pub const DEFAULT_MAX_EVIDENCE: usize = 20_000;

/// How a live analysis bounds its memory.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    /// Evidence older than the newest timestamp seen minus this ages out.
    pub window: Duration,
    /// At most this many evidence lines are kept; the oldest go first.
    pub max_evidence: usize,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            window: DEFAULT_WINDOW,
            max_evidence: DEFAULT_MAX_EVIDENCE,
        }
    }
}

impl FollowOptions {
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    pub fn max_evidence(mut self, lines: usize) -> Self {
        self.max_evidence = lines.max(1);
        self
    }
}

/// One source being followed.
struct LiveSource {
    builder: EvidenceBuilder,
    /// Line number of the next line fed.
    next_line: u64,
    /// The last byte fed was not a newline (a line is open).
    line_open: bool,
}

/// The state of a live analysis (see the module docs).
pub struct Follower<'a> {
    analyzer: &'a Analyzer,
    options: FollowOptions,
    names: Vec<String>,
    sources: Vec<LiveSource>,
    summaries: Vec<SourceSummary>,
    evidence: VecDeque<EvidenceLine>,
    /// The newest log timestamp seen, in µs since the epoch.
    newest_us: Option<i64>,
    /// Evidence arrived since the last diagnosis.
    dirty: bool,
    diagnosis: Report,
    tracker: AlertTracker,
    errors: Vec<String>,
    notes: Vec<String>,
    /// Evidence lines dropped from the window so far.
    aged_out: u64,
    /// More than one host has been seen (alerts then name their host).
    several_hosts: bool,
}

impl<'a> Follower<'a> {
    pub fn new(analyzer: &'a Analyzer, options: FollowOptions) -> Self {
        Self {
            analyzer,
            options,
            names: Vec::new(),
            sources: Vec::new(),
            summaries: Vec::new(),
            evidence: VecDeque::new(),
            newest_us: None,
            dirty: false,
            diagnosis: Report::new(),
            tracker: AlertTracker::default(),
            errors: Vec::new(),
            notes: Vec::new(),
            aged_out: 0,
            several_hosts: false,
        }
    }

    /// Registers a source; returns its index for [`Follower::feed`].
    pub fn add_source(&mut self, name: &str) -> usize {
        let mut parser = EnvelopeParser::new();
        if let Some(year) = self.analyzer.options().reference_year {
            parser = parser.with_reference_year(year);
        }
        self.names.push(name.to_string());
        self.sources.push(LiveSource {
            // The window bounds the evidence kept; a temporary file of texts would only
            // grow for as long as the follow runs.
            builder: EvidenceBuilder::new(parser).with_text_budget(usize::MAX),
            next_line: 1,
            line_open: false,
        });
        self.summaries.push(SourceSummary {
            name: name.to_string(),
            lines: 0,
            matched_lines: 0,
            error: None,
        });
        self.names.len() - 1
    }

    /// Scans the next bytes of a source. `bytes` should end at a line end; a last line
    /// without one counts as a line (the end of the input).
    pub fn feed(&mut self, source: usize, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let state = &mut self.sources[source];
        let (mut hits, newlines) = self.analyzer.scanner().scan(bytes, state.next_line);
        state.next_line += newlines;
        state.line_open = !bytes.ends_with(b"\n");
        let summary = &mut self.summaries[source];
        summary.lines = state.next_line - 1 + u64::from(state.line_open);
        summary.matched_lines += hits.len() as u64;
        if hits.is_empty() {
            return;
        }
        for (hit, text) in hits.drain() {
            let line = state.builder.line(source, hit, text);
            if let Some(ts) = line.timestamp_us.get() {
                self.newest_us = Some(self.newest_us.map_or(ts, |n| n.max(ts)));
            }
            self.evidence.push_back(line);
        }
        self.dirty = true;
        self.age_out();
    }

    /// Records a source's read error (reported in the summary; the run exits with 2).
    pub fn record_error(&mut self, source: usize, error: InputError) {
        let text = error.to_string();
        if error.is_error() {
            self.summaries[source].error = Some(text.clone());
            self.errors.push(text);
        } else {
            self.notes.push(text);
        }
    }

    /// Drops evidence older than the window and beyond the line cap.
    fn age_out(&mut self) {
        let horizon = self.newest_us.map(|newest| {
            newest
                .saturating_sub(i64::try_from(self.options.window.as_micros()).unwrap_or(i64::MAX))
        });
        while let Some(front) = self.evidence.front() {
            let too_old =
                matches!((front.timestamp_us.get(), horizon), (Some(ts), Some(h)) if ts < h);
            if !too_old && self.evidence.len() <= self.options.max_evidence {
                break;
            }
            self.evidence.pop_front();
            self.aged_out += 1;
        }
    }

    /// Diagnoses the window if evidence arrived, and returns what is new or changed since
    /// the last call.
    pub fn alerts(&mut self) -> Vec<Alert> {
        if !self.dirty {
            return Vec::new();
        }
        self.dirty = false;
        let evidence = self.evidence.make_contiguous();
        self.diagnosis = self.analyzer.diagnose(evidence, &self.names);
        let window_start = window_start(&self.evidence, &self.names);
        let in_window =
            |source: &str, line: u64| window_start.get(source).is_some_and(|&start| line >= start);
        let mut alerts = self.tracker.update(&self.diagnosis, &in_window);
        let log_time = self.newest_us.map(crate::detect::format_time);
        self.several_hosts |= self.diagnosis.several_hosts();
        for alert in &mut alerts {
            alert.log_time.clone_from(&log_time);
            alert.several_hosts = self.several_hosts;
        }
        alerts
    }

    /// The report at the end: the window's diagnosis, plus the last state of findings
    /// raised earlier whose evidence has aged out.
    pub fn summary(&mut self) -> Report {
        if self.dirty {
            // Whatever the caller did not ask alerts for yet.
            let _ = self.alerts();
        }
        let mut report = self.diagnosis.clone();
        let aged_out = self.tracker.aged_out(&report);
        if !aged_out.is_empty() {
            report.findings.extend(aged_out);
            report.summarize_hosts();
        }
        report.sources = self.summaries.clone();
        report.errors = self.errors.clone();
        report.notes = self.notes.clone();
        if self.aged_out > 0 {
            report.notes.push(format!(
                "{} evidence lines aged out of the follow window; findings raised from them are kept",
                self.aged_out
            ));
        }
        report
    }

    /// Applies one event from a reader thread.
    pub fn apply(&mut self, event: LiveEvent) {
        match event {
            LiveEvent::Lines { source, bytes } => self.feed(source, &bytes),
            LiveEvent::Failed { source, error } => self.record_error(source, error),
            LiveEvent::Ended { .. } => {}
        }
    }

    /// Follows until every reader has ended (all senders dropped) or `stop` is set:
    /// applies events as they come, diagnoses after each batch, and hands the alerts to
    /// `emit` at once. An error from `emit` (a closed stdout) ends the loop with it.
    pub fn run<E>(
        &mut self,
        events: &Receiver<LiveEvent>,
        stop: &AtomicBool,
        mut emit: impl FnMut(&[Alert]) -> Result<(), E>,
    ) -> Result<(), E> {
        while !stop.load(Ordering::Relaxed) {
            let first = match events.recv_timeout(STOP_POLL) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut taken = first.len();
            self.apply(first);
            while taken < BATCH_BYTES {
                match events.try_recv() {
                    Ok(event) => {
                        taken += event.len().max(1);
                        self.apply(event);
                    }
                    Err(_) => break,
                }
            }
            let alerts = self.alerts();
            if !alerts.is_empty() {
                emit(&alerts)?;
            }
        }
        Ok(())
    }

    /// Evidence lines currently kept.
    pub fn window_len(&self) -> usize {
        self.evidence.len()
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The first line number still in the window, per source name (sources with no evidence
/// in the window are absent).
fn window_start<'n>(
    evidence: &VecDeque<EvidenceLine>,
    names: &'n [String],
) -> HashMap<&'n str, u64> {
    let mut start = HashMap::new();
    for line in evidence {
        if let Some(name) = names.get(line.source()) {
            start.entry(name.as_str()).or_insert(line.line_no);
        }
        if start.len() == names.len() {
            break;
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::AnalyzeOptions;
    use crate::rules::RuleSetBuilder;

    fn analyzer() -> Analyzer {
        let options = AnalyzeOptions {
            reference_year: Some(2026),
            ..AnalyzeOptions::default()
        };
        Analyzer::new(RuleSetBuilder::new().build().unwrap()).with_options(options)
    }

    fn bind_error(time: &str, pid: u32) -> String {
        format!(
            "Jan 16 {time} web uvicorn[{pid}]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use\n"
        )
    }

    fn causes(alerts: &[Alert]) -> Vec<(AlertStatus, String)> {
        alerts
            .iter()
            .map(|a| match &a.kind {
                AlertKind::Finding(f) => (a.status, f.cause.clone()),
                AlertKind::RestartLoop(l) => (a.status, format!("loop {}", l.unit)),
            })
            .collect()
    }

    #[test]
    fn a_bind_error_is_reported_at_once_and_again_only_when_it_grows() {
        let analyzer = analyzer();
        let mut follower = Follower::new(&analyzer, FollowOptions::default());
        let source = follower.add_source("-");
        follower.feed(source, bind_error("12:00:00", 10).as_bytes());
        let first = follower.alerts();
        assert_eq!(
            causes(&first),
            vec![(AlertStatus::New, "port-conflict".to_string())]
        );
        assert_eq!(first[0].log_time.as_deref(), Some("2026-01-16T12:00:00Z"));
        follower.feed(source, bind_error("12:00:14", 11).as_bytes());
        assert!(follower.alerts().is_empty(), "2 lines is not news");
        follower.feed(source, bind_error("12:00:28", 12).as_bytes());
        let third = follower.alerts();
        assert_eq!(third.len(), 1);
        assert_eq!(third[0].status, AlertStatus::Changed);
        assert_eq!(third[0].changes, vec!["evidence lines 1 -> 3".to_string()]);
        assert!(follower.alerts().is_empty(), "nothing new arrived");
    }

    #[test]
    fn each_host_gets_its_own_alert_and_the_text_names_the_host() {
        let analyzer = analyzer();
        let mut follower = Follower::new(&analyzer, FollowOptions::default());
        let source = follower.add_source("-");
        follower.feed(source, bind_error("12:00:00", 10).as_bytes());
        let first = follower.alerts();
        assert_eq!(first.len(), 1);
        let text = crate::report::render_alert(&first[0], Default::default());
        assert!(!text.contains("web  "), "one host: no host column: {text}");
        let other = bind_error("12:00:05", 10).replace(" web ", " web-02 ");
        follower.feed(source, other.as_bytes());
        let second = follower.alerts();
        assert_eq!(
            causes(&second),
            vec![(AlertStatus::New, "port-conflict".to_string())],
            "web's finding is unchanged; web-02's is new"
        );
        let text = crate::report::render_alert(&second[0], Default::default());
        assert!(text.contains("  new  web-02  ERROR "), "{text}");
        let summary = follower.summary();
        let hosts: Vec<&str> = summary.hosts.iter().map(|h| h.name()).collect();
        assert_eq!(hosts, vec!["web", "web-02"]);
    }

    #[test]
    fn a_contradicted_finding_is_withdrawn() {
        let analyzer = analyzer();
        let mut follower = Follower::new(&analyzer, FollowOptions::default());
        let source = follower.add_source("postgres.log");
        follower.feed(
            source,
            b"2024-02-02 10:00:00.000 UTC [1] LOG:  could not bind IPv4 address \"10.0.0.5\": Cannot assign requested address\n",
        );
        let raised = follower.alerts();
        assert_eq!(
            causes(&raised),
            vec![(AlertStatus::New, "bind-address-unavailable".to_string())]
        );
        follower.feed(
            source,
            b"2024-02-02 10:00:01.000 UTC [1] LOG:  database system is ready to accept connections\n",
        );
        let withdrawn = follower.alerts();
        assert_eq!(
            causes(&withdrawn),
            vec![(
                AlertStatus::Withdrawn,
                "bind-address-unavailable".to_string()
            )]
        );
        assert!(follower.summary().findings.is_empty());
    }

    #[test]
    fn old_evidence_ages_out_but_its_finding_stays_in_the_summary() {
        let analyzer = analyzer();
        let options = FollowOptions::default().window(Duration::from_secs(600));
        let mut follower = Follower::new(&analyzer, options);
        let source = follower.add_source("-");
        follower.feed(source, bind_error("10:00:00", 10).as_bytes());
        assert_eq!(follower.alerts().len(), 1);
        // Two hours later, other evidence: the bind error is out of the 10-minute window.
        follower.feed(
            source,
            b"Jan 16 12:00:00 web kernel: Out of memory: Killed process 4242 (python3) total-vm:1000kB, anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:10kB oom_score_adj:0\n",
        );
        let later = follower.alerts();
        assert_eq!(follower.window_len(), 1);
        assert!(
            later.iter().all(|a| a.status != AlertStatus::Withdrawn),
            "aged out is not withdrawn: {later:?}"
        );
        let summary = follower.summary();
        let summary_causes: Vec<&str> = summary.findings.iter().map(|f| f.cause.as_str()).collect();
        assert!(
            summary_causes.contains(&"port-conflict"),
            "{summary_causes:?}"
        );
        assert!(summary_causes.contains(&"oom-kill"), "{summary_causes:?}");
        assert!(summary.notes.iter().any(|n| n.contains("aged out")));
    }

    #[test]
    fn the_window_holds_at_most_max_evidence_lines() {
        let analyzer = analyzer();
        let options = FollowOptions::default().max_evidence(50);
        let mut follower = Follower::new(&analyzer, options);
        let source = follower.add_source("-");
        let mut batch = String::new();
        for i in 0..1000 {
            // Lines without a timestamp age out by count only.
            batch.push_str(&format!(
                "OSError: [Errno 98] Address already in use (attempt {i})\n"
            ));
        }
        follower.feed(source, batch.as_bytes());
        assert_eq!(follower.window_len(), 50);
        let alerts = follower.alerts();
        assert_eq!(causes(&alerts)[0].1, "port-conflict");
        assert_eq!(follower.summary().sources[0].lines, 1000);
    }
}
