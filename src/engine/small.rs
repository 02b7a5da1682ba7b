//! Small sources scanned side by side on the thread pool, recorded in input order.
//!
//! A source that fits in one block (most files of a batch, most members of an archive) is
//! not worth the streaming pipeline's threads. Scanned one after another on the thread that
//! reads them, though, a batch of many would keep one core busy and leave the others idle.
//! So that thread reads each small source whole into a buffer, hands it to the pool and goes
//! on reading; what each scan found waits in a queue and is recorded (the source numbered,
//! its hits turned into evidence, its problems reported, the progress told) in input order.
//! A source larger than a block first lets everything queued before it be recorded, then
//! streams through the pipeline from the block already read, so sources keep their numbers
//! and the report its order.
//!
//! Memory stays bounded whatever the number of threads: at most [`MAX_SCANS`] sources, in
//! buffers of [`MAX_SCAN_BYTES`] together, are scanned at once, and buffers are kept for
//! the next reads up to [`SPARE_BYTES`]; a queued result holds only its hits. (A buffer is
//! counted by the bytes ever read into it, which stay in memory. A scan of a large block
//! splits into chunks on the pool itself, so a few such scans keep many threads busy.)
//!
//! Called from a thread of the pool itself (a library user's `install`), sources are
//! scanned in turn on that thread: waiting there for the pool's work could wait for itself.

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};

use super::{build_evidence, Analyzer, ReadBlock, Run, ScannedBlock};
use crate::input::{InputError, OwnedBlock, Reread};
use crate::report::SourceSummary;

/// Sources scanned at once at most, each holding a read buffer until its scan ends: two
/// per thread of the pool (one running, one waiting, so a thread that finishes finds the
/// next while the reader reads on), up to this.
const MAX_SCANS: usize = 8;

/// Bytes of the buffers of sources scanned at once, at most (beyond one source).
const MAX_SCAN_BYTES: usize = 16 << 20;

/// Bytes of the buffers kept for the next reads, at most: reading into a buffer again
/// costs no page faults, as a new one would.
const SPARE_BYTES: usize = 8 << 20;

/// Results waiting to be recorded, per source scanned at once: a thread that finishes early
/// finds another source read, while an earlier one's scan is still running.
const QUEUED_PER_SCAN: usize = 2;

/// The sources read and not yet recorded, in input order, with the pool's scans of them.
pub(super) struct SmallSources<'scope, 'env> {
    scope: &'scope rayon::Scope<'env>,
    /// Scan on the calling thread (it is a thread of the pool).
    in_turn: bool,
    queued: VecDeque<Queued>,
    queue_limit: usize,
    max_scans: usize,
    /// Scans running (their buffers not back yet), and the bytes of their buffers.
    scanning: usize,
    scanning_bytes: usize,
    /// Where scans send back their buffers, and those kept for the next reads.
    buffers_back: Sender<Buffer>,
    returned_buffers: Receiver<Buffer>,
    spares: Vec<Buffer>,
    spare_bytes: usize,
    /// The bytes ever read into the buffer last handed out.
    handed_out: usize,
}

/// A read buffer and the bytes ever read into it.
struct Buffer {
    buffer: Vec<u8>,
    used: usize,
}

enum Queued {
    /// A problem opening a spec or a member (a note for a skipped binary file).
    Problem(InputError),
    Source {
        reread: Option<Reread>,
        scanned: Scanned,
    },
    /// Every source of a command-line spec is queued before this: the progress is told.
    SpecEnd,
}

enum Scanned {
    Done(Box<ScannedSource>),
    /// On the pool; the scan's panic, if it panicked, to be raised again here.
    Running(Receiver<std::thread::Result<ScannedSource>>),
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
        let max_scans = (2 * rayon::current_num_threads()).clamp(2, MAX_SCANS);
        let (buffers_back, returned_buffers) = channel();
        Self {
            scope,
            in_turn: rayon::current_thread_index().is_some(),
            queued: VecDeque::new(),
            queue_limit: max_scans * QUEUED_PER_SCAN,
            max_scans,
            scanning: 0,
            scanning_bytes: 0,
            buffers_back,
            returned_buffers,
            spares: Vec::new(),
            spare_bytes: 0,
            handed_out: 0,
        }
    }

    /// The buffer to read the next source into: a spare one, or none (the reader then
    /// makes one). Waits while the most sources, or bytes, are being scanned.
    pub(super) fn buffer(&mut self) -> Vec<u8> {
        while let Ok(returned) = self.returned_buffers.try_recv() {
            self.scan_ended(returned);
        }
        while self.scanning >= self.max_scans || self.scanning_bytes >= MAX_SCAN_BYTES {
            match self.returned_buffers.recv() {
                Ok(returned) => self.scan_ended(returned),
                Err(_) => break,
            }
        }
        let spare = self.spares.pop().unwrap_or(Buffer {
            buffer: Vec::new(),
            used: 0,
        });
        self.spare_bytes -= spare.used;
        self.handed_out = spare.used;
        spare.buffer
    }

    fn scan_ended(&mut self, returned: Buffer) {
        self.scanning -= 1;
        self.scanning_bytes -= returned.used;
        self.keep(returned);
    }

    /// Keeps a buffer for the next reads, if there is room for it.
    fn keep(&mut self, buffer: Buffer) {
        if self.spare_bytes + buffer.used <= SPARE_BYTES {
            self.spare_bytes += buffer.used;
            self.spares.push(buffer);
        }
    }

    /// Queues a problem, to be reported in its turn.
    pub(super) fn problem(&mut self, err: InputError, analyzer: &Analyzer, run: &mut Run) {
        self.push(Queued::Problem(err), analyzer, run);
    }

    /// Queues the end of a command-line spec, for the progress.
    pub(super) fn spec_end(&mut self, analyzer: &Analyzer, run: &mut Run) {
        self.push(Queued::SpecEnd, analyzer, run);
    }

    /// Queues source `name`, read whole (`Ok(None)`: empty) or failed before its first
    /// byte; a block read is scanned on the pool.
    pub(super) fn queue_read(
        &mut self,
        analyzer: &'env Analyzer,
        run: &mut Run,
        name: String,
        reread: Option<Reread>,
        read: Result<Option<OwnedBlock>, InputError>,
    ) {
        let block = match read {
            Ok(Some(block)) => block,
            unread => {
                let scanned = ScannedSource::unread(name, unread.err());
                let scanned = Scanned::Done(Box::new(scanned));
                return self.push(Queued::Source { reread, scanned }, analyzer, run);
            }
        };
        let used = self.handed_out.max(block.len);
        let block = ReadBlock { block, offset: 0 };
        let scanned = if self.in_turn {
            let scanned = analyzer.scan_alone(name, &block);
            let buffer = block.block.buffer;
            self.keep(Buffer { buffer, used });
            Scanned::Done(Box::new(scanned))
        } else {
            let (found, scanned) = channel();
            let buffers_back = self.buffers_back.clone();
            self.scanning += 1;
            self.scanning_bytes += used;
            self.scope.spawn(move |_| {
                let result =
                    panic::catch_unwind(AssertUnwindSafe(|| analyzer.scan_alone(name, &block)));
                let buffer = block.block.buffer;
                let _ = buffers_back.send(Buffer { buffer, used });
                let _ = found.send(result);
            });
            Scanned::Running(scanned)
        };
        self.push(Queued::Source { reread, scanned }, analyzer, run);
    }

    fn push(&mut self, queued: Queued, analyzer: &Analyzer, run: &mut Run) {
        self.queued.push_back(queued);
        while self.queued.len() > self.queue_limit {
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
        let Some(queued) = self.queued.pop_front() else {
            return;
        };
        let (reread, scanned) = match queued {
            Queued::Problem(err) => return run.record_input_error(err),
            Queued::SpecEnd => {
                if let Some(progress) = &analyzer.progress {
                    progress.source_finished();
                }
                return;
            }
            Queued::Source { reread, scanned } => (reread, scanned),
        };
        let scanned = match scanned {
            Scanned::Done(scanned) => *scanned,
            Scanned::Running(result) => match result.recv() {
                Ok(Ok(scanned)) => scanned,
                Ok(Err(panicked)) => panic::resume_unwind(panicked),
                Err(_) => unreachable!("a queued scan always sends its result"),
            },
        };
        let source = analyzer.begin_source(&scanned.name, reread, run);
        let summary = &mut run.report.sources[source];
        summary.lines = scanned.summary.lines;
        summary.matched_lines = scanned.summary.matched_lines;
        if let Some(hits) = scanned.hits {
            build_evidence(
                hits,
                source,
                &mut run.evidence,
                &mut run.evidence_builder,
                &mut run.thinning,
            );
        }
        analyzer.end_source(source, scanned.error.map_or(Ok(()), Err), run);
    }
}

impl ScannedSource {
    /// A source with nothing to scan: empty, or failed before its first byte.
    fn unread(name: String, error: Option<InputError>) -> Self {
        Self {
            name,
            summary: SourceSummary::default(),
            hits: None,
            error,
        }
    }
}

impl Analyzer {
    /// Scans a source read whole into `block`.
    fn scan_alone(&self, name: String, block: &ReadBlock) -> ScannedSource {
        let mut summary = SourceSummary::default();
        let hits = self.scan_block(block, &mut 1, &mut summary);
        ScannedSource {
            name,
            summary,
            hits,
            error: None,
        }
    }
}
