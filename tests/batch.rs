//! A batch of many sources: those that fit in one block are scanned side by side on the
//! thread pool and recorded in order, larger ones stream through the pipeline. Which way a
//! source goes must not change the analysis: the same sources in the same order, the same
//! evidence, the same report.

use std::io::Write;
use std::path::{Path, PathBuf};

use logsleuth::engine::{AnalyzeOptions, Analyzer};
use logsleuth::rules::RuleSetBuilder;

fn corpus_logs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let mut logs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("input.log"))
        .filter(|path| path.is_file())
        .collect();
    logs.sort();
    logs
}

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
    let logs = corpus_logs();
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

#[test]
fn sources_scanned_on_the_pool_are_analysed_as_if_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let paths = batch(dir.path());
    // 64 KiB blocks: all but the large log and what the truncated gzip holds fit in one and
    // go to the pool. 4 KiB blocks: nearly every source streams.
    let pooled = analyzer(64 << 10).analyze_paths(&paths);
    let streamed = analyzer(4 << 10).analyze_paths(&paths);
    let pooled_json = serde_json::to_string_pretty(&pooled.report).unwrap();
    let streamed_json = serde_json::to_string_pretty(&streamed.report).unwrap();
    if let Some((line, (a, s))) = pooled_json
        .lines()
        .zip(streamed_json.lines())
        .enumerate()
        .find(|(_, (a, s))| a != s)
    {
        panic!("reports differ at line {}: {a} | {s}", line + 1);
    }
    assert_eq!(pooled_json.len(), streamed_json.len());
    assert!(pooled.evidence == streamed.evidence, "the same evidence");
    // The batch really is diverse: every source read, problems reported.
    let report = &pooled.report;
    assert!(report.sources.len() > 30);
    assert!(report
        .sources
        .iter()
        .any(|s| s.name.ends_with(".tar.gz:b/c.log")));
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
