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
//! ([`crate::plan::compare_loaded`]).
//!
//! This module is the cache and the commit; the store's other jobs are
//! methods in modules of their own: taking files in and reading them back
//! (`intake.rs`), stored results (`results.rs`), and garbage
//! collection ([`super::gc`]).

use super::blobs::BlobStore;
use super::log::{EventLog, SessionRow};
use super::session::{Event, SessionData, SessionState, Unavailable};
use crate::budget::MemoryBudget;
use crate::error::{Error, Result, Side};
use crate::plan::Resources;
use crate::progress::Control;
use crate::table::Table;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

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

pub(super) struct Slot {
    pub(super) data: RwLock<SessionData>,
    last_access: AtomicU64,
    /// When the copy was last checked against the log (store ticks).
    checked: AtomicU64,
    pub(super) bytes: AtomicUsize,
}

/// How long a session in memory is trusted before a read checks the log for
/// changes by other processes. The check is one small query, but it goes
/// through the one database connection, so it is not made on every read.
const FRESHNESS_MS: u64 = 100;

/// Sessions in memory, backed by an event log and a blob store on disk.
pub struct SessionStore {
    pub(super) dir: PathBuf,
    pub(super) log: EventLog,
    pub(super) blobs: BlobStore,
    pub(super) limits: StoreLimits,
    pub(super) sessions: RwLock<HashMap<String, Arc<Slot>>>,
    bytes: AtomicUsize,
    pub(super) epoch: Instant,
    /// The memory limit in bytes ([`MemoryBudget`]), which decides which
    /// tables go to disk and how comparisons run.
    pub(super) memory_limit: AtomicU64,
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
        crate::output::create_dir_durably(dir)
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
        data.invalidate(&event);
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
                    super::results::recompute(&state, l, r, &self.resources(), ctl)?
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
}
