//! Application log lines: lines that start with their own stamp (ISO 8601, Go
//! `YYYY/MM/DD`, bracketed `[2026-01-16 12:28:18 +0000]`, logback's time-only `12:03:35.493`)
//! and/or a level (`ERROR:root:msg`, uvicorn `INFO:     ...`, PostgreSQL `LOG:  ...`,
//! `nginx: [emerg] ...`, `npm ERR! ...`), and logfmt (`time=... level=error msg="..."`).
//!
//! ISO-led lines are first checked for the envelopes that also start with an ISO stamp
//! (CRI, journalctl short-iso, dmesg ISO); whatever remains is an application line.
//!
//! In the few header tokens after the stamp, a level is a capitalized level word
//! (`ERROR`, `WARN`, `LOG`, `[ERROR]`, `|`-delimited loguru levels) or a bracketed
//! lowercase one (`[emerg]`); lowercase words are not taken so that message text such as
//! Go's `http: Accept error:` is not read as a level. The message is what follows the level
//! token and one `-`, `|` or `:` separator (or the stamp, when there is no level); Flask's
//! `ERROR in app:` puts `app` in `identifier`, python's `ERROR:name:msg` puts `name` there.

use std::borrow::Cow;

use super::bytes::{leading_digits, parse_u32, skip_blanks, split_token};
use super::container::cri_tail;
use super::json::unescape_json;
use super::kernel::dmesg_iso_tail;
use super::level::{level_from_field, level_from_upper_word, level_from_word};
use super::syslog::syslog_iso_tail;
use super::time::{parse_field_stamp, parse_iso, parse_time_of_day};
use super::{Envelope, Level, LineFormat};

/// How many tokens after a stamp are searched for a level.
const HEADER_TOKENS: usize = 5;

/// A line that starts with `YYYY-MM-DD` or `YYYY/MM/DD` and a time.
pub(crate) fn parse_iso_led(body: &[u8]) -> Option<Envelope<'_>> {
    if !body.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let iso = parse_iso(body)?;
    let rest = &body[iso.stamp.len..];
    if rest.first().is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let us = iso.stamp.us;
    if !iso.slash_date {
        if let Some(env) = cri_tail(rest, us).or_else(|| dmesg_iso_tail(&iso, rest)) {
            return Some(env);
        }
        if iso.t_separator && iso.has_zone {
            if let Some(env) = syslog_iso_tail(rest, us) {
                return Some(env);
            }
        }
    }
    Some(after_stamp(rest, Some(us)))
}

/// Everything else an application writes at the start of a line.
pub(crate) fn parse_app(body: &[u8]) -> Option<Envelope<'_>> {
    match body.first()? {
        b'[' => parse_bracketed_stamp(body).or_else(|| parse_bracketed_level(body)),
        b'0'..=b'9' => parse_time_only(body),
        _ => parse_level_prefix(body)
            .or_else(|| parse_ident_bracket_level(body))
            .or_else(|| parse_npm(body)),
    }
}

/// The application envelope after a stamp (rest starts right after the stamp).
fn after_stamp(rest: &[u8], timestamp_us: Option<i64>) -> Envelope<'_> {
    let header = scan_header(rest);
    let mut env = Envelope::new(
        LineFormat::App,
        Cow::Borrowed(&rest[header.message_start..]),
    );
    env.timestamp_us = timestamp_us;
    env.level = header.level;
    env.pid = header.pid;
    env.identifier = header.identifier;
    env
}

struct Header<'a> {
    level: Option<Level>,
    /// A level slot was found (possibly a levelless PostgreSQL `DETAIL`).
    found_level: bool,
    pid: Option<u32>,
    identifier: Option<&'a [u8]>,
    message_start: usize,
}

/// Looks for a level in the first tokens of `rest`, collecting a `[pid]` on the way.
fn scan_header(rest: &[u8]) -> Header<'_> {
    let mut pid = None;
    let mut pos = 0;
    for _ in 0..HEADER_TOKENS {
        let start = pos + (rest[pos..].len() - skip_blanks(&rest[pos..]).len());
        let (token, _) = split_token(&rest[start..]);
        if token.is_empty() {
            break;
        }
        let end = start + token.len();
        if let Some(level) = header_level(token) {
            return after_level(rest, end, level, pid);
        }
        pid = pid.or_else(|| bracketed_pid(token));
        pos = end;
    }
    Header {
        level: None,
        found_level: false,
        pid,
        identifier: None,
        message_start: skip_separator(rest, 0),
    }
}

/// What follows a level token: the message, a pid (`INFO 123 ---`, nginx `123#123:`),
/// Flask's `in app:`.
fn after_level(
    rest: &[u8],
    level_end: usize,
    level: Option<Level>,
    pid: Option<u32>,
) -> Header<'_> {
    let mut header = Header {
        level,
        found_level: true,
        pid,
        identifier: None,
        message_start: skip_separator(rest, level_end),
    };
    let tail = &rest[header.message_start..];
    let (next, after_next) = split_token(tail);
    if header.pid.is_none() {
        if let Some(pid) = parse_u32(next) {
            header.pid = Some(pid);
        } else if let Some(pid) = nginx_pid(next) {
            header.pid = Some(pid);
            header.message_start += next.len() + (after_next.len() - skip_blanks(after_next).len());
        }
    }
    if next == b"in" {
        let (name, after_name) = split_token(skip_blanks(after_next));
        if let Some(name) = name.strip_suffix(b":").filter(|n| !n.is_empty()) {
            header.identifier = Some(name);
            header.message_start = rest.len() - skip_blanks(after_name).len();
        }
    }
    header
}

/// A level token: `ERROR`, `[ERROR]`, `LOG:`, `[emerg]`; `Some(None)` for level-less
/// PostgreSQL prefixes.
fn header_level(token: &[u8]) -> Option<Option<Level>> {
    let bracketed = token.first() == Some(&b'[') && token.last() == Some(&b']');
    let core = trim_punctuation(token);
    if bracketed {
        if let Some(level) = level_from_word(core) {
            return Some(Some(level));
        }
    }
    level_from_upper_word(core)
}

fn trim_punctuation(token: &[u8]) -> &[u8] {
    let is_punct = |c: &u8| {
        matches!(
            c,
            b'[' | b']' | b'(' | b')' | b'|' | b'<' | b'>' | b':' | b','
        )
    };
    let start = token.iter().take_while(|c| is_punct(c)).count();
    let token = &token[start..];
    let end = token.len() - token.iter().rev().take_while(|c| is_punct(c)).count();
    &token[..end]
}

/// `[42]` → 42.
fn bracketed_pid(token: &[u8]) -> Option<u32> {
    parse_u32(token.strip_prefix(b"[")?.strip_suffix(b"]")?)
}

/// nginx `123#123:` → 123.
fn nginx_pid(token: &[u8]) -> Option<u32> {
    let digits = leading_digits(token);
    let rest = token.get(digits..)?.strip_prefix(b"#")?;
    let tid = leading_digits(rest);
    (rest.get(tid..) == Some(b":")).then(|| parse_u32(&token[..digits]))?
}

/// Skips blanks, then one `-`, `|` or `:` separator standing alone, then blanks.
fn skip_separator(rest: &[u8], at: usize) -> usize {
    let after = skip_blanks(rest.get(at..).unwrap_or_default());
    let after = match after {
        [b'-' | b'|' | b':', b' ' | b'\t', ..] => skip_blanks(&after[1..]),
        [b'-' | b'|' | b':'] => &after[1..],
        _ => after,
    };
    rest.len() - after.len()
}

/// `[2026-01-16 12:28:18,123] ERROR in app: msg`, gunicorn
/// `[2026-01-16 12:28:18 +0000] [123] [ERROR] msg`.
fn parse_bracketed_stamp(body: &[u8]) -> Option<Envelope<'_>> {
    let iso = parse_iso(&body[1..])?;
    let rest = body[1 + iso.stamp.len..].strip_prefix(b"]")?;
    Some(after_stamp(rest, Some(iso.stamp.us)))
}

/// `[ERROR] msg` / `[warn] msg` at the start of a line.
fn parse_bracketed_level(body: &[u8]) -> Option<Envelope<'_>> {
    let (token, rest) = split_token(body);
    if token.last() != Some(&b']') {
        return None;
    }
    let level = level_from_word(&token[1..token.len() - 1])?;
    let mut env = Envelope::new(LineFormat::App, Cow::Borrowed(skip_blanks(rest)));
    env.level = Some(level);
    Some(env)
}

/// logback / log4j `12:03:35.493 [thread] WARN  logger - msg`: no date, so no stamp;
/// taken only when a level follows.
fn parse_time_only(body: &[u8]) -> Option<Envelope<'_>> {
    let (_, len) = parse_time_of_day(body)?;
    let rest = &body[len..];
    if rest.first() != Some(&b' ') {
        return None;
    }
    let header = scan_header(rest);
    if !header.found_level {
        return None;
    }
    let mut env = after_stamp(rest, None);
    env.level = header.level;
    Some(env)
}

/// `ERROR:root:msg`, uvicorn `ERROR:    [Errno 98] ...`, PostgreSQL `PANIC:  ...`,
/// `Error: ...`, nim `ERR 2023-10-31 09:12:23.172+00:00 msg`, dropwizard
/// `INFO  [2019-04-09 11:50:39,076] logger: msg`, `FATAL something`.
fn parse_level_prefix(body: &[u8]) -> Option<Envelope<'_>> {
    let word_len = body
        .iter()
        .take(12)
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let word = &body[..word_len];
    let upper = level_from_upper_word(word);
    let level = match upper {
        Some(level) => level,
        None => Some(level_from_word(word)?),
    };
    let after = &body[word_len..];
    let mut env = match after.first()? {
        b':' => level_colon(&after[1..])?,
        b' ' if upper.is_some() => level_space(after)?,
        _ => return None,
    };
    env.level = level;
    Some(env)
}

/// After `LEVEL:`: blanks then the message, or python's `name:msg`.
fn level_colon(after_colon: &[u8]) -> Option<Envelope<'_>> {
    if matches!(after_colon.first(), None | Some(b' ' | b'\t')) {
        return Some(Envelope::new(
            LineFormat::App,
            Cow::Borrowed(skip_blanks(after_colon)),
        ));
    }
    let name_len = after_colon
        .iter()
        .take(64)
        .take_while(|&&c| c != b':' && c != b' ')
        .count();
    if after_colon.get(name_len) != Some(&b':') {
        return None;
    }
    let mut env = Envelope::new(LineFormat::App, Cow::Borrowed(&after_colon[name_len + 1..]));
    env.identifier = Some(&after_colon[..name_len]);
    Some(env)
}

/// After `LEVEL `: an ISO stamp (bracketed or not), or the message.
fn level_space(after: &[u8]) -> Option<Envelope<'_>> {
    let rest = skip_blanks(after);
    let (bracketed, stamp_text) = match rest.strip_prefix(b"[") {
        Some(inner) => (true, inner),
        None => (false, rest),
    };
    let Some(iso) = parse_iso(stamp_text) else {
        let has_text = rest.first().is_some_and(|c| !c.is_ascii_punctuation());
        return has_text.then(|| Envelope::new(LineFormat::App, Cow::Borrowed(rest)));
    };
    let mut after_stamp = &stamp_text[iso.stamp.len..];
    if bracketed {
        after_stamp = after_stamp.strip_prefix(b"]")?;
    }
    let mut env = Envelope::new(LineFormat::App, Cow::Borrowed(skip_blanks(after_stamp)));
    env.timestamp_us = Some(iso.stamp.us);
    Some(env)
}

/// `nginx: [emerg] bind() ...`.
fn parse_ident_bracket_level(body: &[u8]) -> Option<Envelope<'_>> {
    let name_len = memchr::memchr(b':', body.get(..65).unwrap_or(body))?;
    let rest = body[name_len..].strip_prefix(b": [")?;
    let name_ok = body[..name_len]
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'));
    if !name_ok {
        return None;
    }
    let close = rest.iter().take(12).position(|&c| c == b']')?;
    let level = level_from_word(&rest[..close])?;
    let message = skip_blanks(&rest[close + 1..]);
    let mut env = Envelope::new(LineFormat::App, Cow::Borrowed(message));
    env.identifier = (name_len > 0).then(|| &body[..name_len]);
    env.level = Some(level);
    Some(env)
}

/// `npm ERR! msg`, `npm WARN msg`, `npm error msg`.
fn parse_npm(body: &[u8]) -> Option<Envelope<'_>> {
    let rest = body.strip_prefix(b"npm ")?;
    let (word, message) = split_token(rest);
    let level = level_from_word(word.strip_suffix(b"!").unwrap_or(word))?;
    let mut env = Envelope::new(LineFormat::App, Cow::Borrowed(skip_blanks(message)));
    env.identifier = Some(&body[..3]);
    env.level = Some(level);
    Some(env)
}

/// logfmt: `time="2026-01-16T12:28:18Z" level=error msg="..."`. The message is the
/// `msg`/`message` value (unescaped when quoted with escapes), or the whole line.
pub(crate) fn parse_logfmt(body: &[u8]) -> Option<Envelope<'_>> {
    if !starts_with_logfmt_key(body) {
        return None;
    }
    let mut env = Envelope::new(LineFormat::Logfmt, Cow::Borrowed(body));
    let mut known = false;
    for (key, value, quoted) in (LogfmtPairs { rest: body }) {
        known |= take_logfmt_pair(&mut env, key, value, quoted);
    }
    known.then_some(env)
}

/// Fills one known key; returns whether the key was known.
fn take_logfmt_pair<'a>(env: &mut Envelope<'a>, key: &[u8], value: &'a [u8], quoted: bool) -> bool {
    match key {
        b"time" | b"ts" | b"timestamp" | b"t" | b"date" => {
            env.timestamp_us = env.timestamp_us.or(parse_field_stamp(value).map(|s| s.us));
        }
        b"level" | b"lvl" | b"severity" | b"loglevel" => {
            env.level = env.level.or(level_from_field(value));
        }
        b"msg" | b"message" => {
            if quoted && value.contains(&b'\\') {
                env.message = Cow::Owned(unescape_json(value));
            } else {
                env.message = Cow::Borrowed(value);
            }
        }
        b"pid" => env.pid = env.pid.or(parse_u32(value)),
        b"hostname" => env.host = env.host.or(Some(value)),
        // Often the request's Host header (Heroku's router) or a peer, not the machine.
        b"host" => {}
        b"logger" | b"component" | b"app" | b"service" if env.identifier.is_none() => {
            env.identifier = Some(value);
        }
        _ => return false,
    }
    true
}

fn starts_with_logfmt_key(body: &[u8]) -> bool {
    let Some(eq) = memchr::memchr(b'=', body.get(..25).unwrap_or(body)) else {
        return false;
    };
    eq > 0
        && body[0].is_ascii_alphabetic()
        && body[..eq]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'@' | b'-'))
}

/// Iterator over `key=value` pairs; `(key, raw value, quoted)`.
struct LogfmtPairs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for LogfmtPairs<'a> {
    type Item = (&'a [u8], &'a [u8], bool);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.rest = skip_blanks(self.rest);
            if self.rest.is_empty() {
                return None;
            }
            let key_len = self
                .rest
                .iter()
                .take_while(|&&c| !matches!(c, b'=' | b' ' | b'\t'))
                .count();
            let key = &self.rest[..key_len];
            let Some(after_eq) = self.rest[key_len..].strip_prefix(b"=") else {
                self.rest = &self.rest[key_len..];
                continue;
            };
            let (value, consumed, quoted) = logfmt_value(after_eq);
            self.rest = &after_eq[consumed..];
            return Some((key, value, quoted));
        }
    }
}

/// A quoted (with `\` escapes) or bare value: (value, bytes consumed, quoted).
fn logfmt_value(b: &[u8]) -> (&[u8], usize, bool) {
    if b.first() == Some(&b'"') {
        let mut i = 1;
        while let Some(&c) = b.get(i) {
            match c {
                b'\\' => i += 2,
                b'"' => return (&b[1..i], i + 1, true),
                _ => i += 1,
            }
        }
        return (&b[1..], b.len(), true);
    }
    let (value, _) = split_token(b);
    (value, value.len(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_scan_finds_levels_and_pids() {
        let h = scan_header(b" UTC [42] LOG:  listening");
        assert_eq!((h.level, h.pid), (Some(Level::Info), Some(42)));
        let h = scan_header(b" [123] [ERROR] boom");
        assert_eq!((h.level, h.pid), (Some(Level::Error), Some(123)));
        let h = scan_header(b" http: Accept error: accept tcp");
        assert_eq!(h.level, None);
        let h = scan_header(b" [emerg] 123#123: bind()");
        assert_eq!((h.level, h.pid), (Some(Level::Critical), Some(123)));
        assert_eq!(&b" [emerg] 123#123: bind()"[h.message_start..], b"bind()");
    }

    #[test]
    fn level_prefixes() {
        let env = parse_level_prefix(b"Error: listen EADDRINUSE").unwrap();
        assert_eq!(
            (env.level, &*env.message),
            (Some(Level::Error), &b"listen EADDRINUSE"[..])
        );
        assert!(parse_level_prefix(b"Errors happen").is_none());
        assert!(parse_level_prefix(b"Information").is_none());
        assert!(parse_level_prefix(b"INFO").is_none());
    }

    #[test]
    fn logfmt_pairs() {
        let pairs: Vec<_> = LogfmtPairs {
            rest: br#"a=1 b="x \" y" bare c="#,
        }
        .collect();
        assert_eq!(pairs.len(), 3);
        assert_eq!(pairs[1], (&b"b"[..], &br#"x \" y"#[..], true));
        assert_eq!(pairs[2], (&b"c"[..], &b""[..], false));
    }
}
