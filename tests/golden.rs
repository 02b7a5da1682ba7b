//! Golden cases: every folder in `corpora/` with a `case.toml` is run through the binary.
//!
//! For each case the report for `input.log` must equal `expected.json`, `expected.txt` and
//! `expected.md`; the same input read from stdin and from a gzip copy must give the same
//! report; and the case's own expectations (`expect_causes`, `expect_restart_loop`,
//! `expect_period_s`, `expect_hosts`, `negative_for`) must hold. `LOGSLEUTH_BLESS=1 cargo
//! test --test golden` rewrites the expected files.
//!
//! Coverage: every cause of the built-in rule library needs a case that must report it
//! (`expect_causes`) and a case that holds its alarming words but must not (`negative_for`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Case {
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default = "default_input")]
    input: String,
    expect_causes: Vec<String>,
    /// Causes the case proves but a detector that does not exist yet is needed for: they
    /// may be missing; everything else must match `expect_causes` exactly.
    #[serde(default)]
    expect_later: Vec<String>,
    expect_restart_loop: Option<bool>,
    expect_period_s: Option<f64>,
    /// For logs of several hosts: every host the report must list, with the causes found on
    /// it (`[]` for a healthy one).
    expect_hosts: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// Causes whose alarming words or signals the log holds and that must not be reported,
    /// neither in the findings nor on any host of `hosts[]`.
    #[serde(default)]
    negative_for: Vec<String>,
}

/// The year golden runs give year-less timestamps (unless a case's args say otherwise).
const GOLDEN_YEAR: &str = "2026";

fn default_input() -> String {
    "input.log".into()
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("corpora/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_logsleuth"));
    command.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    command
}

fn run(
    dir: &Path,
    case: &Case,
    format: &str,
    stdin: Option<&Path>,
    path: Option<&str>,
) -> (i32, String) {
    let mut command = binary();
    command
        .current_dir(dir)
        .args(["--format", format, "--color", "never"])
        .args(&case.args);
    // Year-less stamps take the current year by default; fix it so expectations stay true.
    if !case.args.iter().any(|a| a.starts_with("--year")) {
        command.args(["--year", GOLDEN_YEAR]);
    }
    if let Some(path) = path {
        command.arg(path);
    }
    if let Some(file) = stdin {
        command.stdin(std::fs::File::open(file).expect("input opens"));
    }
    let output = command.output().expect("binary runs");
    let code = output.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "{}: exit {code}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    (
        code,
        String::from_utf8(output.stdout).expect("reports are UTF-8"),
    )
}

/// The report with source names replaced, so runs over stdin and gzip compare equal.
fn without_source_names(json: &str) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if key == "source" || key == "name" {
                        *v = Value::String("<source>".into());
                    } else {
                        walk(v);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value: Value = serde_json::from_str(json).expect("valid JSON report");
    walk(&mut value);
    value
}

fn compare_or_bless(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("LOGSLEUTH_BLESS").is_some() {
        std::fs::write(path, actual).expect("write expectation");
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{} differs (LOGSLEUTH_BLESS=1 to accept):\n{}",
            path.display(),
            first_difference(&expected, actual)
        )),
        Err(_) => failures.push(format!(
            "{} is missing (LOGSLEUTH_BLESS=1 to create)",
            path.display()
        )),
    }
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1);
        }
    }
    format!(
        "lengths differ: {} vs {} lines",
        expected.lines().count(),
        actual.lines().count()
    )
}

fn read_case(dir: &Path) -> Case {
    toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("case.toml").display()))
}

/// The cause ids of the built-in rule library.
fn builtin_cause_ids() -> Vec<String> {
    logsleuth::rules::RuleSetBuilder::new()
        .build()
        .expect("built-in rules load")
        .causes
        .iter()
        .map(|c| c.id.clone())
        .collect()
}

/// `negative_for`: each listed cause is a known cause id, is not also expected, and appears
/// neither among the findings nor among any host's causes.
fn check_negatives(name: &str, case: &Case, json: &Value, known: &[String]) -> Vec<String> {
    let mut failures = Vec::new();
    for cause in &case.negative_for {
        if !known.contains(cause) {
            failures.push(format!(
                "{name}: negative_for names `{cause}`, which is no cause of the rule library"
            ));
        }
        if case.expect_causes.contains(cause) || case.expect_later.contains(cause) {
            failures.push(format!(
                "{name}: `{cause}` is both expected and in negative_for"
            ));
        }
        let found = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["cause"].as_str() == Some(cause.as_str()));
        if found {
            failures.push(format!(
                "{name}: reports `{cause}`, which negative_for says it must not"
            ));
        }
        for host in json["hosts"].as_array().into_iter().flatten() {
            let on_host = host["causes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c.as_str() == Some(cause.as_str()));
            if on_host {
                failures.push(format!(
                    "{name}: host {} reports `{cause}`, which negative_for says it must not",
                    host["host"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    failures
}

fn check_expectations(dir: &Path, case: &Case, json: &Value, failures: &mut Vec<String>) {
    let name = dir.file_name().unwrap().to_string_lossy();
    failures.extend(check_negatives(&name, case, json, &builtin_cause_ids()));
    let mut causes: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cause"].as_str().unwrap().to_string())
        .collect();
    causes.retain(|c| !case.expect_later.contains(c));
    causes.sort();
    let mut expected = case.expect_causes.clone();
    expected.sort();
    if causes != expected {
        failures.push(format!("{name}: causes {causes:?}, expected {expected:?}"));
    }
    let loops = json["restart_loops"].as_array().unwrap();
    if let Some(want) = case.expect_restart_loop {
        let looped = !loops.is_empty();
        if want != looped {
            failures.push(format!("{name}: restart loop {looped}, expected {want}"));
        }
    }
    if let Some(want) = &case.expect_hosts {
        let got: std::collections::BTreeMap<String, Vec<String>> = json["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let mut causes: Vec<String> = h["causes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect();
                causes.sort();
                (h["host"].as_str().unwrap_or("").to_string(), causes)
            })
            .collect();
        let want: std::collections::BTreeMap<String, Vec<String>> = want
            .iter()
            .map(|(host, causes)| {
                let mut causes = causes.clone();
                causes.sort();
                (host.clone(), causes)
            })
            .collect();
        if got != want {
            failures.push(format!("{name}: hosts {got:?}, expected {want:?}"));
        }
    }
    if let Some(want) = case.expect_period_s {
        let periods: Vec<f64> = loops
            .iter()
            .filter_map(|l| l["period_s"].as_f64())
            .collect();
        if !periods.iter().any(|p| (p - want).abs() <= want * 0.10) {
            failures.push(format!(
                "{name}: periods {periods:?}, expected {want} within 10 %"
            ));
        }
    }
}

#[test]
fn golden_cases() {
    let cases = cases();
    assert!(!cases.is_empty(), "no golden cases found");
    let mut failures = Vec::new();
    for dir in &cases {
        let case = read_case(dir);
        let input = dir.join(&case.input);

        let (_, json) = run(dir, &case, "json", None, Some(&case.input));
        compare_or_bless(&dir.join("expected.json"), &json, &mut failures);
        let (_, text) = run(dir, &case, "text", None, Some(&case.input));
        compare_or_bless(&dir.join("expected.txt"), &text, &mut failures);
        let (_, markdown) = run(dir, &case, "markdown", None, Some(&case.input));
        compare_or_bless(&dir.join("expected.md"), &markdown, &mut failures);

        let from_file = without_source_names(&json);
        check_expectations(dir, &case, &from_file, &mut failures);

        let (_, from_stdin) = run(dir, &case, "json", Some(&input), None);
        if without_source_names(&from_stdin) != from_file {
            failures.push(format!(
                "{}: stdin report differs from the file report",
                dir.display()
            ));
        }

        let gz = tempfile::Builder::new()
            .suffix(".log.gz")
            .tempfile()
            .unwrap();
        let mut encoder =
            flate2::write::GzEncoder::new(gz.reopen().unwrap(), flate2::Compression::fast());
        encoder.write_all(&std::fs::read(&input).unwrap()).unwrap();
        encoder.finish().unwrap();
        let (_, from_gzip) = run(dir, &case, "json", None, Some(gz.path().to_str().unwrap()));
        if without_source_names(&from_gzip) != from_file {
            failures.push(format!(
                "{}: gzip report differs from the file report",
                dir.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every cause of the built-in rule library has a case that must report it and a case that
/// must not (its alarming words present, the right answer another cause or healthy).
#[test]
fn every_cause_has_positive_and_negative_cases() {
    let cases: Vec<Case> = cases().iter().map(|dir| read_case(dir)).collect();
    let mut without_positive = Vec::new();
    let mut without_negative = Vec::new();
    for id in builtin_cause_ids() {
        if !cases.iter().any(|c| c.expect_causes.contains(&id)) {
            without_positive.push(id.clone());
        }
        if !cases.iter().any(|c| c.negative_for.contains(&id)) {
            without_negative.push(id);
        }
    }
    assert!(
        without_positive.is_empty() && without_negative.is_empty(),
        "causes without a case that must report them (expect_causes): {without_positive:?}; \
         causes without a case that must not (negative_for): {without_negative:?}"
    );
}

#[test]
fn negative_for_is_checked() {
    let case: Case = toml::from_str(
        r#"
expect_causes = ["port-conflict"]
negative_for = ["port-conflict", "oom-kill", "no-such-cause"]
"#,
    )
    .unwrap();
    let report: Value = serde_json::from_str(
        r#"{"findings": [{"cause": "port-conflict"}, {"cause": "oom-kill"}],
            "restart_loops": [],
            "hosts": [{"host": "web-01", "causes": ["oom-kill"]}]}"#,
    )
    .unwrap();
    let known = vec!["port-conflict".to_string(), "oom-kill".to_string()];
    let failures = check_negatives("case", &case, &report, &known);
    let joined = failures.join("\n");
    assert!(
        joined.contains("`port-conflict` is both expected and in negative_for"),
        "{joined}"
    );
    assert!(joined.contains("reports `oom-kill`"), "{joined}");
    assert!(
        joined.contains("host web-01 reports `oom-kill`"),
        "{joined}"
    );
    assert!(
        joined.contains("`no-such-cause`, which is no cause"),
        "{joined}"
    );
    assert_eq!(failures.len(), 5, "{joined}");
}
