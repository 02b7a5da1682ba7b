//! What each command does: analyse logs, list/check rules, explain a cause, completions, man.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::CommandFactory;
use logsleuth::engine::{AnalyzeOptions, Analyzer};
use logsleuth::follow::{Alert, AlertKind};
use logsleuth::report::{
    alert_to_ndjson, render_markdown, render_text, Format, Report, TextOptions,
};
use logsleuth::rules::{check_examples, RuleSet, RuleSetBuilder, Tag};
use logsleuth::scan::ScannerBuilder;

use crate::cli::{Cli, Command, RuleArgs, RulesCommand};
use crate::config::{load_rules, Config};
use crate::progress::ProgressDisplay;
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        None => analyze(&cli.analyze),
        Some(Command::Rules(RulesCommand::List { rules })) => list_rules(&rules),
        Some(Command::Rules(RulesCommand::Check { paths })) => check_rules(&paths),
        Some(Command::Explain { cause, rules }) => explain(&cause, &rules),
        Some(Command::Completions { shell }) => {
            // Rendered into memory first: the generator panics on a closed stdout.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "logsleuth", &mut script);
            write_stdout(&script).context("writing the completion script")?;
            Ok(EXIT_OK)
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .context("rendering the man page")?;
            write_stdout(&page).context("writing the man page")?;
            Ok(EXIT_OK)
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly.
fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints rule errors (all of them) and returns the error exit status.
fn rule_errors(errors: &logsleuth::rules::RuleErrors, logs_pending: bool) -> u8 {
    let mut stderr = std::io::stderr().lock();
    for err in &errors.0 {
        let _ = writeln!(stderr, "{err}");
    }
    let suffix = if logs_pending {
        "; no log was read"
    } else {
        ""
    };
    let _ = writeln!(
        stderr,
        "logsleuth: {} in the rules{suffix}",
        plural(errors.0.len(), "error")
    );
    EXIT_ERROR
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn analyze(args: &crate::cli::AnalyzeArgs) -> Result<u8> {
    let config = Config::from_args(args);
    if let Some(jobs) = config.jobs {
        // Before anything runs in parallel (rule compilation does).
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global()
            .context("starting the scanning threads")?;
    }
    let rules = match load_rules(&args.rules) {
        Ok(rules) => rules,
        Err(errors) => return Ok(rule_errors(&errors, true)),
    };
    if reads_stdin(&config.paths) && std::io::stdin().is_terminal() {
        let _ = writeln!(
            std::io::stderr(),
            "logsleuth: reading logs from the terminal; pipe logs in or give a path (--help shows examples)"
        );
    }
    let options = AnalyzeOptions {
        reference_year: config.year,
        ..AnalyzeOptions::default()
    };
    let mut analyzer = Analyzer::new(rules).with_options(options);
    if let Some(window) = config.follow {
        return crate::follow_command::follow(&analyzer, &config, window);
    }
    let progress = config.progress.then(|| Arc::new(ProgressDisplay::new()));
    if let Some(progress) = &progress {
        analyzer = analyzer.with_progress(progress.clone());
    }
    let analysis = analyzer.analyze_paths(&config.paths);
    if let Some(progress) = &progress {
        progress.finish();
    }
    let report = &analysis.report;

    {
        let mut stderr = std::io::stderr().lock();
        for error in &report.errors {
            let _ = writeln!(stderr, "logsleuth: {error}");
        }
    }
    let rendered = match config.format {
        Format::Text => render_text(
            report,
            TextOptions {
                color: config.color,
                width: 0,
            },
        ),
        Format::Json => report.to_json(),
        Format::Markdown => render_markdown(report),
        Format::Ndjson => ndjson_report(report),
    };
    // Decided before writing, so a reader that stops early (`| head`) does not change it.
    let status = exit_status(report, &config, EXIT_ERROR);
    let written = write_stdout(rendered.as_bytes()).context("writing the report");
    // The process ends now: freeing every evidence line one by one would only cost time.
    std::mem::forget(analysis);
    written?;
    Ok(status)
}

/// The exit status a report calls for: `error_status` when a source failed, 1 when a
/// finding reaches `--fail-on`, else 0.
pub fn exit_status(report: &Report, config: &Config, error_status: u8) -> u8 {
    let failed = config
        .fail_on
        .is_some_and(|threshold| report.findings.iter().any(|f| f.severity >= threshold));
    if !report.errors.is_empty() {
        error_status
    } else if failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// `--format ndjson` on a finished run: the alerts a follow run over the same input would
/// have ended with (every finding and restart loop, as new), then the summary.
fn ndjson_report(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&alert_to_ndjson(&Alert::new(AlertKind::Finding(
            finding.clone(),
        ))));
    }
    for looped in &report.restart_loops {
        out.push_str(&alert_to_ndjson(&Alert::new(AlertKind::RestartLoop(
            looped.clone(),
        ))));
    }
    out.push_str(&report.to_ndjson_summary());
    out
}

fn reads_stdin(paths: &[std::path::PathBuf]) -> bool {
    paths.is_empty() || paths.iter().any(|p| p.as_os_str() == "-")
}

fn list_rules(args: &RuleArgs) -> Result<u8> {
    let rules = match load_rules(args) {
        Ok(rules) => rules,
        Err(errors) => return Ok(rule_errors(&errors, false)),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "Causes ({}):", rules.causes.len())?;
    let width = rules.causes.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for cause in &rules.causes {
        writeln!(
            out,
            "  {:width$}  {:8}  {}",
            cause.id,
            cause.severity.as_str(),
            one_line(&cause.summary, &cause.title)
        )?;
    }
    writeln!(out, "\nSignals ({}):", rules.signals.len())?;
    let width = rules.signals.iter().map(|s| s.id.len()).max().unwrap_or(0);
    for signal in &rules.signals {
        let tags: Vec<&str> = signal.tags.iter().map(|t| t.as_str()).collect();
        let tags = if tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", tags.join(", "))
        };
        writeln!(
            out,
            "  {:width$}  {:8}  {}{}",
            signal.id,
            signal.severity.as_str(),
            signal.description,
            tags
        )?;
    }
    writeln!(out, "\nTags:")?;
    for tag in Tag::ALL {
        writeln!(out, "  {:16}  {}", tag.as_str(), tag.description())?;
    }
    Ok(EXIT_OK)
}

fn one_line<'a>(summary: &'a str, title: &'a str) -> &'a str {
    let text = if summary.is_empty() { title } else { summary };
    text.lines().next().unwrap_or("")
}

fn check_rules(paths: &[std::path::PathBuf]) -> Result<u8> {
    // User rules may refer to built-in signals, so those are always loaded alongside; a
    // checked file named like a built-in one (an edited copy) takes its place.
    let mut builder = RuleSetBuilder::new().shadow_builtins(true);
    for path in paths {
        builder = builder.add_path(path);
    }
    let rules: RuleSet = match builder.build() {
        Ok(rules) => rules,
        Err(errors) => return Ok(rule_errors(&errors, false)),
    };
    let scanner = ScannerBuilder::new().build(&rules);
    let failures = check_examples(&rules, &scanner);
    let mut stderr = std::io::stderr().lock();
    for failure in &failures {
        writeln!(stderr, "{failure}")?;
    }
    let examples: usize = rules
        .signals
        .iter()
        .map(|s| s.examples.len() + s.counter_examples.len())
        .sum();
    if failures.is_empty() {
        writeln!(
            std::io::stdout(),
            "ok: {}, {}, {} checked",
            plural(rules.signals.len(), "signal"),
            plural(rules.causes.len(), "cause"),
            plural(examples, "example")
        )?;
        Ok(EXIT_OK)
    } else {
        writeln!(
            stderr,
            "logsleuth: {} failed",
            plural(failures.len(), "example")
        )?;
        Ok(EXIT_ERROR)
    }
}

/// A fix or verify template with its `{systemctl}` and `{journalctl}` as they read for a
/// system unit: a reader of the guidance wants commands (a report adds `--user` for a
/// user's unit).
fn plain_commands(step: &str) -> String {
    step.replace("{systemctl}", "systemctl")
        .replace("{journalctl}", "journalctl")
}

fn explain(cause_id: &str, args: &RuleArgs) -> Result<u8> {
    let rules = match load_rules(args) {
        Ok(rules) => rules,
        Err(errors) => return Ok(rule_errors(&errors, false)),
    };
    let Some(cause) = rules.cause(cause_id) else {
        let ids: Vec<&str> = rules.causes.iter().map(|c| c.id.as_str()).collect();
        anyhow::bail!(
            "unknown cause `{cause_id}`; known causes: {}",
            ids.join(", ")
        );
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{} ({})\n", cause.id, cause.severity)?;
    if !cause.summary.is_empty() {
        writeln!(out, "{}\n", cause.summary)?;
    }
    writeln!(out, "Title:  {}\n", cause.title)?;
    if !cause.explanation.is_empty() {
        writeln!(out, "{}\n", cause.explanation)?;
    }
    if !cause.fix.is_empty() {
        writeln!(out, "Fix:")?;
        for (i, step) in cause.fix.iter().enumerate() {
            writeln!(out, "  {}. {}", i + 1, plain_commands(step))?;
        }
        writeln!(out)?;
    }
    if !cause.verify.is_empty() {
        writeln!(out, "Verify:")?;
        for step in &cause.verify {
            writeln!(out, "  - {}", plain_commands(step))?;
        }
        writeln!(out)?;
    }
    let names = |refs: &[logsleuth::rules::EvidenceRef]| -> Vec<String> {
        refs.iter()
            .map(|r| match r {
                logsleuth::rules::EvidenceRef::Signal(i) => rules.signal(*i).id.clone(),
                logsleuth::rules::EvidenceRef::Tag(t) => format!("tag:{t}"),
                logsleuth::rules::EvidenceRef::RestartLoop => "detector:restart-loop".into(),
                logsleuth::rules::EvidenceRef::CompetingManagers => {
                    "detector:competing-managers".into()
                }
                logsleuth::rules::EvidenceRef::PortHolder => "detector:port-holder".into(),
                logsleuth::rules::EvidenceRef::StalePid => "detector:stale-pid".into(),
                logsleuth::rules::EvidenceRef::LostRoute => "detector:lost-route".into(),
            })
            .collect()
    };
    writeln!(out, "Evidence:")?;
    for (label, refs) in [
        ("any of", &cause.when.any),
        ("all of", &cause.when.all),
        ("supported by", &cause.when.supporting),
        ("contradicted by", &cause.when.contradicting),
        ("resolved by", &cause.when.resolved_by),
    ] {
        if !refs.is_empty() {
            writeln!(out, "  {label}: {}", names(refs).join(", "))?;
        }
    }
    writeln!(out, "\nRule file: {}", cause.origin)?;
    Ok(EXIT_OK)
}
