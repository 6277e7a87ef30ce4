//! Arrays of plain numbers that live in memory or in a file on disk.
//!
//! A table's text and offsets, and a result's rows, are arrays of bytes and
//! integers. Most hold them in memory, but the rows a comparison result
//! refers to can be as large as both input files, and a result larger than
//! the memory budget must still be paged, filtered and exported. An [`ArrayBuilder`] starts
//! in memory and, when told to, continues in an unnamed temporary file; the
//! finished [`Array`] then maps that file. The kernel reads its pages when
//! they are used and drops them again under memory pressure, as it does
//! for any file, so the result costs page cache, not the process's own
//! memory. A stored result read back decodes its arrays the same way
//! ([`decoding_within`]). An unnamed file has no path to clean up: its space goes back
//! when the last mapping of it closes, even after a crash.

use std::fs::File;
use std::io::{self, Write};
use std::ops::Deref;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::Arc;

/// Numbers whose every bit pattern is a valid value and whose bytes have
/// no padding, so that they can be written to a file and read back as they are.
///
/// # Safety
/// Implement only for types without padding for which any bytes are a value.
pub(crate) unsafe trait Plain:
    Copy + Send + Sync + std::fmt::Debug + 'static
{
}

// SAFETY: primitive integers have no padding and no invalid bit patterns.
unsafe impl Plain for u8 {}
// SAFETY: as above.
unsafe impl Plain for u16 {}
// SAFETY: as above.
unsafe impl Plain for u32 {}
// SAFETY: as above.
unsafe impl Plain for u64 {}
// SAFETY: an array of `Plain` values has no padding between them.
unsafe impl<T: Plain, const N: usize> Plain for [T; N] {}

/// What holds a finished array's values.
#[derive(Debug)]
enum Owner<T> {
    /// A vector in memory.
    Memory(Vec<T>),
    /// A file written by an [`ArrayBuilder`], mapped; shared by clones.
    Mapped(Arc<memmap2::Mmap>),
}

/// A finished array, read as a slice; see the module note.
///
/// It keeps a pointer to its first value beside what owns the values, so
/// that reading it (which tables do for every cell) costs no branch on
/// where the values are.
#[derive(Debug)]
pub(crate) struct Array<T: Plain> {
    ptr: NonNull<T>,
    len: usize,
    owner: Owner<T>,
}

// SAFETY: `ptr` points into `owner`'s values, which are plain numbers that
// are never written after the array is made; sharing or sending it is
// sharing or sending a `Vec<T>` or an `Arc<Mmap>`.
unsafe impl<T: Plain> Send for Array<T> {}
// SAFETY: as above.
unsafe impl<T: Plain> Sync for Array<T> {}

impl<T: Plain> Array<T> {
    /// Bytes of the process's own memory the array holds (a mapped file's
    /// pages belong to the page cache).
    pub(crate) fn heap_bytes(&self) -> usize {
        match &self.owner {
            Owner::Memory(v) => v.capacity() * size_of::<T>(),
            Owner::Mapped(_) => 0,
        }
    }

    /// Whether the values are read from a file.
    pub(crate) fn is_mapped(&self) -> bool {
        matches!(self.owner, Owner::Mapped(_))
    }

    /// The `len` values of `T` at the start of `map`.
    ///
    /// # Safety
    /// `map` must hold `len` values of `T` written from valid values.
    unsafe fn mapped(map: memmap2::Mmap, len: usize) -> Array<T> {
        // A mapping starts on a page boundary, so it is aligned for `T`.
        let ptr = NonNull::new(map.as_ptr().cast::<T>().cast_mut()).unwrap_or(NonNull::dangling());
        Array {
            ptr,
            len,
            owner: Owner::Mapped(Arc::new(map)),
        }
    }
}

impl Array<u8> {
    /// The bytes of `file`, mapped read-only, with its pages mapped up front
    /// (from the page cache, or read now).
    ///
    /// The file must not be changed while the array lives; see
    /// [`crate::table::map_path`] for what happens if it is.
    pub(crate) fn map_file(file: &File) -> io::Result<Array<u8>> {
        let len = file.metadata()?.len();
        if len == 0 {
            // An empty file cannot be mapped.
            return Ok(Array::default());
        }
        let len = usize::try_from(len).map_err(io::Error::other)?;
        // SAFETY: the mapping is read-only and private to this array; the
        // caller keeps the file unchanged while it lives (see above).
        let map = unsafe { memmap2::MmapOptions::new().populate().map(file)? };
        // SAFETY: every byte is a valid `u8`.
        Ok(unsafe { Array::mapped(map, len) })
    }
}

impl<T: Plain> Clone for Array<T> {
    fn clone(&self) -> Array<T> {
        match &self.owner {
            Owner::Memory(v) => Array::from(v.clone()),
            Owner::Mapped(map) => Array {
                ptr: self.ptr,
                len: self.len,
                owner: Owner::Mapped(Arc::clone(map)),
            },
        }
    }
}

impl<T: Plain> Default for Array<T> {
    fn default() -> Array<T> {
        Array::from(Vec::new())
    }
}

impl<T: Plain> From<Vec<T>> for Array<T> {
    fn from(mut v: Vec<T>) -> Array<T> {
        // Moving the vector into the array does not move its values.
        let ptr = NonNull::new(v.as_mut_ptr()).unwrap_or(NonNull::dangling());
        Array {
            ptr,
            len: v.len(),
            owner: Owner::Memory(v),
        }
    }
}

impl<T: Plain + PartialEq> PartialEq for Array<T> {
    fn eq(&self, other: &Array<T>) -> bool {
        self[..] == other[..]
    }
}

// An array is stored as the sequence of its values, wherever it lives.
impl<T: Plain + serde::Serialize> serde::Serialize for Array<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: Plain + serde::Deserialize<'de>> serde::Deserialize<'de> for Array<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Array<T>, D::Error> {
        d.deserialize_seq(Decoding::new(|v: T| v))
    }
}

/// Where arrays decoded on this thread go once they outgrow their share of
/// memory; see [`decoding_within`].
struct DecodeRoom {
    dir: std::path::PathBuf,
    /// Bytes the arrays decoded so far may still take in memory.
    memory_left: usize,
    /// The first error writing to `dir`, which the decoder can only
    /// report as a decoding error.
    failed: Option<io::Error>,
}

thread_local! {
    // Serde hands a type's `Deserialize` nothing but the decoder, so the
    // room to decode into is set here, around one decode on one thread.
    static DECODE_ROOM: std::cell::RefCell<Option<DecodeRoom>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `decode` with the arrays it decodes (a stored result's rows and
/// changed cells) held in memory up to `memory_bytes` between them, and
/// in unnamed files in `dir` past that, so that reading back a result
/// larger than memory does not take that memory. An error writing to
/// `dir` is returned as itself, whatever `decode` made of it.
pub(crate) fn decoding_within<R>(
    dir: &Path,
    memory_bytes: usize,
    decode: impl FnOnce() -> R,
) -> io::Result<R> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            DECODE_ROOM.with(|r| r.borrow_mut().take());
        }
    }
    DECODE_ROOM.with(|r| {
        *r.borrow_mut() = Some(DecodeRoom {
            dir: dir.to_path_buf(),
            memory_left: memory_bytes,
            failed: None,
        })
    });
    let reset = Reset;
    let decoded = decode();
    let failed = DECODE_ROOM.with(|r| r.borrow_mut().as_mut().and_then(|room| room.failed.take()));
    drop(reset);
    match failed {
        Some(e) => Err(e),
        None => Ok(decoded),
    }
}

/// A decoding error for an error writing a decoded array to disk, which
/// [`decoding_within`] returns as itself.
fn noted<V, E: serde::de::Error>(r: io::Result<V>) -> Result<V, E> {
    r.map_err(|e| {
        let message = e.to_string();
        DECODE_ROOM.with(|r| {
            if let Some(room) = &mut *r.borrow_mut() {
                room.failed.get_or_insert(e);
            }
        });
        E::custom(message)
    })
}

/// Decodes a sequence of `E` into an array of `T`, each value changed by
/// `into`, moving it to disk when it outgrows the room [`decoding_within`]
/// gave (in memory, when none was given).
pub(crate) struct Decoding<E, T, F> {
    into: F,
    _values: std::marker::PhantomData<fn(E) -> T>,
}

impl<E, T, F: Fn(E) -> T> Decoding<E, T, F> {
    /// A decoder that changes each value by `into`.
    pub(crate) fn new(into: F) -> Decoding<E, T, F> {
        Decoding {
            into,
            _values: std::marker::PhantomData,
        }
    }
}

impl<'de, E, T, F> serde::de::Visitor<'de> for Decoding<E, T, F>
where
    E: serde::Deserialize<'de>,
    T: Plain,
    F: Fn(E) -> T,
{
    type Value = Array<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Array<T>, A::Error> {
        let mut out = ArrayBuilder::<T>::default();
        // The stored length is only a hint: a damaged one must not reserve
        // more memory than the values that really come.
        out.reserve(seq.size_hint().unwrap_or(0).min(1 << 16));
        // Memory is counted in steps of this many values, not per value.
        const STEP: usize = 1 << 12;
        while let Some(value) = seq.next_element::<E>()? {
            noted(out.push((self.into)(value)))?;
            if out.len() % STEP == 0 && !out.on_disk() {
                let full = DECODE_ROOM.with(|r| match &mut *r.borrow_mut() {
                    Some(room) if room.memory_left < STEP * size_of::<T>() => {
                        Some(room.dir.clone())
                    }
                    Some(room) => {
                        room.memory_left -= STEP * size_of::<T>();
                        None
                    }
                    None => None,
                });
                if let Some(dir) = full {
                    noted(out.move_to_disk(&dir))?;
                }
            }
        }
        noted(out.finish())
    }
}

impl<T: Plain> Deref for Array<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: `ptr` and `len` describe the values `owner` holds, which
        // live as long as `self` and are never written: a vector's own
        // values, or a file of `len` values written by `ArrayBuilder` from
        // valid values (`Plain`: any bytes are a value), private to this
        // process and never written while mapped.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

/// Where an [`ArrayBuilder`] writes once it has gone to disk.
#[derive(Debug)]
struct OnDisk {
    file: io::BufWriter<File>,
    /// Elements written to the file so far.
    written: usize,
}

/// Values in memory that move to a file when [`ArrayBuilder::move_to_disk`] is
/// called and are then written there as they come.
#[derive(Debug)]
pub(crate) struct ArrayBuilder<T: Plain> {
    /// Values not in the file (all of them until the array goes to disk).
    pending: Vec<T>,
    disk: Option<OnDisk>,
}

/// Values gathered in memory before they are written to the file at once.
const WRITE_BYTES: usize = 1 << 20;

impl<T: Plain> Default for ArrayBuilder<T> {
    fn default() -> ArrayBuilder<T> {
        ArrayBuilder {
            pending: Vec::new(),
            disk: None,
        }
    }
}

impl<T: Plain> ArrayBuilder<T> {
    /// Number of values so far.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.disk.as_ref().map_or(0, |d| d.written) + self.pending.len()
    }

    /// Bytes of memory held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.pending.capacity() * size_of::<T>()
    }

    /// Whether the values go to a file.
    pub(crate) fn on_disk(&self) -> bool {
        self.disk.is_some()
    }

    /// Makes room for `n` more values, in memory.
    pub(crate) fn reserve(&mut self, n: usize) {
        if self.disk.is_none() {
            self.pending.reserve(n);
        }
    }

    /// Adds a value.
    #[inline]
    pub(crate) fn push(&mut self, value: T) -> io::Result<()> {
        self.pending.push(value);
        self.written_if_full()
    }

    /// Adds values.
    #[inline]
    pub(crate) fn extend_from_slice(&mut self, values: &[T]) -> io::Result<()> {
        self.pending.extend_from_slice(values);
        self.written_if_full()
    }

    /// Adds `n` copies of `value`.
    pub(crate) fn extend_repeat(&mut self, value: T, n: usize) -> io::Result<()> {
        self.pending.extend(std::iter::repeat_n(value, n));
        self.written_if_full()
    }

    #[inline]
    /// Adds values that `write` appends to the values not yet written,
    /// which it is handed (it must only append).
    pub(crate) fn append_with(&mut self, write: impl FnOnce(&mut Vec<T>)) -> io::Result<()> {
        write(&mut self.pending);
        self.written_if_full()
    }

    fn written_if_full(&mut self) -> io::Result<()> {
        if self.disk.is_some() && self.pending.len() * size_of::<T>() >= WRITE_BYTES {
            self.write_pending()?;
        }
        Ok(())
    }

    fn write_pending(&mut self) -> io::Result<()> {
        if let Some(d) = &mut self.disk {
            d.file.write_all(as_bytes(&self.pending))?;
            d.written += self.pending.len();
            self.pending.clear();
        }
        Ok(())
    }

    /// Moves the values to an unnamed file in `dir`, where later values go too.
    pub(crate) fn move_to_disk(&mut self, dir: &Path) -> io::Result<()> {
        if self.disk.is_some() {
            return Ok(());
        }
        let file = tempfile::tempfile_in(dir)?;
        self.disk = Some(OnDisk {
            file: io::BufWriter::with_capacity(WRITE_BYTES, file),
            written: 0,
        });
        self.write_pending()?;
        self.pending = Vec::new();
        Ok(())
    }

    /// The finished array: the values in memory, or the file mapped.
    pub(crate) fn finish(mut self) -> io::Result<Array<T>> {
        self.write_pending()?;
        let Some(disk) = self.disk else {
            return Ok(Array::from(self.pending));
        };
        let file = disk.file.into_inner().map_err(|e| e.into_error())?;
        if disk.written == 0 {
            return Ok(Array::default());
        }
        // SAFETY: the file is unnamed, so no other process can open it,
        // and this process never writes it again; it holds `written` values.
        unsafe {
            let map = memmap2::Mmap::map(&file)?;
            // The values are read in the order of a result's rows, which
            // jumps about the file: reading ahead would bring in many
            // pages for each one used, and push out pages still in use.
            #[cfg(unix)]
            let _ = map.advise(memmap2::Advice::Random);
            Ok(Array::mapped(map, disk.written))
        }
    }
}

/// The bytes of plain values, as they are in memory.
fn as_bytes<T: Plain>(values: &[T]) -> &[u8] {
    // SAFETY: `Plain` values have no padding, so every byte is initialized.
    unsafe { std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), size_of_val(values)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_the_same_from_memory_and_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let values: Vec<u64> = (0..300_000u64).map(|i| i * 7919 % 1_000_003).collect();
        let mut memory = ArrayBuilder::default();
        let mut disk = ArrayBuilder::default();
        for (i, &v) in values.iter().enumerate() {
            memory.push(v).unwrap();
            disk.push(v).unwrap();
            if i == 1000 {
                disk.move_to_disk(dir.path()).unwrap();
            }
        }
        disk.extend_repeat(5, 3).unwrap();
        assert_eq!(disk.len(), values.len() + 3);
        let (memory, disk) = (memory.finish().unwrap(), disk.finish().unwrap());
        assert!(disk.is_mapped(), "went to a file");
        assert!(!memory.is_mapped());
        assert_eq!(disk.heap_bytes(), 0);
        assert_eq!(&memory[..], &values[..]);
        assert_eq!(&disk[..values.len()], &values[..]);
        assert_eq!(&disk[values.len()..], &[5, 5, 5]);
        // The file is unnamed: nothing is left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_empty_array_on_disk_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = ArrayBuilder::<u16>::default();
        b.move_to_disk(dir.path()).unwrap();
        assert!(b.finish().unwrap().is_empty());
    }

    #[test]
    fn a_directory_that_cannot_hold_files_is_an_error() {
        let mut b = ArrayBuilder::<u8>::default();
        b.push(1).unwrap();
        assert!(b.move_to_disk(Path::new("/nonexistent/concord")).is_err());
    }

    #[test]
    fn decoded_arrays_go_to_disk_past_the_room_they_are_given() {
        let dir = tempfile::tempdir().unwrap();
        let small: Vec<u32> = (0..1000).collect();
        let large: Vec<u32> = (0..100_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let bytes = postcard::to_allocvec(&(small.clone(), large.clone())).unwrap();
        let decode = || postcard::from_bytes::<(Array<u32>, Array<u32>)>(&bytes).unwrap();

        // Without a room, and with room for both, everything stays in memory.
        let (a, b) = decode();
        assert!(!a.is_mapped() && !b.is_mapped());
        let (a, b) = decoding_within(dir.path(), 1 << 20, decode).unwrap();
        assert!(!a.is_mapped() && !b.is_mapped());
        assert_eq!((&a[..], &b[..]), (&small[..], &large[..]));

        // The room is shared: the first array takes some of it, and the
        // second outgrows the rest.
        let (a, b) = decoding_within(dir.path(), 200_000, decode).unwrap();
        assert!(!a.is_mapped() && b.is_mapped());
        assert_eq!(b.heap_bytes(), 0);
        assert_eq!((&a[..], &b[..]), (&small[..], &large[..]));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        // Room set on one decode is not left for the next.
        assert!(!decode().1.is_mapped());

        // A folder that cannot be written is reported as such.
        let missing = dir.path().join("missing");
        let e = decoding_within(&missing, 0, || {
            postcard::from_bytes::<(Array<u32>, Array<u32>)>(&bytes)
        })
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }
}
