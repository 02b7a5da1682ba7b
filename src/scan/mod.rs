//! scan (being built).
