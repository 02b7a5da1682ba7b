//! A finding: a named cause with its evidence, explanation and fix.

use serde::Serialize;

use crate::evidence::EvidenceLine;
use crate::rules::Severity;

/// One evidence line cited by a finding, as `source:line`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub source: String,
    pub line: u64,
    pub text: String,
}

impl Citation {
    pub fn of(line: &EvidenceLine, source_names: &[String]) -> Self {
        Self {
            source: source_names
                .get(line.source())
                .cloned()
                .unwrap_or_else(|| "-".to_string()),
            line: line.line_no,
            text: line.text.get().into_owned(),
        }
    }
}

/// A diagnosed cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Cause id from the cause vocabulary (`port-conflict`, `oom-kill`, ...).
    pub cause: String,
    pub severity: Severity,
    /// In [0, 1].
    pub confidence: f64,
    pub title: String,
    pub summary: String,
    pub explanation: String,
    pub evidence: Vec<Citation>,
    /// How many lines support it in all (the evidence list cites a few).
    pub occurrences: usize,
    pub fix: Vec<String>,
    pub verify: Vec<String>,
    /// The rule file of the cause.
    pub rule: String,
    /// Signal ids whose lines are the evidence.
    pub signals: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The host whose evidence it rests on, when the logs name one (see [`crate::hosts`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Findings that are consequences of this one (a start limit hit by this crash loop).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consequences: Vec<Finding>,
    /// Severity and confidence of the most important finding this one explains (its cause
    /// `explains` theirs): it ranks as high as that one, and before it.
    #[serde(skip)]
    pub ranks_as: Option<(Severity, f64)>,
}

impl Finding {
    /// Where the first evidence line is, for stable ordering.
    pub fn first_position(&self) -> (String, u64) {
        self.evidence
            .first()
            .map_or((String::new(), 0), |c| (c.source.clone(), c.line))
    }

    /// The severity and confidence the finding ranks with, and whether they are those of a
    /// finding it explains.
    pub fn rank(&self) -> (Severity, f64, bool) {
        match self.ranks_as {
            Some((severity, confidence)) => (severity, confidence, true),
            None => (self.severity, self.confidence, false),
        }
    }

    /// The report's ranking: most severe first, then most confident, a finding that
    /// explains another before it, then by where the evidence starts.
    pub fn by_rank(a: &Finding, b: &Finding) -> std::cmp::Ordering {
        let (a_severity, a_confidence, a_explains) = a.rank();
        let (b_severity, b_confidence, b_explains) = b.rank();
        b_severity
            .cmp(&a_severity)
            .then(b_confidence.total_cmp(&a_confidence))
            .then(b_explains.cmp(&a_explains))
            .then_with(|| a.first_position().cmp(&b.first_position()))
    }

    /// Says which host the finding and its consequences concern.
    pub fn set_host(&mut self, host: Option<&str>) {
        self.host = host.map(str::to_string);
        for consequence in &mut self.consequences {
            consequence.set_host(host);
        }
    }
}
