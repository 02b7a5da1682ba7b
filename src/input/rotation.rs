//! Rotated logs in time order: the order in which a directory's entries are read.
//!
//! Entries are grouped by the name of the log they rotate from, groups in name order. Within
//! a group the oldest file comes first, so evidence reads in time order and a restart loop
//! that spans a rotation reads as one:
//! - numbered rotations (`app.log.1`, `app.log.2.gz`, as logrotate and Python's
//!   `RotatingFileHandler` write them), highest number (oldest) first;
//! - then dated rotations (`app.log-20260101`, `app.log-20260102.gz` from logrotate's
//!   `dateext`, `app.log.2026-01-01` from `TimedRotatingFileHandler`), earliest first;
//! - then the live file (`app.log`).
//!
//! A compression suffix (`.gz`, `.zst`, `.xz`, `.bz2`) is ignored for the order. Names that
//! look like neither keep their name order.

use std::cmp::Reverse;
use std::ffi::OsString;

/// Sorts a directory's entry names: by the log they rotate from, then oldest first.
pub fn sort_oldest_first(names: &mut [OsString]) {
    names.sort_by_cached_key(|name| {
        let bytes = name.as_encoded_bytes();
        let (base, age) = rotation_of(bytes);
        (base.to_vec(), age, bytes.to_vec())
    });
}

/// Where a file stands among the rotations of its log; older sorts first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Age {
    /// `app.log.N`: the higher N, the older.
    Numbered(Reverse<u64>),
    /// `app.log-YYYYMMDD`: the date's digits (and the hour's, if any).
    Dated(Vec<u8>),
    /// The file being written to.
    Live,
}

/// Compression suffixes that rotation adds after the number or the date.
const COMPRESSION_SUFFIXES: [&[u8]; 5] = [b".gz", b".zst", b".zstd", b".xz", b".bz2"];

/// The most digits a rotation number has (more is not a counter).
const MAX_NUMBER_DIGITS: usize = 6;

/// The name of the log `name` rotates from, and its age among that log's files.
fn rotation_of(name: &[u8]) -> (&[u8], Age) {
    let stem = COMPRESSION_SUFFIXES
        .iter()
        .find_map(|suffix| name.strip_suffix(*suffix))
        .filter(|stem| !stem.is_empty())
        .unwrap_or(name);
    if let Some((base, number)) = numbered(stem) {
        return (base, Age::Numbered(Reverse(number)));
    }
    if let Some((base, date)) = dated(stem) {
        return (base, Age::Dated(date));
    }
    (stem, Age::Live)
}

/// `base.N`, N a small number.
fn numbered(stem: &[u8]) -> Option<(&[u8], u64)> {
    let dot = memchr::memrchr(b'.', stem)?;
    let (base, digits) = (&stem[..dot], &stem[dot + 1..]);
    if base.is_empty() || digits.is_empty() || digits.len() > MAX_NUMBER_DIGITS {
        return None;
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((base, number))
}

/// `base-YYYYMMDD`, `base.YYYY-MM-DD`, `base_YYYYMMDDHH` ...: a separator, then a date of 8
/// digits (a plausible year, month and day), optionally followed by the time of day, digits
/// that may be separated by `-` or `_`.
fn dated(stem: &[u8]) -> Option<(&[u8], Vec<u8>)> {
    // The date starts after the last separator that is followed by a plausible date.
    for (at, &byte) in stem.iter().enumerate().rev() {
        if !matches!(byte, b'-' | b'.' | b'_') || at == 0 {
            continue;
        }
        let tail = &stem[at + 1..];
        if let Some(digits) = date_digits(tail) {
            return Some((&stem[..at], digits));
        }
    }
    None
}

/// The digits of `tail` when it is a date and time: only digits, `-` and `_`, 8 to 14
/// digits, starting with a year from 1970 to 2999, a month and a day.
fn date_digits(tail: &[u8]) -> Option<Vec<u8>> {
    if !tail.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if !tail
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'_'))
    {
        return None;
    }
    let digits: Vec<u8> = tail.iter().copied().filter(u8::is_ascii_digit).collect();
    if !(8..=14).contains(&digits.len()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        digits[range]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let plausible = (1970..=2999).contains(&number(0..4))
        && (1..=12).contains(&number(4..6))
        && (1..=31).contains(&number(6..8));
    plausible.then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut names: Vec<OsString> = names.iter().map(OsString::from).collect();
        sort_oldest_first(&mut names);
        names
            .into_iter()
            .map(|name| name.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn numbered_rotations_come_highest_first_then_the_live_file() {
        assert_eq!(
            sorted(&[
                "app.log",
                "app.log.1",
                "app.log.2.gz",
                "app.log.10.gz",
                "app.log.3.zst"
            ]),
            [
                "app.log.10.gz",
                "app.log.3.zst",
                "app.log.2.gz",
                "app.log.1",
                "app.log"
            ]
        );
    }

    #[test]
    fn dated_rotations_come_earliest_first_then_the_live_file() {
        assert_eq!(
            sorted(&[
                "messages",
                "messages-20260103.gz",
                "messages-20260101",
                "messages-2026010212.xz",
            ]),
            [
                "messages-20260101",
                "messages-2026010212.xz",
                "messages-20260103.gz",
                "messages",
            ]
        );
        assert_eq!(
            sorted(&["app.log.2026-01-02", "app.log", "app.log.2025-12-31"]),
            ["app.log.2025-12-31", "app.log.2026-01-02", "app.log"]
        );
    }

    #[test]
    fn groups_keep_their_name_order() {
        assert_eq!(
            sorted(&[
                "b.log.1",
                "a.log",
                "syslog",
                "a.log.1",
                "b.log",
                "sub",
                "a.log.bak"
            ]),
            [
                "a.log.1",
                "a.log",
                "a.log.bak",
                "b.log.1",
                "b.log",
                "sub",
                "syslog"
            ]
        );
    }

    #[test]
    fn names_that_only_look_numbered_are_left_alone() {
        assert_eq!(rotation_of(b"app.log").1, Age::Live);
        assert_eq!(rotation_of(b"v1.2").0, b"v1");
        assert_eq!(rotation_of(b".1").1, Age::Live);
        assert_eq!(rotation_of(b"app.log.1234567").1, Age::Live);
        assert_eq!(rotation_of(b"app.log-20261399").1, Age::Live);
        assert_eq!(rotation_of(b".gz"), (&b".gz"[..], Age::Live));
        assert_eq!(
            rotation_of(b"app.log.1.gz"),
            (&b"app.log"[..], Age::Numbered(Reverse(1)))
        );
    }
}
