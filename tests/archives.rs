//! Tar archives and rotated logs through the binary: members as sources, compressed
//! archives and members, damage, walks, and rotated files read in time order.

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// A real journal excerpt: lumiera-whatsapp.service restarting every ~14 s (12 restarts)
/// because another uvicorn holds port 8000.
const SEED_002: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/corpora/port-conflict-uvicorn-manual-copy-journal-short/input.log"
);

fn logsleuth() -> Command {
    let mut command = Command::cargo_bin("logsleuth").unwrap();
    command
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(["--format", "json", "--year", "2026"]);
    command
}

fn seed_lines() -> Vec<String> {
    std::fs::read_to_string(SEED_002)
        .unwrap()
        .lines()
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The seed cut into `parts` consecutive pieces of whole lines, oldest first.
fn seed_parts(parts: usize) -> Vec<String> {
    let lines = seed_lines();
    let size = lines.len().div_ceil(parts);
    lines.chunks(size).map(|chunk| chunk.concat()).collect()
}

type Encoder = fn(&[u8]) -> Vec<u8>;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 3).unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut encoder = xz2::write::XzEncoder::new(Vec::new(), 6);
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// A tar archive (POSIX headers) with a directory entry, a symlink, and the given files.
fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_ustar();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    builder
        .append_data(&mut dir, "var/log/", std::io::empty())
        .unwrap();
    let mut link = tar::Header::new_ustar();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    builder
        .append_link(&mut link, "var/log/latest", "a.log")
        .unwrap();
    for (path, data) in members {
        let mut header = tar::Header::new_ustar();
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        builder.append_data(&mut header, path, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// The seed's older half gzipped as `b.log.1.gz`, its newer half as plain `a.log`.
fn two_member_tar() -> Vec<u8> {
    let parts = seed_parts(2);
    tar_of(&[
        ("a.log", parts[1].as_bytes()),
        ("b.log.1.gz", &gzip(parts[0].as_bytes())),
    ])
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn report_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

fn source_names(report: &Value) -> Vec<String> {
    report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|source| source["name"].as_str().unwrap().to_owned())
        .collect()
}

fn causes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["cause"].as_str().unwrap().to_owned())
        .collect()
}

/// The restart loops without the fields that name sources.
fn loops(report: &Value) -> Vec<(String, u64, f64, String, String)> {
    report["restart_loops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["unit"].as_str().unwrap().to_owned(),
                l["restarts"].as_u64().unwrap(),
                l["period_s"].as_f64().unwrap(),
                l["first"].as_str().unwrap().to_owned(),
                l["last"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn seed_report() -> Value {
    report_of(&logsleuth().arg(SEED_002).output().unwrap())
}

#[test]
fn a_tar_gz_member_is_a_source_and_its_compressed_member_is_decompressed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.tar.gz", &gzip(&two_member_tar()));
    let output = logsleuth()
        .current_dir(dir.path())
        .arg("x.tar.gz")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = report_of(&output);
    assert_eq!(
        source_names(&report),
        ["x.tar.gz:a.log", "x.tar.gz:b.log.1.gz"]
    );
    let whole = seed_report();
    assert_eq!(causes(&report), causes(&whole));
    assert_eq!(causes(&report)[0], "port-conflict");
    assert_eq!(loops(&report), loops(&whole));
    let cited: Vec<&str> = report["findings"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|evidence| evidence["source"].as_str().unwrap())
        .collect();
    assert!(cited.iter().all(|source| source.starts_with("x.tar.gz:")));
    assert!(report["errors"].as_array().unwrap().is_empty());
}

#[test]
fn every_archive_compression_is_recognised_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let tar = two_member_tar();
    let whole = seed_report();
    let encoders: [(&str, Encoder); 5] = [
        ("plain.tar", |data| data.to_vec()),
        ("x.tar.zst", zstd),
        ("x.tar.xz", xz),
        ("x.tar.bz2", bzip2),
        // The name says nothing: the content decides.
        ("bundle.bin", gzip),
    ];
    for (name, encode) in encoders {
        let path = write(dir.path(), name, &encode(&tar));
        let output = logsleuth().arg(&path).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{name}: {output:?}");
        let report = report_of(&output);
        assert_eq!(
            source_names(&report),
            [format!("{path}:a.log"), format!("{path}:b.log.1.gz")],
            "{name}"
        );
        assert_eq!(causes(&report), causes(&whole), "{name}");
        assert_eq!(loops(&report), loops(&whole), "{name}");
    }
}

#[test]
fn an_archive_on_stdin_is_unpacked() {
    let output = logsleuth()
        .write_stdin(xz(&two_member_tar()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = report_of(&output);
    assert_eq!(source_names(&report), ["-:a.log", "-:b.log.1.gz"]);
    assert_eq!(loops(&report), loops(&seed_report()));
}

#[test]
fn a_truncated_archive_keeps_its_readable_members_and_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    // Incompressible filler after the readable member, so the cut falls inside it.
    let filler: Vec<u8> = (0..40_000u64)
        .flat_map(|i| format!("{:016x}\n", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).into_bytes())
        .collect();
    let tar = tar_of(&[
        ("a.log", seed_lines().concat().as_bytes()),
        ("b.log", &filler),
        ("c.log", b"never reached\n"),
    ]);
    let compressed = gzip(&tar);
    write(
        dir.path(),
        "x.tar.gz",
        &compressed[..compressed.len() * 2 / 3],
    );
    let output = logsleuth()
        .current_dir(dir.path())
        .arg("x.tar.gz")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr,
        "logsleuth: x.tar.gz:b.log: truncated gzip data (unexpected end of file)\n"
    );
    let report = report_of(&output);
    assert_eq!(source_names(&report), ["x.tar.gz:a.log", "x.tar.gz:b.log"]);
    assert_eq!(loops(&report), loops(&seed_report()));
    assert_eq!(causes(&report)[0], "port-conflict");
    assert!(report["sources"][1]["lines"].as_u64().unwrap() > 1000);
}

#[test]
fn a_plain_tar_cut_inside_a_member_names_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_lines().concat();
    let tar = tar_of(&[("a.log", seed.as_bytes()), ("b.log", seed.as_bytes())]);
    // Four headers (directory, symlink, a.log, b.log) plus a.log's data, then half of b.log.
    let a_blocks = seed.len().div_ceil(512) * 512;
    let cut = 4 * 512 + a_blocks + seed.len() / 2;
    write(dir.path(), "cut.tar", &tar[..cut]);
    logsleuth()
        .current_dir(dir.path())
        .arg("cut.tar")
        .assert()
        .code(2)
        .stderr(predicate::eq(
            "logsleuth: cut.tar:b.log: truncated tar archive (unexpected end of file)\n",
        ))
        .stdout(predicate::str::contains("\"cause\": \"port-conflict\""));
}

#[test]
fn an_archive_found_by_a_walk_is_unpacked_and_binary_members_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let parts = seed_parts(2);
    let tar = tar_of(&[
        ("var/log/app.log", parts[1].as_bytes()),
        ("var/lib/core", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"),
    ]);
    write(&logs, "bundle.tar.gz", &gzip(&tar));
    write(&logs, "app.log.1", parts[0].as_bytes());
    let output = logsleuth()
        .current_dir(dir.path())
        .arg("logs")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = report_of(&output);
    assert_eq!(
        source_names(&report),
        ["logs/app.log.1", "logs/bundle.tar.gz:var/log/app.log"]
    );
    assert_eq!(
        report["notes"],
        serde_json::json!(["logs/bundle.tar.gz:var/lib/core: skipped (binary file)"])
    );
    assert_eq!(loops(&report), loops(&seed_report()));
}

#[test]
fn a_loop_spanning_rotated_files_is_one_loop_read_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let parts = seed_parts(3);
    write(&logs, "app.log.2.gz", &gzip(parts[0].as_bytes()));
    write(&logs, "app.log.1", parts[1].as_bytes());
    write(&logs, "app.log", parts[2].as_bytes());
    let output = logsleuth()
        .current_dir(dir.path())
        .arg("logs")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = report_of(&output);
    assert_eq!(
        source_names(&report),
        ["logs/app.log.2.gz", "logs/app.log.1", "logs/app.log"]
    );
    let found = loops(&report);
    assert_eq!(found, loops(&seed_report()));
    let (unit, restarts, period, first, last) = &found[0];
    assert_eq!(
        (unit.as_str(), *restarts, *period),
        ("lumiera-whatsapp", 12, 14.0)
    );
    assert_eq!(
        (first.as_str(), last.as_str()),
        ("2026-01-16T12:28:14Z", "2026-01-16T12:30:53Z")
    );
    // The evidence reads in time order: the oldest file's lines come first.
    let cited: Vec<&str> = report["findings"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|evidence| evidence["source"].as_str().unwrap())
        .collect();
    assert_eq!(cited.first(), Some(&"logs/app.log.2.gz"), "{cited:?}");
}

#[test]
fn a_targeted_re_read_finds_its_member_inside_the_archive() {
    // Real uvicorn output: a route answers 200 before a restart and 404 after it. Proving
    // the 200 needs a second read of the member, which is found again by its name.
    let registry = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpora/state-lost-on-restart-uvicorn-registry-plain/input.log"),
    )
    .unwrap();
    let seed = seed_lines().concat();
    let archive = gzip(&tar_of(&[
        ("var/log/journal.log", seed.as_bytes()),
        ("var/log/registry.log.1.gz", &gzip(&registry)),
    ]));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bundle.tar.gz", &archive);
    let output = logsleuth().arg(&path).output().unwrap();
    let report = report_of(&output);
    assert!(
        causes(&report).contains(&"state-lost-on-restart".to_string()),
        "{:?}",
        causes(&report)
    );
}
