//! systemd presentation lines that are not journal entries: journalctl `-x` catalog text
//! (`░░ ...`, `-- Logs begin at ... --`, `-- Boot ... --`, `-- No entries --`) and
//! `systemctl status` headers (`● nginx.service - ...`, `Active:`, `Process:`, `Main PID:`,
//! `CGroup:` and its `├─10657 ...` tree).
//!
//! Status lines keep the whole trimmed line as the message. `Active:` lines get the
//! `since` stamp as `timestamp_us` (and it is used as a year hint), and level Error when
//! the state is `failed`; `Process:`/`Main PID:` lines get level Error when the process
//! was killed, dumped core or exited with a non-zero status.

use std::borrow::Cow;

use super::bytes::{find, leading_digits, parse_u32, skip_blanks, split_token};
use super::syslog::is_unit_name;
use super::time::parse_iso;
use super::year::YearClock;
use super::{Envelope, Level, LineFormat};

const CATALOG_MARK: &[u8] = "\u{2591}\u{2591}".as_bytes();

/// `░░ text` or `-- text`.
pub(crate) fn parse_catalog<'a>(body: &'a [u8], clock: &mut YearClock) -> Option<Envelope<'a>> {
    let text = if let Some(rest) = body.strip_prefix(CATALOG_MARK) {
        rest.strip_prefix(b" ").unwrap_or(rest)
    } else {
        let rest = body.strip_prefix(b"--")?;
        match rest.first() {
            None => rest,
            Some(b' ') => &rest[1..],
            Some(_) => return None,
        }
    };
    if let Some(year) = logs_begin_year(text) {
        clock.note_hint(year);
    }
    Some(Envelope::new(LineFormat::Catalog, Cow::Borrowed(text)))
}

/// The year in `Logs begin at Fri 2015-03-06 02:02:25 UTC` / `Journal begins at ...`.
fn logs_begin_year(text: &[u8]) -> Option<i32> {
    let at = find(text.get(..40)?, b"begin")?;
    let after = &text[at..];
    let since = find(after, b" at ")? + 4;
    date_after_weekday(&after[since..]).map(|iso| iso.stamp.year)
}

/// `Thu 2019-03-07 13:28:11 CET` (the weekday may be localized, e.g. `Mo`).
fn date_after_weekday(b: &[u8]) -> Option<super::time::IsoStamp> {
    let b = skip_blanks(b);
    if let Some(iso) = parse_iso(b) {
        return Some(iso);
    }
    let (_weekday, rest) = split_token(b);
    parse_iso(skip_blanks(rest))
}

const STATUS_KEYS: &[&[u8]] = &[
    b"Loaded:",
    b"Active:",
    b"Process:",
    b"Main PID:",
    b"CGroup:",
    b"Docs:",
    b"Tasks:",
    b"Memory:",
    b"CPU:",
    b"Status:",
    b"Triggers:",
    b"Duration:",
    b"Invocation:",
    b"IP:",
    b"IO:",
    b"Mem peak:",
    b"Swap peak:",
    b"Drop-In:",
    b"Condition:",
    b"Listen:",
    b"Accepted:",
    b"Connected:",
    b"Trigger:",
    b"Follows:",
    b"Where:",
    b"What:",
];

/// Header markers: `●` active, `×` failed, `○` inactive, `↻` reloading, `*` (no UTF-8).
const HEADER_MARKS: &[&[u8]] = &[
    "\u{25cf} ".as_bytes(),
    "\u{d7} ".as_bytes(),
    "\u{25cb} ".as_bytes(),
    "\u{21bb} ".as_bytes(),
    b"* ",
];

const TREE_MARKS: &[&[u8]] = &[
    "\u{251c}\u{2500}".as_bytes(),
    "\u{2514}\u{2500}".as_bytes(),
    "\u{2502}".as_bytes(),
];

/// A `systemctl status` line. `indent` is the number of blanks trimmed before `body`.
pub(crate) fn parse_status(body: &[u8], indent: usize) -> Option<Envelope<'_>> {
    if let Some(env) = parse_status_header(body) {
        return Some(env);
    }
    let key = if indent == 0 {
        body.starts_with(b"TriggeredBy:")
            .then_some(&b"TriggeredBy:"[..])?
    } else {
        if let Some(env) = parse_tree_line(body) {
            return Some(env);
        }
        STATUS_KEYS
            .iter()
            .find(|key| body.starts_with(key))
            .copied()?
    };
    if !matches!(body.get(key.len()), None | Some(b' ')) {
        return None;
    }
    let value = skip_blanks(&body[key.len()..]);
    let mut env = Envelope::new(LineFormat::SystemctlStatus, Cow::Borrowed(body));
    match key {
        b"Active:" => fill_active(&mut env, value),
        b"Process:" | b"Main PID:" => fill_process(&mut env, value),
        _ => {}
    }
    Some(env)
}

/// `● nginx.service - Description` (also without a description).
fn parse_status_header(body: &[u8]) -> Option<Envelope<'_>> {
    let mark = HEADER_MARKS.iter().find(|m| body.starts_with(m))?;
    let (name, rest) = split_token(&body[mark.len()..]);
    if !is_unit_name(name) || !(rest.is_empty() || rest.starts_with(b" - ")) {
        return None;
    }
    let mut env = Envelope::new(LineFormat::SystemctlStatus, Cow::Borrowed(body));
    env.unit = Some(Cow::Borrowed(name));
    Some(env)
}

/// `├─10657 nginx: master process ...`.
fn parse_tree_line(body: &[u8]) -> Option<Envelope<'_>> {
    let mark = TREE_MARKS.iter().find(|m| body.starts_with(m))?;
    let rest = &body[mark.len()..];
    let digits = leading_digits(rest);
    let mut env = Envelope::new(LineFormat::SystemctlStatus, Cow::Borrowed(body));
    env.pid = parse_u32(&rest[..digits]);
    Some(env)
}

fn fill_active(env: &mut Envelope<'_>, value: &[u8]) {
    if value.starts_with(b"failed") {
        env.level = Some(Level::Error);
    }
    let Some(since) = find(value, b" since ") else {
        return;
    };
    if let Some(iso) = date_after_weekday(&value[since + 7..]) {
        env.timestamp_us = Some(iso.stamp.us);
    }
}

/// `822 ExecStart=/usr/bin/miniflux (code=exited, status=1/FAILURE)` / `822 (code=...)`.
fn fill_process(env: &mut Envelope<'_>, value: &[u8]) {
    env.pid = parse_u32(&value[..leading_digits(value)]);
    let failed = find(value, b"code=killed").is_some()
        || find(value, b"code=dumped").is_some()
        || find(value, b"status=").is_some_and(|at| {
            !value[at + 7..].starts_with(b"0/") && !value[at + 7..].starts_with(b"0)")
        });
    if failed {
        env.level = Some(Level::Error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn begin_year() {
        assert_eq!(
            logs_begin_year(b"Logs begin at Fri 2015-03-06 02:02:25 UTC. --"),
            Some(2015)
        );
        assert_eq!(logs_begin_year(b"Boot 1234 --"), None);
    }
}
