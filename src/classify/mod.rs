//! The classifier: turns evidence and detector findings into ranked, explained findings.
//!
//! Each cause rule names the evidence it needs (`any`, `all`), what makes it more likely
//! (`supporting`), what argues against it (`contradicting`) and what shows a failure was
//! survived (`resolved_by`: a ready line of the same process after a start-up retry). A
//! line that also matches a `noise` signal (routine: a fallback the program takes, a
//! deprecation notice, PostgreSQL's missing-IPv6 notice) is no evidence for any other
//! signal. Neither is a missing setting, module, peer or permission that the same program
//! logged just above a `handled-above` line (a fallback announced on a line of its own, as
//! debconf does when it has no terminal). A cause marked as a consequence (a start limit
//! that a crash loop runs into) is folded into the root cause's finding when there is one,
//! so the report tells one story. A cause that `supersedes` another replaces its finding
//! for the same unit; one that `explains` another (a left-over process explains a port
//! conflict) is ranked before it.

mod finding;
mod survival;
mod template;

pub use finding::{Citation, Finding};

use rayon::prelude::*;

use crate::detect::{competing_managers, RestartLoop, Traceback};
use crate::evidence::EvidenceLine;
use crate::rules::{Cause, EvidenceRef, RuleSet, Severity, Tag};
use survival::{RunEnds, Survival};

/// How many evidence lines a finding cites.
pub const MAX_CITATIONS: usize = 8;
/// Findings below this confidence are dropped.
pub const MIN_CONFIDENCE: f64 = 0.5;

/// Everything the classifier looks at.
pub struct Inputs<'a> {
    pub rules: &'a RuleSet,
    pub evidence: &'a [EvidenceLine],
    pub loops: &'a [RestartLoop],
    /// Assembled stack traces; a finding whose evidence lies in one can name its exception.
    pub tracebacks: &'a [Traceback],
    /// Display names of the sources, indexed like `EvidenceLine::source`.
    pub source_names: &'a [String],
    pub index: &'a EvidenceIndex,
}

/// Evaluates every cause and returns the findings, most important first.
pub fn classify(inputs: &Inputs<'_>) -> Vec<Finding> {
    let survival = Survival::for_causes(&inputs.rules.causes);
    // Each cause on its own (in parallel), the findings in the causes' order.
    let evaluated: Vec<Option<Finding>> = inputs
        .rules
        .causes
        .par_iter()
        .map(|cause| evaluate(cause, inputs, &survival))
        .collect();
    let mut findings: Vec<Finding> = evaluated.into_iter().flatten().collect();
    drop_superseded(inputs.rules, &mut findings);
    rank_explanations_first(inputs.rules, &mut findings);
    findings.sort_by(Finding::by_rank);
    fold_consequences(inputs.rules, findings)
}

/// Whether two findings are about the same unit (or one of them names none).
fn same_subject(a: &Finding, b: &Finding) -> bool {
    let bare = |unit: &str| {
        let unit = unit.trim_end_matches('.');
        unit.strip_suffix(".service").unwrap_or(unit).to_string()
    };
    match (&a.unit, &b.unit) {
        (Some(x), Some(y)) => bare(x) == bare(y),
        _ => true,
    }
}

/// Removes findings that another finding about the same unit supersedes.
fn drop_superseded(rules: &RuleSet, findings: &mut Vec<Finding>) {
    let supersedes = |by: &Finding, other: &Finding| {
        rules
            .cause(&by.cause)
            .is_some_and(|c| c.supersedes.contains(&other.cause))
            && same_subject(by, other)
    };
    let keep: Vec<bool> = findings
        .iter()
        .map(|f| !findings.iter().any(|by| supersedes(by, f)))
        .collect();
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
}

/// Lets each finding rank as high as the most important finding about the same unit that
/// its cause explains (and before it, see [`Finding::by_rank`]), so the report leads with
/// the reason rather than the symptom, also when hosts' findings are ranked together.
fn rank_explanations_first(rules: &RuleSet, findings: &mut [Finding]) {
    let explains = |by: &Finding, other: &Finding| {
        rules
            .cause(&by.cause)
            .is_some_and(|c| c.explains.contains(&other.cause))
            && same_subject(by, other)
    };
    let above =
        |a: (Severity, f64), b: (Severity, f64)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).is_gt();
    // A chain (a explains b, b explains c) settles within as many rounds as there are
    // findings; a cycle in the rules cannot loop.
    for _ in 0..findings.len() {
        let mut changed = false;
        for i in 0..findings.len() {
            let own = (findings[i].severity, findings[i].confidence);
            let mut best = own;
            for j in (0..findings.len()).filter(|&j| j != i) {
                if explains(&findings[i], &findings[j]) {
                    let (severity, confidence, _) = findings[j].rank();
                    if above((severity, confidence), best) {
                        best = (severity, confidence);
                    }
                }
            }
            let wanted = above(best, own).then_some(best);
            if wanted != findings[i].ranks_as {
                findings[i].ranks_as = wanted;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Evidence line indexes per signal, built once so each cause looks up only its own signals.
pub struct EvidenceIndex {
    /// Per signal, the lines that match it (ascending), as `u32`: an index per match of a
    /// busy log, and no run holds 4 billion evidence lines.
    by_signal: Vec<Vec<u32>>,
    /// Per evidence line: it matches a `noise` signal (routine, see the module docs).
    noisy: Vec<bool>,
    /// Lines where a process ends, fails, restarts or starts (ascending): a failure before
    /// such a line and a ready line after it belong to different runs.
    run_boundaries: Vec<usize>,
}

/// A `handled-above` line covers the lines of its program at most this many lines above it.
const HANDLED_ABOVE_LINES: u64 = 3;
/// Evidence lines looked back at from a `handled-above` line. Lines of other sources may
/// lie between: live analysis keeps lines in the order they arrive.
const HANDLED_ABOVE_LOOKBACK: usize = 64;
/// What a fallback can stand in for: a setting, a module, a peer, access, a slow answer.
const HANDLED_KINDS: [Tag; 5] = [
    Tag::ConfigError,
    Tag::ImportError,
    Tag::ConnectionError,
    Tag::PermissionError,
    Tag::Timeout,
];
/// What no fallback undoes: a line with any of these stays evidence.
const NEVER_HANDLED: [Tag; 10] = [
    Tag::Crash,
    Tag::Oom,
    Tag::DiskError,
    Tag::FdError,
    Tag::ExitMarker,
    Tag::FailureMarker,
    Tag::RestartMarker,
    Tag::StartLimit,
    Tag::LoopState,
    Tag::ReadyMarker,
];

/// Tags of a line that ends one run of a process or begins another.
const RUN_BOUNDARY_TAGS: [Tag; 6] = [
    Tag::ExitMarker,
    Tag::FailureMarker,
    Tag::RestartMarker,
    Tag::StartMarker,
    Tag::StartLimit,
    Tag::LoopState,
];

impl EvidenceIndex {
    pub fn new(rules: &RuleSet, evidence: &[EvidenceLine]) -> Self {
        let mut by_signal = vec![Vec::new(); rules.signals.len()];
        let mut noisy = vec![false; evidence.len()];
        let mut run_boundaries = Vec::new();
        let mut fallbacks = Vec::new();
        for (i, line) in evidence.iter().enumerate() {
            let (mut boundary, mut fallback) = (false, false);
            let at = u32::try_from(i).expect("fewer than 2^32 evidence lines");
            for m in &line.matches {
                let lines: &mut Vec<u32> = &mut by_signal[m.signal as usize];
                if lines.last() != Some(&at) {
                    lines.push(at);
                }
                let signal = rules.signal(m.signal);
                noisy[i] |= signal.has_tag(Tag::Noise);
                boundary |= RUN_BOUNDARY_TAGS.iter().any(|&t| signal.has_tag(t));
                fallback |= signal.has_tag(Tag::HandledAbove);
            }
            if boundary {
                run_boundaries.push(i);
            }
            if fallback {
                fallbacks.push(i);
            }
        }
        mark_handled_above(rules, evidence, &fallbacks, &mut noisy);
        Self {
            by_signal,
            noisy,
            run_boundaries,
        }
    }
}

/// Marks as noisy the lines the `handled-above` lines `fallbacks` cover: those of the same
/// program (source, identifier and PID) at most [`HANDLED_ABOVE_LINES`] lines above one that
/// report only what a fallback can stand in for ([`HANDLED_KINDS`], nothing of
/// [`NEVER_HANDLED`]).
fn mark_handled_above(
    rules: &RuleSet,
    evidence: &[EvidenceLine],
    fallbacks: &[usize],
    noisy: &mut [bool],
) {
    if fallbacks.is_empty() {
        return;
    }
    let with_any = |tags: &[Tag]| -> Vec<bool> {
        let tagged = |signal: &crate::rules::Signal| tags.iter().any(|&t| signal.has_tag(t));
        rules.signals.iter().map(tagged).collect()
    };
    let (handled, never) = (with_any(&HANDLED_KINDS), with_any(&NEVER_HANDLED));
    let covered = |line: &EvidenceLine| {
        let signals = || line.matches.iter().map(|m| m.signal as usize);
        signals().any(|s| handled[s]) && !signals().any(|s| never[s])
    };
    for &i in fallbacks {
        let line = &evidence[i];
        let before = evidence[..i].iter().zip(&mut noisy[..i]).rev();
        for (above, flag) in before.take(HANDLED_ABOVE_LOOKBACK) {
            if above.source() != line.source() || above.line_no >= line.line_no {
                continue;
            }
            if line.line_no - above.line_no > HANDLED_ABOVE_LINES {
                break;
            }
            if above.origin.identifier == line.origin.identifier
                && above.pid == line.pid
                && covered(above)
            {
                *flag = true;
            }
        }
    }
}

/// Lines (indexes into evidence, ascending) that a reference covers. A line that matches a
/// noise signal counts only for references to noise itself.
fn lines_for(reference: &EvidenceRef, inputs: &Inputs<'_>) -> Vec<usize> {
    let index = inputs.index;
    let not_noisy = |i: &usize| !index.noisy[*i];
    match reference {
        EvidenceRef::Signal(idx) => {
            let lines = index.by_signal[*idx as usize].iter().map(|&i| i as usize);
            if inputs.rules.signal(*idx).has_tag(Tag::Noise) {
                lines.collect()
            } else {
                lines.filter(not_noisy).collect()
            }
        }
        EvidenceRef::Tag(tag) => {
            let mut lines: Vec<usize> = inputs
                .rules
                .signals
                .iter()
                .enumerate()
                .filter(|(_, signal)| signal.has_tag(*tag))
                .flat_map(|(i, _)| index.by_signal[i].iter().map(|&line| line as usize))
                .filter(|i| *tag == Tag::Noise || not_noisy(i))
                .collect();
            lines.sort_unstable();
            lines.dedup();
            lines
        }
        EvidenceRef::RestartLoop => Vec::new(),
        EvidenceRef::PortHolder => crate::detect::port_holders(inputs.rules, inputs.evidence),
        EvidenceRef::StalePid => crate::detect::stale_pid_claims(inputs.rules, inputs.evidence),
        EvidenceRef::LostRoute => crate::detect::lost_route_lines(inputs.rules, inputs.evidence),
        EvidenceRef::CompetingManagers => {
            // Only a fight over something: a bind error while both managers restart units.
            if lines_for(&EvidenceRef::Tag(crate::rules::Tag::BindError), inputs).is_empty() {
                return Vec::new();
            }
            // The first restarts of each competing loop.
            let wanted: Vec<(usize, u64)> = competing_managers(inputs.loops)
                .iter()
                .flat_map(|l| l.cycle_lines.iter().take(3).copied())
                .collect();
            let mut lines: Vec<usize> = inputs
                .evidence
                .iter()
                .enumerate()
                .filter(|(_, e)| wanted.contains(&(e.source(), e.line_no)))
                .map(|(i, _)| i)
                .collect();
            lines.sort_unstable();
            lines
        }
    }
}

fn present(reference: &EvidenceRef, inputs: &Inputs<'_>) -> bool {
    match reference {
        EvidenceRef::RestartLoop => !inputs.loops.is_empty(),
        other => !lines_for(other, inputs).is_empty(),
    }
}

/// Fix or verify steps with their placeholders filled, without those left empty.
fn fill_steps(steps: &[String], values: &template::Values) -> Vec<String> {
    steps
        .iter()
        .map(|step| values.fill(step))
        .filter(|step| !step.trim().is_empty())
        .collect()
}

/// Whether a signal of error severity (or worse) matched `line`.
fn reports_error(rules: &RuleSet, line: &EvidenceLine) -> bool {
    line.matches
        .iter()
        .any(|m| rules.signal(m.signal).severity >= Severity::Error)
}

/// The evidence lines of all `references`, ascending and each once.
fn lines_of_all(references: &[EvidenceRef], inputs: &Inputs<'_>) -> Vec<usize> {
    let mut lines: Vec<usize> = references
        .iter()
        .flat_map(|r| lines_for(r, inputs))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

fn evaluate<'a>(cause: &'a Cause, inputs: &Inputs<'a>, survival: &Survival<'a>) -> Option<Finding> {
    let when = &cause.when;
    let mut required: Vec<usize> = Vec::new();
    let mut any_hits = 0;
    for reference in &when.any {
        let mut lines = lines_for(reference, inputs);
        if !when.resolved_by.is_empty() && !lines.is_empty() {
            let run_ends = survival.run_ends(&when.resolved_by, || {
                let mut resolvers = lines_of_all(&when.resolved_by, inputs);
                // "Failed listening on port 6379, aborting" names what a ready line names,
                // and says the opposite: a line that reports an error resolves nothing.
                resolvers.retain(|&i| !reports_error(inputs.rules, &inputs.evidence[i]));
                RunEnds::new(inputs.evidence, &inputs.index.run_boundaries, &resolvers)
            });
            lines.retain(|&i| !run_ends.survived(i));
        }
        if when.ends_process {
            survival::drop_lived_on(inputs.rules, inputs.evidence, &mut lines);
        }
        if matches!(reference, EvidenceRef::RestartLoop) && !inputs.loops.is_empty() {
            any_hits += inputs.loops.len();
        }
        any_hits += lines.len();
        required.extend(lines);
    }
    if !when.any.is_empty() && any_hits < when.min_count {
        return None;
    }
    for reference in &when.all {
        if !present(reference, inputs) {
            return None;
        }
        required.extend(lines_for(reference, inputs));
    }
    required.sort_unstable();
    required.dedup();
    let required = one_line_per_trace(required, inputs.tracebacks);

    let supporting = when
        .supporting
        .iter()
        .filter(|r| present(r, inputs))
        .count();
    let contradicting = when
        .contradicting
        .iter()
        .filter(|r| present(r, inputs))
        .count();
    let mut confidence = when.confidence + 0.04 * supporting as f64;
    if contradicting > 0 {
        if supporting == 0 {
            return None;
        }
        confidence -= 0.15;
    }
    let confidence = (confidence.clamp(0.0, 0.99) * 100.0).round() / 100.0;
    if confidence < MIN_CONFIDENCE {
        return None;
    }

    let support_lines = lines_of_all(&when.supporting, inputs);
    let values = template::Values::collect(inputs, &required, &support_lines);
    let cited = pick_citations(&required);
    let signals = signal_ids(inputs, &required, cause);
    Some(Finding {
        cause: cause.id.clone(),
        severity: cause.severity,
        confidence,
        title: values.fill_sentence(&cause.title),
        summary: cause.summary.clone(),
        explanation: values.fill(&cause.explanation),
        // A step that is one optional part (`{?In a container, ...}`) goes when it does.
        fix: fill_steps(&cause.fix, &values),
        verify: fill_steps(&cause.verify, &values),
        occurrences: required.len(),
        evidence: cited
            .iter()
            .map(|&i| Citation::of(&inputs.evidence[i], inputs.source_names))
            .collect(),
        rule: cause.origin.clone(),
        signals,
        unit: values.get("unit").map(str::to_string),
        host: None,
        consequences: Vec::new(),
        ranks_as: None,
    })
}

/// Lines of one stack trace are one piece of evidence (a chained Python traceback has a
/// `Traceback` line per section): only the first line of each occurrence counts.
fn one_line_per_trace(lines: Vec<usize>, tracebacks: &[Traceback]) -> Vec<usize> {
    if tracebacks.is_empty() {
        return lines;
    }
    let mut seen: foldhash::HashSet<usize> = foldhash::HashSet::default();
    lines
        .into_iter()
        .filter(
            |&i| match tracebacks.iter().find_map(|t| t.occurrence_of(i)) {
                Some(start) => seen.insert(start),
                None => true,
            },
        )
        .collect()
}

/// The first lines, and the last one when there are more than fit.
fn pick_citations(lines: &[usize]) -> Vec<usize> {
    if lines.len() <= MAX_CITATIONS {
        return lines.to_vec();
    }
    let mut cited: Vec<usize> = lines[..MAX_CITATIONS - 1].to_vec();
    cited.push(lines[lines.len() - 1]);
    cited
}

fn signal_ids(inputs: &Inputs<'_>, lines: &[usize], cause: &Cause) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for &i in lines {
        for m in &inputs.evidence[i].matches {
            let relevant = cause
                .when
                .any
                .iter()
                .chain(&cause.when.all)
                .any(|r| inputs.rules.refers_to(r, m.signal));
            let id = &inputs.rules.signal(m.signal).id;
            if relevant && !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    ids
}

/// Folds consequence findings into the first root-cause finding.
fn fold_consequences(rules: &RuleSet, findings: Vec<Finding>) -> Vec<Finding> {
    let is_consequence = |f: &Finding| rules.cause(&f.cause).is_some_and(|c| c.consequence);
    let Some(root) = findings.iter().position(|f| !is_consequence(f)) else {
        return findings;
    };
    let mut kept = Vec::new();
    let mut folded = Vec::new();
    for (i, finding) in findings.into_iter().enumerate() {
        if i != root && is_consequence(&finding) {
            folded.push(finding);
        } else {
            kept.push(finding);
        }
    }
    let root_index = kept.iter().position(|f| !is_consequence(f)).unwrap_or(0);
    kept[root_index].consequences = folded;
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::causes_for;
    use crate::rules::RuleSetBuilder;

    const RULES: &str = r#"
[[signal]]
id = "s"
regex = 'x'
examples = ["x"]

[[cause]]
id = "symptom"
title = "t"
[cause.when]
any = ["s"]

[[cause]]
id = "vague"
title = "t"
[cause.when]
any = ["s"]

[[cause]]
id = "root"
title = "t"
explains = ["symptom"]
supersedes = ["vague"]
[cause.when]
any = ["s"]
"#;

    fn finding(cause: &str, confidence: f64, unit: &str) -> Finding {
        Finding {
            cause: cause.into(),
            severity: Severity::Error,
            confidence,
            title: String::new(),
            summary: String::new(),
            explanation: String::new(),
            evidence: Vec::new(),
            occurrences: 1,
            fix: Vec::new(),
            verify: Vec::new(),
            rule: String::new(),
            signals: Vec::new(),
            unit: Some(unit.into()),
            host: None,
            consequences: Vec::new(),
            ranks_as: None,
        }
    }

    fn ranked(mut findings: Vec<Finding>) -> Vec<String> {
        let rules = RuleSetBuilder::new()
            .builtin(false)
            .add_text("t.toml", RULES)
            .build()
            .unwrap();
        drop_superseded(&rules, &mut findings);
        rank_explanations_first(&rules, &mut findings);
        findings.sort_by(Finding::by_rank);
        findings.into_iter().map(|f| f.cause).collect()
    }

    #[test]
    fn a_root_cause_leads_and_replaces_the_vaguer_finding_for_its_unit() {
        let findings = vec![
            finding("symptom", 0.99, "api.service"),
            finding("vague", 0.8, "api"),
            finding("root", 0.7, "api.service"),
        ];
        assert_eq!(ranked(findings), ["root", "symptom"]);
    }

    #[test]
    fn findings_about_another_unit_keep_their_rank() {
        let findings = vec![
            finding("symptom", 0.99, "api.service"),
            finding("vague", 0.8, "api"),
            finding("root", 0.7, "worker.service"),
        ];
        assert_eq!(ranked(findings), ["symptom", "vague", "root"]);
    }

    fn without(log: &str, text: &str) -> String {
        log.lines()
            .filter(|l| !l.contains(text))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    const RETRY_THEN_READY: &str = "\
INFO:     Started server process [4242]
INFO:     Waiting for application startup.
2026-03-01 10:00:00,001 WARNING carts: database not reachable yet (attempt 1/30): connection to server at \"127.0.0.1\", port 5432 failed: Connection refused; retrying in 1s
2026-03-01 10:00:01,002 WARNING carts: redis not reachable yet (attempt 1/30): Error 111 connecting to 127.0.0.1:6379. Connection refused.; retrying in 1s
2026-03-01 10:00:02,003 INFO carts: connected to redis 127.0.0.1:6379
INFO:     Application startup complete.
";

    #[test]
    fn a_start_up_retry_that_ends_ready_is_survived() {
        assert!(causes_for(RETRY_THEN_READY).is_empty());
        // The same failures with no ready line after them (neither the connection nor the
        // start-up said to be done) are the findings.
        let no_ready = without(
            &without(RETRY_THEN_READY, "startup complete"),
            "connected to",
        );
        let mut failing = causes_for(&no_ready);
        failing.sort();
        assert_eq!(failing, ["cache-unreachable", "db-unreachable"]);
    }

    #[test]
    fn a_line_that_reports_an_error_resolves_nothing_though_it_names_a_port() {
        // redis-server 7.0 on a busy port, verbatim: its last line names the port as a
        // ready line does ("listening on port 6379").
        let log = "24051:M 02 Dec 2026 16:29:44.334 # Warning: Could not create server TCP listening socket *:6379: bind: Address already in use\n\
                   24051:M 02 Dec 2026 16:29:44.334 # Failed listening on port 6379 (TCP), aborting.\n";
        assert_eq!(causes_for(log), ["port-conflict"]);
    }

    #[test]
    fn a_dependency_reported_reachable_resolves_the_failures_before_it() {
        // A compose service's wait-for-database loop, then the server it execs in place.
        let waiting = "api-1  | 2024-12-02 16:40:11,203 WARNING wait_for_db: database not ready yet (connection to server at \"db\" (172.21.0.2), port 5432 failed: Connection refused\n";
        let up = "api-1  | 2024-12-02 16:40:17,233 INFO wait_for_db: database is up\n";
        let server = "api-1  | [2024-12-02 16:40:18 +0000] [1] [INFO] Starting gunicorn 22.0.0\n\
                      api-1  | [2024-12-02 16:40:18 +0000] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)\n";
        assert!(causes_for(&format!("{waiting}{waiting}{up}{server}")).is_empty());
        // Without the line saying so, the start of the server ends the run the failures
        // were in: nothing shows they were survived.
        assert_eq!(
            causes_for(&format!("{waiting}{waiting}{server}")),
            ["db-unreachable"]
        );
    }

    /// A Python traceback logged by `bot[pid]` at `second`.
    fn logged_traceback(pid: u32, second: u32) -> String {
        [
            "Traceback (most recent call last):",
            "  File \"/srv/bot/poll.py\", line 41, in poll",
            "    updates = fetch()",
            "  File \"/srv/bot/poll.py\", line 12, in fetch",
            "    raise ValueError(\"bad update\")",
            "ValueError: bad update",
        ]
        .iter()
        .map(|text| format!("Jun 12 18:20:{second:02} vps bot[{pid}]: {text}\n"))
        .collect()
    }

    #[test]
    fn an_exception_its_process_logs_and_goes_on_from_is_not_unhandled() {
        // The same PID logs a trace again ten seconds later, and then serves a request: it
        // caught both.
        let served = "Jun 12 18:20:30 vps bot[4021]: 10.0.0.7 - \"GET /status/9 HTTP/1.1\" 404\n";
        let caught = logged_traceback(4021, 10) + &logged_traceback(4021, 20);
        assert!(causes_for(&(caught.clone() + served)).is_empty());
        // A trace that is the process's last word, its manager telling of its end.
        let fatal = logged_traceback(4021, 10)
            + "Jun 12 18:20:10 vps systemd[1]: bot.service: Main process exited, code=exited, status=1/FAILURE\n";
        assert_eq!(causes_for(&fatal), ["unhandled-exception"]);
        // Of two traces, the second still ends its process when nothing else follows.
        let then_dies = caught
            + "Jun 12 18:20:21 vps systemd[1]: bot.service: Main process exited, code=exited, status=1/FAILURE\n";
        assert_eq!(causes_for(&then_dies), ["unhandled-exception"]);
        // Without PIDs nothing tells the processes apart: a trace counts.
        let plain: String = logged_traceback(4021, 10)
            .lines()
            .map(|l| l.replace("bot[4021]", "bot") + "\n")
            .collect();
        assert_eq!(causes_for(&(plain + served)), ["unhandled-exception"]);
    }

    #[test]
    fn what_a_process_logs_on_its_way_out_does_not_show_it_went_on() {
        // Within the second of the trace: asyncio's teardown complaint.
        let teardown = logged_traceback(4021, 10)
            + "Jun 12 18:20:10 vps bot[4021]: Task was destroyed but it is pending!\n";
        assert!(causes_for(&teardown).contains(&"unhandled-exception".to_string()));
        // Later, but after it said it is shutting down.
        let shutdown = logged_traceback(4021, 10)
            + "Jun 12 18:20:11 vps bot[4021]: INFO:     Shutting down\n\
               Jun 12 18:20:12 vps bot[4021]: INFO:     Finished server process [4021]\n";
        assert_eq!(causes_for(&shutdown), ["unhandled-exception"]);
    }

    #[test]
    fn a_fallback_announced_below_covers_its_programs_failure_just_above() {
        let failure =
            "Mar 01 10:00:00 web app[100]: Error: environment variable DATABASE_URL is not set\n";
        assert_eq!(causes_for(failure), ["missing-config"]);
        let fallback =
            "Mar 01 10:00:00 web app[100]: Falling back to the built-in SQLite database\n";
        assert!(causes_for(&format!("{failure}{fallback}")).is_empty());
        // Another program's fallback covers nothing, nor does one more than 3 lines below.
        let other = fallback.replace("app[100]", "cron[7]");
        assert_eq!(causes_for(&format!("{failure}{other}")), ["missing-config"]);
        let quiet = "Mar 01 10:00:00 web app[100]: loading plugins\n";
        let two_between = format!("{failure}{}{fallback}", quiet.repeat(2));
        assert!(causes_for(&two_between).is_empty());
        let three_between = format!("{failure}{}{fallback}", quiet.repeat(3));
        assert_eq!(causes_for(&three_between), ["missing-config"]);
    }

    #[test]
    fn a_fallback_covers_no_crash_and_looks_past_other_sources_lines() {
        // A panic on a refused connection is a crash, whatever the program says next.
        let crash = "Mar 01 10:00:00 web app[100]: panic: dial tcp 10.0.0.5:5432: connect: connection refused\n";
        let fallback = "Mar 01 10:00:00 web app[100]: Falling back to the read-only replica\n";
        assert_eq!(
            causes_for(&format!("{crash}{fallback}")),
            ["db-unreachable"]
        );

        // Live analysis keeps lines in arrival order: another file's line may come between.
        let rules = RuleSetBuilder::new().build().unwrap();
        let analyzer = crate::engine::Analyzer::new(rules.clone());
        let evidence_of = |log: &str| analyzer.analyze_reader("-", log.as_bytes()).evidence;
        let failure =
            "Mar 01 10:00:00 web app[100]: Error: environment variable DATABASE_URL is not set\n";
        let fallback =
            "Mar 01 10:00:00 web app[100]: Falling back to the built-in SQLite database\n";
        let mut own = evidence_of(&format!("{failure}{fallback}"));
        let mut other = evidence_of(failure);
        other[0].source_index = 1;
        own.insert(1, other.remove(0));
        let index = EvidenceIndex::new(&rules, &own);
        assert_eq!(index.noisy, [true, false, true]);
    }

    #[test]
    fn a_ready_line_of_another_process_resolves_nothing() {
        let log = "\
Mar 01 10:00:00 web api[100]: psycopg2.OperationalError: connection to server at \"db\" (10.0.0.5), port 5432 failed: Connection refused
Mar 01 10:00:00 web systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE
Mar 01 10:00:05 web api[200]: INFO:     Application startup complete.
";
        assert_eq!(causes_for(log), ["db-unreachable"]);
    }

    #[test]
    fn an_end_of_the_process_between_failure_and_ready_line_keeps_the_failure() {
        // No PIDs on the lines: supervisord's exit and spawn lines separate the two runs.
        let log = "\
2026-03-01 10:00:00,001 WARNING api: connection to server at \"127.0.0.1\", port 5432 failed: Connection refused
2026-03-01 10:00:00,101 INFO exited: api (exit status 1; not expected)
2026-03-01 10:00:01,102 INFO spawned: 'api' with pid 771
INFO:     Application startup complete.
";
        assert_eq!(causes_for(log), ["db-unreachable"]);
    }

    #[test]
    fn a_fallback_on_the_same_line_is_no_evidence() {
        let handled = "\
2026-03-01 10:00:00,001 INFO worker: No module named 'ujson'; falling back to the json module
2026-03-01 10:00:00,002 WARNING worker: REPORT_BUCKET is not set, using the default ./reports
";
        assert!(causes_for(handled).is_empty());
        let mut failing = causes_for("ModuleNotFoundError: No module named 'ujson'\n");
        failing.sort();
        assert_eq!(failing, ["import-error", "missing-dependency"]);
    }

    #[test]
    fn a_bind_error_the_server_goes_on_from_is_survived() {
        // PostgreSQL with `localhost` listed twice in /etc/hosts: the second bind of
        // 127.0.0.1 fails, the postmaster serves on the first.
        let log = "\
2026-12-01 16:16:56.223 UTC [32306] LOG:  listening on IPv4 address \"127.0.0.1\", port 5432
2026-12-01 16:16:56.224 UTC [32306] LOG:  could not bind IPv4 address \"127.0.0.1\": Address already in use
2026-12-01 16:16:56.224 UTC [32306] HINT:  Is another postmaster already running on port 5432? If not, wait a few seconds and retry.
2026-12-01 16:16:56.262 UTC [32306] LOG:  database system is ready to accept connections
";
        assert!(causes_for(log).is_empty());
        assert_eq!(
            causes_for(&without(log, "ready to accept")),
            ["port-conflict"]
        );
    }
}
