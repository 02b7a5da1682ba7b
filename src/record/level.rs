//! Severity words and numbers: syslog/journald priorities, level names as written by
//! common loggers (`ERROR`, `warn`, `emerg`, `FATAL`, PostgreSQL's `LOG`/`PANIC` ...) and
//! numeric pino/bunyan levels.

use super::Level;

/// journald `PRIORITY` / syslog severity: 0-2 Critical, 3 Error, 4 Warning, 5 Notice,
/// 6 Info, 7 Debug.
pub(crate) fn level_from_priority(priority: u32) -> Option<Level> {
    Some(match priority {
        0..=2 => Level::Critical,
        3 => Level::Error,
        4 => Level::Warning,
        5 => Level::Notice,
        6 => Level::Info,
        7 => Level::Debug,
        _ => return None,
    })
}

/// A level word in any case (`error`, `WARN`, `Emerg`, `fatal` ...). Only full words and
/// the unambiguous short forms; see [`level_from_upper_word`] for the terse ones.
pub(crate) fn level_from_word(word: &[u8]) -> Option<Level> {
    if word.len() < 3 || word.len() > 11 {
        return None;
    }
    let mut buf = [0u8; 11];
    let lower = &mut buf[..word.len()];
    lower.copy_from_slice(word);
    lower.make_ascii_lowercase();
    Some(match &*lower {
        b"trace" | b"debug" | b"verbose" | b"fine" | b"finer" | b"finest" => Level::Debug,
        b"info" | b"information" | b"informational" => Level::Info,
        b"notice" => Level::Notice,
        b"warn" | b"warning" => Level::Warning,
        b"error" | b"err" | b"severe" => Level::Error,
        b"crit" | b"critical" | b"fatal" | b"panic" | b"emerg" | b"emergency" | b"alert" => {
            Level::Critical
        }
        _ => return None,
    })
}

/// Level words that count only when written in capitals: everything [`level_from_word`]
/// knows plus terse forms (`DBG`, `INF`, `WRN`, `ERR`, `FTL`, `TRC`, `CRT`) and PostgreSQL's
/// `LOG`. Returns `Some(None)` for PostgreSQL's levelless prefixes (`DETAIL`, `HINT`,
/// `STATEMENT`, `CONTEXT`, `LOCATION`, `QUERY`).
pub(crate) fn level_from_upper_word(word: &[u8]) -> Option<Option<Level>> {
    if word.is_empty() || !word.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    Some(Some(match word {
        b"DBG" | b"TRC" => Level::Debug,
        b"INF" | b"LOG" => Level::Info,
        b"WRN" => Level::Warning,
        b"ERR" => Level::Error,
        b"FTL" | b"CRT" => Level::Critical,
        b"DETAIL" | b"HINT" | b"STATEMENT" | b"CONTEXT" | b"LOCATION" | b"QUERY" => {
            return Some(None)
        }
        _ => return level_from_word(word).map(Some),
    }))
}

/// pino / bunyan numeric levels (10 trace ... 60 fatal).
pub(crate) fn level_from_pino_number(n: i64) -> Option<Level> {
    Some(match n {
        ..=20 => Level::Debug,
        21..=30 => Level::Info,
        31..=40 => Level::Warning,
        41..=50 => Level::Error,
        _ => Level::Critical,
    })
}

/// A level given as a structured field value: a word, or a number (0-7 syslog priority,
/// 10-60 pino).
pub(crate) fn level_from_field(value: &[u8]) -> Option<Level> {
    if let Some(level) = level_from_word(value) {
        return Some(level);
    }
    if let Some(Some(level)) = level_from_upper_word(value) {
        return Some(level);
    }
    let n: i64 = std::str::from_utf8(value).ok()?.parse().ok()?;
    match n {
        0..=7 => level_from_priority(u32::try_from(n).ok()?),
        10..=99 => level_from_pino_number(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers() {
        assert_eq!(level_from_word(b"ERROR"), Some(Level::Error));
        assert_eq!(level_from_word(b"warn"), Some(Level::Warning));
        assert_eq!(level_from_word(b"emerg"), Some(Level::Critical));
        assert_eq!(level_from_word(b"LOG"), None);
        assert_eq!(level_from_upper_word(b"LOG"), Some(Some(Level::Info)));
        assert_eq!(level_from_upper_word(b"HINT"), Some(None));
        assert_eq!(level_from_upper_word(b"Error"), None);
        assert_eq!(level_from_field(b"50"), Some(Level::Error));
        assert_eq!(level_from_field(b"3"), Some(Level::Error));
        assert_eq!(level_from_field(b"WRN"), Some(Level::Warning));
        assert_eq!(level_from_priority(0), Some(Level::Critical));
        assert_eq!(level_from_priority(8), None);
    }
}
