//! Filling `{placeholder}` templates in titles, explanations and fixes from the evidence.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::Inputs;

/// Values for placeholders, first captured value wins.
#[derive(Debug, Default)]
pub struct Values {
    values: BTreeMap<String, String>,
}

/// A unit's name without `.service` (and a trailing dot), as loops and programs are named.
fn bare_unit(name: &str) -> &str {
    let name = name.trim_end_matches('.');
    name.strip_suffix(".service").unwrap_or(name)
}

/// Required lines whose messages are compared with the error a loop's cycles end with.
const MESSAGES_COMPARED: usize = 64;

/// The restart loop a finding is about: the one named like the unit or program of its
/// evidence, else the first loop whose cycles end with the message of one of its evidence
/// lines (of two units failing on one port, one), else the only loop there is when the
/// evidence falls within its time and names no unit; else none.
fn related_loop<'a>(
    inputs: &'a Inputs<'_>,
    required: &[usize],
    unit: Option<&str>,
) -> Option<&'a crate::detect::RestartLoop> {
    let bare = |name: &str| bare_unit(name).to_string();
    let mut names: Vec<String> = unit.map(bare).into_iter().collect();
    for &i in required {
        let line = &inputs.evidence[i];
        names.extend(line.origin.unit.as_deref().map(bare));
        names.extend(line.origin.identifier.as_deref().map(bare));
    }
    // The messages of the first required lines, for loops whose cycles end with one.
    let messages: std::cell::OnceCell<Vec<String>> = std::cell::OnceCell::new();
    let ends_with_this = |looped: &&crate::detect::RestartLoop| {
        let Some(error) = looped.last_error.as_ref() else {
            return false;
        };
        let messages = messages.get_or_init(|| {
            let first = required.iter().take(MESSAGES_COMPARED);
            first
                .map(|&i| crate::detect::message_of(&inputs.evidence[i]))
                .collect()
        });
        messages.contains(&error.message)
    };
    let loops = &inputs.loops;
    loops
        .iter()
        .find(|l| names.contains(&l.unit))
        .or_else(|| loops.iter().find(ends_with_this))
        .or_else(|| {
            // The only loop, when the evidence falls within its time (a copy started by hand
            // that holds the port while the unit's new instances fail) and names no unit of
            // its own.
            let [only] = &loops[..] else {
                return None;
            };
            if required
                .iter()
                .any(|&i| own_unit(&inputs.evidence[i]).is_some())
            {
                return None;
            }
            let (first, last) = only.span_us()?;
            let near = |t: i64| t >= first - NEAR_LOOP_US && t <= last + NEAR_LOOP_US;
            let mut clocks = required
                .iter()
                .filter_map(|&i| inputs.evidence[i].clock_us());
            clocks.any(near).then_some(only)
        })
}

/// The unit a line's envelope names as the service it came from: not a scope (a login
/// session, a transient unit), which nothing restarts.
fn own_unit(line: &crate::evidence::EvidenceLine) -> Option<&str> {
    line.origin
        .unit
        .as_deref()
        .filter(|unit| !unit.ends_with(".scope"))
}

/// How far before its first cycle or after its last a line is still near a loop.
const NEAR_LOOP_US: i64 = 30_000_000;

/// Identifiers of the lines of a service manager or the kernel, which are about other
/// programs.
const MANAGERS: [&str; 2] = ["systemd", "kernel"];

/// What a placeholder says when the evidence has no value for it.
fn neutral(name: &str) -> String {
    match name {
        "port" => "the port".into(),
        "unit" => "the service".into(),
        "pid" => "the process".into(),
        "process" => "the process".into(),
        "module" => "the module".into(),
        "path" => "the path".into(),
        "addr" => "the address".into(),
        "host" => "the host".into(),
        other => format!("the {}", other.replace('_', " ")),
    }
}

impl Values {
    /// Collects captures from the required lines, then the supporting ones, then the
    /// envelope (unit, pid), the related restart loop and the program; derives `{endpoint}`,
    /// `{systemctl}` and `{journalctl}`.
    pub fn collect(inputs: &Inputs<'_>, required: &[usize], supporting: &[usize]) -> Self {
        let mut values = Values::default();
        // The programs of the required lines. Lines of several (a full disk fails them all)
        // are about no one unit of theirs.
        let programs: std::collections::HashSet<&str> = required
            .iter()
            .filter_map(|&i| inputs.evidence[i].origin.identifier.as_deref())
            .filter(|ident| !MANAGERS.contains(ident))
            .collect();
        // The units the required lines' envelopes name (journal fields); several, like
        // several programs, are no one unit.
        let mut own_units: Vec<&str> = Vec::new();
        for &i in required {
            if let Some(unit) = own_unit(&inputs.evidence[i]) {
                if !own_units.contains(&unit) {
                    own_units.push(unit);
                }
                if own_units.len() > 1 {
                    break;
                }
            }
        }
        let one_program = programs.len() <= 1 && own_units.len() <= 1;
        // Supporting lines are found across the whole log (any unit's restart supports a
        // failure), so a unit they name counts only when it is the required lines' program
        // or their loop's: by bare name, the first spelling.
        let mut supporting_units: HashMap<&str, &str> = HashMap::new();
        for (n, &i) in required.iter().chain(supporting).enumerate() {
            let line = &inputs.evidence[i];
            let is_supporting = n >= required.len();
            for m in &line.matches {
                for (name, value) in m.captures() {
                    if value.is_empty() {
                        continue;
                    }
                    if is_supporting && name == "unit" {
                        supporting_units.entry(bare_unit(value)).or_insert(value);
                        continue;
                    }
                    values
                        .values
                        .entry(name.to_string())
                        .or_insert_with(|| value.to_string());
                }
            }
        }
        let program = programs.iter().next().filter(|_| one_program);
        // A trace the evidence belongs to names the exception with its message
        // (`KeyError: 'DATABASE_URL'`), which its start line alone does not.
        let in_trace = required.iter().find_map(|&i| {
            inputs
                .tracebacks
                .iter()
                .find(|t| t.members.binary_search(&i).is_ok())
        });
        if let Some(trace) = in_trace {
            values
                .values
                .insert("exception".into(), trace.summary.clone());
            if let Some(frame) = trace.frames.first() {
                values
                    .values
                    .entry("frame".into())
                    .or_insert_with(|| frame.to_string());
            }
        }
        let looped = related_loop(inputs, required, values.get("unit"));
        // A unit the supporting lines name, as spelled there (`api.service`): the one of the
        // required lines' program or of the related loop (any other is another unit's).
        let named_like = |name: &str| supporting_units.get(bare_unit(name));
        let supporting_unit = program
            .and_then(|p| named_like(p))
            .or_else(|| looped.and_then(|l| named_like(&l.unit)));
        // The lines' own unit first, then the one the supporting lines name for them.
        let unit = own_units.first().or(supporting_unit);
        if let Some(unit) = unit.filter(|_| one_program) {
            values
                .values
                .entry("unit".into())
                .or_insert_with(|| unit.to_string());
        }
        for &i in required {
            let line = &inputs.evidence[i];
            if let Some(pid) = line.pid {
                values
                    .values
                    .entry("pid".into())
                    .or_insert_with(|| pid.to_string());
            }
        }
        if let Some(looped) = looped {
            if looped.unit != crate::detect::UNNAMED_SUBJECT && one_program {
                values
                    .values
                    .entry("unit".into())
                    .or_insert_with(|| looped.unit.clone());
            }
            values
                .values
                .insert("restarts".into(), looped.restarts.to_string());
            if let Some(period) = looped.period_s {
                values
                    .values
                    .insert("period".into(), format!("{period:.1} s"));
            }
        }
        if let Some(&ident) = program {
            values
                .values
                .entry("unit".into())
                .or_insert_with(|| ident.to_string());
        }
        if let Some(unit) = values.values.get_mut("unit") {
            let trimmed = unit.trim_end_matches('.').to_string();
            *unit = trimmed;
        }
        values.scope_commands(looped);
        values.derive_endpoint();
        values
    }

    /// `{systemctl}` and `{journalctl}`: the commands for the unit a finding is about, with
    /// `--user` when it is the unit of a restart loop that a user's service manager
    /// (`systemd --user`, not PID 1) restarts. Only the loop's lifecycle lines tell the
    /// manager: systemd logs a failure to start a process (`Failed at step EXEC`) under the
    /// PID of the child it forked, whichever manager it is.
    fn scope_commands(&mut self, looped: Option<&crate::detect::RestartLoop>) {
        let unit = self.get("unit").map(bare_unit);
        let manager = looped
            .filter(|l| unit == Some(bare_unit(&l.unit)))
            .and_then(|l| l.manager_pid);
        let user = if manager.is_some_and(|pid| pid != 1) {
            " --user"
        } else {
            ""
        };
        for command in ["systemctl", "journalctl"] {
            self.values
                .entry(command.into())
                .or_insert_with(|| format!("{command}{user}"));
        }
    }

    /// `{endpoint}`: where a connection went, from what the evidence names of it (`host`
    /// and `port`): `db:5432` (`[::1]:5432`), `db`, or `port 5432`.
    fn derive_endpoint(&mut self) {
        if self.values.contains_key("endpoint") {
            return;
        }
        let endpoint = match (self.get("host"), self.get("port")) {
            (Some(host), Some(port)) if host.ends_with(&format!(":{port}")) => host.to_string(),
            (Some(host), Some(port)) if host.contains(':') && !host.starts_with('[') => {
                format!("[{host}]:{port}")
            }
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            (None, Some(port)) => format!("port {port}"),
            (None, None) => return,
        };
        self.values.insert("endpoint".into(), endpoint);
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Replaces every `{name}` in `template`; `{{` and `}}` stand for braces. An optional
    /// part `{?text}` is kept only when every placeholder inside it has a value
    /// (`Invalid configuration{? in {file}}{? at line {line}}`).
    ///
    /// A placeholder without a value reads as neutral words in prose ("the service") and as
    /// `<unit>` inside a `` `command` ``, where words would make the command wrong and a
    /// user expects to put in the name.
    pub fn fill(&self, template: &str) -> String {
        self.fill_part(template, &mut false).0
    }

    /// [`Values::fill`] for a text that is a sentence, such as a title: when it starts with a
    /// placeholder that has no value, the neutral words standing in for it ("the service")
    /// start with a capital letter. A value is never changed: `python3` stays lowercase.
    pub fn fill_sentence(&self, template: &str) -> String {
        let mut text = self.fill(template);
        let leading = template
            .strip_prefix('{')
            .and_then(|rest| rest.split_once('}'))
            .map(|(name, _)| name)
            .filter(|name| is_name(name));
        if leading.is_some_and(|name| self.get(name).is_none()) {
            if let Some(first) = text.get(..1) {
                let capital = first.to_ascii_uppercase();
                text.replace_range(..1, &capital);
            }
        }
        text
    }

    /// The filled text, and whether every placeholder in it had a value. `in_code` says
    /// whether the text starts inside a `` `code` `` span, and is left saying whether it
    /// ends inside one.
    fn fill_part(&self, template: &str, in_code: &mut bool) -> (String, bool) {
        let mut out = String::with_capacity(template.len());
        let mut complete = true;
        let mut rest = template;
        while let Some(open) = rest.find(['{', '}']) {
            push_literal(&mut out, &rest[..open], in_code);
            let tail = &rest[open..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                out.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if let Some(close) = tail.strip_prefix("{?").and_then(closing_brace) {
                let mut part_in_code = *in_code;
                let (part, part_complete) = self.fill_part(&tail[2..2 + close], &mut part_in_code);
                if part_complete {
                    out.push_str(&part);
                    *in_code = part_in_code;
                }
                rest = &tail[2 + close + 1..];
                continue;
            }
            match (tail.starts_with('{'), tail.find('}')) {
                (true, Some(close)) if is_name(&tail[1..close]) => {
                    let name = &tail[1..close];
                    match self.get(name) {
                        Some(value) => out.push_str(value),
                        None if *in_code => {
                            complete = false;
                            out.push_str(&format!("<{}>", name.replace('_', "-")));
                        }
                        None => {
                            complete = false;
                            out.push_str(&neutral(name));
                        }
                    }
                    rest = &tail[close + 1..];
                }
                _ => {
                    push_literal(&mut out, &tail[..1], in_code);
                    rest = &tail[1..];
                }
            }
        }
        push_literal(&mut out, rest, in_code);
        (out, complete)
    }
}

/// Where the `}` that closes an optional part is, in the text after its `{?`: the braces
/// of the placeholders inside are balanced; outside them `{{` and `}}` are plain braces.
fn closing_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => i += 1,
            b'{' => depth += 1,
            // inside a placeholder `}` closes it, even when the part's own `}` follows
            b'}' if depth > 0 => depth -= 1,
            b'}' if bytes.get(i + 1) == Some(&b'}') => i += 1,
            b'}' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Appends template text (not a value), keeping track of the `` `code` `` span it leaves
/// the text in.
fn push_literal(out: &mut String, text: &str, in_code: &mut bool) {
    out.push_str(text);
    *in_code ^= text.bytes().filter(|&b| b == b'`').count() % 2 == 1;
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_or_neutral() {
        let mut values = Values::default();
        values.values.insert("port".into(), "8000".into());
        assert_eq!(
            values.fill("ss -ltnp 'sport = :{port}' for {unit}"),
            "ss -ltnp 'sport = :8000' for the service"
        );
        assert_eq!(
            values.fill("awk '{{print $1}}' {not a name} {"),
            "awk '{print $1}' {not a name} {"
        );
    }

    #[test]
    fn optional_parts_need_every_value_inside() {
        let mut values = Values::default();
        values.values.insert("line".into(), "3".into());
        let title = "Invalid configuration{? in {file}}{? at line {line}}";
        assert_eq!(values.fill(title), "Invalid configuration at line 3");
        values.values.insert("file".into(), "/etc/app.toml".into());
        assert_eq!(
            values.fill(title),
            "Invalid configuration in /etc/app.toml at line 3"
        );
        assert_eq!(values.fill("a{? {port} {{x}}}b"), "ab");
        assert_eq!(
            values.fill_sentence("{unit} hit its start rate limit"),
            "The service hit its start rate limit"
        );
        assert_eq!(values.fill_sentence("{line} lines"), "3 lines");
        assert_eq!(values.fill_sentence("{{unit}} stays"), "{unit} stays");
        assert_eq!(values.fill("{?unclosed {line}"), "{?unclosed 3");
    }

    #[test]
    fn an_endpoint_is_told_from_what_the_evidence_names() {
        let endpoint = |pairs: &[(&str, &str)]| {
            let mut values = Values::default();
            for (name, value) in pairs {
                values.values.insert(name.to_string(), value.to_string());
            }
            values.derive_endpoint();
            values.fill("Database{? at {endpoint}} is unreachable")
        };
        assert_eq!(
            endpoint(&[("host", "db"), ("port", "5432")]),
            "Database at db:5432 is unreachable"
        );
        assert_eq!(
            endpoint(&[("host", "::1"), ("port", "5432")]),
            "Database at [::1]:5432 is unreachable"
        );
        assert_eq!(endpoint(&[("host", "db")]), "Database at db is unreachable");
        assert_eq!(
            endpoint(&[("port", "6379")]),
            "Database at port 6379 is unreachable"
        );
        assert_eq!(endpoint(&[]), "Database is unreachable");
        assert_eq!(
            endpoint(&[("host", "db:5432"), ("port", "5432")]),
            "Database at db:5432 is unreachable"
        );
    }

    /// `count` cycles of `unit` at `second` + 10 s each: started, `error` from `program`,
    /// exited, restarted.
    fn looping(unit: &str, program: &str, error: &str, first_second: u32, count: u32) -> String {
        let mut log = String::new();
        for n in 0..count {
            let (second, pid) = (first_second + 10 * n, 400 + first_second + n);
            log += &format!(
                "Mar 02 10:01:{second:02} ws systemd[1]: Started {unit}.service - {unit}.\n\
                 Mar 02 10:01:{second:02} ws {program}[{pid}]: {error}\n\
                 Mar 02 10:01:{second:02} ws systemd[1]: {unit}.service: Main process exited, code=exited, status=1/FAILURE\n\
                 Mar 02 10:01:{second:02} ws systemd[1]: {unit}.service: Failed with result 'exit-code'.\n\
                 Mar 02 10:01:{second:02} ws systemd[1]: {unit}.service: Scheduled restart job, restart counter is at {n}.\n"
            );
        }
        log
    }

    fn steps_of(log: &str, cause: &str) -> String {
        let report = crate::detect::report_for(log);
        let finding = report.findings.into_iter().find(|f| f.cause == cause);
        let finding = finding.unwrap_or_else(|| panic!("no {cause}"));
        [finding.fix, finding.verify].concat().join("\n")
    }

    #[test]
    fn the_unit_of_a_finding_is_its_programs_or_its_loops_never_another_units() {
        let bind = "ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use";
        // Two loops; the bind errors come from `python3`, which names neither, and end the
        // cycles of `api` only.
        let log = looping("worker", "celery", "RuntimeError: broker lost", 0, 4)
            + &looping("api", "python3", bind, 5, 4);
        let steps = steps_of(&log, "port-conflict");
        assert!(steps.contains("`journalctl -u api.service -f`"), "{steps}");
        // A full disk fails two programs: about no one unit of theirs, not the unit whose
        // restart happens to support it.
        let full = "OSError: [Errno 28] No space left on device";
        let log = looping("worker", "celery", "RuntimeError: broker lost", 0, 4)
            + &format!(
                "Mar 02 10:02:00 ws app-a[10]: {full}\nMar 02 10:02:01 ws app-b[11]: {full}\n"
            );
        let steps = steps_of(&log, "disk-full");
        assert!(steps.contains("`systemctl restart <unit>`"), "{steps}");
    }

    #[test]
    fn commands_for_a_user_unit_say_user() {
        let log = |manager: u32| {
            let mut log = String::new();
            for (second, pid) in [(10, 300), (20, 301), (30, 302)] {
                log += &format!(
                    "Mar 02 10:00:{second} ws systemd[{manager}]: Started report.service - Reports.\n\
                     Mar 02 10:00:{second} ws python3[{pid}]: ModuleNotFoundError: No module named 'reportlib'\n\
                     Mar 02 10:00:{second} ws systemd[{manager}]: report.service: Main process exited, code=exited, status=1/FAILURE\n\
                     Mar 02 10:00:{second} ws systemd[{manager}]: report.service: Scheduled restart job, restart counter is at {pid}.\n"
                );
            }
            log
        };
        let steps = |log: &str| {
            let report = crate::detect::report_for(log);
            let finding = report
                .findings
                .into_iter()
                .find(|f| f.cause == "missing-dependency")
                .expect("a missing module");
            finding.verify.join("\n")
        };
        assert!(
            steps(&log(1_204)).contains("`journalctl --user -u report.service`"),
            "{}",
            steps(&log(1_204))
        );
        assert!(
            steps(&log(1)).contains("`journalctl -u report.service`"),
            "{}",
            steps(&log(1))
        );
    }

    #[test]
    fn commands_for_a_system_unit_stay_plain_whatever_else_the_log_holds() {
        // systemd logs a failed exec under the PID of the child it forked.
        let log = "Feb 17 02:00:00 batch-01 systemd[1]: Starting report-worker.service - Report worker...\n\
             Feb 17 02:00:00 batch-01 systemd[733418]: report-worker.service: Failed to locate executable /opt/reporting/venv/bin/report-worker: No such file or directory\n\
             Feb 17 02:00:00 batch-01 systemd[733418]: report-worker.service: Failed at step EXEC spawning /opt/reporting/venv/bin/report-worker: No such file or directory\n\
             Feb 17 02:00:00 batch-01 systemd[1]: report-worker.service: Main process exited, code=exited, status=203/EXEC\n\
             Feb 17 02:00:00 batch-01 systemd[1]: report-worker.service: Failed with result 'exit-code'.\n";
        let steps = steps_of(log, "bad-exec-path");
        assert!(
            steps.contains("`systemctl cat report-worker.service`"),
            "{steps}"
        );
        assert!(!steps.contains("--user"), "{steps}");
        // A user's unit loops next to a system unit's one failure: the failure's commands are
        // the system's.
        let mut log = "Mar 02 09:00:00 ws systemd[1]: Started api.service - API.\n\
             Mar 02 09:00:01 ws python3[500]: ModuleNotFoundError: No module named 'fastapi'\n\
             Mar 02 09:00:01 ws systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE\n"
            .to_string();
        for n in 0..4 {
            log += &format!(
                "Mar 02 10:01:{s:02} ws systemd[1204]: Started sync.service - Sync.\n\
                 Mar 02 10:01:{s:02} ws systemd[1204]: sync.service: Main process exited, code=exited, status=2/INVALIDARGUMENT\n\
                 Mar 02 10:01:{s:02} ws systemd[1204]: sync.service: Scheduled restart job, restart counter is at {n}.\n",
                s = 10 * n
            );
        }
        let steps = steps_of(&log, "missing-dependency");
        assert!(
            !steps.contains("--user") && !steps.contains("sync"),
            "{steps}"
        );
    }

    /// A journal entry as `journalctl -o json` prints it, `second`s into the day.
    fn entry(second: u64, ident: &str, pid: u32, unit: &str, message: &str) -> String {
        let us = 1_772_445_600_000_000u64 + second * 1_000_000;
        format!(
            r#"{{"__REALTIME_TIMESTAMP":"{us}","_HOSTNAME":"ws","SYSLOG_IDENTIFIER":"{ident}","_PID":"{pid}","_SYSTEMD_UNIT":"{unit}","MESSAGE":"{message}"}}"#
        ) + "\n"
    }

    #[test]
    fn the_unit_a_journal_entry_names_comes_first() {
        // `worker` loops; 5 s after its last cycle, `api.service` fails to bind.
        let mut log = String::new();
        for n in 0..4u64 {
            let (s, pid) = (10 * n, 700 + n as u32);
            log += &entry(
                s,
                "systemd",
                1,
                "init.scope",
                "Started worker.service - Worker.",
            );
            log += &entry(
                s + 1,
                "celery",
                pid,
                "worker.service",
                "RuntimeError: broker lost",
            );
            log += &entry(
                s + 1,
                "systemd",
                1,
                "init.scope",
                "worker.service: Main process exited, code=exited, status=1/FAILURE",
            );
            log += &entry(
                s + 2,
                "systemd",
                1,
                "init.scope",
                &format!("worker.service: Scheduled restart job, restart counter is at {n}."),
            );
        }
        let bind = "ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use";
        log += &entry(37, "python3", 900, "api.service", bind);
        let steps = steps_of(&log, "port-conflict");
        assert!(steps.contains("`journalctl -u api.service -f`"), "{steps}");
        // One program in several units (a full disk): no one unit.
        let full = "OSError: [Errno 28] No space left on device";
        let log = entry(0, "python3", 10, "a.service", full)
            + &entry(1, "python3", 11, "b.service", full);
        let steps = steps_of(&log, "disk-full");
        assert!(steps.contains("`systemctl restart <unit>`"), "{steps}");
    }

    #[test]
    fn a_placeholder_without_a_value_in_a_command_is_left_for_the_user() {
        let mut values = Values::default();
        values.values.insert("port".into(), "8000".into());
        assert_eq!(
            values.fill("`journalctl -u {unit} -f` shows {unit} on `ss -ltnp 'sport = :{port}'`"),
            "`journalctl -u <unit> -f` shows the service on `ss -ltnp 'sport = :8000'`"
        );
        // An optional part left out leaves the code span as it was; one kept moves it on.
        assert_eq!(
            values.fill("`a{? `{file}` }` {unit} `{config_file}`"),
            "`a` the service `<config-file>`"
        );
        assert_eq!(
            values.fill("{? on `{port}`} `{unit}`"),
            " on `8000` `<unit>`"
        );
        assert_eq!(
            values.fill_sentence("{unit} hit its limit: `systemctl reset-failed {unit}`"),
            "The service hit its limit: `systemctl reset-failed <unit>`"
        );
    }
}
