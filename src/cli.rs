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
  logsleuth support-bundle.tar.gz               analyse every log in a tar archive
  logsleuth /var/log/journal/                   read journal files directly (no journalctl)
  logsleuth --format markdown api.log > INCIDENT.md
  logsleuth --fail-on error app.log             exit 1 when an error-level cause is found
  journalctl -f -o json | logsleuth --follow    alert as findings appear, summary at the end
  logsleuth --follow --format ndjson app.log    follow a file (like tail -F), JSON per line
  logsleuth rules list                          show every signal and cause
  logsleuth rules check my-rules.toml           validate your own rule file
  logsleuth explain port-conflict               full guidance for one cause

Exit status: 0 the run completed, 1 a finding at or above --fail-on, 2 an error.

Environment: NO_COLOR turns colour off (see --color); TMPDIR is where a run keeps the text
of its evidence lines past the first 512 KiB (an anonymous file, gone when the run ends).";

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
    /// Log files, directories (read recursively, rotated logs oldest first), tar archives
    /// (each member a source) or `-` for standard input; compressed files (gzip, zstd, xz,
    /// bzip2), archives and systemd journal files are recognised by their content.
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

    /// Keep reading and report each finding as soon as its evidence suffices (a bind error
    /// at once, a restart loop after three restarts), again when it changes materially,
    /// and a summary at the end of the input or on Ctrl-C. Files are followed like
    /// `tail -F`; stdin until it closes. Text or ndjson output.
    #[arg(short = 'F', long)]
    pub follow: bool,

    /// With --follow: evidence older than this (by the logs' own timestamps, counted back
    /// from the newest line) ages out, so memory stays bounded on endless input. Units:
    /// s, m, h, d (`90s`, `30m`, `2h`).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration, requires = "follow")]
    pub window: std::time::Duration,

    /// Threads that scan in parallel (default: one per CPU core).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Never draw the progress bar (it is drawn on stderr, when stderr is a terminal, for
    /// runs that take more than a moment).
    #[arg(long)]
    pub no_progress: bool,

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
    /// One JSON object per line: an `alert` per finding and restart loop, then a `summary`.
    Ndjson,
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

/// `90s`, `30m`, `2h`, `1d`, or plain seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: use e.g. 90s, 30m, 2h, 1d"))?;
    let scale = match unit.trim() {
        "" | "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        other => return Err(format!("unknown unit `{other}`: use s, m, h or d")),
    };
    let seconds = value * scale;
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 365.0 * 86400.0) {
        return Err(format!("`{text}` must be more than 0 and at most a year"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("90s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("30m").unwrap().as_secs(), 1800);
        assert_eq!(parse_duration("2h").unwrap().as_secs(), 7200);
        assert_eq!(parse_duration("1d").unwrap().as_secs(), 86400);
        assert_eq!(parse_duration("45").unwrap().as_secs(), 45);
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 weeks").is_err());
        assert!(parse_duration("h").is_err());
    }
}
