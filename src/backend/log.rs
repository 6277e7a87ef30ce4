//! The event log: every change to every session, in an embedded SQLite
//! database (WAL journal, `synchronous=FULL`), keyed by session id and a
//! per-session event id that grows by one.
//!
//! An append names the event id it expects to write; if another process got
//! there first the append is refused, so concurrent writers never overwrite
//! each other. A `sessions` table, updated in the same transaction, lists
//! sessions without reading their events. SQLite's journal makes each append
//! all-or-nothing: after a crash or a torn write the log ends at the last
//! whole event. Each event also carries a checksum, so damage inside the
//! file is reported with its session and event id.
//!
//! The schema is versioned with `PRAGMA user_version` and brought up to date
//! by [`MIGRATIONS`] when the file is opened; events and snapshots carry the
//! format they were written in (see [`super::format`]).

use super::format::{newer, EVENT_FORMAT, SCHEMA_VERSION, SNAPSHOT_FORMAT};
use super::session::{Event, SessionState};
use crate::error::{Error, Result};
use parking_lot::Mutex;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another process's transaction to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// A row of the session listing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionRow {
    /// The session id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created: i64,
    /// Last change, milliseconds since the Unix epoch.
    pub updated: i64,
    /// The last event id.
    pub last_event: u64,
    /// The left file's name, once loaded.
    pub left: Option<String>,
    /// The right file's name, once loaded.
    pub right: Option<String>,
    /// The current result's summary (JSON), if any.
    pub summary: Option<String>,
}

/// What the log holds of one session: its latest snapshot (event id and
/// blob), and the events after it as (event id, time, event).
pub type Stored = (Option<(u64, String)>, Vec<(u64, i64, Event)>);

/// The event log of one data directory.
pub struct EventLog {
    conn: Mutex<Connection>,
}

/// The schema of the first release: version 0.
const SCHEMA_0: &str = "CREATE TABLE IF NOT EXISTS sessions (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         created INTEGER NOT NULL,
         updated INTEGER NOT NULL,
         last_event INTEGER NOT NULL,
         left_name TEXT,
         right_name TEXT,
         summary TEXT
     );
     CREATE TABLE IF NOT EXISTS events (
         session_id TEXT NOT NULL,
         event_id INTEGER NOT NULL,
         at INTEGER NOT NULL,
         payload TEXT NOT NULL,
         checksum TEXT NOT NULL,
         PRIMARY KEY (session_id, event_id)
     ) WITHOUT ROWID;
     CREATE TABLE IF NOT EXISTS snapshots (
         session_id TEXT NOT NULL,
         event_id INTEGER NOT NULL,
         blob TEXT NOT NULL,
         PRIMARY KEY (session_id, event_id)
     ) WITHOUT ROWID;";

/// The steps from each schema version to the next: `MIGRATIONS[v]` takes
/// version `v` to `v + 1`. A new database starts at 0 and takes them all,
/// so new and upgraded databases end up alike.
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [
    // 0 -> 1: the format each event and snapshot was written in.
    "ALTER TABLE events ADD COLUMN format INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE snapshots ADD COLUMN format INTEGER NOT NULL DEFAULT 0;",
];

/// Brings the schema to [`SCHEMA_VERSION`], refusing a newer one. Each step
/// and its new version commit together, under a write lock (the version is
/// read again under it), so two processes opening an old file at once
/// migrate it once.
fn migrate(conn: &mut Connection) -> Result<()> {
    // Most opens find the schema current: read its version without taking
    // the write lock, which another process may hold for a while.
    let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(newer(
            "the session database",
            u64::from(version),
            SCHEMA_VERSION,
        ));
    }
    if version == 0 {
        tx.execute_batch(SCHEMA_0)?;
    }
    for (v, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", v as u32 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

/// Whether `e` says the database is locked or busy.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// The last event id of `session`, if the session exists.
fn last_event_of(conn: &Connection, session: &str) -> rusqlite::Result<Option<u64>> {
    conn.query_row(
        "SELECT last_event FROM sessions WHERE id = ?1",
        [session],
        |r| r.get(0),
    )
    .optional()
}

fn checksum(payload: &str) -> String {
    blake3::hash(payload.as_bytes()).to_hex()[..16].to_string()
}

impl EventLog {
    /// Opens (creating if needed) the log in the SQLite file at `path`.
    pub fn open(path: &Path) -> Result<EventLog> {
        let mut conn = Connection::open(path)
            .map_err(|e| Error::storage_from(format!("cannot open '{}'", path.display()), e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Two processes creating the file at once: the one that does not
        // switch it to WAL first is told "locked" at once, without waiting
        // (SQLite waits only for locks, and this is a journal being set
        // up), so the switch is tried again until the other is done.
        let started = std::time::Instant::now();
        loop {
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                r => break r?,
            }
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut conn).map_err(|e| match e {
            Error::Storage { detail, source } => Error::Storage {
                detail: format!("cannot use '{}': {detail}", path.display()),
                source,
            },
            Error::NewerFormat { found, known, .. } => Error::NewerFormat {
                what: format!("the session database '{}'", path.display()),
                found,
                known,
            },
            e => e,
        })?;
        Ok(EventLog {
            conn: Mutex::new(conn),
        })
    }

    /// Appends `event` as event `expected_last + 1` of `session`, whose state
    /// after the event is `after` (kept in the listing). Fails with
    /// [`Error::Conflict`] if the session's last event is not `expected_last`.
    pub fn append(
        &self,
        session: &str,
        expected_last: u64,
        at: i64,
        event: &Event,
        after: &SessionState,
    ) -> Result<u64> {
        let payload = serde_json::to_string(event)
            .map_err(|e| Error::storage_from("cannot encode an event", e))?;
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<u64> = last_event_of(&tx, session)?;
        let fresh = matches!(event, Event::Created { .. });
        match (last, fresh) {
            (None, true) if expected_last == 0 => {}
            (Some(l), false) if l == expected_last => {}
            (None, false) => {
                return Err(Error::UnknownSession {
                    id: session.to_string(),
                })
            }
            _ => {
                return Err(Error::Conflict {
                    id: session.to_string(),
                })
            }
        }
        let id = expected_last + 1;
        tx.execute(
            "INSERT INTO events (session_id, event_id, at, payload, checksum, format) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![session, id, at, payload, checksum(&payload), event.format()],
        )?;
        let summary = after
            .current_result()
            .map(|r| serde_json::to_string(&r.summary).unwrap_or_default());
        tx.execute(
            "INSERT INTO sessions (id, name, created, updated, last_event, left_name, right_name, summary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(id) DO UPDATE SET name = ?2, updated = ?4, last_event = ?5,
                 left_name = ?6, right_name = ?7, summary = ?8",
            params![
                session,
                after.name,
                after.created,
                at,
                id,
                after.left.as_ref().map(|i| i.name.as_str()),
                after.right.as_ref().map(|i| i.name.as_str()),
                summary
            ],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// The latest snapshot of a session (event id and blob), and the events
    /// after it, checked and in order.
    pub fn read(&self, session: &str) -> Result<Stored> {
        let conn = self.conn.lock();
        let exists: Option<u64> = last_event_of(&conn, session)?;
        if exists.is_none() {
            return Err(Error::UnknownSession {
                id: session.to_string(),
            });
        }
        let snapshot: Option<(u64, String, u32)> = conn
            .query_row(
                "SELECT event_id, blob, format FROM snapshots WHERE session_id = ?1 ORDER BY event_id DESC LIMIT 1",
                [session],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((event, _, format)) = &snapshot {
            if *format > SNAPSHOT_FORMAT {
                let what = format!("session '{session}' (its snapshot at event {event})");
                return Err(newer(what, u64::from(*format), SNAPSHOT_FORMAT));
            }
        }
        let snapshot = snapshot.map(|(event, blob, _)| (event, blob));
        let from = snapshot.as_ref().map_or(0, |s| s.0);
        let mut stmt = conn.prepare(
            "SELECT event_id, at, payload, checksum, format FROM events WHERE session_id = ?1 AND event_id > ?2 ORDER BY event_id",
        )?;
        let rows = stmt.query_map(params![session, from], |r| {
            Ok((
                r.get::<_, u64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, u32>(4)?,
            ))
        })?;
        let mut events = Vec::new();
        for (expect, row) in (from + 1..).zip(rows) {
            let (id, at, payload, sum, format) = row?;
            if format > EVENT_FORMAT {
                let what = format!("session '{session}' (event {id})");
                return Err(newer(what, u64::from(format), EVENT_FORMAT));
            }
            let corrupt = |detail: String| Error::Corrupt {
                session: session.to_string(),
                event: id,
                detail,
            };
            if id != expect {
                return Err(corrupt(format!("event {expect} is missing")));
            }
            if checksum(&payload) != sum {
                return Err(corrupt("its checksum does not match its contents".into()));
            }
            let event: Event = serde_json::from_str(&payload)
                .map_err(|e| corrupt(format!("it cannot be read: {e}")))?;
            events.push((id, at, event));
        }
        Ok((snapshot, events))
    }

    /// All sessions, most recently changed first.
    pub fn list(&self) -> Result<Vec<SessionRow>> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare(
            "SELECT id, name, created, updated, last_event, left_name, right_name, summary FROM sessions ORDER BY updated DESC, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SessionRow {
                id: r.get(0)?,
                name: r.get(1)?,
                created: r.get(2)?,
                updated: r.get(3)?,
                last_event: r.get(4)?,
                left: r.get(5)?,
                right: r.get(6)?,
                summary: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The last event id of a session, if it exists.
    pub fn last_event(&self, session: &str) -> Result<Option<u64>> {
        let conn = self.conn.lock();
        Ok(last_event_of(&conn, session)?)
    }

    /// Records a snapshot (a blob holding the folded state up to `event_id`,
    /// written in `format`) and drops the events it covers.
    pub fn snapshot(&self, session: &str, event_id: u64, blob: &str, format: u32) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: Option<u64> = last_event_of(&tx, session)?;
        if exists.is_none() {
            // Deleted meanwhile (by another process): nothing to keep.
            return Ok(());
        }
        tx.execute(
            "INSERT OR REPLACE INTO snapshots (session_id, event_id, blob, format) VALUES (?1, ?2, ?3, ?4)",
            params![session, event_id, blob, format],
        )?;
        tx.execute(
            "DELETE FROM snapshots WHERE session_id = ?1 AND event_id < ?2",
            params![session, event_id],
        )?;
        tx.execute(
            "DELETE FROM events WHERE session_id = ?1 AND event_id <= ?2",
            params![session, event_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes a session and its events and snapshots.
    pub fn delete(&self, session: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute("DELETE FROM sessions WHERE id = ?1", [session])?;
        if n == 0 {
            return Err(Error::UnknownSession {
                id: session.to_string(),
            });
        }
        tx.execute("DELETE FROM events WHERE session_id = ?1", [session])?;
        tx.execute("DELETE FROM snapshots WHERE session_id = ?1", [session])?;
        tx.commit()?;
        Ok(())
    }

    /// Blobs named by any event, and the snapshot blobs (whose own references
    /// the caller reads from them).
    pub fn references(&self) -> Result<(Vec<String>, Vec<String>)> {
        let conn = self.conn.lock();
        let mut events = Vec::new();
        let mut stmt = conn.prepare("SELECT payload FROM events")?;
        for payload in stmt.query_map([], |r| r.get::<_, String>(0))? {
            if let Ok(event) = serde_json::from_str::<Event>(&payload?) {
                match event {
                    Event::Loaded { input, .. } => events.push(input.blob),
                    Event::Compared { result } => {
                        events.extend(result.kept_rows);
                        events.push(result.blob);
                    }
                    _ => {}
                }
            }
        }
        let mut stmt = conn.prepare("SELECT blob FROM snapshots")?;
        let snapshots = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((events, snapshots))
    }
}
