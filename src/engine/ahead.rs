//! Small sources read and scanned ahead, several at a time on the thread pool.
//!
//! A source that fits in one block is scanned on the thread that read it: handing it
//! between threads would cost more than scanning it. Read one after another, a batch of
//! many small files (a `/var/log`, a support bundle, a month of rotated logs) would then
//! keep one core busy and leave the others idle. So a window of sources is read and scanned
//! side by side, each on a thread of the pool, and their hits wait, in input order, for the
//! sequential stage that turns them into evidence. A source that turns out larger than a
//! block is left to the streaming pipeline, which reads it again from its start; only
//! regular files no larger than a block are tried, so that costs at most a block's read.

use std::cell::RefCell;
use std::collections::VecDeque;

use rayon::prelude::*;

use super::{Analyzer, ReadBlock, Run, ScannedBlock};
use crate::input::{self, InputError, Location, Reread, SourceSpec};
use crate::report::SourceSummary;

/// Sources read ahead per thread of the pool: enough that a thread that finishes early
/// finds more (two per thread cost a batch of 512 KiB files 3 % more time), few enough
/// that what waits stays small: the hits of at most a block of input per source.
const SOURCES_PER_THREAD: usize = 4;

/// Blocks of input one spec may hold (an archive's members together) and still be scanned
/// ahead; past it, the streaming pipeline reads the spec, so what waits in memory stays
/// bounded.
const BLOCKS_PER_SPEC: usize = 1;

thread_local! {
    /// The read buffer of this thread of the pool, kept from one small source to the next:
    /// a new block-sized buffer per file would be mapped, faulted in and unmapped per file.
    static READ_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What reading and scanning a spec ahead found, to be recorded in order.
enum Outcome {
    /// The spec's sources (one, or an archive's members) and problems, in the order met.
    Scanned(Vec<Event>),
    /// Too large to scan ahead (or not a regular file): the streaming pipeline reads it.
    Streamed,
}

enum Event {
    /// A problem opening the spec or a member (a note for a skipped binary file).
    Problem(InputError),
    Source(ScannedSource),
}

struct ScannedSource {
    name: String,
    lines: u64,
    matched_lines: u64,
    hits: Option<ScannedBlock>,
    error: Option<InputError>,
}

impl Analyzer {
    /// Analyses `specs` in order: runs of small regular files are read and scanned ahead on
    /// the thread pool, a window at a time, while the window before is recorded; anything
    /// else, and any of them that proves larger than a block, streams through
    /// [`Analyzer::analyze_spec`] on this thread.
    pub(super) fn analyze_specs(&self, specs: &[SourceSpec], run: &mut Run) {
        let window = rayon::current_num_threads().max(1) * SOURCES_PER_THREAD;
        // The last window's outcomes, in order, to record before anything after them.
        let mut pending: VecDeque<(&SourceSpec, Outcome)> = VecDeque::new();
        let mut next = 0;
        while next < specs.len() || !pending.is_empty() {
            let end = specs[next..]
                .iter()
                .take(window)
                .position(|spec| !may_scan_ahead(spec))
                .map_or((next + window).min(specs.len()), |i| next + i);
            // This thread records while the pool scans (the pool may be one thread).
            let outcomes = std::thread::scope(|scope| {
                let window = scope.spawn(|| {
                    specs[next..end]
                        .par_iter()
                        .map(|spec| self.scan_ahead(spec))
                        .collect::<Vec<_>>()
                });
                self.record_scanned(&mut pending, run);
                window.join().expect("scanning ahead does not panic")
            });
            // What the pipeline streams (and all after it) waits for this thread.
            while let Some((spec, outcome)) = pending.pop_front() {
                match outcome {
                    Outcome::Scanned(events) => self.record(spec, events, run),
                    Outcome::Streamed => self.analyze_spec(spec, run),
                }
                self.source_finished();
            }
            pending.extend(specs[next..end].iter().zip(outcomes));
            if end == next && next < specs.len() {
                // stdin or a directory's journal files: streamed in its turn.
                self.analyze_spec(&specs[next], run);
                self.source_finished();
                next += 1;
            }
            next = end.max(next);
        }
        // The read buffers are not kept past the reading: the end of the run needs memory.
        rayon::broadcast(|_| drop(READ_BUFFER.take()));
    }

    /// Records `pending`'s outcomes from the front up to the first the pipeline must stream.
    fn record_scanned(&self, pending: &mut VecDeque<(&SourceSpec, Outcome)>, run: &mut Run) {
        while matches!(pending.front(), Some((_, Outcome::Scanned(_)))) {
            let Some((spec, Outcome::Scanned(events))) = pending.pop_front() else {
                break;
            };
            self.record(spec, events, run);
            self.source_finished();
        }
    }

    fn source_finished(&self) {
        if let Some(progress) = &self.progress {
            progress.source_finished();
        }
    }

    /// Reads and scans a small regular file (every source in it, when it is an archive).
    fn scan_ahead(&self, spec: &SourceSpec) -> Outcome {
        let block_size = self.options.block_size;
        let Location::File(path) = &spec.location else {
            return Outcome::Streamed;
        };
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() && meta.len() <= block_size as u64 => {}
            // A larger file, or not a regular file (a FIFO could not be read twice);
            // problems are reported when the pipeline opens it.
            _ => return Outcome::Streamed,
        }
        let mut events = Vec::new();
        let mut too_large = false;
        let mut bytes_left = BLOCKS_PER_SPEC * block_size;
        input::open(spec, |opened| {
            if too_large {
                return;
            }
            let source = match opened {
                Ok(source) => source,
                Err(err) => return events.push(Event::Problem(err)),
            };
            match self.scan_source_alone(source, &mut bytes_left) {
                Some(scanned) => events.push(Event::Source(scanned)),
                None => too_large = true,
            }
        });
        if too_large {
            Outcome::Streamed
        } else {
            Outcome::Scanned(events)
        }
    }

    /// Scans a source that fits in one block and in `bytes_left`; `None` when it does not.
    fn scan_source_alone(
        &self,
        source: input::Source<'_>,
        bytes_left: &mut usize,
    ) -> Option<ScannedSource> {
        let input::Source { name, reader } = source;
        let mut blocks = input::LineBlocks::new(reader, self.options.block_size);
        let spare = READ_BUFFER.take();
        let mut summary = SourceSummary::default();
        let (hits, error) = match blocks.next_owned_block(spare) {
            Ok(None) => (None, None),
            Ok(Some(block)) => {
                if !blocks.is_exhausted() || block.len > *bytes_left {
                    READ_BUFFER.set(block.buffer);
                    return None;
                }
                *bytes_left -= block.len;
                let block = ReadBlock { block, offset: 0 };
                let mut next_line = 1;
                let hits = self.scan_block(&block, &mut next_line, &mut summary);
                READ_BUFFER.set(block.block.buffer);
                (hits, None)
            }
            Err(err) => (None, Some(InputError::from_read(&name, err))),
        };
        Some(ScannedSource {
            name,
            lines: summary.lines,
            matched_lines: summary.matched_lines,
            hits,
            error,
        })
    }

    /// Records what was scanned ahead of `spec` as its streaming would have: sources
    /// numbered in order, their hits turned into evidence, problems reported.
    fn record(&self, spec: &SourceSpec, events: Vec<Event>, run: &mut Run) {
        let reread = Reread::of(spec);
        for event in events {
            match event {
                Event::Problem(err) => run.record_input_error(err),
                Event::Source(scanned) => {
                    let source = self.begin_source(&scanned.name, reread.clone(), run);
                    let summary = &mut run.report.sources[source];
                    summary.lines = scanned.lines;
                    summary.matched_lines = scanned.matched_lines;
                    if let Some(hits) = scanned.hits {
                        super::build_evidence(
                            hits,
                            source,
                            &mut run.evidence,
                            &mut run.evidence_builder,
                        );
                    }
                    self.end_source(source, scanned.error.map_or(Ok(()), Err), run);
                }
            }
        }
    }
}

/// Whether a spec may be read ahead: a file (stdin and a directory's journal files are
/// read in place).
fn may_scan_ahead(spec: &SourceSpec) -> bool {
    matches!(spec.location, Location::File(_))
}
