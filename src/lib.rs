//! logsleuth: finds out why a service keeps dying.
//!
//! The library reads logs ([`input`]), finds the lines that matter with a multi-pattern
//! scanner ([`scan`]), parses their envelopes ([`record`]), follows patterns across lines
//! ([`detect`]) and names causes ([`classify`]), one host at a time ([`hosts`]), and builds
//! a serializable [`report::Report`]. The command-line binary is a thin layer over
//! [`analyze`].

pub mod classify;
pub mod detect;
pub mod engine;
pub mod evidence;
pub mod follow;
pub mod hosts;
pub mod input;
mod recent;
pub mod record;
pub mod report;
pub mod rules;
pub mod scan;

pub use engine::{analyze, Analysis, AnalyzeOptions, Analyzer};
