//! One journal entry and its rendering as a `journalctl -o json` line, so the JSON
//! envelope parser reads native journal files exactly as it reads journalctl's output.
//!
//! The rendering follows journalctl's: `__CURSOR`, `__REALTIME_TIMESTAMP`,
//! `__MONOTONIC_TIMESTAMP` and `_BOOT_ID` from the entry header (a `_BOOT_ID` data field is
//! left out, as journalctl does), then the fields; a field that occurs several times
//! becomes an array of its values; a value that is not printable UTF-8 becomes an array of
//! its bytes. Unlike journalctl without `--all`, values of 4096 bytes and more are kept
//! rather than shown as `null`. The fields come in the entry's order (journalctl's order
//! is its hash table's); JSON readers do not depend on it.

use std::fmt::Write as _;

use super::format::EntryHead;

/// One entry: the header fields and the `FIELD=value` payloads of its DATA objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The sequence number ID of the file it comes from (part of the cursor).
    pub seqnum_id: [u8; 16],
    pub head: EntryHead,
    /// `FIELD=value` payloads, in the entry's order.
    pub fields: Vec<Vec<u8>>,
}

impl Entry {
    /// Wall-clock time of the entry, microseconds since the epoch.
    pub fn realtime(&self) -> u64 {
        self.head.realtime
    }

    /// Appends the entry as one JSON object and a newline.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        let head = &self.head;
        let cursor = format!(
            "s={};i={:x};b={};m={:x};t={:x};x={:x}",
            hex_id(&self.seqnum_id),
            head.seqnum,
            hex_id(&head.boot_id),
            head.monotonic,
            head.realtime,
            head.xor_hash
        );
        out.push(b'{');
        write_key(out, b"__CURSOR");
        write_string(out, &cursor);
        out.push(b',');
        write_key(out, b"__REALTIME_TIMESTAMP");
        write_string(out, &head.realtime.to_string());
        out.push(b',');
        write_key(out, b"__MONOTONIC_TIMESTAMP");
        write_string(out, &head.monotonic.to_string());
        out.push(b',');
        write_key(out, b"_BOOT_ID");
        write_string(out, &hex_id(&head.boot_id));
        for (name, values) in self.grouped_fields() {
            out.push(b',');
            write_key(out, name);
            match values.as_slice() {
                [value] => write_value(out, value),
                values => {
                    out.push(b'[');
                    for (n, value) in values.iter().enumerate() {
                        if n > 0 {
                            out.push(b',');
                        }
                        write_value(out, value);
                    }
                    out.push(b']');
                }
            }
        }
        out.extend_from_slice(b"}\n");
    }

    /// Field names in order of first occurrence, each with all its values. Payloads
    /// without `=` (or with an empty name) and `_BOOT_ID` (shown from the header) are
    /// left out.
    fn grouped_fields(&self) -> Vec<(&[u8], Vec<&[u8]>)> {
        let mut grouped: Vec<(&[u8], Vec<&[u8]>)> = Vec::new();
        for field in &self.fields {
            let Some(eq) = memchr::memchr(b'=', field) else {
                continue;
            };
            let (name, value) = (&field[..eq], &field[eq + 1..]);
            if name.is_empty() || name == b"_BOOT_ID" {
                continue;
            }
            match grouped.iter_mut().find(|(known, _)| *known == name) {
                Some((_, values)) => values.push(value),
                None => grouped.push((name, vec![value])),
            }
        }
        grouped
    }
}

/// A 128-bit ID as 32 lower-case hex digits.
fn hex_id(id: &[u8; 16]) -> String {
    id.iter().fold(String::with_capacity(32), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

fn write_key(out: &mut Vec<u8>, name: &[u8]) {
    write_string(out, &String::from_utf8_lossy(name));
    out.push(b':');
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    // Serialising a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// A value as journalctl shows it: a string when printable, else an array of bytes.
fn write_value(out: &mut Vec<u8>, value: &[u8]) {
    match printable_text(value) {
        Some(text) => write_string(out, text),
        None => {
            out.push(b'[');
            for (n, byte) in value.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(byte.to_string().as_bytes());
            }
            out.push(b']');
        }
    }
}

/// The value as text if systemd counts it printable: valid UTF-8 without control
/// characters other than tab and newline, and without Unicode noncharacters.
fn printable_text(value: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(value).ok()?;
    text.chars()
        .all(|c| {
            let code = u32::from(c);
            let control = c.is_control() && c != '\t' && c != '\n';
            let noncharacter = (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE;
            !control && !noncharacter
        })
        .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fields: &[&[u8]]) -> Entry {
        Entry {
            seqnum_id: [0xab; 16],
            head: EntryHead {
                seqnum: 26,
                realtime: 1_768_566_461_902_000,
                monotonic: 1_055_749_484_000,
                boot_id: [0x01; 16],
                xor_hash: 0xbeef,
            },
            fields: fields.iter().map(|field| field.to_vec()).collect(),
        }
    }

    fn rendered(entry: &Entry) -> serde_json::Value {
        let mut line = Vec::new();
        entry.write_json_line(&mut line);
        assert!(line.ends_with(b"}\n"));
        assert_eq!(memchr::memchr_iter(b'\n', &line).count(), 1);
        serde_json::from_slice(&line).expect("valid JSON")
    }

    #[test]
    fn renders_like_journalctl_json() {
        let json = rendered(&entry(&[
            b"MESSAGE=hello \"world\"\nsecond line",
            b"_PID=42",
            b"_BOOT_ID=0101",
            b"TAG=a",
            b"TAG=b",
            b"BINARY=\x1b[1mbold",
            b"no equals sign",
        ]));
        assert_eq!(
            json["__CURSOR"],
            format!(
                "s={};i=1a;b={};m=f5cf92ade0;t=6488077b92cb0;x=beef",
                "ab".repeat(16),
                "01".repeat(16)
            )
        );
        assert_eq!(json["__REALTIME_TIMESTAMP"], "1768566461902000");
        assert_eq!(json["__MONOTONIC_TIMESTAMP"], "1055749484000");
        assert_eq!(json["_BOOT_ID"], "01".repeat(16));
        assert_eq!(json["MESSAGE"], "hello \"world\"\nsecond line");
        assert_eq!(json["_PID"], "42");
        assert_eq!(json["TAG"], serde_json::json!(["a", "b"]));
        assert_eq!(
            json["BINARY"],
            serde_json::json!([27, 91, 49, 109, 98, 111, 108, 100])
        );
        assert_eq!(json.as_object().map(|o| o.len()), Some(8));
    }

    #[test]
    fn printable_follows_systemd() {
        assert!(printable_text(b"tab\tand\nnewline").is_some());
        assert!(printable_text("ünïcode".as_bytes()).is_some());
        assert!(printable_text(b"bell\x07").is_none());
        assert!(printable_text(b"\xff\xfe").is_none());
        assert!(printable_text("c1 \u{85}".as_bytes()).is_none());
        assert!(printable_text("nonchar \u{FFFE}".as_bytes()).is_none());
    }
}
