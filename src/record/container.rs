//! Container log prefixes: docker-compose `web_1  | msg` / `test-backend-1  | msg`
//! (also with ANSI colours), npm `concurrently` `[0] msg`, and the Kubernetes CRI
//! `2026-01-16T12:28:18.123456789Z stderr F msg` envelope.
//!
//! For compose and concurrently lines the service name becomes `identifier`; the rest of
//! the line is the message, which the parser then reads again for an application stamp
//! and level (see the nesting rule in the module docs of [`super`]).

use std::borrow::Cow;

use super::bytes::leading_digits;
use super::{Envelope, LineFormat};

/// `name<blanks>| msg` or `[0] msg`.
pub(crate) fn parse_compose(body: &[u8]) -> Option<Envelope<'_>> {
    if body.first() == Some(&b'[') {
        return parse_concurrently(body);
    }
    let body = skip_ansi(body);
    let name_len = body
        .iter()
        .take(80)
        .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        .count();
    if name_len == 0 {
        return None;
    }
    let after_name = skip_ansi(&body[name_len..]);
    let blanks = after_name.iter().take_while(|&&c| c == b' ').count();
    let rest = after_name[blanks..].strip_prefix(b"|")?;
    let rest = skip_ansi(rest);
    if blanks == 0 || !matches!(rest.first(), None | Some(b' ')) {
        return None;
    }
    let message = rest.strip_prefix(b" ").unwrap_or(rest);
    let mut env = Envelope::new(LineFormat::DockerCompose, Cow::Borrowed(message));
    env.identifier = Some(&body[..name_len]);
    Some(env)
}

/// `[0] msg` / `[1]` (npm concurrently, numeric names only).
fn parse_concurrently(body: &[u8]) -> Option<Envelope<'_>> {
    let inner = &body[1..];
    let digits = leading_digits(inner);
    if digits == 0 || digits > 3 || inner.get(digits) != Some(&b']') {
        return None;
    }
    let rest = &inner[digits + 1..];
    if !matches!(rest.first(), None | Some(b' ')) {
        return None;
    }
    let message = rest.strip_prefix(b" ").unwrap_or(rest);
    let mut env = Envelope::new(LineFormat::DockerCompose, Cow::Borrowed(message));
    env.identifier = Some(&inner[..digits]);
    Some(env)
}

/// Skips ANSI SGR sequences (`ESC [ ... m`) at the start.
fn skip_ansi(mut b: &[u8]) -> &[u8] {
    while let Some(rest) = b.strip_prefix(b"\x1b[") {
        let Some(end) = rest.iter().take(16).position(|&c| c == b'm') else {
            return b;
        };
        b = &rest[end + 1..];
    }
    b
}

/// CRI after its stamp: ` stdout F msg` / ` stderr P msg`.
pub(crate) fn cri_tail(rest: &[u8], timestamp_us: i64) -> Option<Envelope<'_>> {
    let rest = rest.strip_prefix(b" ")?;
    let rest = rest
        .strip_prefix(b"stdout ")
        .or_else(|| rest.strip_prefix(b"stderr "))?;
    let tag_len = rest.iter().take(16).take_while(|&&c| c != b' ').count();
    let tag = &rest[..tag_len];
    if tag.is_empty() || !tag.split(|&c| c == b':').all(|t| t == b"F" || t == b"P") {
        return None;
    }
    let message = rest[tag_len..].strip_prefix(b" ").unwrap_or_default();
    let mut env = Envelope::new(LineFormat::Cri, Cow::Borrowed(message));
    env.timestamp_us = Some(timestamp_us);
    Some(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_prefixes() {
        let env = parse_compose(b"test-backend-1       | ERROR:x").unwrap();
        assert_eq!(env.identifier, Some(&b"test-backend-1"[..]));
        assert_eq!(&*env.message, b"ERROR:x");
        let empty = parse_compose(b"test-celeryworker-1  |").unwrap();
        assert_eq!(&*empty.message, b"");
        let colored = parse_compose(b"\x1b[36mweb_1  |\x1b[0m hi").unwrap();
        assert_eq!(colored.identifier, Some(&b"web_1"[..]));
        assert_eq!(&*colored.message, b"hi");
        assert!(parse_compose(b"2026-01-16 12:28:18 | msg").is_none());
        assert!(parse_compose(b"a|b").is_none());
        assert_eq!(parse_compose(b"[0] x").unwrap().identifier, Some(&b"0"[..]));
        assert!(parse_compose(b"[0.5] x").is_none());
    }

    #[test]
    fn cri() {
        let env = cri_tail(b" stderr F boom", 7).unwrap();
        assert_eq!((&*env.message, env.timestamp_us), (&b"boom"[..], Some(7)));
        assert!(cri_tail(b" stderr X boom", 7).is_none());
    }
}
