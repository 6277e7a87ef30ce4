//! A content-addressed blob store: files named by the BLAKE3 hash of their
//! bytes, so identical files are stored once.
//!
//! A blob is written to a temporary file, fsynced, renamed into place, and
//! its directory fsynced: once `put` returns, the blob survives a crash or a
//! power cut. Reads check the hash, so a damaged blob is reported, never used.

use crate::error::{Error, Result};
use crate::progress::{Control, Phase};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The blob store under one directory.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::storage_from(format!("{what} '{}'", path.display()), e)
}

/// Makes a directory entry durable: fsyncs the directory itself.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    crate::output::sync_dir(dir).map_err(|e| io("cannot sync directory", dir, e))
}

impl BlobStore {
    /// Opens (creating if needed) the blob store in `dir`.
    pub fn open(dir: &Path) -> Result<BlobStore> {
        crate::output::create_dir_durably(&dir.join("tmp"))
            .map_err(|e| io("cannot create", dir, e))?;
        Ok(BlobStore {
            dir: dir.to_path_buf(),
        })
    }

    /// Where the blob with this hash lives.
    pub fn path(&self, hash: &str) -> PathBuf {
        let prefix = hash.get(..2).unwrap_or("00");
        self.dir.join(prefix).join(hash)
    }

    /// Whether a blob is stored.
    pub fn contains(&self, hash: &str) -> bool {
        self.path(hash).is_file()
    }

    /// Stores `bytes`; returns their hash.
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<String> {
        let hash = blake3::hash(bytes).to_hex().to_string();
        if self.contains(&hash) {
            return Ok(hash);
        }
        self.put_writer(|w| w.write_all(bytes))
    }

    /// Copies the file at `source` into the store; returns its hash and size.
    pub fn put_file(&self, source: &Path, ctl: Control<'_>) -> Result<(String, u64)> {
        let src = File::open(source).map_err(|e| Error::Read {
            path: source.display().to_string(),
            source: e,
        })?;
        let size = src.metadata().map_or(0, |m| m.len());
        self.put_reader(src, u64::MAX, size, ctl)
            .map_err(|e| match e {
                Error::Read { source: s, .. } => Error::Read {
                    path: source.display().to_string(),
                    source: s,
                },
                e => e,
            })
    }

    /// Copies up to `limit` bytes of `reader` into the store, streaming (the
    /// bytes are never all in memory); returns their hash and size.
    /// `expected` is the size for progress reports (0 when unknown). A
    /// cancellation stops the copy and leaves nothing stored. Reading is
    /// cut at `limit`: callers that must refuse larger inputs use
    /// [`BlobStore::put_reader_below`].
    pub fn put_reader(
        &self,
        reader: impl Read,
        limit: u64,
        expected: u64,
        ctl: Control<'_>,
    ) -> Result<(String, u64)> {
        let tmp = self.temporary()?;
        let mut src = reader.take(limit);
        let mut hasher = blake3::Hasher::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        let mut out = tmp.as_file();
        loop {
            let n = src.read(&mut buf).map_err(|e| Error::Read {
                path: "input".to_string(),
                source: e,
            })?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])
                .map_err(|e| io("cannot write", tmp.path(), e))?;
            size += n as u64;
            ctl.check()?;
            ctl.report(Phase::Storing, size, expected.max(size));
        }
        let hash = hasher.finalize().to_hex().to_string();
        self.keep(tmp, &hash)?;
        Ok((hash, size))
    }

    /// Like [`BlobStore::put_reader`], refusing with [`Error::TooLarge`]
    /// (and storing nothing) an input of `limit` bytes or more, named
    /// `name` in the error.
    pub fn put_reader_below(
        &self,
        reader: impl Read,
        name: &str,
        limit: u64,
        expected: u64,
        ctl: Control<'_>,
    ) -> Result<(String, u64)> {
        let too_large = || Error::TooLarge {
            path: name.to_string(),
            limit,
        };
        if expected >= limit {
            return Err(too_large());
        }
        let mut over = false;
        let counted = CountingReader {
            inner: reader,
            total: 0,
            limit,
            over: &mut over,
        };
        let stored = self.put_reader(counted, u64::MAX, expected, ctl);
        if over {
            return Err(too_large());
        }
        stored
    }

    /// Stores what `write` writes, streamed through the hash into a
    /// temporary file (the bytes are never all in memory); returns their
    /// hash.
    pub fn put_writer(
        &self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<String> {
        let tmp = self.temporary()?;
        let hashing = Hashing {
            inner: tmp.as_file(),
            hasher: blake3::Hasher::new(),
        };
        let mut out = std::io::BufWriter::with_capacity(1 << 20, hashing);
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| io("cannot write", tmp.path(), e))?;
        let hash = out.get_ref().hasher.finalize().to_hex().to_string();
        drop(out);
        self.keep(tmp, &hash)?;
        Ok(hash)
    }

    /// A new temporary file for a blob being written.
    fn temporary(&self) -> Result<tempfile::NamedTempFile> {
        tempfile::Builder::new()
            .prefix("in-")
            .tempfile_in(self.dir.join("tmp"))
            .map_err(|e| io("cannot create a file in", &self.dir, e))
    }

    /// Keeps a completely written temporary file as the blob `hash`, unless
    /// that blob is stored already.
    fn keep(&self, tmp: tempfile::NamedTempFile, hash: &str) -> Result<()> {
        if self.contains(hash) {
            return Ok(());
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| io("cannot sync", tmp.path(), e))?;
        self.place(tmp, hash)
    }

    /// Renames a complete, synced temporary file to its final name.
    fn place(&self, tmp: tempfile::NamedTempFile, hash: &str) -> Result<()> {
        let target = self.path(hash);
        let parent = target.parent().expect("blob paths have a folder");
        crate::output::create_dir_durably(parent).map_err(|e| io("cannot create", parent, e))?;
        tmp.persist(&target)
            .map_err(|e| io("cannot store blob", &target, e.error))?;
        // The fan-out folder itself was made durable when it was created.
        sync_dir(parent)
    }

    /// Reads a blob and checks its hash.
    pub fn read(&self, hash: &str) -> Result<Vec<u8>> {
        let path = self.path(hash);
        let bytes = fs::read(&path).map_err(|e| io("cannot read blob", &path, e))?;
        if blake3::hash(&bytes).to_hex().as_str() != hash {
            return Err(damaged(hash));
        }
        Ok(bytes)
    }

    /// Reads a blob as a stream, through `read`, and then checks its hash
    /// over all its bytes, those `read` left too: a damaged blob is an
    /// error even when `read` made sense of it.
    pub fn read_with<T>(
        &self,
        hash: &str,
        read: impl FnOnce(&mut BlobReader) -> Result<T>,
    ) -> Result<T> {
        let path = self.path(hash);
        let file = File::open(&path).map_err(|e| io("cannot read blob", &path, e))?;
        let hashing = Hashing {
            inner: file,
            hasher: blake3::Hasher::new(),
        };
        let mut src = std::io::BufReader::with_capacity(1 << 20, hashing);
        let value = read(&mut src);
        std::io::copy(&mut src, &mut std::io::sink())
            .map_err(|e| io("cannot read blob", &path, e))?;
        if src.get_ref().hasher.finalize().to_hex().as_str() != hash {
            return Err(damaged(hash));
        }
        value
    }

    /// Checks a blob's hash without keeping its bytes.
    pub fn verify(&self, hash: &str) -> Result<()> {
        let path = self.path(hash);
        let mut hasher = blake3::Hasher::new();
        hasher
            .update_mmap_rayon(&path)
            .map_err(|e| io("cannot read blob", &path, e))?;
        if hasher.finalize().to_hex().as_str() != hash {
            return Err(damaged(hash));
        }
        Ok(())
    }

    /// Every stored blob hash, with its file's last change time.
    pub fn list(&self) -> Result<Vec<(String, std::time::SystemTime)>> {
        let mut out = Vec::new();
        let entries = fs::read_dir(&self.dir).map_err(|e| io("cannot list", &self.dir, e))?;
        for prefix in entries.flatten() {
            let name = prefix.file_name();
            if name == "tmp" || !prefix.path().is_dir() {
                continue;
            }
            for blob in fs::read_dir(prefix.path())
                .map_err(|e| io("cannot list", &prefix.path(), e))?
                .flatten()
            {
                let modified = blob
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::SystemTime::now());
                out.push((blob.file_name().to_string_lossy().into_owned(), modified));
            }
        }
        Ok(out)
    }

    /// Temporary files of unfinished writes, with their last change time.
    pub fn temporaries(&self) -> Result<Vec<(PathBuf, std::time::SystemTime)>> {
        let dir = self.dir.join("tmp");
        let entries = fs::read_dir(&dir).map_err(|e| io("cannot list", &dir, e))?;
        Ok(entries
            .flatten()
            .map(|e| {
                let modified = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::SystemTime::now());
                (e.path(), modified)
            })
            .collect())
    }

    /// Removes a blob.
    pub fn remove(&self, hash: &str) -> Result<()> {
        let path = self.path(hash);
        fs::remove_file(&path).map_err(|e| io("cannot remove", &path, e))
    }
}

/// The error for a blob whose bytes do not match its hash.
fn damaged(hash: &str) -> Error {
    Error::storage(format!(
        "blob {hash} is damaged: its contents do not match its hash"
    ))
}

/// What [`BlobStore::read_with`] reads a blob through.
pub type BlobReader = std::io::BufReader<Hashing<File>>;

/// Passes every byte written or read through a hasher on its way.
pub struct Hashing<T> {
    inner: T,
    hasher: blake3::Hasher,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Passes bytes on until `limit` of them have come, then fails (setting
/// `over`), so that an input of `limit` bytes or more is never stored.
struct CountingReader<'a, R> {
    inner: R,
    total: u64,
    limit: u64,
    over: &'a mut bool,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total >= self.limit {
            *self.over = true;
            return Err(std::io::Error::other("the input reached its size limit"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_blobs_hash_all_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        // Longer than the write and read buffers.
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let hash = store.put_writer(|w| w.write_all(&bytes)).unwrap();
        assert_eq!(hash, blake3::hash(&bytes).to_hex().as_str());
        assert_eq!(store.read(&hash).unwrap(), bytes);
        assert!(store.temporaries().unwrap().is_empty());
        let first = |src: &mut BlobReader| {
            let mut head = [0u8; 10];
            src.read_exact(&mut head).unwrap();
            Ok(head)
        };
        assert_eq!(store.read_with(&hash, first).unwrap(), bytes[..10]);
        // Damage past what the reader looks at is still found.
        let mut damaged = bytes.clone();
        damaged[2_999_999] ^= 1;
        std::fs::write(store.path(&hash), &damaged).unwrap();
        let e = store.read_with(&hash, first).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
    }

    #[test]
    fn stores_once_and_verifies_on_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let a = store.put_bytes(b"hello").unwrap();
        let b = store.put_bytes(b"hello").unwrap();
        assert_eq!(a, b);
        assert_eq!(store.list().unwrap().len(), 1);
        assert_eq!(store.read(&a).unwrap(), b"hello");
        let src = dir.path().join("src.csv");
        std::fs::write(&src, b"hello").unwrap();
        assert_eq!(
            store.put_file(&src, Control::default()).unwrap(),
            (a.clone(), 5)
        );
        assert!(store.temporaries().unwrap().is_empty());
        std::fs::write(store.path(&a), b"hellO").unwrap();
        let e = store.read(&a).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        assert!(store.verify(&a).is_err());
    }
}
