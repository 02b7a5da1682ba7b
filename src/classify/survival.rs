//! Whether a failure was survived (a cause's `resolved_by`): a resolving line (a ready
//! line) of the same process follows the failure, and no line between them ends, fails,
//! restarts or starts that process (a *run boundary*).
//!
//! Put another way: among the resolving lines and run boundaries of the failure's process,
//! the first one after the failure is a resolving line. Two lines can be of the same
//! process when they have the same source, and the same host, identifier and PID wherever
//! both lines name one. [`RunEnds`] groups both kinds of line by source, identifier and
//! PID, so the question costs a few lookups and a binary search per failure (a host that
//! differs within a group is skipped over; a failure without a PID or identifier searches
//! the groups merged across them). Checking each failure against every later line
//! instead was quadratic: on 4 GiB of logs, with tens of thousands of failures and half a
//! million lifecycle lines, it took longer than scanning the input.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::OnceLock;

use crate::evidence::EvidenceLine;
use crate::rules::{Cause, EvidenceRef, RuleSet, Tag};

/// Two optional values agree unless both are present and differ.
fn agree<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The run ends of each distinct `resolved_by` list, grouped when a failure first needs
/// them: causes that name the same resolving lines (most name `tag:ready-marker`) share one
/// grouping. Causes are evaluated in parallel; a grouping is built once, by the first that
/// needs it, while the others wait for it.
pub(super) struct Survival<'e> {
    built: Vec<(&'e [EvidenceRef], OnceLock<RunEnds<'e>>)>,
}

impl<'e> Survival<'e> {
    /// A slot for each distinct `resolved_by` list of `causes`.
    pub(super) fn for_causes(causes: &'e [Cause]) -> Self {
        let mut built: Vec<(&'e [EvidenceRef], OnceLock<RunEnds<'e>>)> = Vec::new();
        for cause in causes {
            let refs = cause.when.resolved_by.as_slice();
            if !refs.is_empty() && !built.iter().any(|(known, _)| *known == refs) {
                built.push((refs, OnceLock::new()));
            }
        }
        Self { built }
    }

    /// The run ends for `resolved_by` (a list of one of the causes given to
    /// [`Survival::for_causes`]), grouped by `build` the first time.
    pub(super) fn run_ends(
        &self,
        resolved_by: &'e [EvidenceRef],
        build: impl FnOnce() -> RunEnds<'e>,
    ) -> &RunEnds<'e> {
        let (_, slot) = self
            .built
            .iter()
            .find(|(refs, _)| *refs == resolved_by)
            .expect("every cause's resolved_by list has a slot");
        slot.get_or_init(build)
    }
}

/// A line that can end a failure's run: (evidence index, whether it resolves the failure).
type RunEnd = (usize, bool);

/// Identifier -> PID -> lines, ascending: the run ends of one source.
type ByIdentifier<'e> = HashMap<Option<&'e str>, HashMap<Option<u32>, Vec<RunEnd>>>;

/// The run ends of one source, grouped by identifier and PID. A failure line that names
/// both finds its candidates in four groups; one without a PID or an identifier would have
/// to try every group of its source, so for those the lines are also merged across PIDs,
/// across identifiers, or all together (each on first use, each one copy of the lines).
#[derive(Default)]
struct SourceEnds<'e> {
    groups: ByIdentifier<'e>,
    by_identifier: OnceLock<HashMap<Option<&'e str>, Vec<RunEnd>>>,
    by_pid: OnceLock<HashMap<Option<u32>, Vec<RunEnd>>>,
    all: OnceLock<Vec<RunEnd>>,
}

impl<'e> SourceEnds<'e> {
    /// The lists that hold exactly the lines whose identifier and PID agree with these.
    fn agreeing(&self, identifier: Option<&'e str>, pid: Option<u32>) -> Vec<&[RunEnd]> {
        let identifiers = [identifier, None];
        match (identifier, pid) {
            (Some(_), Some(_)) => identifiers
                .iter()
                .filter_map(|i| self.groups.get(i))
                .flat_map(|pids| [pid, None].into_iter().filter_map(|p| pids.get(&p)))
                .map(Vec::as_slice)
                .collect(),
            (Some(_), None) => {
                let merged = self.by_identifier.get_or_init(|| {
                    self.groups
                        .iter()
                        .map(|(&i, pids)| (i, ascending(pids.values().flatten())))
                        .collect()
                });
                identifiers
                    .iter()
                    .filter_map(|i| merged.get(i))
                    .map(Vec::as_slice)
                    .collect()
            }
            (None, Some(_)) => {
                let merged = self.by_pid.get_or_init(|| {
                    let mut by_pid: HashMap<Option<u32>, Vec<RunEnd>> = HashMap::new();
                    for (&p, lines) in self.groups.values().flatten() {
                        by_pid.entry(p).or_default().extend_from_slice(lines);
                    }
                    for lines in by_pid.values_mut() {
                        lines.sort_unstable();
                    }
                    by_pid
                });
                [pid, None]
                    .iter()
                    .filter_map(|p| merged.get(p))
                    .map(Vec::as_slice)
                    .collect()
            }
            (None, None) => vec![self
                .all
                .get_or_init(|| {
                    ascending(
                        self.groups
                            .values()
                            .flat_map(|pids| pids.values().flatten()),
                    )
                })
                .as_slice()],
        }
    }
}

/// The lines of several groups as one ascending list.
fn ascending<'l>(lines: impl Iterator<Item = &'l RunEnd>) -> Vec<RunEnd> {
    let mut lines: Vec<RunEnd> = lines.copied().collect();
    lines.sort_unstable();
    lines
}

/// The resolving lines and run boundaries of an evidence slice, grouped by process.
pub(super) struct RunEnds<'e> {
    evidence: &'e [EvidenceLine],
    by_source: HashMap<usize, SourceEnds<'e>>,
}

impl<'e> RunEnds<'e> {
    /// Groups `boundaries` and `resolvers` (evidence indexes, each ascending). A line that is
    /// both counts as resolving: a boundary only matters strictly before the resolving line.
    pub(super) fn new(
        evidence: &'e [EvidenceLine],
        boundaries: &[usize],
        resolvers: &[usize],
    ) -> Self {
        let mut by_source: HashMap<usize, SourceEnds<'e>> = HashMap::new();
        let mut add = |index: usize, resolves: bool| {
            let line = &evidence[index];
            by_source
                .entry(line.source())
                .or_default()
                .groups
                .entry(line.origin.identifier.as_deref())
                .or_default()
                .entry(line.pid)
                .or_default()
                .push((index, resolves));
        };
        // Merge the two ascending lists, so every group is ascending too.
        let (mut b, mut r) = (0, 0);
        while b < boundaries.len() || r < resolvers.len() {
            match (boundaries.get(b), resolvers.get(r)) {
                (Some(&boundary), Some(&resolver)) if boundary < resolver => {
                    add(boundary, false);
                    b += 1;
                }
                (Some(&boundary), Some(&resolver)) if boundary == resolver => {
                    add(resolver, true);
                    b += 1;
                    r += 1;
                }
                (_, Some(&resolver)) => {
                    add(resolver, true);
                    r += 1;
                }
                (Some(&boundary), None) => {
                    add(boundary, false);
                    b += 1;
                }
                (None, None) => unreachable!("the loop runs while a list has lines"),
            }
        }
        Self {
            evidence,
            by_source,
        }
    }

    /// Whether the failure on evidence line `failure` was survived (see the module docs).
    pub(super) fn survived(&self, failure: usize) -> bool {
        let failed = &self.evidence[failure];
        let Some(ends) = self.by_source.get(&failed.source()) else {
            return false;
        };
        // The first run end after the failure in any of the lists (indexes are unique).
        let first = ends
            .agreeing(failed.origin.identifier.as_deref(), failed.pid)
            .into_iter()
            .filter_map(|lines| {
                let after = lines.partition_point(|&(i, _)| i <= failure);
                // Source, identifier and PID agree within these lines; the host may not. A
                // resolving line that names no program does not resolve the failure of one
                // that is named: a pasted `systemctl status` "Active: active (running)" may
                // be another unit's.
                lines[after..].iter().copied().find(|&(i, resolves)| {
                    let line = &self.evidence[i];
                    agree(failed.origin.host.as_deref(), line.origin.host.as_deref())
                        && !(resolves
                            && failed.origin.identifier.is_some()
                            && line.origin.identifier.is_none())
                })
            })
            .min();
        first.is_some_and(|(_, resolves)| resolves)
    }
}

/// Keeps the failures (evidence indexes) whose process is not heard from after them
/// ([`LaterLines`]); only the processes of these failures are indexed.
pub(super) fn drop_lived_on(rules: &RuleSet, evidence: &[EvidenceLine], failures: &mut Vec<usize>) {
    if failures.is_empty() {
        return;
    }
    let later = LaterLines::new(rules, evidence, failures);
    failures.retain(|&i| !later.heard_from_after(evidence, i));
}

/// How much later than a failure a line of its process must come to show that the process
/// went on from it.
const LIVED_ON_US: i64 = 1_000_000;

/// Lines of a process read after a failure's trace for one that shows it went on.
const MAX_LINES_READ_ON: usize = 256;

/// The lines of a stack trace: what an uncaught exception prints before its process ends.
const TRACE_TAGS: [Tag; 5] = [
    Tag::TracebackStart,
    Tag::TracebackEnd,
    Tag::TracebackFrame,
    Tag::TracebackCause,
    Tag::Continuation,
];

/// Lines that tell of a process ending (or its manager acting on its end).
const ENDING_TAGS: [Tag; 8] = [
    Tag::ExitMarker,
    Tag::CleanExit,
    Tag::StopMarker,
    Tag::FailureMarker,
    Tag::Crash,
    Tag::StartLimit,
    Tag::LoopState,
    Tag::RestartMarker,
];

/// Whether an uncaught exception ended its process: an exception its program caught and
/// logged is followed by more lines of the same process. Per process (same source,
/// identifier and PID; lines that lack either are not indexed, so their failures count),
/// its evidence lines ascending. A failure's process is heard from after it when, past
/// the failure's own trace, it logs a line at least a second after the failure, and no
/// line before that tells of its end.
pub(super) struct LaterLines {
    by_process: HashMap<(usize, u32), Vec<ProcessLine>>,
}

/// An evidence line of a process: its index, and what it tells.
struct ProcessLine {
    index: usize,
    ending: bool,
    /// A chained exception's link (Python's "During handling of the above exception").
    link: bool,
    /// Continues the stack trace before it: a trace line, but not the start of a new trace
    /// (one that does not follow a link).
    continues_trace: bool,
}

impl LaterLines {
    /// Indexes the processes of `failures`.
    fn new(rules: &RuleSet, evidence: &[EvidenceLine], failures: &[usize]) -> Self {
        let wanted: HashSet<(usize, u32)> = failures
            .iter()
            .filter_map(|&i| Some((evidence[i].source(), evidence[i].pid?)))
            .collect();
        let has = |line: &EvidenceLine, tags: &[Tag]| {
            line.matches
                .iter()
                .any(|m| tags.iter().any(|&t| rules.signal(m.signal).has_tag(t)))
        };
        // Keyed by source and PID, the identifier checked per line: an identifier is a
        // string, and the PID tells processes apart on its own but for reuse across runs.
        let mut by_process: HashMap<(usize, u32), Vec<ProcessLine>> = HashMap::new();
        for (index, line) in evidence.iter().enumerate() {
            let (Some(pid), Some(_)) = (line.pid, line.origin.identifier.as_deref()) else {
                continue;
            };
            let key = (line.source(), pid);
            if !wanted.contains(&key) {
                continue;
            }
            let lines = by_process.entry(key).or_default();
            let linked = lines.last().is_some_and(|before| before.link);
            let starts = has(line, &[Tag::TracebackStart]);
            lines.push(ProcessLine {
                index,
                ending: has(line, &ENDING_TAGS),
                link: has(line, &[Tag::TracebackCause]),
                continues_trace: has(line, &TRACE_TAGS) && (!starts || linked),
            });
        }
        Self { by_process }
    }

    fn heard_from_after(&self, evidence: &[EvidenceLine], failure: usize) -> bool {
        let failed = &evidence[failure];
        let Some(pid) = failed.pid else {
            return false;
        };
        let Some(lines) = self.by_process.get(&(failed.source(), pid)) else {
            return false;
        };
        let Ok(at) = lines.binary_search_by_key(&failure, |l| l.index) else {
            return false;
        };
        let Some(failed_at) = failed.timestamp_us.get() else {
            return false;
        };
        let identifier = failed.origin.identifier.as_deref();
        // Past the failure's own trace (the lines that continue it): what a dying
        // interpreter prints on its way out (an "Exception ignored in" trace, asyncio's
        // "Task was destroyed but it is pending!") comes within the second. Only a line at
        // least a second later shows the process went on, and a line that tells of its end
        // before that shows it did not.
        let after_trace = lines[at + 1..].iter().skip_while(|l| l.continues_trace);
        for later in after_trace.take(MAX_LINES_READ_ON) {
            if later.ending {
                return false;
            }
            let line = &evidence[later.index];
            if line.origin.identifier.as_deref() != identifier {
                continue;
            }
            if line
                .timestamp_us
                .get()
                .is_some_and(|t| t >= failed_at + LIVED_ON_US)
            {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(
        source: usize,
        host: Option<&str>,
        identifier: Option<&str>,
        pid: Option<u32>,
    ) -> EvidenceLine {
        EvidenceLine {
            source_index: source as u32,
            line_no: 0,
            offset: 0,
            text: Default::default(),
            timestamp_us: crate::evidence::Clock::NONE,
            monotonic_us: crate::evidence::Clock::NONE,
            origin: crate::evidence::OriginNames {
                host: host.map(Into::into),
                identifier: identifier.map(Into::into),
                ..Default::default()
            }
            .into(),
            pid,
            level: None,
            stands_for: 0,
            presence_only: false,
            matches: crate::evidence::Matches::none(),
        }
    }

    /// Two lines can be of the same process: same source, and the same host, identifier and
    /// PID wherever both lines name one.
    fn same_process(a: &EvidenceLine, b: &EvidenceLine) -> bool {
        a.source() == b.source()
            && agree(a.origin.host.as_deref(), b.origin.host.as_deref())
            && agree(
                a.origin.identifier.as_deref(),
                b.origin.identifier.as_deref(),
            )
            && agree(a.pid, b.pid)
    }

    /// The definition, line by line: the first resolving line of the same process after
    /// the failure, and no boundary of that process strictly between.
    fn survived_by_definition(
        evidence: &[EvidenceLine],
        boundaries: &[usize],
        resolvers: &[usize],
        failure: usize,
    ) -> bool {
        let failed = &evidence[failure];
        // A resolving line that names no program is no run end of a named program's
        // failure, not even when it is a boundary too.
        let unnamed_resolver = |i: usize| {
            resolvers.contains(&i)
                && failed.origin.identifier.is_some()
                && evidence[i].origin.identifier.is_none()
        };
        let Some(&resolver) = resolvers
            .iter()
            .find(|&&r| r > failure && same_process(failed, &evidence[r]) && !unnamed_resolver(r))
        else {
            return false;
        };
        !boundaries.iter().any(|&b| {
            b > failure
                && b < resolver
                && same_process(failed, &evidence[b])
                && !unnamed_resolver(b)
        })
    }

    #[test]
    fn a_ready_line_of_the_same_process_before_its_next_boundary_resolves() {
        let evidence = vec![
            line(0, None, Some("app"), Some(7)),     // 0: failure
            line(0, None, Some("app"), Some(8)),     // 1: another process's boundary
            line(0, None, Some("systemd"), Some(1)), // 2: the manager's boundary
            line(0, None, Some("app"), Some(7)),     // 3: ready
            line(0, None, Some("app"), Some(9)),     // 4: failure
            line(0, None, Some("app"), None),        // 5: boundary without a PID
            line(0, None, Some("app"), Some(9)),     // 6: ready
            line(1, None, Some("app"), Some(10)),    // 7: failure, another source
            line(0, None, Some("app"), Some(10)),    // 8: ready, but in source 0
        ];
        let (boundaries, resolvers) = ([1, 2, 5], [3, 6, 8]);
        let ends = RunEnds::new(&evidence, &boundaries, &resolvers);
        assert!(ends.survived(0));
        assert!(
            !ends.survived(4),
            "the PID-less boundary may be its process's"
        );
        assert!(!ends.survived(7));
    }

    #[test]
    fn a_ready_line_that_names_no_program_resolves_only_unnamed_failures() {
        // A journal line of mosquitto[24486], then a pasted `systemctl status` line of
        // another unit ("Active: active (running)"), which names no program.
        let evidence = vec![
            line(0, None, Some("mosquitto"), Some(24486)),
            line(0, None, None, None),
            line(0, None, None, None),
            line(0, None, None, None),
        ];
        let ends = RunEnds::new(&evidence, &[], &[1, 3]);
        assert!(!ends.survived(0));
        assert!(
            ends.survived(2),
            "an unnamed failure, an unnamed ready line"
        );
    }

    fn arbitrary_line() -> impl Strategy<Value = EvidenceLine> {
        let name = |names: &'static [&'static str]| prop::option::of(prop::sample::select(names));
        (
            0..2usize,
            name(&["a", "b"]),
            name(&["app", "db", "systemd"]),
            prop::option::of(1..4u32),
        )
            .prop_map(|(source, host, identifier, pid)| line(source, host, identifier, pid))
    }

    proptest! {
        #[test]
        fn grouping_agrees_with_the_definition(
            evidence in prop::collection::vec(arbitrary_line(), 1..40),
            kinds in prop::collection::vec(0..4u8, 40),
        ) {
            // Per line: 0 nothing, 1 boundary, 2 resolver, 3 both.
            let boundaries: Vec<usize> =
                (0..evidence.len()).filter(|&i| kinds[i] & 1 != 0).collect();
            let resolvers: Vec<usize> =
                (0..evidence.len()).filter(|&i| kinds[i] & 2 != 0).collect();
            let ends = RunEnds::new(&evidence, &boundaries, &resolvers);
            for failure in 0..evidence.len() {
                prop_assert_eq!(
                    ends.survived(failure),
                    survived_by_definition(&evidence, &boundaries, &resolvers, failure),
                    "failure {}", failure
                );
            }
        }
    }
}
