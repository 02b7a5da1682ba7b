//! The whole analysis (scanner, envelopes, detectors, classifier, renderers) on arbitrary
//! bytes through the library API: no panic, and every report renders, JSON included.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use logsleuth::engine::{AnalyzeOptions, Analyzer};
use logsleuth::report::{render_markdown, render_text, TextOptions};
use logsleuth::rules::RuleSetBuilder;

fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        let rules = RuleSetBuilder::new().build().expect("built-in rules load");
        // Small blocks, so inputs of a few KiB cross block boundaries and long-line cuts.
        Analyzer::new(rules).with_options(AnalyzeOptions {
            block_size: 4096,
            reference_year: Some(2026),
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let analysis = analyzer().analyze_reader("-", data);
    let json = analysis.report.to_json();
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    let text = render_text(&analysis.report, TextOptions::default());
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
    let markdown = render_markdown(&analysis.report);
    assert!(!markdown.contains('\u{1b}') && !markdown.contains('\u{7}'));
});
