//! The summary across hosts: per host its causes, restart loops and evidence lines, and the
//! causes several hosts share (`hosts[]` and `shared_causes[]` in JSON), plus the pieces the
//! text and Markdown reports use to group a report of several hosts by host.

use serde::Serialize;

use super::Report;
use crate::rules::Severity;

/// How a report names lines whose host could not be told.
pub const UNKNOWN_HOST: &str = "(unknown host)";

/// One host's share of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostSummary {
    /// The host as the logs name it; `None` (`null`) for lines whose host could not be told,
    /// listed only next to named hosts.
    pub host: Option<String>,
    /// Cause ids of its findings, most important first; empty for a healthy host.
    pub causes: Vec<String>,
    /// Its most severe finding's severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_severity: Option<Severity>,
    /// Units (or programs) in a restart loop on it.
    pub restart_loops: Vec<String>,
    /// Its evidence lines (lines that matched a signal).
    pub matched_lines: u64,
    /// Times of its first and last evidence line, RFC 3339 UTC, where the logs carry them.
    pub first: Option<String>,
    pub last: Option<String>,
}

impl HostSummary {
    /// A host with nothing found yet.
    pub fn new(host: Option<String>) -> Self {
        Self {
            host,
            causes: Vec::new(),
            worst_severity: None,
            restart_loops: Vec::new(),
            matched_lines: 0,
            first: None,
            last: None,
        }
    }

    /// The host's name for people: its name, or [`UNKNOWN_HOST`].
    pub fn name(&self) -> &str {
        host_name(self.host.as_deref())
    }
}

/// A cause found on two or more hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedCause {
    pub cause: String,
    /// The hosts, in the order of `hosts[]`.
    pub hosts: Vec<String>,
}

/// A host's name for people: its name, or [`UNKNOWN_HOST`].
pub fn host_name(host: Option<&str>) -> &str {
    host.unwrap_or(UNKNOWN_HOST)
}

impl Report {
    /// Whether the report covers more than one host (its text and Markdown are then grouped
    /// by host).
    pub fn several_hosts(&self) -> bool {
        self.hosts.len() > 1
    }

    /// Fills in each host's causes and restart loops from the findings and loops (adding
    /// hosts that only a finding names), orders the hosts (those with findings first, by
    /// their most important finding, then the others by name, unknown last), orders the
    /// restart loops, processes and stack traces by host in that order, and lists the
    /// causes shared by several hosts. Input naming no host has no host summary.
    pub fn summarize_hosts(&mut self) {
        let mut hosts = std::mem::take(&mut self.hosts);
        for summary in &mut hosts {
            summary.causes.clear();
            summary.restart_loops.clear();
            summary.worst_severity = None;
        }
        let named = |hosts: &[HostSummary], host: &Option<String>| {
            host.is_some() || hosts.iter().any(|h| h.host.is_some())
        };
        for finding in &self.findings {
            if !named(&hosts, &finding.host) {
                continue;
            }
            let summary = entry(&mut hosts, &finding.host);
            if !summary.causes.contains(&finding.cause) {
                summary.causes.push(finding.cause.clone());
            }
            summary.worst_severity = summary.worst_severity.max(Some(finding.severity));
        }
        for looped in &self.restart_loops {
            if !named(&hosts, &looped.host) {
                continue;
            }
            let summary = entry(&mut hosts, &looped.host);
            if !summary.restart_loops.contains(&looped.unit) {
                summary.restart_loops.push(looped.unit.clone());
            }
        }
        let first_finding = |host: &Option<String>| {
            self.findings
                .iter()
                .position(|f| f.host == *host)
                .unwrap_or(usize::MAX)
        };
        hosts.sort_by(|a, b| {
            first_finding(&a.host)
                .cmp(&first_finding(&b.host))
                .then_with(|| a.host.is_none().cmp(&b.host.is_none()))
                .then_with(|| a.host.cmp(&b.host))
        });
        let place = |host: &Option<String>| {
            hosts
                .iter()
                .position(|h| h.host == *host)
                .unwrap_or(usize::MAX)
        };
        self.restart_loops.sort_by_key(|l| place(&l.host));
        self.processes.sort_by_key(|p| place(&p.host));
        self.tracebacks.sort_by_key(|t| place(&t.host));
        let mut shared: Vec<SharedCause> = Vec::new();
        for finding in &self.findings {
            if shared.iter().any(|s| s.cause == finding.cause) {
                continue;
            }
            let on: Vec<String> = hosts
                .iter()
                .filter(|h| h.causes.contains(&finding.cause))
                .filter_map(|h| h.host.clone())
                .collect();
            if on.len() > 1 {
                shared.push(SharedCause {
                    cause: finding.cause.clone(),
                    hosts: on,
                });
            }
        }
        self.hosts = hosts;
        self.shared_causes = shared;
    }

    /// The part of the report about one host: its findings, restart loops, processes and
    /// stack traces, and its summary (no sources, errors or notes).
    pub fn for_host(&self, host: Option<&str>) -> Report {
        let on = |h: &Option<String>| h.as_deref() == host;
        Report {
            findings: self
                .findings
                .iter()
                .filter(|f| on(&f.host))
                .cloned()
                .collect(),
            restart_loops: self
                .restart_loops
                .iter()
                .filter(|l| on(&l.host))
                .cloned()
                .collect(),
            processes: self
                .processes
                .iter()
                .filter(|p| on(&p.host))
                .cloned()
                .collect(),
            tracebacks: self
                .tracebacks
                .iter()
                .filter(|t| on(&t.host))
                .cloned()
                .collect(),
            hosts: self.hosts.iter().filter(|h| on(&h.host)).cloned().collect(),
            ..Report::new()
        }
    }
}

/// The summary of `host`, added when missing.
fn entry<'a>(hosts: &'a mut Vec<HostSummary>, host: &Option<String>) -> &'a mut HostSummary {
    let index = match hosts.iter().position(|h| h.host == *host) {
        Some(index) => index,
        None => {
            hosts.push(HostSummary::new(host.clone()));
            hosts.len() - 1
        }
    };
    &mut hosts[index]
}

/// What was found where, in one line: causes with the hosts they were found on, in the
/// order of the findings, causes found on the same hosts put together, then the hosts where
/// nothing was found. "port-conflict on web-01, web-02; oom-kill on db-01; no problem found
/// on web-03".
pub fn describe_across_hosts(report: &Report) -> String {
    let mut causes: Vec<(Vec<String>, Vec<&str>)> = Vec::new();
    for finding in &report.findings {
        if causes.iter().any(|(c, _)| c.contains(&finding.cause)) {
            continue;
        }
        let on: Vec<&str> = report
            .hosts
            .iter()
            .filter(|h| h.causes.contains(&finding.cause))
            .map(HostSummary::name)
            .collect();
        match causes.iter_mut().find(|(_, hosts)| *hosts == on) {
            Some((same, _)) => same.push(finding.cause.clone()),
            None => causes.push((vec![finding.cause.clone()], on)),
        }
    }
    let mut parts: Vec<String> = causes
        .iter()
        .map(|(causes, hosts)| format!("{} on {}", causes.join(", "), hosts.join(", ")))
        .collect();
    let healthy: Vec<&str> = report
        .hosts
        .iter()
        .filter(|h| h.causes.is_empty())
        .map(HostSummary::name)
        .collect();
    if !healthy.is_empty() {
        parts.push(format!("no problem found on {}", healthy.join(", ")));
    }
    parts.join("; ")
}
