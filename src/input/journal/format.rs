//! The on-disk layout of a systemd journal file: the header, object headers and the
//! offsets of the fields this reader uses, as described in systemd's
//! `docs/JOURNAL_FILE_FORMAT.md`. Everything is little-endian; objects start on 8-byte
//! boundaries.
//!
//! Only layout lives here (constants and decoding of fixed-size byte slices); following
//! offsets, with every bound checked, is [`super::file`]'s job.

/// The first 8 bytes of every journal file.
pub const JOURNAL_MAGIC: &[u8; 8] = b"LPKSHHRH";

/// The header fields every version has (up to `tail_entry_monotonic`); newer fields are
/// optional and unused here.
pub const MIN_HEADER_SIZE: u64 = 208;

/// Incompatible feature flags (`incompatible_flags` in the header).
pub const INCOMPATIBLE_COMPRESSED_XZ: u32 = 1 << 0;
pub const INCOMPATIBLE_COMPRESSED_LZ4: u32 = 1 << 1;
pub const INCOMPATIBLE_KEYED_HASH: u32 = 1 << 2;
pub const INCOMPATIBLE_COMPRESSED_ZSTD: u32 = 1 << 3;
pub const INCOMPATIBLE_COMPACT: u32 = 1 << 4;
/// Every incompatible flag this reader understands.
pub const INCOMPATIBLE_SUPPORTED: u32 = INCOMPATIBLE_COMPRESSED_XZ
    | INCOMPATIBLE_COMPRESSED_LZ4
    | INCOMPATIBLE_KEYED_HASH
    | INCOMPATIBLE_COMPRESSED_ZSTD
    | INCOMPATIBLE_COMPACT;

/// Every object starts with this many bytes: type, flags, 6 reserved bytes, size.
pub const OBJECT_HEADER_SIZE: u64 = 16;

/// Object flags: how a DATA object's payload is compressed (at most one is set).
pub const OBJECT_COMPRESSED_XZ: u8 = 1 << 0;
pub const OBJECT_COMPRESSED_LZ4: u8 = 1 << 1;
pub const OBJECT_COMPRESSED_ZSTD: u8 = 1 << 2;
const OBJECT_FLAGS_KNOWN: u8 =
    OBJECT_COMPRESSED_XZ | OBJECT_COMPRESSED_LZ4 | OBJECT_COMPRESSED_ZSTD;

/// Object types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectType {
    Data,
    Field,
    Entry,
    DataHashTable,
    FieldHashTable,
    EntryArray,
    Tag,
}

impl ObjectType {
    fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => ObjectType::Data,
            2 => ObjectType::Field,
            3 => ObjectType::Entry,
            4 => ObjectType::DataHashTable,
            5 => ObjectType::FieldHashTable,
            6 => ObjectType::EntryArray,
            7 => ObjectType::Tag,
            _ => return None,
        })
    }

    /// The upper-case name systemd uses, for messages.
    pub fn name(self) -> &'static str {
        match self {
            ObjectType::Data => "DATA",
            ObjectType::Field => "FIELD",
            ObjectType::Entry => "ENTRY",
            ObjectType::DataHashTable => "DATA_HASH_TABLE",
            ObjectType::FieldHashTable => "FIELD_HASH_TABLE",
            ObjectType::EntryArray => "ENTRY_ARRAY",
            ObjectType::Tag => "TAG",
        }
    }
}

/// The common header of every object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectHeader {
    pub kind: ObjectType,
    pub flags: u8,
    /// The whole object's size, header included.
    pub size: u64,
}

impl ObjectHeader {
    /// Decodes an object header; `None` unless it looks like one a writer produced
    /// (known type, known flags, zero reserved bytes, a size that covers the header).
    pub fn parse(bytes: &[u8; OBJECT_HEADER_SIZE as usize]) -> Option<Self> {
        let kind = ObjectType::from_byte(bytes[0])?;
        let flags = bytes[1];
        let reserved_clear = bytes[2..8].iter().all(|&b| b == 0);
        let size = le_u64(bytes, 8)?;
        (reserved_clear && flags & !OBJECT_FLAGS_KNOWN == 0 && size >= OBJECT_HEADER_SIZE)
            .then_some(ObjectHeader { kind, flags, size })
    }
}

/// How entry and entry-array items are stored: 64-bit offsets (with a hash per entry
/// item), or 32-bit offsets in compact files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemLayout {
    pub compact: bool,
}

impl ItemLayout {
    /// Where a DATA object's payload starts.
    pub fn data_payload_offset(self) -> u64 {
        if self.compact {
            72
        } else {
            64
        }
    }

    /// Size of one item in an ENTRY object.
    pub fn entry_item_size(self) -> u64 {
        if self.compact {
            4
        } else {
            16
        }
    }

    /// Size of one item in an ENTRY_ARRAY object.
    pub fn array_item_size(self) -> u64 {
        if self.compact {
            4
        } else {
            8
        }
    }

    /// Reads the offset at the start of an item (32 or 64 bits).
    pub fn item_offset(self, item: &[u8]) -> Option<u64> {
        if self.compact {
            le_u32(item, 0).map(u64::from)
        } else {
            le_u64(item, 0)
        }
    }
}

/// Where an ENTRY object's items start (after seqnum, realtime, monotonic, boot ID and
/// xor hash).
pub const ENTRY_ITEMS_OFFSET: u64 = 64;
/// Where an ENTRY_ARRAY object's items start (after the next array's offset).
pub const ENTRY_ARRAY_ITEMS_OFFSET: u64 = 24;

/// The header fields this reader needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub incompatible_flags: u32,
    pub seqnum_id: [u8; 16],
    pub header_size: u64,
    pub arena_size: u64,
    pub tail_object_offset: u64,
    pub n_entries: u64,
    pub entry_array_offset: u64,
}

impl Header {
    /// Decodes the header from the file's first [`MIN_HEADER_SIZE`] bytes (or more).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        if bytes.len() < MIN_HEADER_SIZE as usize || !bytes.starts_with(JOURNAL_MAGIC) {
            return None;
        }
        Some(Header {
            incompatible_flags: le_u32(bytes, 12)?,
            seqnum_id: id128(bytes, 72)?,
            header_size: le_u64(bytes, 88)?,
            arena_size: le_u64(bytes, 96)?,
            tail_object_offset: le_u64(bytes, 136)?,
            n_entries: le_u64(bytes, 152)?,
            entry_array_offset: le_u64(bytes, 176)?,
        })
    }

    pub fn layout(&self) -> ItemLayout {
        ItemLayout {
            compact: self.incompatible_flags & INCOMPATIBLE_COMPACT != 0,
        }
    }

    /// Incompatible flags this reader does not know (a newer format).
    pub fn unknown_incompatible_flags(&self) -> u32 {
        self.incompatible_flags & !INCOMPATIBLE_SUPPORTED
    }
}

/// The fixed part of an ENTRY object, after its object header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryHead {
    pub seqnum: u64,
    pub realtime: u64,
    pub monotonic: u64,
    pub boot_id: [u8; 16],
    pub xor_hash: u64,
}

impl EntryHead {
    /// Decodes an ENTRY object's fixed part from the whole object's bytes.
    pub fn parse(object: &[u8]) -> Option<Self> {
        Some(EntryHead {
            seqnum: le_u64(object, 16)?,
            realtime: le_u64(object, 24)?,
            monotonic: le_u64(object, 32)?,
            boot_id: id128(object, 40)?,
            xor_hash: le_u64(object, 56)?,
        })
    }
}

/// Rounds an object size up to the 8-byte boundary the next object starts on.
pub fn align8(size: u64) -> Option<u64> {
    size.checked_add(7).map(|size| size & !7)
}

pub fn le_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let raw = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(raw.try_into().ok()?))
}

pub fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let raw = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(raw.try_into().ok()?))
}

fn id128(bytes: &[u8], at: usize) -> Option<[u8; 16]> {
    bytes.get(at..at.checked_add(16)?)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_headers_must_look_written() {
        let mut raw = [0u8; 16];
        raw[0] = 3;
        raw[8] = 64;
        let header = ObjectHeader::parse(&raw).expect("entry header");
        assert_eq!(header.kind, ObjectType::Entry);
        assert_eq!(header.size, 64);
        raw[5] = 1; // reserved byte set
        assert_eq!(ObjectHeader::parse(&raw), None);
        raw[5] = 0;
        raw[1] = 8; // unknown flag
        assert_eq!(ObjectHeader::parse(&raw), None);
        raw[1] = 0;
        raw[0] = 9; // unknown type
        assert_eq!(ObjectHeader::parse(&raw), None);
        raw[0] = 1;
        raw[8] = 8; // smaller than its own header
        assert_eq!(ObjectHeader::parse(&raw), None);
    }

    #[test]
    fn short_or_foreign_headers_are_refused() {
        assert_eq!(Header::parse(b"LPKSHHRH"), None);
        let mut bytes = vec![0u8; MIN_HEADER_SIZE as usize];
        assert_eq!(Header::parse(&bytes), None);
        bytes[..8].copy_from_slice(JOURNAL_MAGIC);
        assert!(Header::parse(&bytes).is_some());
    }

    #[test]
    fn alignment_never_overflows() {
        assert_eq!(align8(1), Some(8));
        assert_eq!(align8(16), Some(16));
        assert_eq!(align8(u64::MAX), None);
    }
}
