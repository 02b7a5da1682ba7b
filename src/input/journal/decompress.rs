//! DATA object payloads compressed by journald: xz (a whole `.xz` stream), lz4 (an 8-byte
//! little-endian uncompressed size, then one lz4 block) and zstd (one or more frames).
//!
//! Every decoder stops at [`MAX_FIELD_SIZE`], so a damaged or hostile size field cannot
//! make the reader allocate without bound.

use std::io::Read;

use super::format::{OBJECT_COMPRESSED_LZ4, OBJECT_COMPRESSED_XZ, OBJECT_COMPRESSED_ZSTD};

/// The largest field value read (journald's own limit for one entry is far below it).
pub const MAX_FIELD_SIZE: usize = 64 * 1024 * 1024;

/// How many times its size an lz4 block can decode to, at most.
const LZ4_MAX_RATIO: usize = 255;

/// Why a payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecompressFailure(pub String);

/// The payload as stored, decompressed according to the object's flags.
pub fn decode_payload(flags: u8, payload: Vec<u8>) -> Result<Vec<u8>, DecompressFailure> {
    match flags {
        0 => Ok(payload),
        OBJECT_COMPRESSED_XZ => read_capped("xz", xz2::read::XzDecoder::new(&payload[..])),
        OBJECT_COMPRESSED_LZ4 => decode_lz4(&payload),
        OBJECT_COMPRESSED_ZSTD => match zstd::stream::read::Decoder::with_buffer(&payload[..]) {
            Ok(decoder) => read_capped("zstd", decoder),
            Err(err) => Err(DecompressFailure(format!(
                "zstd data does not decode ({err})"
            ))),
        },
        _ => Err(DecompressFailure(format!(
            "several compression flags set ({flags:#x})"
        ))),
    }
}

/// Reads a decoder to its end, failing past [`MAX_FIELD_SIZE`].
fn read_capped(format: &str, decoder: impl Read) -> Result<Vec<u8>, DecompressFailure> {
    let mut decoded = Vec::new();
    decoder
        .take(MAX_FIELD_SIZE as u64 + 1)
        .read_to_end(&mut decoded)
        .map_err(|err| DecompressFailure(format!("{format} data does not decode ({err})")))?;
    if decoded.len() > MAX_FIELD_SIZE {
        return Err(too_large(format));
    }
    Ok(decoded)
}

fn decode_lz4(payload: &[u8]) -> Result<Vec<u8>, DecompressFailure> {
    let (size, block) = match payload.split_first_chunk::<8>() {
        Some((size, block)) => (u64::from_le_bytes(*size), block),
        None => return Err(DecompressFailure("lz4 data shorter than its size".into())),
    };
    let size = usize::try_from(size)
        .ok()
        .filter(|&size| size <= MAX_FIELD_SIZE)
        .ok_or_else(|| too_large("lz4"))?;
    // An lz4 block expands at most 255-fold: a larger claim is damage, not a reason to
    // allocate.
    if size > block.len().saturating_mul(LZ4_MAX_RATIO) {
        return Err(DecompressFailure(format!(
            "lz4 data of {} bytes cannot decode to the {size} it claims",
            block.len()
        )));
    }
    let mut decoded = vec![0; size];
    match lz4_flex::block::decompress_into(block, &mut decoded) {
        Ok(written) if written == size => Ok(decoded),
        Ok(written) => Err(DecompressFailure(format!(
            "lz4 data decodes to {written} bytes, not the {size} it claims"
        ))),
        Err(err) => Err(DecompressFailure(format!(
            "lz4 data does not decode ({err})"
        ))),
    }
}

fn too_large(format: &str) -> DecompressFailure {
    DecompressFailure(format!(
        "{format} data decodes to more than {} MiB",
        MAX_FIELD_SIZE / (1024 * 1024)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const FIELD: &[u8] = b"MESSAGE=a field long enough to be worth compressing, \
        a field long enough to be worth compressing";

    fn xz(data: &[u8]) -> Vec<u8> {
        let mut encoder = xz2::write::XzEncoder::new(Vec::new(), 6);
        encoder.write_all(data).expect("xz write");
        encoder.finish().expect("xz finish")
    }

    fn lz4(data: &[u8]) -> Vec<u8> {
        let mut framed = (data.len() as u64).to_le_bytes().to_vec();
        framed.extend(lz4_flex::block::compress(data));
        framed
    }

    #[test]
    fn every_compression_decodes() {
        let zstd = zstd::encode_all(FIELD, 3).expect("zstd");
        for (flags, payload) in [
            (0, FIELD.to_vec()),
            (OBJECT_COMPRESSED_XZ, xz(FIELD)),
            (OBJECT_COMPRESSED_LZ4, lz4(FIELD)),
            (OBJECT_COMPRESSED_ZSTD, zstd),
        ] {
            assert_eq!(decode_payload(flags, payload).expect("decodes"), FIELD);
        }
    }

    #[test]
    fn bad_payloads_fail_without_panicking() {
        let mut lying_size = lz4(FIELD);
        lying_size[0] += 1;
        let huge_size = u64::MAX.to_le_bytes().to_vec();
        let mut implausible_size = (40u64 << 20).to_le_bytes().to_vec();
        implausible_size.extend_from_slice(&[0x1f; 16]);
        let cases = [
            (OBJECT_COMPRESSED_XZ, b"not xz at all".to_vec()),
            (OBJECT_COMPRESSED_LZ4, b"short".to_vec()),
            (OBJECT_COMPRESSED_LZ4, lying_size),
            (OBJECT_COMPRESSED_LZ4, huge_size),
            (OBJECT_COMPRESSED_LZ4, implausible_size),
            (OBJECT_COMPRESSED_ZSTD, b"not zstd either".to_vec()),
            (
                OBJECT_COMPRESSED_XZ | OBJECT_COMPRESSED_ZSTD,
                FIELD.to_vec(),
            ),
        ];
        for (flags, payload) in cases {
            assert!(decode_payload(flags, payload).is_err(), "flags {flags}");
        }
        let truncated = xz(FIELD);
        let truncated = truncated[..truncated.len() / 2].to_vec();
        assert!(decode_payload(OBJECT_COMPRESSED_XZ, truncated).is_err());
    }

    #[test]
    fn decompression_bombs_stop_at_the_cap() {
        let zeros = vec![0u8; MAX_FIELD_SIZE + 1];
        let bomb = zstd::encode_all(&zeros[..], 19).expect("zstd");
        let failure = decode_payload(OBJECT_COMPRESSED_ZSTD, bomb).expect_err("too large");
        assert!(failure.0.contains("more than 64 MiB"), "{failure:?}");
    }
}
