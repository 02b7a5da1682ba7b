//! Native journal files: every golden case that ships a `journal.export` is turned into a
//! real `.journal` file with `systemd-journal-remote` (in its default compact layout and in
//! the regular one), read directly by logsleuth, and compared with the real `journalctl`:
//! the same entries with the same fields in the same order, and the same diagnosis as
//! analysing `journalctl -o json`. Then compressed fields, a directory of journal files
//! merged into one source, and damaged journals (cut short, overwritten).
//!
//! Needs the Debian package `systemd-journal-remote` (installed by `.ci/run`).

mod common;

use common::{export_cases, JOURNAL_REMOTE};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use logsleuth::input::{collect_sources, open, InputError, Location, SourceSpec};
use serde_json::Value;

/// How a journal file is written: systemd's default (compact items) or the regular layout.
#[derive(Debug, Clone, Copy)]
enum Layout {
    Compact,
    Regular,
}

fn case_name(export: &Path) -> String {
    export
        .parent()
        .and_then(Path::file_name)
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn build_journal(export: &Path, journal: &Path, layout: Layout) {
    assert!(
        Path::new(JOURNAL_REMOTE).exists(),
        "{JOURNAL_REMOTE} is missing: apt-get install systemd-journal-remote (see .ci/run)"
    );
    let compact = match layout {
        Layout::Compact => "1",
        Layout::Regular => "0",
    };
    let output = Command::new(JOURNAL_REMOTE)
        .env("SYSTEMD_JOURNAL_COMPACT", compact)
        .arg(format!("--output={}", journal.display()))
        .arg(export)
        .output()
        .expect("systemd-journal-remote runs");
    assert!(
        output.status.success(),
        "systemd-journal-remote failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `journalctl -o json` of journal files (`--file` each, or a `--directory`).
fn journalctl_json(args: &[&str], all: bool) -> Vec<u8> {
    let mut command = Command::new("journalctl");
    command.env("TZ", "UTC").args(["--no-pager", "-o", "json"]);
    if all {
        command.arg("--all");
    }
    let output = command.args(args).output().expect("journalctl runs");
    assert!(
        output.status.success(),
        "journalctl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn json_lines(text: &[u8]) -> Vec<Value> {
    text.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("a JSON line"))
        .collect()
}

/// What logsleuth reads from a source: its lines as JSON, and the error at the end.
fn read_natively(spec: &SourceSpec) -> (Vec<Value>, Option<InputError>) {
    let mut text = Vec::new();
    let mut error = None;
    open(spec, |opened| match opened {
        Ok(mut source) => {
            error = source
                .reader
                .read_to_end(&mut text)
                .err()
                .map(|err| InputError::from_read(&spec.name, err));
        }
        Err(err) => error = Some(err),
    });
    (json_lines(&text), error)
}

fn file_spec(path: &Path) -> SourceSpec {
    SourceSpec {
        name: path.display().to_string(),
        location: Location::File(path.to_path_buf()),
        from_walk: false,
    }
}

fn run_logsleuth(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logsleuth"))
        .args(["--format", "json"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("logsleuth runs");
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin).unwrap();
    }
    child.wait_with_output().expect("logsleuth ends")
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "no JSON report ({err}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The parts of a report that say what is wrong: causes in order with the line numbers of
/// their evidence, and restart loops with their periods.
fn diagnosis(report: &Value) -> Value {
    let findings: Vec<Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let lines: Vec<&Value> = finding["evidence"]
                .as_array()
                .map(|evidence| evidence.iter().map(|e| &e["line"]).collect())
                .unwrap_or_default();
            serde_json::json!({ "cause": finding["cause"], "lines": lines })
        })
        .collect();
    let loops: Vec<Value> = report["restart_loops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            serde_json::json!({
                "unit": l["unit"], "restarts": l["restarts"],
                "period_s": l["period_s"], "jitter_s": l["jitter_s"],
            })
        })
        .collect();
    serde_json::json!({ "findings": findings, "restart_loops": loops })
}

#[test]
fn native_reading_matches_journalctl_for_every_export_case() {
    let cases = export_cases();
    assert!(!cases.is_empty(), "no corpora/*/journal.export cases");
    let mut failures = Vec::new();
    let mut compared = 0;
    for export in &cases {
        let name = case_name(export);
        for layout in [Layout::Compact, Layout::Regular] {
            let dir = tempfile::tempdir().unwrap();
            let journal = dir.path().join("case.journal");
            build_journal(export, &journal, layout);
            let path = journal.to_str().unwrap();
            let want = json_lines(&journalctl_json(&["--file", path], true));
            let (got, error) = read_natively(&file_spec(&journal));
            assert!(error.is_none(), "{name} {layout:?}: {error:?}");
            assert!(!want.is_empty(), "{name}: journalctl shows no entries");
            if got.len() != want.len() {
                failures.push(format!(
                    "{name} {layout:?}: {} entries, journalctl {}",
                    got.len(),
                    want.len()
                ));
            }
            for (n, (got, want)) in got.iter().zip(&want).enumerate() {
                if got != want {
                    failures.push(format!(
                        "{name} {layout:?} entry {n}:\n  native     {got}\n  journalctl {want}"
                    ));
                    break;
                }
            }
            let reference = report(&run_logsleuth(
                &[],
                &journalctl_json(&["--file", path], false),
            ));
            let native = run_logsleuth(&[path], b"");
            assert!(
                native.status.code().is_some_and(|code| code <= 1),
                "{name}: {}",
                String::from_utf8_lossy(&native.stderr)
            );
            let native = report(&native);
            if diagnosis(&native) != diagnosis(&reference) {
                failures.push(format!(
                    "{name} {layout:?}: diagnosis\n  native     {}\n  journalctl {}",
                    diagnosis(&native),
                    diagnosis(&reference)
                ));
            }
            compared += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(compared, cases.len() * 2);
}

#[test]
fn a_journal_on_stdin_is_read_like_the_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let export = root.join("oom-kill-uvicorn-backend-journal-short-iso/journal.export");
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("system.journal");
    build_journal(&export, &journal, Layout::Compact);
    let from_file = report(&run_logsleuth(&[journal.to_str().unwrap()], b""));
    let piped = run_logsleuth(&[], &std::fs::read(&journal).unwrap());
    assert_eq!(piped.status.code(), Some(0));
    let piped = report(&piped);
    assert_eq!(diagnosis(&piped), diagnosis(&from_file));
    assert_eq!(
        piped["sources"][0]["lines"],
        from_file["sources"][0]["lines"]
    );
    assert!(!piped["findings"].as_array().unwrap().is_empty());
}

/// An export with entries whose MESSAGE is well over journald's compression threshold.
fn write_long_message_export(path: &Path) -> Vec<String> {
    let mut export = String::new();
    let mut messages = Vec::new();
    for n in 0..5u64 {
        let words: Vec<String> = (0..300).map(|w| format!("w{}", w * (n + 3))).collect();
        let message = format!("Traceback line {n}: {}", words.join(" "));
        export.push_str(&format!(
            "__REALTIME_TIMESTAMP={}\n__MONOTONIC_TIMESTAMP={}\n_BOOT_ID=55c523ec9b8eaf948c527b6d5b818df3\n\
             _PID=42\nSYSLOG_IDENTIFIER=api\nMESSAGE={message}\n\n",
            1_768_566_461_000_000 + n * 1_000_000,
            1_000_000 + n
        ));
        messages.push(message);
    }
    std::fs::write(path, export).unwrap();
    messages
}

#[test]
fn compressed_fields_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("long.export");
    let messages = write_long_message_export(&export);
    for layout in [Layout::Compact, Layout::Regular] {
        let journal = dir.path().join(format!("{layout:?}.journal"));
        build_journal(&export, &journal, layout);
        let raw = std::fs::read(&journal).unwrap();
        let header = Command::new("journalctl")
            .args(["--header", "--file"])
            .arg(&journal)
            .output()
            .unwrap();
        let header = String::from_utf8_lossy(&header.stdout);
        assert!(header.contains("COMPRESSED-"), "{header}");
        for message in &messages {
            let stored_plain = raw
                .windows(message.len())
                .any(|window| window == message.as_bytes());
            assert!(
                !stored_plain,
                "{layout:?}: the long message is stored uncompressed"
            );
        }
        let (got, error) = read_natively(&file_spec(&journal));
        assert!(error.is_none(), "{error:?}");
        let got: Vec<&str> = got.iter().filter_map(|e| e["MESSAGE"].as_str()).collect();
        assert_eq!(got, messages);
        let want = json_lines(&journalctl_json(
            &["--file", journal.to_str().unwrap()],
            true,
        ));
        let want: Vec<&str> = want.iter().filter_map(|e| e["MESSAGE"].as_str()).collect();
        assert_eq!(got, want);
    }
}

/// Splits an export's entries between two exports, alternately.
fn split_export(export: &Path, first: &Path, second: &Path) {
    let text = std::fs::read_to_string(export).unwrap();
    let (mut a, mut b) = (String::new(), String::new());
    for (n, entry) in text
        .split("\n\n")
        .filter(|e| !e.trim().is_empty())
        .enumerate()
    {
        let target = if n % 2 == 0 { &mut a } else { &mut b };
        target.push_str(entry.trim_matches('\n'));
        target.push_str("\n\n");
    }
    std::fs::write(first, a).unwrap();
    std::fs::write(second, b).unwrap();
}

fn realtime(entry: &Value) -> u64 {
    entry["__REALTIME_TIMESTAMP"]
        .as_str()
        .and_then(|stamp| stamp.parse().ok())
        .expect("a realtime stamp")
}

#[test]
fn a_directory_of_journal_files_is_one_source_merged_by_time() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let export = root.join("port-conflict-uvicorn-manual-copy-journal-json/journal.export");
    let tmp = tempfile::tempdir().unwrap();
    let machine = tmp.path().join("journal/3d1219c7c4c5404aaa1f6d2a48adfda4");
    std::fs::create_dir_all(&machine).unwrap();
    let (a, b) = (tmp.path().join("a.export"), tmp.path().join("b.export"));
    split_export(&export, &a, &b);
    build_journal(&a, &machine.join("system.journal"), Layout::Compact);
    build_journal(&b, &machine.join("user-1000.journal"), Layout::Regular);
    let whole = tmp.path().join("whole.journal");
    build_journal(&export, &whole, Layout::Compact);

    let (specs, errors) = collect_sources(&[tmp.path().join("journal")]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(specs.len(), 1, "{specs:?}");
    assert_eq!(specs[0].name, machine.display().to_string());
    let (merged, error) = read_natively(&specs[0]);
    assert!(error.is_none(), "{error:?}");
    let stamps: Vec<u64> = merged.iter().map(realtime).collect();
    assert!(
        stamps.windows(2).all(|pair| pair[0] <= pair[1]),
        "not in time order"
    );
    let mut got: Vec<String> = merged.iter().map(|e| e["__CURSOR"].to_string()).collect();
    let directory = machine.to_str().unwrap();
    let want = json_lines(&journalctl_json(&["--directory", directory], true));
    let mut want: Vec<String> = want.iter().map(|e| e["__CURSOR"].to_string()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);

    let root_arg = tmp.path().join("journal");
    let merged = report(&run_logsleuth(&[root_arg.to_str().unwrap()], b""));
    let single = report(&run_logsleuth(&[whole.to_str().unwrap()], b""));
    assert_eq!(merged["sources"][0]["name"], directory);
    assert_eq!(diagnosis(&merged), diagnosis(&single));
    assert_eq!(
        merged["findings"][0]["cause"], "port-conflict",
        "{}",
        merged["findings"]
    );
}

/// The offset just past the last non-zero byte: where the objects end (journal-remote
/// allocates the file in advance).
fn used_length(raw: &[u8]) -> usize {
    raw.iter().rposition(|&b| b != 0).map_or(0, |at| at + 1)
}

#[test]
fn damaged_journals_are_read_as_far_as_they_go() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let export = root.join("port-conflict-uvicorn-manual-copy-journal-json/journal.export");
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("system.journal");
    build_journal(&export, &journal, Layout::Compact);
    let raw = std::fs::read(&journal).unwrap();
    let (full, _) = read_natively(&file_spec(&journal));
    let full_messages: Vec<&Value> = full.iter().map(|e| &e["MESSAGE"]).collect();
    let used = used_length(&raw);

    // Cut short at several points: the entries before the cut are kept, in order. The
    // writer puts its hash tables first, so the cuts spread over the part after them,
    // where the entries are (from the first entry array on), plus two before it.
    let first_array = u64::from_le_bytes(raw[176..184].try_into().unwrap()) as usize;
    let cut_path = tmp.path().join("cut.journal");
    let mut kept_counts = Vec::new();
    let mut cuts = vec![100, first_array / 2];
    cuts.extend([0, 10, 25, 50, 75, 90, 99].map(|p| first_array + (used - first_array) * p / 100));
    for cut in cuts {
        std::fs::write(&cut_path, &raw[..cut]).unwrap();
        let (got, error) = read_natively(&file_spec(&cut_path));
        let got_messages: Vec<&Value> = got.iter().map(|e| &e["MESSAGE"]).collect();
        assert_eq!(got_messages, full_messages[..got.len()], "cut at {cut}");
        let error = error
            .unwrap_or_else(|| panic!("cut at {cut}: no error"))
            .to_string();
        assert!(
            error.starts_with(&format!("{}: ", cut_path.display())),
            "{error}"
        );
        kept_counts.push(got.len());
    }
    assert!(
        kept_counts.windows(2).all(|pair| pair[0] <= pair[1]),
        "{kept_counts:?}"
    );
    assert_eq!(kept_counts[..2], [0, 0]);
    assert!(kept_counts[7] > full.len() / 2, "{kept_counts:?}");

    // The run reads what it can, reports the file, and exits 2.
    let cut = first_array + (used - first_array) * 75 / 100;
    std::fs::write(&cut_path, &raw[..cut]).unwrap();
    let output = run_logsleuth(&[cut_path.to_str().unwrap()], b"");
    assert_eq!(output.status.code(), Some(2));
    let damaged = report(&output);
    let errors = damaged["errors"].to_string();
    assert!(
        errors.contains("cut.journal: damaged journal data"),
        "{errors}"
    );
    assert!(!damaged["findings"].as_array().unwrap().is_empty());

    // Bytes overwritten in the middle: never a panic, only whole JSON lines, the file named.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let damaged_path = tmp.path().join("overwritten.journal");
    for _ in 0..40 {
        let mut bytes = raw.clone();
        let start = 300 + (next() as usize) % (used - 400);
        for byte in bytes
            .iter_mut()
            .skip(start)
            .take(1 + (next() as usize) % 96)
        {
            *byte = next() as u8;
        }
        std::fs::write(&damaged_path, &bytes).unwrap();
        let (got, error) = read_natively(&file_spec(&damaged_path));
        assert!(got.len() <= full.len() + 1);
        if let Some(error) = error {
            assert!(error.to_string().contains("overwritten.journal"), "{error}");
        }
    }
}
