//! Restart loops: which service keeps coming back, how often, and how regularly.
//!
//! Every line tagged as a restart, start, death, stop or start-limit marker becomes an event
//! of a *subject*: the unit the line names (a `unit` capture), else the process (a `process`
//! capture), else the envelope's unit or identifier. A subject's cycles are counted from the
//! most specific markers it has: supervisor restarts, else starts, else deaths of distinct
//! PIDs. Starts that follow a deliberate stop (an operator's `systemctl restart`) are not a
//! loop, and neither is one restart. The period is the median interval between cycles, the
//! jitter the median absolute deviation; with a single restart the delay between the death
//! and the scheduled restart (systemd's `RestartSec=`) stands in for the period.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};

use serde::Serialize;

use super::cycles::{self, Cycles, LastError, Ordering, Places};
use super::stats::{median, median_absolute_deviation};
use crate::evidence::EvidenceLine;
use crate::record::Level;
use crate::rules::{RuleSet, Tag};
use crate::scan::{signals_capturing, SignalMatch};

/// systemd's default start limit: `StartLimitBurst=5` starts within
/// `StartLimitIntervalSec=10s`, so restarting faster than every 2 s hits it.
const DEFAULT_START_LIMIT_PERIOD_S: f64 = 2.0;

/// A line without a clock borrows the clock of a timed line at most this many lines before
/// it in its source.
const BORROW_CLOCK_LINES: u64 = 100;

/// The `unit` of a loop whose lines name no unit, process or program.
pub const UNNAMED_SUBJECT: &str = "(unnamed)";

/// How the restarts are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoopPattern {
    /// Regular interval (a fixed `RestartSec=`).
    FixedInterval,
    /// Growing intervals (docker and Kubernetes back-off).
    Backoff,
    Irregular,
    /// Too few timed cycles to tell.
    Unknown,
}

/// A service that restarts again and again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestartLoop {
    pub unit: String,
    /// The host it loops on, when the logs name one (see [`crate::hosts`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Restarts seen in the logs.
    pub restarts: usize,
    /// The supervisor's own restart counter, highest value seen.
    pub restart_counter: Option<u64>,
    pub period_s: Option<f64>,
    pub jitter_s: Option<f64>,
    pub pattern: LoopPattern,
    /// First and last cycle, RFC 3339 UTC, where the logs carry wall-clock time.
    pub first: Option<String>,
    pub last: Option<String>,
    pub start_limit_hit: bool,
    /// Restarting faster than systemd's default start limit allows (5 starts in 10 s): the
    /// unit will soon be given up on unless its limits were raised.
    pub start_limit_near: bool,
    /// How long each instance stayed up, from its start to its death (median seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptime_s: Option<f64>,
    /// The error the cycles end with, and in how many of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<LastError>,
    /// Restarts per equal slice of time from `first` to `last` (for a sparkline).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<u32>,
    /// Memory figures of the service (peak per run, RSS when OOM-killed), oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub memory: Vec<super::memory::MemoryReading>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_trend: Option<super::memory::MemoryTrend>,
    /// A back-off loop's first and last interval between restarts: how far it has grown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervals_s: Option<(f64, f64)>,
    /// The longest restart delay a supervisor announced (the kubelet's `back-off 2m40s`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_s: Option<f64>,
    /// PID of the systemd manager restarting it: 1 for system units, another PID for a user
    /// manager (`systemd --user`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_pid: Option<u32>,
    /// Which markers the cycles were counted from (`restart`, `start`, `death`).
    pub counted_from: &'static str,
    /// `(source, line)` of each counted cycle (the first 50).
    #[serde(skip)]
    pub cycle_lines: Vec<(usize, u64)>,
    /// Evidence index of every counted cycle.
    #[serde(skip)]
    cycle_seqs: Vec<usize>,
    /// The name the loop's events were grouped under (empty for none).
    #[serde(skip)]
    subject: String,
    /// Clock span of the cycles (wall or boot time), for matching loops of one service.
    #[serde(skip)]
    span_us: Option<(i64, i64)>,
    /// The subject is a unit (not only a program name).
    #[serde(skip)]
    named_by_unit: bool,
}

impl RestartLoop {
    /// The clock span of its cycles (wall time, else time since boot), when they have one.
    pub(crate) fn span_us(&self) -> Option<(i64, i64)> {
        self.span_us
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EventKind {
    Restart,
    LoopState,
    Start,
    Death,
    Stop,
    CleanExit,
    StartLimit,
}

/// One lifecycle line of a subject. Its clocks, position and the PID of a manager that
/// logged it are read from the evidence by `seq` ([`Places`]) when needed, so an event takes
/// 32 bytes: busy logs have hundreds of thousands of them (timer and session units start
/// and stop all day).
#[derive(Debug, Clone)]
struct Event {
    /// The time on the clock the subject's events are read on (see [`on_one_clock`]);
    /// [`NO_CLOCK`] for none.
    clock: i64,
    /// Index of its line in the evidence ([`Event::seq`]).
    line: u32,
    pid: Option<u32>,
    /// The supervisor's restart counter, [`NO_COUNTER`] for none (a value from `u32::MAX`
    /// on is not kept).
    counter: u32,
    /// The number its subject got in order of first appearance.
    subject: u32,
    kind: EventKind,
    /// Which of its line's matches it came from (past 65,535, 65,535): a line's events of
    /// one subject stay in the order of its matches when the events are grouped by subject.
    match_on_line: u16,
    /// A systemd instance logged the line (its PID is the line's: 1 for the system
    /// manager).
    by_manager: bool,
}

/// [`Event::clock`] when the event has no time on the chosen clock.
const NO_CLOCK: i64 = i64::MIN;
/// [`Event::counter`] when the line gives no restart counter.
const NO_COUNTER: u32 = u32::MAX;

impl Event {
    fn clock_us(&self) -> Option<i64> {
        (self.clock != NO_CLOCK).then_some(self.clock)
    }

    /// Index of its line in the evidence.
    fn seq(&self) -> usize {
        self.line as usize
    }

    fn counter(&self) -> Option<u32> {
        (self.counter != NO_COUNTER).then_some(self.counter)
    }
}

const _: () = assert!(std::mem::size_of::<Event>() <= 32);

/// The captures a lifecycle event reads, found in one pass over the match's captures (a
/// detector that asked for each by name walked them five times, on every such line). The
/// first group of a name that captured wins, as with [`SignalMatch::capture`].
#[derive(Default)]
struct EventCaptures<'m> {
    unit: Option<&'m str>,
    process: Option<&'m str>,
    description: Option<&'m str>,
    pid: Option<&'m str>,
    counter: Option<&'m str>,
}

impl<'m> EventCaptures<'m> {
    fn of(m: &'m SignalMatch) -> Self {
        let mut found = Self::default();
        for (name, value) in m.captures() {
            let slot = match name {
                "unit" => &mut found.unit,
                "process" => &mut found.process,
                "description" => &mut found.description,
                "pid" => &mut found.pid,
                "counter" => &mut found.counter,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        found
    }
}

/// Finds restart loops in `evidence` (in input order).
pub fn detect_restart_loops(rules: &RuleSet, evidence: &[EvidenceLine]) -> Vec<RestartLoop> {
    let kinds: Vec<Option<EventKind>> = rules.signals.iter().map(|s| event_kind(&s.tags)).collect();
    let places = Places::new(evidence, BORROW_CLOCK_LINES);
    // Subjects are numbered as they appear and all events go into one list, grouped by
    // subject afterwards: a busy log has tens of thousands of subjects with one or two
    // events each (every login session is a unit of its own), and a list per subject would
    // cost more than its events.
    let mut subject_numbers: HashMap<String, u32> = HashMap::new();
    let mut named_by_unit: Vec<bool> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    for (seq, line) in evidence.iter().enumerate() {
        for (match_on_line, m) in line.matches.iter().enumerate() {
            let Some(kind) = kinds[m.signal as usize] else {
                continue;
            };
            let named = EventCaptures::of(m);
            let name = subject_of(line, named.unit, named.process, named.description);
            let subject = match subject_numbers.get(name) {
                Some(&number) => number,
                None => {
                    // As many subjects as events at most: far below `u32::MAX` in memory.
                    let number = named_by_unit.len() as u32;
                    subject_numbers.insert(name.to_string(), number);
                    named_by_unit.push(false);
                    number
                }
            };
            if named.unit.is_some() || line.origin.unit.is_some() {
                named_by_unit[subject as usize] = true;
            }
            let event = Event {
                kind,
                clock: NO_CLOCK,
                line: u32::try_from(seq).expect("fewer than 2^32 evidence lines"),
                pid: named.pid.and_then(|p| p.parse().ok()).or(line.pid),
                by_manager: line.pid.is_some()
                    && line.origin.identifier.as_deref() == Some("systemd"),
                counter: named
                    .counter
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(NO_COUNTER),
                subject,
                match_on_line: u16::try_from(match_on_line).unwrap_or(u16::MAX),
            };
            // One line is one event of a kind, even when several signals match it (the
            // wording and the MESSAGE_ID); what one signal captured completes the other.
            match events
                .iter_mut()
                .rev()
                .take_while(|e| e.seq() == seq)
                .filter(|e| e.subject == subject)
                .take(4)
                .find(|e| e.kind == kind)
            {
                Some(same) => {
                    if same.counter == NO_COUNTER {
                        same.counter = event.counter;
                    }
                    same.pid = same.pid.or(event.pid);
                }
                None => events.push(event),
            }
        }
    }
    let mut names = vec![String::new(); named_by_unit.len()];
    for (name, number) in subject_numbers {
        names[number as usize] = name;
    }
    // Each subject's events together, in input order; in place.
    events.sort_unstable_by_key(|e| (e.subject, e.seq(), e.match_on_line));
    let mut bounds = vec![0usize; names.len() + 1];
    for event in &events {
        bounds[event.subject as usize + 1] += 1;
    }
    for number in 0..names.len() {
        bounds[number + 1] += bounds[number];
    }
    // Subjects in name order, as the report lists their loops.
    let mut by_name: Vec<usize> = (0..names.len()).collect();
    by_name.sort_unstable_by(|&a, &b| names[a].cmp(&names[b]));
    let judged: Vec<(RestartLoop, Ordering, Vec<Event>)> = by_name
        .into_iter()
        .filter_map(|number| {
            let of_subject = &mut events[bounds[number]..bounds[number + 1]];
            let ordering = on_one_clock(of_subject, &places);
            let subject = std::mem::take(&mut names[number]);
            judge(subject, of_subject, &places).map(|l| {
                let looped = RestartLoop {
                    named_by_unit: named_by_unit[number],
                    ..l
                };
                (looped, ordering, of_subject.to_vec())
            })
        })
        .collect();
    drop(events);
    let kept = drop_echoes(judged);
    let looping: HashSet<String> = kept.iter().map(|(l, _, _)| l.subject.clone()).collect();
    let errors = cycles::ErrorIndex::new(rules, evidence, &places, normalize_unit, &looping);
    let mut loops: Vec<RestartLoop> = kept
        .into_iter()
        .map(|(mut looped, ordering, events)| {
            describe_cycles(&mut looped, ordering, &events, |c| {
                cycles::last_error(c, &errors, rules, evidence)
            });
            looped
        })
        .collect();
    super::memory::attach_memory(&mut loops, rules, evidence);
    attach_backoff(&mut loops, rules, evidence);
    loops
}

/// `2m40s`, `10s`, `1m0s` (Go's `time.Duration` as the kubelet prints it).
fn parse_go_duration(text: &str) -> Option<f64> {
    let (minutes, rest) = match text.split_once('m') {
        Some((m, rest)) => (m.parse::<f64>().ok()?, rest),
        None => (0.0, text),
    };
    let seconds = match rest.strip_suffix('s') {
        Some(s) if !s.is_empty() => s.parse::<f64>().ok()?,
        _ if rest.is_empty() => 0.0,
        _ => return None,
    };
    Some(minutes * 60.0 + seconds)
}

/// The longest back-off a supervisor announced for each loop's subject; a supervisor that
/// says it backs off makes the loop a back-off loop whatever the intervals looked like.
fn attach_backoff(loops: &mut [RestartLoop], rules: &RuleSet, evidence: &[EvidenceLine]) {
    if loops.is_empty() {
        return;
    }
    let names = LoopNames::new(loops);
    let has_backoff = signals_capturing(rules, &["backoff"]);
    for line in evidence {
        for m in line
            .matches
            .iter()
            .filter(|m| has_backoff[m.signal as usize])
        {
            let Some(delay) = m.capture("backoff").and_then(parse_go_duration) else {
                continue;
            };
            let Some(slot) = names.find(m.capture("process")) else {
                continue;
            };
            let looped = &mut loops[slot];
            looped.backoff_s = Some(looped.backoff_s.map_or(delay, |d: f64| d.max(delay)));
            looped.pattern = LoopPattern::Backoff;
        }
    }
}

/// Fills in what happened inside the cycles: uptime, last error, timeline.
fn describe_cycles(
    looped: &mut RestartLoop,
    ordering: Ordering,
    events: &[Event],
    last_error: impl Fn(&Cycles<'_>) -> Option<LastError>,
) {
    let counted = |e: &&Event| looped.cycle_seqs.binary_search(&e.seq()).is_ok();
    let kind = match looped.counted_from {
        "restart" => EventKind::Restart,
        "start" => EventKind::Start,
        _ => EventKind::Death,
    };
    let position = |e: &Event| match ordering {
        Ordering::Sequence => Some((e.seq() as i64, e.seq())),
        _ => e.clock_us().map(|t| (t, e.seq())),
    };
    let mut boundaries: Vec<cycles::Position> = events
        .iter()
        .filter(|e| e.kind == kind)
        .filter(counted)
        .filter_map(position)
        .collect();
    boundaries.sort_unstable();
    let first = boundaries.first().copied();
    let lead_in = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Start | EventKind::Restart))
        .filter_map(position)
        .filter(|&p| first.is_some_and(|f| p < f))
        .max();
    // The death of an instance started after the last counted cycle (not the failure
    // systemd logs when it refuses to start again).
    let last_boundary = boundaries.last().copied();
    let last_death = events
        .iter()
        .filter(|e| e.kind == EventKind::Death)
        .filter_map(position)
        .max()
        .filter(|&death| {
            events
                .iter()
                .filter(|e| e.kind == EventKind::Start)
                .filter_map(position)
                .any(|start| start < death && last_boundary.is_some_and(|b| start >= b))
        });
    let cycles = Cycles {
        subject: &looped.subject,
        ordering,
        boundaries,
        counted_from_starts: kind == EventKind::Start,
        last_death,
        lead_in,
    };
    looped.last_error = last_error(&cycles);
    if ordering == Ordering::Sequence {
        return;
    }
    let lifetimes: Vec<(bool, i64)> = events
        .iter()
        .filter_map(|e| {
            let start = matches!(e.kind, EventKind::Start | EventKind::Restart);
            let death = e.kind == EventKind::Death;
            (start || death).then_some((start, e.clock_us()?))
        })
        .collect();
    looped.uptime_s = cycles::uptime(&lifetimes).map(round_ms);
    let times: Vec<i64> = cycles.boundaries.iter().map(|(t, _)| *t).collect();
    looped.timeline = cycles::timeline(&times);
}

/// A program's own start-up lines repeat its unit's loop (uvicorn's "Started server
/// process" once per systemd restart): such a loop, named only by its program, is dropped
/// when the unit loops over the same time account for about as many restarts, or up to
/// twice as many (two units running the same program, as in a system unit and a user unit
/// fighting over a port, add up).
fn drop_echoes<T>(loops: Vec<(RestartLoop, Ordering, T)>) -> Vec<(RestartLoop, Ordering, T)> {
    let units: Vec<&RestartLoop> = loops
        .iter()
        .map(|(l, _, _)| l)
        .filter(|l| l.named_by_unit)
        .collect();
    let echoes: Vec<bool> = loops
        .iter()
        .map(|(l, _, _)| !l.named_by_unit && is_echo(l, &units))
        .collect();
    loops
        .into_iter()
        .zip(echoes)
        .filter(|(_, echo)| !echo)
        .map(|(l, _)| l)
        .collect()
}

fn is_echo(program: &RestartLoop, units: &[&RestartLoop]) -> bool {
    let overlapping: Vec<&&RestartLoop> = units
        .iter()
        .filter(|unit| match (unit.span_us, program.span_us) {
            (Some((a0, a1)), Some((b0, b1))) => a0 <= b1 && b0 <= a1,
            // Without clocks (journalctl -o cat) only the counts can tell.
            (None, None) => true,
            _ => false,
        })
        .collect();
    let restarts: usize = overlapping.iter().map(|u| u.restarts).sum();
    // Fewer restarts than the units account for is still an echo, down to half of them:
    // the program's starts of two units interleave, and a start while the other unit's
    // process runs is not counted as a restart of the program.
    let tolerance = 2.max(restarts / 5);
    !overlapping.is_empty()
        && program.restarts <= restarts + tolerance
        && program.restarts * 2 + tolerance >= restarts
}

fn event_kind(tags: &[Tag]) -> Option<EventKind> {
    let order = [
        (Tag::StartLimit, EventKind::StartLimit),
        (Tag::LoopState, EventKind::LoopState),
        (Tag::RestartMarker, EventKind::Restart),
        (Tag::StopMarker, EventKind::Stop),
        (Tag::CleanExit, EventKind::CleanExit),
        (Tag::StartMarker, EventKind::Start),
        (Tag::ExitMarker, EventKind::Death),
        (Tag::Crash, EventKind::Death),
        (Tag::FailureMarker, EventKind::Death),
    ];
    order
        .iter()
        .find(|(tag, _)| tags.contains(tag))
        .map(|(_, kind)| *kind)
}

/// The name a line's events are grouped under: a part of the line or its captures, so
/// naming an event allocates nothing.
pub(super) fn subject_of<'a>(
    line: &'a EvidenceLine,
    unit: Option<&'a str>,
    process: Option<&'a str>,
    description: Option<&'a str>,
) -> &'a str {
    if let Some(unit) = unit.or(line.origin.unit.as_deref()) {
        return unit_stem(unit);
    }
    if let Some(process) = process {
        return process;
    }
    // Old systemd names units by their Description= in Starting/Started lines.
    if let Some(description) = description {
        return description.trim();
    }
    match line.origin.identifier.as_deref() {
        Some(ident) if ident != "systemd" && ident != "kernel" => ident,
        _ => "",
    }
}

/// The loop a line about a name (a unit, a process, a pod) belongs to: the loop grouped
/// under that name or reported under it (the first such), else the only loop there is.
/// Looked up, not searched for: every memory figure and back-off line asks.
pub(crate) struct LoopNames {
    by_name: HashMap<String, usize>,
    loops: usize,
}

impl LoopNames {
    pub(crate) fn new(loops: &[RestartLoop]) -> Self {
        let mut by_name = HashMap::new();
        for (i, looped) in loops.iter().enumerate() {
            by_name.entry(looped.subject.clone()).or_insert(i);
            by_name.entry(looped.unit.clone()).or_insert(i);
        }
        Self {
            by_name,
            loops: loops.len(),
        }
    }

    pub(crate) fn find(&self, name: Option<&str>) -> Option<usize> {
        let named = name.and_then(|n| self.by_name.get(n).copied());
        named.or(if self.loops == 1 { Some(0) } else { None })
    }
}

/// `api.service`, `api` and `api.service.` name one unit.
pub(crate) fn normalize_unit(unit: &str) -> String {
    unit_stem(unit).to_string()
}

/// [`normalize_unit`] as a part of `unit`.
fn unit_stem(unit: &str) -> &str {
    let unit = unit.trim().trim_end_matches('.');
    unit.strip_suffix(".service").unwrap_or(unit)
}

/// The subject's events on one clock, in time order where every event has a time: rotated
/// files and several sources arrive in any order, and wall-clock and since-boot times must
/// not be mixed in one interval. Without either, a clock borrowed from the timed lines
/// nearby (application stamps inside `journalctl -o cat` messages); without any, input
/// order alone.
fn on_one_clock(events: &mut [Event], places: &Places<'_>) -> Ordering {
    let ordering = [Ordering::Wall, Ordering::Boot, Ordering::Borrowed]
        .into_iter()
        .find(|&o| events.iter().any(|e| places.of(e.seq()).at(o).is_some()))
        .unwrap_or(Ordering::Sequence);
    for event in events.iter_mut() {
        event.clock = match ordering {
            Ordering::Sequence => None,
            _ => places.of(event.seq()).at(ordering),
        }
        .unwrap_or(NO_CLOCK);
    }
    if ordering != Ordering::Sequence && events.iter().all(|e| e.clock_us().is_some()) {
        // Unique keys (a line's events of one subject differ in their match), so the
        // unstable sort keeps the order of equal times and lines, and sorts in place: a
        // stable sort would borrow a buffer of up to the events' size.
        events.sort_unstable_by_key(|e| (e.clock_us(), e.seq(), e.match_on_line));
    }
    ordering
}

fn judge(subject: String, events: &[Event], places: &Places<'_>) -> Option<RestartLoop> {
    let count = |kind| events.iter().filter(|e| e.kind == kind).count();
    let start_limit_hit = count(EventKind::StartLimit) > 0;
    let loop_state = count(EventKind::LoopState) > 0;
    let restart_counter = events
        .iter()
        .filter_map(Event::counter)
        .max()
        .map(u64::from);
    let deaths = count(EventKind::Death);

    let (counted_from, cycles): (&'static str, Vec<&Event>) = if count(EventKind::Restart) > 0 {
        (
            "restart",
            events
                .iter()
                .filter(|e| e.kind == EventKind::Restart)
                .collect(),
        )
    } else if count(EventKind::Start) > 1 {
        ("start", undeliberate_starts(events, places))
    } else {
        ("death", deaths_of_distinct_pids(events))
    };
    let restarts = match counted_from {
        "restart" => cycles.len(),
        _ => cycles.len().saturating_sub(1),
    };
    let is_loop = restarts >= 2
        || restart_counter.is_some_and(|c| c >= 2)
        || loop_state
        || (start_limit_hit && (restarts > 0 || deaths > 0 || counted_from == "restart"));
    if !is_loop {
        return None;
    }

    let times: Vec<i64> = cycles.iter().filter_map(|e| e.clock_us()).collect();
    let intervals: Vec<f64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64 / 1e6)
        .filter(|d| *d >= 0.0)
        .collect();
    let (mut period_s, mut jitter_s) = (median(&intervals), median_absolute_deviation(&intervals));
    if intervals.is_empty() {
        period_s = restart_delay(events);
        jitter_s = None;
    }
    if period_s.is_some_and(|p| p < 0.001) {
        (period_s, jitter_s) = (None, None);
    }
    let walls: Vec<i64> = cycles
        .iter()
        .filter_map(|e| places.of(e.seq()).wall_us)
        .collect();
    let mut cycle_seqs: Vec<usize> = cycles.iter().map(|e| e.seq()).collect();
    cycle_seqs.sort_unstable();
    let manager_pid = most_common(
        events
            .iter()
            .filter(|e| e.by_manager)
            .filter_map(|e| places.line(e.seq()).pid),
    );
    let start_limit_near = !start_limit_hit
        && manager_pid.is_some()
        && period_s.is_some_and(|p| p < DEFAULT_START_LIMIT_PERIOD_S);
    Some(RestartLoop {
        unit: if subject.is_empty() {
            UNNAMED_SUBJECT.to_string()
        } else {
            subject.clone()
        },
        host: None,
        subject,
        restarts: restarts.max(usize::from(loop_state || start_limit_hit)),
        restart_counter,
        period_s: period_s.map(round_ms),
        jitter_s: jitter_s.map(round_ms),
        pattern: pattern_of(&intervals),
        intervals_s: intervals
            .first()
            .zip(intervals.last())
            .filter(|_| pattern_of(&intervals) == LoopPattern::Backoff)
            .map(|(a, b)| (round_ms(*a), round_ms(*b))),
        backoff_s: None,
        first: walls.first().map(|&t| format_time(t)),
        last: walls.last().map(|&t| format_time(t)),
        start_limit_hit,
        start_limit_near,
        uptime_s: None,
        last_error: None,
        timeline: Vec::new(),
        memory: Vec::new(),
        memory_trend: None,
        counted_from,
        cycle_lines: cycles
            .iter()
            .take(50)
            .map(|e| {
                let line = places.line(e.seq());
                (line.source(), line.line_no)
            })
            .collect(),
        cycle_seqs,
        span_us: times.first().zip(times.last()).map(|(a, b)| (*a, *b)),
        manager_pid,
        named_by_unit: false,
    })
}

/// Two starts of different processes closer than this, with no death between them, are
/// processes started side by side (a pre-forking server's workers), not a restart, unless
/// the first one logged an error before the second started. Two seconds, not one: with
/// stamps of whole seconds, workers booted within a second can straddle a second's turn.
const SIBLING_START_US: i64 = 2_000_000;

/// Evidence lines read between two close starts for an error of the first process.
const MAX_LINES_BETWEEN_SIBLINGS: usize = 4096;

/// The starts that began a new cycle: the first start, then each start after a death, or
/// after the previous process went away unseen (a new PID with no clean finish). Starts
/// after a deliberate stop or a clean finish (a timer's oneshot job) are not restarts.
///
/// A new PID alone is not a restart when the processes run side by side, as a pre-forking
/// server's master and workers do (gunicorn's `Booting worker with pid: 9`, uvicorn's
/// `Started server process [9]` in each worker): a PID that already started, a start
/// within [`SIBLING_START_US`] of the previous process's start while that process logged
/// no error, or a start after which the previous process is still heard from.
fn undeliberate_starts<'e>(events: &'e [Event], places: &Places<'_>) -> Vec<&'e Event> {
    // The last event of each PID, to tell whether a process lives on after a new one starts.
    let mut last_of_pid: HashMap<u32, usize> = HashMap::new();
    for (at, event) in events.iter().enumerate() {
        if let Some(pid) = event.pid.filter(|_| !event.by_manager) {
            last_of_pid.insert(pid, at);
        }
    }
    // The run (deaths seen so far) in which each PID started: a PID that started in the
    // current run is a process already running; after a death it may come back (a
    // container's PID 1).
    let mut started_in: HashMap<u32, usize> = HashMap::new();
    let mut run = 0;
    let mut starts: Vec<&Event> = Vec::new();
    let (mut died, mut settled) = (false, false);
    // The previous start of a process (not a manager's line, which names no process).
    let mut last_process_start: Option<&Event> = None;
    for (at, event) in events.iter().enumerate() {
        match event.kind {
            EventKind::Death => died = true,
            EventKind::Stop | EventKind::CleanExit => settled = true,
            EventKind::Start => {
                // A service manager's "Started x.service" names the manager's PID, not the
                // process it started; that process's own start line follows it. The two
                // tell of one start, so the manager's line neither sets the PID a new
                // process is told by nor forgets that the start was deliberate.
                let by_manager = event.by_manager;
                let pid = event.pid.filter(|_| !by_manager);
                if died {
                    run += 1;
                }
                let last_pid = last_process_start.and_then(|before| before.pid);
                let new_process = match (pid, last_pid) {
                    (Some(pid), Some(previous)) if pid != previous => {
                        let already_running = started_in.get(&pid) == Some(&run);
                        let replaced = last_of_pid.get(&previous).is_none_or(|&last| last < at);
                        !already_running
                            && replaced
                            && last_process_start
                                .is_none_or(|before| apart_or_failed(before, event, places))
                    }
                    _ => false,
                };
                let restarted = !settled && (died || new_process);
                if starts.is_empty() || restarted {
                    starts.push(event);
                }
                if let Some(pid) = pid {
                    started_in.insert(pid, run);
                    last_process_start = Some(event);
                }
                died = false;
                if !by_manager {
                    settled = false;
                }
            }
            _ => {}
        }
    }
    starts
}

/// Whether the start `after` of a new process is a restart of the one that started at
/// `before` as far as time tells: at least [`SIBLING_START_US`] later (either clock
/// missing: yes), or sooner but after the earlier process logged an error.
fn apart_or_failed(before: &Event, after: &Event, places: &Places<'_>) -> bool {
    match (before.clock_us(), after.clock_us()) {
        (Some(then), Some(now)) if now - then < SIBLING_START_US => {
            // A busy log with thousands of lines between two starts within two seconds:
            // not read line by line (a pre-fork server boots its workers back to back).
            // Events are in time order, which across sources is not line order.
            let (first, last) = (before.seq().min(after.seq()), before.seq().max(after.seq()));
            if last - first > MAX_LINES_BETWEEN_SIBLINGS {
                return true;
            }
            let earlier = places.line(before.seq()).pid;
            (first + 1..last).any(|seq| {
                let line = places.line(seq);
                line.pid == earlier && line.level.is_some_and(|level| level >= Level::Error)
            })
        }
        _ => true,
    }
}

fn deaths_of_distinct_pids(events: &[Event]) -> Vec<&Event> {
    let mut seen = Vec::new();
    let mut deaths = Vec::new();
    for event in events.iter().filter(|e| e.kind == EventKind::Death) {
        match event.pid {
            Some(pid) if seen.contains(&pid) => {}
            Some(pid) => {
                seen.push(pid);
                deaths.push(event);
            }
            None => {}
        }
    }
    deaths
}

/// Delay from a death to the restart that followed it (the supervisor's restart delay).
fn restart_delay(events: &[Event]) -> Option<f64> {
    let mut delays = Vec::new();
    let mut death_at = None;
    for event in events {
        match event.kind {
            EventKind::Death => death_at = event.clock_us().or(death_at),
            EventKind::Restart => {
                if let (Some(d), Some(r)) = (death_at.take(), event.clock_us()) {
                    delays.push((r - d) as f64 / 1e6);
                }
            }
            _ => {}
        }
    }
    median(&delays)
}

fn most_common(values: impl Iterator<Item = u32>) -> Option<u32> {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(value, n)| (n, std::cmp::Reverse(value)))
        .map(|(v, _)| v)
}

/// Units that loop under the system manager while others loop under a user manager at the
/// same time: two supervisors restarting copies that fight over one resource (a port).
pub fn competing_managers(loops: &[RestartLoop]) -> Vec<&RestartLoop> {
    let overlaps = |a: &RestartLoop, b: &RestartLoop| match (a.span_us, b.span_us) {
        (Some((a0, a1)), Some((b0, b1))) => {
            // Interleaved or back to back: within a few periods of each other.
            let slack = 10 * 60 * 1_000_000;
            a0 <= b1 + slack && b0 <= a1 + slack
        }
        _ => true,
    };
    let system: Vec<&RestartLoop> = loops.iter().filter(|l| l.manager_pid == Some(1)).collect();
    let user: Vec<&RestartLoop> = loops
        .iter()
        .filter(|l| l.manager_pid.is_some_and(|p| p != 1))
        .collect();
    let mut involved: Vec<&RestartLoop> = Vec::new();
    for s in &system {
        for u in &user {
            if overlaps(s, u) {
                for l in [*s, *u] {
                    if !involved.iter().any(|x| x.unit == l.unit) {
                        involved.push(l);
                    }
                }
            }
        }
    }
    involved
}

fn pattern_of(intervals: &[f64]) -> LoopPattern {
    if intervals.len() < 2 {
        return LoopPattern::Unknown;
    }
    let (Some(mid), Some(spread)) = (median(intervals), median_absolute_deviation(intervals))
    else {
        return LoopPattern::Unknown;
    };
    // Stamps too coarse to tell the restarts apart (all in one second): no shape to judge.
    if mid <= 0.0 {
        return LoopPattern::Unknown;
    }
    // Back-off doubles its delay up to a cap: mostly non-decreasing, growing at least twice,
    // and ending well above where it started.
    let steps = intervals.len() - 1;
    let non_decreasing = intervals.windows(2).filter(|w| w[1] >= w[0] * 0.9).count();
    let growing = intervals.windows(2).filter(|w| w[1] >= w[0] * 1.5).count();
    let (first, last) = (intervals[0], intervals[intervals.len() - 1]);
    if intervals.len() >= 3
        && non_decreasing * 4 >= steps * 3
        && growing >= 2
        && last >= first * 3.0
    {
        LoopPattern::Backoff
    } else if mid > 0.0 && spread <= mid * 0.15 {
        LoopPattern::FixedInterval
    } else {
        LoopPattern::Irregular
    }
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// RFC 3339 UTC with microseconds when they are not zero.
pub fn format_time(us: i64) -> String {
    use chrono::{DateTime, SecondsFormat};
    match DateTime::from_timestamp_micros(us) {
        Some(t) if us % 1_000_000 == 0 => t.to_rfc3339_opts(SecondsFormat::Secs, true),
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Micros, true),
        None => us.to_string(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn deliberate_restarts_in_a_journal_json_are_no_loop() {
        // In `-o json` systemd's "Started api.service" and uvicorn's own start line both
        // belong to the unit; the first names PID 1, the second the new process.
        let line = |t: u64, ident: &str, pid: u32, message: &str| {
            format!(
                r#"{{"__REALTIME_TIMESTAMP":"{}","_HOSTNAME":"h","SYSLOG_IDENTIFIER":"{ident}","_PID":"{pid}","_SYSTEMD_UNIT":"{}","UNIT":"api.service","MESSAGE":"{message}"}}"#,
                1_773_644_000_000_000 + t * 1_000_000,
                if pid == 1 {
                    "init.scope"
                } else {
                    "api.service"
                },
            ) + "\n"
        };
        let mut log = String::new();
        let mut t = 0;
        for (run, pid) in [464, 1473, 2210].into_iter().enumerate() {
            if run > 0 {
                log += &line(t, "systemd", 1, "Stopping api.service - API...");
                log += &line(
                    t + 1,
                    "systemd",
                    1,
                    "api.service: Deactivated successfully.",
                );
                log += &line(t + 1, "systemd", 1, "Stopped api.service - API.");
            }
            log += &line(t + 1, "systemd", 1, "Started api.service - API.");
            log += &line(
                t + 3,
                "python",
                pid,
                &format!("INFO:     Started server process [{pid}]"),
            );
            t += 300;
        }
        assert!(crate::detect::report_for(&log).restart_loops.is_empty());
    }

    #[test]
    fn a_kubelet_crash_loop_backs_off_and_says_how_long() {
        let pleg = |t: &str, kind: &str| {
            format!(
                "Mar 03 {t} node-1 kubelet[812]: I0303 {t}.000000     812 kubelet.go:2457] \
                 \"SyncLoop (PLEG): event for pod\" pod=\"default/api-7d9c5b6f4-x2k8p\" \
                 event={{\"ID\":\"1f2e3d4c\",\"Type\":\"{kind}\",\"Data\":\"4b1f\"}}\n"
            )
        };
        let backoff = |t: &str, delay: &str| {
            format!(
                "Mar 03 {t} node-1 kubelet[812]: E0303 {t}.000000     812 pod_workers.go:1298] \
                 \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \
                 \\\"api\\\" with CrashLoopBackOff: \\\"back-off {delay} restarting failed \
                 container=api pod=api-7d9c5b6f4-x2k8p_default(1f2e3d4c)\\\"\" pod=\"default/api-7d9c5b6f4-x2k8p\"\n"
            )
        };
        // Starts 12, 22, 42, 82 and 162 s apart: the kubelet's doubling delay plus 2 s of life.
        let cycles = [
            ("10:00:00", "10:00:02", "10s"),
            ("10:00:12", "10:00:14", "20s"),
            ("10:00:34", "10:00:36", "40s"),
            ("10:01:16", "10:01:18", "1m20s"),
            ("10:02:38", "10:02:40", "2m40s"),
            ("10:05:20", "10:05:22", "5m0s"),
        ];
        let mut log = String::new();
        for (start, death, delay) in cycles {
            log += &pleg(start, "ContainerStarted");
            log += &pleg(death, "ContainerDied");
            log += &backoff(death, delay);
        }
        let loops = crate::detect::report_for(&log).restart_loops;
        assert_eq!(loops.len(), 1, "{loops:#?}");
        let looped = &loops[0];
        assert_eq!(looped.unit, "api-7d9c5b6f4-x2k8p");
        assert_eq!(looped.restarts, 5);
        assert_eq!(looped.pattern, LoopPattern::Backoff);
        assert_eq!(looped.intervals_s, Some((12.0, 162.0)));
        assert_eq!(looped.backoff_s, Some(300.0));
    }

    #[test]
    fn a_pre_forking_servers_workers_are_no_restarts() {
        // gunicorn 20.1's own wording: the master, then four workers forked within a second;
        // under uvicorn's worker class each worker also says "Started server process".
        let mut log = String::from(
            "Mar 02 10:00:00 web gunicorn[700]: [2026-03-02 10:00:00 +0000] [700] [INFO] Starting gunicorn 20.1.0\n\
             Mar 02 10:00:00 web gunicorn[700]: [2026-03-02 10:00:00 +0000] [700] [INFO] Listening at: http://0.0.0.0:8000 (700)\n",
        );
        for pid in 703..707 {
            log += &format!("Mar 02 10:00:00 web gunicorn[{pid}]: [2026-03-02 10:00:00 +0000] [{pid}] [INFO] Booting worker with pid: {pid}\n");
        }
        for pid in 703..707 {
            log += &format!("Mar 02 10:00:01 web gunicorn[{pid}]: [2026-03-02 10:00:01 +0000] [{pid}] [INFO] Started server process [{pid}]\n");
        }
        assert!(crate::detect::report_for(&log).restart_loops.is_empty());
    }

    #[test]
    fn a_new_process_every_few_seconds_is_a_restart_even_unseen_deaths() {
        // Only the service's own start lines, each of a new PID, ten seconds apart; the
        // process before is never heard from again.
        let log: String = (0..5)
            .map(|i| {
                format!(
                    "Mar 02 10:00:{:02} web python3[{}]: INFO:     Started server process [{}]\n",
                    i * 10,
                    900 + i,
                    900 + i
                )
            })
            .collect();
        let loops = crate::detect::report_for(&log).restart_loops;
        assert_eq!(loops.len(), 1, "{loops:?}");
        assert_eq!(loops[0].restarts, 4);
        assert_eq!(loops[0].counted_from, "start");
        assert_eq!(loops[0].period_s, Some(10.0));
    }

    /// `(unit, restarts)` of each loop found in `log`.
    fn loops_in(log: &str) -> Vec<(String, usize)> {
        crate::detect::report_for(log)
            .restart_loops
            .into_iter()
            .map(|l| (l.unit, l.restarts))
            .collect()
    }

    #[test]
    fn workers_booted_across_a_seconds_turn_are_no_restarts() {
        // Sync workers say nothing after booting; with whole-second stamps, four of them
        // straddle 10:00:00 and 10:00:01.
        let log: String = (0..4)
            .map(|i| {
                format!(
                    "Mar 02 10:00:0{} web gunicorn[{pid}]: [2026-03-02 10:00:0{} +0000] [{pid}] [INFO] Booting worker with pid: {pid}\n",
                    i / 2,
                    i / 2,
                    pid = 703 + i
                )
            })
            .collect();
        assert!(loops_in(&log).is_empty(), "{:?}", loops_in(&log));
    }

    #[test]
    fn a_process_that_started_already_or_is_heard_from_later_was_not_replaced() {
        let start = |second: u32, pid: u32| {
            format!("Mar 02 10:00:{second:02} web python3[{pid}]: INFO:     Started server process [{pid}]\n")
        };
        // 9 and 10 run side by side (9 says it started again after 10 did), then 11 comes:
        // one restart at most, no loop.
        let log = start(0, 9) + &start(3, 10) + &start(6, 9) + &start(9, 11);
        assert!(loops_in(&log).is_empty(), "{:?}", loops_in(&log));
        // Each process gone when the next starts: a restart each time.
        let log = start(0, 9) + &start(3, 10) + &start(6, 11) + &start(9, 12);
        assert_eq!(loops_in(&log), [("python3".to_string(), 3)]);
    }

    #[test]
    fn fast_respawns_after_an_exit_or_an_error_are_restarts() {
        // supervisord respawns a process that was RUNNING at once; its `exited:` line is
        // both a start and an exit marker and names no PID.
        let mut log = String::new();
        for (i, pid) in [2101, 2107, 2113, 2119].into_iter().enumerate() {
            let second = i * 6;
            if i > 0 {
                log += &format!("2024-03-02 10:00:{:02},100 INFO exited: worker (exit status 1; not expected)\n", second);
            }
            log += &format!(
                "2024-03-02 10:00:{:02},104 INFO spawned: 'worker' with pid {pid}\n",
                second
            );
        }
        assert_eq!(loops_in(&log), [("worker".to_string(), 3)]);
        // Half a second apart, no death line, but each process logged an error first.
        let mut log = String::new();
        for i in 0..4u32 {
            let (pid, ms) = (3100 + 3 * i, 550 * i);
            let stamp =
                |ms: u32| format!("Mar 02 10:00:{:02}.{:06}", ms / 1000, (ms % 1000) * 1000);
            log += &format!(
                "{} api python3[{pid}]: INFO:     Started server process [{pid}]\n",
                stamp(ms)
            );
            log += &format!("{} api python3[{pid}]: ERROR:    [Errno 111] Connect call failed ('127.0.0.1', 5432)\n", stamp(ms + 50));
        }
        assert_eq!(loops_in(&log), [("python3".to_string(), 3)]);
    }

    #[test]
    fn go_durations_read_as_seconds() {
        assert_eq!(parse_go_duration("2m40s"), Some(160.0));
        assert_eq!(parse_go_duration("10s"), Some(10.0));
        assert_eq!(parse_go_duration("1m"), Some(60.0));
        assert_eq!(parse_go_duration("soon"), None);
    }
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(
            pattern_of(&[14.0, 14.5, 14.2, 15.0]),
            LoopPattern::FixedInterval
        );
        assert_eq!(pattern_of(&[10.0, 20.0, 40.0, 80.0]), LoopPattern::Backoff);
        assert_eq!(
            pattern_of(&[10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0, 300.0]),
            LoopPattern::Backoff
        );
        assert_eq!(pattern_of(&[5.0, 60.0, 7.0, 300.0]), LoopPattern::Irregular);
        assert_eq!(pattern_of(&[5.0]), LoopPattern::Unknown);
    }

    #[test]
    fn unit_names_are_normalized() {
        assert_eq!(normalize_unit("api.service"), "api");
        assert_eq!(
            normalize_unit("r101-bablefish.1.web.1..."),
            "r101-bablefish.1.web.1"
        );
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(format_time(1_768_566_498_000_000), "2026-01-16T12:28:18Z");
        assert_eq!(
            format_time(1_768_566_498_000_500),
            "2026-01-16T12:28:18.000500Z"
        );
    }
}
