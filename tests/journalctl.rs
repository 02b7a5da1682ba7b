//! Real journalctl: every golden case that ships a `journal.export` is turned into a real
//! `.journal` file with `systemd-journal-remote`, rendered by the real `journalctl` in every
//! output mode, and analysed; every mode must give the same causes and the same loops.
//!
//! Needs the Debian package `systemd-journal-remote` (installed by `.ci/run`).

mod common;

use common::{export_cases, JOURNAL_REMOTE};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const MODES: &[&str] = &[
    "short",
    "short-iso",
    "short-precise",
    "short-unix",
    "short-full",
    "cat",
    "json",
    "with-catalog",
];

fn build_journal(export: &Path, dir: &Path) -> PathBuf {
    assert!(
        Path::new(JOURNAL_REMOTE).exists(),
        "{JOURNAL_REMOTE} is missing: apt-get install systemd-journal-remote (see .ci/run)"
    );
    let journal = dir.join("case.journal");
    let output = Command::new(JOURNAL_REMOTE)
        .arg(format!("--output={}", journal.display()))
        .arg(export)
        .output()
        .expect("systemd-journal-remote runs");
    assert!(
        output.status.success(),
        "systemd-journal-remote failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    journal
}

fn render(journal: &Path, mode: &str) -> Vec<u8> {
    let mut command = Command::new("journalctl");
    command
        .env("TZ", "UTC")
        .env("SYSTEMD_COLORS", "0")
        .arg("--no-pager")
        .arg("--file")
        .arg(journal);
    if mode == "with-catalog" {
        command.args(["-x", "-o", "short"]);
    } else {
        command.args(["-o", mode]);
    }
    let output = command.output().expect("journalctl runs");
    assert!(
        output.status.success(),
        "journalctl -o {mode} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn analyse(text: &[u8]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_logsleuth"))
        .args(["--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text)?;
            child.wait_with_output()
        })
        .expect("logsleuth runs");
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

fn causes(report: &Value) -> Vec<String> {
    let mut causes: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect();
    causes.sort();
    causes
}

fn primary(report: &Value) -> Option<String> {
    report["findings"][0]["cause"].as_str().map(str::to_string)
}

fn loops(report: &Value) -> Vec<(String, Option<f64>)> {
    report["restart_loops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["unit"].as_str().unwrap().to_string(),
                l["period_s"].as_f64(),
            )
        })
        .collect()
}

#[test]
fn every_journalctl_mode_gives_the_same_diagnosis() {
    let cases = export_cases();
    assert!(!cases.is_empty(), "no corpora/*/journal.export cases");
    let mut failures = Vec::new();
    for export in &cases {
        let dir = tempfile::tempdir().unwrap();
        let journal = build_journal(export, dir.path());
        let reference = analyse(&render(&journal, "short"));
        let name = export
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        for mode in MODES {
            let report = analyse(&render(&journal, mode));
            let (got, want) = (causes(&report), causes(&reference));
            // `-o cat` drops identifiers and PIDs, so what needs them (which service manager
            // restarted a unit) cannot be seen; it must still find a subset, never more, and
            // never lose the primary cause.
            let acceptable = if *mode == "cat" {
                got.iter().all(|c| want.contains(c)) && primary(&report) == primary(&reference)
            } else {
                got == want
            };
            if !acceptable {
                failures.push(format!(
                    "{name} -o {mode}: causes {:?} vs short {:?}",
                    causes(&report),
                    causes(&reference)
                ));
            }
            let (got, want) = (loops(&report), loops(&reference));
            if got.len() != want.len() {
                failures.push(format!("{name} -o {mode}: loops {got:?} vs short {want:?}"));
                continue;
            }
            for ((_, p), (_, q)) in got.iter().zip(&want) {
                // `cat` has no envelope time; where a period exists it must agree within 10 %.
                if let (Some(p), Some(q)) = (p, q) {
                    if (p - q).abs() > q * 0.10 {
                        failures.push(format!("{name} -o {mode}: period {p} vs short {q}"));
                    }
                } else if q.is_none() && p.is_some_and(|p| p < 1.0) {
                    // `short` has whole seconds: a sub-second period shows only in precise modes.
                } else if *mode != "cat" && p != q {
                    failures.push(format!("{name} -o {mode}: period {p:?} vs short {q:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// systemd's messages in another language (or reworded by a newer version) carry the same
/// MESSAGE_ID: in `-o json` the loop must still be seen from the IDs alone.
#[test]
fn reworded_systemd_messages_are_read_by_message_id() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let case = root.join("port-conflict-uvicorn-manual-copy-journal-json");
    let export = std::fs::read_to_string(case.join("journal.export")).unwrap();
    let german = |id: &str, unit: &str| -> Option<String> {
        Some(match id {
            "5eb03494b6584870a536b337290809b3" => {
                format!("{unit}: Neustartauftrag geplant, Neustartzähler steht bei 7.")
            }
            "39f53479d3a045ac8e11786248231fbf" => format!("{unit} - Lumiera API gestartet."),
            "9d1aaa27d60140bd96365438aad20286" => format!("{unit} - Lumiera API angehalten."),
            "98e322203f7a4ed290d09fe03c09fe15" => {
                format!("{unit}: Hauptprozess beendet, Code=beendet, Status=1")
            }
            "d9b373ed55a64feb8242e02dbe79a49c" => {
                format!("{unit}: Fehlgeschlagen mit Ergebnis »exit-code«.")
            }
            "ae8f7b866b0347b9af31fe1c80b127c0" => format!("{unit}: Verbrauchte 2.1s CPU-Zeit."),
            _ => return None,
        })
    };
    let mut reworded = 0;
    let entries: Vec<String> = export
        .split("\n\n")
        .map(|entry| {
            let field = |name: &str| {
                entry
                    .lines()
                    .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            };
            match (field("MESSAGE_ID"), field("UNIT")) {
                (Some(id), Some(unit)) => match german(id, unit) {
                    Some(message) => {
                        reworded += 1;
                        entry
                            .lines()
                            .map(|l| {
                                if l.starts_with("MESSAGE=") {
                                    format!("MESSAGE={message}")
                                } else {
                                    l.to_string()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    }
                    None => entry.to_string(),
                },
                _ => entry.to_string(),
            }
        })
        .collect();
    assert!(reworded >= 50, "only {reworded} systemd messages reworded");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reworded.export");
    std::fs::write(&path, entries.join("\n\n")).unwrap();
    let journal = build_journal(&path, dir.path());

    let short = analyse(&render(&journal, "short"));
    let json = analyse(&render(&journal, "json"));
    // The words are gone, so `short` cannot see systemd restart the unit ...
    assert!(
        !loops(&short)
            .iter()
            .any(|(unit, _)| unit == "lumiera-whatsapp"),
        "{:?}",
        loops(&short)
    );
    // ... but the JSON records' IDs still tell.
    let found = &json["restart_loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["unit"] == "lumiera-whatsapp")
        .cloned()
        .unwrap_or_else(|| panic!("no loop in {:?}", loops(&json)));
    assert_eq!(found["restarts"], 12);
    let period = found["period_s"].as_f64().unwrap();
    assert!((period - 14.5).abs() < 1.0, "period {period}");
    assert_eq!(primary(&json).as_deref(), Some("port-conflict"));
}
