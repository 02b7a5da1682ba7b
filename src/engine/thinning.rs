//! The evidence a run keeps: every line the scanner matched, but for the routine lines no
//! detector needs one by one. systemd's starts and clean exits of units that do their job
//! ([`LifecycleLines`]) and an access log's 404 answers ([`NotFoundLines`]) are the bulk of
//! a long log's matches; each filter keeps the lines that say what the detectors read, and
//! a kept line counts those it stands for.
//!
//! A line that names no host takes the host of the last line above it that names one
//! ([`crate::hosts`]), and a line without a clock borrows the clock of the last timed line
//! above it ([`crate::detect`]'s restart loops). So before such a line, in a source whose
//! lines have named a host or carried a clock, the lines the filters hold are let go: the
//! last line naming a host, and the last timed line, are then kept, whichever they were.

use crate::detect::{LifecycleLines, NotFoundLines};
use crate::evidence::EvidenceLine;
use crate::rules::RuleSet;

pub(super) struct Thinning {
    lifecycle: LifecycleLines,
    not_found: NotFoundLines,
    /// A line of the source being read has named a host; has carried a clock.
    host_named: bool,
    clock_seen: bool,
}

impl Thinning {
    pub(super) fn new(rules: &RuleSet) -> Self {
        Self {
            lifecycle: LifecycleLines::new(rules),
            not_found: NotFoundLines::new(rules),
            host_named: false,
            clock_seen: false,
        }
    }

    /// Takes the next evidence line of the source being read.
    pub(super) fn add(&mut self, line: EvidenceLine, evidence: &mut Vec<EvidenceLine>) {
        let (host, clock) = (line.origin.host.is_some(), line.clock_us().is_some());
        if (!host && self.host_named) || (!clock && self.clock_seen) {
            self.lifecycle.end_all_runs(evidence);
            self.not_found.end_all_runs(evidence);
        }
        self.host_named |= host;
        self.clock_seen |= clock;
        if let Some(line) = self.lifecycle.add(line, evidence) {
            self.not_found.add(line, evidence);
        }
    }

    /// The source being read ended.
    pub(super) fn end_source(&mut self, evidence: &mut Vec<EvidenceLine>) {
        self.lifecycle.end_all_runs(evidence);
        (self.host_named, self.clock_seen) = (false, false);
    }

    /// Every source is read: the lines held join the evidence, in input order.
    pub(super) fn finish(&mut self, evidence: &mut Vec<EvidenceLine>) {
        let unsorted = self.lifecycle.finish(evidence);
        self.not_found.finish(evidence, unsorted);
    }
}

#[cfg(test)]
mod tests {
    /// The reports with the filters and without them (a cause counts what they leave out).
    fn reports_agree(log: &str) {
        crate::detect::thinned_and_whole(log, &["http-access-404", "tag:start-marker"]);
    }

    #[test]
    fn a_line_naming_no_host_takes_the_host_of_the_line_above_it_as_before() {
        let not_found = |second: u32, host: &str| {
            format!(
                "Jan 16 10:00:{second:02} {host} nginx[9]: 1.2.3.4 - - [16/Jan/2026:10:00:00 +0000] \"GET /x{second} HTTP/1.1\" 404 9 \"-\" \"bot\"\n"
            )
        };
        let mut log = not_found(0, "web-01") + &not_found(1, "web-02") + &not_found(2, "web-01");
        // web-01's, the host of the 404 just above it, which the next 404 of web-01 would
        // replace as the last of its run.
        log.push_str("Traceback (most recent call last):\n");
        log.push_str("  File \"/app/main.py\", line 3, in <module>\n");
        log.push_str("ZeroDivisionError: division by zero\n");
        log.push_str(&not_found(10, "web-01"));
        log.push_str(&not_found(11, "web-01"));
        reports_agree(&log);
    }

    #[test]
    fn a_line_without_a_clock_borrows_the_clock_above_it_as_before() {
        let mut log = String::new();
        for cycle in 0..4 {
            let minute = cycle * 2;
            for (second, line) in [
                (0, "Starting backup.service - backup..."),
                (5, "Finished backup.service - backup."),
                (10, "Starting backup.service - backup..."),
                (15, "Finished backup.service - backup."),
            ] {
                log.push_str(&format!(
                    "Jan 16 10:{minute:02}:{second:02} web systemd[1]: {line}\n"
                ));
            }
            // A journal record without a time: it borrows the clock of the line above.
            for message in [
                "api.service: Main process exited, code=exited, status=1/FAILURE".to_string(),
                format!(
                    "api.service: Scheduled restart job, restart counter is at {}.",
                    cycle + 1
                ),
            ] {
                log.push_str(&format!(
                    "{{\"_HOSTNAME\":\"web\",\"SYSLOG_IDENTIFIER\":\"systemd\",\"_PID\":\"1\",\"MESSAGE\":\"{message}\"}}\n"
                ));
            }
        }
        let loops = crate::detect::report_for(&log).restart_loops;
        assert_eq!(loops[0].period_s, Some(120.0));
        reports_agree(&log);
    }
}
