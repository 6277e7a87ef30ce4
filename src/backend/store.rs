//! The session store: sessions in memory over a durable layer.
//!
//! In memory, sessions live in a map behind a `parking_lot::RwLock`; each
//! session has its own lock, so reading one never takes the store's write
//! lock, and its last access is an atomic. Sessions leave memory when idle,
//! when there are too many, or when their loaded data exceeds a byte budget
//! (least recently used first); the total is kept up to date as sessions
//! change, never recomputed by walking cells. Leaving memory loses nothing:
//! every change was written to the event log before it was applied
//! (persist-before-apply), and a session not in memory is rebuilt from its
//! latest snapshot, the events after it and its blobs on next use.
//!
//! A file larger than a third of the memory limit is read into a table on
//! disk (unnamed files in the data directory, mapped), so a session holds
//! files of any size; its comparison then runs a partition at a time
//! ([`crate::files::compare_loaded`]).

use super::blobs::BlobStore;
use super::format::{newer, RESULT_FORMAT, RESULT_MAGIC, RESULT_SAME_LAYOUT, RESULT_V1_LAYOUT};
use super::log::{EventLog, SessionRow};
use super::session::{Copies, Event, FileRef, InputRef, SessionData, SessionState, Unavailable};
use crate::compare::result_v1::CompareResultV1;
use crate::compare::CompareResult;
use crate::error::{Error, Result, Side};
use crate::files::{check_space, compare_loaded, MemoryBudget, Resources};
use crate::progress::Control;
use crate::table::Table;
use parking_lot::RwLock;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// A file's size and modification time: what tells that it changed.
fn fingerprint(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The input to record for a file stored as `blob` (`bytes` long) under
/// the user's `name` and read as `table`: the reading options the parse
/// detected are made explicit, so the file reads the same way next time.
fn recorded(
    name: String,
    blob: String,
    bytes: u64,
    table: &Table,
    options: &crate::table::LoadOptions,
) -> InputRef {
    InputRef {
        blob,
        name,
        bytes,
        options: table.effective_options(options.allow_ragged),
        reference: None,
    }
}

/// Nanoseconds since the Unix epoch (negative before it).
fn nanos(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i64,
        Err(e) => -(e.duration().as_nanos() as i64),
    }
}

/// The BLAKE3 hash of the file at `path`, as the blob store names blobs.
fn hash_file(path: &Path, name: &str) -> Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_mmap(path).map_err(|source| Error::Read {
        path: name.to_string(),
        source,
    })?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// Checks that a referenced file is still the one `input` recorded: same
/// size, and the same modification time or, failing that, the same hash
/// (a file that was only touched, or copied back, is still the same file).
pub(crate) fn check_reference(input: &InputRef, r: &FileRef) -> Result<()> {
    let changed = |detail: String| Error::SourceChanged {
        path: r.path.clone(),
        detail,
    };
    let meta = match std::fs::metadata(&r.path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Err(changed("is no longer a file".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(changed("was deleted or moved".into()))
        }
        Err(source) => {
            return Err(Error::Read {
                path: r.path.clone(),
                source,
            })
        }
    };
    if meta.len() != input.bytes {
        return Err(changed(format!(
            "changed since it was loaded (it was {} bytes, it is now {})",
            input.bytes,
            meta.len()
        )));
    }
    if meta.modified().ok().map(nanos) == Some(r.modified_ns) {
        return Ok(());
    }
    if hash_file(Path::new(&r.path), &r.path)? != input.blob {
        return Err(changed(
            "changed since it was loaded (same size, different contents)".into(),
        ));
    }
    Ok(())
}

/// Limits on what the store keeps in memory.
#[derive(Debug, Clone)]
pub struct StoreLimits {
    /// At most this many sessions in memory.
    pub max_sessions: usize,
    /// At most this many bytes of loaded tables and results in memory.
    pub max_bytes: usize,
    /// Sessions unused this long leave memory.
    pub idle: Duration,
    /// A snapshot is written every this many events (and when a session leaves memory).
    pub snapshot_every: u64,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            max_sessions: 16,
            max_bytes: 4 << 30,
            idle: Duration::from_secs(30 * 60),
            snapshot_every: 64,
        }
    }
}

struct Slot {
    data: RwLock<SessionData>,
    last_access: AtomicU64,
    /// When the copy was last checked against the log (store ticks).
    checked: AtomicU64,
    bytes: AtomicUsize,
}

/// How long a session in memory is trusted before a read checks the log for
/// changes by other processes. The check is one small query, but it goes
/// through the one database connection, so it is not made on every read.
const FRESHNESS_MS: u64 = 100;

/// What garbage collection removed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct GcReport {
    /// Blobs removed.
    pub removed: usize,
    /// Bytes freed.
    pub bytes: u64,
    /// Blobs kept because some session refers to them.
    pub kept: usize,
}

/// Sessions in memory, backed by an event log and a blob store on disk.
pub struct SessionStore {
    dir: PathBuf,
    log: EventLog,
    blobs: BlobStore,
    limits: StoreLimits,
    sessions: RwLock<HashMap<String, Arc<Slot>>>,
    bytes: AtomicUsize,
    epoch: Instant,
    /// The memory limit in bytes ([`MemoryBudget`]), which decides which
    /// tables go to disk and how comparisons run.
    memory_limit: AtomicU64,
}

/// Makes again, from the stored inputs and settings, a current result that
/// was stored in a format this build no longer reads; it is kept in memory
/// until the session is compared again. A result that is not current, or
/// whose inputs are gone, is simply not shown.
fn recompute(
    state: &SessionState,
    left: Option<&Table>,
    right: Option<&Table>,
    resources: &Resources,
    ctl: Control<'_>,
) -> Result<Option<Arc<CompareResult>>> {
    let (Some(left), Some(right), Some(_)) = (left, right, state.current_result()) else {
        return Ok(None);
    };
    let mut result = compare_loaded(left, right, &state.config, resources, ctl)?.result;
    result.notes.push(
        "the stored result was written by an older version of Concord in a format this version no longer reads; it was computed again from the stored files".to_string(),
    );
    Ok(Some(Arc::new(result)))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A new session id: 16 hex digits from the time, the process and a counter.
fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!("{nanos}-{}-{n}", std::process::id());
    blake3::hash(seed.as_bytes()).to_hex()[..16].to_string()
}

impl SessionStore {
    /// Opens the store in `dir` (creating it), with default limits.
    pub fn open(dir: &Path) -> Result<SessionStore> {
        SessionStore::open_with(dir, StoreLimits::default())
    }

    /// Opens the store in `dir` with the given limits.
    pub fn open_with(dir: &Path, limits: StoreLimits) -> Result<SessionStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::storage_from(format!("cannot create '{}'", dir.display()), e))?;
        Ok(SessionStore {
            dir: dir.to_path_buf(),
            log: EventLog::open(&dir.join("events.db"))?,
            blobs: BlobStore::open(&dir.join("blobs"))?,
            limits,
            sessions: RwLock::new(HashMap::new()),
            bytes: AtomicUsize::new(0),
            epoch: Instant::now(),
            memory_limit: AtomicU64::new(MemoryBudget::from_environment().0),
        })
    }

    /// The memory limit its sessions work within.
    pub fn memory_limit(&self) -> MemoryBudget {
        MemoryBudget(self.memory_limit.load(Ordering::Relaxed))
    }

    /// Sets the memory limit: files loaded from now on larger than a third
    /// of it are read into tables on disk, and comparisons of files that do
    /// not fit it together run a partition at a time.
    pub fn set_memory_limit(&self, budget: MemoryBudget) {
        self.memory_limit.store(budget.0, Ordering::Relaxed);
    }

    /// Where comparisons work: within the memory limit, with what goes to
    /// disk in the data directory.
    pub fn resources(&self) -> Resources {
        Resources {
            budget: self.memory_limit(),
            spill_dir: self.dir.clone(),
        }
    }

    /// Reads the file at `path` into a table: in memory, or, when the file
    /// is larger than a third of the memory limit, into unnamed files in
    /// the data directory (after checking it has room).
    fn parse(
        &self,
        path: &Path,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<Table> {
        let budget = self.memory_limit();
        let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        if budget.fits(bytes, bytes) {
            return crate::table::load_path(path, options, ctl);
        }
        // The text, its offsets and each row's place: about 1.4x the file.
        check_space(&self.dir, bytes / 10 * 14 + (64 << 20))?;
        let piece = budget.limits().piece_bytes;
        crate::table::load_to_disk(path, options, piece, &self.dir, ctl)
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The blob store.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// All sessions on disk (including those of other processes), without
    /// loading any of them.
    pub fn list(&self) -> Result<Vec<SessionRow>> {
        self.log.list()
    }

    /// Sessions in memory now.
    pub fn resident(&self) -> Vec<String> {
        let mut v: Vec<String> = self.sessions.read().keys().cloned().collect();
        v.sort();
        v
    }

    /// Bytes of loaded data in memory now.
    pub fn resident_bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    fn tick(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    /// Creates a session.
    pub fn create(&self, name: &str) -> Result<SessionState> {
        let id = new_id();
        let mut data = SessionData::new(SessionState::empty(&id));
        self.commit(
            &mut data,
            Event::Created {
                name: name.to_string(),
            },
        )?;
        let state = data.state.clone();
        self.insert(data)?;
        Ok(state)
    }

    /// Puts a session into memory, unless one is there already (then that
    /// one is returned). Returns `None` if the log has moved past `data`
    /// while it was being read (a rename of a session not in memory), so
    /// that the caller reads it again rather than keep a stale copy.
    fn insert(&self, data: SessionData) -> Result<Option<Arc<Slot>>> {
        let id = data.state.id.clone();
        let last = data.state.last_event;
        let bytes = data.heap_bytes();
        let slot = Arc::new(Slot {
            data: RwLock::new(data),
            last_access: AtomicU64::new(self.tick()),
            checked: AtomicU64::new(self.tick()),
            bytes: AtomicUsize::new(bytes),
        });
        let mut map = self.sessions.write();
        let slot = match map.get(&id) {
            Some(existing) => existing.clone(),
            None => {
                // Changes to sessions not in memory are made while holding
                // this lock, so the log cannot move between check and insert.
                if self.log.last_event(&id)? != Some(last) {
                    return Ok(None);
                }
                self.bytes.fetch_add(bytes, Ordering::Relaxed);
                map.insert(id, slot.clone());
                slot
            }
        };
        drop(map);
        self.evict(Some(&slot));
        Ok(Some(slot))
    }

    /// The session in memory, loaded from disk when it is not there. With
    /// `refresh`, a copy that another process has changed since is read
    /// again; without, it is kept, so that a write based on it is refused.
    fn slot(&self, id: &str, refresh: bool) -> Result<Arc<Slot>> {
        self.slot_with(id, refresh, Control::default())
    }

    /// [`SessionStore::slot`], reporting the loading of a session that is
    /// not in memory to `ctl`, and stopping it when cancelled.
    fn slot_with(&self, id: &str, refresh: bool, ctl: Control<'_>) -> Result<Arc<Slot>> {
        let cached = self.sessions.read().get(id).cloned();
        if let Some(slot) = cached {
            let now = self.tick();
            if !refresh || now.saturating_sub(slot.checked.load(Ordering::Relaxed)) < FRESHNESS_MS {
                slot.last_access.store(now, Ordering::Relaxed);
                return Ok(slot);
            }
            // Hold the session's read lock while asking the log, so that no
            // commit of this process can fall between the two reads.
            let fresh = {
                let data = slot.data.read();
                self.log.last_event(id)? == Some(data.state.last_event)
            };
            if fresh {
                slot.last_access.store(now, Ordering::Relaxed);
                slot.checked.store(now, Ordering::Relaxed);
                return Ok(slot);
            }
            // Changed or deleted by another process: read it again.
            self.forget(id);
        }
        loop {
            if let Some(slot) = self.insert(self.rebuild(id, ctl)?)? {
                return Ok(slot);
            }
        }
    }

    /// Brings a session into memory (parsing its files again if it is not
    /// there), reporting progress to `ctl`; returns its state. A cancelled
    /// load leaves the session as it was, on disk and in memory.
    pub fn open_session(&self, id: &str, ctl: Control<'_>) -> Result<SessionState> {
        let slot = self.slot_with(id, true, ctl)?;
        let state = slot.data.read().state.clone();
        Ok(state)
    }

    /// Runs `f` on a session for reading; other readers run at the same time.
    pub fn with_session<R>(&self, id: &str, f: impl FnOnce(&SessionData) -> R) -> Result<R> {
        let slot = self.slot(id, true)?;
        let data = slot.data.read();
        Ok(f(&data))
    }

    /// Runs `f` on a session for changing it. Changes go through
    /// [`SessionStore::commit`], which makes them durable first, and which
    /// refuses them with [`Error::Conflict`] if another process changed the
    /// session since this process last read it.
    pub fn with_session_mut<R>(
        &self,
        id: &str,
        f: impl FnOnce(&Self, &mut SessionData) -> Result<R>,
    ) -> Result<R> {
        let slot = self.slot(id, false)?;
        let mut data = slot.data.write();
        let out = f(self, &mut data);
        {
            // Under the map's lock, so that a copy dropped from memory
            // meanwhile is not counted (no code takes a session's lock while
            // holding the map's, so this order cannot deadlock).
            let map = self.sessions.read();
            let bytes = data.heap_bytes();
            let old = slot.bytes.swap(bytes, Ordering::Relaxed);
            if map.get(id).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                if bytes >= old {
                    self.bytes.fetch_add(bytes - old, Ordering::Relaxed);
                } else {
                    self.bytes.fetch_sub(old - bytes, Ordering::Relaxed);
                }
            }
        }
        let conflict = matches!(out, Err(Error::Conflict { .. }));
        drop(data);
        if conflict {
            // Another process changed the session: forget this copy, so that
            // the next use reads the session as it now is.
            self.forget(id);
        } else {
            self.evict(Some(&slot));
        }
        out
    }

    /// Makes `event` durable, then applies it to `data` (persist-before-apply).
    /// If writing fails, `data` is left as it was.
    pub fn commit(&self, data: &mut SessionData, event: Event) -> Result<u64> {
        let at = now_ms();
        let mut after = data.state.clone();
        let id = data.state.last_event + 1;
        after.apply(id, at, &event);
        self.log
            .append(&data.state.id, data.state.last_event, at, &event, &after)?;
        data.state = after;
        if id % self.limits.snapshot_every == 0 {
            // A failed snapshot loses nothing: the events are still there.
            let _ = self.snapshot(&data.state);
        }
        Ok(id)
    }

    /// Applies an event that touches no file or result (a rename): a session
    /// in memory is changed there; any other is changed on disk only,
    /// without loading its files.
    pub fn commit_state_only(&self, id: &str, event: Event) -> Result<SessionState> {
        {
            // Holding the map keeps the session from being loaded meanwhile.
            let map = self.sessions.write();
            if !map.contains_key(id) {
                let mut data = SessionData::new(self.fold(id)?);
                self.commit(&mut data, event)?;
                return Ok(data.state);
            }
        }
        self.with_session_mut(id, |store, d| {
            store.commit(d, event)?;
            Ok(d.state.clone())
        })
    }

    /// Writes the folded state as a snapshot and compacts the events it covers.
    pub fn snapshot(&self, state: &SessionState) -> Result<()> {
        let bytes = serde_json::to_vec(state)
            .map_err(|e| Error::storage_from("cannot encode a snapshot", e))?;
        let blob = self.blobs.put_bytes(&bytes)?;
        self.log
            .snapshot(&state.id, state.last_event, &blob, state.format())
    }

    /// Folds a session's state from disk, without loading its files.
    pub fn read_state(&self, id: &str) -> Result<SessionState> {
        let cached = self.sessions.read().get(id).cloned();
        if let Some(slot) = cached {
            let data = slot.data.read();
            if self.log.last_event(id)? == Some(data.state.last_event) {
                return Ok(data.state.clone());
            }
        }
        self.fold(id)
    }

    fn fold(&self, id: &str) -> Result<SessionState> {
        let (snapshot, events) = self.log.read(id)?;
        let mut state = match snapshot {
            None => SessionState::empty(id),
            Some((event, blob)) => {
                let bytes = self.blobs.read(&blob).map_err(|e| Error::Corrupt {
                    session: id.to_string(),
                    event,
                    detail: format!("its snapshot cannot be read: {e}"),
                })?;
                serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt {
                    session: id.to_string(),
                    event,
                    detail: format!("its snapshot cannot be read: {e}"),
                })?
            }
        };
        for (event_id, at, event) in &events {
            state.apply(*event_id, *at, event);
        }
        Ok(state)
    }

    /// Rebuilds a session from disk: state, tables and result. A referenced
    /// file that is gone or changed leaves its side without a table (noted
    /// in [`SessionData::unavailable`]); the rest of the session opens.
    fn rebuild(&self, id: &str, ctl: Control<'_>) -> Result<SessionData> {
        let state = self.fold(id)?;
        let load = |side: Side| -> Result<(Option<Arc<Table>>, Option<Unavailable>)> {
            let Some(input) = state.input(side) else {
                return Ok((None, None));
            };
            match self.load_input(input, ctl.with_side(side)) {
                Ok(table) => Ok((Some(Arc::new(table)), None)),
                Err(Error::SourceChanged { path, detail }) => {
                    Ok((None, Some(Unavailable { side, path, detail })))
                }
                Err(e) => Err(e),
            }
        };
        let (left, right) = rayon::join(|| load(Side::Left), || load(Side::Right));
        let ((left, left_gone), (right, right_gone)) = (left?, right?);
        let mut copies = None;
        let result = match &state.result {
            Some(r) => match self.read_result(id, &r.blob)? {
                Some(result) => {
                    // Kept rows spare reading a file that is gone, or
                    // whole tables on disk, for pages and exports.
                    let gone = left.is_none() || right.is_none();
                    let on_disk = [&left, &right].into_iter().flatten().any(|t| t.on_disk());
                    if gone || on_disk {
                        copies = r
                            .kept_rows
                            .as_deref()
                            .and_then(|k| self.kept_copies(k, &result));
                    }
                    Some(Arc::new(result))
                }
                None => {
                    let (l, r) = (left.as_deref(), right.as_deref());
                    recompute(&state, l, r, &self.resources(), ctl)?
                }
            },
            None => None,
        };
        let mut data = SessionData::new(state);
        data.left = left;
        data.right = right;
        data.result = result;
        data.copies = copies;
        data.unavailable = left_gone.into_iter().chain(right_gone).collect();
        Ok(data)
    }

    /// The kept rows `blob` of `result`, with the result pointing into
    /// them. Rows that cannot be read (removed by an older release's `gc`,
    /// say) are as good as none: the session then opens as if none were
    /// kept, which is what it can show without them.
    fn kept_copies(&self, blob: &str, result: &CompareResult) -> Option<Copies> {
        let (left, right) = self.read_kept(blob).ok()?;
        let named = |side| super::kept::named(result, side).count();
        if left.num_rows() != named(Side::Left) || right.num_rows() != named(Side::Right) {
            return None;
        }
        let result = crate::compare::partitioned::in_copies(result, &self.dir).ok()?;
        Some(Copies {
            left: Arc::new(left),
            right: Arc::new(right),
            result: Arc::new(result),
        })
    }

    /// Loads a session's input as a table: from its stored copy (checking
    /// its hash first), or from the user's file when it was referenced by
    /// path ([`Error::SourceChanged`] when that file is not the one loaded).
    pub fn load_input(&self, input: &InputRef, ctl: Control<'_>) -> Result<Table> {
        let Some(r) = &input.reference else {
            self.blobs.verify(&input.blob)?;
            return self.load_stored(&input.blob, &input.name, &input.options, ctl);
        };
        check_reference(input, r)?;
        let before = fingerprint(Path::new(&r.path));
        let mut table = self
            .parse(Path::new(&r.path), &input.options, ctl)
            .map_err(|e| e.with_path(&input.name))?;
        if fingerprint(Path::new(&r.path)) != before {
            return Err(Error::SourceChanged {
                path: r.path.clone(),
                detail: "changed while it was being read".into(),
            });
        }
        table.set_source_name(&input.name);
        Ok(table)
    }

    /// Reads the file at `path` without copying it into the store: the
    /// input to record (its hash, size, absolute path and modification
    /// time), and its table. The hash is computed while the file is parsed.
    pub(crate) fn reference_file(
        &self,
        path: &Path,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<(InputRef, Table)> {
        let name = path.display().to_string();
        let absolute = std::fs::canonicalize(path).map_err(|source| Error::Read {
            path: name.clone(),
            source,
        })?;
        let before = fingerprint(&absolute);
        let (hash, parsed) = std::thread::scope(|scope| {
            let hash = scope.spawn(|| hash_file(&absolute, &name));
            let parsed = self.parse(path, options, ctl);
            let hash = hash
                .join()
                .unwrap_or_else(|_| Err(Error::storage(format!("hashing '{name}' failed"))));
            (hash, parsed)
        });
        let table = parsed?;
        let hash = hash?;
        let Some((bytes, modified)) = before.filter(|_| fingerprint(&absolute) == before) else {
            return Err(Error::SourceChanged {
                path: name,
                detail: "changed while it was being read".into(),
            });
        };
        let mut input = recorded(name, hash, bytes, &table, options);
        input.reference = Some(FileRef {
            path: absolute.display().to_string(),
            modified_ns: nanos(modified),
        });
        Ok((input, table))
    }

    /// Copies the file at `path` into the store and parses it: the input to
    /// record for it, and its table.
    ///
    /// The copy (read, hash, write, sync: mostly waiting on the disk) and
    /// the parse (CPU) run at the same time, both reading `path`. If the
    /// file changed meanwhile (its size or modification time differ after
    /// both), the table is parsed again from the stored copy, so the table
    /// always matches what the session keeps. Progress comes from the
    /// parse alone.
    pub(crate) fn store_file(
        &self,
        path: &Path,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<(InputRef, Table)> {
        let name = path.display().to_string();
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            // A pipe (`<(sort a.csv)`) can be read once only: copy, then
            // parse the copy.
            let (blob, bytes) = self.blobs.put_file(path, ctl)?;
            return self.stored_input(name, blob, bytes, options, ctl);
        }
        let before = fingerprint(path);
        let quiet = Control {
            progress: None,
            ..ctl
        };
        let (stored, parsed) = std::thread::scope(|scope| {
            let copy = scope.spawn(|| self.blobs.put_file(path, quiet));
            let parsed = self.parse(path, options, ctl);
            let stored = copy.join().unwrap_or_else(|_| {
                Err(Error::storage(format!(
                    "copying '{name}' into the store failed"
                )))
            });
            (stored, parsed)
        });
        let (blob, bytes) = stored?;
        let unchanged = before.is_some()
            && fingerprint(path) == before
            && before.map(|(len, _)| len) == Some(bytes);
        match parsed {
            // `load_path` already named the table after `path`.
            Ok(table) if unchanged => Ok((recorded(name, blob, bytes, &table, options), table)),
            Err(e) if unchanged => Err(e),
            _ => self.stored_input(name, blob, bytes, options, ctl),
        }
    }

    /// Parses a file this process has just stored (as `blob`, `bytes` long)
    /// under the user's `name`: the input to record for it (with the
    /// detected reading options made explicit), and its table.
    pub(crate) fn stored_input(
        &self,
        name: String,
        blob: String,
        bytes: u64,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<(InputRef, Table)> {
        let table = self.load_stored(&blob, &name, options, ctl)?;
        Ok((recorded(name, blob, bytes, &table, options), table))
    }

    /// Loads a file this process has just stored (so its hash was computed
    /// as it was written) as a table named `name`.
    pub(crate) fn load_stored(
        &self,
        blob: &str,
        name: &str,
        options: &crate::table::LoadOptions,
        ctl: Control<'_>,
    ) -> Result<Table> {
        // Errors would name the stored copy; name the user's file instead.
        let mut table = self
            .parse(&self.blobs.path(blob), options, ctl)
            .map_err(|e| e.with_path(name))?;
        table.set_source_name(name);
        Ok(table)
    }

    /// Stores a comparison result as a blob (in [`RESULT_FORMAT`]); returns its hash.
    pub fn write_result(&self, result: &CompareResult) -> Result<String> {
        // Encoded as it is written: a result on disk is never all in memory.
        self.blobs.put_writer(|w| {
            w.write_all(RESULT_MAGIC)?;
            w.write_all(&RESULT_FORMAT.to_le_bytes())?;
            postcard::to_io(result, w)
                .map(|_| ())
                .map_err(std::io::Error::other)
        })
    }

    /// Stores the rows of `left` and `right` that `result` names (see
    /// [`super::kept`]); returns their hash.
    pub fn write_kept(
        &self,
        left: &Table,
        right: &Table,
        result: &CompareResult,
    ) -> Result<String> {
        self.blobs
            .put_writer(|w| super::kept::write(w, left, right, result))
    }

    /// Reads kept rows back as two tables, which hold up to the result's
    /// share of the memory budget and go to disk past it, as a result does.
    pub fn read_kept(&self, blob: &str) -> Result<(Table, Table)> {
        let len = std::fs::metadata(self.blobs.path(blob))
            .map_err(|e| Error::storage_from(format!("cannot read the kept rows {blob}"), e))?
            .len();
        let room = self.memory_limit().limits().result_bytes;
        self.blobs.read_with(blob, |src| {
            super::kept::read(src, len, &self.dir, room, blob)
        })
    }

    /// Reads a stored result. `Ok(None)` means it was written in an older
    /// format this build cannot read, so the caller recomputes it; a newer
    /// format is refused.
    fn read_result(&self, session: &str, blob: &str) -> Result<Option<CompareResult>> {
        // The result is decoded as it is read, so its stored bytes are
        // never all in memory. The decoder holds one string at a time in
        // `scratch`: as long as the whole blob, it holds any string, and
        // its pages that no string reaches are never touched, so they take
        // no memory.
        let len = std::fs::metadata(self.blobs.path(blob)).map_or(0, |m| m.len());
        let mut scratch = vec![0u8; len as usize];
        self.blobs.read_with(blob, |src| {
            use std::io::BufRead;
            let head = src
                .fill_buf()
                .map_err(|e| Error::storage_from(format!("cannot read result {blob}"), e))?;
            // The first format had no header: its first bytes are the result's.
            let mut format = 0;
            if let Some(v) = head.strip_prefix(RESULT_MAGIC.as_slice()) {
                if let Some(v) = v.get(..4) {
                    format = u32::from_le_bytes(v.try_into().expect("four bytes"));
                    src.consume(8);
                }
            }
            if format > RESULT_FORMAT {
                let what = format!("the stored result of session '{session}'");
                return Err(newer(what, u64::from(format), RESULT_FORMAT));
            }
            // An older format is decoded in the layout it was written in;
            // one this build no longer reads (or that fails to decode) is
            // made again.
            let same = RESULT_SAME_LAYOUT.contains(&format);
            if !same && !RESULT_V1_LAYOUT.contains(&format) {
                return Ok(None);
            }
            // Rows past the result's share of the budget are decoded into
            // unnamed files in the data directory, as a comparison puts them.
            let room = self.memory_limit().limits().result_bytes;
            let decoded = crate::array::decoding_within(&self.dir, room, || {
                if same {
                    postcard::from_io::<CompareResult, _>((src, &mut scratch))
                } else {
                    postcard::from_io::<CompareResultV1, _>((src, &mut scratch))
                        .map(|(r, rest)| (r.into(), rest))
                }
            })
            .map_err(|e| {
                let to = self.dir.display();
                Error::storage_from(format!("cannot write the rows of result {blob} to {to}"), e)
            })?;
            match decoded {
                Ok((result, _)) => Ok(Some(result)),
                Err(_) if format < RESULT_FORMAT => Ok(None),
                Err(e) => Err(Error::Corrupt {
                    session: session.to_string(),
                    event: 0,
                    detail: format!("its stored result {blob} cannot be decoded: {e}"),
                }),
            }
        })
    }

    /// Drops a session from memory, with no snapshot.
    fn forget(&self, id: &str) {
        if let Some(slot) = self.sessions.write().remove(id) {
            self.bytes
                .fetch_sub(slot.bytes.load(Ordering::Relaxed), Ordering::Relaxed);
        }
    }

    /// Takes a session out of memory after writing a snapshot of it.
    pub fn close(&self, id: &str) -> Result<()> {
        let slot = self.sessions.write().remove(id);
        if let Some(slot) = slot {
            self.bytes
                .fetch_sub(slot.bytes.load(Ordering::Relaxed), Ordering::Relaxed);
            let state = slot.data.read().state.clone();
            self.snapshot(&state)?;
        }
        Ok(())
    }

    /// Deletes a session, on disk and in memory. Its blobs go at the next
    /// garbage collection if nothing else refers to them.
    pub fn delete(&self, id: &str) -> Result<()> {
        self.log.delete(id)?;
        self.forget(id);
        Ok(())
    }

    /// Applies the memory limits now. Eviction also runs whenever a session
    /// is used; a long-running process with no activity calls this from
    /// time to time so that idle sessions still leave memory.
    pub fn sweep(&self) {
        self.evict(None);
    }

    /// Evicts idle sessions, then least recently used ones while there are
    /// too many or they hold too many bytes. Sessions in use by another
    /// thread, and `keep`, stay.
    fn evict(&self, keep: Option<&Arc<Slot>>) {
        let now = self.tick();
        let idle_ms = self.limits.idle.as_millis() as u64;
        let over = |map: &HashMap<String, Arc<Slot>>| {
            map.len() > self.limits.max_sessions
                || self.bytes.load(Ordering::Relaxed) > self.limits.max_bytes
        };
        {
            let map = self.sessions.read();
            let idle = map
                .values()
                .any(|s| now.saturating_sub(s.last_access.load(Ordering::Relaxed)) > idle_ms);
            if !idle && !over(&map) {
                return;
            }
        }
        let mut evicted = Vec::new();
        {
            let mut map = self.sessions.write();
            let evictable = |s: &Arc<Slot>| {
                Arc::strong_count(s) == 1 && keep.is_none_or(|k| !Arc::ptr_eq(k, s))
            };
            let idle: Vec<String> = map
                .iter()
                .filter(|(_, s)| {
                    evictable(s)
                        && now.saturating_sub(s.last_access.load(Ordering::Relaxed)) > idle_ms
                })
                .map(|(id, _)| id.clone())
                .collect();
            for id in idle {
                let slot = map.remove(&id).expect("listed");
                self.bytes
                    .fetch_sub(slot.bytes.load(Ordering::Relaxed), Ordering::Relaxed);
                evicted.push(slot);
            }
            while over(&map) {
                let lru = map
                    .iter()
                    .filter(|(_, s)| evictable(s))
                    .min_by_key(|(_, s)| s.last_access.load(Ordering::Relaxed))
                    .map(|(id, _)| id.clone());
                match lru {
                    Some(id) => {
                        let slot = map.remove(&id).expect("listed");
                        self.bytes
                            .fetch_sub(slot.bytes.load(Ordering::Relaxed), Ordering::Relaxed);
                        evicted.push(slot);
                    }
                    None => break,
                }
            }
        }
        for slot in evicted {
            // Snapshots make the next rebuild quick; a failed one loses nothing.
            let state = slot.data.read().state.clone();
            let _ = self.snapshot(&state);
        }
    }

    /// Removes blobs that no session refers to and that are older than
    /// `grace` (so a blob written for an event not yet committed survives),
    /// and temporary files of writes abandoned longer than `grace` ago.
    pub fn gc(&self, grace: Duration) -> Result<GcReport> {
        let (mut referenced, snapshots): (Vec<String>, Vec<String>) = self.log.references()?;
        for snap in &snapshots {
            if let Ok(bytes) = self.blobs.read(snap) {
                if let Ok(state) = serde_json::from_slice::<SessionState>(&bytes) {
                    referenced.extend(state.blobs().into_iter().map(String::from));
                }
            }
        }
        referenced.extend(snapshots);
        // Take the sessions out of the map's lock before reading each one.
        let resident: Vec<Arc<Slot>> = self.sessions.read().values().cloned().collect();
        for slot in resident {
            referenced.extend(slot.data.read().state.blobs().into_iter().map(String::from));
        }
        let referenced: HashSet<String> = referenced.into_iter().collect();
        let cutoff = SystemTime::now() - grace;
        let mut report = GcReport::default();
        for (hash, modified) in self.blobs.list()? {
            if referenced.contains(&hash) || modified > cutoff {
                report.kept += 1;
                continue;
            }
            report.bytes += std::fs::metadata(self.blobs.path(&hash)).map_or(0, |m| m.len());
            self.blobs.remove(&hash)?;
            report.removed += 1;
        }
        for (path, modified) in self.blobs.temporaries()? {
            if modified < cutoff {
                let _ = std::fs::remove_file(path);
            }
        }
        Ok(report)
    }
}
