//! A batch of many sources: those that fit in one block are scanned side by side on the
//! thread pool and recorded in order, larger ones stream through the pipeline. Which way a
//! source goes must not change the analysis: the same sources in the same order, the same
//! evidence, the same report.

use std::io::Write;
use std::path::{Path, PathBuf};

use logsleuth::engine::{AnalyzeOptions, Analyzer};
use logsleuth::rules::RuleSetBuilder;

mod common;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn tar_gz(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, *data).unwrap();
    }
    gzip(&builder.into_inner().unwrap())
}

/// A directory of every corpus log (plain, gzip, and some in tar.gz archives), a binary
/// file, an empty one, a truncated gzip, and a log as large as the others together, alone
/// and between two small members of an archive.
fn batch(dir: &Path) -> Vec<PathBuf> {
    let logs = common::corpus_files("input.log");
    assert!(logs.len() > 20, "the corpora hold many logs");
    let mut all = Vec::new();
    for (i, log) in logs.iter().enumerate() {
        let text = std::fs::read(log).unwrap();
        let name = format!(
            "{i:02}-{}",
            log.parent().unwrap().file_name().unwrap().to_str().unwrap()
        );
        match i % 7 {
            3 => std::fs::write(dir.join(format!("{name}.log.gz")), gzip(&text)).unwrap(),
            5 => {
                let members = [("a.log", &text[..]), ("b/c.log", b"no evidence here\n")];
                std::fs::write(dir.join(format!("{name}.tar.gz")), tar_gz(&members)).unwrap();
            }
            _ => std::fs::write(dir.join(format!("{name}.log")), &text).unwrap(),
        }
        all.extend_from_slice(&text);
    }
    std::fs::write(dir.join("50-everything.log"), &all).unwrap();
    // Small members around a large one: those before it are recorded before it streams.
    let first = std::fs::read(&logs[0]).unwrap();
    let second = std::fs::read(&logs[1]).unwrap();
    let members = [
        ("one.log", &first[..]),
        ("big.log", &all[..]),
        ("two.log", &second[..]),
    ];
    std::fs::write(dir.join("50-mixed.tar.gz"), tar_gz(&members)).unwrap();
    std::fs::write(
        dir.join("51-binary.log"),
        [0u8, 1, 2, 255, 0, 7].repeat(100),
    )
    .unwrap();
    std::fs::write(dir.join("52-empty.log"), b"").unwrap();
    let whole = gzip(&all);
    std::fs::write(dir.join("53-truncated.log.gz"), &whole[..whole.len() / 2]).unwrap();
    vec![dir.to_path_buf()]
}

fn analyzer(block_size: usize) -> Analyzer {
    let options = AnalyzeOptions {
        block_size,
        reference_year: Some(2026),
        ..AnalyzeOptions::default()
    };
    Analyzer::new(RuleSetBuilder::new().build().unwrap()).with_options(options)
}

/// The first line where two reports differ, if any.
fn assert_same_report(left: &logsleuth::report::Report, right: &logsleuth::report::Report) {
    let left = serde_json::to_string_pretty(left).unwrap();
    let right = serde_json::to_string_pretty(right).unwrap();
    if let Some((line, (l, r))) = left
        .lines()
        .zip(right.lines())
        .enumerate()
        .find(|(_, (l, r))| l != r)
    {
        panic!("reports differ at line {}: {l} | {r}", line + 1);
    }
    assert_eq!(left.len(), right.len());
}

/// Runs `work` on another thread and fails if it takes longer than a minute (a hang).
fn within_a_minute<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    result
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("finished within a minute")
}

#[test]
fn sources_scanned_on_the_pool_are_analysed_as_if_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let paths = batch(dir.path());
    // 64 KiB blocks: all but the large logs (and what the truncated gzip holds) fit in one
    // and go to the pool. 4 KiB blocks: the larger logs stream instead.
    let pooled = analyzer(64 << 10).analyze_paths(&paths);
    let streamed = analyzer(4 << 10).analyze_paths(&paths);
    assert_same_report(&pooled.report, &streamed.report);
    assert!(pooled.evidence == streamed.evidence, "the same evidence");
    // The batch really is diverse: every source read, problems reported.
    let report = &pooled.report;
    assert!(report.sources.len() > 30);
    assert!(report
        .sources
        .iter()
        .any(|s| s.name.ends_with(".tar.gz:b/c.log")));
    let names: Vec<&str> = report.sources.iter().map(|s| s.name.as_str()).collect();
    let mixed = names
        .iter()
        .position(|n| n.ends_with("50-mixed.tar.gz:one.log"));
    assert!(mixed
        .is_some_and(|i| names[i + 1].ends_with(":big.log") && names[i + 2].ends_with(":two.log")));
    assert!(
        report.sources.iter().any(|s| s.error.is_some()),
        "{:?}",
        report.sources
    );
    assert!(
        !report.notes.is_empty(),
        "the binary file is skipped with a note"
    );
    assert!(report.findings.len() > 10);
}

#[test]
fn inside_a_thread_pool_sources_are_scanned_in_turn_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let paths = batch(dir.path());
    let pooled = analyzer(64 << 10).analyze_paths(&paths);
    // Called from a thread of a pool (of one thread: waiting there for the pool's work
    // would wait forever), every source is scanned on the calling thread, in turn.
    let in_turn = within_a_minute(move || {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        pool.install(|| analyzer(64 << 10).analyze_paths(&paths))
    });
    assert_same_report(&pooled.report, &in_turn.report);
    assert!(pooled.evidence == in_turn.evidence, "the same evidence");
    // Two analyses side by side on a pool of two threads.
    let dir = dir.path().to_path_buf();
    let both = within_a_minute(move || {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (a, b) = pool.install(|| {
            rayon::join(
                || analyzer(64 << 10).analyze_paths(std::slice::from_ref(&dir)),
                || analyzer(64 << 10).analyze_paths(std::slice::from_ref(&dir)),
            )
        });
        (a.report, b.report)
    });
    assert_same_report(&pooled.report, &both.0);
    assert_same_report(&pooled.report, &both.1);
}

#[test]
fn a_named_pipe_is_read_once() {
    // A log whose routes answer 404 after a restart: the engine would read it again to
    // look for earlier answers, but a FIFO opened again waits for a writer forever.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.log");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let log = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpora/state-lost-on-restart-uvicorn-registry-plain/input.log");
    let writer_fifo = fifo.clone();
    std::thread::spawn(move || std::fs::write(writer_fifo, std::fs::read(log).unwrap()));
    let report = within_a_minute(move || analyzer(64 << 10).analyze_paths(&[fifo]).report);
    assert!(report.sources[0].lines > 10);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("cannot be read twice")),
        "{:?}",
        report.notes
    );
}
