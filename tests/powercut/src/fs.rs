//! The [`Disk`] mounted with FUSE, so that real programs (Concord's store,
//! SQLite) write to it through the kernel.
//!
//! Three choices keep the model honest (see the research notes in the
//! README's "Power cuts"):
//! - `fsync` and `fsyncdir` are answered, never refused: a FUSE file system
//!   that answers ENOSYS once is never asked again, and the kernel then
//!   tells programs their syncs succeeded.
//! - No writeback cache: every `write(2)` reaches the disk as it is made,
//!   in order, so a torn prefix is a prefix of what the program wrote.
//! - Files are opened without direct I/O, so SQLite's shared memory map of
//!   its `-shm` file works.
//!
//! POSIX locks are left to the kernel (it keeps them per mount), which is
//! all SQLite needs between processes on one machine.

use crate::disk::{Body, Disk, Errno, ROOT};
use fuser::{
    FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, LockOwner,
    OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory, ReplyEmpty,
    ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, Request, TimeOrNow, WriteFlags,
};
use std::ffi::OsStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// How long the kernel may keep a name or an attribute: every change goes
/// through the kernel, so what it caches stays true.
const TTL: Duration = Duration::from_secs(1);

/// The mounted disk. The harness keeps a second handle on the same
/// [`Disk`] to cut it once the file system is unmounted.
pub struct PowerCutFs {
    pub disk: Arc<Mutex<Disk>>,
}

fn errno(e: Errno) -> fuser::Errno {
    fuser::Errno::from_i32(e)
}

fn attr(disk: &Disk, ino: u64) -> Result<FileAttr, Errno> {
    let node = disk.nodes.get(&ino).ok_or(libc::ENOENT)?;
    let (kind, size, nlink) = match &node.body {
        Body::File(f) => (FileType::RegularFile, f.live.len() as u64, 1),
        Body::Dir(_) => (FileType::Directory, 4096, 2),
    };
    Ok(FileAttr {
        ino: INodeNo(ino),
        size,
        blocks: size.div_ceil(512),
        atime: node.mtime,
        mtime: node.mtime,
        ctime: node.mtime,
        crtime: node.mtime,
        kind,
        perm: node.mode,
        nlink,
        uid: 0,
        gid: 0,
        rdev: 0,
        blksize: 4096,
        flags: 0,
    })
}

impl PowerCutFs {
    fn entry(&self, reply: ReplyEntry, made: impl FnOnce(&mut Disk) -> Result<u64, Errno>) {
        let mut disk = self.disk.lock().unwrap();
        match made(&mut disk).and_then(|ino| attr(&disk, ino)) {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn empty(&self, reply: ReplyEmpty, change: impl FnOnce(&mut Disk) -> Result<(), Errno>) {
        match change(&mut self.disk.lock().unwrap()) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }
}

impl Filesystem for PowerCutFs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        self.entry(reply, |d| d.lookup(parent.0, name));
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match attr(&self.disk.lock().unwrap(), ino.0) {
            Ok(a) => reply.attr(&TTL, &a),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let mut disk = self.disk.lock().unwrap();
        let result = (|| {
            if let Some(len) = size {
                disk.truncate(ino.0, len)?;
            }
            let node = disk.nodes.get_mut(&ino.0).ok_or(libc::ENOENT)?;
            if let Some(mode) = mode {
                node.mode = (mode & 0o7777) as u16;
            }
            match mtime {
                Some(TimeOrNow::SpecificTime(t)) => node.mtime = t,
                Some(TimeOrNow::Now) => node.mtime = SystemTime::now(),
                None => {}
            }
            attr(&disk, ino.0)
        })();
        match result {
            Ok(a) => reply.attr(&TTL, &a),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn mkdir(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        let mode = (mode & !umask & 0o7777) as u16;
        self.entry(reply, |d| d.make(parent.0, name, true, mode));
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        self.empty(reply, |d| d.remove(parent.0, name, false));
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        self.empty(reply, |d| d.remove(parent.0, name, true));
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        if flags.intersects(RenameFlags::RENAME_EXCHANGE | RenameFlags::RENAME_WHITEOUT) {
            return reply.error(fuser::Errno::EINVAL);
        }
        let noreplace = flags.contains(RenameFlags::RENAME_NOREPLACE);
        self.empty(reply, |d| {
            d.rename(parent.0, name, newparent.0, newname, noreplace)
        });
    }

    fn open(&self, _req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let mut disk = self.disk.lock().unwrap();
        if let Err(e) = disk.file(ino.0) {
            return reply.error(errno(e));
        }
        if flags.0 & libc::O_TRUNC != 0 {
            if let Err(e) = disk.truncate(ino.0, 0) {
                return reply.error(errno(e));
            }
        }
        reply.opened(FileHandle(0), FopenFlags::empty());
    }

    fn create(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        let mut disk = self.disk.lock().unwrap();
        let made = match disk.lookup(parent.0, name) {
            Ok(_) if flags & libc::O_EXCL != 0 => Err(libc::EEXIST),
            Ok(ino) if flags & libc::O_TRUNC != 0 => disk.truncate(ino, 0).map(|()| ino),
            Ok(ino) => Ok(ino),
            Err(_) => disk.make(parent.0, name, false, (mode & !umask & 0o7777) as u16),
        };
        match made.and_then(|ino| attr(&disk, ino)) {
            Ok(a) => reply.created(&TTL, &a, Generation(0), FileHandle(0), FopenFlags::empty()),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let disk = self.disk.lock().unwrap();
        match disk.file(ino.0) {
            Ok(f) => {
                let start = (offset as usize).min(f.live.len());
                let end = (start + size as usize).min(f.live.len());
                reply.data(&f.live[start..end]);
            }
            Err(e) => reply.error(errno(e)),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        // Writes the kernel makes back from a shared memory map come here
        // too (after their program may have died): they are writes all the
        // same, and not durable until a sync.
        match self.disk.lock().unwrap().write(ino.0, offset, data) {
            Ok(()) => reply.written(data.len() as u32),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        // A close: not a promise of durability.
        reply.ok();
    }

    fn fsync(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        self.empty(reply, |d| d.sync(ino.0));
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let disk = self.disk.lock().unwrap();
        let dir = match disk.dir(ino.0) {
            Ok(d) => d,
            Err(e) => return reply.error(errno(e)),
        };
        let dots = [
            (ino.0, FileType::Directory, OsStr::new(".")),
            (ROOT, FileType::Directory, OsStr::new("..")),
        ];
        let entries = dir.live.iter().map(|(name, &child)| {
            let kind = match disk.nodes.get(&child).map(|n| &n.body) {
                Some(Body::Dir(_)) => FileType::Directory,
                _ => FileType::RegularFile,
            };
            (child, kind, name.as_os_str())
        });
        for (i, (child, kind, name)) in dots
            .into_iter()
            .chain(entries)
            .enumerate()
            .skip(offset as usize)
        {
            if reply.add(INodeNo(child), i as u64 + 1, kind, name) {
                break;
            }
        }
        reply.ok();
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        self.empty(reply, |d| d.sync(ino.0));
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        // Room enough: Concord checks free space before large writes.
        let blocks = 1 << 28;
        reply.statfs(blocks, blocks, blocks, 1 << 20, 1 << 20, 4096, 255, 4096);
    }
}
