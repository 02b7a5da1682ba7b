//! Hostile and broken input, one test per fault: random bytes, a 200 MB line, NUL bytes,
//! CR and CRLF line endings, Latin-1 and UTF-16 text, truncated compressed files, files
//! truncated or removed while read, unreadable files, a closed stdout, pathological and huge
//! rule regexes, a thousand rules, and terminal escape sequences in log lines.
//!
//! Every run must end with an exit status (never a signal), and the report must still hold
//! what could be read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

const BIND_ERROR: &str = "Jan 16 12:28:18 web uvicorn[3372169]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use";
const OOM_KILL: &str = "Jan 16 12:30:02 web kernel: Out of memory: Killed process 15784 (python3) total-vm:11964kB, anon-rss:4288kB, file-rss:3028kB, shmem-rss:0kB";

fn logsleuth() -> Command {
    let mut command = Command::cargo_bin("logsleuth").unwrap();
    command.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    command
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("logsleuth")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The JSON report on stdout, parsed (which also proves it is valid UTF-8 and JSON).
fn json(stdout: &[u8]) -> serde_json::Value {
    let text = std::str::from_utf8(stdout).expect("JSON output is UTF-8");
    serde_json::from_str(text).expect("JSON output parses")
}

fn causes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect()
}

/// Every evidence line cited by any finding, as `(source, line, text)`.
fn evidence(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    let mut cited = Vec::new();
    for finding in report["findings"].as_array().unwrap() {
        for cite in finding["evidence"].as_array().unwrap() {
            cited.push((
                cite["source"].as_str().unwrap().to_string(),
                cite["line"].as_u64().unwrap(),
                cite["text"].as_str().unwrap().to_string(),
            ));
        }
    }
    cited
}

/// A deterministic xorshift generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Runs `command` to its end and returns its exit status and peak resident memory (KiB),
/// taken from the kernel's accounting of that one child (`wait4`).
#[cfg(target_os = "linux")]
#[allow(clippy::zombie_processes)] // reaped by `wait4` below, which also gives the usage
fn run_measured(command: &mut Std) -> (Option<i32>, u64, Vec<u8>) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, which nothing else waits for.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    let status = std::process::ExitStatus::from_raw(status);
    assert!(status.signal().is_none(), "killed by signal {status:?}");
    (status.code(), usage.ru_maxrss as u64, stdout)
}

#[test]
fn random_bytes_are_just_data() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = XorShift(0x5eed);
    let mut noise: Vec<u8> = (0..1 << 20).map(|_| rng.next() as u8).collect();
    // A real finding after the noise is still found.
    noise.extend_from_slice(format!("\n{BIND_ERROR}\n").as_bytes());
    let path = write(tmp.path(), "noise.log", &noise);
    for via_stdin in [false, true] {
        let mut command = logsleuth();
        command.args(["--format", "json"]);
        if via_stdin {
            command.write_stdin(noise.clone());
        } else {
            command.arg(&path);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "stdin: {via_stdin}");
        let report = json(&output.stdout);
        assert!(causes(&report).contains(&"port-conflict".to_string()));
    }
}

/// A 200 MB line, then ordinary lines: memory stays bounded by the block size, the long
/// line is represented by its start, and the lines after it are analysed with the right
/// line numbers; from a file and from stdin.
#[cfg(target_os = "linux")]
#[test]
fn a_200_mb_line_keeps_memory_bounded_and_the_rest_is_analysed() {
    const LINE_LEN: usize = 200 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("long-line.log");
    {
        let mut out = BufWriter::new(File::create(&path).unwrap());
        out.write_all(b"Jan 16 12:28:10 web app[7]: ").unwrap();
        let piece = vec![b'x'; 1 << 20];
        for _ in 0..LINE_LEN >> 20 {
            out.write_all(&piece).unwrap();
        }
        writeln!(out, " OSError: [Errno 98] Address already in use").unwrap();
        writeln!(out, "{BIND_ERROR}").unwrap();
        writeln!(out, "{OOM_KILL}").unwrap();
        out.flush().unwrap();
    }
    for via_stdin in [false, true] {
        let mut command = Std::new(bin());
        command.args(["--format", "json"]).stderr(Stdio::null());
        if via_stdin {
            command.stdin(File::open(&path).unwrap());
        } else {
            command.arg(&path).stdin(Stdio::null());
        }
        let (code, peak_kib, stdout) = run_measured(&mut command);
        assert_eq!(code, Some(0), "stdin: {via_stdin}");
        // 4 MiB blocks, the rules and the evidence: far below the size of the line.
        assert!(
            peak_kib < 120 * 1024,
            "peak RSS {peak_kib} KiB (stdin: {via_stdin})"
        );
        let report = json(&stdout);
        let found = causes(&report);
        assert!(found.contains(&"port-conflict".to_string()), "{found:?}");
        assert!(found.contains(&"oom-kill".to_string()), "{found:?}");
        let cited = evidence(&report);
        assert!(cited
            .iter()
            .any(|(_, line, text)| *line == 2 && text == BIND_ERROR));
        assert!(cited.iter().any(|(_, line, _)| *line == 3));
        assert!(cited.iter().all(|(_, _, text)| text.len() <= 8192));
        assert_eq!(report["sources"][0]["lines"], 3);
    }
}

#[test]
fn nul_bytes_are_data() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    log.extend_from_slice(b"\0\0\0\0\n");
    log.extend_from_slice(
        b"Jan 16 12:28:18 web app[7]: \0 OSError: [Errno 98] Address already in use \0\n",
    );
    log.extend_from_slice(b"\0");
    log.extend_from_slice(OOM_KILL.as_bytes());
    log.extend_from_slice(b"\n\0");
    let path = write(tmp.path(), "nul.log", &log);
    let output = logsleuth()
        .args(["--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output.stdout);
    assert_eq!(causes(&report).len(), 2, "{report}");
    // NUL reaches the JSON as an escape, the text report as a visible escape.
    assert!(evidence(&report)
        .iter()
        .any(|(_, line, text)| *line == 2 && text.contains('\0')));
    logsleuth()
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\\x00 OSError"))
        .stdout(predicate::str::contains("\0").not());
}

/// LF, CRLF and CR-only endings give the same report, the CR never part of a line's text.
#[test]
fn crlf_and_cr_only_line_endings_give_the_same_report() {
    let lines = [
        "Jan 16 12:28:08 web systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE",
        BIND_ERROR,
        "Jan 16 12:28:18 web systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE",
        OOM_KILL,
    ];
    let report_for = |ending: &str| {
        let text = lines.join(ending) + ending;
        let output = logsleuth()
            .args(["--format", "json", "--year", "2026"])
            .write_stdin(text)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{ending:?}");
        json(&output.stdout)
    };
    let lf = report_for("\n");
    assert_eq!(causes(&lf).len(), 2, "{lf}");
    assert_eq!(lf["sources"][0]["lines"], 4);
    assert!(!lf.to_string().contains("\\r"));
    assert_eq!(report_for("\r\n"), lf);
    assert_eq!(report_for("\r"), lf);
}

#[test]
fn latin1_text_gives_valid_utf8_json() {
    // "Café: error" in Latin-1 (0xE9), and a C1 CSI byte (0x9B) that must not survive.
    let mut log =
        b"Jan 16 12:28:18 web app[7]: caf\xe9 \x9b2J OSError: [Errno 98] Address already in use\n"
            .to_vec();
    log.extend_from_slice(OOM_KILL.as_bytes());
    for format in ["json", "text", "markdown"] {
        let output = logsleuth()
            .args(["--format", format])
            .write_stdin(log.clone())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{format}");
        let text = std::str::from_utf8(&output.stdout).expect("UTF-8 output");
        assert!(text.contains("caf\u{fffd}"), "{format}: {text}");
        assert!(!text.contains('\u{9b}'), "{format}");
        if format == "json" {
            assert_eq!(causes(&json(&output.stdout)).len(), 2);
        }
    }
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xfe, 0xff]
    } else {
        vec![0xff, 0xfe]
    };
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

/// UTF-16 with a byte-order mark (as Windows tools write it) reads like the UTF-8 text.
#[test]
fn utf16_text_reads_like_utf8() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("{BIND_ERROR}\r\n{OOM_KILL} caf\u{e9}\r\n");
    let expected = logsleuth()
        .args(["--format", "json"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    let expected = json(&expected.stdout);
    assert_eq!(causes(&expected).len(), 2);
    for big_endian in [false, true] {
        let path = write(tmp.path(), "windows.log", &utf16(&text, big_endian));
        let from_file = logsleuth()
            .args(["--format", "json"])
            .arg(&path)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let mut report = json(&from_file.stdout);
        // Only the source name differs.
        let renamed = report.to_string().replace(&*path.to_string_lossy(), "-");
        report = serde_json::from_str(&renamed).unwrap();
        assert_eq!(report, expected, "big endian: {big_endian}");
        let from_stdin = logsleuth()
            .args(["--format", "json"])
            .write_stdin(utf16(&text, big_endian))
            .output()
            .unwrap();
        assert_eq!(
            json(&from_stdin.stdout),
            expected,
            "big endian: {big_endian}"
        );
    }
}

/// A compressed log cut short: the findings of the readable part are reported, the error
/// is named as `source: problem`, and the exit status is 2; from a file and from stdin.
#[test]
fn truncated_gzip_and_zstd_keep_the_readable_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let mut log = String::new();
    // The bind errors come first, the OOM kill last (lost with the cut end).
    for i in 0..3000 {
        log.push_str(&format!("{BIND_ERROR} attempt={i}\n"));
    }
    log.push_str(OOM_KILL);
    log.push('\n');
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(log.as_bytes()).unwrap();
    let gzip = gzip.finish().unwrap();
    let zstd = zstd::stream::encode_all(log.as_bytes(), 3).unwrap();
    for (format, data) in [("gzip", gzip), ("zstd", zstd)] {
        let cut = &data[..data.len() / 2];
        let path = write(tmp.path(), &format!("app.log.{format}"), cut);
        let name = path.display().to_string();
        for via_stdin in [false, true] {
            let mut command = logsleuth();
            command.args(["--format", "json"]);
            if via_stdin {
                command.write_stdin(cut.to_vec());
            } else {
                command.arg(&path);
            }
            let output = command.output().unwrap();
            assert_eq!(
                output.status.code(),
                Some(2),
                "{format}, stdin: {via_stdin}"
            );
            let source = if via_stdin { "-" } else { name.as_str() };
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains(&format!("{source}: truncated {format} data")),
                "{format}: {stderr}"
            );
            let report = json(&output.stdout);
            assert_eq!(causes(&report), ["port-conflict"], "{format}");
            let lines = report["sources"][0]["lines"].as_u64().unwrap();
            assert!(lines > 100 && lines < 3000, "{format}: {lines} lines read");
            assert!(report["errors"][0]
                .as_str()
                .unwrap()
                .starts_with(&format!("{source}: truncated {format} data")));
        }
    }
}

/// Starts the binary on `path` and waits until it has the file open.
#[cfg(target_os = "linux")]
fn spawn_reading(path: &Path) -> std::process::Child {
    let child = Std::new(bin())
        .args(["--format", "json"])
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let proc = PathBuf::from(format!("/proc/{}", child.id()));
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let open = std::fs::read_dir(proc.join("fd"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == path));
        let mapped = std::fs::read_to_string(proc.join("maps"))
            .is_ok_and(|maps| maps.contains(&*path.to_string_lossy()));
        if open || mapped {
            break;
        }
        std::thread::yield_now();
    }
    child
}

/// A big log: a bind error first, an OOM kill last.
#[cfg(target_os = "linux")]
fn big_log(dir: &Path, megabytes: usize) -> PathBuf {
    let path = dir.join("growing.log");
    let mut out = BufWriter::new(File::create(&path).unwrap());
    writeln!(out, "{BIND_ERROR}").unwrap();
    let quiet = "Jan 16 12:28:19 web app[7]: GET /health 200 1ms all quiet here\n";
    for _ in 0..(megabytes << 20) / quiet.len() {
        out.write_all(quiet.as_bytes()).unwrap();
    }
    writeln!(out, "{OOM_KILL}").unwrap();
    out.flush().unwrap();
    path
}

/// Cutting a file to nothing while it is read ends that source early, never the process
/// (a memory-mapped file would raise SIGBUS here).
#[cfg(target_os = "linux")]
#[test]
fn a_file_truncated_while_read_ends_early_without_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let path = big_log(tmp.path(), 48);
    let child = spawn_reading(&path);
    File::create(&path).unwrap(); // truncates
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.code().is_some(),
        "ended by a signal: {:?}",
        output.status
    );
    assert_eq!(output.status.code(), Some(0));
    json(&output.stdout);
}

/// A file removed while it is read is read to its end: the open file keeps its data.
#[cfg(target_os = "linux")]
#[test]
fn a_file_removed_while_read_is_read_to_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    let path = big_log(tmp.path(), 16);
    let child = spawn_reading(&path);
    std::fs::remove_file(&path).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let found = causes(&json(&output.stdout));
    assert!(found.contains(&"port-conflict".to_string()), "{found:?}");
    assert!(found.contains(&"oom-kill".to_string()), "{found:?}");
}

/// A source that fails when read is reported as `source: problem` with exit status 2, and
/// the other sources are still analysed.
#[cfg(target_os = "linux")]
#[test]
fn unreadable_files_are_reported_and_the_rest_analysed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let good = write(tmp.path(), "good.log", format!("{BIND_ERROR}\n").as_bytes());
    // Opens, then fails on the first read (EIO): the process's own memory at address 0.
    let output = logsleuth()
        .args(["--format", "json", "/proc/self/mem"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/proc/self/mem: read error"), "{stderr}");
    assert_eq!(causes(&json(&output.stdout)), ["port-conflict"]);

    // No read permission; root reads it all the same, so this half needs another user.
    let locked = write(tmp.path(), "locked.log", format!("{OOM_KILL}\n").as_bytes());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if File::open(&locked).is_err() {
        let name = locked.display().to_string();
        logsleuth()
            .args(["--format", "json"])
            .arg(&locked)
            .arg(&good)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{name}: permission denied"
            )))
            .stdout(predicate::str::contains("port-conflict"));
    }
}

/// `logsleuth ... | head -1`: the reader goes away while a report much larger than a pipe's
/// buffer is being written; the run still exits 0, silently.
#[test]
fn stdout_closed_early_by_head_exits_zero() {
    if Std::new("bash").arg("-c").arg("true").status().is_err() {
        return; // no shell here
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut log = String::new();
    // Thousands of programs and units: the JSON report lists them all.
    for i in 0..4000 {
        let second = i % 60;
        log.push_str(&format!(
            "Jan 16 12:28:{second:02} web prog{i}[{}]: OSError: [Errno 98] Address already in use\n\
             Jan 16 12:28:{second:02} web systemd[1]: unit{i}.service: Main process exited, code=exited, status=1/FAILURE\n",
            1000 + i
        ));
    }
    let path = write(tmp.path(), "many.log", log.as_bytes());
    let whole = logsleuth()
        .args(["--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        whole.stdout.len() > 512 << 10,
        "{} bytes",
        whole.stdout.len()
    );
    let script = format!(
        "'{}' --format json '{}' | head -1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
        bin().display(),
        path.display()
    );
    let output = Std::new("bash").arg("-c").arg(&script).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "0");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn rule_file(dir: &Path, name: &str, regex: &str) -> PathBuf {
    let text = format!("[[signal]]\nid = \"custom\"\nregex = '''{regex}'''\n");
    write(dir, name, text.as_bytes())
}

/// A regex over the text limit or the compiled-size limit is a rule error at its position,
/// reported before any log is read; a pathological but small regex runs in linear time.
#[test]
fn pathological_and_huge_rule_regexes() {
    let tmp = tempfile::tempdir().unwrap();
    let long = rule_file(tmp.path(), "long.toml", &"(?:abc|def)".repeat(2000));
    let name = long.display().to_string();
    logsleuth()
        .args(["--rules", &name])
        .write_stdin(format!("{BIND_ERROR}\n"))
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(format!(
            "{name}:3:9: regex is too long (22000 bytes, at most 16384)"
        )));

    let big = rule_file(tmp.path(), "big.toml", r"\w{500}\w{500}\w{500}\w{500}");
    let name = big.display().to_string();
    logsleuth()
        .args(["--rules", &name])
        .write_stdin(format!("{BIND_ERROR}\n"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{name}:3:9: regex is too big"
        )));

    // Nested repetition: exponential for a backtracking engine, linear here.
    let nested = rule_file(tmp.path(), "nested.toml", r"(a+)+(b*)*x");
    let mut log = "a".repeat(1 << 20);
    log.push('\n');
    let started = Instant::now();
    logsleuth()
        .args(["--format", "json", "--no-default-rules", "--rules"])
        .arg(&nested)
        .write_stdin(log)
        .assert()
        .code(0);
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// A directory of 1000 user rules loads and scans in reasonable time (figures in
/// BENCHMARKS.md).
#[test]
fn a_thousand_rules_still_run() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = tmp.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for i in 0..1000 {
        let text = format!(
            "[[signal]]\nid = \"custom-{i}\"\nregex = 'widget {i} exploded: (?P<reason>\\w+)'\nseverity = \"error\"\n"
        );
        write(&rules, &format!("rule-{i:04}.toml"), text.as_bytes());
    }
    let mut log = String::new();
    for i in 0..20_000 {
        log.push_str(&format!(
            "Jan 16 12:28:18 web app[7]: widget {} is fine\n",
            i % 1000
        ));
    }
    log.push_str("Jan 16 12:28:19 web app[7]: widget 777 exploded: overheated\n");
    log.push_str(&format!("{BIND_ERROR}\n"));
    let started = Instant::now();
    let output = logsleuth()
        .args(["--format", "json", "--rules"])
        .arg(&rules)
        .write_stdin(log)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output.stdout);
    assert_eq!(report["sources"][0]["matched_lines"], 2, "{report}");
    assert!(causes(&report).contains(&"port-conflict".to_string()));
    // Release: well under a second; a debug build is many times slower.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

/// OSC, CSI (7-bit and C1), BEL and other controls from a log line never reach the
/// terminal in text or Markdown output; JSON carries them escaped.
#[test]
fn escape_sequences_from_logs_never_reach_the_terminal() {
    let line = "Jan 16 12:28:18 web app[7]: \x1b]0;owned\x07\x1b[2J\u{9b}31m\x1b]8;;http://x\x1b\\link\x08\x7f OSError: [Errno 98] Address already in use\n";
    for format in ["text", "markdown"] {
        let output = logsleuth()
            .args(["--format", format, "--color", "never"])
            .write_stdin(line)
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(
            text.contains("port-conflict") || text.contains("Port 8000"),
            "{text}"
        );
        assert!(text.contains("\\x1b]0;owned\\x07"), "{format}: {text}");
        for c in text.chars() {
            let allowed = c == '\n' || c == '\t' || !c.is_control();
            assert!(allowed, "{format}: control {c:?} in output");
        }
    }
    let output = logsleuth()
        .args(["--format", "json"])
        .write_stdin(line)
        .output()
        .unwrap();
    let report = json(&output.stdout);
    assert!(evidence(&report)
        .iter()
        .any(|(_, _, text)| text.contains("\x1b]0;owned\x07")));
    let raw = String::from_utf8(output.stdout).unwrap();
    assert!(!raw.contains('\x1b') && !raw.contains('\x07'));
}
