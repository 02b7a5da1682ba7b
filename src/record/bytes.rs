//! Small byte-slice helpers shared by the envelope parsers: bounds-checked digit reads,
//! token splitting and whitespace skipping, and [`lossy`] text. Nothing here indexes
//! without a check.

use std::borrow::Cow;

/// `bytes` as text, invalid UTF-8 replaced (U+FFFD), like [`String::from_utf8_lossy`] but
/// checked with the standard library's fast validation first: `from_utf8_lossy` walks the
/// bytes one by one, several times slower on the (almost always valid) lines of a log.
#[inline]
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The digit at `at`, if there is one.
#[inline]
pub(crate) fn digit(b: &[u8], at: usize) -> Option<u32> {
    match b.get(at) {
        Some(&c) if c.is_ascii_digit() => Some(u32::from(c - b'0')),
        _ => None,
    }
}

/// The value of exactly `n` digits starting at `at` (`n` ≤ 9).
#[inline]
pub(crate) fn digits_value(b: &[u8], at: usize, n: usize) -> Option<u32> {
    if n == 0 || n > 9 {
        return None;
    }
    (at..at + n).try_fold(0u32, |acc, i| Some(acc * 10 + digit(b, i)?))
}

/// The value of the two digits at `at` and `at + 1`.
#[inline]
pub(crate) fn two_digits(b: &[u8], at: usize) -> Option<u32> {
    match b.get(at..at + 2)? {
        &[t, u] if t.is_ascii_digit() && u.is_ascii_digit() => {
            Some(u32::from(t - b'0') * 10 + u32::from(u - b'0'))
        }
        _ => None,
    }
}

/// Number of leading ASCII digits.
#[inline]
pub(crate) fn leading_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// A PID-like number: 1 to 10 digits that fit in a `u32`, nothing else.
pub(crate) fn parse_u32(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 10 || leading_digits(b) != b.len() {
        return None;
    }
    b.iter().try_fold(0u32, |acc, &c| {
        acc.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    })
}

/// `b` without leading spaces and tabs.
#[inline]
pub(crate) fn skip_blanks(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
    &b[n..]
}

/// Splits at the first space or tab: (token, rest starting at the blank).
#[inline]
pub(crate) fn split_token(b: &[u8]) -> (&[u8], &[u8]) {
    let n = b.iter().take_while(|&&c| c != b' ' && c != b'\t').count();
    b.split_at(n)
}

/// Position of `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_are_bounds_safe() {
        assert_eq!(digits_value(b"12", 0, 3), None);
        assert_eq!(digits_value(b"0123", 1, 3), Some(123));
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32(b"4294967296"), None);
        assert_eq!(parse_u32(b""), None);
        assert_eq!(split_token(b"ab cd"), (&b"ab"[..], &b" cd"[..]));
        assert_eq!(skip_blanks(b" \t x"), b"x");
    }

    #[test]
    fn lossy_text_borrows_valid_utf8_and_replaces_invalid_bytes() {
        assert!(matches!(
            lossy("café ok".as_bytes()),
            Cow::Borrowed("café ok")
        ));
        assert_eq!(lossy(b"caf\xe9 ok"), "caf\u{FFFD} ok");
    }
}
