//! The report: one plain serializable value, and its renderers (text, JSON, Markdown).
//!
//! Output is deterministic: no wall-clock times, stable ordering.

mod escape;
mod hosts;
mod markdown;
mod text;

pub use escape::escape_control;
pub use hosts::{describe_across_hosts, host_name, HostSummary, SharedCause, UNKNOWN_HOST};
pub use markdown::render_markdown;
pub use text::{render_alert, render_text, TextOptions};

use serde::Serialize;

use crate::classify::Finding;
use crate::detect::{ProgramProcesses, RestartLoop, Traceback};
use crate::rules::Severity;

/// Version of the JSON schema (`version` field).
pub const SCHEMA_VERSION: u32 = 1;

/// What was read from one source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    pub name: String,
    pub lines: u64,
    /// Lines that matched a signal.
    pub matched_lines: u64,
    /// Set when the source could not be read completely.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The result of one analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub version: u32,
    pub findings: Vec<Finding>,
    pub restart_loops: Vec<RestartLoop>,
    /// PIDs per program, with how each ended.
    pub processes: Vec<ProgramProcesses>,
    /// Stack traces, one per fingerprint, with how often each was seen.
    pub tracebacks: Vec<Traceback>,
    /// Per host, what was found on it (most troubled first); empty when the logs name no
    /// host.
    pub hosts: Vec<HostSummary>,
    /// Causes found on two or more hosts.
    pub shared_causes: Vec<SharedCause>,
    pub sources: Vec<SourceSummary>,
    /// `source: problem` for every source that failed (the run exits with 2).
    pub errors: Vec<String>,
    /// Things worth knowing that are not errors (binary files skipped, ...).
    pub notes: Vec<String>,
}

impl Report {
    pub fn new() -> Self {
        Self {
            version: SCHEMA_VERSION,
            findings: Vec::new(),
            restart_loops: Vec::new(),
            processes: Vec::new(),
            tracebacks: Vec::new(),
            hosts: Vec::new(),
            shared_causes: Vec::new(),
            sources: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The most severe finding's severity.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Total lines read.
    pub fn total_lines(&self) -> u64 {
        self.sources.iter().map(|s| s.lines).sum()
    }

    /// The report as one line of JSON, tagged `"event": "summary"` (the last line of
    /// `--format ndjson`).
    pub fn to_ndjson_summary(&self) -> String {
        #[derive(Serialize)]
        struct Summary<'a> {
            event: &'static str,
            #[serde(flatten)]
            report: &'a Report,
        }
        let line = Summary {
            event: "summary",
            report: self,
        };
        serde_json::to_string(&line).expect("a report always serializes") + "\n"
    }

    /// The report as pretty JSON (always valid UTF-8: log bytes were decoded lossily).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes") + "\n"
    }
}

impl Default for Report {
    fn default() -> Self {
        Self::new()
    }
}

/// An alert as one line of JSON, tagged `"event": "alert"` (`--format ndjson`).
pub fn alert_to_ndjson(alert: &crate::follow::Alert) -> String {
    #[derive(Serialize)]
    struct Event<'a> {
        event: &'static str,
        #[serde(flatten)]
        alert: &'a crate::follow::Alert,
    }
    let line = Event {
        event: "alert",
        alert,
    };
    serde_json::to_string(&line).expect("an alert always serializes") + "\n"
}

/// Output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
    Markdown,
    /// One JSON object per line: alerts as they happen, then the summary.
    Ndjson,
}

/// "1 finding" / "3 findings".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "every 14.2 s ± 0.4 s" and friends, shared by the text and Markdown renderers.
pub(crate) fn describe_period(looped: &RestartLoop) -> String {
    if let (crate::detect::LoopPattern::Backoff, Some((first, last))) =
        (looped.pattern, looped.intervals_s)
    {
        return format!("backing off from {} to {}", seconds(first), seconds(last));
    }
    match (looped.period_s, looped.jitter_s) {
        (Some(p), Some(j)) if j > 0.0 => format!("every {} ± {}", seconds(p), seconds(j)),
        (Some(p), _) => format!("every {}", seconds(p)),
        _ => "period unknown".to_string(),
    }
}

/// The loop's timeline as a sparkline (`▂▂█▄`): one block per slice of time, its height the
/// restarts in that slice relative to the busiest one; an empty slice is `▁`.
pub(crate) fn sparkline(buckets: &[u32]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = buckets.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return String::new();
    }
    buckets
        .iter()
        .map(|&n| match n {
            0 => BARS[0],
            n => BARS[(n as usize * 7).div_ceil(max as usize)],
        })
        .collect()
}

/// "11 of 12 cycles end with" / "every cycle ends with".
pub(crate) fn describe_consistency(last: &crate::detect::LastError) -> String {
    if last.cycles == last.of && last.of > 1 {
        format!("all {} cycles end with", last.of)
    } else if last.of == 1 {
        "the cycle ends with".to_string()
    } else {
        format!("{} of {} cycles end with", last.cycles, last.of)
    }
}

/// Seconds with a sensible precision: `0.25 s`, `14.2 s`, `5 min 3 s`.
pub(crate) fn seconds(s: f64) -> String {
    if s >= 120.0 {
        let total = s.round() as u64;
        format!("{} min {} s", total / 60, total % 60)
    } else if s >= 10.0 {
        format!("{s:.1} s")
    } else if s >= 1.0 {
        format!("{:.2} s", s).replace(".00 s", " s")
    } else {
        format!("{s:.3} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_busiest_slice() {
        assert_eq!(sparkline(&[0, 1, 4, 2]), "▁▃█▅");
        assert_eq!(sparkline(&[2, 2, 2]), "███");
        assert_eq!(sparkline(&[1, 1]), "██");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[0, 0]), "");
    }
}
