//! Tests of the whole input path: write a file (plain or compressed), collect it, open it,
//! read it block by block, and compare with what was written.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::*;

/// Log-like text: `count` numbered lines, with a CRLF line now and then.
fn log_text(count: usize) -> Vec<u8> {
    let mut text = Vec::new();
    for i in 0..count {
        let ending = if i % 17 == 0 { "\r\n" } else { "\n" };
        let line = format!(
            "Jan 12 10:00:{:02} host api[{i}]: request {i} failed{ending}",
            i % 60
        );
        text.extend_from_slice(line.as_bytes());
    }
    text
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip write");
    encoder.finish().expect("gzip finish")
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 3).expect("zstd encode")
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut encoder = xz2::write::XzEncoder::new(Vec::new(), 6);
    encoder.write_all(data).expect("xz write");
    encoder.finish().expect("xz finish")
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    encoder.write_all(data).expect("bzip2 write");
    encoder.finish().expect("bzip2 finish")
}

type Encoder = fn(&[u8]) -> Vec<u8>;

const ENCODERS: [(Compression, Encoder); 4] = [
    (Compression::Gzip, gzip),
    (Compression::Zstd, zstd),
    (Compression::Xz, xz),
    (Compression::Bzip2, bzip2),
];

fn file_spec(path: &Path, from_walk: bool) -> SourceSpec {
    SourceSpec {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        location: Location::File(path.to_path_buf()),
        from_walk,
    }
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// Reads a source to the end with a small block size; returns the bytes and the error.
fn read_source(source: &mut Source) -> (Vec<u8>, Option<InputError>) {
    let mut bytes = Vec::new();
    let outcome = source.for_each_block(4096, |block| {
        bytes.extend_from_slice(block.bytes);
        ControlFlow::<()>::Continue(())
    });
    (bytes, outcome.err())
}

/// What opening a spec gave: per source, its name, the bytes read and the error that ended
/// the read; or the problem that kept a source from being read.
type Opened = Result<(String, Vec<u8>, Option<InputError>), InputError>;

fn open_all(spec: &SourceSpec) -> Vec<Opened> {
    let mut opened = Vec::new();
    open(spec, |source| {
        opened.push(source.map(|mut source| {
            let (bytes, err) = read_source(&mut source);
            (source.name, bytes, err)
        }));
    });
    opened
}

/// Opens a spec that holds one source, and reads it.
fn open_one(spec: &SourceSpec) -> Result<(Vec<u8>, Option<InputError>), InputError> {
    let mut opened = open_all(spec);
    assert_eq!(opened.len(), 1, "one source expected: {opened:?}");
    opened.remove(0).map(|(_, bytes, err)| (bytes, err))
}

fn open_and_read(path: &Path, from_walk: bool) -> (Vec<u8>, Option<InputError>) {
    open_one(&file_spec(path, from_walk)).expect("open")
}

#[test]
fn plain_file_is_read_in_line_blocks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = log_text(500);
    let path = write_file(tmp.path(), "app.log", &text);
    let mut blocks = Vec::new();
    open(&file_spec(&path, false), |opened| {
        let mut source = opened.expect("open");
        let outcome = source.for_each_block(4096, |block| {
            assert!(block.bytes.len() <= 4096 && block.bytes.ends_with(b"\n"));
            blocks.extend_from_slice(block.bytes);
            ControlFlow::<()>::Continue(())
        });
        assert!(matches!(outcome, Ok(ControlFlow::Continue(()))));
    });
    assert_eq!(blocks, text);
}

#[test]
fn every_compression_is_detected_by_magic_whatever_the_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = log_text(3000);
    for (format, encode) in ENCODERS {
        // A misleading name: the magic bytes decide.
        let path = write_file(tmp.path(), &format!("{format}.log"), &encode(&text));
        let (bytes, err) = open_and_read(&path, true);
        assert!(err.is_none(), "{format}: {err:?}");
        assert!(bytes == text, "{format}: decompressed bytes differ");
    }
}

#[test]
fn concatenated_members_are_all_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let first = log_text(100);
    let second = b"second member line\n".repeat(50);
    for (format, encode) in ENCODERS {
        let mut data = encode(&first);
        data.extend(encode(&second));
        let path = write_file(tmp.path(), &format!("multi.{format}"), &data);
        let (bytes, err) = open_and_read(&path, false);
        assert!(err.is_none(), "{format}: {err:?}");
        assert_eq!(bytes, [first.clone(), second.clone()].concat(), "{format}");
    }
}

#[test]
fn truncated_data_is_reported_after_the_readable_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Incompressible enough that half the compressed file holds many whole lines.
    let text: Vec<u8> = (0..20_000u64)
        .flat_map(|i| {
            format!("line {i} id={:x}\n", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).into_bytes()
        })
        .collect();
    for (format, encode) in ENCODERS {
        let compressed = encode(&text);
        let name = format!("cut.log.{format}");
        let path = write_file(tmp.path(), &name, &compressed[..compressed.len() / 2]);
        let (bytes, err) = open_and_read(&path, false);
        let err = err.expect("truncation must be reported");
        assert_eq!(
            err.to_string(),
            format!("{name}: truncated {format} data (unexpected end of file)")
        );
        assert!(err.is_error());
        if format != Compression::Bzip2 {
            // bzip2 decodes whole 900 KB blocks: nothing of a cut first block is readable.
            assert!(
                bytes.len() > text.len() / 10,
                "{format}: only {} bytes",
                bytes.len()
            );
        }
        assert!(
            text.starts_with(&bytes),
            "{format}: delivered bytes are not a prefix"
        );
    }
}

#[test]
fn corrupt_data_names_the_format() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut data = gzip(&log_text(100));
    let middle = data.len() / 2;
    for byte in &mut data[middle..middle + 16] {
        *byte ^= 0x5a;
    }
    let path = write_file(tmp.path(), "bad.gz", &data);
    let (_, err) = open_and_read(&path, false);
    let message = err.expect("corruption must be reported").to_string();
    assert!(
        message.starts_with("bad.gz: corrupt gzip data ("),
        "{message}"
    );
    assert!(message.ends_with("`gzip -t` checks the file"), "{message}");
}

#[test]
fn binary_files_are_skipped_only_when_walked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut data = b"ELF\0\0\0binary".to_vec();
    data.extend(log_text(10));
    let path = write_file(tmp.path(), "core.bin", &data);

    let skipped = open_one(&file_spec(&path, true)).expect_err("walked binary is skipped");
    assert!(!skipped.is_error());
    assert_eq!(skipped.to_string(), "core.bin: skipped (binary file)");

    let (bytes, err) = open_and_read(&path, false);
    assert!(err.is_none());
    assert_eq!(bytes, data);
}

#[test]
fn compressed_binary_is_detected_after_decompression() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = write_file(tmp.path(), "blob.gz", &gzip(b"\0\x01\x02 not a log"));
    let skipped = open_one(&file_spec(&path, true)).expect_err("walked binary is skipped");
    assert!(matches!(skipped, InputError::Binary { .. }));

    let text = log_text(2000);
    let path = write_file(tmp.path(), "text.gz", &gzip(&text));
    let (bytes, err) = open_and_read(&path, true);
    assert!(err.is_none());
    assert_eq!(bytes, text, "the peeked head must be handed out again");
}

#[test]
fn nul_after_the_first_8_kib_is_not_binary() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut data = vec![b'a'; BINARY_CHECK_LEN];
    data.extend(b"\0tail\n");
    let path = write_file(tmp.path(), "late-nul.log", &data);
    let (bytes, err) = open_and_read(&path, true);
    assert!(err.is_none());
    assert_eq!(bytes, data);
}

#[test]
fn empty_files_read_as_empty() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = write_file(tmp.path(), "empty.log", b"");
    for from_walk in [false, true] {
        let (bytes, err) = open_and_read(&path, from_walk);
        assert!(bytes.is_empty() && err.is_none());
    }
}

#[test]
fn tiny_files_shorter_than_a_magic_number_are_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for data in [&b"x"[..], b"\x1f", b"BZ", b"ok\n"] {
        let path = write_file(tmp.path(), "tiny.log", data);
        let (bytes, err) = open_and_read(&path, false);
        assert!(err.is_none());
        assert_eq!(bytes, data);
    }
}

#[test]
fn missing_file_error_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = open_one(&file_spec(&tmp.path().join("gone.log"), false)).expect_err("missing");
    assert_eq!(
        err.to_string(),
        "gone.log: no such file or directory (check the path)"
    );
}

#[test]
fn opening_a_directory_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = open_one(&file_spec(tmp.path(), false)).expect_err("directory");
    assert!(matches!(err, InputError::IsDirectory { .. }));
}

#[test]
fn for_each_block_stops_when_asked() {
    let text = log_text(5000);
    let mut source = Source::from_reader("-", Box::new(std::io::Cursor::new(text)));
    let mut seen = 0;
    let outcome = source.for_each_block(4096, |_| {
        seen += 1;
        if seen == 3 {
            ControlFlow::Break("enough")
        } else {
            ControlFlow::Continue(())
        }
    });
    assert!(matches!(outcome, Ok(ControlFlow::Break("enough"))));
    assert_eq!(seen, 3);
}

#[test]
fn stream_blocks_end_at_line_ends() {
    let text = log_text(5000);
    let mut source = Source::from_reader("-", Box::new(std::io::Cursor::new(text.clone())));
    let mut joined = Vec::new();
    let outcome = source.for_each_block(4096, |block| {
        assert!(block.bytes.ends_with(b"\n"));
        assert!(block.bytes.len() <= 4096);
        joined.extend_from_slice(block.bytes);
        ControlFlow::<()>::Continue(())
    });
    assert!(outcome.is_ok());
    assert_eq!(joined, text);
}

#[cfg(unix)]
#[test]
fn unreadable_files_report_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = write_file(tmp.path(), "secret.log", b"x\n");
    let locked = std::fs::Permissions::from_mode(0o000);
    std::fs::set_permissions(&path, locked).expect("chmod");
    if std::fs::File::open(&path).is_ok() {
        return; // running with privileges that ignore permissions
    }
    let err = open_one(&file_spec(&path, false)).expect_err("unreadable");
    assert!(
        err.to_string().starts_with("secret.log: permission denied"),
        "{err}"
    );
}
