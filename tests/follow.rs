//! `--follow` through real pipes and files: alerts arrive while the input is still open, a
//! summary comes at the end of the input or on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::thread;
use std::time::Duration;

use serde_json::Value;

/// Generous: the first alert needs the rules compiled (well under a second in release).
const WAIT: Duration = Duration::from_secs(60);

/// A real journal excerpt: a unit restarting every 14 s over a port held by a manual copy.
fn port_case() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpora/port-conflict-uvicorn-manual-copy-journal-short/input.log");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| format!("{l}\n"))
        .collect()
}

struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_logsleuth"))
            .args(["--follow", "--year", "2026"])
            .args(args)
            .env_remove("NO_COLOR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("logsleuth starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    fn write(&mut self, lines: &[String]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        for line in lines {
            stdin.write_all(line.as_bytes()).unwrap();
        }
        stdin.flush().unwrap();
    }

    /// Reads output lines until one contains `needle`; panics after [`WAIT`].
    fn wait_for(&mut self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(WAIT) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!("no output line with {needle:?}; saw {:#?}", self.seen),
            }
        }
    }

    /// Closes stdin (if open), waits for the exit, returns the status and the rest.
    fn finish(mut self) -> (i32, Vec<String>) {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            rest.push(line);
        }
        (status.code().unwrap_or(-1), rest)
    }

    fn interrupt(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: sending a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    }
}

#[test]
fn an_alert_arrives_while_the_pipe_is_still_open() {
    let lines = port_case();
    let mut run = Running::start(&[]);
    // Up to and including the first bind error (line 12); the pipe stays open.
    run.write(&lines[..12]);
    let alert = run.wait_for("port-conflict");
    assert!(alert.contains("new"), "{alert}");
    assert!(alert.contains("Port 8000"), "{alert}");
    assert!(run.stdin.is_some(), "the alert came before the input ended");

    // The next cycles make it a loop: reported once it has three restarts.
    run.write(&lines[12..60]);
    let looped = run.wait_for("LOOP");
    // Three restarts or more, depending on how the written lines were batched.
    assert!(looped.contains("lumiera-whatsapp: "), "{looped}");
    assert!(looped.contains("restarts (restart counter at"), "{looped}");

    run.write(&lines[60..]);
    let (status, rest) = run.finish();
    assert_eq!(status, 0);
    let rest = rest.join("\n");
    assert!(rest.contains("summary (end of input)"), "{rest}");
    assert!(rest.contains("lumiera-whatsapp: 12 restarts"), "{rest}");
}

#[test]
fn ndjson_gives_one_event_per_line_and_a_summary_last() {
    let lines = port_case();
    let mut run = Running::start(&["--format", "ndjson"]);
    run.write(&lines[..12]);
    run.wait_for("\"port-conflict\"");
    for chunk in lines[12..].chunks(15) {
        run.write(chunk);
        // Each batch is analysed before the next arrives, as on a live journal.
        thread::sleep(Duration::from_millis(100));
    }
    let (status, rest) = run.finish();
    assert_eq!(status, 0);
    let events: Vec<Value> = run_lines(&rest);
    let last = events.last().expect("a summary");
    assert_eq!(last["event"], "summary");
    assert_eq!(last["findings"][0]["cause"], "port-conflict");
    assert_eq!(last["restart_loops"][0]["restarts"], 12);
    let loop_changes: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "alert" && e["status"] == "changed")
        .filter(|e| e.get("restart_loop").is_some())
        .collect();
    assert!(
        loop_changes.iter().any(|e| e["changes"][0]
            .as_str()
            .is_some_and(|c| c.starts_with("restarts ") && c.ends_with(" -> 10"))),
        "{loop_changes:#?}"
    );
    for event in &events {
        assert!(event["event"] == "alert" || event["event"] == "summary");
    }
}

fn run_lines(rest: &[String]) -> Vec<Value> {
    rest.iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn ctrl_c_ends_with_a_summary() {
    let lines = port_case();
    let mut run = Running::start(&[]);
    run.write(&lines[..12]);
    run.wait_for("port-conflict");
    run.interrupt();
    let status = run.child.wait().unwrap();
    let mut rest = Vec::new();
    while let Ok(line) = run.lines.recv_timeout(Duration::from_secs(5)) {
        rest.push(line);
    }
    assert_eq!(status.code(), Some(0), "{rest:#?}");
    let rest = rest.join("\n");
    assert!(rest.contains("summary (interrupted)"), "{rest}");
    assert!(rest.contains("1 finding in 1 source (12 lines"), "{rest}");
}

#[test]
fn a_file_is_followed_as_it_grows() {
    let lines = port_case();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.log");
    std::fs::write(&path, lines[..12].concat()).unwrap();
    let mut run = Running::start(&[path.to_str().unwrap()]);
    run.wait_for("port-conflict");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(lines[12..60].concat().as_bytes()).unwrap();
    file.flush().unwrap();
    let looped = run.wait_for("LOOP");
    assert!(looped.contains("lumiera-whatsapp"), "{looped}");
    // A file never ends by itself: Ctrl-C ends the run.
    run.interrupt();
    let (status, rest) = run.finish();
    assert_eq!(status, 0);
    assert!(
        rest.iter().any(|l| l.contains("summary (interrupted)")),
        "{rest:#?}"
    );
}

#[test]
fn follow_refuses_report_only_formats() {
    let output = Command::new(env!("CARGO_BIN_EXE_logsleuth"))
        .args(["--follow", "--format", "markdown"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--format text or --format ndjson"),
        "{stderr}"
    );
}
