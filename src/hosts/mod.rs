//! Hosts: which machine each evidence line comes from, and the diagnosis of each machine's
//! evidence on its own.
//!
//! Logs of several machines (a merged `journalctl` of a fleet, a support bundle with a
//! directory per host) are judged one host at a time: the detectors and the classifier see
//! only that host's evidence, so two hosts that each fail to bind port 8000 give two
//! findings, a restart loop never counts another machine's restarts, a PID is a process
//! only on its own host, and a finding never borrows another host's unit or loop. The
//! results are put together, each labelled with its host, and summarised across hosts
//! ([`crate::report::HostSummary`]). Input that names one host (or none) is diagnosed whole,
//! exactly as before; its results are labelled with that host.
//!
//! A line's host is the one its envelope names (the journal's `_HOSTNAME`, the syslog host
//! field). A line without one belongs, in this order, to:
//!
//! 1. the host of the last line naming one in its source, at most [`INHERIT_LINES`] lines
//!    before it (a message's continuation lines, `journalctl -x` catalog text, frames);
//! 2. the one host its source names, when the source names only one;
//! 3. the host a directory or file name of its source is named after
//!    (`bundle.tar:web-01/var/log/app.log`, `logs/web-01.log`), when exactly one host is;
//! 4. otherwise to no known host: such lines are judged together, apart from the named
//!    hosts, and reported under `null` (JSON) or "(unknown host)".
//!
//! Names are compared without regard to ASCII case; the spelling seen first is shown.

use foldhash::{HashMap, HashMapExt};

use crate::classify::Finding;
use crate::detect::format_time;
use crate::evidence::EvidenceLine;
use crate::report::{HostSummary, Report};

/// A line with no host of its own belongs to the host of a line naming one at most this many
/// lines before it in its source.
pub const INHERIT_LINES: u64 = 100;

/// Which host each evidence line belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAssignment {
    /// Host names in order of first appearance.
    hosts: Vec<String>,
    lines: LineHosts,
}

/// The host of each line, as an index into [`HostAssignment::hosts`]; `None` when no host
/// could be told.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LineHosts {
    /// The evidence names one host or none: all `len` lines are that one's. Most inputs
    /// are one host's, and a list per line would cost 16 bytes a line.
    All(Option<usize>, usize),
    Each(Vec<Option<usize>>),
}

/// The hosts that lines name themselves, numbered in order of first appearance.
#[derive(Default)]
struct HostNames<'e> {
    hosts: Vec<String>,
    known: HashMap<String, usize>,
    /// Lines come in runs from one host: the last name is compared first.
    last: Option<(&'e str, usize)>,
}

impl<'e> HostNames<'e> {
    /// The number of the host `line` names, if it names one.
    fn of_line(&mut self, line: &'e EvidenceLine) -> Option<usize> {
        let name = line
            .origin
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())?;
        if let Some((_, slot)) = self.last.filter(|(last_name, _)| *last_name == name) {
            return Some(slot);
        }
        let hosts = &mut self.hosts;
        let slot = *self
            .known
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| {
                hosts.push(name.to_string());
                hosts.len() - 1
            });
        self.last = Some((name, slot));
        Some(slot)
    }
}

/// The evidence lines of one host (or of no known host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostGroup {
    pub host: Option<String>,
    /// Indexes into the evidence, ascending.
    pub members: Vec<usize>,
}

impl HostAssignment {
    /// Tells the host of every line of `evidence` (in input order; `source` indexes
    /// `source_names`), by the rules in the module docs.
    pub fn of(evidence: &[EvidenceLine], source_names: &[String]) -> Self {
        let mut names = HostNames::default();
        for line in evidence {
            names.of_line(line);
            if names.hosts.len() > 1 {
                break;
            }
        }
        if names.hosts.len() <= 1 {
            // One host or none: every line is that host's.
            let only = (!names.hosts.is_empty()).then_some(0);
            return Self {
                hosts: names.hosts,
                lines: LineHosts::All(only, evidence.len()),
            };
        }
        // Several: number them again, line by line (in the same order, so alike).
        let mut names = HostNames::default();
        let own: Vec<Option<usize>> = evidence.iter().map(|line| names.of_line(line)).collect();
        let hosts = names.hosts;
        // The host each source names: `Some` when it names exactly one.
        let mut source_host: HashMap<usize, Option<usize>> = HashMap::new();
        for (line, host) in evidence.iter().zip(&own) {
            if let Some(host) = *host {
                source_host
                    .entry(line.source())
                    .and_modify(|named| {
                        if *named != Some(host) {
                            *named = None;
                        }
                    })
                    .or_insert(Some(host));
            }
        }
        let mut last_named: HashMap<usize, (u64, usize)> = HashMap::new();
        let mut by_path: HashMap<usize, Option<usize>> = HashMap::new();
        let of_line = evidence
            .iter()
            .zip(&own)
            .map(|(line, host)| {
                if let Some(host) = *host {
                    last_named.insert(line.source(), (line.line_no, host));
                    return Some(host);
                }
                last_named
                    .get(&line.source())
                    .filter(|(at, _)| line.line_no.saturating_sub(*at) <= INHERIT_LINES)
                    .map(|&(_, host)| host)
                    .or_else(|| source_host.get(&line.source()).copied().flatten())
                    .or_else(|| {
                        *by_path.entry(line.source()).or_insert_with(|| {
                            named_by_path(source_names.get(line.source()), &hosts)
                        })
                    })
            })
            .collect();
        Self {
            hosts,
            lines: LineHosts::Each(of_line),
        }
    }

    /// The host names, in order of first appearance.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// The host of evidence line `index`, if one could be told.
    pub fn host_of(&self, index: usize) -> Option<&str> {
        let host = match &self.lines {
            LineHosts::All(host, len) => host.filter(|_| index < *len),
            LineHosts::Each(of_line) => of_line.get(index).copied().flatten(),
        };
        host.map(|h| self.hosts[h].as_str())
    }

    /// When every line belongs to one host, or none names a host: that host (`Some(None)`
    /// for none). `None` when there are several.
    pub fn only_host(&self) -> Option<Option<&str>> {
        match &self.lines {
            LineHosts::All(host, _) => Some(host.map(|h| self.hosts[h].as_str())),
            LineHosts::Each(_) => None,
        }
    }

    /// The lines of each host in order of first appearance, then the lines of no known host
    /// (when there are any); a single group when the input names one host or none.
    pub fn groups(&self) -> Vec<HostGroup> {
        let of_line = match &self.lines {
            LineHosts::All(host, len) => {
                return vec![HostGroup {
                    host: host.map(|h| self.hosts[h].clone()),
                    members: (0..*len).collect(),
                }];
            }
            LineHosts::Each(of_line) => of_line,
        };
        let unknown = self.hosts.len();
        let mut members = vec![Vec::new(); unknown + 1];
        for (index, host) in of_line.iter().enumerate() {
            members[host.unwrap_or(unknown)].push(index);
        }
        let mut groups: Vec<HostGroup> = Vec::new();
        for (slot, members) in members.into_iter().enumerate() {
            if members.is_empty() && !(slot == unknown && self.hosts.is_empty()) {
                continue;
            }
            groups.push(HostGroup {
                host: self.hosts.get(slot).cloned(),
                members,
            });
        }
        groups
    }
}

/// The host a directory or file name in a source's name is named after (a component, or a
/// component without its extensions, equal to the host name or its first label), when
/// exactly one host is.
fn named_by_path(name: Option<&String>, hosts: &[String]) -> Option<usize> {
    let parts: Vec<&str> = name?
        .split(['/', '\\', ':'])
        .filter(|part| !part.is_empty())
        .collect();
    let mut found = None;
    for (index, host) in hosts.iter().enumerate() {
        let short = match host.parse::<std::net::IpAddr>() {
            Ok(_) => host.as_str(),
            Err(_) => host.split('.').next().unwrap_or(host),
        };
        let named = parts.iter().any(|part| {
            let stem = part.split('.').next().unwrap_or(part);
            [*part, stem]
                .iter()
                .any(|p| p.eq_ignore_ascii_case(host) || p.eq_ignore_ascii_case(short))
        });
        if named {
            if found.is_some() {
                return None;
            }
            found = Some(index);
        }
    }
    found
}

/// Runs `diagnose` over each host's evidence on its own and puts the results together (see
/// the module docs); evidence naming one host or none is diagnosed whole. The report's
/// `hosts` and `shared_causes` are filled in.
pub fn diagnose_each_host(
    evidence: &[EvidenceLine],
    source_names: &[String],
    diagnose: impl Fn(&[EvidenceLine]) -> Report,
) -> Report {
    let assignment = HostAssignment::of(evidence, source_names);
    if let Some(host) = assignment.only_host() {
        let host = host.map(str::to_string);
        return combine(vec![HostDiagnosis::of(host, evidence, &diagnose)]);
    }
    let parts = assignment
        .groups()
        .into_iter()
        .map(|group| {
            let lines: Vec<EvidenceLine> =
                group.members.iter().map(|&i| evidence[i].clone()).collect();
            HostDiagnosis::of(group.host, &lines, &diagnose).at(group.members)
        })
        .collect();
    combine(parts)
}

/// [`diagnose_each_host`] for evidence the caller owns: the lines are put in host order in
/// place, each host's lines diagnosed as one slice, and the lines put back in their order,
/// so nothing is copied and nothing of a line's size is held twice. The evidence comes back
/// in its order.
pub fn diagnose_each_host_owned(
    mut evidence: Vec<EvidenceLine>,
    source_names: &[String],
    diagnose: impl Fn(&[EvidenceLine]) -> Report,
) -> (Report, Vec<EvidenceLine>) {
    let assignment = HostAssignment::of(&evidence, source_names);
    if let Some(host) = assignment.only_host() {
        let host = host.map(str::to_string);
        let part = HostDiagnosis::of(host, &evidence, &diagnose);
        return (combine(vec![part]), evidence);
    }
    let groups = assignment.groups();
    drop(assignment);
    // Where each line comes from in host order: the groups' members one after the other.
    let order: Vec<u32> = groups
        .iter()
        .flat_map(|group| group.members.iter())
        .map(|&i| u32::try_from(i).expect("fewer than 2^32 evidence lines"))
        .collect();
    assert_eq!(order.len(), evidence.len(), "a line belongs to one host");
    permute::gather(&mut evidence, &order);
    let mut parts = Vec::with_capacity(groups.len());
    let mut start = 0;
    for group in groups {
        let end = start + group.members.len();
        let part = HostDiagnosis::of(group.host, &evidence[start..end], &diagnose);
        parts.push(part.at(group.members));
        start = end;
    }
    permute::scatter(&mut evidence, &order);
    (combine(parts), evidence)
}

/// Reordering a slice in place by a permutation, one cycle at a time with swaps: no second
/// copy of the items, one bit of bookkeeping per item.
mod permute {
    /// Puts the item at `order[k]` at `k`, for every `k`.
    pub(super) fn gather<T>(items: &mut [T], order: &[u32]) {
        // Along a cycle, position `k` takes its item from `order[k]`, which then holds the
        // cycle's first item until the last position takes that.
        cycles(items, order, |items, _, k, from| items.swap(k, from));
    }

    /// Puts the item at `k` at `order[k]`, for every `k`: undoes [`gather`].
    pub(super) fn scatter<T>(items: &mut [T], order: &[u32]) {
        // Along a cycle, the item held at the cycle's first position goes where it belongs
        // and the one there comes back to be sent on.
        cycles(items, order, |items, start, _, to| items.swap(start, to));
    }

    /// Walks each cycle of `order` from its first position `start`, calling `step(items,
    /// start, k, order[k])` at each position `k` whose `order[k]` is not `start`.
    fn cycles<T>(
        items: &mut [T],
        order: &[u32],
        mut step: impl FnMut(&mut [T], usize, usize, usize),
    ) {
        assert_eq!(items.len(), order.len(), "one position per item");
        let mut done = vec![0u64; order.len().div_ceil(64)];
        for start in 0..order.len() {
            if done[start / 64] & (1 << (start % 64)) != 0 {
                continue;
            }
            let mut k = start;
            loop {
                done[k / 64] |= 1 << (k % 64);
                let next = order[k] as usize;
                if next == start {
                    break;
                }
                step(items, start, k, next);
                k = next;
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn gather_then_scatter_gives_the_items_back() {
            // Cycles of one, two and several, and a fixed point between them.
            let order = [3u32, 0, 2, 5, 6, 1, 4, 7];
            let mut items: Vec<u32> = (10..18).collect();
            gather(&mut items, &order);
            let expected: Vec<u32> = order.iter().map(|&i| 10 + i).collect();
            assert_eq!(items, expected);
            scatter(&mut items, &order);
            assert_eq!(items, (10..18).collect::<Vec<u32>>());
        }
    }
}

/// The diagnosis of one host's evidence, with what the evidence itself says about the host.
struct HostDiagnosis {
    host: Option<String>,
    /// Where the host's lines are in the whole evidence; `None` when they are all of it.
    members: Option<Vec<usize>>,
    report: Report,
    /// Lines that matched a signal (with those an evidence line stands for).
    matched_lines: u64,
    /// Wall-clock times of the first and the last line.
    span_us: (Option<i64>, Option<i64>),
}

impl HostDiagnosis {
    fn of(
        host: Option<String>,
        lines: &[EvidenceLine],
        diagnose: &impl Fn(&[EvidenceLine]) -> Report,
    ) -> Self {
        let times = lines.iter().filter_map(|l| l.timestamp_us.get());
        Self {
            host,
            members: None,
            report: diagnose(lines),
            matched_lines: lines
                .iter()
                .filter(|l| !l.matches.is_empty())
                .map(|l| 1 + u64::from(l.stands_for))
                .sum(),
            span_us: (times.clone().min(), times.max()),
        }
    }

    /// The same diagnosis, of lines that sit at `members` in the whole evidence.
    fn at(self, members: Vec<usize>) -> Self {
        Self {
            members: Some(members),
            ..self
        }
    }
}

/// One report from the reports of each host: everything labelled with its host, trace
/// members turned back into indexes of the whole evidence, findings ranked together.
fn combine(parts: Vec<HostDiagnosis>) -> Report {
    let mut report = Report::new();
    for part in parts {
        let HostDiagnosis {
            host,
            members,
            report: found,
            matched_lines,
            span_us: (first, last),
        } = part;
        let label = || host.clone();
        report
            .findings
            .extend(found.findings.into_iter().map(|mut f| {
                f.set_host(host.as_deref());
                f
            }));
        report
            .restart_loops
            .extend(found.restart_loops.into_iter().map(|mut l| {
                l.host = label();
                l
            }));
        report
            .processes
            .extend(found.processes.into_iter().map(|mut p| {
                p.host = label();
                p
            }));
        report
            .tracebacks
            .extend(found.tracebacks.into_iter().map(|mut t| {
                t.host = label();
                if let Some(members) = &members {
                    for index in t.members.iter_mut().chain(&mut t.occurrence_starts) {
                        *index = members[*index];
                    }
                }
                t
            }));
        if host.is_some() || report.hosts.iter().any(|h| h.host.is_some()) {
            let mut summary = HostSummary::new(host);
            summary.matched_lines = matched_lines;
            summary.first = first.map(format_time);
            summary.last = last.map(format_time);
            report.hosts.push(summary);
        }
    }
    report.findings.sort_by(Finding::by_rank);
    report.summarize_hosts();
    report
}

#[cfg(test)]
mod tests;
