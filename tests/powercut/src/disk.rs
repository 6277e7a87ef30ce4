//! The disk a power cut happens to: what programs see now (the live
//! layer) and what would survive a cut (the durable layer).
//!
//! The model is POSIX's promise and no more:
//! - a file's bytes and size are durable once the file is `fsync`ed or
//!   `fdatasync`ed (both make the same promise here);
//! - a directory's entries (a create, a rename, an unlink, a mkdir) are
//!   durable once the directory itself is `fsync`ed;
//! - nothing else is: not a `close`, not a `rename` on its own, not time.
//!
//! At a cut ([`Disk::cut`]) each directory keeps its durable entries, or
//! its live ones, or a mixture entry by entry (metadata written out of
//! order). Each file with unsynced changes keeps none of them, all of them,
//! or a torn prefix: its changes in the order they were made, the last one
//! cut at a 4 KiB page boundary of the file. What survived becomes the new
//! disk, all of it durable, as after a reboot.
//!
//! Not modelled: a disk that lies about `fsync`, bit rot, a torn write
//! inside one 4 KiB page, changes reordered across pages of one write,
//! extended attributes, hard links made by `link`, and data a program
//! wrote through a shared memory map but the kernel had not yet written
//! back (it reaches the disk as ordinary writes when it is written back).

use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::time::SystemTime;

/// The inode number of the root directory.
pub const ROOT: u64 = 1;

/// A page: the unit a torn write keeps.
pub const PAGE: u64 = 4096;

/// A change to a file's bytes not yet made durable.
#[derive(Clone, Debug)]
enum Change {
    Write { offset: u64, data: Vec<u8> },
    Truncate(u64),
}

impl Change {
    fn apply(&self, bytes: &mut Vec<u8>) {
        match self {
            Change::Write { offset, data } => {
                let start = *offset as usize;
                let end = start + data.len();
                if bytes.len() < end {
                    bytes.resize(end, 0);
                }
                bytes[start..end].copy_from_slice(data);
            }
            Change::Truncate(len) => bytes.resize(*len as usize, 0),
        }
    }

    /// The change cut at a page boundary: a write keeps its bytes up to
    /// the `nth` page boundary strictly inside it (none if it has none).
    fn torn(&self, nth: u64) -> Option<Change> {
        let Change::Write { offset, data } = self else {
            return None;
        };
        let end = offset + data.len() as u64;
        let first = (offset / PAGE + 1) * PAGE;
        let boundary = first + nth * PAGE;
        (boundary < end).then(|| Change::Write {
            offset: *offset,
            data: data[..(boundary - offset) as usize].to_vec(),
        })
    }

    /// Page boundaries strictly inside the change.
    fn boundaries(&self) -> u64 {
        match self {
            Change::Write { offset, data } if !data.is_empty() => {
                let end = offset + data.len() as u64;
                let first = (offset / PAGE + 1) * PAGE;
                if first >= end {
                    0
                } else {
                    (end - 1 - first) / PAGE + 1
                }
            }
            _ => 0,
        }
    }
}

/// A regular file's two layers.
#[derive(Clone, Debug, Default)]
pub struct FileBody {
    /// What reads see.
    pub live: Vec<u8>,
    /// What survives a cut for sure.
    durable: Vec<u8>,
    /// The changes from `durable` to `live`, oldest first.
    pending: Vec<Change>,
}

/// A directory's two layers of entries.
#[derive(Clone, Debug, Default)]
pub struct DirBody {
    /// The entries programs see.
    pub live: BTreeMap<OsString, u64>,
    durable: BTreeMap<OsString, u64>,
}

/// A file or a directory.
#[derive(Clone, Debug)]
pub enum Body {
    File(FileBody),
    Dir(DirBody),
}

/// An inode: its body and the attributes programs set.
#[derive(Clone, Debug)]
pub struct Node {
    pub body: Body,
    pub mode: u16,
    pub mtime: SystemTime,
}

/// How a cut treats what was not durable; the harness draws one at random
/// for each file and directory.
pub trait Chance {
    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64;
}

/// The whole disk. Inodes are never freed while it is mounted: a name a
/// program removed may still be durable, and a cut may bring it back.
#[derive(Clone, Debug)]
pub struct Disk {
    pub nodes: HashMap<u64, Node>,
    next: u64,
}

impl Default for Disk {
    fn default() -> Disk {
        let root = Node {
            body: Body::Dir(DirBody::default()),
            mode: 0o755,
            mtime: SystemTime::now(),
        };
        Disk {
            nodes: HashMap::from([(ROOT, root)]),
            next: ROOT + 1,
        }
    }
}

/// Why an operation was refused, as the errno a program gets.
pub type Errno = i32;

impl Disk {
    /// The entries of directory `ino`, as programs see them.
    pub fn dir(&self, ino: u64) -> Result<&DirBody, Errno> {
        match self.nodes.get(&ino).map(|n| &n.body) {
            Some(Body::Dir(d)) => Ok(d),
            Some(Body::File(_)) => Err(libc::ENOTDIR),
            None => Err(libc::ENOENT),
        }
    }

    fn dir_mut(&mut self, ino: u64) -> Result<&mut DirBody, Errno> {
        match self.nodes.get_mut(&ino).map(|n| &mut n.body) {
            Some(Body::Dir(d)) => Ok(d),
            Some(Body::File(_)) => Err(libc::ENOTDIR),
            None => Err(libc::ENOENT),
        }
    }

    /// The file `ino`.
    pub fn file(&self, ino: u64) -> Result<&FileBody, Errno> {
        match self.nodes.get(&ino).map(|n| &n.body) {
            Some(Body::File(f)) => Ok(f),
            Some(Body::Dir(_)) => Err(libc::EISDIR),
            None => Err(libc::ENOENT),
        }
    }

    fn file_mut(&mut self, ino: u64) -> Result<&mut FileBody, Errno> {
        let node = self.nodes.get_mut(&ino).ok_or(libc::ENOENT)?;
        node.mtime = SystemTime::now();
        match &mut node.body {
            Body::File(f) => Ok(f),
            Body::Dir(_) => Err(libc::EISDIR),
        }
    }

    /// The inode `name` names in directory `parent`.
    pub fn lookup(&self, parent: u64, name: &OsStr) -> Result<u64, Errno> {
        self.dir(parent)?
            .live
            .get(name)
            .copied()
            .ok_or(libc::ENOENT)
    }

    /// Makes a file or a directory named `name` in `parent`.
    pub fn make(&mut self, parent: u64, name: &OsStr, dir: bool, mode: u16) -> Result<u64, Errno> {
        if self.dir(parent)?.live.contains_key(name) {
            return Err(libc::EEXIST);
        }
        let ino = self.next;
        self.next += 1;
        let body = if dir {
            Body::Dir(DirBody::default())
        } else {
            Body::File(FileBody::default())
        };
        self.nodes.insert(
            ino,
            Node {
                body,
                mode,
                mtime: SystemTime::now(),
            },
        );
        self.dir_mut(parent)?.live.insert(name.to_owned(), ino);
        Ok(ino)
    }

    /// Removes the name `name` from `parent` (a directory only if empty
    /// and `dir`).
    pub fn remove(&mut self, parent: u64, name: &OsStr, dir: bool) -> Result<(), Errno> {
        let ino = self.lookup(parent, name)?;
        match (&self.nodes[&ino].body, dir) {
            (Body::Dir(d), true) if !d.live.is_empty() => return Err(libc::ENOTEMPTY),
            (Body::Dir(_), false) => return Err(libc::EISDIR),
            (Body::File(_), true) => return Err(libc::ENOTDIR),
            _ => {}
        }
        self.dir_mut(parent)?.live.remove(name);
        Ok(())
    }

    /// Renames, replacing the target as `rename(2)` does (unless
    /// `noreplace`).
    pub fn rename(
        &mut self,
        parent: u64,
        name: &OsStr,
        to_parent: u64,
        to_name: &OsStr,
        noreplace: bool,
    ) -> Result<(), Errno> {
        let ino = self.lookup(parent, name)?;
        self.dir(to_parent)?;
        if let Ok(old) = self.lookup(to_parent, to_name) {
            if noreplace {
                return Err(libc::EEXIST);
            }
            if old == ino {
                return Ok(());
            }
            match (&self.nodes[&old].body, &self.nodes[&ino].body) {
                (Body::Dir(d), Body::Dir(_)) if !d.live.is_empty() => return Err(libc::ENOTEMPTY),
                (Body::Dir(_), Body::File(_)) => return Err(libc::EISDIR),
                (Body::File(_), Body::Dir(_)) => return Err(libc::ENOTDIR),
                _ => {}
            }
        }
        self.dir_mut(parent)?.live.remove(name);
        self.dir_mut(to_parent)?
            .live
            .insert(to_name.to_owned(), ino);
        Ok(())
    }

    /// Writes `data` at `offset` of file `ino`.
    pub fn write(&mut self, ino: u64, offset: u64, data: &[u8]) -> Result<(), Errno> {
        let change = Change::Write {
            offset,
            data: data.to_vec(),
        };
        let f = self.file_mut(ino)?;
        change.apply(&mut f.live);
        f.pending.push(change);
        Ok(())
    }

    /// Sets file `ino`'s length.
    pub fn truncate(&mut self, ino: u64, len: u64) -> Result<(), Errno> {
        let f = self.file_mut(ino)?;
        let change = Change::Truncate(len);
        change.apply(&mut f.live);
        f.pending.push(change);
        Ok(())
    }

    /// `fsync` of a file: its bytes and length are durable; of a
    /// directory: its entries are.
    pub fn sync(&mut self, ino: u64) -> Result<(), Errno> {
        match &mut self.nodes.get_mut(&ino).ok_or(libc::ENOENT)?.body {
            Body::File(f) => {
                for c in f.pending.drain(..) {
                    c.apply(&mut f.durable);
                }
            }
            Body::Dir(d) => d.durable = d.live.clone(),
        }
        Ok(())
    }

    /// Bytes the disk holds in both layers (to bound the harness's memory).
    pub fn bytes(&self) -> usize {
        self.nodes
            .values()
            .map(|n| match &n.body {
                Body::File(f) => {
                    f.live.len()
                        + f.durable.len()
                        + f.pending
                            .iter()
                            .map(|c| match c {
                                Change::Write { data, .. } => data.len(),
                                Change::Truncate(_) => 0,
                            })
                            .sum::<usize>()
                }
                Body::Dir(_) => 0,
            })
            .sum()
    }

    /// The disk after a power cut: what was durable, plus what `chance`
    /// lets survive of the rest (see the module notes). Returns the new
    /// disk and what the cut did, in words, for the harness's report.
    pub fn cut(&self, chance: &mut dyn Chance) -> (Disk, CutReport) {
        let mut out = Disk {
            nodes: HashMap::new(),
            next: self.next,
        };
        let mut report = CutReport::default();
        let mut todo = vec![ROOT];
        while let Some(ino) = todo.pop() {
            if out.nodes.contains_key(&ino) {
                continue;
            }
            let Some(node) = self.nodes.get(&ino) else {
                continue;
            };
            let body = match &node.body {
                Body::Dir(d) => {
                    let entries = surviving_entries(d, chance, &mut report);
                    todo.extend(entries.values().copied());
                    Body::Dir(DirBody {
                        live: entries.clone(),
                        durable: entries,
                    })
                }
                Body::File(f) => {
                    let bytes = surviving_bytes(f, chance, &mut report);
                    Body::File(FileBody {
                        live: bytes.clone(),
                        durable: bytes,
                        pending: Vec::new(),
                    })
                }
            };
            out.nodes.insert(
                ino,
                Node {
                    body,
                    mode: node.mode,
                    mtime: node.mtime,
                },
            );
        }
        (out, report)
    }
}

/// What a cut dropped and kept, counted.
#[derive(Clone, Debug, Default)]
pub struct CutReport {
    /// Directories whose unsynced entries were all dropped, all kept, or
    /// mixed.
    pub dirs_dropped: u64,
    pub dirs_kept: u64,
    pub dirs_mixed: u64,
    /// Files whose unsynced changes were all dropped, all kept, or torn.
    pub files_dropped: u64,
    pub files_kept: u64,
    pub files_torn: u64,
}

fn surviving_entries(
    d: &DirBody,
    chance: &mut dyn Chance,
    report: &mut CutReport,
) -> BTreeMap<OsString, u64> {
    if d.live == d.durable {
        return d.live.clone();
    }
    match chance.below(10) {
        0..=4 => {
            report.dirs_dropped += 1;
            d.durable.clone()
        }
        5..=7 => {
            report.dirs_kept += 1;
            d.live.clone()
        }
        _ => {
            report.dirs_mixed += 1;
            let mut names: Vec<&OsString> = d.live.keys().chain(d.durable.keys()).collect();
            names.sort();
            names.dedup();
            let mut out = BTreeMap::new();
            for name in names {
                let from = if chance.below(2) == 0 {
                    &d.live
                } else {
                    &d.durable
                };
                if let Some(ino) = from.get(name) {
                    out.insert(name.clone(), *ino);
                }
            }
            out
        }
    }
}

fn surviving_bytes(f: &FileBody, chance: &mut dyn Chance, report: &mut CutReport) -> Vec<u8> {
    if f.pending.is_empty() {
        return f.durable.clone();
    }
    match chance.below(10) {
        0..=3 => {
            report.files_dropped += 1;
            f.durable.clone()
        }
        4..=5 => {
            report.files_kept += 1;
            f.live.clone()
        }
        _ => {
            report.files_torn += 1;
            let whole = chance.below(f.pending.len() as u64) as usize;
            let mut bytes = f.durable.clone();
            for c in &f.pending[..whole] {
                c.apply(&mut bytes);
            }
            let last = &f.pending[whole];
            let pages = last.boundaries();
            if pages > 0 {
                if let Some(torn) = last.torn(chance.below(pages)) {
                    torn.apply(&mut bytes);
                }
            }
            bytes
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chances read from a list, so a test says exactly what the cut does.
    struct Script(Vec<u64>);

    impl Chance for Script {
        fn below(&mut self, n: u64) -> u64 {
            let v = self.0.remove(0);
            assert!(v < n, "scripted {v} is not below {n}");
            v
        }
    }

    fn name(s: &str) -> &OsStr {
        OsStr::new(s)
    }

    fn file_bytes(d: &Disk, dir: u64, n: &str) -> Option<Vec<u8>> {
        let ino = d.lookup(dir, name(n)).ok()?;
        Some(d.file(ino).unwrap().live.clone())
    }

    #[test]
    fn synced_bytes_and_entries_survive_every_cut() {
        let mut d = Disk::default();
        let f = d.make(ROOT, name("a"), false, 0o644).unwrap();
        d.write(f, 0, b"hello").unwrap();
        d.sync(f).unwrap();
        d.sync(ROOT).unwrap();
        for first in 0..10 {
            // Nothing is pending, so no chance is drawn.
            let (after, _) = d.cut(&mut Script(vec![first]));
            assert_eq!(file_bytes(&after, ROOT, "a").unwrap(), b"hello");
        }
    }

    #[test]
    fn a_name_not_synced_in_its_directory_can_vanish() {
        let mut d = Disk::default();
        let f = d.make(ROOT, name("a"), false, 0o644).unwrap();
        d.write(f, 0, b"data").unwrap();
        d.sync(f).unwrap();
        // Directory entries dropped: the file synced but never named.
        let (after, report) = d.cut(&mut Script(vec![0]));
        assert_eq!(file_bytes(&after, ROOT, "a"), None);
        assert_eq!(report.dirs_dropped, 1);
        // Kept: it is whole, since its bytes were synced.
        let (after, _) = d.cut(&mut Script(vec![5]));
        assert_eq!(file_bytes(&after, ROOT, "a").unwrap(), b"data");
    }

    #[test]
    fn a_rename_not_synced_can_leave_the_old_file_in_place() {
        let mut d = Disk::default();
        let old = d.make(ROOT, name("f"), false, 0o644).unwrap();
        d.write(old, 0, b"old").unwrap();
        d.sync(old).unwrap();
        d.sync(ROOT).unwrap();
        let new = d.make(ROOT, name("f.tmp"), false, 0o644).unwrap();
        d.write(new, 0, b"new").unwrap();
        d.rename(ROOT, name("f.tmp"), ROOT, name("f"), false)
            .unwrap();
        assert_eq!(file_bytes(&d, ROOT, "f").unwrap(), b"new");
        // Entries dropped: the old file is back.
        let (after, _) = d.cut(&mut Script(vec![0]));
        assert_eq!(file_bytes(&after, ROOT, "f").unwrap(), b"old");
        // Entries kept, the new file's bytes dropped: the rename survived
        // but the file is empty (the classic zero-length file).
        let (after, report) = d.cut(&mut Script(vec![5, 0]));
        assert_eq!(file_bytes(&after, ROOT, "f").unwrap(), b"");
        assert_eq!(report.files_dropped, 1);
    }

    #[test]
    fn a_torn_write_keeps_whole_pages_of_its_prefix() {
        let mut d = Disk::default();
        let f = d.make(ROOT, name("a"), false, 0o644).unwrap();
        d.sync(ROOT).unwrap();
        d.write(f, 0, &[1u8; 100]).unwrap();
        d.write(f, 100, &vec![2u8; 3 * PAGE as usize]).unwrap();
        // Torn: the first write whole, the second up to its 2nd boundary
        // inside it (8192), so 100 + (8192 - 100) bytes.
        let (after, report) = d.cut(&mut Script(vec![6, 1, 1]));
        let bytes = file_bytes(&after, ROOT, "a").unwrap();
        assert_eq!(report.files_torn, 1);
        assert_eq!(bytes.len(), 2 * PAGE as usize);
        assert!(bytes[..100].iter().all(|&b| b == 1));
        assert!(bytes[100..].iter().all(|&b| b == 2));
        // Torn before the first write: nothing of the first page.
        let (after, _) = d.cut(&mut Script(vec![6, 0]));
        assert_eq!(file_bytes(&after, ROOT, "a").unwrap(), b"");
    }

    #[test]
    fn a_page_boundary_count_is_exact() {
        let w = |offset: u64, len: usize| Change::Write {
            offset,
            data: vec![0; len],
        };
        assert_eq!(w(0, 4096).boundaries(), 0);
        assert_eq!(w(0, 4097).boundaries(), 1);
        assert_eq!(w(4095, 2).boundaries(), 1);
        assert_eq!(w(100, 3 * 4096).boundaries(), 3);
        assert_eq!(w(4096, 4096).boundaries(), 0);
    }

    #[test]
    fn a_removed_name_still_durable_comes_back_with_its_bytes() {
        let mut d = Disk::default();
        let f = d.make(ROOT, name("blob"), false, 0o644).unwrap();
        d.write(f, 0, b"kept").unwrap();
        d.sync(f).unwrap();
        d.sync(ROOT).unwrap();
        d.remove(ROOT, name("blob"), false).unwrap();
        assert_eq!(d.lookup(ROOT, name("blob")), Err(libc::ENOENT));
        let (after, _) = d.cut(&mut Script(vec![0]));
        assert_eq!(file_bytes(&after, ROOT, "blob").unwrap(), b"kept");
    }
}
