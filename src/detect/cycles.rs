//! What happens inside each cycle of a restart loop: how long each instance stayed up, the
//! last error before each death and how consistently the cycles end with it, and a timeline
//! of the restarts.
//!
//! Errors are the evidence lines whose signals are errors (or, failing that, warnings) and
//! not lifecycle markers. A cycle's window runs from one counted cycle to the next; the last
//! error in the window that belongs to the subject is that cycle's ending. A line belongs to
//! the subject when it names the subject's unit or identifier, or when it names neither the
//! subject nor anything else that loops (an application's own lines under `python[pid]`,
//! while systemd restarts the unit).

use std::cell::OnceCell;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};

use serde::Serialize;

use crate::evidence::EvidenceLine;
use crate::record::EnvelopeParser;
use crate::rules::{RuleSet, Severity, SignalIdx, Tag};

/// Buckets of the restart timeline.
pub const TIMELINE_BUCKETS: usize = 24;

/// Longest message kept for a cycle's last error.
const MESSAGE_CHARS: usize = 160;

/// The error most cycles end with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastError {
    /// The signal that matched the line.
    pub signal: String,
    /// The message of its latest occurrence, without the log envelope.
    pub message: String,
    /// Cycles that end with this error …
    pub cycles: usize,
    /// … out of the cycles whose end was seen.
    pub of: usize,
}

/// How lines are placed in order: by one clock, or by their position in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ordering {
    Wall,
    Boot,
    /// The clock of the line itself or of the nearest timed line before it in its source
    /// (`journalctl -o cat` with application stamps in some messages).
    Borrowed,
    Sequence,
}

/// A placed line: its clock readings and input position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    pub wall_us: Option<i64>,
    pub boot_us: Option<i64>,
    pub borrowed_us: Option<i64>,
    /// Index in the evidence.
    pub seq: usize,
}

/// Where each evidence line sits, asked for by index: its own clocks (read from the line)
/// and a clock borrowed from a timed line shortly before it in the same source. Only the
/// borrowed clocks of lines without a clock of their own are kept (most lines have one), so
/// this costs next to nothing per line, not a [`Place`].
pub(crate) struct Places<'e> {
    evidence: &'e [EvidenceLine],
    /// (index, borrowed clock) of the lines without a clock of their own that borrowed one,
    /// ascending by index.
    borrowed_us: Vec<(usize, i64)>,
}

impl<'e> Places<'e> {
    /// `borrow_within`: how many lines after a timed line its clock still holds.
    pub fn new(evidence: &'e [EvidenceLine], borrow_within: u64) -> Self {
        let mut last_clock: BTreeMap<usize, (u64, i64)> = BTreeMap::new();
        let mut borrowed_us = Vec::new();
        for (seq, line) in evidence.iter().enumerate() {
            if let Some(us) = line.clock_us() {
                last_clock.insert(line.source(), (line.line_no, us));
                continue;
            }
            let borrowed = last_clock
                .get(&line.source())
                .filter(|(at, _)| line.line_no.saturating_sub(*at) <= borrow_within);
            if let Some(&(_, us)) = borrowed {
                borrowed_us.push((seq, us));
            }
        }
        Self {
            evidence,
            borrowed_us,
        }
    }

    /// The evidence line at `seq`.
    pub fn line(&self, seq: usize) -> &'e EvidenceLine {
        &self.evidence[seq]
    }

    pub fn of(&self, seq: usize) -> Place {
        let line = &self.evidence[seq];
        let borrowed_us = line.clock_us().or_else(|| {
            self.borrowed_us
                .binary_search_by_key(&seq, |&(at, _)| at)
                .ok()
                .map(|found| self.borrowed_us[found].1)
        });
        Place {
            wall_us: line.timestamp_us.get(),
            boot_us: line.monotonic_us.get(),
            borrowed_us,
            seq,
        }
    }
}

/// A position in the chosen order: the time, then the input position for lines of one time.
pub(crate) type Position = (i64, usize);

impl Place {
    pub fn at(&self, ordering: Ordering) -> Option<i64> {
        match ordering {
            Ordering::Wall => self.wall_us,
            Ordering::Boot => self.boot_us,
            Ordering::Borrowed => self.borrowed_us,
            Ordering::Sequence => Some(self.seq as i64),
        }
    }

    pub fn position(&self, ordering: Ordering) -> Option<Position> {
        self.at(ordering).map(|t| (t, self.seq))
    }
}

/// One error line, as a candidate for the end of a cycle.
#[derive(Debug, Clone)]
pub(crate) struct ErrorLine {
    /// Its index in the evidence (placed on an ordering by [`Places`] when needed).
    seq: u32,
    /// 3: an error, 2: a warning, 1: an exit or failure marker with error severity (how the
    /// process died, when it said nothing itself).
    rank: u8,
    signal: SignalIdx,
}

fn rank(severity: Severity, tags: &[Tag]) -> u8 {
    const LIFECYCLE: [Tag; 12] = [
        Tag::RestartMarker,
        Tag::StartMarker,
        Tag::ReadyMarker,
        Tag::CleanExit,
        Tag::StartLimit,
        Tag::LoopState,
        Tag::StopMarker,
        Tag::Continuation,
        Tag::Noise,
        Tag::TracebackStart,
        Tag::TracebackFrame,
        Tag::TracebackCause,
    ];
    let lifecycle = tags.iter().any(|t| LIFECYCLE.contains(t));
    let exit = tags.contains(&Tag::ExitMarker) || tags.contains(&Tag::FailureMarker);
    match severity {
        Severity::Error | Severity::Critical if !lifecycle && !exit => 3,
        Severity::Warning if !lifecycle && !exit => 2,
        Severity::Error | Severity::Critical if exit && !lifecycle => 1,
        _ => 0,
    }
}

/// The cycle boundaries of one loop and how to read them.
pub(crate) struct Cycles<'a> {
    pub subject: &'a str,
    pub ordering: Ordering,
    /// Positions of the counted cycles, ascending.
    pub boundaries: Vec<Position>,
    /// The cycles were counted from starts (an error ends the cycle *after* its start).
    pub counted_from_starts: bool,
    /// Position of the subject's last death, for the cycle after the last boundary.
    pub last_death: Option<Position>,
    /// Position of the last start before the first boundary, bounding the first window.
    pub lead_in: Option<Position>,
}

/// The error most cycles end with, if any cycle's end was seen.
pub(crate) fn last_error(
    cycles: &Cycles<'_>,
    errors: &ErrorIndex,
    rules: &RuleSet,
    evidence: &[EvidenceLine],
) -> Option<LastError> {
    let own = Placed::new(errors.named(cycles.subject), errors, cycles.ordering);
    let shared = errors.unowned_on(cycles.ordering);

    let mut windows: Vec<(Position, Position)> = Vec::new();
    let b = &cycles.boundaries;
    // Counted from restarts or deaths, a cycle ends at its boundary; counted from starts, it
    // ends before the next start. The last instance's death ends one more.
    if let Some(&first) = b.first().filter(|_| !cycles.counted_from_starts) {
        windows.push((cycles.lead_in.unwrap_or((i64::MIN, 0)), first));
    }
    windows.extend(b.windows(2).map(|w| (w[0], w[1])));
    if let (Some(&last), Some(death)) = (b.last(), cycles.last_death) {
        if death > last {
            windows.push((last, death));
        }
    }

    // The end of each window: its last error or warning; failing those, the first failure
    // marker (systemd's "Failed at step EXEC …" before "Main process exited" and "Failed
    // with result").
    let mut endings: Vec<&ErrorLine> = Vec::new();
    for (low, high) in windows {
        let rank = |&(position, line): &(Position, usize)| (errors.errors[line].rank, position);
        // The highest rank, the last of it; failing any, the first line.
        let said = [own.said(low, high), shared.said(low, high)]
            .into_iter()
            .flatten()
            .max_by_key(rank);
        let first = [own.first(low, high), shared.first(low, high)]
            .into_iter()
            .flatten()
            .min();
        if let Some((_, line)) = said.or(first) {
            endings.push(&errors.errors[line]);
        }
    }
    let mut by_signal: BTreeMap<SignalIdx, (usize, &ErrorLine)> = BTreeMap::new();
    for e in &endings {
        let entry = by_signal.entry(e.signal).or_insert((0, e));
        entry.0 += 1;
        entry.1 = e;
    }
    let (signal, (count, latest)) = by_signal
        .into_iter()
        .max_by_key(|(_, (n, latest))| (*n, latest.seq))?;
    Some(LastError {
        signal: rules.signal(signal).id.clone(),
        message: message_of(&evidence[latest.seq as usize]),
        cycles: count,
        of: endings.len(),
    })
}

/// The error lines, found by what they name: each loop reads only the lines that can be
/// its own. A line belongs to a subject when it names it (as unit or identifier), or names
/// no unit and no other subject that loops (a program's own error lines, *unowned*).
/// Filtering every error line for every loop was quadratic in a log where thousands of
/// units loop; the unowned lines, which every loop shares, are placed once per ordering
/// and searched by window.
pub(crate) struct ErrorIndex<'p, 'e> {
    places: &'p Places<'e>,
    errors: Vec<ErrorLine>,
    /// Per unit or identifier, the lines naming it that are not unowned, ascending.
    by_name: HashMap<String, Vec<usize>>,
    /// Lines that name no unit and no looping subject: they can belong to any loop.
    unowned: Vec<usize>,
    /// The unowned lines placed on each [`Ordering`] (by its index), on first use.
    unowned_placed: [OnceCell<Placed>; 4],
}

impl<'p, 'e> ErrorIndex<'p, 'e> {
    /// The error lines of the evidence that a loop of `looping_subjects` can read, in input
    /// order: a line that names only subjects that do not loop is no loop's.
    pub(crate) fn new(
        rules: &RuleSet,
        evidence: &[EvidenceLine],
        places: &'p Places<'e>,
        normalize_unit: impl Fn(&str) -> String,
        looping_subjects: &HashSet<String>,
    ) -> Self {
        let ranks: Vec<u8> = rules
            .signals
            .iter()
            .map(|s| rank(s.severity, &s.tags))
            .collect();
        let mut index = Self {
            places,
            errors: Vec::new(),
            by_name: HashMap::new(),
            unowned: Vec::new(),
            unowned_placed: Default::default(),
        };
        if looping_subjects.is_empty() {
            return index;
        }
        for (seq, line) in evidence.iter().enumerate() {
            let best = line
                .matches
                .iter()
                .map(|m| (ranks[m.signal as usize], m.signal))
                .filter(|(rank, _)| *rank > 0)
                .max_by_key(|(rank, _)| *rank);
            let Some((rank, signal)) = best else {
                continue;
            };
            let unit = line
                .matches
                .iter()
                .find_map(|m| m.capture("unit"))
                .or(line.origin.unit.as_deref())
                .map(&normalize_unit);
            let error = ErrorLine {
                seq: u32::try_from(seq).expect("fewer than 2^32 evidence lines"),
                rank,
                signal,
            };
            index.add(
                error,
                unit.as_deref(),
                line.origin.identifier.as_deref(),
                looping_subjects,
            );
        }
        index
    }

    /// Files one error line under the looping subjects it names, or as unowned when it
    /// names no unit and no looping subject; a line naming only other subjects is left out.
    fn add(
        &mut self,
        error: ErrorLine,
        unit: Option<&str>,
        identifier: Option<&str>,
        looping_subjects: &HashSet<String>,
    ) {
        let i = self.errors.len();
        let identifier_loops = identifier.filter(|ident| looping_subjects.contains(*ident));
        if unit.is_none() && identifier_loops.is_none() {
            self.unowned.push(i);
        } else {
            let unit_loops = unit.filter(|unit| looping_subjects.contains(*unit));
            if unit_loops.is_none() && identifier_loops.is_none() {
                return;
            }
            if let Some(unit) = unit_loops {
                self.by_name.entry(unit.to_string()).or_default().push(i);
            }
            if let Some(identifier) = identifier_loops.filter(|&ident| Some(ident) != unit) {
                self.by_name
                    .entry(identifier.to_string())
                    .or_default()
                    .push(i);
            }
        }
        self.errors.push(error);
    }

    /// The lines naming `subject` (not the unowned ones), ascending.
    fn named(&self, subject: &str) -> impl Iterator<Item = usize> + '_ {
        self.by_name.get(subject).into_iter().flatten().copied()
    }

    fn unowned_on(&self, ordering: Ordering) -> &Placed {
        self.unowned_placed[ordering as usize]
            .get_or_init(|| Placed::new(self.unowned.iter().copied(), self, ordering))
    }

    /// Every line that can belong to `subject`, ascending.
    #[cfg(test)]
    fn of(&self, subject: &str) -> Vec<usize> {
        let mut lines: Vec<usize> = self.named(subject).chain(self.unowned.clone()).collect();
        lines.sort_unstable();
        lines
    }
}

/// Error lines placed on one ordering, by position: all of them, and the errors (rank 3) and
/// warnings (rank 2) apart, so that a window's last error or warning and its first line
/// each take a binary search.
struct Placed {
    all: Vec<(Position, usize)>,
    errors: Vec<(Position, usize)>,
    warnings: Vec<(Position, usize)>,
}

impl Placed {
    /// `lines` (indexes into `errors`) that have a position on `ordering`.
    fn new(lines: impl Iterator<Item = usize>, index: &ErrorIndex, ordering: Ordering) -> Self {
        let errors = &index.errors;
        let place = |i: usize| index.places.of(errors[i].seq as usize);
        let mut all: Vec<(Position, usize)> = lines
            .filter_map(|i| place(i).position(ordering).map(|p| (p, i)))
            .collect();
        all.sort_unstable();
        let of_rank = |rank: u8| -> Vec<(Position, usize)> {
            all.iter()
                .copied()
                .filter(|&(_, i)| errors[i].rank == rank)
                .collect()
        };
        let (errors, warnings) = (of_rank(3), of_rank(2));
        Self {
            all,
            errors,
            warnings,
        }
    }

    /// The lines after `low`, up to and including `high`.
    fn window(lines: &[(Position, usize)], low: Position, high: Position) -> &[(Position, usize)] {
        let from = lines.partition_point(|(p, _)| *p <= low);
        let to = lines.partition_point(|(p, _)| *p <= high);
        &lines[from..to.max(from)]
    }

    /// The window's last error, else its last warning.
    fn said(&self, low: Position, high: Position) -> Option<(Position, usize)> {
        let last = |lines: &[(Position, usize)]| Self::window(lines, low, high).last().copied();
        last(&self.errors).or_else(|| last(&self.warnings))
    }

    /// The window's first line.
    fn first(&self, low: Position, high: Position) -> Option<(Position, usize)> {
        Self::window(&self.all, low, high).first().copied()
    }
}

/// The line's message without its envelope, cut to a readable length.
pub(crate) fn message_of(line: &EvidenceLine) -> String {
    let text = line.text.get();
    let envelope = EnvelopeParser::new().parse(text.as_bytes());
    let message = crate::record::lossy(&envelope.message);
    let message = message.trim();
    match message.char_indices().nth(MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_string(),
    }
}

/// Restarts per time bucket between the first and the last, when they span any time: about
/// two restarts a bucket, at least 4 and at most [`TIMELINE_BUCKETS`] buckets.
pub(crate) fn timeline(times: &[i64]) -> Vec<u32> {
    let (Some(&first), Some(&last)) = (times.iter().min(), times.iter().max()) else {
        return Vec::new();
    };
    if last <= first || times.len() < 3 {
        return Vec::new();
    }
    let n = (times.len() / 2).clamp(4, TIMELINE_BUCKETS);
    let span = (last - first) as f64;
    let mut buckets = vec![0u32; n];
    for &t in times {
        let i = (((t - first) as f64 / span) * n as f64) as usize;
        buckets[i.min(n - 1)] += 1;
    }
    buckets
}

/// How long each instance ran: from the first start after a death (the supervisor's
/// "Started", before the program's own start-up lines) to the next death (median, seconds).
pub(crate) fn uptime(starts_and_deaths: &[(bool, i64)]) -> Option<f64> {
    let mut uptimes = Vec::new();
    let mut started = None;
    for &(is_start, at) in starts_and_deaths {
        if is_start {
            started = started.or(Some(at));
        } else if let Some(start) = started.take() {
            if at >= start {
                uptimes.push((at - start) as f64 / 1e6);
            }
        }
    }
    super::stats::median(&uptimes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_spreads_restarts_over_buckets() {
        let times: Vec<i64> = (0..48).map(|i| i * 1_000_000).collect();
        let buckets = timeline(&times);
        assert_eq!(buckets.len(), 24);
        assert_eq!(buckets.iter().sum::<u32>(), 48);
        assert!(buckets.iter().all(|&n| n >= 1));
        assert_eq!(timeline(&[0, 10, 20, 30, 40, 50, 60, 70, 80, 90]).len(), 5);
        assert!(timeline(&[5, 5, 5]).is_empty());
        assert!(timeline(&[1, 2]).is_empty());
    }

    #[test]
    fn uptime_is_start_to_death() {
        let s = 1_000_000;
        let events = [
            (true, 0),
            (false, 4 * s),
            (true, 14 * s),
            (true, 17 * s),
            (false, 18 * s),
            (false, 19 * s),
            (true, 28 * s),
            (false, 33 * s),
        ];
        assert_eq!(uptime(&events), Some(4.0));
        assert_eq!(uptime(&[(false, 1)]), None);
    }

    #[test]
    fn lines_of_other_looping_units_do_not_belong() {
        let looping: HashSet<String> = ["worker".to_string(), "api".to_string()]
            .into_iter()
            .collect();
        let places = Places::new(&[], 0);
        let mut errors = ErrorIndex {
            places: &places,
            errors: Vec::new(),
            by_name: HashMap::new(),
            unowned: Vec::new(),
            unowned_placed: Default::default(),
        };
        for (seq, unit, ident) in [
            (0, Some("api"), None),
            (1, None, Some("python")),
            (2, Some("db"), None),
            (3, None, Some("worker")),
            (4, Some("api"), Some("api")),
            (5, None, Some("api")),
            (6, Some("db"), Some("api")),
            (7, Some("db"), Some("postgres")),
        ] {
            let error = ErrorLine {
                seq,
                rank: 3,
                signal: 0,
            };
            errors.add(error, unit, ident, &looping);
        }
        let of = |subject: &str| {
            errors
                .of(subject)
                .into_iter()
                .map(|i| errors.errors[i].seq)
                .collect::<Vec<_>>()
        };
        assert_eq!(of("api"), [0, 1, 4, 5, 6]);
        assert_eq!(of("worker"), [1, 3]);
        // Lines that name only subjects that do not loop are no loop's: none is kept.
        assert_eq!(errors.errors.len(), 6);
    }
}
