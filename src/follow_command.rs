//! `--follow`: live analysis of stdin and growing files, alerts as they happen, a summary at
//! the end of the input or on Ctrl-C.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use logsleuth::engine::Analyzer;
use logsleuth::follow::live::DEFAULT_MAX_LINE;
use logsleuth::follow::{spawn_reader, Alert, FileTail, FollowOptions, Follower};
use logsleuth::input::{InputError, TextReader};
use logsleuth::report::{alert_to_ndjson, render_alert, render_text, Format, TextOptions};

use crate::config::Config;
use crate::EXIT_ERROR;

/// Batches of lines waiting for the analysis at most, per run (back-pressure on readers).
const CHANNEL_BOUND: usize = 64;

/// Exit status of a second Ctrl-C, which ends the run without a summary.
const EXIT_INTERRUPTED: i32 = 130;

pub fn follow(analyzer: &Analyzer, config: &Config, window: std::time::Duration) -> Result<u8> {
    if !matches!(config.format, Format::Text | Format::Ndjson) {
        bail!("--follow reports as it goes: use --format text or --format ndjson");
    }
    let options = FollowOptions::default().window(window);
    let mut follower = Follower::new(analyzer, options);
    let (sender, events) = sync_channel(CHANNEL_BOUND);
    let paths: Vec<&Path> = if config.paths.is_empty() {
        vec![Path::new("-")]
    } else {
        config.paths.iter().map(|p| p.as_path()).collect()
    };
    let mut seen_stdin = false;
    for path in paths {
        let name = path.display().to_string();
        let reader: Box<dyn std::io::Read + Send> = if name == "-" {
            if std::mem::replace(&mut seen_stdin, true) {
                continue;
            }
            Box::new(TextReader::new(std::io::stdin()))
        } else if path.is_dir() {
            bail!("{name}: --follow reads files and stdin, not directories");
        } else {
            match FileTail::open(path) {
                Ok(tail) => Box::new(TextReader::new(tail)),
                Err(err) => {
                    let source = follower.add_source(&name);
                    follower.record_error(source, InputError::from_io(&name, err));
                    continue;
                }
            }
        };
        let source = follower.add_source(&name);
        spawn_reader(source, name, reader, sender.clone(), DEFAULT_MAX_LINE)
            .context("starting a reader thread")?;
    }
    drop(sender);

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // A second Ctrl-C ends at once.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(EXIT_INTERRUPTED);
            }
        });
    }

    let color = config.color;
    let ndjson = config.format == Format::Ndjson;
    let mut out = std::io::stdout().lock();
    follower
        .run(&events, &stop, |alerts: &[Alert]| {
            for alert in alerts {
                let line = if ndjson {
                    alert_to_ndjson(alert)
                } else {
                    render_alert(alert, TextOptions { color, width: 0 })
                };
                out.write_all(line.as_bytes())?;
            }
            out.flush()
        })
        .context("writing an alert")?;

    let report = follower.summary();
    {
        let mut stderr = std::io::stderr().lock();
        for error in &report.errors {
            let _ = writeln!(stderr, "logsleuth: {error}");
        }
    }
    let rendered = if ndjson {
        report.to_ndjson_summary()
    } else {
        let why = if stop.load(Ordering::SeqCst) {
            "interrupted"
        } else {
            "end of input"
        };
        let rule = if color {
            "\x1b[2m──\x1b[0m"
        } else {
            "──"
        };
        format!(
            "{rule} summary ({why}) {rule}\n{}",
            render_text(&report, TextOptions { color, width: 0 })
        )
    };
    out.write_all(rendered.as_bytes())
        .and_then(|()| out.flush())
        .context("writing the summary")?;
    Ok(crate::commands::exit_status(&report, config, EXIT_ERROR))
}
