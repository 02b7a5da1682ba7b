//! The analysis pipeline: sources -> scanner -> evidence -> detectors -> classifier -> report.
//!
//! The scan of each source runs in parallel chunks, and sources that fit in one block are
//! scanned side by side (`small.rs`); everything after it works on the sparse evidence in
//! input order.

use std::io::Read;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

mod small;
mod thinning;

use small::SmallSources;
use thinning::Thinning;

use crate::classify::{classify, EvidenceIndex, Inputs};
use crate::detect::{
    assemble_tracebacks, detect_restart_loops, lost_route_candidates, track_processes,
    EarlierAnswers, LostRouteCandidate,
};
use crate::evidence::{EvidenceBuilder, EvidenceLine, DEFAULT_TEXT_BUDGET};
use crate::input::{self, InputError, Reread, Source, SourceSpec, TextReader};
use crate::record::EnvelopeParser;
use crate::report::{Report, SourceSummary};
use crate::rules::{RuleErrors, RuleSet, RuleSetBuilder};
use crate::scan::{Scanner, ScannerBuilder};

/// Bytes read from a source at a time (files, stdin, decompressed data): large enough for
/// the parallel scanner to split into chunks. A line longer than this is scanned in its
/// first block only.
pub const STREAM_BLOCK_SIZE: usize = 4 << 20;

/// When one thread scans, a block is handed to it once it holds this many bytes of whole
/// lines: a block is then one chunk, scanned on the scanning thread itself, while the
/// reading thread's copy of it is still in the cache (the 1 GiB reference corpus with
/// `--jobs 1`: 0.86 s against 1.06 s). Lines are still cut at [`STREAM_BLOCK_SIZE`]. With
/// two threads, smaller blocks split into smaller chunks cost more than they save.
pub const ONE_SCANNER_BLOCK_TARGET: usize = 512 << 10;

/// Blocks' hits scanned ahead of the evidence stage, waiting for it.
const HITS_IN_FLIGHT: usize = 1;

/// A block of whole lines handed from the reading to the scanning thread.
struct ReadBlock {
    block: input::OwnedBlock,
    /// Its offset in the source's stream.
    offset: u64,
}

impl ReadBlock {
    fn whole_lines(&self, next_line: &mut u64) -> Option<(&[u8], u64)> {
        let continues_line = self.block.continues_line;
        whole_lines(self.block.bytes(), continues_line, self.offset, next_line)
    }
}

/// The hits of a block, handed from the scanning to the evidence thread, with the block's
/// offset in the source's stream (hit offsets count from the block's start).
struct ScannedBlock {
    hits: crate::scan::Hits,
    offset: u64,
}

/// Turns a block's hits into evidence lines of `source`, in input order, leaving out the
/// routine lines no detector needs one by one ([`Thinning`]).
fn build_evidence(
    block: ScannedBlock,
    source: usize,
    evidence: &mut Vec<EvidenceLine>,
    builder: &mut EvidenceBuilder,
    thinning: &mut Thinning,
) {
    let ScannedBlock { mut hits, offset } = block;
    for (mut hit, text) in hits.drain() {
        hit.offset += offset;
        thinning.add(builder.line(source, hit, text), evidence);
    }
}

/// The lines of a block to scan, with their offset: all of it, or, when it starts with the
/// rest of a line longer than a block, what follows that rest (its first block-sized piece
/// was scanned and is its evidence; the rest is skipped, and counted in `next_line`).
/// `None` when the whole block is such a rest.
fn whole_lines<'b>(
    bytes: &'b [u8],
    continues_line: bool,
    offset: u64,
    next_line: &mut u64,
) -> Option<(&'b [u8], u64)> {
    if !continues_line {
        return Some((bytes, offset));
    }
    let end = memchr::memchr(b'\n', bytes)?;
    *next_line += 1;
    Some((&bytes[end + 1..], offset + end as u64 + 1))
}

/// Options for one analysis run.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// Bytes read from a stream at a time; bounds memory for stdin.
    pub block_size: usize,
    /// Year for year-less timestamps (syslog `Mar  2 17:35:10`), when the logs don't say.
    pub reference_year: Option<i32>,
    /// Bytes of evidence text held in memory; texts past it go to a temporary file and are
    /// read back when cited ([`crate::evidence::LineText`]).
    pub text_budget: usize,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            block_size: STREAM_BLOCK_SIZE,
            reference_year: None,
            text_budget: DEFAULT_TEXT_BUDGET,
        }
    }
}

/// Told how a batch run ([`Analyzer::analyze_paths`]) advances, for a progress display.
/// Calls come from the thread that runs the analysis, and `bytes_scanned` also from the
/// threads that scan (the thread pool's for sources of one block).
pub trait ProgressObserver: Send + Sync {
    /// The sources (files, directories' files, stdin) to read were found: `count` of them.
    fn sources_found(&self, count: usize);
    /// A source (or an archive member) is being read; for one that fits in a block: was
    /// read and scanned, and is being recorded.
    fn source_started(&self, name: &str);
    /// `bytes` more bytes were scanned (after decompression), of the current source or of
    /// one of a block that the thread pool scans before it is recorded.
    fn bytes_scanned(&self, bytes: u64);
    /// A command-line source (with all its members) is done: scanned and recorded.
    fn source_finished(&self);
}

/// What one run found: the report and the evidence behind it.
#[derive(Debug, Default)]
pub struct Analysis {
    pub report: Report,
    /// The matched lines the detectors read, in input order: every one but most routine
    /// lifecycle lines and 404 answers ([`crate::detect::LifecycleLines`],
    /// [`crate::detect::NotFoundLines`]; a kept line counts those it stands for).
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
#[derive(Clone)]
pub struct Analyzer {
    rules: RuleSet,
    scanner: Scanner,
    options: AnalyzeOptions,
    progress: Option<Arc<dyn ProgressObserver>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("rules", &self.rules)
            .field("scanner", &self.scanner)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Collected per-run state.
struct Run {
    report: Report,
    evidence: Vec<EvidenceLine>,
    names: Vec<String>,
    /// Per source, where to read it again for a targeted pass (files only: stdin and
    /// in-memory streams cannot be read twice).
    rereadable: Vec<Option<Reread>>,
    /// Makes evidence of hits: the envelope parser of the source being read (it learns the
    /// year as it goes) and the names shared by all sources.
    evidence_builder: EvidenceBuilder,
    /// Decides which routine lines become evidence; holds a few lines until the end of
    /// the reading ([`Run::end_reading`]).
    thinning: Thinning,
}

impl Run {
    fn new(options: &AnalyzeOptions, rules: &RuleSet) -> Self {
        Self {
            report: Report::default(),
            evidence: Vec::new(),
            names: Vec::new(),
            rereadable: Vec::new(),
            evidence_builder: EvidenceBuilder::default().with_text_budget(options.text_budget),
            thinning: Thinning::new(rules),
        }
    }

    /// Every source is read: the lines held back join the evidence, in input order.
    fn end_reading(&mut self) {
        self.thinning.finish(&mut self.evidence);
    }

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
            progress: None,
        }
    }

    /// Reports the progress of batch runs to `observer`.
    pub fn with_progress(mut self, observer: Arc<dyn ProgressObserver>) -> Self {
        self.progress = Some(observer);
        self
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
        let mut run = Run::new(&self.options, &self.rules);
        for error in errors {
            run.record_input_error(error);
        }
        if let Some(progress) = &self.progress {
            progress.sources_found(specs.len());
        }
        self.analyze_specs(&specs, &mut run);
        run.end_reading();
        self.check_earlier_answers(&mut run);
        self.finish(run)
    }

    /// Analyses one stream under a display name. Its text encoding is normalised as for
    /// files ([`TextReader`]); it is not decompressed.
    pub fn analyze_reader(&self, name: &str, reader: impl Read + Send) -> Analysis {
        let mut run = Run::new(&self.options, &self.rules);
        let source = self.begin_source(name, None, &mut run);
        let result = self.scan_stream(source, TextReader::new(reader), &mut run);
        self.end_source(
            source,
            result.map_err(|err| InputError::from_read(name, err)),
            &mut run,
        );
        run.end_reading();
        self.check_earlier_answers(&mut run);
        self.finish(run)
    }

    /// Analyses the specs in order: each source that fits in one block is scanned on the
    /// thread pool while this thread reads on ([`small::SmallSources`]); a larger one streams
    /// through the pipeline once every source before it is recorded.
    fn analyze_specs(&self, specs: &[SourceSpec], run: &mut Run) {
        rayon::in_place_scope(|scope| {
            let mut small = SmallSources::new(scope);
            for spec in specs {
                self.analyze_spec(spec, run, &mut small);
                small.spec_end(self, run);
            }
            small.record_all(self, run);
        });
    }

    /// Analyses what a spec holds: one source, or one per member of a tar archive.
    fn analyze_spec<'env>(
        &'env self,
        spec: &SourceSpec,
        run: &mut Run,
        small: &mut SmallSources<'_, 'env>,
    ) {
        // Before the first byte is read: stdin's offset is where a second read starts.
        let reread = Reread::of(spec);
        input::open(spec, |opened| match opened {
            Ok(source) => self.analyze_source(source, &reread, run, small),
            Err(err) => small.problem(err, self, run),
        });
    }

    fn analyze_source<'env>(
        &'env self,
        opened: Source<'_>,
        reread: &Option<Reread>,
        run: &mut Run,
        small: &mut SmallSources<'_, 'env>,
    ) {
        let Source { name, reader } = opened;
        let mut blocks = self.stream_blocks_of(reader);
        // A source whose read failed after its first bytes is not exhausted either: the
        // pipeline hands out those bytes, then reports the error, as for any stream.
        let first = match blocks.next_owned_block(small.buffer()) {
            Ok(Some(first)) if !blocks.is_exhausted() => first,
            Ok(whole) => return small.queue_read(self, run, name, reread.clone(), Ok(whole)),
            Err(err) => {
                let err = InputError::from_read(&name, err);
                return small.queue_read(self, run, name, reread.clone(), Err(err));
            }
        };
        small.record_all(self, run);
        let source = self.begin_source(&name, reread.clone(), run);
        let result = self
            .stream_blocks(source, blocks, first, run)
            .map_err(|err| InputError::from_read(&name, err));
        self.end_source(source, result, run);
    }

    /// A stream read as blocks for the scanning pipeline: full blocks when several threads
    /// scan, [`ONE_SCANNER_BLOCK_TARGET`] when one does.
    fn stream_blocks_of<R: Read>(&self, reader: R) -> input::LineBlocks<R> {
        let blocks = input::LineBlocks::new(reader, self.options.block_size);
        if rayon::current_num_threads() > 1 {
            blocks
        } else {
            blocks.handing_out_at(ONE_SCANNER_BLOCK_TARGET)
        }
    }

    fn begin_source(&self, name: &str, reread: Option<Reread>, run: &mut Run) -> usize {
        if let Some(progress) = &self.progress {
            progress.source_started(name);
        }
        run.evidence_builder.start_source(self.new_parser());
        run.names.push(name.to_string());
        run.rereadable.push(reread);
        run.report.sources.push(SourceSummary {
            name: name.to_string(),
            lines: 0,
            matched_lines: 0,
            error: None,
        });
        run.names.len() - 1
    }

    fn new_parser(&self) -> EnvelopeParser {
        let parser = EnvelopeParser::new();
        match self.options.reference_year {
            Some(year) => parser.with_reference_year(year),
            None => parser,
        }
    }

    /// The targeted pass of `detect::routes`: for routes that answer 404 after a restart of
    /// their server (and never before), reads their files again up to the restart looking
    /// for 2xx answers to the same requests, and adds those lines to the evidence as
    /// context lines. Sources that cannot be read twice get a note instead.
    fn check_earlier_answers(&self, run: &mut Run) {
        let candidates = lost_route_candidates(&self.rules, &run.evidence);
        if candidates.is_empty() {
            return;
        }
        let mut sources: Vec<usize> = candidates.iter().map(|c| c.source).collect();
        sources.dedup();
        let mut added = Vec::new();
        for source in sources {
            let of_source: Vec<&LostRouteCandidate> =
                candidates.iter().filter(|c| c.source == source).collect();
            let Some(reread) = run.rereadable.get(source).cloned().flatten() else {
                const NAMED: usize = 3;
                let mut routes: Vec<String> = of_source
                    .iter()
                    .take(NAMED)
                    .map(|c| format!("{} {}", c.method, c.path))
                    .collect();
                if of_source.len() > NAMED {
                    routes.push(format!("{} more", of_source.len() - NAMED));
                }
                run.report.notes.push(format!(
                    "{}: {} answered 404 after a restart; whether it answered before the restart was not checked, since this input cannot be read twice (give the file, or redirect it: `logsleuth < file`)",
                    run.names[source],
                    routes.join(", ")
                ));
                continue;
            };
            let Some(mut pass) = EarlierAnswers::new(of_source, self.new_parser()) else {
                continue;
            };
            // Only the restarted runs are read, each from its start (one stretch from the
            // first to the last when the source cannot seek). Errors were reported by the
            // first read; a second read that fails proves nothing.
            let name = &run.names[source];
            let mut windows = pass.windows();
            if !reread.can_seek(name) {
                let end = windows.iter().map(|w| w.2).max().unwrap_or(0);
                windows.truncate(1);
                if let Some(first) = windows.first_mut() {
                    first.2 = end;
                }
            }
            for (start_line, start_offset, end_line) in windows {
                reread.read_source_from(name, start_offset, |opened| {
                    let start = (start_line, start_offset);
                    let _ =
                        self.for_each_line_block(opened.reader, start, |bytes, line, offset| {
                            if line >= end_line {
                                return ControlFlow::Break(());
                            }
                            pass.scan(bytes, line, offset);
                            ControlFlow::Continue(line + crate::scan::count_newlines(bytes))
                        });
                });
            }
            added.extend(pass.into_context_lines());
        }
        if !added.is_empty() {
            run.evidence.extend(added);
            // Back into input order: sources in turn, lines in order, a matched line before
            // a context line of the same position (a 2xx answer that a user's rule also
            // matched). The key is unique, so an unstable sort gives that order in place: a
            // stable one would borrow half the evidence's size again.
            run.evidence.sort_unstable_by_key(|line| {
                (line.source(), line.line_no, line.matches.is_empty())
            });
        }
    }

    fn end_source(&self, source: usize, result: Result<(), InputError>, run: &mut Run) {
        run.thinning.end_source(&mut run.evidence);
        if let Err(err) = result {
            run.report.sources[source].error = Some(err.to_string());
            run.record_input_error(err);
        }
    }

    /// Scans a stream in three stages, each on its own thread: this one reads blocks of
    /// whole lines, a second scans them, a third turns their hits into evidence. So reading
    /// (the kernel's copy, decompression), scanning and the evidence's envelope parsing
    /// (sequential: the parser learns the year as it goes) overlap. A read block is handed
    /// over when the scanner takes it, and the reader then fills the buffer the scanner gave
    /// back (two buffers in all; the unfinished line is kept apart meanwhile), and at most
    /// [`HITS_IN_FLIGHT`] block's hits wait for the evidence stage. A stream that ends within
    /// its first block is scanned on this thread alone.
    fn scan_stream(&self, source: usize, reader: impl Read, run: &mut Run) -> std::io::Result<()> {
        let mut blocks = self.stream_blocks_of(reader);
        let Some(first) = blocks.next_owned_block(Vec::new())? else {
            return Ok(());
        };
        self.stream_blocks(source, blocks, first, run)
    }

    /// [`Analyzer::scan_stream`] once the first block was read.
    fn stream_blocks(
        &self,
        source: usize,
        mut blocks: input::LineBlocks<impl Read>,
        first: input::OwnedBlock,
        run: &mut Run,
    ) -> std::io::Result<()> {
        let first = ReadBlock {
            block: first,
            offset: 0,
        };
        let Run {
            report,
            evidence,
            evidence_builder,
            thinning,
            ..
        } = run;
        let summary = &mut report.sources[source];
        let mut next_line = 1;
        if blocks.is_exhausted() {
            // The whole stream in one block (a short input to `analyze_reader`; batch
            // sources of one block go to `small`): scanned here, since handing it between
            // threads would cost more than scanning it.
            if let Some(block) = self.scan_block(&first, &mut next_line, summary) {
                build_evidence(block, source, evidence, evidence_builder, thinning);
            }
            return Ok(());
        }
        let (filled, to_scan) = std::sync::mpsc::sync_channel::<ReadBlock>(0);
        let (recycle, emptied) = std::sync::mpsc::channel::<Vec<u8>>();
        let (scanned, to_build) = std::sync::mpsc::sync_channel::<ScannedBlock>(HITS_IN_FLIGHT);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for block in to_build {
                    build_evidence(block, source, evidence, evidence_builder, thinning);
                }
            });
            scope.spawn(move || {
                let scanned = scanned;
                for block in to_scan {
                    let hits = self.scan_block(&block, &mut next_line, summary);
                    // The hits own their text: the buffer goes back to the reader before
                    // they wait for the evidence stage.
                    let _ = recycle.send(block.block.buffer);
                    if let Some(hits) = hits {
                        if scanned.send(hits).is_err() {
                            break;
                        }
                    }
                }
            });
            // Owned by this closure, so returning drops it: the scanning thread then sees
            // the end of the blocks, finishes, and the scope joins it.
            let filled = filled;
            let mut offset = first.block.len as u64;
            if filled.send(first).is_err() {
                return Ok(());
            }
            // Two buffers: the first block's, and one more read into while the first is
            // scanned; from then on each is read into again once the scanner gives it back.
            let mut second_buffer = true;
            loop {
                let spare = if std::mem::take(&mut second_buffer) {
                    Vec::new()
                } else {
                    emptied.recv().unwrap_or_default()
                };
                let block = match blocks.next_owned_block(spare) {
                    Ok(Some(block)) => block,
                    Ok(None) => return Ok(()),
                    Err(err) => return Err(err),
                };
                let len = block.len as u64;
                let read = ReadBlock { block, offset };
                offset += len;
                if filled.send(read).is_err() {
                    return Ok(());
                }
            }
        })
    }

    /// Scans a block's whole lines (numbered from `next_line`, which moves past them) and
    /// counts them into the source's summary. `None` when the block is the skipped rest of
    /// a line longer than a block.
    fn scan_block(
        &self,
        block: &ReadBlock,
        next_line: &mut u64,
        summary: &mut SourceSummary,
    ) -> Option<ScannedBlock> {
        let (bytes, offset) = block.whole_lines(next_line)?;
        if let Some(progress) = &self.progress {
            progress.bytes_scanned(bytes.len() as u64);
        }
        let (hits, newlines) = self.scanner.scan(bytes, *next_line);
        summary.matched_lines += hits.len() as u64;
        let ends_open = !bytes.is_empty() && !bytes.ends_with(b"\n");
        summary.lines = *next_line - 1 + newlines + u64::from(ends_open);
        *next_line += newlines;
        Some(ScannedBlock { hits, offset })
    }

    /// Hands a stream to `visit` as blocks of whole lines with the number of each block's
    /// first line and its byte offset in the stream; `visit` returns the number of the line
    /// after the block, or breaks. `start` is the (line number, offset) of the stream's
    /// first byte. A line longer than a block is represented by its first block; the rest
    /// of it is skipped, so every pass over a source numbers its lines alike.
    fn for_each_line_block(
        &self,
        reader: impl Read,
        start: (u64, u64),
        mut visit: impl FnMut(&[u8], u64, u64) -> ControlFlow<(), u64>,
    ) -> std::io::Result<()> {
        let mut blocks = input::LineBlocks::new(reader, self.options.block_size);
        let (mut next_line, mut offset) = start;
        while let Some(block) = blocks.next_block()? {
            let block_offset = offset;
            offset += block.bytes.len() as u64;
            let Some((bytes, at)) = whole_lines(
                block.bytes,
                block.continues_line,
                block_offset,
                &mut next_line,
            ) else {
                continue;
            };
            match visit(bytes, next_line, at) {
                ControlFlow::Continue(next) => next_line = next,
                ControlFlow::Break(()) => break,
            }
        }
        Ok(())
    }

    fn finish(&self, run: Run) -> Analysis {
        let Run {
            mut report,
            evidence,
            names,
            evidence_builder,
            ..
        } = run;
        if let Some(problem) = evidence_builder.text_problem() {
            report.notes.push(format!(
                "evidence text kept in memory ({problem}); set TMPDIR to a writable directory to bound it"
            ));
        }
        let (diagnosis, evidence) =
            crate::hosts::diagnose_each_host_owned(evidence, &names, |lines| {
                self.diagnose_host(lines, &names)
            });
        report.findings = diagnosis.findings;
        report.restart_loops = diagnosis.restart_loops;
        report.processes = diagnosis.processes;
        report.tracebacks = diagnosis.tracebacks;
        report.hosts = diagnosis.hosts;
        report.shared_causes = diagnosis.shared_causes;
        Analysis { report, evidence }
    }

    /// Runs the detectors and the classifier over evidence (in input order; `source`
    /// indexes `source_names`), each host's on its own ([`crate::hosts`]). The result has
    /// findings, restart loops, processes, stack traces and the summary across hosts; its
    /// sources, errors and notes are empty. Live analysis ([`crate::follow`]) calls this
    /// again as evidence arrives.
    pub fn diagnose(&self, evidence: &[EvidenceLine], source_names: &[String]) -> Report {
        crate::hosts::diagnose_each_host(evidence, source_names, |lines| {
            self.diagnose_host(lines, source_names)
        })
    }

    /// The detectors and the classifier over the evidence of one host.
    fn diagnose_host(&self, evidence: &[EvidenceLine], source_names: &[String]) -> Report {
        // The detectors read the evidence independently: they run side by side.
        let ((loops, processes), (tracebacks, index)) = rayon::join(
            || {
                rayon::join(
                    || detect_restart_loops(&self.rules, evidence),
                    || track_processes(&self.rules, evidence),
                )
            },
            || {
                rayon::join(
                    || assemble_tracebacks(&self.rules, evidence, source_names),
                    || EvidenceIndex::new(&self.rules, evidence),
                )
            },
        );
        let inputs = Inputs {
            index: &index,
            rules: &self.rules,
            evidence,
            loops: &loops,
            tracebacks: &tracebacks,
            source_names,
        };
        let mut report = Report::new();
        report.findings = classify(&inputs);
        report.restart_loops = loops;
        report.processes = processes;
        report.tracebacks = tracebacks;
        report
    }

    pub fn options(&self) -> &AnalyzeOptions {
        &self.options
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
            ..AnalyzeOptions::default()
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
