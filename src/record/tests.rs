//! Tests of the whole envelope parser, one per line shape.
