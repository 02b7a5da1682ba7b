//! Property: however the input is cut (scanner chunk size, stream block size, the sizes the
//! reader hands out, a UTF-16 unit or a CRLF split between two reads), the evidence and the
//! report are the same as for one whole read; and CRLF, lone-CR and UTF-16 versions of a log
//! give the same report as its LF, UTF-8 form.

use std::io::Read;

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
    "web_1  |   File \"/app/main.py\", line 3, in <module>",
    "web_1  | ModuleNotFoundError: No module named 'keycloak'",
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

/// The same log with each line ended by `\n`, `\r\n` or `\r` as `endings` says (cycled).
/// A lone CR before an empty LF-ended line would make a CRLF, so it becomes LF there.
fn log_with_endings(picks: &[usize], endings: &[usize]) -> String {
    let mut text = String::new();
    for (n, &i) in picks.iter().enumerate() {
        text.push_str(LINES[i % LINES.len()]);
        let mut ending = ["\n", "\r\n", "\r"][endings[n % endings.len()] % 3];
        let next_empty = picks
            .get(n + 1)
            .is_some_and(|&next| LINES[next % LINES.len()].is_empty());
        if ending == "\r" && next_empty {
            ending = "\n";
        }
        text.push_str(ending);
    }
    text
}

/// UTF-16 little-endian with a BOM, as Windows tools write it.
fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// Hands out its bytes in pieces of the given sizes (cycled), as a pipe or a slow disk
/// might: every split point between reads is possible.
struct Pieces<'a> {
    data: &'a [u8],
    sizes: &'a [usize],
    next: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()];
        self.next += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// The JSON report for `data` read in pieces of `sizes` bytes into blocks of `block_size`.
fn report_of(data: &[u8], sizes: &[usize], block_size: usize) -> String {
    let options = AnalyzeOptions {
        block_size,
        reference_year: Some(2026),
        ..AnalyzeOptions::default()
    };
    let reader = Pieces {
        data,
        sizes,
        next: 0,
    };
    analyzer()
        .clone()
        .with_options(options)
        .analyze_reader("-", reader)
        .report
        .to_json()
}

/// Built once: compiling the scanner is the slow part in a debug build.
fn analyzer() -> &'static Analyzer {
    static ANALYZER: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
    ANALYZER.get_or_init(|| Analyzer::new(rules().clone()))
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
    fn reports_do_not_depend_on_the_stream_block_size_or_where_texts_are_kept(
        picks in proptest::collection::vec(0usize..LINES.len(), 1..400),
        block in 4096usize..20_000,
        text_budget in 0usize..4096,
    ) {
        let text = log_from(&picks);
        let analyze = |block_size, text_budget| {
            let options = AnalyzeOptions {
                block_size,
                reference_year: Some(2026),
                text_budget,
            };
            analyzer()
                .clone()
                .with_options(options)
                .analyze_reader("-", text.as_bytes())
                .report
                .to_json()
        };
        // A small text budget sends most evidence texts to the temporary file: citations,
        // stack traces and cycle errors read them back.
        prop_assert_eq!(
            analyze(1 << 24, usize::MAX),
            analyze(block, text_budget)
        );
    }

    #[test]
    fn reports_do_not_depend_on_how_reads_split_the_input(
        picks in proptest::collection::vec(0usize..LINES.len(), 1..300),
        sizes in proptest::collection::vec(1usize..5000, 1..20),
        block in 4096usize..20_000,
    ) {
        let text = log_from(&picks);
        let whole = report_of(text.as_bytes(), &[usize::MAX], 1 << 24);
        prop_assert_eq!(&report_of(text.as_bytes(), &sizes, block), &whole);
        // A tiny first read and one-byte reads at the start.
        prop_assert_eq!(&report_of(text.as_bytes(), &[1, 1, 2, 3, 4093], block), &whole);
    }

    #[test]
    fn line_endings_and_utf16_do_not_change_the_report(
        picks in proptest::collection::vec(0usize..LINES.len(), 1..200),
        endings in proptest::collection::vec(0usize..3, 1..10),
        sizes in proptest::collection::vec(1usize..3000, 1..20),
        block in 4096usize..20_000,
    ) {
        let lf = report_of(log_from(&picks).as_bytes(), &[usize::MAX], 1 << 24);
        let mixed = log_with_endings(&picks, &endings);
        prop_assert_eq!(&report_of(mixed.as_bytes(), &sizes, block), &lf);
        prop_assert_eq!(&report_of(&utf16le(&mixed), &sizes, block), &lf);
    }
}
