//! dmesg envelopes: `[  123.456789] msg` (seconds since boot), `[  +0.000018] msg`
//! (relative, no stamp), `-T` `[Thu Dec  7 00:05:14 2017] msg`, `-H` `[Feb 5 06:51] msg`
//! (year-less, minute precision) and `--time-format iso`
//! `2026-01-16T12:28:18,123456+00:00 msg`.

use std::borrow::Cow;

use super::bytes::{leading_digits, skip_blanks};
use super::time::{civil_to_us, parse_ctime, parse_syslog_stamp, IsoStamp};
use super::year::YearClock;
use super::{Envelope, LineFormat};

/// `[  518.050606]` at the start of `b`: (seconds, length including the `]`).
pub(crate) fn parse_monotonic_bracket(b: &[u8]) -> Option<(f64, usize)> {
    let inner = b.strip_prefix(b"[")?;
    let blanks = inner.iter().take_while(|&&c| c == b' ').count();
    let number = &inner[blanks..];
    let int_len = leading_digits(number);
    if int_len == 0 || int_len > 12 || number.get(int_len) != Some(&b'.') {
        return None;
    }
    let frac_len = leading_digits(&number[int_len + 1..]);
    let end = int_len + 1 + frac_len;
    if frac_len == 0 || number.get(end) != Some(&b']') {
        return None;
    }
    let text = std::str::from_utf8(&number[..end]).ok()?;
    Some((text.parse().ok()?, 1 + blanks + end + 1))
}

/// `[  +0.000018]` (dmesg -H / -d deltas): length including the `]`.
fn relative_bracket_len(b: &[u8]) -> Option<usize> {
    let inner = b.strip_prefix(b"[")?;
    let blanks = inner.iter().take_while(|&&c| c == b' ').count();
    let number = inner[blanks..].strip_prefix(b"+")?;
    let int_len = leading_digits(number);
    let frac_len = leading_digits(number.get(int_len + 1..)?);
    let end = int_len + 1 + frac_len;
    let well_formed = int_len > 0 && frac_len > 0 && number.get(int_len) == Some(&b'.');
    (well_formed && number.get(end) == Some(&b']')).then_some(1 + blanks + 1 + end + 1)
}

/// Any dmesg bracket prefix at the start of `body`.
pub(crate) fn parse_dmesg_prefix<'a>(
    body: &'a [u8],
    clock: &mut YearClock,
) -> Option<Envelope<'a>> {
    if body.first() != Some(&b'[') {
        return None;
    }
    if let Some((seconds, len)) = parse_monotonic_bracket(body) {
        let mut env = dmesg_envelope(LineFormat::Dmesg, body, len);
        env.monotonic_s = Some(seconds);
        return Some(env);
    }
    if let Some(len) = relative_bracket_len(body) {
        return Some(dmesg_envelope(LineFormat::Dmesg, body, len));
    }
    parse_human_bracket(body, clock)
}

/// `[Feb 5 06:51]` or `[Thu Dec  7 00:05:14 2017]`.
fn parse_human_bracket<'a>(body: &'a [u8], clock: &mut YearClock) -> Option<Envelope<'a>> {
    let close = body.iter().take(40).position(|&c| c == b']')?;
    let inside = &body[1..close];
    let timestamp_us = if let Some(stamp) = parse_syslog_stamp(inside, true) {
        if stamp.len != inside.len() {
            return None;
        }
        let year = clock.year_for(stamp.month);
        civil_to_us(
            year,
            u32::from(stamp.month),
            u32::from(stamp.day),
            stamp.time_of_day_us,
        )
    } else if looks_like_ctime(inside) {
        parse_ctime(inside)?.us
    } else {
        return None;
    };
    let mut env = dmesg_envelope(LineFormat::DmesgHuman, body, close + 1);
    env.timestamp_us = Some(timestamp_us);
    Some(env)
}

/// Cheap shape check before handing a bracket to chrono: `Www Mmm ...` ending in a year.
fn looks_like_ctime(inside: &[u8]) -> bool {
    (20..=32).contains(&inside.len())
        && inside
            .get(..3)
            .is_some_and(|w| w.iter().all(u8::is_ascii_alphabetic))
        && inside.get(3) == Some(&b' ')
        && inside.len() >= 4
        && leading_digits(&inside[inside.len() - 4..]) == 4
}

fn dmesg_envelope(format: LineFormat, body: &[u8], prefix_len: usize) -> Envelope<'_> {
    let message = skip_blanks(body.get(prefix_len..).unwrap_or_default());
    Envelope::new(format, Cow::Borrowed(message))
}

/// `dmesg --time-format iso` after its stamp (a `T`, a comma fraction and an offset).
pub(crate) fn dmesg_iso_tail<'a>(iso: &IsoStamp, rest: &'a [u8]) -> Option<Envelope<'a>> {
    if !(iso.t_separator && iso.comma_fraction && iso.has_zone) {
        return None;
    }
    let message = rest.strip_prefix(b" ")?;
    let mut env = Envelope::new(LineFormat::Dmesg, Cow::Borrowed(message));
    env.timestamp_us = Some(iso.stamp.us);
    Some(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets() {
        assert_eq!(
            parse_monotonic_bracket(b"[  518.050606] x"),
            Some((518.050606, 14))
        );
        assert_eq!(
            parse_monotonic_bracket(b"[2858609.598568]"),
            Some((2_858_609.598_568, 16))
        );
        assert_eq!(parse_monotonic_bracket(b"[518] x"), None);
        assert_eq!(parse_monotonic_bracket(b"[  518.]"), None);
        assert_eq!(relative_bracket_len(b"[  +0.000018] Code"), Some(13));
        assert_eq!(relative_bracket_len(b"[+0.5"), None);
        assert!(!looks_like_ctime(b"nodemon"));
        assert!(looks_like_ctime(b"Thu Dec  7 00:05:14 2017"));
    }
}
