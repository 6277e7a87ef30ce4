//! Compressed files: gzip, zstd, bzip2 and xz, told by their first bytes
//! (never by their name: `export.csv` may be gzipped, `data.gz` may not
//! be), and read through a streaming decoder, so that no decompressed copy
//! is written anywhere. Any input format can be compressed: the reader is
//! picked from the decompressed bytes, as for a plain file.
//!
//! A whole file is decompressed into memory as it is read (what a table
//! holds anyway); a file read in pieces ([`super::Pieces`]) is
//! decompressed a piece at a time. A stream cut short or damaged is an
//! error naming the file and the compression, never a table of what came
//! before the damage.

use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A compression Concord reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip (RFC 1952), one member or several.
    Gzip,
    /// Zstandard, one frame or several.
    Zstd,
    /// bzip2.
    Bzip2,
    /// xz (LZMA2), one stream or several.
    Xz,
}

impl Compression {
    /// Every compression Concord reads.
    pub const ALL: [Compression; 4] = [
        Compression::Gzip,
        Compression::Zstd,
        Compression::Bzip2,
        Compression::Xz,
    ];

    /// Its name, as shown and as the file card says it.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
        }
    }

    /// The file name extensions that usually mark it (only used to name
    /// the file inside, never to decide that a file is compressed).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Compression::Gzip => &["gz", "gzip"],
            Compression::Zstd => &["zst", "zstd"],
            Compression::Bzip2 => &["bz2"],
            Compression::Xz => &["xz"],
        }
    }

    /// The compression a file starting with `head` is in, from its magic
    /// bytes.
    pub fn of_head(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b, 0x08]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Compression::Xz)
        } else if head.len() >= 10
            && head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            && (head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
                || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
        {
            Some(Compression::Bzip2)
        } else {
            None
        }
    }

    /// The compression of the file at `path`, from its first bytes; none
    /// when it cannot be read (the reader then says why, naming it).
    pub fn of_path(path: &Path) -> Option<Compression> {
        let mut head = [0u8; 10];
        let mut file = std::fs::File::open(path).ok()?;
        let mut n = 0;
        while n < head.len() {
            match file.read(&mut head[n..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => n += k,
            }
        }
        Compression::of_head(&head[..n])
    }

    /// `name` without the extension of this compression (`a.csv.gz` is
    /// `a.csv`), so that the file inside is told by its own name.
    pub fn inner_name(self, name: &str) -> String {
        let lower = name.to_ascii_lowercase();
        for ext in self.extensions() {
            if let Some(stem) = lower.strip_suffix(&format!(".{ext}")) {
                return name[..stem.len()].to_string();
            }
        }
        name.to_string()
    }

    /// A reader of the decompressed bytes of `inner`.
    pub fn decoder<'a>(
        self,
        inner: impl Read + Send + 'a,
    ) -> io::Result<Box<dyn Read + Send + 'a>> {
        Ok(match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(inner)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(inner)?),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(inner)),
            Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(inner)),
        })
    }

    /// The error for a stream that could not be decompressed.
    pub fn error(self, name: &str, source: &io::Error) -> Error {
        let detail = match source.kind() {
            io::ErrorKind::UnexpectedEof => {
                format!(
                    "its {} stream ends early: the file is cut short",
                    self.name()
                )
            }
            _ => format!("its {} stream is damaged ({source})", self.name()),
        };
        Error::InvalidFile {
            path: name.to_string(),
            line: None,
            detail,
        }
    }
}

/// Counts the bytes read through it, for progress over a compressed file
/// (whose decompressed size is not known ahead).
pub struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Counted<R> {
    /// Counts what is read from `inner` into `read`.
    pub fn new(inner: R, read: Arc<AtomicU64>) -> Counted<R> {
        Counted { inner, read }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads all of `reader`, compressed with `compression`, into memory,
/// reporting progress as the share of the `total` compressed bytes read;
/// `name` in messages.
pub fn decompress(
    reader: impl Read + Send,
    total: u64,
    compression: Compression,
    name: &str,
    ctl: Control<'_>,
) -> Result<Vec<u8>> {
    let read = Arc::new(AtomicU64::new(0));
    let mut decoder = compression
        .decoder(Counted::new(reader, read.clone()))
        .map_err(|e| compression.error(name, &e))?;
    let mut out = Vec::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        ctl.check()?;
        let n = match decoder.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(compression.error(name, &e)),
        };
        out.extend_from_slice(&block[..n]);
        ctl.report(
            Phase::Loading,
            read.load(Ordering::Relaxed).min(total),
            total,
        );
    }
    Ok(out)
}

/// Reads the file at `path`, compressed with `compression`, and
/// decompresses it into memory as it goes.
pub fn decompress_file(path: &Path, compression: Compression, ctl: Control<'_>) -> Result<Vec<u8>> {
    let name = path.display().to_string();
    let err = |source| Error::Read {
        path: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(err)?;
    let total = file.metadata().map_err(err)?.len();
    decompress(io::BufReader::new(file), total, compression, &name, ctl)
}

/// How much larger than its compressed size a file's text is taken to be
/// when its format does not say: a ratio CSV files seldom pass.
const ASSUMED_RATIO: u64 = 8;

/// The decompressed size of the file at `path`, of `size` bytes,
/// compressed with `compression`, as far as the format records it (a
/// single gzip member below 128 MiB, a zstd frame that states it), else
/// [`ASSUMED_RATIO`] times its size.
pub fn decompressed_bytes(path: &Path, size: u64, compression: Compression) -> u64 {
    let stated = match compression {
        Compression::Gzip if size < 128 << 20 => gzip_isize(path),
        Compression::Zstd => zstd_content_size(path),
        _ => None,
    };
    stated
        .filter(|&n| n >= size)
        .unwrap_or(size.saturating_mul(ASSUMED_RATIO))
}

/// The size of a gzip file's text, from its last member's trailer.
fn gzip_isize(path: &Path) -> Option<u64> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    file.seek(SeekFrom::End(-4)).ok()?;
    let mut trailer = [0u8; 4];
    file.read_exact(&mut trailer).ok()?;
    Some(u64::from(u32::from_le_bytes(trailer)))
}

/// The size of a zstd file's text, when its first frame states it.
fn zstd_content_size(path: &Path) -> Option<u64> {
    let mut head = [0u8; 18];
    let mut file = std::fs::File::open(path).ok()?;
    let n = file.read(&mut head).ok()?;
    zstd::zstd_safe::get_frame_content_size(&head[..n])
        .ok()
        .flatten()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// `text` compressed with `c`, by the crates' encoders.
    pub(crate) fn compress(text: &[u8], c: Compression) -> Vec<u8> {
        match c {
            Compression::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(text).unwrap();
                e.finish().unwrap()
            }
            Compression::Zstd => zstd::stream::encode_all(text, 1).unwrap(),
            Compression::Bzip2 => {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                e.write_all(text).unwrap();
                e.finish().unwrap()
            }
            Compression::Xz => {
                let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
                e.write_all(text).unwrap();
                e.finish().unwrap()
            }
        }
    }

    #[test]
    fn each_compression_is_told_by_its_bytes_and_read_back() {
        let text = b"id,name\n1,Ann\n2,Bob\n".repeat(100);
        for c in Compression::ALL {
            let packed = compress(&text, c);
            assert_eq!(Compression::of_head(&packed), Some(c), "{c:?}");
            let back = decompress(&packed[..], packed.len() as u64, c, "a", Control::default());
            assert_eq!(back.unwrap(), text, "{c:?}");
        }
        assert_eq!(Compression::of_head(b"id,name\n"), None);
        assert_eq!(Compression::of_head(b"BZh is a name\n"), None);
    }

    #[test]
    fn a_stream_cut_short_is_an_error_naming_the_file() {
        let text = b"id,name\n1,Ann\n2,Bob\n".repeat(1000);
        for c in Compression::ALL {
            let packed = compress(&text, c);
            let cut = &packed[..packed.len() / 2];
            let e = decompress(
                cut,
                cut.len() as u64,
                c,
                "nightly.csv.gz",
                Control::default(),
            )
            .unwrap_err();
            let message = e.to_string();
            assert!(
                message.contains("nightly.csv.gz") && message.contains(c.name()),
                "{c:?}: {message}"
            );
        }
    }

    #[test]
    fn the_text_of_a_compressed_file_is_weighed_by_what_it_states() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"id,name\n1,Ann\n2,Bob\n".repeat(5000);
        for (c, stated) in [
            (Compression::Gzip, true),
            (Compression::Zstd, true),
            (Compression::Bzip2, false),
            (Compression::Xz, false),
        ] {
            let path = dir.path().join(format!("t.{}", c.extensions()[0]));
            // As the zstd tool writes it, with the size in the frame.
            let packed = match c {
                Compression::Zstd => zstd::bulk::compress(&text, 1).unwrap(),
                _ => compress(&text, c),
            };
            std::fs::write(&path, &packed).unwrap();
            let expected = if stated {
                text.len() as u64
            } else {
                packed.len() as u64 * ASSUMED_RATIO
            };
            assert_eq!(crate::table::text_bytes(&path), expected, "{c:?}");
        }
        let plain = dir.path().join("t.csv");
        std::fs::write(&plain, &text).unwrap();
        assert_eq!(crate::table::text_bytes(&plain), text.len() as u64);
        assert_eq!(crate::table::text_bytes(&dir.path().join("none.csv")), 0);
    }

    #[test]
    fn the_name_inside_drops_the_compression_extension() {
        assert_eq!(Compression::Gzip.inner_name("dir/a.CSV.gz"), "dir/a.CSV");
        assert_eq!(Compression::Zstd.inner_name("a.jsonl.zst"), "a.jsonl");
        assert_eq!(Compression::Gzip.inner_name("a.csv"), "a.csv");
    }
}
