//! Criterion benches: the scanner over a generated journal, envelope parsing, the
//! detectors plus classifier over the evidence, and how the analysis scales with the shape
//! of the evidence (many hosts; many failures no process survives, from as many PIDs;
//! thousands of units in a restart loop, logging under their own names or others). Inputs are generated
//! here, so the benches need nothing outside the repository.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use logsleuth::engine::Analyzer;
use logsleuth::record::EnvelopeParser;
use logsleuth::rules::RuleSetBuilder;
use logsleuth::scan::ScannerBuilder;

/// A deterministic journal: mostly quiet lines, about 1 % failure lines.
fn corpus(lines: usize) -> Vec<u8> {
    let quiet = [
        "web-01 nginx[812]: 10.0.0.7 - - [16/Jan/2026:12:28:18 +0000] \"GET /api/items?page=2 HTTP/1.1\" 200 5123 \"-\" \"Mozilla/5.0\"",
        "web-01 api[2211]: INFO:     127.0.0.1:51872 - \"POST /webhook HTTP/1.1\" 200 OK",
        "web-01 CRON[9921]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
        "web-01 sshd[7712]: Accepted publickey for deploy from 10.0.0.4 port 52211 ssh2: ED25519 SHA256:abc",
        "web-01 postgres[901]: 2026-01-16 12:28:18.112 UTC [901] LOG:  checkpoint complete: wrote 12 buffers",
        "web-01 worker[3310]: 2026-01-16 12:28:18 | INFO     | jobs:run:88 - processed batch 8812 in 0.41 s",
    ];
    let loud = [
        "web-01 api[3371872]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use",
        "web-01 systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE",
        "web-01 systemd[1]: api.service: Scheduled restart job, restart counter is at 7.",
        "web-01 kernel: Out of memory: Killed process 15784 (python3) total-vm:11964kB, anon-rss:4288kB, file-rss:3028kB, shmem-rss:0kB",
    ];
    let mut out = Vec::with_capacity(lines * 120);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..lines {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let (h, m, s) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
        let body = if state % 100 == 0 {
            loud[(state / 100) as usize % loud.len()]
        } else {
            quiet[(state >> 8) as usize % quiet.len()]
        };
        out.extend_from_slice(format!("Jan 16 {h:02}:{m:02}:{s:02} {body}\n").as_bytes());
    }
    out
}

fn scanner(c: &mut Criterion) {
    let rules = RuleSetBuilder::new().build().expect("built-in rules load");
    let data = corpus(200_000);
    let mut group = c.benchmark_group("scanner");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    let parallel = ScannerBuilder::new().build(&rules);
    group.bench_function("scan-parallel", |b| b.iter(|| parallel.scan(&data, 1)));
    let single = ScannerBuilder::new().chunk_size(usize::MAX).build(&rules);
    group.bench_function("scan-one-chunk", |b| b.iter(|| single.scan(&data, 1)));
    group.finish();
}

fn envelopes(c: &mut Criterion) {
    let data = corpus(20_000);
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut group = c.benchmark_group("envelope");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("parse-journal-short", |b| {
        b.iter_batched(
            EnvelopeParser::new,
            |mut parser| {
                let mut stamps = 0i64;
                for line in &lines {
                    stamps = stamps.wrapping_add(parser.parse(line).timestamp_us.unwrap_or(0));
                }
                stamps
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn detectors(c: &mut Criterion) {
    let analyzer = Analyzer::new(RuleSetBuilder::new().build().expect("built-in rules load"));
    let data = corpus(100_000);
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    group.bench_function("scan-detect-classify", |b| {
        b.iter(|| analyzer.analyze_reader("-", &data[..]))
    });
    group.finish();
}

/// Where aho-corasick leaves its SIMD path: one automaton with N literals over the corpus.
fn prefilter_cliff(c: &mut Criterion) {
    let data = corpus(200_000);
    let mut group = c.benchmark_group("prefilter-literals-per-automaton");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    for n in [8, 16, 32, 48, 64, 96, 128] {
        let mut rules_text = String::new();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..n {
            // Distinct words of ordinary letters, like real failure literals: Teddy cannot
            // skip on one rare byte.
            let word: String = (0..10)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (b'a' + (state % 26) as u8) as char
                })
                .collect();
            rules_text.push_str(&format!("[[signal]]\nid = \"s{i}\"\nregex = '{word}'\n"));
        }
        let rules = RuleSetBuilder::new()
            .builtin(false)
            .add_text("bench.toml", rules_text)
            .build()
            .expect("synthetic rules load");
        let scanner = ScannerBuilder::new()
            .group_size(n)
            .single_pass_above(usize::MAX)
            .chunk_size(usize::MAX)
            .build(&rules);
        group.bench_function(format!("{n}"), |b| b.iter(|| scanner.scan(&data, 1)));
    }
    group.finish();
}

/// An aggregated syslog of `hosts` hosts, 20 evidence lines each: bind failures, exits and
/// refused connections, so every host has findings.
fn fleet(hosts: usize) -> Vec<u8> {
    let bodies = [
        "app[{pid}]: OSError: [Errno 98] Address already in use",
        "systemd[1]: app.service: Main process exited, code=exited, status=1/FAILURE",
        "app[{pid}]: connection refused to db:5432",
    ];
    let mut out = Vec::new();
    for i in 0..hosts * 20 {
        let host = (i * 7919) % hosts;
        let body = bodies[i % bodies.len()].replace("{pid}", &(100 + i % 7).to_string());
        let (m, s) = ((i / 60) % 60, i % 60);
        out.extend_from_slice(format!("Jan 16 12:{m:02}:{s:02} node{host} {body}\n").as_bytes());
    }
    out
}

/// One host's journal of `failures` refused connections, each from a PID that never logs
/// again, between lifecycle lines of other units: no failure is survived, and each must be
/// told so without reading every later line; the program churns through as many PIDs.
fn unsurvived_failures(failures: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..failures {
        let (m, s) = ((i / 60) % 60, i % 60);
        let pid = 1000 + i;
        out.extend_from_slice(
            format!(
                "Jan 16 12:{m:02}:{s:02} web api[{pid}]: connection refused to db:5432\n\
                 Jan 16 12:{m:02}:{s:02} web systemd[1]: Started Session {i} of User deploy.\n\
                 Jan 16 12:{m:02}:{s:02} web systemd[1]: session-{i}.scope: Deactivated successfully.\n"
            )
            .as_bytes(),
        );
    }
    out
}

/// `failures` bind errors a program logs without its PID, while each of its restarts logs
/// with a new PID: a failure line without a PID is compared with the lines of every PID,
/// so those are merged across PIDs once, not tried PID by PID.
fn failures_without_pid(failures: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..failures {
        let at = format!("Jan 16 12:{:02}:{:02} web", (i / 60) % 60, i % 60);
        let pid = 1000 + i;
        out.extend_from_slice(
            format!(
                "{at} api: OSError: [Errno 98] Address already in use\n\
                 {at} api[{pid}]: INFO:     Started server process [{pid}]\n"
            )
            .as_bytes(),
        );
    }
    out
}

/// `units` units of one host in a restart loop, five restarts each (all units restart, then
/// all again): `lines` gives the lines of one restart from its stamp (`Jan 16 hh:mm:ss
/// web`), the unit's number, the restart's number and its second.
fn restart_rounds(units: usize, lines: impl Fn(&str, usize, usize, usize) -> String) -> Vec<u8> {
    let mut out = Vec::new();
    for (t, (restart, unit)) in (0..5)
        .flat_map(|r| (0..units).map(move |u| (r, u)))
        .enumerate()
    {
        let (h, m, s) = ((t / 3600) % 24, (t / 60) % 60, t % 60);
        let at = format!("Jan 16 {h:02}:{m:02}:{s:02} web");
        out.extend_from_slice(lines(&at, unit, restart, t).as_bytes());
    }
    out
}

/// Looping units with systemd's memory peak for every run: each loop's last error and
/// memory figures are found by name.
fn looping_units(units: usize) -> Vec<u8> {
    restart_rounds(units, |at, unit, restart, _| {
        let at = format!("{at} systemd[1]: svc{unit}.service");
        format!(
            "{at}: Main process exited, code=exited, status=1/FAILURE\n\
             {at}: Consumed 1.204s CPU time, {}.5M memory peak.\n\
             {at}: Scheduled restart job, restart counter is at {}.\n",
            100 + restart,
            restart + 1
        )
    })
}

/// Looping units whose program logs under another name than its unit (`python3[pid]` under
/// `svcN.service`): its error lines name no loop, so every loop may end with them, and each
/// loop finds them by window, not by reading them all.
fn loops_of_other_names(units: usize) -> Vec<u8> {
    restart_rounds(units, |at, unit, restart, t| {
        let unit = format!("systemd[1]: svc{unit}.service");
        format!(
            "{at} python3[{}]: OSError: [Errno 98] Address already in use\n\
             {at} {unit}: Main process exited, code=exited, status=1/FAILURE\n\
             {at} {unit}: Scheduled restart job, restart counter is at {}.\n",
            5000 + t,
            restart + 1
        )
    })
}

/// The same shape of evidence at two sizes: a cost linear in the input keeps the
/// throughput (lines per second) of both; a quadratic one loses most of it at the larger.
fn scaling(c: &mut Criterion) {
    let analyzer = Analyzer::new(RuleSetBuilder::new().build().expect("built-in rules load"));
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    let inputs = [
        ("hosts", 500, fleet(500)),
        ("hosts", 2000, fleet(2000)),
        ("unsurvived-failures", 5000, unsurvived_failures(5000)),
        ("unsurvived-failures", 20000, unsurvived_failures(20000)),
        ("failures-without-pid", 5000, failures_without_pid(5000)),
        ("failures-without-pid", 20000, failures_without_pid(20000)),
        ("looping-units", 1000, looping_units(1000)),
        ("looping-units", 4000, looping_units(4000)),
        ("loops-of-other-names", 1000, loops_of_other_names(1000)),
        ("loops-of-other-names", 4000, loops_of_other_names(4000)),
    ];
    for (shape, size, data) in &inputs {
        let lines = data.iter().filter(|&&b| b == b'\n').count();
        group.throughput(Throughput::Elements(lines as u64));
        group.bench_function(format!("{shape}/{size}"), |b| {
            b.iter(|| analyzer.analyze_reader("-", &data[..]))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    scanner,
    envelopes,
    detectors,
    prefilter_cliff,
    scaling
);
criterion_main!(benches);
