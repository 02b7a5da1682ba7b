//! What can go wrong with journal files: [`JournalError`] for a file that cannot be read at
//! all, and [`Damage`] for the parts of a readable file that were skipped.
//!
//! A damaged file is read as far as it goes; its damage is collected and handed over once,
//! as a [`JournalError::Damaged`] at the end of the stream, after every readable entry.
//! [`InputError::from_read`](crate::input::InputError::from_read) turns it into an
//! [`InputError::Journal`](crate::input::InputError::Journal) naming the source.

use std::fmt;

use super::format::MIN_HEADER_SIZE;

/// How many problems a message lists before it only counts the rest.
const LISTED_PROBLEMS: usize = 3;

/// A journal file (or a set of them read as one stream) that could not be read whole.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file is shorter than a journal header.
    #[error(
        "journal file cut short ({len} bytes; a journal file starts with a \
         {MIN_HEADER_SIZE}-byte header)"
    )]
    HeaderTooShort { len: u64 },

    /// The header's sizes or offsets cannot be right.
    #[error("damaged journal header ({detail}); `journalctl --verify --file` checks the file")]
    BadHeader { detail: String },

    /// A newer journal format: a feature flag this reader does not know.
    #[error(
        "journal file uses features this version cannot read (incompatible flags {flags:#x}); \
         `journalctl --file ... -o json | logsleuth` reads it"
    )]
    UnsupportedFeatures { flags: u32 },

    /// A journal piped in on stdin is read into memory, up to a limit.
    #[error("journal data on stdin is larger than {limit_mib} MiB; pass the file's path instead")]
    TooLargeForStdin { limit_mib: u64 },

    /// Parts of the data were skipped; every readable entry was read.
    #[error("{}", describe_damage(.entries_read, .damage))]
    Damaged {
        entries_read: u64,
        damage: Vec<Damage>,
    },
}

/// One skipped part of a journal file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The file, as named in messages (in a merged directory, the file itself).
    pub file: String,
    /// Where in the file (the offset of the object concerned).
    pub offset: u64,
    /// What is wrong and what was skipped.
    pub what: String,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at offset {:#x}: {}",
            self.file, self.offset, self.what
        )
    }
}

fn describe_damage(entries_read: &u64, damage: &[Damage]) -> String {
    let mut text = format!(
        "damaged journal data, {entries_read} entries read, {} problem{} skipped: ",
        damage.len(),
        if damage.len() == 1 { "" } else { "s" }
    );
    let listed: Vec<String> = damage
        .iter()
        .take(LISTED_PROBLEMS)
        .map(ToString::to_string)
        .collect();
    text.push_str(&listed.join("; "));
    if damage.len() > LISTED_PROBLEMS {
        text.push_str(&format!("; and {} more", damage.len() - LISTED_PROBLEMS));
    }
    text.push_str(" (`journalctl --verify --file` shows the damage)");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn damage(offset: u64) -> Damage {
        Damage {
            file: "system.journal".into(),
            offset,
            what: "ENTRY object extends past the end of the file".into(),
        }
    }

    #[test]
    fn damage_messages_name_the_file_and_count_the_rest() {
        let one = JournalError::Damaged {
            entries_read: 10,
            damage: vec![damage(0x40)],
        };
        assert_eq!(
            one.to_string(),
            "damaged journal data, 10 entries read, 1 problem skipped: system.journal at \
             offset 0x40: ENTRY object extends past the end of the file (`journalctl --verify \
             --file` shows the damage)"
        );
        let many = JournalError::Damaged {
            entries_read: 0,
            damage: (0..5).map(|n| damage(n * 8)).collect(),
        };
        let text = many.to_string();
        assert!(text.contains("5 problems skipped"), "{text}");
        assert!(text.contains("; and 2 more"), "{text}");
    }
}
