//! Timestamp parsing for envelopes: a hand-written fast path for the common shapes
//! (ISO 8601 / RFC 3339 date-times, Go `YYYY/MM/DD HH:MM:SS`, syslog `Mmm dd HH:MM:SS`,
//! unix seconds) with civil-date arithmetic, and chrono as the fallback for rare shapes
//! (`Thu Dec  7 00:05:14 2017`). Syslog month names are read in the locales journalctl
//! prints them in: English, French, German, Italian, Spanish, Portuguese, Dutch,
//! Russian, and the numbered months of Chinese, Japanese (`3月`) and Korean (`3월`).
//!
//! All results are UTC microseconds since the Unix epoch. A stamp without a zone is taken
//! as UTC; zone abbreviations from a small table (UTC, GMT, CET, EST, ...) are applied,
//! unknown abbreviations are consumed and treated as UTC.

use super::bytes::{digit, digits_value, two_digits};

pub(crate) const US_PER_SEC: i64 = 1_000_000;
const US_PER_DAY: i64 = 86_400 * US_PER_SEC;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (i32::try_from(year).unwrap_or(i32::MAX), month, day)
}

/// Year of a day count since 1970-01-01.
pub(crate) fn year_from_days(days: i64) -> i32 {
    civil_from_days(days).0
}

/// Year (UTC) of a timestamp in microseconds.
pub(crate) fn year_of_us(us: i64) -> i32 {
    year_from_days(us.div_euclid(US_PER_DAY))
}

/// The same month, day and time of day in another year.
pub(crate) fn with_year(us: i64, year: i32) -> i64 {
    let (_, month, day) = civil_from_days(us.div_euclid(US_PER_DAY));
    civil_to_us(year, month, day, us.rem_euclid(US_PER_DAY))
}

/// The current UTC year from the system clock (1970 only if the clock is before the epoch).
pub(crate) fn current_utc_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    year_from_days(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// UTC microseconds of a civil date and a time of day in microseconds.
pub(crate) fn civil_to_us(year: i32, month: u32, day: u32, time_of_day_us: i64) -> i64 {
    days_from_civil(year, month, day) * US_PER_DAY + time_of_day_us
}

/// A parsed full date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// UTC microseconds since the epoch.
    pub us: i64,
    /// Civil year as written (before the zone shift), used as a year hint.
    pub year: i32,
    /// Bytes consumed from the input.
    pub len: usize,
}

/// Shape details of an ISO-like stamp, used to tell formats apart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IsoStamp {
    pub stamp: Stamp,
    /// Date separator was `/` (Go log) instead of `-`.
    pub slash_date: bool,
    /// Date and time separated by `T` rather than a space.
    pub t_separator: bool,
    /// Fraction introduced by `,` (python logging, dmesg ISO) rather than `.`.
    pub comma_fraction: bool,
    /// A zone (`Z`, offset or abbreviation) was present.
    pub has_zone: bool,
}

/// Parses `HH:MM:SS[.fffffffff]` at the start of `b`: (microseconds of day, length).
pub(crate) fn parse_time_of_day(b: &[u8]) -> Option<(i64, usize)> {
    let (hms, len) = parse_hms(b, true)?;
    let (frac_us, frac_len) = parse_fraction(b.get(len..).unwrap_or_default());
    Some((hms * US_PER_SEC + frac_us, len + frac_len))
}

/// Parses `HH:MM` or `HH:MM:SS` (seconds required when `need_seconds`): (seconds, length).
pub(crate) fn parse_hms(b: &[u8], need_seconds: bool) -> Option<(i64, usize)> {
    let hour = two_digits(b, 0)?;
    if b.get(2) != Some(&b':') {
        return None;
    }
    let minute = two_digits(b, 3)?;
    let (second, len) = match (b.get(5), two_digits(b, 6)) {
        (Some(b':'), Some(s)) => (s, 8),
        _ if need_seconds => return None,
        _ => (0, 5),
    };
    if hour > 24 || minute > 59 || second > 60 || digit(b, len).is_some() {
        return None;
    }
    Some((i64::from(hour * 3600 + minute * 60 + second), len))
}

/// Parses `.ffff` / `,ffff` (1 to 9 digits, more are skipped): (microseconds, length).
fn parse_fraction(b: &[u8]) -> (i64, usize) {
    if !matches!(b.first(), Some(b'.' | b',')) {
        return (0, 0);
    }
    let mut us = 0i64;
    let mut n = 0usize;
    while let Some(d) = digit(b, 1 + n) {
        if n < 6 {
            us = us * 10 + i64::from(d);
        }
        n += 1;
    }
    if n == 0 {
        return (0, 0);
    }
    for _ in n..6 {
        us *= 10;
    }
    (us, 1 + n)
}

/// Parses an ISO 8601 / RFC 3339-like date-time at the start of `b`:
/// `YYYY-MM-DD[T ]HH:MM:SS[.f|,f][Z|±HH[:]MM|±HH| ±HHMM| ABBR]`, also with `/` date
/// separators (Go log). Minutes-only times (`HH:MM`) are accepted after `T`.
pub(crate) fn parse_iso(b: &[u8]) -> Option<IsoStamp> {
    let year = digits_value(b, 0, 4)?;
    let sep = *b.get(4)?;
    if !(sep == b'-' || sep == b'/') || b.get(7) != Some(&sep) {
        return None;
    }
    let month = two_digits(b, 5)?;
    let day = two_digits(b, 8)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let t_separator = matches!(b.get(10), Some(b'T' | b't'));
    if !t_separator && b.get(10) != Some(&b' ') {
        return None;
    }
    let (secs, hms_len) = parse_hms(b.get(11..)?, false)?;
    let mut pos = 11 + hms_len;
    let rest = b.get(pos..).unwrap_or_default();
    let comma_fraction = rest.first() == Some(&b',');
    let (frac_us, frac_len) = parse_fraction(rest);
    pos += frac_len;
    let (offset_s, zone_len) = parse_zone(b.get(pos..).unwrap_or_default());
    pos += zone_len;
    let year = i32::try_from(year).ok()?;
    let us = civil_to_us(year, month, day, secs * US_PER_SEC + frac_us) - offset_s * US_PER_SEC;
    Some(IsoStamp {
        stamp: Stamp { us, year, len: pos },
        slash_date: sep == b'/',
        t_separator,
        comma_fraction: comma_fraction && frac_len > 0,
        has_zone: zone_len > 0,
    })
}

/// Parses a zone right after a time: (offset east of UTC in seconds, length); length 0
/// when there is none.
fn parse_zone(b: &[u8]) -> (i64, usize) {
    match b.first() {
        Some(b'Z' | b'z') if !b.get(1).is_some_and(u8::is_ascii_alphanumeric) => (0, 1),
        Some(b'+' | b'-') => parse_numeric_offset(b).unwrap_or((0, 0)),
        Some(b' ') => parse_spaced_zone(&b[1..]).map_or((0, 0), |(o, l)| (o, l + 1)),
        _ => (0, 0),
    }
}

/// `±HH:MM`, `±HHMM` or `±HH`.
fn parse_numeric_offset(b: &[u8]) -> Option<(i64, usize)> {
    let sign = if *b.first()? == b'-' { -1 } else { 1 };
    let hours = i64::from(digits_value(b, 1, 2)?);
    let (minutes, len) = if b.get(3) == Some(&b':') {
        (i64::from(digits_value(b, 4, 2)?), 6)
    } else if let Some(m) = digits_value(b, 3, 2) {
        (i64::from(m), 5)
    } else {
        (0, 3)
    };
    if digit(b, len).is_some() || hours > 23 || minutes > 59 {
        return None;
    }
    Some((sign * (hours * 3600 + minutes * 60), len))
}

/// A zone after one space: ` +0000` or ` UTC` / ` CET` ... (letters, then a non-letter).
fn parse_spaced_zone(b: &[u8]) -> Option<(i64, usize)> {
    if matches!(b.first(), Some(b'+' | b'-')) {
        let (offset, len) = parse_numeric_offset(b)?;
        return (len == 5 || len == 6).then_some((offset, len));
    }
    let len = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=5).contains(&len) || b.get(len).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let offset_h = zone_abbreviation_offset_hours(&b[..len])?;
    Some((offset_h * 3600, len))
}

/// Offset in hours of the zone abbreviations that show up in service logs. Single letters
/// other than `Z` and unknown words are rejected so ordinary words are not eaten.
fn zone_abbreviation_offset_hours(abbr: &[u8]) -> Option<i64> {
    Some(match abbr {
        b"UTC" | b"GMT" | b"Z" | b"UT" | b"WET" => 0,
        b"BST" | b"CET" | b"WEST" | b"MET" => 1,
        b"CEST" | b"EET" | b"SAST" | b"MEST" => 2,
        b"EEST" | b"MSK" => 3,
        b"JST" | b"KST" => 9,
        b"AEST" => 10,
        b"AEDT" => 11,
        b"EST" | b"CDT" => -5,
        b"EDT" => -4,
        b"CST" | b"MDT" => -6,
        b"MST" | b"PDT" => -7,
        b"PST" => -8,
        _ => return None,
    })
}

/// Month numbers of English month names and the abbreviations common in French, German,
/// Italian, Spanish, Portuguese, Dutch and Russian locales (compared lowercase, trailing `.`
/// removed).
const MONTH_NAMES: &[(&[u8], u8)] = &[
    (b"jan", 1),
    (b"january", 1),
    (b"janv", 1),
    (b"gen", 1),
    (b"ene", 1),
    (b"j\xc3\xa4n", 1),
    (b"feb", 2),
    (b"february", 2),
    (b"f\xc3\xa9vr", 2),
    (b"f\xc3\xa9v", 2),
    (b"fev", 2),
    (b"mar", 3),
    (b"march", 3),
    (b"mars", 3),
    (b"m\xc3\xa4r", 3),
    (b"mrz", 3),
    (b"mrt", 3),
    (b"apr", 4),
    (b"april", 4),
    (b"avr", 4),
    (b"abr", 4),
    (b"may", 5),
    (b"mai", 5),
    (b"mag", 5),
    (b"mei", 5),
    (b"jun", 6),
    (b"june", 6),
    (b"juin", 6),
    (b"giu", 6),
    (b"jul", 7),
    (b"july", 7),
    (b"juil", 7),
    (b"lug", 7),
    (b"aug", 8),
    (b"august", 8),
    (b"ao\xc3\xbbt", 8),
    (b"ago", 8),
    (b"sep", 9),
    (b"sept", 9),
    (b"september", 9),
    (b"set", 9),
    (b"oct", 10),
    (b"october", 10),
    (b"okt", 10),
    (b"ott", 10),
    (b"out", 10),
    (b"nov", 11),
    (b"november", 11),
    (b"dec", 12),
    (b"december", 12),
    (b"d\xc3\xa9c", 12),
    (b"dez", 12),
    (b"dic", 12),
    // Russian (glibc's ru_RU %b)
    ("янв".as_bytes(), 1),
    ("фев".as_bytes(), 2),
    ("мар".as_bytes(), 3),
    ("апр".as_bytes(), 4),
    ("мая".as_bytes(), 5),
    ("май".as_bytes(), 5),
    ("июн".as_bytes(), 6),
    ("июл".as_bytes(), 7),
    ("авг".as_bytes(), 8),
    ("сен".as_bytes(), 9),
    ("окт".as_bytes(), 10),
    ("ноя".as_bytes(), 11),
    ("дек".as_bytes(), 12),
];

/// Month number of a (possibly localized) month name such as `Mar`, `mar`, `Dez`, `déc.`,
/// `okt`, `мар`, `3月`. Latin letters match in any case; Cyrillic names in the lowercase
/// glibc prints.
pub(crate) fn month_from_name(name: &[u8]) -> Option<u8> {
    if let &[a, b, c] = name {
        let lower = [
            a.to_ascii_lowercase(),
            b.to_ascii_lowercase(),
            c.to_ascii_lowercase(),
        ];
        if let Some(month) = english_month3(&lower) {
            return Some(month);
        }
    }
    let name = name.strip_suffix(b".").unwrap_or(name);
    if let Some(month) = numbered_month(name) {
        return Some(month);
    }
    if !(3..=9).contains(&name.len()) {
        return None;
    }
    let mut buf = [0u8; 9];
    let folded = fold_month_case(name, &mut buf);
    if let Some(first3) = folded.get(..3) {
        if folded.len() == 3 {
            if let Some(m) = english_month3(first3) {
                return Some(m);
            }
        }
    }
    MONTH_NAMES
        .iter()
        .find(|(candidate, _)| *candidate == folded)
        .map(|&(_, month)| month)
}

/// A month written as its number and the word for month, as Chinese and Japanese (`3月`)
/// and Korean (`3월`) locales print `%b`.
fn numbered_month(name: &[u8]) -> Option<u8> {
    const MONTH_WORDS: [&str; 2] = ["\u{6708}", "\u{c6d4}"];
    let digits = MONTH_WORDS
        .iter()
        .find_map(|word| name.strip_suffix(word.as_bytes()))?;
    if !(1..=2).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let month = digits.iter().fold(0u8, |n, d| n * 10 + (d - b'0'));
    (1..=12).contains(&month).then_some(month)
}

/// Fast path for the three-letter English abbreviations.
fn english_month3(m: &[u8]) -> Option<u8> {
    Some(match m {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    })
}

/// Lowercases ASCII and the uppercase accented letters used in month names (É, Ä, Û).
fn fold_month_case<'b>(name: &[u8], buf: &'b mut [u8; 9]) -> &'b [u8] {
    let len = name.len().min(buf.len());
    for (i, &c) in name.iter().take(len).enumerate() {
        let prev_is_c3 = i > 0 && name[i - 1] == 0xc3;
        buf[i] = match c {
            0x89 | 0x84 | 0x9b if prev_is_c3 => c + 0x20,
            _ => c.to_ascii_lowercase(),
        };
    }
    &buf[..len]
}

/// A year-less syslog-style stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct YearlessStamp {
    pub month: u8,
    pub day: u8,
    pub time_of_day_us: i64,
    pub len: usize,
}

/// Parses `Mmm dd HH:MM:SS[.ffffff]` (day may be space-padded or single-digit). With
/// `minutes_ok`, `HH:MM` is accepted too (dmesg -H).
pub(crate) fn parse_syslog_stamp(b: &[u8], minutes_ok: bool) -> Option<YearlessStamp> {
    let name_len = if b.get(3) == Some(&b' ') {
        3
    } else {
        b.iter().take(10).take_while(|&&c| c != b' ').count()
    };
    let month = month_from_name(b.get(..name_len)?)?;
    let mut pos = name_len;
    let spaces = b.get(pos..)?.iter().take_while(|&&c| c == b' ').count();
    if !(1..=2).contains(&spaces) {
        return None;
    }
    pos += spaces;
    let day_len = b
        .get(pos..)?
        .iter()
        .take(3)
        .take_while(|c| c.is_ascii_digit())
        .count();
    let day = digits_value(b, pos, day_len)
        .filter(|d| (1..=2).contains(&day_len) && (1..=31).contains(d))?;
    pos += day_len;
    if b.get(pos) != Some(&b' ') {
        return None;
    }
    pos += 1;
    let (time_of_day_us, time_len) = parse_clock(b.get(pos..)?, minutes_ok)?;
    Some(YearlessStamp {
        month,
        day: u8::try_from(day).ok()?,
        time_of_day_us,
        len: pos + time_len,
    })
}

/// `HH:MM:SS[.f]` or, when `minutes_ok`, `HH:MM`.
fn parse_clock(b: &[u8], minutes_ok: bool) -> Option<(i64, usize)> {
    if let Some(found) = parse_time_of_day(b) {
        return Some(found);
    }
    if !minutes_ok {
        return None;
    }
    parse_hms(b, false).map(|(secs, len)| (secs * US_PER_SEC, len))
}

/// Parses unix seconds with a fraction, `1700000000.123456` (9 to 11 integer digits).
pub(crate) fn parse_unix_fraction(b: &[u8]) -> Option<(i64, usize)> {
    let int_len = b.iter().take(12).take_while(|c| c.is_ascii_digit()).count();
    if !(9..=11).contains(&int_len) || b.get(int_len) != Some(&b'.') {
        return None;
    }
    let secs: i64 = std::str::from_utf8(&b[..int_len]).ok()?.parse().ok()?;
    let (frac_us, frac_len) = parse_fraction(&b[int_len..]);
    if frac_len == 0 {
        return None;
    }
    Some((secs * US_PER_SEC + frac_us, int_len + frac_len))
}

/// A bare epoch number as found in JSON/logfmt fields: seconds, milliseconds,
/// microseconds or nanoseconds, chosen by magnitude; seconds may have a fraction.
pub(crate) fn epoch_number_to_us(text: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(text).ok()?;
    if let Ok(n) = text.parse::<i64>() {
        let n_abs = n.unsigned_abs();
        return Some(match n_abs {
            0..=99_999_999_999 => n.checked_mul(US_PER_SEC)?,
            100_000_000_000..=99_999_999_999_999 => n.checked_mul(1000)?,
            100_000_000_000_000..=99_999_999_999_999_999 => n,
            _ => n / 1000,
        });
    }
    let f: f64 = text.parse().ok()?;
    if !f.is_finite() || f.abs() > 1e11 {
        return None;
    }
    // Truncation is intended: the value is bounded above.
    #[allow(clippy::cast_possible_truncation)]
    Some((f * 1e6).round() as i64)
}

/// Any stamp a structured field may hold: ISO date-time or an epoch number.
pub(crate) fn parse_field_stamp(text: &[u8]) -> Option<Stamp> {
    if let Some(iso) = parse_iso(text) {
        return Some(iso.stamp);
    }
    let us = epoch_number_to_us(text)?;
    Some(Stamp {
        us,
        year: year_of_us(us),
        len: text.len(),
    })
}

/// chrono fallback for `Thu Dec  7 00:05:14 2017` (ctime / dmesg -T), optionally with a
/// fraction after the seconds (`Thu Jan 16 12:28:18.123456 2026`, Apache).
pub(crate) fn parse_ctime(text: &[u8]) -> Option<Stamp> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let parsed = chrono::NaiveDateTime::parse_from_str(text, "%a %b %e %H:%M:%S%.f %Y").ok()?;
    let us = parsed.and_utc().timestamp_micros();
    Some(Stamp {
        us,
        year: chrono::Datelike::year(&parsed),
        len: text.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_arithmetic_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(
            with_year(civil_to_us(2026, 3, 6, 5), 2015),
            civil_to_us(2015, 3, 6, 5)
        );
        for days in [-800_000i64, -1, 0, 59, 11_016, 20_000, 2_932_896] {
            let y = year_from_days(days);
            assert!(days_from_civil(y, 1, 1) <= days && days < days_from_civil(y + 1, 1, 1));
        }
    }

    #[test]
    fn iso_variants() {
        // date -u -d '2026-01-16T12:28:18Z' +%s => 1768566498
        let base = 1_768_566_498_000_000;
        let cases: &[(&str, i64)] = &[
            ("2026-01-16T12:28:18Z", base),
            ("2026-01-16T12:28:18+0000", base),
            ("2026-01-16T12:28:18+00:00", base),
            ("2026-01-16T12:28:18.123456789Z", base + 123_456),
            ("2026-01-16 12:28:18,123", base + 123_000),
            ("2026-01-16T13:28:18+01:00", base),
            ("2026-01-16T07:28:18-05", base),
            ("2026-01-16 13:28:18 CET", base),
            ("2026-01-16 12:28:18 +0000", base),
            ("2026/01/16 12:28:18", base),
        ];
        for (text, want) in cases {
            let got = parse_iso(text.as_bytes()).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(got.stamp.us, *want, "{text}");
            assert_eq!(got.stamp.len, text.len(), "{text}");
        }
        assert!(parse_iso(b"2026-13-16T12:28:18Z").is_none());
        assert!(parse_iso(b"2026-01-16").is_none());
        let not_zone = parse_iso(b"2026-01-16 12:28:18 - name").unwrap();
        assert_eq!(not_zone.stamp.len, 19);
        assert!(!not_zone.has_zone);
    }

    #[test]
    fn localized_months() {
        for (name, month) in [
            ("Mar", 3),
            ("mar", 3),
            ("Dez", 12),
            ("d\u{e9}c.", 12),
            ("D\u{c9}C", 12),
            ("Mai", 5),
            ("okt", 10),
            ("M\u{e4}r", 3),
            ("janv.", 1),
            ("mrt", 3),
            ("out", 10),
            ("ago", 8),
            ("sept.", 9),
        ] {
            assert_eq!(month_from_name(name.as_bytes()), Some(month), "{name}");
        }
        for (name, month) in [("3\u{6708}", 3), ("12\u{6708}", 12), ("11\u{c6d4}", 11)] {
            assert_eq!(month_from_name(name.as_bytes()), Some(month), "{name}");
        }
        for (name, month) in [("\u{43c}\u{430}\u{440}", 3), ("\u{434}\u{435}\u{43a}", 12)] {
            assert_eq!(month_from_name(name.as_bytes()), Some(month), "{name}");
        }
        assert_eq!(month_from_name("13\u{6708}".as_bytes()), None);
        assert_eq!(month_from_name("\u{6708}".as_bytes()), None);
        assert_eq!(month_from_name(b"Foo"), None);
        assert_eq!(month_from_name(b"Ma"), None);
    }

    #[test]
    fn syslog_stamps() {
        let s = parse_syslog_stamp(b"Mar  2 17:35:10 host", false).unwrap();
        assert_eq!((s.month, s.day, s.len), (3, 2, 15));
        assert_eq!(s.time_of_day_us, (17 * 3600 + 35 * 60 + 10) * US_PER_SEC);
        let p = parse_syslog_stamp(b"Mar 06 02:30:04.123456 h", false).unwrap();
        assert_eq!(
            p.time_of_day_us,
            (2 * 3600 + 30 * 60 + 4) * US_PER_SEC + 123_456
        );
        assert!(parse_syslog_stamp(b"Feb 5 06:51]", false).is_none());
        assert_eq!(parse_syslog_stamp(b"Feb 5 06:51]", true).unwrap().len, 11);
        assert!(parse_syslog_stamp(b"March 2020 was", false).is_none());
    }

    #[test]
    fn unix_and_epoch_numbers() {
        assert_eq!(
            parse_unix_fraction(b"1700000000.123456 h"),
            Some((1_700_000_000_123_456, 17))
        );
        assert_eq!(
            epoch_number_to_us(b"1700000000"),
            Some(1_700_000_000_000_000)
        );
        assert_eq!(
            epoch_number_to_us(b"1700000000123"),
            Some(1_700_000_000_123_000)
        );
        assert_eq!(
            epoch_number_to_us(b"1700000000.5"),
            Some(1_700_000_000_500_000)
        );
    }

    #[test]
    fn ctime_fallback() {
        // date -u -d '2017-12-07 00:05:14' +%s => 1512605114
        let s = parse_ctime(b"Thu Dec  7 00:05:14 2017").unwrap();
        assert_eq!(s.us, 1_512_605_114_000_000);
        assert_eq!(s.year, 2017);
    }
}
