//! Port holders: the process that keeps a port while others fail to bind it.
//!
//! When a port conflict repeats, the log often shows the culprit only indirectly: a process
//! of the same kind (its start-up, ready or shutdown lines) that never reported the bind
//! error itself and was alive while the others failed. A copy started by hand next to the
//! supervised service (seed 002) looks exactly like that: its PID is not one of the failing
//! ones, and often the conflict ends right after it stops.

use crate::evidence::EvidenceLine;
use crate::rules::{RuleSet, Tag};

/// How long after the last bind error a holder's lifecycle line still counts (the conflict
/// ends when the holder goes away).
const AFTER_LAST_FAILURE_US: i64 = 60 * 1_000_000;

/// Evidence indexes of lifecycle lines from processes that held the port, from PIDs that
/// never logged a bind error: start or ready lines between the first and the last bind
/// error, and stop or clean-exit lines up to a minute after the last. Empty when nothing failed to bind, or when
/// the log carries no PIDs or times to tell processes apart.
pub fn port_holders(rules: &RuleSet, evidence: &[EvidenceLine]) -> Vec<usize> {
    let has = |line: &EvidenceLine, tags: &[Tag]| {
        line.matches
            .iter()
            .any(|m| tags.iter().any(|t| rules.signal(m.signal).has_tag(*t)))
    };
    let pid_of = |line: &EvidenceLine| {
        line.matches
            .iter()
            .find_map(|m| m.capture("pid").and_then(|p| p.parse::<u32>().ok()))
            .or(line.pid)
    };
    let failures: Vec<&EvidenceLine> = evidence
        .iter()
        .filter(|line| has(line, &[Tag::BindError]))
        .collect();
    let failing_pids: Vec<u32> = failures.iter().filter_map(|line| pid_of(line)).collect();
    let times: Vec<i64> = failures.iter().filter_map(|line| line.clock_us()).collect();
    let (Some(&first), Some(&last)) = (times.iter().min(), times.iter().max()) else {
        return Vec::new();
    };
    if failing_pids.len() < 2 {
        return Vec::new();
    }
    let alive = [Tag::StartMarker, Tag::ReadyMarker];
    let leaving = [Tag::StopMarker, Tag::CleanExit];
    evidence
        .iter()
        .enumerate()
        .filter(|(_, line)| {
            let manager = matches!(
                line.origin.identifier.as_deref(),
                Some("systemd" | "kernel")
            );
            let Some(t) = line.clock_us() else {
                return false;
            };
            // Alive while the others failed, or going away just before the conflict ended; a
            // process that starts after the last failure is the one that finally got the port.
            let holder = (t >= first && t <= last && has(line, &alive))
                || (t >= first && t <= last + AFTER_LAST_FAILURE_US && has(line, &leaving));
            !manager && holder && pid_of(line).is_some_and(|pid| !failing_pids.contains(&pid))
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::detect::causes_for as causes;

    fn failing_cycle(second: u32, pid: u32) -> String {
        format!(
            "Jan 16 12:28:{second:02} web python[{pid}]: INFO:     Started server process [{pid}]\n\
             Jan 16 12:28:{second:02} web python[{pid}]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use\n"
        )
    }

    #[test]
    fn a_process_that_never_failed_and_leaves_as_the_conflict_ends_holds_the_port() {
        let mut log = failing_cycle(10, 101) + &failing_cycle(24, 102);
        log.push_str("Jan 16 12:28:30 web api[77]: INFO:     Finished server process [77]\n");
        log.push_str("Jan 16 12:28:38 web python[103]: INFO:     Started server process [103]\n");
        assert!(
            causes(&log).contains(&"competing-instances".to_string()),
            "{:?}",
            causes(&log)
        );
    }

    #[test]
    fn the_process_that_finally_binds_is_not_a_holder() {
        let mut log = failing_cycle(10, 101) + &failing_cycle(24, 102);
        log.push_str("Jan 16 12:28:38 web python[103]: INFO:     Started server process [103]\n");
        log.push_str(
            "Jan 16 12:28:38 web python[103]: INFO:     Uvicorn running on http://0.0.0.0:8000\n",
        );
        assert_eq!(causes(&log), vec!["port-conflict".to_string()]);
    }
}
