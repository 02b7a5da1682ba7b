//! Detectors: patterns across lines, over the sparse, ordered stream of evidence.
//!
//! They see only matched lines, so quiet lines cost them nothing.

mod cycles;
mod holders;
mod memory;
mod processes;
mod restarts;
mod stale;
mod stats;
mod tracebacks;

pub use cycles::LastError;
pub use holders::port_holders;
pub use memory::{format_size, MemoryReading, MemoryTrend};
pub use processes::{track_processes, ProcessEnd, ProcessLife, ProgramProcesses};
pub use restarts::{
    competing_managers, detect_restart_loops, format_time, LoopPattern, RestartLoop,
    UNNAMED_SUBJECT,
};
pub use stale::stale_pid_claims;
pub use stats::{median, median_absolute_deviation};
pub use tracebacks::{assemble_tracebacks, Frame, TracePlace, Traceback};
