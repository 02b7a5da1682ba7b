//! Criterion benches: the scanner over a generated journal, envelope parsing, and the
//! detectors plus classifier over the evidence. Inputs are generated here, so the benches
//! need nothing outside the repository.

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

criterion_group!(benches, scanner, envelopes, detectors, prefilter_cliff);
criterion_main!(benches);
