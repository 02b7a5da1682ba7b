//! The evidence a run keeps: every line the scanner matched, but for the routine lines no
//! detector needs one by one. systemd's starts and clean exits of units that do their job
//! ([`LifecycleLines`]) and an access log's 404 answers ([`NotFoundLines`]) are the bulk of
//! a long log's matches; each filter keeps the lines that say what the detectors read, and
//! a kept line counts those it stands for.

use crate::detect::{LifecycleLines, NotFoundLines};
use crate::evidence::EvidenceLine;
use crate::rules::RuleSet;

pub(super) struct Thinning {
    lifecycle: LifecycleLines,
    not_found: NotFoundLines,
}

impl Thinning {
    pub(super) fn new(rules: &RuleSet) -> Self {
        Self {
            lifecycle: LifecycleLines::new(rules),
            not_found: NotFoundLines::new(rules),
        }
    }

    /// Takes the next evidence line of the source being read.
    pub(super) fn add(&mut self, line: EvidenceLine, evidence: &mut Vec<EvidenceLine>) {
        if let Some(line) = self.lifecycle.add(line, evidence) {
            self.not_found.add(line, evidence);
        }
    }

    /// The source being read ended.
    pub(super) fn end_source(&mut self, evidence: &mut Vec<EvidenceLine>) {
        self.lifecycle.end_source(evidence);
    }

    /// Every source is read: the lines held join the evidence, in input order.
    pub(super) fn finish(&mut self, evidence: &mut Vec<EvidenceLine>) {
        let unsorted = self.lifecycle.finish(evidence);
        self.not_found.finish(evidence, unsorted);
    }
}
