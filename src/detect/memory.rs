//! Memory before each death: the figures logs give about a service's memory, attached to
//! its restart loop in time order, with their trend ("412.0M, 830.0M, 1.6G: rising").
//!
//! Any signal that captures `memory_peak` (a size as systemd prints it: `1.2G`, `412.0M`)
//! or `anon_rss` (kB, as the kernel's OOM killer prints it) contributes. A figure belongs to
//! the loop its line names (the unit in `api.service: Consumed …`, the process in `Killed
//! process 4242 (python3)`), or to the only loop there is when it names none of them.

use serde::Serialize;

use super::restarts::{format_time, normalize_unit, LoopNames, RestartLoop};
use crate::evidence::EvidenceLine;
use crate::rules::RuleSet;
use crate::scan::signals_capturing;

/// Readings kept per loop (the latest).
pub const KEPT_READINGS: usize = 24;

/// One memory figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoryReading {
    pub bytes: u64,
    /// `memory-peak` (systemd's peak for one run) or `anon-rss` (when the OOM killer struck).
    pub what: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// Where the figures go across the loop's cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemoryTrend {
    Rising,
    Steady,
    Falling,
}

/// `1.2G`, `412.0M`, `512K`, `0B` (systemd's `format_bytes`, powers of 1024).
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic())?);
    let value: f64 = number.parse().ok()?;
    let scale = match unit.trim_end_matches("iB").trim_end_matches('B') {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((value * scale).round() as u64)
}

/// Sizes the way systemd prints them.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "K", "M", "G", "T"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else {
        format!("{value:.1}{}", UNITS[unit])
    }
}

fn reading_of(line: &EvidenceLine, has_figure: &[bool]) -> Option<(MemoryReading, Option<String>)> {
    for m in line
        .matches
        .iter()
        .filter(|m| has_figure[m.signal as usize])
    {
        let (bytes, what) = if let Some(peak) = m.capture("memory_peak") {
            (parse_size(peak)?, "memory-peak")
        } else if let Some(kb) = m.capture("anon_rss") {
            (kb.parse::<u64>().ok()?.saturating_mul(1024), "anon-rss")
        } else {
            continue;
        };
        let subject = m
            .capture("unit")
            .map(normalize_unit)
            .or_else(|| m.capture("process").map(str::to_string));
        let at = line.timestamp_us.get().map(format_time);
        return Some((MemoryReading { bytes, what, at }, subject));
    }
    None
}

fn trend(readings: &[MemoryReading]) -> Option<MemoryTrend> {
    if readings.len() < 3 {
        return None;
    }
    let first = readings.first()?.bytes as f64;
    let last = readings.last()?.bytes as f64;
    let ups = readings
        .windows(2)
        .filter(|w| w[1].bytes >= w[0].bytes)
        .count();
    let steps = readings.len() - 1;
    Some(if last >= first * 1.25 && ups * 3 >= steps * 2 {
        MemoryTrend::Rising
    } else if last <= first * 0.8 && (steps - ups) * 3 >= steps * 2 {
        MemoryTrend::Falling
    } else {
        MemoryTrend::Steady
    })
}

/// Fills each loop's `memory` and `memory_trend` from the evidence.
pub(crate) fn attach_memory(loops: &mut [RestartLoop], rules: &RuleSet, evidence: &[EvidenceLine]) {
    if loops.is_empty() {
        return;
    }
    let names = LoopNames::new(loops);
    let has_figure = signals_capturing(rules, &["memory_peak", "anon_rss"]);
    for line in evidence {
        let Some((reading, subject)) = reading_of(line, &has_figure) else {
            continue;
        };
        if let Some(slot) = names.find(subject.as_deref()) {
            loops[slot].memory.push(reading);
        }
    }
    for looped in loops {
        let excess = looped.memory.len().saturating_sub(KEPT_READINGS);
        looped.memory.drain(..excess);
        looped.memory_trend = trend(&looped.memory);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_runs_memory_peak_and_the_oom_kill_rss_go_to_their_loop() {
        let mut log = String::new();
        let peaks = ["612.4M", "1.1G", "1.6G", "1.9G"];
        for (i, peak) in peaks.iter().enumerate() {
            let pid = 4100 + i;
            let s = i * 30;
            log.push_str(&format!(
                "Apr 22 09:{:02}:{:02} web-01 systemd[1]: Started api.service - API.\n\
                 Apr 22 09:{:02}:{:02} web-01 python3[{pid}]: INFO:     Application startup complete.\n",
                s / 60, s % 60, s / 60, s % 60 + 1
            ));
            if i == peaks.len() - 1 {
                log.push_str(&format!(
                    "Apr 22 09:{:02}:{:02} web-01 kernel: Out of memory: Killed process {pid} (python3) total-vm:2811432kB, anon-rss:1987652kB, file-rss:0kB, shmem-rss:0kB, UID:998 pgtables:4112kB oom_score_adj:0\n",
                    (s + 20) / 60, (s + 20) % 60
                ));
            }
            log.push_str(&format!(
                "Apr 22 09:{:02}:{:02} web-01 systemd[1]: api.service: Main process exited, code=killed, status=9/KILL\n\
                 Apr 22 09:{:02}:{:02} web-01 systemd[1]: api.service: Failed with result 'oom-kill'.\n\
                 Apr 22 09:{:02}:{:02} web-01 systemd[1]: api.service: Consumed 14.2s CPU time, {peak} memory peak, 0B memory swap peak.\n\
                 Apr 22 09:{:02}:{:02} web-01 systemd[1]: api.service: Scheduled restart job, restart counter is at {}.\n",
                (s + 20) / 60, (s + 20) % 60, (s + 20) / 60, (s + 20) % 60,
                (s + 20) / 60, (s + 20) % 60, (s + 29) / 60, (s + 29) % 60, i + 1
            ));
        }
        let report = crate::detect::report_for(&log);
        assert_eq!(report.restart_loops.len(), 1, "{:#?}", report.restart_loops);
        let looped = &report.restart_loops[0];
        let figures: Vec<(&str, String)> = looped
            .memory
            .iter()
            .map(|r| (r.what, format_size(r.bytes)))
            .collect();
        assert_eq!(
            figures,
            vec![
                ("memory-peak", "612.4M".to_string()),
                ("memory-peak", "1.1G".to_string()),
                ("memory-peak", "1.6G".to_string()),
                ("anon-rss", "1.9G".to_string()),
                ("memory-peak", "1.9G".to_string()),
            ]
        );
        assert_eq!(looped.memory_trend, Some(MemoryTrend::Rising));
    }

    #[test]
    fn sizes_read_and_print_like_systemd() {
        assert_eq!(parse_size("1.5G"), Some(1_610_612_736));
        assert_eq!(parse_size("412.0M"), Some(432_013_312));
        assert_eq!(parse_size("0B"), Some(0));
        assert_eq!(parse_size("12Q"), None);
        assert_eq!(format_size(1_610_612_736), "1.5G");
        assert_eq!(format_size(512), "512B");
    }

    #[test]
    fn a_growing_peak_is_rising_and_noise_is_steady() {
        let r = |bytes| MemoryReading {
            bytes,
            what: "memory-peak",
            at: None,
        };
        assert_eq!(
            trend(&[r(400), r(800), r(790), r(1600)]),
            Some(MemoryTrend::Rising)
        );
        assert_eq!(trend(&[r(400), r(420), r(390)]), Some(MemoryTrend::Steady));
        assert_eq!(trend(&[r(400), r(800)]), None);
    }
}
