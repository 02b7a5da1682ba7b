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
