//! Journal files built byte by byte: every layout (regular and compact items), every
//! compression, entry array chains, merging, and damage of every kind read without panics.

use std::io::{Cursor, Read};

use super::decompress::MAX_FIELD_SIZE;
use super::file::JournalFile;
use super::format::*;
use super::merge::JournalLines;
use super::JournalError;
use crate::input::{collect_sources, open, InputError, Location};

const HEADER_SIZE: u64 = 272;

/// Writes journal files the way journald lays them out: DATA objects, then the ENTRY,
/// then (when the last array is full) a new ENTRY_ARRAY of twice the size, linked from
/// the previous one.
struct JournalBuilder {
    compact: bool,
    incompatible_flags: u32,
    bytes: Vec<u8>,
    /// (offset, capacity, used) of every entry array, in chain order.
    arrays: Vec<(u64, u64, u64)>,
    n_entries: u64,
    tail_object: u64,
}

impl JournalBuilder {
    fn new(compact: bool) -> Self {
        let mut bytes = vec![0u8; HEADER_SIZE as usize];
        bytes[..8].copy_from_slice(JOURNAL_MAGIC);
        let incompatible_flags = if compact { INCOMPATIBLE_COMPACT } else { 0 };
        JournalBuilder {
            compact,
            incompatible_flags,
            bytes,
            arrays: Vec::new(),
            n_entries: 0,
            tail_object: 0,
        }
    }

    fn layout(&self) -> ItemLayout {
        ItemLayout {
            compact: self.compact,
        }
    }

    fn append_object(&mut self, kind: u8, flags: u8, body: &[u8]) -> u64 {
        let offset = self.bytes.len() as u64;
        let size = OBJECT_HEADER_SIZE + body.len() as u64;
        self.bytes.push(kind);
        self.bytes.push(flags);
        self.bytes.extend_from_slice(&[0; 6]);
        self.bytes.extend_from_slice(&size.to_le_bytes());
        self.bytes.extend_from_slice(body);
        while self.bytes.len() % 8 != 0 {
            self.bytes.push(0);
        }
        self.tail_object = offset;
        offset
    }

    /// A DATA object holding `payload`, compressed as `flags` says.
    fn data(&mut self, field: &[u8], flags: u8) -> u64 {
        let payload = match flags {
            0 => field.to_vec(),
            OBJECT_COMPRESSED_XZ => {
                let mut encoder = xz2::write::XzEncoder::new(Vec::new(), 6);
                std::io::Write::write_all(&mut encoder, field).expect("xz");
                encoder.finish().expect("xz")
            }
            OBJECT_COMPRESSED_LZ4 => {
                let mut framed = (field.len() as u64).to_le_bytes().to_vec();
                framed.extend(lz4_flex::block::compress(field));
                framed
            }
            OBJECT_COMPRESSED_ZSTD => zstd::encode_all(field, 3).expect("zstd"),
            other => panic!("no compression {other}"),
        };
        self.incompatible_flags |= match flags {
            OBJECT_COMPRESSED_XZ => INCOMPATIBLE_COMPRESSED_XZ,
            OBJECT_COMPRESSED_LZ4 => INCOMPATIBLE_COMPRESSED_LZ4,
            OBJECT_COMPRESSED_ZSTD => INCOMPATIBLE_COMPRESSED_ZSTD,
            _ => 0,
        };
        let mut body =
            vec![0u8; (self.layout().data_payload_offset() - OBJECT_HEADER_SIZE) as usize];
        body.extend_from_slice(&payload);
        self.append_object(1, flags, &body)
    }

    /// An entry made of `fields` (each compressed as given), linked into the chain.
    fn entry(&mut self, realtime: u64, fields: &[(&[u8], u8)]) -> u64 {
        let data: Vec<u64> = fields
            .iter()
            .map(|(field, flags)| self.data(field, *flags))
            .collect();
        self.n_entries += 1;
        let mut body = Vec::new();
        body.extend_from_slice(&self.n_entries.to_le_bytes()); // seqnum
        body.extend_from_slice(&realtime.to_le_bytes());
        body.extend_from_slice(&(realtime / 2).to_le_bytes()); // monotonic
        body.extend_from_slice(&[7; 16]); // boot ID
        body.extend_from_slice(&0x1234u64.to_le_bytes()); // xor hash
        for offset in data {
            if self.compact {
                body.extend_from_slice(&(offset as u32).to_le_bytes());
            } else {
                body.extend_from_slice(&offset.to_le_bytes());
                body.extend_from_slice(&0u64.to_le_bytes());
            }
        }
        let entry = self.append_object(3, 0, &body);
        self.link(entry);
        entry
    }

    fn link(&mut self, entry: u64) {
        let item_size = self.layout().array_item_size();
        let full = self.arrays.last().is_none_or(|&(_, cap, used)| used == cap);
        if full {
            let capacity = self.arrays.last().map_or(4, |&(_, cap, _)| cap * 2);
            let body = vec![0u8; (8 + capacity * item_size) as usize];
            let array = self.append_object(6, 0, &body);
            if let Some(&(previous, _, _)) = self.arrays.last() {
                self.put_u64(previous + 16, array);
            }
            self.arrays.push((array, capacity, 0));
        }
        let last = self.arrays.len() - 1;
        let (array, _, used) = self.arrays[last];
        let at = array + ENTRY_ARRAY_ITEMS_OFFSET + used * item_size;
        if self.compact {
            self.put_u32(at, entry as u32);
        } else {
            self.put_u64(at, entry);
        }
        self.arrays[last].2 += 1;
    }

    fn put_u64(&mut self, at: u64, value: u64) {
        self.bytes[at as usize..at as usize + 8].copy_from_slice(&value.to_le_bytes());
    }

    fn put_u32(&mut self, at: u64, value: u32) {
        self.bytes[at as usize..at as usize + 4].copy_from_slice(&value.to_le_bytes());
    }

    fn finish(mut self) -> Vec<u8> {
        let arena = self.bytes.len() as u64 - HEADER_SIZE;
        let first_array = self.arrays.first().map_or(0, |&(offset, _, _)| offset);
        self.put_u32(12, self.incompatible_flags);
        self.bytes[72..88].copy_from_slice(&[0x5e; 16]); // seqnum ID
        self.put_u64(88, HEADER_SIZE);
        self.put_u64(96, arena);
        self.put_u64(136, self.tail_object);
        self.put_u64(152, self.n_entries);
        self.put_u64(176, first_array);
        self.bytes
    }
}

/// `count` entries, one second apart from `start` seconds, each with a MESSAGE naming its
/// number and a PID.
fn journal(compact: bool, count: u64, start: u64) -> JournalBuilder {
    let mut builder = JournalBuilder::new(compact);
    for n in 0..count {
        let message = format!("MESSAGE=entry {n}");
        let pid = format!("_PID={}", 100 + n);
        builder.entry(
            (start + n) * 1_000_000,
            &[
                (message.as_bytes(), 0),
                (pid.as_bytes(), 0),
                (b"_SYSTEMD_UNIT=api.service", 0),
            ],
        );
    }
    builder
}

/// Everything a set of journal images yields: the entries as JSON, and the error at the
/// end, if any.
fn read_images(images: &[(&str, Vec<u8>)]) -> (Vec<serde_json::Value>, Option<JournalError>) {
    let mut files = Vec::new();
    let mut unopened = Vec::new();
    for (name, bytes) in images {
        match JournalFile::open(name, Cursor::new(bytes.clone())) {
            Ok(file) => files.push(file),
            Err(err) => unopened.push(super::Damage {
                file: name.to_string(),
                offset: 0,
                what: err.to_string(),
            }),
        }
    }
    let mut lines = JournalLines::new(files, unopened);
    let mut text = Vec::new();
    let mut error = None;
    loop {
        let mut buf = [0u8; 4096];
        match lines.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => text.extend_from_slice(&buf[..n]),
            Err(err) => {
                let inner = err.into_inner().expect("a journal error");
                error = Some(*inner.downcast::<JournalError>().expect("a journal error"));
            }
        }
    }
    let entries = text
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("every line is JSON"))
        .collect();
    (entries, error)
}

fn read_image(bytes: Vec<u8>) -> (Vec<serde_json::Value>, Option<JournalError>) {
    read_images(&[("test.journal", bytes)])
}

fn messages(entries: &[serde_json::Value]) -> Vec<String> {
    entries
        .iter()
        .map(|entry| entry["MESSAGE"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn expected_messages(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(|n| format!("entry {n}")).collect()
}

fn damage_text(error: &Option<JournalError>) -> String {
    error.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[test]
fn reads_regular_and_compact_files_through_long_chains() {
    for compact in [false, true] {
        let (entries, error) = read_image(journal(compact, 40, 1000).finish());
        assert!(error.is_none(), "{error:?}");
        assert_eq!(messages(&entries), expected_messages(0..40));
        let first = &entries[0];
        assert_eq!(first["_PID"], "100");
        assert_eq!(first["_SYSTEMD_UNIT"], "api.service");
        assert_eq!(first["__REALTIME_TIMESTAMP"], "1000000000");
        assert_eq!(first["__MONOTONIC_TIMESTAMP"], "500000000");
        assert_eq!(first["_BOOT_ID"], "07".repeat(16));
        let cursor = first["__CURSOR"].as_str().expect("cursor");
        assert!(
            cursor.starts_with(&format!("s={};i=1;", "5e".repeat(16))),
            "{cursor}"
        );
    }
}

#[test]
fn every_compression_is_decoded_in_both_layouts() {
    let long = format!("MESSAGE={}", "bind: address already in use ".repeat(40));
    for compact in [false, true] {
        let mut builder = JournalBuilder::new(compact);
        for (n, flags) in [
            0,
            OBJECT_COMPRESSED_XZ,
            OBJECT_COMPRESSED_LZ4,
            OBJECT_COMPRESSED_ZSTD,
        ]
        .into_iter()
        .enumerate()
        {
            let unit = format!("_SYSTEMD_UNIT=unit{n}.service");
            builder.entry(
                n as u64 + 1,
                &[(long.as_bytes(), flags), (unit.as_bytes(), flags)],
            );
        }
        let image = builder.finish();
        let flags = u32::from_le_bytes(image[12..16].try_into().expect("flags"));
        assert_eq!(flags & 0b1011, 0b1011, "all three compressions flagged");
        let (entries, error) = read_image(image);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(entries.len(), 4);
        for (n, entry) in entries.iter().enumerate() {
            assert_eq!(entry["MESSAGE"].as_str(), Some(&long["MESSAGE=".len()..]));
            assert_eq!(entry["_SYSTEMD_UNIT"], format!("unit{n}.service"));
        }
    }
}

#[test]
fn files_are_merged_by_time_each_in_its_own_order() {
    let mut early = JournalBuilder::new(true);
    let mut late = JournalBuilder::new(false);
    for (builder, name, times) in [
        (&mut early, "a", [1u64, 3, 2, 7]),
        (&mut late, "b", [2u64, 4, 5, 6]),
    ] {
        for time in times {
            let message = format!("MESSAGE={name}{time}");
            builder.entry(time, &[(message.as_bytes(), 0)]);
        }
    }
    let (entries, error) =
        read_images(&[("a.journal", early.finish()), ("b.journal", late.finish())]);
    assert!(error.is_none(), "{error:?}");
    // a2 was written after a3 in its file (the clock went back): it stays after it.
    assert_eq!(
        messages(&entries),
        ["a1", "b2", "a3", "a2", "b4", "b5", "b6", "a7"]
    );
}

#[test]
fn a_file_cut_anywhere_keeps_the_entries_before_the_cut() {
    for compact in [false, true] {
        let image = journal(compact, 30, 0).finish();
        for cut in (0..image.len()).step_by(13) {
            let (entries, error) = read_image(image[..cut].to_vec());
            let got = messages(&entries);
            assert_eq!(got, expected_messages(0..got.len() as u64), "cut at {cut}");
            let text = damage_text(&error);
            assert!(text.contains("test.journal"), "cut at {cut}: {text}");
            if cut as u64 >= HEADER_SIZE {
                assert!(text.contains("cut short"), "cut at {cut}: {text}");
            }
        }
        // Near the end, only the last entries are lost even though the chain's last array
        // comes after them.
        let (entries, _) = read_image(image[..image.len() - 8].to_vec());
        assert!(entries.len() >= 28, "{}", entries.len());
    }
}

#[test]
fn a_looping_entry_array_chain_is_cut_and_every_entry_read_once() {
    // The last array is not full (its unused items end the chain): the one before it,
    // full, links back to the first.
    let mut builder = journal(true, 30, 0);
    let first = builder.arrays[0].0;
    let full = builder.arrays[builder.arrays.len() - 2].0;
    builder.put_u64(full + 16, first);
    let (entries, error) = read_image(builder.finish());
    assert_eq!(messages(&entries), expected_messages(0..30));
    let text = damage_text(&error);
    assert!(
        text.contains(&format!("chain loops back to {first:#x}")),
        "{text}"
    );
    assert!(text.contains("test.journal at offset"), "{text}");
}

#[test]
fn offsets_outside_the_file_are_skipped_and_the_rest_recovered() {
    // An entry array pointing past the end: the entries after it are found by scanning.
    let mut builder = journal(false, 30, 0);
    builder.put_u64(builder.arrays[0].0 + 16, 1 << 40);
    let (entries, error) = read_image(builder.finish());
    assert_eq!(messages(&entries), expected_messages(0..30));
    assert!(
        damage_text(&error).contains("past the end of the file"),
        "{error:?}"
    );

    // An entry array item pointing outside the file, and one into the header.
    let mut builder = journal(true, 10, 0);
    let array = builder.arrays[0].0;
    builder.put_u32(array + ENTRY_ARRAY_ITEMS_OFFSET + 4, u32::MAX - 7);
    let (entries, error) = read_image(builder.finish());
    assert_eq!(messages(&entries), expected_messages(0..10));
    assert!(error.is_some());

    // A DATA item pointing outside the file: that field is left out, the entry kept.
    let mut builder = JournalBuilder::new(false);
    let entry = builder.entry(5, &[(b"MESSAGE=kept", 0), (b"_PID=1", 0)]);
    builder.put_u64(entry + ENTRY_ITEMS_OFFSET + 16, 0xffff_fff8);
    let (entries, error) = read_image(builder.finish());
    assert_eq!(messages(&entries), ["kept"]);
    assert!(entries[0].get("_PID").is_none());
    assert!(damage_text(&error).contains("field of entry"), "{error:?}");
}

#[test]
fn a_damaged_entry_is_skipped_and_named() {
    let mut builder = journal(true, 12, 0);
    let array = builder.arrays[1].0;
    let victim = u64::from(u32::from_le_bytes(
        builder.bytes[(array + ENTRY_ARRAY_ITEMS_OFFSET) as usize..][..4]
            .try_into()
            .expect("item"),
    ));
    builder.bytes[victim as usize..victim as usize + 16].copy_from_slice(b"garbage garbage!");
    let (entries, error) = read_image(builder.finish());
    let mut expected = expected_messages(0..12);
    expected.remove(4);
    assert_eq!(messages(&entries), expected);
    let text = damage_text(&error);
    assert!(
        text.contains(&format!(
            "test.journal at offset {victim:#x}: entry skipped"
        )),
        "{text}"
    );
    assert!(text.contains("looked for object by object"), "{text}");
}

#[test]
fn bad_compressed_data_loses_only_that_field() {
    let mut builder = JournalBuilder::new(true);
    let entry = builder.entry(
        1,
        &[
            (b"MESSAGE=still here", 0),
            (&[b'X'; 600], OBJECT_COMPRESSED_ZSTD),
        ],
    );
    let data = u64::from(u32::from_le_bytes(
        builder.bytes[(entry + ENTRY_ITEMS_OFFSET + 4) as usize..][..4]
            .try_into()
            .expect("item"),
    ));
    let payload = (data + ItemLayout { compact: true }.data_payload_offset()) as usize;
    builder.bytes[payload..payload + 4].copy_from_slice(b"oops");
    let (entries, error) = read_image(builder.finish());
    assert_eq!(messages(&entries), ["still here"]);
    assert!(
        damage_text(&error).contains("zstd data does not decode"),
        "{error:?}"
    );
}

/// A small xorshift generator, so the damage is random but the test repeatable.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

#[test]
fn random_damage_never_panics() {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for compact in [false, true] {
        let mut builder = journal(compact, 25, 0);
        builder.entry(99, &[(&[b'z'; 700], OBJECT_COMPRESSED_LZ4)]);
        builder.entry(100, &[(&[b'y'; 700], OBJECT_COMPRESSED_XZ)]);
        let image = builder.finish();
        for _ in 0..400 {
            let mut damaged = image.clone();
            let start = HEADER_SIZE as usize + random.below(damaged.len() - HEADER_SIZE as usize);
            let len = 1 + random.below(64);
            for byte in damaged.iter_mut().skip(start).take(len) {
                *byte = random.next() as u8;
            }
            let (entries, _) = read_image(damaged);
            assert!(entries.len() <= 27);
        }
        // Damage to the header itself.
        for _ in 0..200 {
            let mut damaged = image.clone();
            let at = random.below(HEADER_SIZE as usize);
            damaged[at] = random.next() as u8;
            let _ = read_image(damaged);
        }
    }
}

#[test]
fn headers_that_cannot_be_read_are_errors() {
    let short = JournalFile::open("x", Cursor::new(JOURNAL_MAGIC.to_vec()));
    assert!(matches!(
        short,
        Err(JournalError::HeaderTooShort { len: 8 })
    ));
    let mut future = journal(true, 1, 0).finish();
    future[12] |= 0x40;
    let err = JournalFile::open("x", Cursor::new(future))
        .err()
        .expect("refused");
    assert!(
        matches!(err, JournalError::UnsupportedFeatures { flags: 0x40 }),
        "{err}"
    );
    let mut bad_size = journal(true, 1, 0).finish();
    bad_size[88..96].copy_from_slice(&u64::MAX.to_le_bytes());
    let err = JournalFile::open("x", Cursor::new(bad_size))
        .err()
        .expect("refused");
    assert!(
        err.to_string().starts_with("damaged journal header"),
        "{err}"
    );
}

#[test]
fn huge_claimed_sizes_are_not_allocated() {
    let mut builder = JournalBuilder::new(false);
    let entry = builder.entry(1, &[(b"MESSAGE=a", 0)]);
    let huge = (MAX_FIELD_SIZE as u64) * 1024;
    builder.put_u64(entry + 8, huge);
    let (entries, error) = read_image(builder.finish());
    assert!(entries.is_empty());
    assert!(error.is_some());
}

fn write_file(path: &std::path::Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
    std::fs::write(path, bytes).expect("write");
}

fn read_source(spec: &crate::input::SourceSpec) -> (String, Result<(), InputError>) {
    let mut text = String::new();
    let mut result = None;
    open(spec, |opened| {
        let mut source = opened.expect("opens");
        result = Some(
            source
                .reader
                .read_to_string(&mut text)
                .map(|_| ())
                .map_err(|err| InputError::from_read(&spec.name, err)),
        );
    });
    (text, result.expect("one source"))
}

#[test]
fn a_walk_reads_the_journals_of_a_directory_as_one_merged_source() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let machine = tmp.path().join("journal/0123");
    write_file(
        &machine.join("system.journal"),
        &journal(true, 3, 10).finish(),
    );
    write_file(
        &machine.join("user-1000.journal"),
        &journal(false, 3, 5).finish(),
    );
    write_file(&machine.join("notes.txt"), b"plain text\n");
    write_file(
        &tmp.path().join("journal/lone/system.journal~"),
        &journal(true, 2, 0).finish(),
    );
    let (specs, errors) = collect_sources(&[tmp.path().join("journal")]);
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<&str> = specs.iter().map(|spec| spec.name.as_str()).collect();
    let root = tmp.path().join("journal").display().to_string();
    assert_eq!(
        names,
        [
            format!("{root}/0123/notes.txt"),
            format!("{root}/0123"),
            format!("{root}/lone/system.journal~"),
        ]
    );
    assert!(matches!(&specs[1].location, Location::JournalFiles(paths) if paths.len() == 2));
    let (text, result) = read_source(&specs[1]);
    result.expect("undamaged");
    let stamps: Vec<u64> = text
        .lines()
        .map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).expect("JSON");
            entry["__REALTIME_TIMESTAMP"]
                .as_str()
                .and_then(|stamp| stamp.parse().ok())
                .expect("stamp")
        })
        .collect();
    assert_eq!(stamps, [5, 6, 7, 10, 11, 12].map(|s| s * 1_000_000));
    let (text, result) = read_source(&specs[2]);
    result.expect("undamaged");
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn damage_is_reported_as_an_input_error_naming_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("system.journal");
    let image = journal(true, 20, 0).finish();
    write_file(&path, &image[..image.len() / 2]);
    let spec = crate::input::SourceSpec {
        name: "logs/system.journal".into(),
        location: Location::File(path),
        from_walk: false,
    };
    let (text, result) = read_source(&spec);
    assert!(text.lines().count() > 3);
    let err = result.expect_err("damage reported");
    assert!(matches!(err, InputError::Journal { .. }));
    assert!(err.is_error());
    let message = err.to_string();
    assert!(
        message.starts_with("logs/system.journal: damaged journal data"),
        "{message}"
    );

    // The same journal on stdin-like streams is read from memory.
    let whole = crate::input::SourceSpec {
        name: "-".into(),
        location: Location::File(tmp.path().join("whole.journal")),
        from_walk: true,
    };
    write_file(&tmp.path().join("whole.journal"), &image);
    let (text, result) = read_source(&whole);
    result.expect("undamaged");
    assert_eq!(text.lines().count(), 20);
    let streamed = super::open_stream(Cursor::new(image), "-").expect("opens");
    let mut text = String::new();
    Read::take(streamed, u64::MAX)
        .read_to_string(&mut text)
        .expect("reads");
    assert_eq!(text.lines().count(), 20);
}
