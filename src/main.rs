//! The `logsleuth` binary: parse the command line, run, map the outcome to an exit code.

mod allocator;
mod cli;
mod commands;
mod config;
mod follow_command;
mod progress;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// Exit status: the run completed and nothing reached `--fail-on`.
const EXIT_OK: u8 = 0;
/// Exit status: a finding at or above `--fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// Exit status: an error (bad rules, unreadable input).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    allocator::tune();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::from(EXIT_OK),
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "logsleuth: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// A closed stdout (`logsleuth ... | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
