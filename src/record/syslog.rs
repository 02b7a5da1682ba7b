//! Syslog-shaped envelopes: journalctl `short` / `short-precise` / RFC 3164
//! (`Mar 06 02:30:04 host ident[pid]: msg`), `short-iso`, `short-unix`, RFC 5424, the
//! `<PRI>` prefix, and a bare `ident[pid]: msg` whose stamp and host were cut off.
//!
//! Kernel lines (`kernel: [  518.050606] msg`) get `monotonic_s` and lose the bracket from
//! the message. For systemd's own lines (`systemd[1]: nginx.service: Failed ...`) the unit
//! named at the start of the message is put in `unit`.

use std::borrow::Cow;

use super::bytes::{parse_u32, skip_blanks, split_token};
use super::kernel::{parse_dmesg_prefix, parse_monotonic_bracket};
use super::level::level_from_priority;
use super::time::{civil_to_us, parse_iso, parse_syslog_stamp, parse_unix_fraction};
use super::year::YearClock;
use super::{Envelope, LineFormat};

/// A syslog tag `ident[pid]: ` / `ident: `.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    pub identifier: &'a [u8],
    pub pid: Option<u32>,
    /// Bytes of the tag including the colon and one following space.
    pub len: usize,
}

/// Parses a tag at the start of `b`. The identifier has no spaces; a `[pid]` must be
/// all digits; the colon must be followed by a space or the end of the line.
pub(crate) fn parse_tag(b: &[u8]) -> Option<Tag<'_>> {
    let ident_len = b
        .iter()
        .take(128)
        .take_while(|&&c| !matches!(c, b' ' | b'\t' | b'[' | b':'))
        .count();
    if ident_len == 0 {
        return None;
    }
    let mut pos = ident_len;
    let mut pid = None;
    if b.get(pos) == Some(&b'[') {
        let close = pos + 1 + b.get(pos + 1..)?.iter().take(11).position(|&c| c == b']')?;
        pid = Some(parse_u32(&b[pos + 1..close])?);
        pos = close + 1;
    }
    if b.get(pos) != Some(&b':') {
        return None;
    }
    pos += 1;
    match b.get(pos) {
        None => {}
        Some(b' ') => pos += 1,
        Some(_) => return None,
    }
    Some(Tag {
        identifier: &b[..ident_len],
        pid,
        len: pos,
    })
}

/// `host ident[pid]: msg` after a stamp (leading blanks allowed). The host may be
/// missing when the first token is already a tag; the tag may be missing too.
fn fill_tail<'a>(env: &mut Envelope<'a>, rest: &'a [u8]) {
    let rest = skip_blanks(rest);
    let (host, after_host) = split_token(rest);
    if host.last() == Some(&b':') {
        if let Some(tag) = parse_tag(rest) {
            fill_tag(env, tag, &rest[tag.len..]);
            return;
        }
    }
    env.host = (!host.is_empty()).then_some(host);
    let after_host = skip_blanks(after_host);
    match parse_tag(after_host) {
        Some(tag) => fill_tag(env, tag, &after_host[tag.len..]),
        None => env.message = Cow::Borrowed(after_host),
    }
}

fn fill_tag<'a>(env: &mut Envelope<'a>, tag: Tag<'a>, message: &'a [u8]) {
    env.identifier = Some(tag.identifier);
    env.pid = tag.pid;
    env.message = Cow::Borrowed(message);
    match tag.identifier {
        b"kernel" => strip_kernel_monotonic(env, message),
        b"systemd" => env.unit = systemd_message_unit(message).map(Cow::Borrowed),
        _ => {}
    }
}

fn strip_kernel_monotonic<'a>(env: &mut Envelope<'a>, message: &'a [u8]) {
    if let Some((seconds, len)) = parse_monotonic_bracket(message) {
        env.monotonic_s = Some(seconds);
        env.message = Cow::Borrowed(skip_blanks(&message[len..]));
    }
}

const UNIT_SUFFIXES: &[&[u8]] = &[
    b".service",
    b".socket",
    b".timer",
    b".mount",
    b".target",
    b".path",
    b".scope",
    b".slice",
    b".device",
    b".swap",
    b".automount",
];

/// A unit name such as `nginx.service` or `getty@tty1.service`.
pub(crate) fn is_unit_name(name: &[u8]) -> bool {
    let Some(dot) = memchr::memrchr(b'.', name) else {
        return false;
    };
    dot > 0 && UNIT_SUFFIXES.contains(&&name[dot..]) && !name.contains(&b' ')
}

/// `nginx.service: Failed ...` → `nginx.service`.
fn systemd_message_unit(message: &[u8]) -> Option<&[u8]> {
    let colon = memchr::memchr(b':', message.get(..256).unwrap_or(message))?;
    let name = &message[..colon];
    is_unit_name(name).then_some(name)
}

/// journalctl short / short-precise / RFC 3164: `Mar 06 02:30:04[.123456] host ident[pid]: msg`,
/// and short-full `Thu 2026-01-16 12:28:18 UTC host ident[pid]: msg` (as [`LineFormat::SyslogIso`]).
pub(crate) fn parse_short<'a>(body: &'a [u8], clock: &mut YearClock) -> Option<Envelope<'a>> {
    let Some(stamp) = parse_syslog_stamp(body, false) else {
        return parse_short_full(body);
    };
    let rest = body.get(stamp.len..)?;
    if !matches!(rest.first(), None | Some(b' ')) {
        return None;
    }
    let year = clock.year_for(stamp.month);
    let mut env = Envelope::new(LineFormat::SyslogShort, Cow::Borrowed(&[][..]));
    env.timestamp_us = Some(civil_to_us(
        year,
        u32::from(stamp.month),
        u32::from(stamp.day),
        stamp.time_of_day_us,
    ));
    fill_tail(&mut env, rest);
    Some(env)
}

/// journalctl short-full: a weekday, then a space-separated date-time with a zone.
fn parse_short_full(body: &[u8]) -> Option<Envelope<'_>> {
    let (weekday, rest) = split_token(body);
    if !(2..=4).contains(&weekday.len()) || !weekday.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let rest = rest.strip_prefix(b" ")?;
    let iso = parse_iso(rest).filter(|iso| iso.has_zone && !iso.slash_date)?;
    syslog_iso_tail(&rest[iso.stamp.len..], iso.stamp.us)
}

/// `host ident[pid]: msg` after a short-iso stamp; `None` without a tag, so that
/// application lines that start with an ISO stamp are not taken for syslog.
pub(crate) fn syslog_iso_tail<'a>(rest: &'a [u8], timestamp_us: i64) -> Option<Envelope<'a>> {
    let rest = rest.strip_prefix(b" ")?;
    let (host, after_host) = split_token(rest);
    let after_host = skip_blanks(after_host);
    if host.is_empty() || super::level::level_from_upper_word(host).is_some() {
        return None;
    }
    let tag = parse_tag(after_host)?;
    let mut env = Envelope::new(LineFormat::SyslogIso, Cow::Borrowed(&[][..]));
    env.timestamp_us = Some(timestamp_us);
    env.host = Some(host);
    fill_tag(&mut env, tag, &after_host[tag.len..]);
    Some(env)
}

/// journalctl short-unix: `1700000000.123456 host ident[pid]: msg`.
pub(crate) fn parse_short_unix(body: &[u8]) -> Option<Envelope<'_>> {
    let (us, len) = parse_unix_fraction(body)?;
    let mut env = syslog_iso_tail(body.get(len..)?, us)?;
    env.format = LineFormat::SyslogUnix;
    Some(env)
}

/// `ident[pid]: msg` with no stamp or host (pasted from journalctl output); the pid is
/// required so that ordinary `word: text` lines are not taken for syslog.
pub(crate) fn parse_bare_tag(body: &[u8]) -> Option<Envelope<'_>> {
    let tag = parse_tag(body).filter(|t| t.pid.is_some())?;
    let mut env = Envelope::new(LineFormat::SyslogShort, Cow::Borrowed(&[][..]));
    fill_tag(&mut env, tag, &body[tag.len..]);
    Some(env)
}

/// `<PRI>` followed by RFC 5424, an RFC 3164 line, a dmesg line (`dmesg -r`) or a tag.
pub(crate) fn parse_with_pri<'a>(body: &'a [u8], clock: &mut YearClock) -> Option<Envelope<'a>> {
    let rest = body.strip_prefix(b"<")?;
    let close = rest.iter().take(4).position(|&c| c == b'>')?;
    let pri = parse_u32(&rest[..close]).filter(|&p| p <= 191)?;
    let rest = &rest[close + 1..];
    let mut env = if let Some(after_version) = rest.strip_prefix(b"1 ") {
        parse_rfc5424(after_version)?
    } else if let Some(env) = parse_short(rest, clock) {
        env
    } else if let Some(env) = parse_dmesg_prefix(rest, clock) {
        env
    } else {
        let mut env = Envelope::new(LineFormat::SyslogShort, Cow::Borrowed(rest));
        fill_tail_tag_only(&mut env, rest);
        env
    };
    env.level = level_from_priority(pri & 7);
    Some(env)
}

fn fill_tail_tag_only<'a>(env: &mut Envelope<'a>, rest: &'a [u8]) {
    if let Some(tag) = parse_tag(rest) {
        fill_tag(env, tag, &rest[tag.len..]);
    }
}

/// RFC 5424 after `<PRI>1 `: `TIMESTAMP HOST APP PROCID MSGID SD [MSG]`. MSGID goes to
/// `message_id`; a UTF-8 BOM before MSG is dropped.
fn parse_rfc5424(b: &[u8]) -> Option<Envelope<'_>> {
    let (stamp, rest) = split_token(b);
    let timestamp_us = match stamp {
        b"-" => None,
        _ => Some(
            parse_iso(stamp)
                .filter(|s| s.stamp.len == stamp.len())?
                .stamp
                .us,
        ),
    };
    let (host, rest) = split_token(rest.strip_prefix(b" ")?);
    let (app, rest) = split_token(rest.strip_prefix(b" ")?);
    let (procid, rest) = split_token(rest.strip_prefix(b" ")?);
    let (msgid, rest) = split_token(rest.strip_prefix(b" ")?);
    let rest = rest.strip_prefix(b" ")?;
    let sd_len = structured_data_len(rest)?;
    let message = rest[sd_len..].strip_prefix(b" ").unwrap_or(&rest[sd_len..]);
    let message = message
        .strip_prefix("\u{feff}".as_bytes())
        .unwrap_or(message);
    let mut env = Envelope::new(LineFormat::Rfc5424, Cow::Borrowed(message));
    env.timestamp_us = timestamp_us;
    env.host = nil_to_none(host);
    env.identifier = nil_to_none(app);
    env.pid = parse_u32(procid);
    env.message_id = nil_to_none(msgid).map(Cow::Borrowed);
    Some(env)
}

fn nil_to_none(field: &[u8]) -> Option<&[u8]> {
    (field != b"-" && !field.is_empty()).then_some(field)
}

/// Length of the STRUCTURED-DATA field: `-` or `[id k="v\]"]...`.
fn structured_data_len(b: &[u8]) -> Option<usize> {
    if b.first() == Some(&b'-') {
        return Some(1);
    }
    let mut i = 0;
    while b.get(i) == Some(&b'[') {
        i = element_end(b, i)? + 1;
    }
    (i > 0).then_some(i)
}

/// Index of the `]` closing the SD-ELEMENT opened at `start`, honouring quoted values.
fn element_end(b: &[u8], start: usize) -> Option<usize> {
    let mut in_quotes = false;
    let mut i = start + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' if in_quotes => i += 1,
            b'"' => in_quotes = !in_quotes,
            b']' if !in_quotes => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        let t = parse_tag(b"systemd[1]: x").unwrap();
        assert_eq!((t.identifier, t.pid, t.len), (&b"systemd"[..], Some(1), 12));
        assert_eq!(parse_tag(b"kernel: x").unwrap().pid, None);
        assert_eq!(parse_tag(b"kernel:").unwrap().len, 7);
        assert!(parse_tag(b"my app: x").is_none());
        assert!(parse_tag(b"a[x]: y").is_none());
        assert!(parse_tag(b"http://x").is_none());
        assert!(parse_tag(b"[1]: x").is_none());
    }

    #[test]
    fn unit_names() {
        assert!(is_unit_name(b"nginx.service"));
        assert!(is_unit_name(b"getty@tty1.service"));
        assert!(!is_unit_name(b".service"));
        assert!(!is_unit_name(b"Starting nginx.service"));
        assert_eq!(
            systemd_message_unit(b"a.socket: Failed"),
            Some(&b"a.socket"[..])
        );
    }

    #[test]
    fn structured_data() {
        assert_eq!(structured_data_len(b"- msg"), Some(1));
        assert_eq!(structured_data_len(br#"[a b="x\]y"][c] msg"#), Some(15));
        assert_eq!(structured_data_len(b"[unterminated"), None);
    }
}
