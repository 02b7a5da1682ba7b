//! The summary across hosts: per host its causes, restart loops and evidence lines, and the
//! causes several hosts share (`hosts[]` and `shared_causes[]` in JSON), plus the pieces the
//! text and Markdown reports use to group a report of several hosts by host.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

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
        // Everything here is looked up by host, never searched for: a fleet's report has
        // thousands of hosts.
        let mut at: HashMap<Option<String>, usize> = positions(&hosts)
            .into_iter()
            .map(|(host, i)| (host.map(str::to_string), i))
            .collect();
        let mut any_named = hosts.iter().any(|h| h.host.is_some());
        let mut entry = |hosts: &mut Vec<HostSummary>, host: &Option<String>| {
            // Lines of no host are summarized only next to named hosts.
            if host.is_none() && !any_named {
                return None;
            }
            any_named |= host.is_some();
            let index = *at.entry(host.clone()).or_insert_with(|| {
                hosts.push(HostSummary::new(host.clone()));
                hosts.len() - 1
            });
            Some(index)
        };
        for finding in &self.findings {
            let Some(index) = entry(&mut hosts, &finding.host) else {
                continue;
            };
            let summary = &mut hosts[index];
            if !summary.causes.contains(&finding.cause) {
                summary.causes.push(finding.cause.clone());
            }
            summary.worst_severity = summary.worst_severity.max(Some(finding.severity));
        }
        for looped in &self.restart_loops {
            let Some(index) = entry(&mut hosts, &looped.host) else {
                continue;
            };
            let summary = &mut hosts[index];
            if !summary.restart_loops.contains(&looped.unit) {
                summary.restart_loops.push(looped.unit.clone());
            }
        }
        let mut first_finding: HashMap<Option<&str>, usize> = HashMap::new();
        for (i, finding) in self.findings.iter().enumerate() {
            first_finding.entry(finding.host.as_deref()).or_insert(i);
        }
        let rank = |host: &Option<String>| {
            first_finding
                .get(&host.as_deref())
                .copied()
                .unwrap_or(usize::MAX)
        };
        hosts.sort_by(|a, b| {
            rank(&a.host)
                .cmp(&rank(&b.host))
                .then_with(|| a.host.is_none().cmp(&b.host.is_none()))
                .then_with(|| a.host.cmp(&b.host))
        });
        let place = positions(&hosts);
        let place =
            |host: &Option<String>| place.get(&host.as_deref()).copied().unwrap_or(usize::MAX);
        self.restart_loops.sort_by_key(|l| place(&l.host));
        self.processes.sort_by_key(|p| place(&p.host));
        self.tracebacks.sort_by_key(|t| place(&t.host));
        let mut shared: Vec<SharedCause> = Vec::new();
        let on = hosts_of_causes(&hosts, |h| h.host.as_deref());
        let mut seen: HashSet<&str> = HashSet::new();
        for finding in &self.findings {
            if !seen.insert(&finding.cause) {
                continue;
            }
            let on: Vec<String> = on
                .get(finding.cause.as_str())
                .map(|on| on.iter().flatten().map(|h| h.to_string()).collect())
                .unwrap_or_default();
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

    /// The part of the report about each of its hosts, in the order of `hosts`: its
    /// findings, restart loops, processes and stack traces, and its summary (no sources,
    /// errors or notes). One pass over the report, however many hosts it has.
    pub fn by_host(&self) -> Vec<(&HostSummary, Report)> {
        let at = positions(&self.hosts);
        let mut parts: Vec<Report> = self
            .hosts
            .iter()
            .map(|h| Report {
                hosts: vec![h.clone()],
                ..Report::new()
            })
            .collect();
        let part = |host: &Option<String>| at.get(&host.as_deref()).copied();
        for finding in &self.findings {
            if let Some(i) = part(&finding.host) {
                parts[i].findings.push(finding.clone());
            }
        }
        for looped in &self.restart_loops {
            if let Some(i) = part(&looped.host) {
                parts[i].restart_loops.push(looped.clone());
            }
        }
        for process in &self.processes {
            if let Some(i) = part(&process.host) {
                parts[i].processes.push(process.clone());
            }
        }
        for trace in &self.tracebacks {
            if let Some(i) = part(&trace.host) {
                parts[i].tracebacks.push(trace.clone());
            }
        }
        self.hosts.iter().zip(parts).collect()
    }
}

/// What was found where, in one line: causes with the hosts they were found on, in the
/// order of the findings, causes found on the same hosts put together, then the hosts where
/// nothing was found. "port-conflict on web-01, web-02; oom-kill on db-01; no problem found
/// on web-03".
pub fn describe_across_hosts(report: &Report) -> String {
    let on = hosts_of_causes(&report.hosts, HostSummary::name);
    // (causes, the hosts they were found on), causes of the same hosts together.
    let mut causes: Vec<(Vec<String>, Vec<&str>)> = Vec::new();
    let mut group_of: HashMap<&[&str], usize> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for finding in &report.findings {
        if !seen.insert(&finding.cause) {
            continue;
        }
        let hosts: &[&str] = on.get(finding.cause.as_str()).map_or(&[], Vec::as_slice);
        match group_of.get(hosts) {
            Some(&group) => causes[group].0.push(finding.cause.clone()),
            None => {
                group_of.insert(hosts, causes.len());
                causes.push((vec![finding.cause.clone()], hosts.to_vec()));
            }
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

/// For each cause, `label` of every host it was found on, in the order of `hosts`.
fn hosts_of_causes<'h, T>(
    hosts: &'h [HostSummary],
    label: impl Fn(&'h HostSummary) -> T,
) -> HashMap<&'h str, Vec<T>> {
    let mut on: HashMap<&str, Vec<T>> = HashMap::new();
    for host in hosts {
        for cause in &host.causes {
            on.entry(cause.as_str()).or_default().push(label(host));
        }
    }
    on
}

/// Where each host is in `hosts` (the first place, should one be listed twice).
fn positions(hosts: &[HostSummary]) -> HashMap<Option<&str>, usize> {
    let mut at = HashMap::new();
    for (i, summary) in hosts.iter().enumerate() {
        at.entry(summary.host.as_deref()).or_insert(i);
    }
    at
}
