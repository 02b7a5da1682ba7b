//! Turns parsed command-line arguments into a validated run configuration.

use std::io::IsTerminal;
use std::path::PathBuf;

use logsleuth::report::Format;
use logsleuth::rules::{RuleErrors, RuleSet, RuleSetBuilder, Severity};

use crate::cli::{AnalyzeArgs, ColorArg, FormatArg, RuleArgs};

/// Everything a run needs, decided before any log byte is read.
pub struct Config {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub color: bool,
    pub fail_on: Option<Severity>,
    pub year: Option<i32>,
    /// Live analysis (`--follow`) and its window.
    pub follow: Option<std::time::Duration>,
    /// Scanning threads; `None`: one per core.
    pub jobs: Option<usize>,
    /// Draw a progress bar on stderr for long batch runs.
    pub progress: bool,
}

impl Config {
    pub fn from_args(args: &AnalyzeArgs) -> Self {
        Self {
            paths: args.paths.clone(),
            format: match args.format {
                FormatArg::Text => Format::Text,
                FormatArg::Json => Format::Json,
                FormatArg::Markdown => Format::Markdown,
                FormatArg::Ndjson => Format::Ndjson,
            },
            color: use_color(args.color),
            fail_on: args.fail_on,
            year: args.year,
            follow: args.follow.then_some(args.window),
            jobs: args.jobs.map(usize::from),
            progress: !args.no_progress && !args.follow && std::io::stderr().is_terminal(),
        }
    }
}

/// Loads the rules the arguments ask for.
pub fn load_rules(args: &RuleArgs) -> Result<RuleSet, RuleErrors> {
    let mut builder = RuleSetBuilder::new().builtin(!args.no_default_rules);
    for path in &args.rule_paths {
        builder = builder.add_path(path);
    }
    builder.build()
}

/// `--color auto` colours only a terminal, and never when NO_COLOR is set (non-empty) or
/// TERM is `dumb`; CLICOLOR_FORCE forces colour in auto mode.
fn use_color(choice: ColorArg) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto if set("NO_COLOR") => false,
        ColorArg::Auto if set("CLICOLOR_FORCE") => true,
        ColorArg::Auto => {
            std::io::stdout().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}
