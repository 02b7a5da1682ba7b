//! Integration tests of `logsleuth::input` through its public API: a directory tree with
//! plain, compressed, binary and damaged files is collected, opened and read the way the
//! analysis pipeline does it.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use logsleuth::input::{collect_sources, open, InputError, Location, SourceSpec};

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, bytes).expect("write file");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("gzip write");
    encoder.finish().expect("gzip finish")
}

/// What the pipeline would see: per source, the bytes read; plus every message printed.
struct Run {
    read: Vec<(String, Vec<u8>)>,
    notes: Vec<String>,
    errors: Vec<String>,
}

fn run(paths: &[PathBuf]) -> Run {
    let (specs, problems) = collect_sources(paths);
    let mut run = Run {
        read: Vec::new(),
        notes: Vec::new(),
        errors: Vec::new(),
    };
    let record = |problem: InputError, run: &mut Run| {
        let message = problem.to_string();
        if problem.is_error() {
            run.errors.push(message);
        } else {
            run.notes.push(message);
        }
    };
    for problem in problems {
        record(problem, &mut run);
    }
    for spec in &specs {
        open(spec, |opened| match opened {
            Ok(mut source) => {
                let mut bytes = Vec::new();
                let outcome = source.for_each_block(1 << 16, |block| {
                    bytes.extend_from_slice(block.bytes);
                    ControlFlow::<()>::Continue(())
                });
                run.read.push((source.name.clone(), bytes));
                if let Err(problem) = outcome {
                    record(problem, &mut run);
                }
            }
            Err(problem) => record(problem, &mut run),
        });
    }
    run
}

/// Strips the temporary directory from names and messages.
fn relative(text: &str, root: &Path) -> String {
    text.replace(&format!("{}/", root.display()), "")
}

#[test]
fn a_mixed_tree_is_read_with_notes_and_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let app = b"2026-01-12 10:00:01 ERROR bind: address already in use\n".repeat(100);
    let old = b"Jan 11 09:00:00 host api[7]: started\n".repeat(100);
    let compressed = gzip(&old);
    write(&root.join("logs/app.log"), &app);
    write(&root.join("logs/archive/app.log.1.gz"), &compressed);
    write(&root.join("logs/core.dump"), b"\x7fELF\0\0\0\0");
    write(
        &root.join("logs/cut.gz"),
        &compressed[..compressed.len() - 12],
    );
    write(&root.join("logs/.git/config"), b"[core]\n");

    let result = run(&[root.join("logs"), root.join("missing.log")]);

    let names: Vec<String> = result
        .read
        .iter()
        .map(|(name, _)| relative(name, root))
        .collect();
    assert_eq!(
        names,
        ["logs/app.log", "logs/archive/app.log.1.gz", "logs/cut.gz"]
    );
    assert_eq!(result.read[0].1, app);
    assert_eq!(result.read[1].1, old);
    assert!(old.starts_with(&result.read[2].1));

    let notes: Vec<String> = result.notes.iter().map(|n| relative(n, root)).collect();
    assert_eq!(notes, ["logs/core.dump: skipped (binary file)"]);
    let errors: Vec<String> = result.errors.iter().map(|e| relative(e, root)).collect();
    assert_eq!(
        errors,
        [
            "missing.log: no such file or directory (check the path)",
            "logs/cut.gz: truncated gzip data (unexpected end of file)",
        ]
    );
}

#[test]
fn explicitly_named_binary_files_are_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("weird.log");
    write(&path, b"line one\n\0\0\0\nline two\n");
    let result = run(&[path]);
    assert!(result.notes.is_empty() && result.errors.is_empty());
    assert_eq!(result.read[0].1, b"line one\n\0\0\0\nline two\n");
}

#[cfg(target_os = "linux")]
#[test]
fn files_that_claim_size_zero_are_streamed() {
    let spec = SourceSpec {
        name: "status".into(),
        location: Location::File("/proc/self/status".into()),
        from_walk: false,
    };
    let mut bytes = Vec::new();
    open(&spec, |opened| {
        let Ok(mut source) = opened else {
            return; // no procfs here
        };
        let outcome = source.for_each_block(4096, |block| {
            bytes.extend_from_slice(block.bytes);
            ControlFlow::<()>::Continue(())
        });
        assert!(outcome.is_ok());
    });
    assert!(bytes.is_empty() || bytes.starts_with(b"Name:"));
}

#[cfg(unix)]
#[test]
fn a_named_fifo_is_streamed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fifo = tmp.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !matches!(made, Ok(status) if status.success()) {
        return; // no mkfifo here
    }
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut pipe = std::fs::OpenOptions::new().write(true).open(writer_path)?;
        pipe.write_all(&gzip(b"through a pipe\n"))
    });
    let result = run(&[fifo]);
    assert!(writer.join().is_ok_and(|written| written.is_ok()));
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.read[0].1, b"through a pipe\n");
}
