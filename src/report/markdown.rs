//! The Markdown report: an incident write-up a person can paste into a ticket.

use std::fmt::Write as _;

use super::{
    describe_across_hosts, describe_consistency, describe_period, host_name, plural, seconds,
    sparkline, Report,
};
use crate::classify::Finding;

/// Renders the report as an incident report: problem, evidence, root cause, fix, verify. A
/// report of several hosts gets a table of the hosts after the problem, and names the host
/// of every finding, loop and stack trace.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let Some(top) = report.findings.first() else {
        let _ = writeln!(out, "# Log analysis: no problem found\n");
        let _ = writeln!(
            out,
            "{} read ({}); no failure pattern matched and no restart loop was seen.",
            plural(report.sources.len(), "source"),
            plural(report.total_lines() as usize, "line")
        );
        render_hosts(&mut out, report);
        render_loops(&mut out, report);
        render_tracebacks(&mut out, report);
        render_errors(&mut out, report);
        return out;
    };
    let _ = writeln!(out, "# Incident report: {}\n", inline(&top.title));
    let _ = writeln!(out, "## Problem\n");
    let _ = writeln!(out, "{}", inline(&problem_statement(report, top)));
    render_hosts(&mut out, report);
    let _ = writeln!(out, "\n## Evidence\n");
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "**{}** (`{}`{}, {}):\n",
            inline(&finding.title),
            finding.cause,
            on_host(report, finding.host.as_deref()),
            plural(finding.occurrences, "line")
        );
        let body: Vec<String> = finding
            .evidence
            .iter()
            .map(|c| format!("{}:{}  {}", c.source, c.line, c.text))
            .collect();
        code_block(&mut out, &body);
    }
    render_loops(&mut out, report);
    render_tracebacks(&mut out, report);
    let _ = writeln!(out, "## Root cause\n");
    for (i, finding) in report.findings.iter().enumerate() {
        let _ = writeln!(
            out,
            "### {}. {} (`{}`{}, confidence {:.2})\n",
            i + 1,
            inline(&finding.title),
            finding.cause,
            on_host(report, finding.host.as_deref()),
            finding.confidence
        );
        if !finding.explanation.is_empty() {
            let _ = writeln!(out, "{}\n", inline(&finding.explanation));
        }
        for consequence in &finding.consequences {
            let _ = writeln!(
                out,
                "Consequence: {} (`{}`).\n",
                inline(&consequence.title),
                consequence.cause
            );
        }
    }
    let _ = writeln!(out, "## Fix\n");
    for finding in &report.findings {
        if report.findings.len() > 1 {
            let _ = writeln!(
                out,
                "For `{}`{}:\n",
                finding.cause,
                on_host(report, finding.host.as_deref())
            );
        }
        for (i, step) in finding.fix.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, inline(step));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## How to verify\n");
    for finding in &report.findings {
        let host = if report.several_hosts() {
            format!("On {}: ", inline(host_name(finding.host.as_deref())))
        } else {
            String::new()
        };
        for step in &finding.verify {
            let _ = writeln!(out, "- {host}{}", inline(step));
        }
    }
    if report.findings.iter().all(|f| f.verify.is_empty()) {
        let _ = writeln!(
            out,
            "- Run logsleuth again on fresh logs: this finding should be gone."
        );
    }
    render_errors(&mut out, report);
    out
}

fn problem_statement(report: &Report, top: &Finding) -> String {
    let mut text = top.summary.clone();
    if text.is_empty() {
        text = top.title.clone();
    }
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    if report.several_hosts() {
        text = format!("On {}: {text}", host_name(top.host.as_deref()));
    }
    // With several hosts, the loop told of is one on the top finding's host.
    if let Some(looped) = report
        .restart_loops
        .iter()
        .filter(|l| !report.several_hosts() || l.host == top.host)
        .max_by_key(|l| l.restarts)
    {
        let _ = write!(
            text,
            " `{}`{} is in a restart loop: {}, {}.",
            looped.unit,
            on_host(report, looped.host.as_deref()),
            plural(looped.restarts, "restart"),
            describe_period(looped)
        );
    }
    if report.findings.len() > 1 {
        let others: Vec<String> = report.findings[1..]
            .iter()
            .map(|f| format!("`{}`{}", f.cause, on_host(report, f.host.as_deref())))
            .collect();
        let _ = write!(text, " Also found: {}.", others.join(", "));
    }
    text
}

/// " on web-01" when the report covers several hosts, else nothing (Markdown-safe).
fn on_host(report: &Report, host: Option<&str>) -> String {
    if report.several_hosts() {
        format!(" on {}", inline(host_name(host)))
    } else {
        String::new()
    }
}

/// A table of the hosts and what was found on each, and the causes they share, when the
/// report covers several hosts.
fn render_hosts(out: &mut String, report: &Report) {
    if !report.several_hosts() {
        return;
    }
    let _ = writeln!(out, "\n## Hosts\n");
    let _ = writeln!(out, "{}.\n", inline(&describe_across_hosts(report)));
    let _ = writeln!(
        out,
        "| Host | Causes | Restart loops | Matched lines | First | Last |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for host in &report.hosts {
        let causes: Vec<String> = host.causes.iter().map(|c| format!("`{c}`")).collect();
        let loops: Vec<String> = host.restart_loops.iter().map(|l| cell(l)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(host.name()),
            if causes.is_empty() {
                "none".to_string()
            } else {
                causes.join(", ")
            },
            if loops.is_empty() {
                "-".to_string()
            } else {
                loops.join(", ")
            },
            host.matched_lines,
            host.first.as_deref().unwrap_or("-"),
            host.last.as_deref().unwrap_or("-"),
        );
    }
    if !report.shared_causes.is_empty() {
        let shared: Vec<String> = report
            .shared_causes
            .iter()
            .map(|s| format!("`{}` ({})", s.cause, cell(&s.hosts.join(", "))))
            .collect();
        let _ = writeln!(out, "\nFound on more than one host: {}.", shared.join("; "));
    }
}

fn render_loops(out: &mut String, report: &Report) {
    if report.restart_loops.is_empty() {
        return;
    }
    let several = report.several_hosts();
    let (host_head, host_rule) = if several {
        ("Host | ", "---|")
    } else {
        ("", "")
    };
    let _ = writeln!(out, "\n## Restart loops\n");
    let _ = writeln!(
        out,
        "| {host_head}Unit | Restarts | Period | Pattern | Uptime | Timeline | First | Last | Start limit |"
    );
    let _ = writeln!(out, "|{host_rule}---|---|---|---|---|---|---|---|---|");
    for l in &report.restart_loops {
        let pattern = serde_json::to_value(l.pattern)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        let spark = sparkline(&l.timeline);
        let host = if several {
            format!("{} | ", cell(host_name(l.host.as_deref())))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {host}{} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&l.unit),
            l.restarts,
            describe_period(l),
            pattern.unwrap_or_default(),
            l.uptime_s.map(seconds).unwrap_or_else(|| "-".into()),
            if spark.is_empty() { "-".into() } else { spark },
            l.first.as_deref().unwrap_or("-"),
            l.last.as_deref().unwrap_or("-"),
            if l.start_limit_hit {
                "hit"
            } else if l.start_limit_near {
                "near"
            } else {
                "no"
            },
        );
    }
    out.push('\n');
    for l in &report.restart_loops {
        let host = on_host(report, l.host.as_deref());
        if let Some(last) = &l.last_error {
            let _ = writeln!(
                out,
                "`{}`{}: {}:\n",
                cell(&l.unit),
                cell(&host),
                describe_consistency(last)
            );
            code_block(out, std::slice::from_ref(&last.message));
        }
        if let Some(memory) = super::text::describe_memory(l) {
            let _ = writeln!(out, "`{}`{}: {}\n", cell(&l.unit), cell(&host), memory);
        }
    }
}

fn render_tracebacks(out: &mut String, report: &Report) {
    if report.tracebacks.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Stack traces\n");
    for trace in &report.tracebacks {
        let _ = writeln!(
            out,
            "**{}×** {}{} (first at `{}:{}`, last at `{}:{}`, fingerprint `{}`):\n",
            trace.count,
            trace.language,
            cell(&on_host(report, trace.host.as_deref())),
            cell(&trace.first.source),
            trace.first.line,
            cell(&trace.last.source),
            trace.last.line,
            trace.fingerprint
        );
        let mut lines = vec![trace.summary.clone()];
        let word = super::text::chain_word(trace);
        lines.extend(trace.chain.iter().map(|c| format!("  {word} {c}")));
        lines.extend(trace.frames.iter().map(|f| format!("  at {f}")));
        code_block(out, &lines);
    }
}

fn render_errors(out: &mut String, report: &Report) {
    if report.errors.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Sources that could not be read completely\n");
    let body: Vec<String> = report.errors.clone();
    code_block(out, &body);
}

/// A fenced block whose fence is longer than any backtick run inside.
fn code_block(out: &mut String, lines: &[String]) {
    let longest = lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{fence}text");
    for line in lines {
        let _ = writeln!(out, "{}", super::escape_control(line));
    }
    let _ = writeln!(out, "{fence}\n");
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Text for running Markdown: control characters escaped, raw HTML neutralised.
fn inline(text: &str) -> String {
    let escaped = super::escape_control(text);
    let mut out = String::with_capacity(escaped.len());
    // Odd pieces are inside `code spans`, where entities would show literally.
    for (i, piece) in escaped.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 0 {
            out.push_str(&piece.replace('<', "&lt;").replace('>', "&gt;"));
        } else {
            out.push_str(piece);
        }
    }
    out
}

fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks_in_the_content() {
        let mut out = String::new();
        code_block(&mut out, &["a ```` b".to_string()]);
        assert!(out.starts_with("`````text\n"), "{out}");
    }
}
