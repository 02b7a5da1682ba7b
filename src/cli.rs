//! The command-line definition (clap). Only the binary uses it; the library knows no clap.

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use logsleuth::rules::Severity;

const EXAMPLES: &str = "\
Examples:
  logsleuth < journal.txt                       analyse a saved journal
  journalctl -u api -o json | logsleuth         analyse a unit's journal as JSON
  logsleuth /var/log/app/ old.log.gz            analyse a directory and a compressed file
  logsleuth /var/log/journal/                   read journal files directly (no journalctl)
  logsleuth --format markdown api.log > INCIDENT.md
  logsleuth --fail-on error app.log             exit 1 when an error-level cause is found
  logsleuth rules list                          show every signal and cause
  logsleuth rules check my-rules.toml           validate your own rule file
  logsleuth explain port-conflict               full guidance for one cause

Exit status: 0 the run completed, 1 a finding at or above --fail-on, 2 an error.";

/// Finds out why a service keeps dying.
///
/// logsleuth reads journal, syslog, dmesg, docker and application logs, finds the evidence
/// (restart loops and their period, bind errors, OOM kills, tracebacks, failed connections,
/// bad unit files ...) and names the cause, with the lines that prove it and the steps that
/// fix it. With no PATH (or `-`) it reads standard input.
#[derive(Debug, Parser)]
#[command(name = "logsleuth", version, about, long_about, after_help = EXAMPLES)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub analyze: AnalyzeArgs,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Log files, directories (read recursively) or `-` for standard input; compressed
    /// files (gzip, zstd, xz, bzip2) and systemd journal files are recognised by their
    /// content.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Report format.
    #[arg(short, long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,

    /// When to colour the text report. `auto` colours a terminal only, and not when NO_COLOR
    /// is set; `always` colours even then.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Exit with status 1 when a finding at or above this severity exists.
    #[arg(long, value_name = "SEVERITY", value_parser = severity_value())]
    pub fail_on: Option<Severity>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Year for year-less timestamps (`Mar  2 17:35:10`) when the logs don't give one.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1970..=9999))]
    pub year: Option<i32>,
}

#[derive(Debug, Args, Clone)]
pub struct RuleArgs {
    /// Add rules from a TOML file, or every `*.toml` file directly in a directory
    /// (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rule_paths: Vec<PathBuf>,

    /// Don't load the built-in rules.
    #[arg(long)]
    pub no_default_rules: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, validate and test rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the full guidance for a cause id (see `logsleuth rules list`).
    Explain {
        /// Cause id, e.g. port-conflict.
        cause: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Show every signal and cause with a one-line description.
    List {
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Validate rule files: every error as file:line:col, then every failing example.
    Check {
        /// Rule files or directories to check (the built-in rules when none is given).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Severity names come from the library's own list.
fn severity_value() -> impl clap::builder::TypedValueParser<Value = Severity> {
    let names: Vec<&'static str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    clap::builder::PossibleValuesParser::new(names)
        .map(|name| Severity::parse(&name).expect("only listed names get through"))
}
