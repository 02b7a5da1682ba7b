//! One journal file: its entries in the file's order, every offset and size read from the
//! file checked before it is followed.
//!
//! Entries are found the way journalctl lists them: along the chain of ENTRY_ARRAY objects
//! that starts in the header. When the chain breaks (an array outside the file or not an
//! array, a chain that loops back on itself, entries listed out of order, an item that does
//! not lead to a readable entry), the entries
//! after the last good one are recovered by walking the objects themselves, which lie one
//! after another from the header on: a file cut short keeps every entry written before the
//! cut, and bytes that are not objects are skipped up to the next plausible object header.
//! Everything skipped is recorded as [`Damage`]; nothing read from the file can make the
//! reader panic, loop, or allocate more than the file's size (and [`MAX_FIELD_SIZE`] per
//! field after decompression).

use std::collections::HashSet;
use std::io::{Read, Seek};

use super::decompress::{decode_payload, MAX_FIELD_SIZE};
use super::entry::Entry;
use super::error::{Damage, JournalError};
use super::format::{
    align8, le_u64, EntryHead, Header, ItemLayout, ObjectHeader, ObjectType,
    ENTRY_ARRAY_ITEMS_OFFSET, ENTRY_ITEMS_OFFSET, MIN_HEADER_SIZE, OBJECT_HEADER_SIZE,
};
use super::pages::PagedReader;

/// The fields of one entry together may not exceed this (they are one line of output).
const MAX_ENTRY_SIZE: usize = MAX_FIELD_SIZE;

/// The largest object read whole (entry arrays of the largest files stay far below it).
const MAX_OBJECT_SIZE: u64 = 256 * 1024 * 1024;

/// A journal file opened for reading its entries in order.
pub struct JournalFile<R> {
    /// The file's name in messages.
    name: String,
    bytes: PagedReader<R>,
    header: Header,
    layout: ItemLayout,
    /// Where the last object ends (the scan for entries stops there).
    objects_end: u64,
    walk: Walk,
    /// ENTRY_ARRAY objects already followed (a chain that comes back to one loops).
    visited_arrays: HashSet<u64>,
    /// Offset of the last entry handed out; entries come in increasing offsets.
    last_entry: u64,
    entries_read: u64,
    damage: Vec<Damage>,
}

/// Where the next entry comes from.
enum Walk {
    /// Following the entry array chain: the current array's items, the next array.
    Chain {
        items: Vec<u64>,
        index: usize,
        next_array: u64,
    },
    /// Walking objects one after another, after the chain broke.
    Scan {
        next_object: u64,
        /// Where the bytes that are not objects began, while skipping them.
        unreadable_since: Option<u64>,
    },
    Done,
}

impl<R: Read + Seek> JournalFile<R> {
    /// Reads and checks the header. Errors mean nothing in the file can be read.
    pub fn open(name: &str, reader: R) -> Result<Self, JournalError> {
        let bad_header = |detail: String| JournalError::BadHeader { detail };
        let mut bytes =
            PagedReader::new(reader).map_err(|err| bad_header(format!("cannot seek ({err})")))?;
        let len = bytes.file_len();
        if len < MIN_HEADER_SIZE {
            return Err(JournalError::HeaderTooShort { len });
        }
        let raw_header = bytes.read(0, MIN_HEADER_SIZE).map_err(&bad_header)?;
        let header =
            Header::parse(&raw_header).ok_or_else(|| bad_header("no LPKSHHRH signature".into()))?;
        let unknown = header.unknown_incompatible_flags();
        if unknown != 0 {
            return Err(JournalError::UnsupportedFeatures { flags: unknown });
        }
        if header.header_size < MIN_HEADER_SIZE
            || header.header_size % 8 != 0
            || header.header_size > len
        {
            return Err(bad_header(format!(
                "header size {} in a file of {len} bytes",
                header.header_size
            )));
        }
        let mut file = JournalFile {
            name: name.to_owned(),
            layout: header.layout(),
            objects_end: len,
            walk: match header.entry_array_offset {
                0 => Walk::Done,
                first => Walk::Chain {
                    items: Vec::new(),
                    index: 0,
                    next_array: first,
                },
            },
            visited_arrays: HashSet::new(),
            last_entry: 0,
            entries_read: 0,
            damage: Vec::new(),
            bytes,
            header,
        };
        file.find_objects_end();
        Ok(file)
    }

    /// Limits the object scan to what the header says is in use, and notes a file shorter
    /// than that (cut short: entries written after the cut are lost).
    fn find_objects_end(&mut self) {
        let len = self.bytes.file_len();
        let declared_end = self
            .header
            .header_size
            .saturating_add(self.header.arena_size);
        if declared_end > len {
            self.record(
                len,
                format!(
                    "the file ends after {len} bytes but its header says {declared_end}: \
                     it was cut short, entries written after the cut are lost"
                ),
            );
        }
        self.objects_end = declared_end.min(len);
        let tail = self.header.tail_object_offset;
        if tail >= self.header.header_size && tail < self.objects_end {
            if let Ok(object) = self.object_header(tail) {
                if let Some(end) = align8(object.size).and_then(|size| tail.checked_add(size)) {
                    self.objects_end = self.objects_end.min(end);
                }
            }
        }
    }

    /// How many entries were handed out so far.
    pub fn entries_read(&self) -> u64 {
        self.entries_read
    }

    /// Takes what was skipped so far.
    pub fn take_damage(&mut self) -> Vec<Damage> {
        std::mem::take(&mut self.damage)
    }

    /// The next readable entry in file order; `None` at the end.
    pub fn next_entry(&mut self) -> Option<Entry> {
        loop {
            let offset = self.next_entry_offset()?;
            match self.read_entry(offset) {
                Ok(entry) => {
                    self.last_entry = offset;
                    self.entries_read += 1;
                    return Some(entry);
                }
                // The chain cannot be trusted past an entry it does not lead to: the
                // entries after the last good one are looked for in the file itself.
                Err(what) if matches!(self.walk, Walk::Chain { .. }) => {
                    self.break_chain(offset, format!("entry skipped: {what}"))
                }
                Err(what) => self.record(offset, format!("entry skipped: {what}")),
            }
        }
    }

    fn record(&mut self, offset: u64, what: String) {
        self.damage.push(Damage {
            file: self.name.clone(),
            offset,
            what,
        });
    }

    /// The offset of the next entry: from the chain while it holds, then from the scan.
    fn next_entry_offset(&mut self) -> Option<u64> {
        loop {
            match &mut self.walk {
                Walk::Chain {
                    items,
                    index,
                    next_array,
                } => {
                    if let Some(&offset) = items.get(*index) {
                        *index += 1;
                        if offset == 0 {
                            // The unused tail of the last array.
                            self.walk = Walk::Done;
                        } else if offset <= self.last_entry {
                            let what = format!(
                                "entry array lists entry {offset:#x} after {:#x}, out of order",
                                self.last_entry
                            );
                            self.break_chain(offset, what);
                        } else {
                            return Some(offset);
                        }
                        continue;
                    }
                    let array = *next_array;
                    if array == 0 {
                        self.walk = Walk::Done;
                    } else if !self.visited_arrays.insert(array) {
                        let what = format!("entry array chain loops back to {array:#x}");
                        self.break_chain(array, what);
                    } else {
                        match self.read_entry_array(array) {
                            Ok((items, next)) => {
                                self.walk = Walk::Chain {
                                    items,
                                    index: 0,
                                    next_array: next,
                                }
                            }
                            Err(what) => self.break_chain(array, format!("entry array {what}")),
                        }
                    }
                }
                Walk::Scan { .. } => return self.scan_for_entry(),
                Walk::Done => return None,
            }
        }
    }

    /// Records why the chain cannot be followed and goes on by scanning the objects after
    /// the last entry read.
    fn break_chain(&mut self, offset: u64, what: String) {
        self.record(
            offset,
            format!("{what}; the entries after it are looked for object by object"),
        );
        self.walk = Walk::Scan {
            next_object: self.last_entry.max(self.header.header_size),
            unreadable_since: None,
        };
    }

    /// Walks objects from where the scan stands to the next ENTRY after the last entry.
    fn scan_for_entry(&mut self) -> Option<u64> {
        let Walk::Scan {
            mut next_object,
            mut unreadable_since,
        } = self.walk
        else {
            return None;
        };
        let found = loop {
            let Some(header_end) = next_object.checked_add(OBJECT_HEADER_SIZE) else {
                break None;
            };
            if header_end > self.objects_end {
                break None;
            }
            let object = self
                .object_header(next_object)
                .ok()
                .filter(|object| object.size <= self.objects_end - next_object);
            match object.and_then(|object| Some((object, align8(object.size)?))) {
                Some((object, step)) => {
                    if let Some(start) = unreadable_since.take() {
                        self.record_unreadable(start, next_object);
                    }
                    let at = next_object;
                    next_object += step;
                    if object.kind == ObjectType::Entry && at > self.last_entry {
                        break Some(at);
                    }
                }
                None => {
                    unreadable_since.get_or_insert(next_object);
                    next_object += 8;
                }
            }
        };
        match found {
            Some(_) => {
                self.walk = Walk::Scan {
                    next_object,
                    unreadable_since,
                }
            }
            None => {
                if let Some(start) = unreadable_since {
                    self.record_unreadable(start, self.objects_end);
                }
                self.walk = Walk::Done;
            }
        }
        found
    }

    fn record_unreadable(&mut self, start: u64, end: u64) {
        self.record(
            start,
            format!("{} bytes that are not journal objects skipped", end - start),
        );
    }

    /// An ENTRY_ARRAY object's entry offsets and the next array's offset.
    fn read_entry_array(&mut self, offset: u64) -> Result<(Vec<u64>, u64), String> {
        let object = self.read_object(offset, ObjectType::EntryArray, ENTRY_ARRAY_ITEMS_OFFSET)?;
        let next = le_u64(&object, 16).unwrap_or(0);
        let item_size = self.layout.array_item_size() as usize;
        let items = object[ENTRY_ARRAY_ITEMS_OFFSET as usize..]
            .chunks_exact(item_size)
            .filter_map(|item| self.layout.item_offset(item))
            .collect();
        Ok((items, next))
    }

    /// Reads an ENTRY object and the DATA objects it refers to. Fields that cannot be read
    /// are recorded and left out; an entry with none left is an error.
    fn read_entry(&mut self, offset: u64) -> Result<Entry, String> {
        let object = self.read_object(offset, ObjectType::Entry, ENTRY_ITEMS_OFFSET)?;
        let head = EntryHead::parse(&object).ok_or("ENTRY object too small")?;
        let item_size = self.layout.entry_item_size() as usize;
        let data_offsets: Vec<u64> = object[ENTRY_ITEMS_OFFSET as usize..]
            .chunks_exact(item_size)
            .filter_map(|item| self.layout.item_offset(item))
            .collect();
        let mut fields = Vec::with_capacity(data_offsets.len());
        let mut size = 0usize;
        for data in &data_offsets {
            match self.read_data(*data) {
                Ok(field) if size + field.len() > MAX_ENTRY_SIZE => {
                    let what = format!(
                        "the fields of entry {offset:#x} exceed {} MiB; the rest are left out",
                        MAX_ENTRY_SIZE / (1024 * 1024)
                    );
                    self.record(*data, what);
                    break;
                }
                Ok(field) => {
                    size += field.len();
                    fields.push(field);
                }
                Err(what) => {
                    self.record(*data, format!("field of entry {offset:#x} skipped: {what}"))
                }
            }
        }
        if fields.is_empty() && !data_offsets.is_empty() {
            return Err("none of its fields can be read".into());
        }
        Ok(Entry {
            seqnum_id: self.header.seqnum_id,
            head,
            fields,
        })
    }

    /// A DATA object's payload (`FIELD=value`), decompressed.
    fn read_data(&mut self, offset: u64) -> Result<Vec<u8>, String> {
        let payload_offset = self.layout.data_payload_offset();
        let object = self.read_object(offset, ObjectType::Data, payload_offset)?;
        let flags = object[1];
        let payload = object[payload_offset as usize..].to_vec();
        if flags == 0 && payload.len() > MAX_FIELD_SIZE {
            return Err(format!(
                "value larger than {} MiB",
                MAX_FIELD_SIZE / (1024 * 1024)
            ));
        }
        decode_payload(flags, payload).map_err(|failure| failure.0)
    }

    /// An object's header, checked to lie inside the file.
    fn object_header(&mut self, offset: u64) -> Result<ObjectHeader, String> {
        if offset % 8 != 0 {
            return Err(format!("offset {offset:#x} is not 8-byte aligned"));
        }
        if offset < self.header.header_size {
            return Err(format!("offset {offset:#x} points into the file header"));
        }
        let raw = self.bytes.read(offset, OBJECT_HEADER_SIZE)?;
        let raw: &[u8; OBJECT_HEADER_SIZE as usize] =
            raw.as_slice().try_into().map_err(|_| "short read")?;
        ObjectHeader::parse(raw).ok_or_else(|| format!("no object at {offset:#x}"))
    }

    /// A whole object of the expected type, at least `min_size` bytes, inside the file.
    fn read_object(
        &mut self,
        offset: u64,
        expected: ObjectType,
        min_size: u64,
    ) -> Result<Vec<u8>, String> {
        let object = self.object_header(offset)?;
        if object.kind != expected {
            return Err(format!(
                "{offset:#x} is a {} object, not {}",
                object.kind.name(),
                expected.name()
            ));
        }
        if object.size < min_size {
            return Err(format!(
                "{} object at {offset:#x} is too small ({} bytes)",
                expected.name(),
                object.size
            ));
        }
        if object.size > MAX_OBJECT_SIZE {
            return Err(format!(
                "{} object at {offset:#x} claims {} bytes",
                expected.name(),
                object.size
            ));
        }
        self.bytes
            .read(offset, object.size)
            .map_err(|what| format!("{} object at {offset:#x}: {what}", expected.name()))
    }
}
