//! Command-line behaviour: exit codes, error messages, formats, colour and escaping.

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::Write;

const BIND_ERROR: &str = "Jan 16 12:28:18 web uvicorn[3372169]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use\n";

fn logsleuth() -> Command {
    let mut command = Command::cargo_bin("logsleuth").unwrap();
    command.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    command
}

fn temp_file(contents: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(contents).unwrap();
    file
}

#[test]
fn a_bind_error_on_stdin_is_a_port_conflict() {
    logsleuth()
        .args(["--format", "json"])
        .write_stdin(BIND_ERROR)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"cause\": \"port-conflict\""))
        .stdout(predicate::str::contains("\"source\": \"-\""));
}

#[test]
fn fail_on_sets_exit_status_one() {
    logsleuth()
        .args(["--fail-on", "error"])
        .write_stdin(BIND_ERROR)
        .assert()
        .code(1);
    logsleuth()
        .args(["--fail-on", "critical"])
        .write_stdin(BIND_ERROR)
        .assert()
        .code(0);
    logsleuth()
        .args(["--fail-on", "error"])
        .write_stdin("all quiet\n")
        .assert()
        .code(0);
}

#[test]
fn healthy_input_says_so() {
    logsleuth()
        .arg("--color=never")
        .write_stdin("Jan 16 12:28:18 web cron[1]: (root) CMD (true)\n")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no problem found"));
}

#[test]
fn a_missing_file_is_reported_and_the_rest_still_analysed() {
    let log = temp_file(BIND_ERROR.as_bytes());
    logsleuth()
        .args(["--format", "json", "/no/such/file.log"])
        .arg(log.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/file.log"))
        .stdout(predicate::str::contains("port-conflict"));
}

#[test]
fn bad_rules_are_reported_with_positions_before_reading_logs() {
    let rules = temp_file(b"[[signal]]\nid = \"x\"\nregex = 'a(b'\n\n[[signal]]\nid = \"y\"\nregex = 'abcd'\ntags = [\"bogus\"]\n");
    let name = rules.path().display().to_string();
    logsleuth()
        .args(["--rules", &name])
        .write_stdin(BIND_ERROR)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(format!(
            "{name}:3:9: invalid regex"
        )))
        .stderr(predicate::str::contains(format!(
            "{name}:8:9: unknown tag `bogus`"
        )));
}

#[test]
fn rules_check_accepts_the_built_in_rules() {
    logsleuth()
        .args(["rules", "check"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ok: "));
}

#[test]
fn rules_check_of_an_edited_copy_of_a_built_in_file_replaces_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The built-in directory itself: every file stands in for its built-in twin.
    logsleuth()
        .args(["rules", "check"])
        .arg(root.join("rules"))
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ok: "));
    // An edited copy is checked in place of the original: its broken example shows.
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root.join("rules/rust.toml")).unwrap();
    let edited = original.replacen(
        "captures = { thread = \"main\"",
        "captures = { thread = \"worker\"",
        1,
    );
    assert_ne!(edited, original);
    std::fs::write(dir.path().join("rust.toml"), edited).unwrap();
    logsleuth()
        .args(["rules", "check"])
        .arg(dir.path().join("rust.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rust.toml"))
        .stderr(predicate::str::contains("duplicate").not());
}

#[test]
fn rules_check_reports_failing_examples() {
    let rules = temp_file(b"[[signal]]\nid = \"x\"\nregex = 'port (?P<port>\\d+) busy'\nexamples = [{ line = \"port 80 busy\", captures = { port = \"81\" } }, \"no match here\"]\ncounter_examples = [\"port 1 busy\"]\n");
    logsleuth()
        .args(["rules", "check"])
        .arg(rules.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "capture `port` is \"80\", expected \"81\"",
        ))
        .stderr(predicate::str::contains("example 2 does not match"))
        .stderr(predicate::str::contains("counter-example 1 matches"));
}

#[test]
fn rules_list_and_explain() {
    logsleuth()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("port-conflict"));
    logsleuth()
        .args(["explain", "port-conflict"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Fix:"));
    logsleuth()
        .args(["explain", "no-such-cause"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown cause"));
}

#[test]
fn control_characters_from_logs_never_reach_the_terminal() {
    let line =
        "Jan 16 12:28:18 web app[1]: \x1b]0;pwned\x07 OSError: [Errno 98] Address already in use\n";
    logsleuth()
        .arg("--color=always")
        .write_stdin(line)
        .assert()
        .stdout(predicate::str::contains("\\x1b]0;pwned\\x07"))
        .stdout(predicate::str::contains("\x1b]0").not());
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    logsleuth()
        .arg("--color=always")
        .write_stdin(BIND_ERROR)
        .assert()
        .stdout(predicate::str::contains("\x1b["));
    logsleuth()
        .write_stdin(BIND_ERROR)
        .assert()
        .stdout(predicate::str::contains("\x1b[").not());
    logsleuth()
        .arg("--color=auto")
        .env("NO_COLOR", "1")
        .write_stdin(BIND_ERROR)
        .assert()
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn invalid_utf8_and_binary_garbage_are_just_data() {
    let mut input = vec![0xff, 0xfe, 0x00, b'\n'];
    input.extend_from_slice(
        b"Jan 16 12:28:18 web app[1]: \xff\xfe OSError: [Errno 98] Address already in use\n",
    );
    logsleuth()
        .args(["--format", "json"])
        .write_stdin(input)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("port-conflict"));
}

#[test]
fn markdown_is_an_incident_report() {
    logsleuth()
        .args(["--format", "markdown"])
        .write_stdin(BIND_ERROR)
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("# Incident report: "))
        .stdout(predicate::str::contains("## Root cause"))
        .stdout(predicate::str::contains("## How to verify"));
}

#[test]
fn help_version_completions_and_man_page() {
    logsleuth()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"));
    logsleuth()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("logsleuth "));
    logsleuth()
        .args(["completions", "bash"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("_logsleuth"));
    logsleuth()
        .arg("man")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(".TH logsleuth"));
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    use std::process::{Command as Std, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("logsleuth");
    let mut input = String::new();
    for _ in 0..2000 {
        input.push_str(BIND_ERROR);
    }
    let log = temp_file(input.as_bytes());
    let mut child = Std::new(bin)
        .args(["--format", "json"])
        .arg(log.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_truncated_gzip_keeps_its_readable_findings_and_exits_two() {
    let mut log = String::new();
    for _ in 0..200 {
        log.push_str(BIND_ERROR);
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(log.as_bytes()).unwrap();
    let compressed = encoder.finish().unwrap();
    let truncated = temp_file(&compressed[..compressed.len() * 2 / 3]);
    logsleuth()
        .args(["--format", "json"])
        .arg(truncated.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("truncated gzip data"))
        .stdout(predicate::str::contains("port-conflict"));
}

#[test]
fn a_directory_is_walked_and_binary_files_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.log"), BIND_ERROR).unwrap();
    std::fs::write(dir.path().join("core.bin"), b"\x7fELF\x00\x00\x01binary").unwrap();
    logsleuth()
        .args(["--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("port-conflict"))
        .stdout(predicate::str::contains("skipped (binary file)"));
}

const SEED_002: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/corpora/port-conflict-uvicorn-manual-copy-journal-short/input.log"
);

fn loops_of(stdout: &[u8]) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    report["restart_loops"].as_array().unwrap().clone()
}

#[test]
fn a_loop_split_across_rotated_files_is_one_loop_in_time_order() {
    let text = std::fs::read_to_string(SEED_002).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (older, newer) = lines.split_at(lines.len() / 2);
    let dir = tempfile::tempdir().unwrap();
    // A walk reads app.log before app.log.1, the opposite of time order.
    std::fs::write(dir.path().join("app.log"), newer.join("\n") + "\n").unwrap();
    std::fs::write(dir.path().join("app.log.1"), older.join("\n") + "\n").unwrap();
    let output = logsleuth()
        .args(["--format", "json", "--year", "2026"])
        .arg(dir.path())
        .output()
        .unwrap();
    let loops = loops_of(&output.stdout);
    assert_eq!(loops.len(), 1, "{loops:?}");
    assert_eq!(loops[0]["unit"], "lumiera-whatsapp");
    assert_eq!(loops[0]["period_s"], 14.0);
    assert!(
        loops[0]["first"].as_str() < loops[0]["last"].as_str(),
        "{loops:?}"
    );
}

#[test]
fn crlf_input_gives_the_same_report() {
    let text = std::fs::read_to_string(SEED_002).unwrap();
    let crlf = text.replace('\n', "\r\n");
    let plain = logsleuth()
        .args(["--format", "json", "--year", "2026"])
        .write_stdin(text)
        .output()
        .unwrap();
    let windows = logsleuth()
        .args(["--format", "json", "--year", "2026"])
        .write_stdin(crlf)
        .output()
        .unwrap();
    let strip = |out: &[u8]| String::from_utf8_lossy(out).replace("\\r", "");
    assert_eq!(strip(&plain.stdout), strip(&windows.stdout));
}

#[test]
fn the_year_option_dates_year_less_stamps() {
    let output = logsleuth()
        .args(["--format", "json", "--year", "2019", SEED_002])
        .output()
        .unwrap();
    let loops = loops_of(&output.stdout);
    assert!(
        loops[0]["first"]
            .as_str()
            .unwrap()
            .starts_with("2019-01-16T"),
        "{loops:?}"
    );
}

#[test]
fn user_rules_add_to_or_replace_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("team.toml"),
        "[[signal]]\nid = \"quota-exceeded\"\nregex = 'quota (?P<name>\\w+) exceeded'\nexamples = [\"quota disk exceeded\"]\n\n[[cause]]\nid = \"quota\"\ntitle = \"Quota {name} exceeded\"\n[cause.when]\nany = [\"quota-exceeded\"]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::write(dir.path().join("nested/broken.toml"), "not toml at all [").unwrap();
    let input = format!("app[1]: quota disk exceeded\n{BIND_ERROR}");
    let rules = dir.path().display().to_string();
    logsleuth()
        .args(["--format", "json", "--rules", &rules])
        .write_stdin(input.clone())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"cause\": \"quota\""))
        .stdout(predicate::str::contains("\"cause\": \"port-conflict\""));
    logsleuth()
        .args(["--format", "json", "--no-default-rules", "--rules", &rules])
        .write_stdin(input)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"cause\": \"quota\""))
        .stdout(predicate::str::contains("port-conflict").not());
}

#[test]
fn unreadable_rule_files_are_named_without_a_made_up_position() {
    logsleuth()
        .args(["--rules", "/no/such/rules.toml"])
        .write_stdin(BIND_ERROR)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/no/such/rules.toml: cannot read (",
        ));
}

#[test]
fn a_closed_pipe_keeps_the_error_status() {
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("logsleuth"))
        .args(["/no/such/file.log", SEED_002])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(2));
    logsleuth().args(["completions", "bash"]).assert().code(0);
}

/// uvicorn lines of a registry that is restarted; `before` and `after` are the access lines
/// around the restart.
fn registry_log(before: &[&str], after: &[&str]) -> String {
    let access = |line: &&str| format!("INFO:     127.0.0.1:50928 - \"{line}\n");
    let mut log = String::from(
        "INFO:     Started server process [5240]\nINFO:     Application startup complete.\n",
    );
    log.extend(before.iter().map(access));
    log.push_str("INFO:     Shutting down\nINFO:     Finished server process [5240]\nINFO:     Started server process [5331]\nINFO:     Application startup complete.\n");
    log.extend(after.iter().map(access));
    log
}

/// The JSON report of a file holding `contents`.
fn report_of_file(contents: &[u8]) -> serde_json::Value {
    let file = temp_file(contents);
    let output = logsleuth()
        .args(["--format", "json"])
        .arg(file.path())
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

fn causes_of_file(log: &str) -> (Vec<String>, Vec<String>) {
    let report = report_of_file(log.as_bytes());
    let causes = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect();
    let notes = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    (causes, notes)
}

const JOIN_OK: &str = "POST /api/bots/ai_chatbot/join HTTP/1.1\" 200 OK";
const JOIN_404: &str = "POST /api/bots/ai_chatbot/join HTTP/1.1\" 404 Not Found";

#[test]
fn a_route_that_answered_before_a_restart_and_404s_after_it_is_state_lost() {
    let log = registry_log(&[JOIN_OK, JOIN_OK], &[JOIN_404, JOIN_404]);
    let (causes, _) = causes_of_file(&log);
    assert_eq!(causes, vec!["state-lost-on-restart"]);
}

#[test]
fn routes_that_404_before_the_restart_too_or_never_answered_are_not_state_lost() {
    // 404 before the restart as well: the restart did not lose it.
    let log = registry_log(&[JOIN_OK, JOIN_404], &[JOIN_404, JOIN_404]);
    assert_eq!(causes_of_file(&log).0, Vec::<String>::new());
    // Never answered before: nothing was lost (scanners probing paths).
    let log = registry_log(
        &["GET /healthz HTTP/1.1\" 200 OK"],
        &[
            "GET /wp-login.php HTTP/1.1\" 404 Not Found",
            "GET /wp-login.php HTTP/1.1\" 404 Not Found",
        ],
    );
    assert_eq!(causes_of_file(&log).0, Vec::<String>::new());
    // Deleted before the restart: rightly gone after it.
    let log = registry_log(
        &[
            "GET /api/items/7 HTTP/1.1\" 200 OK",
            "DELETE /api/items/7 HTTP/1.1\" 204 No Content",
        ],
        &[
            "GET /api/items/7 HTTP/1.1\" 404 Not Found",
            "GET /api/items/7 HTTP/1.1\" 404 Not Found",
        ],
    );
    assert_eq!(causes_of_file(&log).0, Vec::<String>::new());
}

#[test]
fn the_earlier_answer_is_looked_for_in_the_run_the_restart_ended() {
    // Three runs: the 200 is in the second, the 404s in the third. The second read seeks to
    // the second run's start (plain file) or reads up to it (gzip); both find the proof.
    let mut log = String::from("INFO:     Started server process [5100]\n");
    for i in 0..2000 {
        log.push_str(&format!(
            "INFO:     127.0.0.1:50928 - \"GET /api/items/{i} HTTP/1.1\" 200 OK\n"
        ));
    }
    log.push_str("INFO:     Finished server process [5100]\n");
    log.push_str(&registry_log(&[JOIN_OK], &[JOIN_404, JOIN_404]));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, log.as_bytes()).unwrap();
    for contents in [log.into_bytes(), gz.finish().unwrap()] {
        let report = report_of_file(&contents);
        let finding = &report["findings"][0];
        assert_eq!(finding["cause"], "state-lost-on-restart");
        // The 200 is cited with its own line number and text.
        assert_eq!(finding["evidence"][0]["line"], 2005);
        assert!(finding["evidence"][0]["text"]
            .as_str()
            .unwrap()
            .ends_with("join HTTP/1.1\" 200 OK"));
    }
}

#[test]
fn a_pipe_cannot_be_read_again_so_the_check_is_a_note() {
    let log = registry_log(&[JOIN_OK], &[JOIN_404, JOIN_404]);
    let output = logsleuth()
        .args(["--format", "json"])
        .write_stdin(log)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("POST /api/bots/ai_chatbot/join answered 404 after a restart"),
        "{notes}"
    );
}

#[test]
fn a_proxy_logging_the_same_request_does_not_hide_the_servers_earlier_answer() {
    // nginx in front of uvicorn logs the same request after uvicorn did; the proof must
    // stay the server's own 200.
    let log = "\
Jan 16 12:00:00 web uvicorn[10]: INFO:     Started server process [10]
Jan 16 12:00:05 web uvicorn[10]: INFO:     127.0.0.1:50928 - \"POST /api/join HTTP/1.1\" 200 OK
Jan 16 12:00:05 web nginx[7]: 10.0.0.9 - - [16/Jan/2026:12:00:05 +0000] \"POST /api/join HTTP/1.1\" 200 17 \"-\" \"curl/8.0\"
Jan 16 12:01:00 web uvicorn[11]: INFO:     Started server process [11]
Jan 16 12:01:05 web uvicorn[11]: INFO:     127.0.0.1:50930 - \"POST /api/join HTTP/1.1\" 404 Not Found
Jan 16 12:01:06 web uvicorn[11]: INFO:     127.0.0.1:50932 - \"POST /api/join HTTP/1.1\" 404 Not Found
";
    let (causes, _) = causes_of_file(log);
    assert_eq!(causes, vec!["state-lost-on-restart"]);
}

#[test]
fn jobs_choose_the_thread_count_without_changing_the_report() {
    let mut log = String::new();
    // Several read blocks of either size (one scanning thread hands blocks on sooner).
    for i in 0..120_000 {
        log.push_str(&format!("Jan 16 12:00:00 web app[7]: request {i} served\n"));
        if i == 60_000 {
            // A line longer than a block of one thread's: its error is past that block.
            log.push_str("Jan 16 12:10:00 web app[7]: payload ");
            log.push_str(&"x".repeat(2 << 20));
            log.push_str(" OSError: [Errno 28] No space left on device\n");
        }
    }
    log.push_str("Jan 16 12:28:18 web app[7]: OSError: [Errno 98] Address already in use\n");
    let file = temp_file(log.as_bytes());
    let run = |jobs: &str| {
        logsleuth()
            .args(["--format", "json", "--jobs", jobs])
            .arg(file.path())
            .output()
            .unwrap()
    };
    let one = run("1");
    let four = run("4");
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(one.stdout, four.stdout);
    let report = String::from_utf8_lossy(&one.stdout);
    assert!(report.contains("\"disk-full\""), "{report}");
    // Not a terminal: no progress bar, nothing on stderr.
    assert!(
        one.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    logsleuth()
        .args(["--jobs", "0"])
        .arg(file.path())
        .assert()
        .code(2);
}
