//! classify (being built).
