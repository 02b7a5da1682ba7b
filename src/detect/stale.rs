//! Stale PID claims: a program refuses to start because "another instance is running (pid
//! N)", yet nothing in the logs comes from PID N. The claim rests on a PID or lock file left
//! behind by a run that is gone (after a crash, a SIGKILL, a reboot, or in a container where
//! the recorded PID now belongs to someone else), not on a live second instance.
//!
//! Only matched lines are evidence, so "never seen" means no start, ready, error or other
//! matched line came from that PID or named it: a live instance that logs nothing the rules
//! know would look stale too, and the finding says to check before removing anything.

use foldhash::{HashSet, HashSetExt};

use crate::evidence::EvidenceLine;
use crate::rules::{RuleSet, Tag};

/// Evidence indexes of `already-running` lines whose named PID never appears as a process
/// in the evidence (other than in such claims).
pub fn stale_pid_claims(rules: &RuleSet, evidence: &[EvidenceLine]) -> Vec<usize> {
    let claimed = |line: &EvidenceLine| -> Option<u32> {
        line.matches
            .iter()
            .filter(|m| rules.signal(m.signal).has_tag(Tag::AlreadyRunning))
            .find_map(|m| m.capture("pid")?.parse().ok())
    };
    let claims: Vec<(usize, u32)> = evidence
        .iter()
        .enumerate()
        .filter_map(|(i, line)| Some((i, claimed(line)?)))
        .collect();
    if claims.is_empty() {
        return Vec::new();
    }
    // PIDs that show signs of life: lines logged by them, or naming them as a process
    // (`Killed process N`, `Found left-over process N`).
    let claim_lines: HashSet<usize> = claims.iter().map(|&(i, _)| i).collect();
    let mut alive: HashSet<u32> = HashSet::new();
    for (i, line) in evidence.iter().enumerate() {
        if claim_lines.contains(&i) {
            continue;
        }
        alive.extend(line.pid);
        for m in &line.matches {
            if let Some(pid) = m.capture("pid").and_then(|p| p.parse().ok()) {
                alive.insert(pid);
            }
        }
    }
    claims
        .into_iter()
        .filter(|&(i, pid)| !alive.contains(&pid) && evidence[i].pid != Some(pid))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::detect::causes_for as causes;

    #[test]
    fn a_pid_nobody_has_seen_is_a_stale_claim_and_a_live_one_a_competitor() {
        let claim = "Feb 02 10:00:05 host syncd[771]: ERROR: syncd is already running (pid 512)\n";
        assert_eq!(causes(claim), vec!["stale-lock"]);
        // Only matched lines are evidence: here the running copy's start-up line.
        let live =
            "Feb 02 09:59:58 host syncd[512]: Listening on 0.0.0.0:8873\n".to_string() + claim;
        assert_eq!(causes(&live), vec!["competing-instances"]);
    }
}
