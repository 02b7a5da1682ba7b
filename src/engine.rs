//! The analysis pipeline: sources -> scanner -> records -> detectors -> classifier -> report.

/// Options for one analysis run.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {}

/// What one run found.
#[derive(Debug, Default)]
pub struct Analysis {}

/// Analyses the given sources.
pub fn analyze(_options: &AnalyzeOptions) -> Analysis {
    Analysis {}
}
