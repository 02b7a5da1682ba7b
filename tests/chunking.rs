//! Property: however the input is cut (scanner chunk size, stream block size), the evidence
//! and the report are the same as for one whole read.

use logsleuth::engine::{AnalyzeOptions, Analyzer};
use logsleuth::rules::RuleSetBuilder;
use logsleuth::scan::ScannerBuilder;
use proptest::prelude::*;

const LINES: &[&str] = &[
    "Jan 16 12:28:18 web python[3371872]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use",
    "Jan 16 12:28:18 web systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE",
    "Jan 16 12:28:28 web systemd[1]: api.service: Scheduled restart job, restart counter is at 7.",
    "Jan 16 12:28:30 web kernel: Out of memory: Killed process 15784 (python3) total-vm:11964kB, anon-rss:4288kB, file-rss:3028kB, shmem-rss:0kB",
    "{\"__REALTIME_TIMESTAMP\":\"1768566498000000\",\"_PID\":\"9\",\"SYSLOG_IDENTIFIER\":\"api\",\"MESSAGE\":\"ModuleNotFoundError: No module named 'keycloak'\"}",
    "web_1  | Traceback (most recent call last):",
    "Jan 16 12:28:31 web nginx[812]: 10.0.0.7 - - \"GET /api/items HTTP/1.1\" 200 5123",
    "Jan 16 12:28:32 web CRON[9921]: (root) CMD (true)",
    "",
    "\u{fffd} binary \u{1} noise",
];

fn rules() -> &'static logsleuth::rules::RuleSet {
    static RULES: std::sync::OnceLock<logsleuth::rules::RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| RuleSetBuilder::new().build().unwrap())
}

fn log_from(picks: &[usize]) -> String {
    let mut text = String::new();
    for &i in picks {
        text.push_str(LINES[i % LINES.len()]);
        text.push('\n');
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn scanner_results_do_not_depend_on_the_chunk_size(
        picks in proptest::collection::vec(0usize..LINES.len(), 1..400),
        chunk in 4096usize..20_000,
    ) {
        let rules = rules();
        let text = log_from(&picks);
        let whole = ScannerBuilder::new().chunk_size(usize::MAX).build(rules).scan(text.as_bytes(), 1);
        let cut = ScannerBuilder::new().chunk_size(chunk).build(rules).scan(text.as_bytes(), 1);
        prop_assert_eq!(whole, cut);
    }

    #[test]
    fn reports_do_not_depend_on_the_stream_block_size(
        picks in proptest::collection::vec(0usize..LINES.len(), 1..400),
        block in 4096usize..20_000,
    ) {
        let text = log_from(&picks);
        let analyze = |block_size| {
            let options = AnalyzeOptions { block_size, reference_year: Some(2026) };
            Analyzer::new(rules().clone())
                .with_options(options)
                .analyze_reader("-", text.as_bytes())
                .report
                .to_json()
        };
        prop_assert_eq!(analyze(1 << 24), analyze(block));
    }
}
