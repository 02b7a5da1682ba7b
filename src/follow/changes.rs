//! What counts as news in a live analysis: new findings and restart loops, material changes
//! to ones already reported, and findings withdrawn by later evidence.
//!
//! [`AlertTracker`] remembers what was last reported for each finding (keyed by cause, unit
//! and host) and each restart loop (keyed by unit and host), and compares every new diagnosis with it.
//! Counts are judged in steps (1, 3, 10, 30, 100, …), so a loop that goes from 3 restarts
//! to 4 is not news but one that reaches 10 is. The tracker holds at most
//! [`MAX_TRACKED`] entries; beyond that the one reported longest ago is forgotten.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::classify::Finding;
use crate::detect::RestartLoop;
use crate::report::Report;
use crate::rules::Severity;

/// A restart loop is reported once it has this many restarts (or hit the start limit).
pub const LOOP_ALERT_RESTARTS: usize = 3;
/// A finding is reported again when its confidence rises by at least this much.
pub const CONFIDENCE_STEP: f64 = 0.15;
/// Findings and loops remembered at most.
pub const MAX_TRACKED: usize = 10_000;

/// Whether an alert is about something new, a change, or a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    New,
    Changed,
    Withdrawn,
}

/// What an alert is about, in its current state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    Finding(Finding),
    RestartLoop(RestartLoop),
}

/// One report made while following.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub status: AlertStatus,
    /// What changed since the last report ("restarts 3 -> 10"); empty for new ones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// The newest log timestamp seen when the alert was made (ISO 8601, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_time: Option<String>,
    #[serde(flatten)]
    pub kind: AlertKind,
    /// The analysis has seen more than one host, so the text alert names the host (the
    /// JSON object always carries it).
    #[serde(skip)]
    pub several_hosts: bool,
}

impl Alert {
    /// A new alert about `kind`, with no log time.
    pub fn new(kind: AlertKind) -> Self {
        Self {
            status: AlertStatus::New,
            changes: Vec::new(),
            log_time: None,
            kind,
            several_hosts: false,
        }
    }

    /// An alert about a change, or none when nothing changed.
    fn changed(changes: Vec<String>, kind: AlertKind) -> Option<Self> {
        (!changes.is_empty()).then_some(Self {
            status: AlertStatus::Changed,
            changes,
            log_time: None,
            kind,
            several_hosts: false,
        })
    }
}

/// The state last reported for one finding or loop.
struct Reported {
    /// When it was first reported, for forgetting the oldest.
    seq: u64,
    /// The count last reported (evidence lines or restarts) and its step.
    count: u64,
    count_step: usize,
    severity: Severity,
    confidence: f64,
    consequences: Vec<String>,
    start_limit_hit: bool,
    /// The finding's first evidence line (source, line), to tell withdrawal from ageing.
    first: Option<(String, u64)>,
    /// The last reported finding, kept for the summary once its evidence ages out.
    finding: Option<Finding>,
}

impl Reported {
    /// "what 3 -> 10" when `count` reached a higher step than the count last reported.
    fn count_change(&mut self, what: &str, count: u64) -> Option<String> {
        let step = count_step(count);
        if step <= self.count_step {
            return None;
        }
        let change = format!("{what} {} -> {count}", self.count);
        self.count = count;
        self.count_step = step;
        Some(change)
    }
}

/// Remembers what was reported (see the module docs).
#[derive(Default)]
pub struct AlertTracker {
    reported: HashMap<String, Reported>,
    next_seq: u64,
}

/// The step a count has reached: 0 below 1, then 1 for 1-2, 2 for 3-9, 3 for 10-29, …
pub fn count_step(count: u64) -> usize {
    let mut step = 0;
    let mut threshold = 1u64;
    let mut times_three = true;
    while count >= threshold {
        step += 1;
        threshold = if times_three {
            threshold.saturating_mul(3)
        } else {
            threshold.saturating_mul(10) / 3
        };
        times_three = !times_three;
        if threshold == u64::MAX {
            break;
        }
    }
    step
}

fn finding_key(finding: &Finding) -> String {
    format!(
        "finding\u{0}{}\u{0}{}\u{0}{}",
        finding.cause,
        finding.unit.as_deref().unwrap_or(""),
        finding.host.as_deref().unwrap_or("")
    )
}

fn loop_key(looped: &RestartLoop) -> String {
    format!(
        "loop\u{0}{}\u{0}{}",
        looped.unit,
        looped.host.as_deref().unwrap_or("")
    )
}

fn consequences_of(finding: &Finding) -> Vec<String> {
    let mut causes: Vec<String> = finding
        .consequences
        .iter()
        .map(|c| c.cause.clone())
        .collect();
    causes.sort();
    causes
}

impl AlertTracker {
    /// Compares a diagnosis with what was reported; `in_window(source, line)` says whether
    /// an evidence line is still in the window. Returns the alerts, findings first.
    pub fn update(
        &mut self,
        diagnosis: &Report,
        in_window: &dyn Fn(&str, u64) -> bool,
    ) -> Vec<Alert> {
        let mut alerts = Vec::new();
        let mut present = HashSet::new();
        for finding in &diagnosis.findings {
            present.insert(finding_key(finding));
            for consequence in &finding.consequences {
                present.insert(finding_key(consequence));
            }
            if let Some(alert) = self.judge_finding(finding) {
                alerts.push(alert);
            }
        }
        for looped in &diagnosis.restart_loops {
            if let Some(alert) = self.judge_loop(looped) {
                alerts.push(alert);
            }
        }
        let withdrawn: Vec<String> = self
            .reported
            .iter()
            .filter(|(key, reported)| {
                reported.finding.is_some()
                    && !present.contains(*key)
                    && reported
                        .first
                        .as_ref()
                        .is_some_and(|(source, line)| in_window(source, *line))
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in withdrawn {
            if let Some(finding) = self.reported.remove(&key).and_then(|r| r.finding) {
                alerts.push(Alert {
                    status: AlertStatus::Withdrawn,
                    changes: vec!["no longer supported by the evidence".to_string()],
                    log_time: None,
                    kind: AlertKind::Finding(finding),
                    several_hosts: false,
                });
            }
        }
        alerts
    }

    /// Findings reported earlier and missing from `report` (their evidence aged out), in
    /// the order they were first reported.
    pub fn aged_out(&self, report: &Report) -> Vec<Finding> {
        let mut present = HashSet::new();
        for finding in &report.findings {
            present.insert(finding_key(finding));
            for consequence in &finding.consequences {
                present.insert(finding_key(consequence));
            }
        }
        let mut gone: Vec<(&u64, &Finding)> = self
            .reported
            .iter()
            .filter(|(key, _)| !present.contains(*key))
            .filter_map(|(_, r)| r.finding.as_ref().map(|f| (&r.seq, f)))
            .collect();
        gone.sort_by_key(|(seq, _)| **seq);
        gone.into_iter().map(|(_, f)| f.clone()).collect()
    }

    fn judge_finding(&mut self, finding: &Finding) -> Option<Alert> {
        let key = finding_key(finding);
        let step = count_step(finding.occurrences as u64);
        let consequences = consequences_of(finding);
        let Some(reported) = self.reported.get_mut(&key) else {
            let first = finding.evidence.first().map(|c| (c.source.clone(), c.line));
            self.remember(
                key,
                Reported {
                    seq: 0,
                    count: finding.occurrences as u64,
                    count_step: step,
                    severity: finding.severity,
                    confidence: finding.confidence,
                    consequences,
                    start_limit_hit: false,
                    first,
                    finding: Some(finding.clone()),
                },
            );
            return Some(Alert::new(AlertKind::Finding(finding.clone())));
        };
        let mut changes: Vec<String> = reported
            .count_change("evidence lines", finding.occurrences as u64)
            .into_iter()
            .collect();
        if finding.severity != reported.severity {
            changes.push(format!(
                "severity {} -> {}",
                reported.severity.as_str(),
                finding.severity.as_str()
            ));
            reported.severity = finding.severity;
        }
        for cause in &consequences {
            if !reported.consequences.contains(cause) {
                changes.push(format!("now also {cause}"));
            }
        }
        reported.consequences = consequences;
        if finding.confidence >= reported.confidence + CONFIDENCE_STEP {
            changes.push(format!(
                "confidence {:.2} -> {:.2}",
                reported.confidence, finding.confidence
            ));
            reported.confidence = finding.confidence;
        }
        reported.finding = Some(finding.clone());
        Alert::changed(changes, AlertKind::Finding(finding.clone()))
    }

    fn judge_loop(&mut self, looped: &RestartLoop) -> Option<Alert> {
        if looped.restarts < LOOP_ALERT_RESTARTS && !looped.start_limit_hit {
            return None;
        }
        let key = loop_key(looped);
        let step = count_step(looped.restarts as u64);
        let Some(reported) = self.reported.get_mut(&key) else {
            self.remember(
                key,
                Reported {
                    seq: 0,
                    count: looped.restarts as u64,
                    count_step: step,
                    severity: Severity::Info,
                    confidence: 1.0,
                    consequences: Vec::new(),
                    start_limit_hit: looped.start_limit_hit,
                    first: None,
                    finding: None,
                },
            );
            return Some(Alert::new(AlertKind::RestartLoop(looped.clone())));
        };
        let mut changes: Vec<String> = reported
            .count_change("restarts", looped.restarts as u64)
            .into_iter()
            .collect();
        if looped.start_limit_hit && !reported.start_limit_hit {
            changes.push("start limit hit".to_string());
            reported.start_limit_hit = true;
        }
        Alert::changed(changes, AlertKind::RestartLoop(looped.clone()))
    }

    fn remember(&mut self, key: String, mut reported: Reported) {
        if self.reported.len() >= MAX_TRACKED {
            if let Some(oldest) = self
                .reported
                .iter()
                .min_by_key(|(_, r)| r.seq)
                .map(|(k, _)| k.clone())
            {
                self.reported.remove(&oldest);
            }
        }
        reported.seq = self.next_seq;
        self.next_seq += 1;
        self.reported.insert(key, reported);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_step_at_one_three_ten_thirty() {
        let steps: Vec<usize> = [0, 1, 2, 3, 9, 10, 29, 30, 99, 100, 300, 1000]
            .iter()
            .map(|&n| count_step(n))
            .collect();
        assert_eq!(steps, vec![0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7]);
        assert!(count_step(u64::MAX) > 30);
    }
}
