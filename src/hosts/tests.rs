//! Host assignment, per-host diagnosis and the summary across hosts.

use super::*;
use crate::engine::{AnalyzeOptions, Analyzer};
use crate::report::{render_markdown, render_text, TextOptions};
use crate::rules::RuleSetBuilder;

fn analyzer() -> Analyzer {
    let options = AnalyzeOptions {
        reference_year: Some(2026),
        ..AnalyzeOptions::default()
    };
    Analyzer::new(RuleSetBuilder::new().build().unwrap()).with_options(options)
}

fn report_for(log: &str) -> Report {
    analyzer().analyze_reader("-", log.as_bytes()).report
}

/// An evidence line of `source` at `line_no`, naming `host` or none.
fn line(source: usize, line_no: u64, host: Option<&str>) -> EvidenceLine {
    EvidenceLine {
        source_index: source as u32,
        line_no,
        offset: 0,
        text: Default::default(),
        timestamp_us: crate::evidence::Clock::NONE,
        monotonic_us: crate::evidence::Clock::NONE,
        origin: crate::evidence::OriginNames {
            host: host.map(Into::into),
            ..Default::default()
        }
        .into(),
        pid: None,
        level: None,
        stands_for: 0,
        presence_only: false,
        matches: crate::evidence::Matches::none(),
    }
}

fn hosts_of(assignment: &HostAssignment, count: usize) -> Vec<Option<&str>> {
    (0..count).map(|i| assignment.host_of(i)).collect()
}

/// `uvicorn` on `host` fails to bind port 8000 at `second` with `pid`.
fn bind_failure(host: &str, second: u32, pid: u32) -> String {
    format!(
        "Jan 16 12:00:{second:02} {host} api[{pid}]: INFO:     Started server process [{pid}]\n\
         Jan 16 12:00:{second:02} {host} api[{pid}]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use\n"
    )
}

/// systemd on `host` restarting `api.service` at `second` (counter `n`).
fn restart(host: &str, second: u32, n: u32) -> String {
    format!(
        "Jan 16 12:00:{second:02} {host} systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE\n\
         Jan 16 12:00:{second:02} {host} systemd[1]: api.service: Failed with result 'exit-code'.\n\
         Jan 16 12:00:{second:02} {host} systemd[1]: api.service: Scheduled restart job, restart counter is at {n}.\n"
    )
}

const OOM_ON_DB: &str = "Jan 16 12:00:40 db-01 kernel: Out of memory: Killed process 4242 (postgres) total-vm:2000kB, anon-rss:1000kB, file-rss:0kB, shmem-rss:0kB\n";

#[test]
fn a_line_names_its_host_or_takes_the_one_just_above_it() {
    let names = vec!["merged.log".to_string()];
    let evidence = vec![
        line(0, 1, Some("web-01")),
        line(0, 2, None),
        line(0, 3, Some("WEB-02")),
        line(0, 4, None),
        line(0, 500, None),
        line(0, 501, Some("web-02")),
    ];
    let assignment = HostAssignment::of(&evidence, &names);
    assert_eq!(assignment.hosts(), ["web-01", "WEB-02"]);
    // Line 500 is too far below any line naming a host, and the source names two.
    assert_eq!(
        hosts_of(&assignment, 6),
        vec![
            Some("web-01"),
            Some("web-01"),
            Some("WEB-02"),
            Some("WEB-02"),
            None,
            Some("WEB-02")
        ]
    );
    let groups = assignment.groups();
    let members: Vec<(Option<&str>, &[usize])> = groups
        .iter()
        .map(|g| (g.host.as_deref(), g.members.as_slice()))
        .collect();
    assert_eq!(
        members,
        vec![
            (Some("web-01"), &[0, 1][..]),
            (Some("WEB-02"), &[2, 3, 5][..]),
            (None, &[4][..])
        ]
    );
}

#[test]
fn a_source_without_hosts_belongs_to_its_only_host_or_the_host_its_path_names() {
    let names: Vec<String> = [
        "web-01.journal.txt",
        "web-02.journal.txt",
        "bundle.tar:web-02/var/log/app.log",
        "bundle.tar:shared/app.log",
        "logs/web-01.example.com.log",
    ]
    .map(String::from)
    .to_vec();
    let evidence = vec![
        line(0, 1, Some("web-01.example.com")),
        line(0, 900, None),
        line(1, 1, Some("web-02")),
        line(2, 7, None),
        line(3, 7, None),
        line(4, 3, None),
    ];
    let assignment = HostAssignment::of(&evidence, &names);
    assert_eq!(
        hosts_of(&assignment, 6),
        vec![
            Some("web-01.example.com"),
            // Far from the line above, but its source names only that host.
            Some("web-01.example.com"),
            Some("web-02"),
            // A directory named after the host.
            Some("web-02"),
            None,
            // A file named after the host's full name.
            Some("web-01.example.com"),
        ]
    );
}

#[test]
fn one_host_or_none_is_one_group_with_every_line() {
    let names = vec!["-".to_string(), "app.log".to_string()];
    let one = vec![line(0, 1, Some("web")), line(1, 1, None)];
    let assignment = HostAssignment::of(&one, &names);
    assert_eq!(hosts_of(&assignment, 2), vec![Some("web"), Some("web")]);
    assert_eq!(assignment.groups().len(), 1);
    let none = vec![line(0, 1, None), line(1, 1, None)];
    let groups = HostAssignment::of(&none, &names).groups();
    assert_eq!(
        groups,
        vec![HostGroup {
            host: None,
            members: vec![0, 1]
        }]
    );
}

#[test]
fn two_hosts_failing_to_bind_one_port_are_two_stories() {
    let log = bind_failure("web-01", 0, 100)
        + &bind_failure("web-02", 5, 100)
        + &bind_failure("web-01", 10, 101)
        + &bind_failure("web-02", 15, 105);
    let report = report_for(&log);
    let found: Vec<(&str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.cause.as_str(), f.host.as_deref()))
        .collect();
    // Judged together, web-02's uvicorn would look like the process holding web-01's port
    // (competing-instances), and two starts per host would add up to a restart loop.
    assert_eq!(
        found,
        vec![
            ("port-conflict", Some("web-01")),
            ("port-conflict", Some("web-02"))
        ]
    );
    for finding in &report.findings {
        let host = finding.host.as_deref().unwrap();
        assert!(
            finding.evidence.iter().all(|c| c.text.contains(host)),
            "{host}: {:?}",
            finding.evidence
        );
    }
    assert!(
        report.restart_loops.is_empty(),
        "{:?}",
        report.restart_loops
    );
    let programs: Vec<(Option<&str>, usize)> = report
        .processes
        .iter()
        .map(|p| (p.host.as_deref(), p.pids))
        .collect();
    assert_eq!(programs, vec![(Some("web-01"), 2), (Some("web-02"), 2)]);
    assert_eq!(
        report.shared_causes,
        vec![crate::report::SharedCause {
            cause: "port-conflict".into(),
            hosts: vec!["web-01".into(), "web-02".into()]
        }]
    );
}

#[test]
fn a_finding_on_one_host_borrows_no_loop_or_unit_from_another() {
    let mut log = String::new();
    for (n, second) in [(1, 0), (2, 12), (3, 24)] {
        log += &restart("web-01", second, n);
    }
    log += OOM_ON_DB;
    let report = report_for(&log);
    let oom = report
        .findings
        .iter()
        .find(|f| f.cause == "oom-kill")
        .expect("an OOM finding");
    assert_eq!(oom.host.as_deref(), Some("db-01"));
    assert_eq!(oom.unit, None);
    assert!(
        oom.fix
            .iter()
            .chain(&oom.verify)
            .all(|s| !s.contains("api")),
        "the OOM kill on db-01 is not about web-01's api: {:?}",
        oom.fix
    );
    let loops: Vec<(&str, Option<&str>)> = report
        .restart_loops
        .iter()
        .map(|l| (l.unit.as_str(), l.host.as_deref()))
        .collect();
    assert_eq!(loops, vec![("api", Some("web-01"))]);
}

#[test]
fn one_unit_looping_on_two_hosts_is_two_loops_with_their_own_counts() {
    let mut log = String::new();
    for (n, second) in [(1, 0), (2, 10), (3, 20), (4, 30)] {
        log += &restart("web-01", second, n);
    }
    for (n, second) in [(7, 3), (8, 33)] {
        log += &restart("web-02", second, n);
    }
    let report = report_for(&log);
    let loops: Vec<String> = report
        .restart_loops
        .iter()
        .map(|l| {
            format!(
                "{} on {}: {} restarts, counter {:?}, every {:?} s",
                l.unit,
                l.host.as_deref().unwrap_or("?"),
                l.restarts,
                l.restart_counter,
                l.period_s
            )
        })
        .collect();
    assert_eq!(
        loops,
        vec![
            "api on web-01: 4 restarts, counter Some(4), every Some(10.0) s",
            "api on web-02: 2 restarts, counter Some(8), every Some(30.0) s"
        ]
    );
}

#[test]
fn hosts_are_summarised_most_troubled_first_and_healthy_ones_named() {
    let mut log = bind_failure("web-01", 0, 100) + &bind_failure("web-01", 10, 101);
    log += "Jan 16 12:00:20 web-02 api[300]: INFO:     Started server process [300]\n";
    log += OOM_ON_DB;
    let report = report_for(&log);
    let hosts: Vec<(&str, Vec<&str>, u64)> = report
        .hosts
        .iter()
        .map(|h| {
            (
                h.name(),
                h.causes.iter().map(String::as_str).collect(),
                h.matched_lines,
            )
        })
        .collect();
    assert_eq!(
        hosts,
        vec![
            ("db-01", vec!["oom-kill"], 1),
            ("web-01", vec!["port-conflict"], 4),
            ("web-02", vec![], 1),
        ]
    );
    assert!(report.shared_causes.is_empty());
    assert_eq!(
        crate::report::describe_across_hosts(&report),
        "oom-kill on db-01; port-conflict on web-01; no problem found on web-02"
    );
}

#[test]
fn lines_of_no_known_host_are_judged_apart_under_an_unknown_host() {
    let journal = bind_failure("web-01", 0, 100) + &bind_failure("web-02", 1, 200);
    let analyzer = analyzer();
    let analysis = analyzer.analyze_reader("journal.txt", journal.as_bytes());
    let plain = analyzer.analyze_reader(
        "app.log",
        b"OSError: [Errno 28] No space left on device\n".as_slice(),
    );
    let mut evidence = analysis.evidence.clone();
    evidence.extend(plain.evidence.into_iter().map(|mut l| {
        l.source_index = 1;
        l
    }));
    let names = vec!["journal.txt".to_string(), "app.log".to_string()];
    let report = analyzer.diagnose(&evidence, &names);
    let hosts: Vec<Option<&str>> = report.hosts.iter().map(|h| h.host.as_deref()).collect();
    // Ranked like any host: its full disk outranks the port conflicts.
    assert_eq!(hosts, vec![None, Some("web-01"), Some("web-02")]);
    let disk = report.findings.iter().find(|f| f.cause == "disk-full");
    assert_eq!(disk.map(|f| f.host.as_deref()), Some(None));
    let text = render_text(&report, TextOptions::default());
    assert!(text.contains("disk-full on (unknown host)"), "{text}");
    assert!(text.contains("── (unknown host) ──"), "{text}");
}

#[test]
fn owned_and_borrowed_evidence_give_one_report_and_the_evidence_keeps_its_order() {
    let log = bind_failure("web-01", 0, 100)
        + &bind_failure("web-02", 5, 100)
        + OOM_ON_DB
        + &bind_failure("web-01", 50, 101);
    let analyzer = analyzer();
    let analysis = analyzer.analyze_reader("-", log.as_bytes());
    let lines: Vec<u64> = analysis.evidence.iter().map(|l| l.line_no).collect();
    assert_eq!(lines, vec![1, 2, 3, 4, 5, 6, 7]);
    let again = analyzer.diagnose(&analysis.evidence, &["-".to_string()]);
    assert_eq!(again.findings, analysis.report.findings);
    assert_eq!(again.hosts, analysis.report.hosts);
    assert_eq!(again.processes, analysis.report.processes);
}

#[test]
fn a_stack_trace_on_the_second_host_points_into_the_whole_evidence() {
    let trace = |host: &str, pid: u32| {
        [
            "Traceback (most recent call last):",
            "  File \"/srv/app/main.py\", line 3, in <module>",
            "    load()",
            "KeyError: 'DATABASE_URL'",
        ]
        .iter()
        .map(|l| format!("Jan 16 12:00:00 {host} app[{pid}]: {l}\n"))
        .collect::<String>()
    };
    let log = trace("web-01", 10) + OOM_ON_DB + &trace("web-02", 20);
    let analysis = analyzer().analyze_reader("-", log.as_bytes());
    let traces = &analysis.report.tracebacks;
    assert_eq!(traces.len(), 2, "{traces:?}");
    for trace in traces {
        let host = trace.host.as_deref().unwrap();
        for &member in &trace.members {
            assert_eq!(analysis.evidence[member].origin.host.as_deref(), Some(host));
        }
    }
}

#[test]
fn reports_of_several_hosts_are_grouped_by_host_and_numbered_throughout() {
    let log = bind_failure("web-01", 0, 100) + &bind_failure("web-02", 5, 200) + OOM_ON_DB;
    let report = report_for(&log);
    let text = render_text(&report, TextOptions::default());
    assert!(
        text.starts_with("logsleuth: 3 findings on 3 hosts in 1 source"),
        "{text}"
    );
    assert!(
        text.contains("across hosts: oom-kill on db-01; port-conflict on web-01, web-02"),
        "{text}"
    );
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("── ")).collect();
    assert_eq!(
        headings,
        vec![
            "── db-01 ──  1 finding, 1 matched line",
            "── web-01 ──  1 finding, 2 matched lines",
            "── web-02 ──  1 finding, 2 matched lines"
        ]
    );
    let ranks: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| &l[..2])
        .collect();
    assert_eq!(ranks, vec!["1.", "2.", "3."]);
    let markdown = render_markdown(&report);
    assert!(markdown.contains("## Hosts"), "{markdown}");
    assert!(
        markdown.contains("Found on more than one host: `port-conflict` (web-01, web-02)."),
        "{markdown}"
    );
    assert!(
        markdown.contains("(`port-conflict` on web-02, 1 line)"),
        "{markdown}"
    );
}

#[test]
fn one_host_keeps_the_report_it_had_and_is_named_in_json_only() {
    let log = bind_failure("web", 0, 100) + &bind_failure("web", 10, 101);
    let report = report_for(&log);
    assert!(!report.several_hosts());
    assert!(report
        .findings
        .iter()
        .all(|f| f.host.as_deref() == Some("web")));
    let text = render_text(&report, TextOptions::default());
    assert!(
        !text.contains("across hosts") && !text.contains("── "),
        "{text}"
    );
    assert!(!render_markdown(&report).contains("## Hosts"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["findings"][0]["host"], "web");
    assert_eq!(json["hosts"][0]["causes"][0], "port-conflict");
}
