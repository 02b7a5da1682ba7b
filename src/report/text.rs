//! The terminal report: ranked findings with evidence and fixes, then restart loops.

use std::fmt::Write as _;

use super::{
    describe_across_hosts, describe_consistency, describe_period, escape_control, host_name,
    plural, seconds, sparkline, HostSummary, Report,
};
use crate::classify::{Citation, Finding};
use crate::detect::{
    format_size, MemoryTrend, ProcessEnd, ProgramProcesses, RestartLoop, Traceback,
};
use crate::follow::{Alert, AlertKind, AlertStatus};
use crate::rules::Severity;

/// How to draw the text report.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Terminal width for wrapping explanations (0: 100 columns).
    pub width: usize,
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
    fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Critical => "1;35",
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Notice => "1;36",
            Severity::Info | Severity::Debug => "1;34",
        };
        self.wrap(code, &severity.as_str().to_uppercase())
    }
}

/// Renders the report for a person at a terminal. A report of several hosts says what was
/// found where in one line under the headline, then groups everything by host.
pub fn render_text(report: &Report, options: TextOptions) -> String {
    let paint = Paint { on: options.color };
    let width = if options.width == 0 {
        100
    } else {
        options.width.clamp(40, 200)
    };
    let mut out = String::new();
    let lines = report.total_lines();
    let matched: u64 = report.sources.iter().map(|s| s.matched_lines).sum();
    let headline = if report.findings.is_empty() {
        "no problem found".to_string()
    } else {
        plural(report.findings.len(), "finding")
    };
    let on_hosts = if report.several_hosts() {
        format!(" on {}", plural(report.hosts.len(), "host"))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} {}{on_hosts} in {} ({}, {} matched)",
        paint.bold("logsleuth:"),
        headline,
        plural(report.sources.len(), "source"),
        plural(lines as usize, "line"),
        matched
    );
    if report.several_hosts() {
        let _ = writeln!(
            out,
            "  {} {}",
            paint.dim("across hosts:"),
            escape_control(&describe_across_hosts(report))
        );
        let mut rank = 1;
        for (host, part) in report.by_host() {
            let _ = writeln!(
                out,
                "\n{} {} {}  {}",
                paint.dim("──"),
                paint.bold(&escape_control(host.name())),
                paint.dim("──"),
                describe_host(&part, host)
            );
            render_body(&mut out, &paint, &part, rank, width);
            rank += part.findings.len();
        }
    } else {
        render_body(&mut out, &paint, report, 1, width);
    }
    for note in &report.notes {
        let _ = writeln!(out, "\n{} {}", paint.dim("note:"), escape_control(note));
    }
    out
}

/// "2 findings, 1 restart loop, 57 matched lines" / "no problem found, 38 matched lines".
fn describe_host(part: &Report, host: &HostSummary) -> String {
    let mut what = Vec::new();
    if part.findings.is_empty() {
        what.push("no problem found".to_string());
    } else {
        what.push(plural(part.findings.len(), "finding"));
    }
    if !part.restart_loops.is_empty() {
        what.push(plural(part.restart_loops.len(), "restart loop"));
    }
    what.push(plural(host.matched_lines as usize, "matched line"));
    what.join(", ")
}

/// Findings (numbered from `first_rank`), restart loops, stack traces and churning
/// processes.
fn render_body(out: &mut String, paint: &Paint, report: &Report, first_rank: usize, width: usize) {
    for (rank, finding) in report.findings.iter().enumerate() {
        out.push('\n');
        render_finding(out, paint, first_rank + rank, finding, width);
    }
    if !report.restart_loops.is_empty() {
        let _ = writeln!(out, "\n{}", paint.bold("Restart loops"));
        for looped in &report.restart_loops {
            let _ = writeln!(out, "  {}", describe_loop(looped));
            let spark = sparkline(&looped.timeline);
            if !spark.is_empty() {
                let _ = writeln!(out, "    restarts over time: {spark}");
            }
            render_last_error(out, looped);
            if let Some(memory) = describe_memory(looped) {
                let _ = writeln!(out, "    {memory}");
            }
        }
    }
    if !report.tracebacks.is_empty() {
        let _ = writeln!(out, "\n{}", paint.bold("Stack traces"));
        for trace in &report.tracebacks {
            render_traceback(out, trace);
        }
    }
    let churning: Vec<&ProgramProcesses> = report
        .processes
        .iter()
        .filter(|p| p.pids >= 3 || p.long_lived.is_some())
        .collect();
    if !churning.is_empty() {
        let _ = writeln!(out, "\n{}", paint.bold("Processes"));
        for program in churning {
            let _ = writeln!(out, "  {}", describe_processes(program));
        }
    }
}

fn render_finding(out: &mut String, paint: &Paint, rank: usize, finding: &Finding, width: usize) {
    let _ = writeln!(
        out,
        "{rank}. {} {}  {}",
        paint.severity(finding.severity),
        paint.bold(&escape_control(&finding.title)),
        paint.dim(&format!(
            "[{}, confidence {:.2}]",
            finding.cause, finding.confidence
        )),
    );
    let _ = writeln!(
        out,
        "   {} ({}):",
        paint.bold("Evidence"),
        plural(finding.occurrences, "line")
    );
    for cite in &finding.evidence {
        render_citation(out, paint, "     ", cite);
    }
    if finding.occurrences > finding.evidence.len() {
        let more = finding.occurrences - finding.evidence.len();
        let _ = writeln!(out, "     {}", paint.dim(&format!("... and {more} more")));
    }
    if !finding.explanation.is_empty() {
        let _ = writeln!(out, "   {}", paint.bold("Why:"));
        for line in wrap(&finding.explanation, width.saturating_sub(5)) {
            let _ = writeln!(out, "     {}", escape_control(&line));
        }
    }
    if !finding.fix.is_empty() {
        let _ = writeln!(out, "   {}", paint.bold("Fix:"));
        for (i, step) in finding.fix.iter().enumerate() {
            let _ = writeln!(out, "     {}. {}", i + 1, escape_control(step));
        }
    }
    if !finding.verify.is_empty() {
        let _ = writeln!(out, "   {}", paint.bold("Verify:"));
        for step in &finding.verify {
            let _ = writeln!(out, "     - {}", escape_control(step));
        }
    }
    for consequence in &finding.consequences {
        let _ = writeln!(
            out,
            "   {} {} {}",
            paint.bold("Consequence:"),
            escape_control(&consequence.title),
            paint.dim(&format!("[{}]", consequence.cause)),
        );
    }
}

/// "    all 7 cycles end with: <message>", when the loop's cycles end with an error.
fn render_last_error(out: &mut String, looped: &RestartLoop) {
    if let Some(last) = &looped.last_error {
        let _ = writeln!(
            out,
            "    {}: {}",
            describe_consistency(last),
            escape_control(&last.message)
        );
    }
}

/// "source:line  text", the line escaped.
fn render_citation(out: &mut String, paint: &Paint, indent: &str, cite: &Citation) {
    let place = format!("{}:{}", cite.source, cite.line);
    let _ = writeln!(
        out,
        "{indent}{}  {}",
        paint.dim(&escape_control(&place)),
        escape_control(&cite.text)
    );
}

/// One alert of a live analysis (`--follow`), a few lines: when (log time), what, and for a
/// new finding its latest evidence line and first fix step.
///
/// ```text
/// 2026-01-16T12:28:18Z  new  ERROR Port 8000 is already in use by another process  [port-conflict, confidence 0.99]
///     input.log:12  ... [Errno 98] error while attempting to bind on address ...
///     fix: Find who holds the port: `ss -ltnp 'sport = :8000'` ...
/// 2026-01-16T12:28:46Z  new  LOOP lumiera-whatsapp: 3 restarts, every 14.0 s ...
/// ```
pub fn render_alert(alert: &Alert, options: TextOptions) -> String {
    let paint = Paint { on: options.color };
    let mut out = String::new();
    let when = alert.log_time.as_deref().unwrap_or("-");
    let status = match alert.status {
        AlertStatus::New => paint.bold("new"),
        AlertStatus::Changed => paint.bold("changed"),
        AlertStatus::Withdrawn => paint.dim("withdrawn"),
    };
    let changes = if alert.changes.is_empty() {
        String::new()
    } else {
        format!(" ({})", alert.changes.join(", "))
    };
    // Once the input has shown several hosts, each alert says which one it is about.
    let host = match &alert.kind {
        AlertKind::Finding(finding) => finding.host.as_deref(),
        AlertKind::RestartLoop(looped) => looped.host.as_deref(),
    };
    let host = if alert.several_hosts {
        format!("{}  ", paint.bold(&escape_control(host_name(host))))
    } else {
        String::new()
    };
    match &alert.kind {
        AlertKind::Finding(finding) => {
            let _ = writeln!(
                out,
                "{}  {status}  {host}{} {}  {}{changes}",
                paint.dim(when),
                paint.severity(finding.severity),
                paint.bold(&escape_control(&finding.title)),
                paint.dim(&format!(
                    "[{}, confidence {:.2}]",
                    finding.cause, finding.confidence
                )),
            );
            if alert.status == AlertStatus::Withdrawn {
                return out;
            }
            if let Some(cite) = finding.evidence.last() {
                render_citation(&mut out, &paint, "    ", cite);
            }
            if let (AlertStatus::New, Some(step)) = (alert.status, finding.fix.first()) {
                let _ = writeln!(out, "    fix: {}", escape_control(step));
            }
        }
        AlertKind::RestartLoop(looped) => {
            let _ = writeln!(
                out,
                "{}  {status}  {host}{} {}{changes}",
                paint.dim(when),
                paint.wrap("1;33", "LOOP"),
                describe_loop(looped)
            );
            render_last_error(&mut out, looped);
        }
    }
    out
}

/// "api: 12 restarts, every 14.2 s ± 0.4 s (fixed-interval), 12:20:01 to 12:30:15".
pub(crate) fn describe_loop(looped: &RestartLoop) -> String {
    let mut text = format!(
        "{}: {}",
        escape_control(&looped.unit),
        plural(looped.restarts, "restart")
    );
    if let Some(counter) = looped.restart_counter {
        let _ = write!(text, " (restart counter at {counter})");
    }
    let _ = write!(text, ", {}", describe_period(looped));
    if looped.period_s.is_some() {
        let pattern = serde_json::to_value(looped.pattern).ok();
        if let Some(p) = pattern
            .as_ref()
            .and_then(|v| v.as_str())
            .filter(|p| *p != "unknown")
        {
            let _ = write!(text, " ({p})");
        }
    }
    match looped.uptime_s {
        Some(uptime) if uptime < 0.001 => text.push_str(", dies at once after each start"),
        Some(uptime) => {
            let _ = write!(text, ", up {} per cycle", seconds(uptime));
        }
        None => {}
    }
    if let (Some(first), Some(last)) = (&looped.first, &looped.last) {
        let _ = write!(text, ", {first} to {last}");
    }
    if let Some(backoff) = looped.backoff_s {
        let _ = write!(text, ", back-off announced up to {}", seconds(backoff));
    }
    if looped.start_limit_hit {
        text.push_str(", start limit hit");
    } else if looped.start_limit_near {
        text.push_str(", restarting faster than the default start limit allows");
    }
    text
}

/// Memory figures shown per loop (the latest).
const SHOWN_MEMORY: usize = 8;

/// "memory at each run's end: 412.0M, 830.0M, 1.6G (rising)".
pub(crate) fn describe_memory(looped: &RestartLoop) -> Option<String> {
    let readings = &looped.memory;
    if readings.is_empty() {
        return None;
    }
    let skip = readings.len().saturating_sub(SHOWN_MEMORY);
    let mut figures: Vec<String> = readings[skip..]
        .iter()
        .map(|r| match r.what {
            "anon-rss" => format!("{} (rss when killed)", format_size(r.bytes)),
            _ => format_size(r.bytes),
        })
        .collect();
    if skip > 0 {
        figures.insert(0, "…".into());
    }
    let trend = looped.memory_trend.map(|t| match t {
        MemoryTrend::Rising => " (rising)",
        MemoryTrend::Steady => " (steady)",
        MemoryTrend::Falling => " (falling)",
    });
    Some(format!(
        "memory per run: {}{}",
        figures.join(", "),
        trend.unwrap_or("")
    ))
}

/// Frames shown per stack trace in the text report.
const SHOWN_FRAMES: usize = 3;

fn render_traceback(out: &mut String, trace: &Traceback) {
    let mut seen = Vec::new();
    if trace.pids.len() > 1 {
        seen.push(format!("{} PIDs", trace.pids.len()));
    }
    seen.push(format!(
        "first at {}:{}",
        trace.first.source, trace.first.line
    ));
    let _ = writeln!(
        out,
        "  {}× {}  ({}, {})",
        trace.count,
        escape_control(&trace.summary),
        trace.language,
        seen.join(", ")
    );
    for link in &trace.chain {
        let _ = writeln!(out, "    {} {}", chain_word(trace), escape_control(link));
    }
    for frame in trace.frames.iter().take(SHOWN_FRAMES) {
        let _ = writeln!(out, "    at {}", escape_control(&frame.to_string()));
    }
}

/// How a trace's other exceptions relate to the reported one: Python prints the earlier
/// ones first, Java and .NET the causes after.
pub(crate) fn chain_word(trace: &Traceback) -> &'static str {
    if trace.language == "python" {
        "chained from:"
    } else {
        "caused by:"
    }
}

/// "python: 12 PIDs; 11 failed, 1 not seen to end; PID 7 stayed alive while …".
fn describe_processes(program: &ProgramProcesses) -> String {
    let mut text = format!(
        "{}: {}",
        escape_control(&program.program),
        plural(program.pids, "PID")
    );
    let listed = &program.processes;
    let mut ends: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for life in listed {
        let end = match life.ended {
            Some(ProcessEnd::Failed) => "failed",
            Some(ProcessEnd::Exited) => "exited",
            Some(ProcessEnd::Stopped) => "stopped",
            Some(ProcessEnd::Crashed) => "crashed",
            Some(ProcessEnd::OomKilled) => "killed by the OOM killer",
            None => "not seen to end",
        };
        *ends.entry(end).or_default() += 1;
    }
    let of = if listed.len() < program.pids {
        format!("of the {} listed, ", listed.len())
    } else {
        String::new()
    };
    let ends: Vec<String> = ends.iter().map(|(end, n)| format!("{n} {end}")).collect();
    let _ = write!(text, "; {of}{}", ends.join(", "));
    if let Some(pid) = program.long_lived {
        let _ = write!(
            text,
            "; PID {pid} stayed alive while others came and went (a second instance?)"
        );
    }
    text
}

/// Greedy word wrap.
/// Reflows text to `width` columns: single line breaks are spaces (rule files break their
/// text anywhere), a blank line separates paragraphs.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, paragraph) in text.trim().split("\n\n").enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("one\n\ntwo", 80), vec!["one", "", "two"]);
        assert_eq!(wrap("a long\nline", 80), vec!["a long line"]);
    }
}
