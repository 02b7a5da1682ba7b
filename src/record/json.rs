//! JSON lines: journalctl `-o json`, docker json-file and JSON application logs.
//!
//! A small hand-written scanner walks the top-level fields of one flat object without
//! building a tree (nested objects and arrays are skipped as raw bytes). String values
//! borrow the raw bytes between the quotes; only the message is unescaped (into an owned
//! buffer, when it has escapes). An application line's message also carries the error its
//! logger put beside it (`error`, `err`, `exception` ...: "failed to connect: dial tcp
//! 10.0.0.5:27017: connect: connection refused"), where the cause often is; of a stack
//! trace, only its last line (the exception), so a logged trace is not read as a crash.
//! `identifier` and `host` must borrow, so when such a value contains escapes it is
//! returned still escaped (rare: hostnames and identifiers are plain ASCII in practice).

use std::borrow::Cow;

use super::level::{level_from_field, level_from_priority};
use super::time::parse_field_stamp;
use super::{bytes::parse_u32, Envelope, LineFormat};

/// One top-level value, as raw bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum JsonValue<'a> {
    /// Bytes between the quotes, still escaped when `escaped`.
    Str { raw: &'a [u8], escaped: bool },
    /// An array, including its brackets.
    Array(&'a [u8]),
    /// A number, `true`, `false`, `null` or a nested object.
    Other(&'a [u8]),
}

impl<'a> JsonValue<'a> {
    /// The raw text of a string or a scalar (numbers as written).
    fn text(self) -> Option<&'a [u8]> {
        match self {
            JsonValue::Str { raw, .. } => Some(raw),
            JsonValue::Other(raw) if raw.first() != Some(&b'{') => Some(raw),
            _ => None,
        }
    }

    /// A string value decoded; borrowed when it has no escapes.
    fn decoded(self) -> Option<Cow<'a, [u8]>> {
        match self {
            JsonValue::Str {
                raw,
                escaped: false,
            } => Some(Cow::Borrowed(raw)),
            JsonValue::Str { raw, escaped: true } => Some(Cow::Owned(unescape_json(raw))),
            JsonValue::Array(raw) => byte_array(raw).map(Cow::Owned),
            JsonValue::Other(_) => None,
        }
    }
}

/// Iterator over `(key, value)` of a flat JSON object; stops at the first syntax error.
pub(crate) struct JsonFields<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> JsonFields<'a> {
    /// Starts at the opening `{` (after optional blanks / a json-seq RS byte).
    pub(crate) fn new(line: &'a [u8]) -> Option<Self> {
        let start = line
            .iter()
            .position(|&c| !matches!(c, b' ' | b'\t' | 0x1e))?;
        (line[start] == b'{').then_some(JsonFields {
            bytes: line,
            pos: start + 1,
        })
    }

    fn skip_ws(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.bytes.get(self.pos) == Some(&byte)).then(|| self.pos += 1)
    }

    /// Reads a string whose opening quote is at `self.pos`.
    fn string(&mut self) -> Option<(&'a [u8], bool)> {
        let start = self.pos + 1;
        let end = string_end(self.bytes, start)?;
        self.pos = end + 1;
        let raw = &self.bytes[start..end];
        Some((raw, memchr::memchr(b'\\', raw).is_some()))
    }

    fn value(&mut self) -> Option<JsonValue<'a>> {
        self.skip_ws();
        let start = self.pos;
        match *self.bytes.get(start)? {
            b'"' => self
                .string()
                .map(|(raw, escaped)| JsonValue::Str { raw, escaped }),
            b'[' | b'{' => {
                let end = container_end(self.bytes, start)?;
                self.pos = end + 1;
                let raw = &self.bytes[start..=end];
                Some(if raw[0] == b'[' {
                    JsonValue::Array(raw)
                } else {
                    JsonValue::Other(raw)
                })
            }
            _ => {
                let len = self.bytes[start..]
                    .iter()
                    .take_while(|&&c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\t'))
                    .count();
                self.pos += len;
                (len > 0).then(|| JsonValue::Other(&self.bytes[start..start + len]))
            }
        }
    }
}

impl<'a> Iterator for JsonFields<'a> {
    type Item = (&'a [u8], JsonValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.skip_ws();
        match *self.bytes.get(self.pos)? {
            b',' => {
                self.pos += 1;
                self.skip_ws();
            }
            b'}' => return None,
            _ => {}
        }
        if self.bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        let (key, _) = self.string()?;
        self.expect(b':')?;
        let value = self.value()?;
        Some((key, value))
    }
}

/// Index of the closing quote of a string starting at `start` (just after the opening one).
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'"' {
            return Some(i);
        }
        i += 2;
    }
}

/// Index of the bracket closing the array/object opened at `start`.
fn container_end(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => i = string_end(b, i + 1)?,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Decodes JSON string escapes; invalid escapes are kept as written, lone surrogates
/// become U+FFFD.
pub(crate) fn unescape_json(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = raw.get(i + 1) else {
            out.push(c);
            break;
        };
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'u' => i += push_unicode_escape(raw, i, &mut out),
            b'"' | b'\\' | b'/' => out.push(e),
            _ => out.extend_from_slice(&[b'\\', e]),
        }
    }
    out
}

/// Handles the `XXXX` of `\uXXXX` at `at` (and a following low surrogate); returns the
/// number of bytes consumed after the `\u`.
fn push_unicode_escape(raw: &[u8], at: usize, out: &mut Vec<u8>) -> usize {
    let Some(high) = hex4(raw, at) else {
        out.extend_from_slice(b"\\u");
        return 0;
    };
    let (code, used) = if (0xd800..0xdc00).contains(&high) {
        match (raw.get(at + 4..at + 6), hex4(raw, at + 6)) {
            (Some(b"\\u"), Some(low)) if (0xdc00..0xe000).contains(&low) => {
                (0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00), 10)
            }
            _ => (0xfffd, 4),
        }
    } else {
        (high, 4)
    };
    let ch = char::from_u32(code).unwrap_or('\u{fffd}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    used
}

fn hex4(raw: &[u8], at: usize) -> Option<u32> {
    let text = std::str::from_utf8(raw.get(at..at + 4)?).ok()?;
    u32::from_str_radix(text, 16).ok()
}

/// journald's byte-array form of MESSAGE: `[72,105]` → `Hi`.
fn byte_array(raw: &[u8]) -> Option<Vec<u8>> {
    let inner = raw.strip_prefix(b"[")?.strip_suffix(b"]")?;
    inner
        .split(|&c| c == b',')
        .filter(|part| !part.iter().all(u8::is_ascii_whitespace))
        .map(|part| {
            let text = std::str::from_utf8(part).ok()?.trim();
            text.parse::<u8>().ok()
        })
        .collect()
}

/// Fields of interest collected in one pass.
#[derive(Default)]
struct Collected<'a> {
    journal: bool,
    realtime: Option<&'a [u8]>,
    monotonic: Option<&'a [u8]>,
    priority: Option<&'a [u8]>,
    pid: Option<&'a [u8]>,
    syslog_pid: Option<&'a [u8]>,
    unit: Option<JsonValue<'a>>,
    user_unit: Option<JsonValue<'a>>,
    /// `UNIT` / `USER_UNIT`: the unit a service manager's message is about.
    subject_unit: Option<JsonValue<'a>>,
    identifier: Option<&'a [u8]>,
    comm: Option<&'a [u8]>,
    host: Option<&'a [u8]>,
    message: Option<JsonValue<'a>>,
    message_id: Option<JsonValue<'a>>,
    docker_log: Option<JsonValue<'a>>,
    stream: bool,
    time: Option<&'a [u8]>,
    level: Option<&'a [u8]>,
    app_message: Option<JsonValue<'a>>,
    /// The text of the error a structured logger puts beside the message (`error`, `err`,
    /// ...), decoded ([`error_text`]).
    app_error: Option<Cow<'a, [u8]>>,
    app_name: Option<&'a [u8]>,
}

impl<'a> Collected<'a> {
    fn take(&mut self, key: &[u8], value: JsonValue<'a>) {
        let text = value.text();
        match key {
            b"__REALTIME_TIMESTAMP" => self.realtime = text,
            b"__MONOTONIC_TIMESTAMP" => self.monotonic = text,
            b"__CURSOR" => self.journal = true,
            b"PRIORITY" => self.priority = text,
            b"_PID" => self.pid = text,
            b"SYSLOG_PID" => self.syslog_pid = text,
            b"_SYSTEMD_UNIT" => self.unit = Some(value),
            b"_SYSTEMD_USER_UNIT" => self.user_unit = Some(value),
            b"UNIT" | b"USER_UNIT" => self.subject_unit = Some(value),
            b"SYSLOG_IDENTIFIER" => self.identifier = text,
            b"_COMM" => self.comm = text,
            b"_HOSTNAME" => self.host = text,
            b"MESSAGE" => self.message = Some(value),
            b"MESSAGE_ID" => self.message_id = Some(value),
            b"log" => self.docker_log = Some(value),
            b"stream" => self.stream = true,
            _ => self.take_app_field(key, value, text),
        }
    }

    fn take_app_field(&mut self, key: &[u8], value: JsonValue<'a>, text: Option<&'a [u8]>) {
        match key {
            b"time" | b"ts" | b"timestamp" | b"@timestamp" | b"t" | b"datetime" | b"date" => {
                self.time = self.time.or(text);
            }
            b"level" | b"severity" | b"lvl" | b"loglevel" | b"levelname" | b"log.level"
            | b"@level" => self.level = self.level.or(text),
            b"msg" | b"message" | b"event" | b"@message" => {
                self.app_message = self.app_message.or(Some(value));
            }
            // zap and logrus (`error`), pino and bunyan (`err`, an object with a
            // `message`), ECS (`error.message`), python-json-logger (`exc_info`, the
            // traceback), structlog (`exception`).
            b"error" | b"err" | b"error.message" | b"exception" | b"exc_info"
                if self.app_error.is_none() =>
            {
                self.app_error = error_text(value);
            }
            b"pid" | b"process" => self.pid = self.pid.or(text),
            // The machine. A bare `host` is as often a peer or a request's Host header
            // (nginx JSON access logs, database clients), so it names no machine.
            b"hostname" => self.host = self.host.or(text),
            b"logger" | b"name" | b"logger_name" | b"service" | b"app" | b"component" => {
                self.app_name = self.app_name.or(text);
            }
            _ => {}
        }
    }

    fn is_journal(&self) -> bool {
        self.journal || self.realtime.is_some() || self.message.is_some()
    }
}

/// Parses one JSON line into a journal, docker or application envelope.
pub(crate) fn parse_json_line(line: &[u8]) -> Option<Envelope<'_>> {
    let mut fields = JsonFields::new(line)?;
    let mut collected = Collected::default();
    let mut any = false;
    for (key, value) in fields.by_ref() {
        collected.take(key, value);
        any = true;
    }
    if !any {
        return None;
    }
    if collected.is_journal() {
        Some(journal_envelope(line, collected))
    } else if collected.docker_log.is_some() && (collected.stream || collected.time.is_some()) {
        Some(docker_envelope(line, collected))
    } else if collected.level.is_some() || collected.app_message.is_some() {
        Some(app_envelope(line, collected))
    } else {
        None
    }
}

fn decoded_message<'a>(value: Option<JsonValue<'a>>, line: &'a [u8]) -> Cow<'a, [u8]> {
    value
        .and_then(JsonValue::decoded)
        .unwrap_or(Cow::Borrowed(line))
}

fn journal_envelope<'a>(line: &'a [u8], c: Collected<'a>) -> Envelope<'a> {
    let mut env = Envelope::new(LineFormat::JournalJson, decoded_message(c.message, line));
    env.timestamp_us = c.realtime.and_then(parse_digits_i64);
    env.monotonic_s = c
        .monotonic
        .and_then(parse_digits_i64)
        .map(|us| us as f64 / 1e6);
    env.host = c.host;
    env.identifier = c.identifier.or(c.comm);
    // systemd's own messages run in init.scope (or user@UID.service) but are about the
    // unit in UNIT= / USER_UNIT=; a process's messages carry its own unit.
    env.unit = c
        .subject_unit
        .or(c.user_unit)
        .or(c.unit)
        .and_then(JsonValue::decoded);
    env.pid = c.pid.or(c.syslog_pid).and_then(parse_u32);
    env.level = c.priority.and_then(parse_u32).and_then(level_from_priority);
    env.message_id = c.message_id.and_then(JsonValue::decoded);
    env
}

fn docker_envelope<'a>(line: &'a [u8], c: Collected<'a>) -> Envelope<'a> {
    let mut message = decoded_message(c.docker_log, line);
    strip_trailing_newline(&mut message);
    let mut env = Envelope::new(LineFormat::DockerJson, message);
    env.timestamp_us = c.time.and_then(parse_field_stamp).map(|s| s.us);
    env
}

fn app_envelope<'a>(line: &'a [u8], c: Collected<'a>) -> Envelope<'a> {
    let mut message = decoded_message(c.app_message, line);
    if let Some(error) = c.app_error {
        // The cause is often only in the error field ("failed to connect" + "dial tcp
        // 10.0.0.5:27017: connect: connection refused"): the message carries both, as
        // logfmt and zap's console output print them.
        if c.app_message.is_some() && memchr::memmem::find(&message, &error).is_none() {
            let mut joined = message.into_owned();
            joined.extend_from_slice(b": ");
            joined.extend_from_slice(&error);
            message = Cow::Owned(joined);
        }
    }
    let mut env = Envelope::new(LineFormat::JsonApp, message);
    env.timestamp_us = c.time.and_then(parse_field_stamp).map(|s| s.us);
    env.level = c.level.and_then(level_from_field);
    env.pid = c.pid.and_then(parse_u32);
    env.host = c.host;
    env.identifier = c.app_name;
    env
}

/// An error field's text: a string, or the `message` of an error object (pino's `err`);
/// of a stack trace (python-json-logger's `exc_info`), its last line, the exception. `None`
/// when there is no text (it is never empty).
fn error_text(value: JsonValue<'_>) -> Option<Cow<'_, [u8]>> {
    let text = match value {
        JsonValue::Other(raw) if raw.first() == Some(&b'{') => JsonFields::new(raw)?
            .find(|(key, _)| matches!(*key, b"message" | b"msg"))
            .and_then(|(_, message)| message.decoded())?,
        JsonValue::Str { .. } => value.decoded()?,
        _ => return None,
    };
    let last_line = text
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .rfind(|line| !line.is_empty())?;
    if last_line.len() == text.len() {
        return Some(text);
    }
    Some(Cow::Owned(last_line.to_vec()))
}

fn parse_digits_i64(text: &[u8]) -> Option<i64> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

fn strip_trailing_newline(message: &mut Cow<'_, [u8]>) {
    let keep = message
        .iter()
        .rev()
        .skip_while(|&&c| c == b'\n' || c == b'\r')
        .count();
    match message {
        Cow::Borrowed(b) => *b = &b[..keep],
        Cow::Owned(v) => v.truncate(keep),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Level;

    #[test]
    fn scanner_walks_flat_objects() {
        let line = br#"{ "a" : "x\"y", "b":[1,[2]], "c": {"d":"}"}, "e": 12 , "f":"z"}"#;
        let keys: Vec<&[u8]> = JsonFields::new(line).unwrap().map(|(k, _)| k).collect();
        assert_eq!(keys, vec![&b"a"[..], b"b", b"c", b"e", b"f"]);
    }

    #[test]
    fn unescapes() {
        assert_eq!(
            unescape_json(br#"a\n\"b\u00e9\ud83d\ude00\/"#),
            "a\n\"b\u{e9}\u{1f600}/".as_bytes()
        );
        assert_eq!(unescape_json(br"\ud800x\u12"), "\u{fffd}x\\u12".as_bytes());
        assert_eq!(unescape_json(b"end\\"), b"end\\");
    }

    #[test]
    fn journal_json_fields() {
        let line = br#"{"__REALTIME_TIMESTAMP":"1554810639076876","PRIORITY":"3","_PID":"1927","_COMM":"dockerd","_SYSTEMD_UNIT":"docker.service","_HOSTNAME":"h1","MESSAGE_ID":"abc","MESSAGE":[72,105]}"#;
        let env = parse_json_line(line).unwrap();
        assert_eq!(env.format, LineFormat::JournalJson);
        assert_eq!(env.timestamp_us, Some(1_554_810_639_076_876));
        assert_eq!(env.level, Some(Level::Error));
        assert_eq!(env.pid, Some(1927));
        assert_eq!(env.identifier, Some(&b"dockerd"[..]));
        assert_eq!(env.unit.as_deref(), Some(&b"docker.service"[..]));
        assert_eq!(env.host, Some(&b"h1"[..]));
        assert_eq!(env.message_id.as_deref(), Some(&b"abc"[..]));
        assert_eq!(&*env.message, b"Hi");
    }
}
