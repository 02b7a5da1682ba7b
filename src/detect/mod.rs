//! Detectors: patterns across lines, over the sparse, ordered stream of evidence.
//!
//! They see only matched lines, so quiet lines cost them nothing.

mod cycles;
mod holders;
mod lifecycle;
mod memory;
mod not_found;
mod processes;
mod restarts;
mod routes;
mod stale;
mod stats;
mod tracebacks;

pub(crate) use cycles::message_of;
pub use cycles::LastError;
pub use holders::port_holders;
pub use lifecycle::LifecycleLines;
pub use memory::{format_size, MemoryReading, MemoryTrend};
pub use not_found::NotFoundLines;
pub use processes::{track_processes, ProcessEnd, ProcessLife, ProgramProcesses};
pub use restarts::{
    competing_managers, detect_restart_loops, format_time, LoopPattern, RestartLoop,
    UNNAMED_SUBJECT,
};
pub use routes::{
    lost_route_candidates, lost_route_lines, parse_request, EarlierAnswers, LostRouteCandidate,
};
pub use stale::stale_pid_claims;
pub use stats::{median, median_absolute_deviation};
pub use tracebacks::{assemble_tracebacks, Frame, TracePlace, Traceback};

/// Whether a cause names `signal` (by id or one of its tags) where it could count its lines:
/// in `any`, `all`, `contradicting` or `resolved_by` (`supporting` asks only whether one is
/// present). The routine-line filters keep every line of a signal so named.
pub(crate) fn counted_by_a_cause(
    rules: &crate::rules::RuleSet,
    signal: crate::rules::SignalIdx,
) -> bool {
    rules.causes.iter().any(|cause| {
        let when = &cause.when;
        [&when.any, &when.all, &when.contradicting, &when.resolved_by]
            .into_iter()
            .flatten()
            .any(|reference| rules.refers_to(reference, signal))
    })
}

/// The report for a log given as text (year 2026 for year-less stamps), for detector tests.
#[cfg(test)]
pub(crate) fn report_for(log: &str) -> crate::report::Report {
    use crate::engine::{AnalyzeOptions, Analyzer};
    let options = AnalyzeOptions {
        reference_year: Some(2026),
        ..AnalyzeOptions::default()
    };
    let rules = crate::rules::RuleSetBuilder::new().build().unwrap();
    Analyzer::new(rules)
        .with_options(options)
        .analyze_reader("-", log.as_bytes())
        .report
}

/// The cause ids a log is diagnosed with, for detector tests.
#[cfg(test)]
pub(crate) fn causes_for(log: &str) -> Vec<String> {
    report_for(log)
        .findings
        .into_iter()
        .map(|f| f.cause)
        .collect()
}

/// Analyses `log` twice, as is and with a rule file whose cause counts `counted` (evidence
/// references, such as `"http-access-404"`), which makes the routine-line filters keep
/// every line they would leave out; asserts that both reports are the same, and returns
/// both evidences (filtered, whole). For the filters' tests.
#[cfg(test)]
pub(crate) fn thinned_and_whole(
    log: &str,
    counted: &[&str],
) -> (
    Vec<crate::evidence::EvidenceLine>,
    Vec<crate::evidence::EvidenceLine>,
) {
    use crate::engine::{AnalyzeOptions, Analyzer};
    use crate::rules::RuleSetBuilder;
    let counting_cause = format!(
        "[[cause]]\nid = \"counts-routine-lines\"\nsummary = \"s\"\nseverity = \"info\"\n\
         title = \"t\"\nexplanation = \"e\"\nfix = [\"f\"]\nverify = [\"v\"]\n\
         [cause.when]\nany = {counted:?}\nmin_count = 1000000\nconfidence = 0.6\n"
    );
    let analyze = |rules: RuleSetBuilder| {
        let options = AnalyzeOptions {
            reference_year: Some(2026),
            ..AnalyzeOptions::default()
        };
        Analyzer::new(rules.build().unwrap())
            .with_options(options)
            .analyze_reader("-", log.as_bytes())
    };
    let thinned = analyze(RuleSetBuilder::new());
    let whole = analyze(RuleSetBuilder::new().add_text("counts.toml", counting_cause));
    let json = |report| serde_json::to_string_pretty(report).unwrap();
    assert_eq!(json(&thinned.report), json(&whole.report));
    (thinned.evidence, whole.evidence)
}

/// A deterministic stream of pseudo-random numbers (xorshift), for generated test logs.
#[cfg(test)]
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
