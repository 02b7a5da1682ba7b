//! Small sources scanned side by side on the thread pool, recorded in input order.
//!
//! A source that fits in one block (most files of a batch, most members of an archive) is
//! not worth the streaming pipeline's threads. Scanned one after another on the thread that
//! reads them, though, a batch of many would keep one core busy and leave the others idle.
//! So that thread reads each small source whole into a buffer, hands it to the pool and goes
//! on reading; what each scan found waits in a queue and is recorded (the source numbered,
//! its hits turned into evidence, its problems reported) in input order, a few sources per
//! thread of the pool at most waiting. A source larger than a block first lets everything
//! queued before it be recorded, then streams through the pipeline from the block already
//! read, so sources keep their numbers and the report its order.

use std::collections::VecDeque;
use std::sync::mpsc::{channel, Receiver, Sender};

use super::{build_evidence, Analyzer, ReadBlock, Run, ScannedBlock};
use crate::input::{InputError, OwnedBlock, Reread};
use crate::report::SourceSummary;

/// Sources queued per thread of the pool: enough that a thread that finishes early finds
/// another, few enough that their buffers (at most a block each) stay few.
const QUEUED_PER_THREAD: usize = 2;

/// The sources read and not yet recorded, in input order, with the pool's scans of them.
pub(super) struct SmallSources<'scope, 'env> {
    scope: &'scope rayon::Scope<'env>,
    queued: VecDeque<Queued>,
    limit: usize,
    /// Read buffers the scans are done with, for the next sources to be read into.
    spare_buffers: (Sender<Vec<u8>>, Receiver<Vec<u8>>),
}

enum Queued {
    /// A problem opening the spec or a member (a note for a skipped binary file).
    Problem(InputError),
    Source {
        reread: Option<Reread>,
        scanned: Receiver<ScannedSource>,
    },
}

/// What the scan of a small source found.
struct ScannedSource {
    name: String,
    summary: SourceSummary,
    hits: Option<ScannedBlock>,
    error: Option<InputError>,
}

impl<'scope, 'env> SmallSources<'scope, 'env> {
    pub(super) fn new(scope: &'scope rayon::Scope<'env>) -> Self {
        Self {
            scope,
            queued: VecDeque::new(),
            limit: rayon::current_num_threads().max(1) * QUEUED_PER_THREAD,
            spare_buffers: channel(),
        }
    }

    /// A buffer a scan is done with, or none (the reader then makes one).
    pub(super) fn spare_buffer(&self) -> Vec<u8> {
        self.spare_buffers.1.try_recv().unwrap_or_default()
    }

    /// Queues a problem, to be reported in its turn.
    pub(super) fn problem(&mut self, err: InputError, analyzer: &Analyzer, run: &mut Run) {
        self.queued.push_back(Queued::Problem(err));
        self.record_beyond_limit(analyzer, run);
    }

    /// Queues source `name`, read whole (`Ok(None)`: empty) or failed, and has the pool scan
    /// it.
    pub(super) fn scan(
        &mut self,
        analyzer: &'env Analyzer,
        run: &mut Run,
        name: String,
        reread: Option<Reread>,
        read: Result<Option<OwnedBlock>, InputError>,
    ) {
        let (found, scanned) = channel();
        let spare_buffers = self.spare_buffers.0.clone();
        self.scope.spawn(move |_| {
            let mut summary = SourceSummary::default();
            let (hits, error) = match read {
                Ok(None) => (None, None),
                Ok(Some(block)) => {
                    let block = ReadBlock { block, offset: 0 };
                    let hits = analyzer.scan_block(&block, &mut 1, &mut summary);
                    let _ = spare_buffers.send(block.block.buffer);
                    (hits, None)
                }
                Err(err) => (None, Some(err)),
            };
            let _ = found.send(ScannedSource {
                name,
                summary,
                hits,
                error,
            });
        });
        self.queued.push_back(Queued::Source { reread, scanned });
        self.record_beyond_limit(analyzer, run);
    }

    fn record_beyond_limit(&mut self, analyzer: &Analyzer, run: &mut Run) {
        while self.queued.len() > self.limit {
            self.record_first(analyzer, run);
        }
    }

    /// Records everything queued (waiting for the scans), in order.
    pub(super) fn record_all(&mut self, analyzer: &Analyzer, run: &mut Run) {
        while !self.queued.is_empty() {
            self.record_first(analyzer, run);
        }
    }

    fn record_first(&mut self, analyzer: &Analyzer, run: &mut Run) {
        match self.queued.pop_front() {
            None => {}
            Some(Queued::Problem(err)) => run.record_input_error(err),
            Some(Queued::Source { reread, scanned }) => {
                let scanned = scanned
                    .recv()
                    .expect("a queued scan sends its result (it does not panic)");
                let source = analyzer.begin_source(&scanned.name, reread, run);
                let summary = &mut run.report.sources[source];
                summary.lines = scanned.summary.lines;
                summary.matched_lines = scanned.summary.matched_lines;
                if let Some(hits) = scanned.hits {
                    build_evidence(hits, source, &mut run.evidence, &mut run.evidence_builder);
                }
                analyzer.end_source(source, scanned.error.map_or(Ok(()), Err), run);
            }
        }
    }
}
