//! The analysis pipeline: sources -> scanner -> evidence -> detectors -> classifier -> report.
//!
//! The scan of each source runs in parallel chunks; everything after it works on the sparse
//! evidence in input order.

use std::io::Read;
use std::path::PathBuf;

use crate::classify::{classify, EvidenceIndex, Inputs};
use crate::detect::{assemble_tracebacks, detect_restart_loops, track_processes};
use crate::evidence::EvidenceLine;
use crate::input::{self, InputError, Source, SourceSpec, TextReader};
use crate::record::EnvelopeParser;
use crate::report::{Report, SourceSummary};
use crate::rules::{RuleErrors, RuleSet, RuleSetBuilder};
use crate::scan::{Scanner, ScannerBuilder};

/// Bytes read from a source at a time (files, stdin, decompressed data): large enough for
/// the parallel scanner to split into chunks. A line longer than this is scanned in its
/// first block only.
pub const STREAM_BLOCK_SIZE: usize = 8 << 20;

/// Options for one analysis run.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// Bytes read from a stream at a time; bounds memory for stdin.
    pub block_size: usize,
    /// Year for year-less timestamps (syslog `Mar  2 17:35:10`), when the logs don't say.
    pub reference_year: Option<i32>,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            block_size: STREAM_BLOCK_SIZE,
            reference_year: None,
        }
    }
}

/// What one run found: the report and the evidence behind it.
#[derive(Debug, Default)]
pub struct Analysis {
    pub report: Report,
    pub evidence: Vec<EvidenceLine>,
}

/// A configured analysis engine: rules compiled once, then any number of runs.
///
/// ```
/// use logsleuth::{engine::Analyzer, rules::RuleSetBuilder};
/// let analyzer = Analyzer::new(RuleSetBuilder::new().build().unwrap());
/// let log = "Jan 16 12:28:18 web uvicorn[42]: ERROR:    [Errno 98] error while attempting \
///            to bind on address ('0.0.0.0', 8000): address already in use\n";
/// let analysis = analyzer.analyze_reader("-", log.as_bytes());
/// assert_eq!(analysis.report.findings[0].cause, "port-conflict");
/// ```
#[derive(Debug, Clone)]
pub struct Analyzer {
    rules: RuleSet,
    scanner: Scanner,
    options: AnalyzeOptions,
}

/// Collected per-run state.
#[derive(Default)]
struct Run {
    report: Report,
    evidence: Vec<EvidenceLine>,
    names: Vec<String>,
    /// The envelope parser of the source being read (it learns the year as it goes).
    parser: EnvelopeParser,
}

impl Run {
    /// Errors make the run exit with 2; notes (a binary file skipped) do not.
    fn record_input_error(&mut self, err: InputError) {
        if err.is_error() {
            self.report.errors.push(err.to_string());
        } else {
            self.report.notes.push(err.to_string());
        }
    }
}

impl Analyzer {
    pub fn new(rules: RuleSet) -> Self {
        let scanner = ScannerBuilder::new().build(&rules);
        Self {
            rules,
            scanner,
            options: AnalyzeOptions::default(),
        }
    }

    pub fn with_options(mut self, options: AnalyzeOptions) -> Self {
        self.options = options;
        self
    }

    pub fn with_scanner(mut self, builder: &ScannerBuilder) -> Self {
        self.scanner = builder.build(&self.rules);
        self
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    pub fn scanner(&self) -> &Scanner {
        &self.scanner
    }

    /// Analyses files, directories and `-` (stdin); no paths means stdin.
    pub fn analyze_paths(&self, paths: &[PathBuf]) -> Analysis {
        let (specs, errors) = input::collect_sources(paths);
        let mut run = Run::default();
        for error in errors {
            run.record_input_error(error);
        }
        for spec in &specs {
            self.analyze_spec(spec, &mut run);
        }
        self.finish(run)
    }

    /// Analyses one stream under a display name. Its text encoding is normalised as for
    /// files ([`TextReader`]); it is not decompressed.
    pub fn analyze_reader(&self, name: &str, reader: impl Read + Send) -> Analysis {
        let mut run = Run::default();
        let source = self.begin_source(name, &mut run);
        let result = self.scan_stream(source, TextReader::new(reader), &mut run);
        self.end_source(
            source,
            result.map_err(|err| InputError::from_read(name, err)),
            &mut run,
        );
        self.finish(run)
    }

    /// Analyses what a spec holds: one source, or one per member of a tar archive.
    fn analyze_spec(&self, spec: &SourceSpec, run: &mut Run) {
        input::open(spec, |opened| match opened {
            Ok(source) => self.analyze_source(source, run),
            Err(err) => run.record_input_error(err),
        });
    }

    fn analyze_source(&self, opened: Source<'_>, run: &mut Run) {
        let source = self.begin_source(&opened.name, run);
        let result = self
            .scan_stream(source, opened.reader, run)
            .map_err(|err| InputError::from_read(&opened.name, err));
        self.end_source(source, result, run);
    }

    fn begin_source(&self, name: &str, run: &mut Run) -> usize {
        run.parser = EnvelopeParser::new();
        if let Some(year) = self.options.reference_year {
            run.parser = std::mem::take(&mut run.parser).with_reference_year(year);
        }
        run.names.push(name.to_string());
        run.report.sources.push(SourceSummary {
            name: name.to_string(),
            lines: 0,
            matched_lines: 0,
            error: None,
        });
        run.names.len() - 1
    }

    fn end_source(&self, source: usize, result: Result<(), InputError>, run: &mut Run) {
        if let Err(err) = result {
            run.report.sources[source].error = Some(err.to_string());
            run.record_input_error(err);
        }
    }

    fn scan_stream(&self, source: usize, reader: impl Read, run: &mut Run) -> std::io::Result<()> {
        let mut blocks = input::LineBlocks::new(reader, self.options.block_size);
        let mut next_line = 1;
        while let Some(block) = blocks.next_block()? {
            let mut bytes = block.bytes;
            if block.continues_line {
                // The rest of a line longer than a block: its first block-sized piece was
                // scanned and is its evidence; the rest of it is skipped.
                match memchr::memchr(b'\n', bytes) {
                    Some(end) => {
                        bytes = &bytes[end + 1..];
                        next_line += 1;
                    }
                    None => continue,
                }
            }
            next_line = self.scan_block(source, bytes, next_line, run);
        }
        Ok(())
    }

    /// Scans whole lines, turns hits into evidence; returns the next line number.
    fn scan_block(&self, source: usize, bytes: &[u8], first_line: u64, run: &mut Run) -> u64 {
        let (hits, newlines) = self.scanner.scan(bytes, first_line);
        let summary = &mut run.report.sources[source];
        summary.matched_lines += hits.len() as u64;
        let ends_open = !bytes.is_empty() && !bytes.ends_with(b"\n");
        summary.lines = first_line - 1 + newlines + u64::from(ends_open);
        for hit in hits {
            run.evidence
                .push(EvidenceLine::from_hit(source, hit, &mut run.parser));
        }
        first_line + newlines
    }

    fn finish(&self, run: Run) -> Analysis {
        let Run {
            mut report,
            evidence,
            names,
            ..
        } = run;
        let loops = detect_restart_loops(&self.rules, &evidence);
        let tracebacks = assemble_tracebacks(&self.rules, &evidence, &names);
        let index = EvidenceIndex::new(&self.rules, &evidence);
        let inputs = Inputs {
            index: &index,
            rules: &self.rules,
            evidence: &evidence,
            loops: &loops,
            tracebacks: &tracebacks,
            source_names: &names,
        };
        report.findings = classify(&inputs);
        report.restart_loops = loops;
        report.processes = track_processes(&self.rules, &evidence);
        report.tracebacks = tracebacks;
        Analysis { report, evidence }
    }
}

/// Analyses `paths` with the built-in rules and default options.
pub fn analyze(paths: &[PathBuf]) -> Result<Analysis, RuleErrors> {
    Ok(Analyzer::new(RuleSetBuilder::new().build()?).analyze_paths(paths))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIND: &str = "Jan 16 12:28:18 web app[7]: OSError: [Errno 98] Address already in use\n";

    fn analyzer(block_size: usize) -> Analyzer {
        let options = AnalyzeOptions {
            block_size,
            reference_year: Some(2026),
        };
        Analyzer::new(RuleSetBuilder::new().build().unwrap()).with_options(options)
    }

    #[test]
    fn streams_in_small_blocks_keep_line_numbers_and_skip_the_rest_of_long_lines() {
        let mut input = String::new();
        input.push_str(BIND);
        input.push_str(&"x".repeat(10_000));
        input.push_str(" Address already in use\n");
        for _ in 0..500 {
            input.push_str("Jan 16 12:28:19 web app[7]: all quiet\n");
        }
        input.push_str(BIND);
        let whole = analyzer(STREAM_BLOCK_SIZE).analyze_reader("-", input.as_bytes());
        let small = analyzer(4096).analyze_reader("-", input.as_bytes());
        let lines = |a: &Analysis| a.evidence.iter().map(|e| e.line_no).collect::<Vec<_>>();
        assert_eq!(lines(&whole), vec![1, 2, 503]);
        // The over-long line is represented by its first block only: its tail (with the
        // literal) is skipped, and no line is counted twice.
        assert_eq!(lines(&small), vec![1, 503]);
        assert_eq!(small.report.sources[0].lines, 503);
        assert_eq!(small.report.sources[0].matched_lines, 2);
    }
}
