//! Processes: for each program, the PIDs its evidence lines came from, when each was first
//! and last seen and how it ended, and whether one of them stayed alive throughout while
//! others of the same program came and went (a second instance next to the supervised one).
//!
//! Only evidence lines are seen, so "first" and "last" are the first and last *matched*
//! lines of a PID. A PID is attributed to the program named by its lines' identifier, or
//! by the `process` a line names (`Killed process 4242 (python)`, `Found left-over process
//! 77 (uvicorn)`); lines of service managers and the kernel name no program of their own.

use foldhash::{HashMap, HashMapExt};

use serde::Serialize;

use super::restarts::format_time;
use crate::evidence::EvidenceLine;
use crate::rules::{RuleSet, Tag};

/// PIDs listed per program; the rest are counted.
pub const LISTED_PIDS: usize = 12;

/// How a process ended, as far as the log tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcessEnd {
    /// Its last line was an error.
    Failed,
    /// It exited (an exit status, a shutdown line).
    Exited,
    /// It stopped cleanly or on request.
    Stopped,
    /// A segfault, abort or panic.
    Crashed,
    /// The OOM killer killed it.
    OomKilled,
}

/// One PID of a program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessLife {
    pub pid: u32,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Evidence lines from or about it.
    pub lines: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended: Option<ProcessEnd>,
    #[serde(skip)]
    span: (Option<i64>, Option<i64>),
}

/// The processes of one program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramProcesses {
    pub program: String,
    /// The host the PIDs live on, when the logs name one (see [`crate::hosts`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Distinct PIDs seen.
    pub pids: usize,
    /// The PID that was alive from before the others' first line to after their last while
    /// at least two others started and ended: a competing instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_lived: Option<u32>,
    /// The first and the last PIDs (at most `LISTED_PIDS`), in order of first sighting.
    pub processes: Vec<ProcessLife>,
}

/// Processes of every program with at least one PID, busiest first (then by name).
pub fn track_processes(rules: &RuleSet, evidence: &[EvidenceLine]) -> Vec<ProgramProcesses> {
    // Program names borrowed from the evidence: a line costs a lookup, not a copy.
    let mut programs: HashMap<&str, Lives> = HashMap::new();
    for line in evidence {
        let named = line.matches.iter().find_map(|m| {
            let pid = m.capture("pid")?.parse::<u32>().ok()?;
            Some((m.capture("process")?, pid))
        });
        let own = match (line.origin.identifier.as_deref(), line.pid) {
            (Some(ident), Some(pid)) if !is_manager(ident) => Some((ident, pid)),
            _ => None,
        };
        let Some((program, pid)) = named.or(own) else {
            continue;
        };
        let end = end_of(rules, line);
        let lives = programs.entry(program).or_default();
        let slot = *lives.by_pid.entry(pid).or_insert_with(|| {
            lives.in_order.push(ProcessLife {
                pid,
                first: None,
                last: None,
                lines: 0,
                ended: None,
                span: (None, None),
            });
            lives.in_order.len() - 1
        });
        let life = &mut lives.in_order[slot];
        life.lines += 1 + usize::from(line.stands_for);
        if let Some(t) = line.clock_us() {
            life.span.0 = Some(life.span.0.map_or(t, |f| f.min(t)));
            life.span.1 = Some(life.span.1.map_or(t, |l| l.max(t)));
        }
        // The last word counts, except that a kill or crash is not undone by later lines.
        life.ended = match (life.ended, end) {
            (Some(ProcessEnd::OomKilled | ProcessEnd::Crashed), _) => life.ended,
            (_, Some(end)) => Some(end),
            (previous, None) => previous.filter(|e| *e != ProcessEnd::Failed),
        };
    }
    let mut result: Vec<ProgramProcesses> = programs
        .into_iter()
        .map(|(program, lives)| {
            let mut lives = lives.in_order;
            for life in &mut lives {
                let wall = |t: Option<i64>| t.filter(|t| *t > 1_000_000_000_000).map(format_time);
                life.first = wall(life.span.0);
                life.last = wall(life.span.1);
            }
            let long_lived = long_lived(&lives);
            let pids = lives.len();
            let listed = if lives.len() > LISTED_PIDS {
                let half = LISTED_PIDS / 2;
                let mut listed: Vec<ProcessLife> = lives[..half].to_vec();
                listed.extend_from_slice(&lives[lives.len() - half..]);
                if let Some(pid) = long_lived {
                    if !listed.iter().any(|l| l.pid == pid) {
                        listed.insert(0, lives.iter().find(|l| l.pid == pid).unwrap().clone());
                    }
                }
                listed
            } else {
                lives
            };
            ProgramProcesses {
                program: program.to_string(),
                host: None,
                pids,
                long_lived,
                processes: listed,
            }
        })
        .collect();
    result.sort_by(|a, b| b.pids.cmp(&a.pids).then_with(|| a.program.cmp(&b.program)));
    result
}

/// The PIDs of one program: in order of first sighting, and where each is in that list.
#[derive(Default)]
struct Lives {
    in_order: Vec<ProcessLife>,
    by_pid: HashMap<u32, usize>,
}

fn is_manager(identifier: &str) -> bool {
    matches!(
        identifier,
        "systemd" | "kernel" | "init" | "dockerd" | "containerd"
    )
}

fn end_of(rules: &RuleSet, line: &EvidenceLine) -> Option<ProcessEnd> {
    let has = |tag: Tag| {
        line.matches
            .iter()
            .any(|m| rules.signal(m.signal).has_tag(tag))
    };
    let error = line.matches.iter().any(|m| {
        rules.signal(m.signal).severity >= crate::rules::Severity::Error
            && !rules.signal(m.signal).has_tag(Tag::Noise)
    });
    if has(Tag::Oom) && has(Tag::ExitMarker) {
        Some(ProcessEnd::OomKilled)
    } else if has(Tag::Crash) {
        Some(ProcessEnd::Crashed)
    } else if has(Tag::StopMarker) || has(Tag::CleanExit) {
        Some(ProcessEnd::Stopped)
    } else if has(Tag::ExitMarker) {
        Some(ProcessEnd::Exited)
    } else if error {
        Some(ProcessEnd::Failed)
    } else {
        None
    }
}

/// A PID seen before the first sighting and after the last sighting of at least two other
/// PIDs of the program: of those, the one with the most others inside its span (the higher
/// PID on a tie).
///
/// Counting the spans inside each span one by one is quadratic, and a program that churns
/// through tens of thousands of PIDs (a worker per job, a restart loop over days) made that
/// the longest part of a run. So the spans are swept by descending start, each one's end
/// entered in a Fenwick tree over the ends, and a span's count is the number of ends below
/// its own among the spans that start after it.
fn long_lived(lives: &[ProcessLife]) -> Option<u32> {
    if lives.len() < 3 {
        return None;
    }
    let mut spans: Vec<(i64, i64, u32)> = lives
        .iter()
        .filter_map(|life| match life.span {
            (Some(from), Some(to)) => Some((from, to, life.pid)),
            _ => None,
        })
        .collect();
    spans.sort_unstable_by_key(|&(from, _, _)| std::cmp::Reverse(from));
    let mut ends: Vec<i64> = spans.iter().map(|&(_, to, _)| to).collect();
    ends.sort_unstable();
    ends.dedup();
    let mut entered = Fenwick::new(ends.len());
    let mut best: Option<(usize, u32)> = None;
    // Spans of one start are counted before any of them is entered: "inside" is strict.
    for same_start in spans.chunk_by(|a, b| a.0 == b.0) {
        for &(_, to, pid) in same_start {
            let inside = entered.count_below(ends.partition_point(|&end| end < to));
            if inside >= 2 {
                best = best.max(Some((inside, pid)));
            }
        }
        for &(_, to, _) in same_start {
            entered.add(ends.partition_point(|&end| end < to));
        }
    }
    best.map(|(_, pid)| pid)
}

/// Counts of entered positions, with the number below a position in logarithmic time.
struct Fenwick {
    tree: Vec<usize>,
}

impl Fenwick {
    fn new(positions: usize) -> Self {
        Self {
            tree: vec![0; positions + 1],
        }
    }

    /// Enters `position` (below the number of positions) once more.
    fn add(&mut self, position: usize) {
        let mut i = position + 1;
        while i < self.tree.len() {
            self.tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }

    /// How many entered positions are below `position`.
    fn count_below(&self, position: usize) -> usize {
        let (mut i, mut count) = (position, 0);
        while i > 0 {
            count += self.tree[i];
            i &= i - 1;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processes(log: &str) -> Vec<ProgramProcesses> {
        crate::detect::report_for(log).processes
    }

    #[test]
    fn pids_are_tracked_with_how_they_ended() {
        let log = "\
Jan 16 12:00:00 web api[100]: INFO:     Started server process [100]
Jan 16 12:00:01 web api[100]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use
Jan 16 12:00:10 web api[101]: INFO:     Started server process [101]
Jan 16 12:00:11 web api[101]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use
Jan 16 12:00:20 web kernel: Out of memory: Killed process 102 (api) total-vm:2000kB, anon-rss:1000kB, file-rss:0kB, shmem-rss:0kB
";
        let found = processes(log);
        assert_eq!(found.len(), 1, "{found:?}");
        let api = &found[0];
        assert_eq!(api.program, "api");
        assert_eq!(api.pids, 3);
        let ends: Vec<Option<ProcessEnd>> = api.processes.iter().map(|p| p.ended).collect();
        assert_eq!(
            ends,
            vec![
                Some(ProcessEnd::Failed),
                Some(ProcessEnd::Failed),
                Some(ProcessEnd::OomKilled)
            ]
        );
        assert_eq!(
            api.processes[0].first.as_deref(),
            Some("2026-01-16T12:00:00Z")
        );
        assert_eq!(api.long_lived, None);
    }

    #[test]
    fn a_pid_alive_throughout_while_others_churn_is_long_lived() {
        let mut log = String::from(
            "Jan 16 12:00:00 web api[7]: INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)\n",
        );
        for (second, pid) in [(10, 200), (24, 201), (38, 202)] {
            log.push_str(&format!(
                "Jan 16 12:00:{second} web api[{pid}]: INFO:     Started server process [{pid}]\n\
                 Jan 16 12:00:{second} web api[{pid}]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use\n"
            ));
        }
        log.push_str("Jan 16 12:00:50 web api[7]: INFO:     Finished server process [7]\n");
        let found = processes(&log);
        assert_eq!(found[0].long_lived, Some(7), "{found:?}");
        assert_eq!(found[0].processes[0].ended, Some(ProcessEnd::Stopped));
    }

    /// The definition, span by span.
    fn long_lived_by_definition(lives: &[ProcessLife]) -> Option<u32> {
        if lives.len() < 3 {
            return None;
        }
        lives
            .iter()
            .filter_map(|life| {
                let (Some(from), Some(to)) = life.span else {
                    return None;
                };
                let inside = lives
                    .iter()
                    .filter(|other| other.pid != life.pid)
                    .filter(|other| match other.span {
                        (Some(a), Some(b)) => from < a && b < to,
                        _ => false,
                    })
                    .count();
                (inside >= 2).then_some((inside, life.pid))
            })
            .max()
            .map(|(_, pid)| pid)
    }

    proptest::proptest! {
        #[test]
        fn the_sweep_finds_what_the_definition_finds(
            spans in proptest::collection::vec(
                (proptest::option::of(0..12i64), proptest::option::of(0..12i64)),
                0..30,
            ),
        ) {
            let lives: Vec<ProcessLife> = spans
                .into_iter()
                .enumerate()
                .map(|(pid, span)| ProcessLife {
                    pid: pid as u32,
                    first: None,
                    last: None,
                    lines: 1,
                    ended: None,
                    span,
                })
                .collect();
            proptest::prop_assert_eq!(long_lived(&lives), long_lived_by_definition(&lives));
        }
    }
}
