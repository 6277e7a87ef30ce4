//! The workflow API: everything a user does with sessions, as one
//! synchronous Rust API for every transport. The data types it answers
//! with are in [`super::models`]; its jobs (loads and comparisons that
//! report progress) in [`super::jobs`].

use super::models::{
    FileInfo, Page, PageQuery, ResultOverview, SessionInfo, Settings, SettingsChange, Upload,
};
use super::naming;
use super::reconcile::{Choice, Decisions, Reconciled, Reconciliation};
use super::session::{Event, InputRef, ResultRef};
use super::settings;
use super::store::SessionStore;
use super::view::{page_rows, view_key, view_order, VIEWS_KEPT};
use crate::budget::{MemoryBudget, MEMORY_LIMIT_ENV};
use crate::compare::{ColumnPair, CompareConfig, CompareResult, Comparison, Pairing, Summary};
use crate::error::{Error, Result, Side};
use crate::export::{self, Format, Report};
use crate::profile::ColumnProfile;
use crate::progress::Control;
use crate::suggest::Suggestions;
use crate::table::LoadOptions;
use crate::table::{Table, TableInfo};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Files of this size or more are referenced by path rather than copied
/// into the store, unless `CONCORD_REFERENCE_ABOVE`, the saved settings or
/// [`Workflow::with_reference_above`] say otherwise.
pub const DEFAULT_REFERENCE_ABOVE: u64 = 256 << 20;

/// The environment variable that sets the size from which files are referenced.
const REFERENCE_ABOVE_ENV: &str = "CONCORD_REFERENCE_ABOVE";

/// The workflow API over one session store.
#[derive(Clone)]
pub struct Workflow {
    store: Arc<SessionStore>,
    /// Files of this many bytes or more are referenced by path; shared by
    /// clones, so that a change of settings reaches every front end.
    reference_above: Arc<AtomicU64>,
    /// Loads and comparisons running, shared by clones.
    pub(super) jobs: Arc<super::jobs::Jobs>,
}

/// A setting's change as typed: absent (`None`), back to the default
/// (`Some(None)`, for an empty text) or a size; an error names the setting.
fn size_change(
    text: &Option<String>,
    name: &str,
    parse: impl Fn(&str) -> std::result::Result<u64, String>,
) -> Result<Option<Option<u64>>> {
    match text.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(t) => parse(t)
            .map(|bytes| Some(Some(bytes)))
            .map_err(|why| Error::Invalid(format!("{name}: {why}"))),
    }
}

impl Workflow {
    /// A workflow over `store`, within the store's memory limit
    /// (`CONCORD_MEMORY_LIMIT`, half of RAM by default), referencing files
    /// from the size in `CONCORD_REFERENCE_ABOVE` on
    /// ([`DEFAULT_REFERENCE_ABOVE`] by default).
    pub fn new(store: Arc<SessionStore>) -> Workflow {
        let reference_above = std::env::var(REFERENCE_ABOVE_ENV)
            .ok()
            .and_then(|v| crate::budget::parse_size(&v).ok())
            .unwrap_or(DEFAULT_REFERENCE_ABOVE);
        Workflow {
            store,
            reference_above: Arc::new(AtomicU64::new(reference_above)),
            jobs: Arc::default(),
        }
    }

    /// The same workflow with another memory limit (its store's, so every
    /// workflow over the store shares it): files larger than a third of it
    /// are read into tables on disk, and files that do not fit it together
    /// are compared a partition at a time.
    pub fn with_memory_limit(self, budget: MemoryBudget) -> Workflow {
        self.store.set_memory_limit(budget);
        self
    }

    /// The memory limit its sessions work within.
    pub fn memory_limit(&self) -> MemoryBudget {
        self.store.memory_limit()
    }

    /// The same workflow referencing files of `bytes` or more by path
    /// instead of copying them into the store (see [`Workflow::load_file`]).
    pub fn with_reference_above(self, bytes: u64) -> Workflow {
        self.reference_above.store(bytes, Ordering::Relaxed);
        self
    }

    /// A workflow over the store in `dir`, with the settings saved there
    /// ([`Workflow::set_settings`]), except those an environment variable
    /// sets for this run.
    pub fn open(dir: &Path) -> Result<Workflow> {
        let w = Workflow::new(Arc::new(SessionStore::open(dir)?));
        let saved = settings::read(dir).saved;
        let unset = |var: &str| std::env::var_os(var).is_none();
        if let (Some(bytes), true) = (saved.memory_limit, unset(MEMORY_LIMIT_ENV)) {
            // A hand-edited file gets no less than a setting can say.
            w.store
                .set_memory_limit(MemoryBudget(bytes.max(MemoryBudget::MIN)));
        }
        if let (Some(bytes), true) = (saved.reference_above, unset(REFERENCE_ABOVE_ENV)) {
            w.reference_above.store(bytes, Ordering::Relaxed);
        }
        Ok(w)
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        Settings {
            memory_limit: self.memory_limit().0,
            memory_limit_default: MemoryBudget::default_for_machine().0,
            reference_above: self.reference_above.load(Ordering::Relaxed),
            reference_above_default: DEFAULT_REFERENCE_ABOVE,
            problem: settings::read(self.store.dir()).problem,
            data_dir: self.store.dir().display().to_string(),
            data_bytes: folder_bytes(self.store.dir()),
        }
    }

    /// Changes settings, saves them in the data directory for the next
    /// start, and applies them to files loaded and comparisons started from
    /// now on. A size that does not read is refused, naming the setting,
    /// and nothing changes.
    pub fn set_settings(&self, change: &SettingsChange) -> Result<Settings> {
        let memory_limit = size_change(&change.memory_limit, "memory limit", |t| {
            MemoryBudget::parse(t).map(|b| b.0)
        })?;
        let reference_above = size_change(
            &change.reference_above,
            "reference files above",
            crate::budget::parse_size,
        )?;
        let mut saved = settings::read(self.store.dir()).saved;
        if let Some(v) = memory_limit {
            saved.memory_limit = v;
        }
        if let Some(v) = reference_above {
            saved.reference_above = v;
        }
        // Saved first: a setting the next start would not find is not applied.
        settings::write(self.store.dir(), &saved)?;
        if let Some(v) = memory_limit {
            let budget = v.map_or_else(MemoryBudget::default_for_machine, MemoryBudget);
            self.store.set_memory_limit(budget);
        }
        if let Some(v) = reference_above {
            let bytes = v.unwrap_or(DEFAULT_REFERENCE_ABOVE);
            self.reference_above.store(bytes, Ordering::Relaxed);
        }
        Ok(self.settings())
    }

    /// The store underneath, for the backend's own tests.
    #[cfg(test)]
    pub(crate) fn store(&self) -> &Arc<SessionStore> {
        &self.store
    }

    /// Creates a session.
    pub fn create_session(&self, name: &str) -> Result<SessionInfo> {
        Ok(SessionInfo::from_state(&self.store.create(name)?, false))
    }

    /// Lists sessions (those of other processes too), newest change first.
    pub fn list_sessions(&self) -> Result<Vec<SessionInfo>> {
        Ok(self
            .store
            .list()?
            .into_iter()
            .map(|r| SessionInfo {
                id: r.id,
                name: r.name,
                created: r.created,
                updated: r.updated,
                left: r.left,
                right: r.right,
                summary: r.summary.and_then(|s| serde_json::from_str(&s).ok()),
                config: None,
                last_event: r.last_event,
                unavailable: Vec::new(),
            })
            .collect())
    }

    /// A session's details, without loading its files.
    pub fn session(&self, id: &str) -> Result<SessionInfo> {
        Ok(SessionInfo::from_state(&self.store.read_state(id)?, true))
    }

    /// Opens a session: loads its files and result into memory.
    /// Reopening a session parses both its files again: `ctl` sees the
    /// progress, per side, and can cancel it.
    /// A referenced file that is gone or changed does not stop it opening:
    /// it is listed in [`SessionInfo::unavailable`].
    pub fn open_session(&self, id: &str, ctl: Control<'_>) -> Result<SessionInfo> {
        self.store.open_session(id, ctl)?;
        self.store.with_session(id, |d| SessionInfo {
            unavailable: d.unavailable.clone(),
            // The result as read has every field of today's summary; the
            // event has the summary as its release recorded it.
            summary: d.current_result().map(|r| r.summary.clone()),
            ..SessionInfo::from_state(&d.state, true)
        })
    }

    /// Renames a session.
    pub fn rename_session(&self, id: &str, name: &str) -> Result<SessionInfo> {
        let event = Event::Renamed {
            name: name.to_string(),
        };
        Ok(SessionInfo::from_state(
            &self.store.commit_state_only(id, event)?,
            true,
        ))
    }

    /// Deletes a session, stopping its comparison if one runs.
    pub fn delete_session(&self, id: &str) -> Result<()> {
        let _ = self.cancel_compare(id);
        self.store.delete(id)
    }

    /// Takes a session out of memory, writing a snapshot first.
    pub fn close_session(&self, id: &str) -> Result<()> {
        self.store.close(id)
    }

    /// Loads the file at `path` into one side of a session (replacing what
    /// was there). The file is copied into the store and parsed, so the
    /// session keeps exactly what was compared even if the original changes
    /// or moves (and a pipe is read once). A file at or above the reference
    /// size is not copied: the session records its path, size,
    /// modification time and hash, reads it from there when reopened, and
    /// reports [`Error::SourceChanged`] if it is gone or different. Progress
    /// is reported for `side`; a cancellation, or any error, leaves the
    /// session as it was.
    pub fn load_file(
        &self,
        id: &str,
        side: Side,
        path: &Path,
        options: &LoadOptions,
        ctl: Control<'_>,
    ) -> Result<FileInfo> {
        let ctl = ctl.with_side(side);
        self.store.read_state(id)?;
        let meta = std::fs::metadata(path).ok();
        if meta.as_ref().is_some_and(|m| m.is_dir()) {
            return Err(Error::NotAFile {
                path: path.display().to_string(),
            });
        }
        let bytes = meta.as_ref().map_or(0, |m| m.len());
        let regular = meta.is_some_and(|m| m.is_file());
        let (input, table) = if regular && bytes >= self.reference_above.load(Ordering::Relaxed) {
            self.store.reference_file(path, options, ctl)?
        } else {
            self.store.store_file(path, options, ctl)?
        };
        self.commit_load(id, side, input, table, ctl)
    }

    /// Loads an uploaded file's bytes into one side of a session.
    pub fn load_bytes(
        &self,
        id: &str,
        side: Side,
        name: &str,
        bytes: &[u8],
        options: &LoadOptions,
        ctl: Control<'_>,
    ) -> Result<FileInfo> {
        let ctl = ctl.with_side(side);
        self.store.read_state(id)?;
        let blob = self.store.blobs().put_bytes(bytes)?;
        let size = bytes.len() as u64;
        let (input, table) = self
            .store
            .stored_input(name.to_string(), blob, size, options, ctl)?;
        self.commit_load(id, side, input, table, ctl)
    }

    /// Loads a file streamed from `upload.reader` (an HTTP request body, say)
    /// into one side of a session: the stream goes to the store as it
    /// arrives, and only the parsed table is held in memory.
    pub fn load_reader(
        &self,
        id: &str,
        side: Side,
        upload: Upload<impl std::io::Read>,
        options: &LoadOptions,
        ctl: Control<'_>,
    ) -> Result<FileInfo> {
        let ctl = ctl.with_side(side);
        self.store.read_state(id)?;
        let size = upload.size.unwrap_or(0);
        let blobs = self.store.blobs();
        let (blob, bytes) = match upload.limit {
            Some(limit) => blobs.put_reader_below(upload.reader, &upload.name, limit, size, ctl)?,
            None => blobs.put_reader(upload.reader, u64::MAX, size, ctl)?,
        };
        let (input, table) = self
            .store
            .stored_input(upload.name, blob, bytes, options, ctl)?;
        self.commit_load(id, side, input, table, ctl)
    }

    /// Records a loaded file on one side, with its parsed table, unless
    /// the load was cancelled meanwhile.
    fn commit_load(
        &self,
        id: &str,
        side: Side,
        input: InputRef,
        table: crate::table::Table,
        ctl: Control<'_>,
    ) -> Result<FileInfo> {
        let info = FileInfo {
            name: input.name.clone(),
            bytes: input.bytes,
            rows: Some(table.num_rows()),
            table: Some(table.describe()),
            unavailable: None,
            on_disk: table.on_disk(),
            copied: input.reference.is_none(),
        };
        let unnamed = self.store.with_session_mut(id, |store, d| {
            // Checked under the session's lock: a newer load on this side
            // that stopped this one commits after it, never before.
            ctl.check()?;
            store.commit(d, Event::Loaded { side, input })?;
            let table = Some(Arc::new(table));
            match side {
                Side::Left => d.left = table,
                Side::Right => d.right = table,
            }
            d.unavailable.retain(|u| u.side != side);
            let s = &d.state;
            Ok(match (&s.left, &s.right) {
                (Some(l), Some(r)) if s.name == naming::UNTITLED => {
                    Some((l.name.clone(), r.name.clone()))
                }
                _ => None,
            })
        })?;
        if let Some((left, right)) = unnamed {
            self.name_by_files(id, &left, &right)?;
        }
        Ok(info)
    }

    /// Names an untitled session after its two files, apart from the
    /// others' names (see [`naming`]).
    fn name_by_files(&self, id: &str, left: &str, right: &str) -> Result<()> {
        let name = self.name_for(left, right, Some(id))?;
        self.rename_session(id, &name).map(|_| ())
    }

    /// The name a session of these two files gets: after them, apart from
    /// the other sessions' names (all but `except`'s).
    fn name_for(&self, left: &str, right: &str, except: Option<&str>) -> Result<String> {
        let taken: Vec<String> = self
            .list_sessions()?
            .into_iter()
            .filter(|s| Some(s.id.as_str()) != except)
            .map(|s| s.name)
            .collect();
        Ok(naming::default_name(left, right, &taken, &naming::today()))
    }

    /// The file loaded on one side, with how it was read: what a load
    /// screen shows again when a session is reopened.
    pub fn file(&self, id: &str, side: Side) -> Result<FileInfo> {
        self.store.with_session(id, |d| {
            let input = d.state.input(side).ok_or_else(|| d.missing(side))?;
            let (rows, table, unavailable) = match d.table(side) {
                Some(t) => (Some(t.num_rows()), Some(t.describe()), None),
                None => (None, None, Some(d.missing(side).to_string())),
            };
            Ok(FileInfo {
                name: input.name.clone(),
                bytes: input.bytes,
                rows,
                table,
                unavailable,
                on_disk: d.table(side).is_some_and(|t| t.on_disk()),
                copied: input.reference.is_none(),
            })
        })?
    }

    /// Column profiles of one side. Cells that the session's rules read as
    /// null (its null tokens) count as nulls.
    pub fn profiles(&self, id: &str, side: Side, ctl: Control<'_>) -> Result<Vec<ColumnProfile>> {
        let table = self.table(id, side)?;
        let config = self.store.with_session(id, |d| d.state.config.clone())?;
        let rules: Vec<crate::compare::Rules> = table
            .columns()
            .iter()
            .map(|c| config.rules_for_column(side, c))
            .collect();
        crate::profile::profile_with(&table, &|col, v| rules[col].is_null(v), ctl.with_side(side))
    }

    fn table(&self, id: &str, side: Side) -> Result<Arc<crate::table::Table>> {
        self.store.with_session(id, |d| d.loaded(side))?
    }

    /// Suggested column pairs and keys.
    pub fn suggestions(&self, id: &str, ctl: Control<'_>) -> Result<Suggestions> {
        let (left, right) = (self.table(id, Side::Left)?, self.table(id, Side::Right)?);
        crate::suggest::suggest(&left, &right, ctl)
    }

    /// The key and column pairs a comparison would use now: the session's
    /// configuration completed by confident suggestions, as `compare`
    /// completes it. A mapping screen shows this, so that the suggested key
    /// and pairs are in use as soon as both files are loaded.
    pub fn pairing(&self, id: &str, ctl: Control<'_>) -> Result<Pairing> {
        let (left, right) = (self.table(id, Side::Left)?, self.table(id, Side::Right)?);
        let config = self.store.with_session(id, |d| d.state.config.clone())?;
        let completed = if config.completes() {
            crate::suggest::complete_config(&left, &right, &config, ctl)?
        } else {
            crate::suggest::Completed::unchanged(&config)
        };
        let mut pairing = crate::compare::pairing(&left, &right, &completed.config)?;
        pairing.suggested = completed
            .applied
            .filter(|s| s.key.is_some() || !s.mappings.is_empty() || !s.rules.is_empty());
        pairing.notes = completed.notes;
        Ok(pairing)
    }

    /// Sets keys, mappings and rules. Column names are checked against the
    /// loaded files.
    pub fn set_config(&self, id: &str, config: CompareConfig) -> Result<SessionInfo> {
        self.store.with_session_mut(id, |store, d| {
            config.check(
                d.table(Side::Left).map(|t| &**t),
                d.table(Side::Right).map(|t| &**t),
            )?;
            store.commit(d, Event::ConfigSet { config })?;
            Ok(SessionInfo::from_state(&d.state, true))
        })
    }

    /// Compares the session's files with its configuration (filling in a
    /// missing key or mapping from confident suggestions) and stores the
    /// result. A cancelled comparison, or one whose inputs changed while it
    /// ran ([`Error::Stale`]), leaves the previous result as it was.
    pub fn compare(&self, id: &str, ctl: Control<'_>) -> Result<Summary> {
        let (left, right, config, revision, referenced) = self.store.with_session(id, |d| {
            let referenced = [Side::Left, Side::Right]
                .iter()
                .any(|&s| d.state.input(s).is_some_and(|i| i.reference.is_some()));
            Ok::<_, Error>((
                d.loaded(Side::Left)?,
                d.loaded(Side::Right)?,
                d.state.config.clone(),
                d.state.data_revision,
                referenced,
            ))
        })??;
        let resources = self.store.resources();
        let compared = crate::plan::compare_loaded(&left, &right, &config, &resources, ctl)?;
        let bytes = left.info().bytes + right.info().bytes;
        let plan = compared.strategy.note(bytes, &resources);
        let copies = compared.copies;
        let result = compared.result;
        let blob = self.store.write_result(&result)?;
        let kept_rows = match (referenced, &copies) {
            (false, _) => None,
            // The copies a partitioned comparison took are the same rows,
            // nearer to hand than whole tables on disk.
            (true, Some(c)) => self.keep_rows(&c.left, &c.right, &c.result)?,
            (true, None) => self.keep_rows(&left, &right, &result)?,
        };
        let summary = result.summary.clone();
        self.store.with_session_mut(id, |store, d| {
            if d.state.data_revision != revision {
                return Err(Error::Stale { id: id.to_string() });
            }
            let result_ref = ResultRef {
                blob,
                data_revision: revision,
                summary: summary.clone(),
                kept_rows,
            };
            store.commit(d, Event::Compared { result: result_ref })?;
            d.result = Some(Arc::new(result));
            d.copies = copies;
            d.plan = plan;
            Ok(summary)
        })
    }

    /// Stores the rows `result` names (see [`super::kept`]) when they take
    /// less than the size from which files are referenced rather than
    /// copied; returns their hash.
    fn keep_rows(
        &self,
        left: &Table,
        right: &Table,
        result: &CompareResult,
    ) -> Result<Option<String>> {
        let limit = self.reference_above.load(Ordering::Relaxed);
        if super::kept::kept_bytes(left, right, result) >= limit {
            return Ok(None);
        }
        self.store.write_kept(left, right, result).map(Some)
    }

    /// The current result, if the session has one made from its current inputs.
    pub fn result(&self, id: &str) -> Result<Option<Arc<CompareResult>>> {
        self.store.with_session(id, |d| d.current_result().cloned())
    }

    /// A page of result rows, filtered and sorted. The row order of a view is
    /// computed once and cached, so later pages of it cost only their rows.
    /// A session with no current result answers [`Error::NoResult`], as
    /// exports do.
    pub fn page(&self, id: &str, q: &PageQuery, ctl: Control<'_>) -> Result<Page> {
        let (c, order) = self.view(id, q, ctl)?;
        let decisions = self.decisions(id, &c, ctl)?;
        Ok(Page {
            total: order.len(),
            offset: q.offset,
            rows: page_rows(Report::of(&c), &order, q, &decisions),
        })
    }

    /// The choices in force for the differences of the session's current
    /// result `c`, worked out once and kept until the next event.
    fn decisions(&self, id: &str, c: &Comparison, ctl: Control<'_>) -> Result<Arc<Decisions>> {
        let (cached, choices) = self
            .store
            .with_session(id, |d| (d.decisions.clone(), d.state.choices.clone()))?;
        if let Some(d) = cached {
            return Ok(d);
        }
        let d = Arc::new(Decisions::of(&c.left, &c.right, &c.result, &choices, ctl)?);
        let _ = self.store.with_session_mut(id, |_, data| {
            if data.state.choices == choices {
                data.decisions = Some(d.clone());
            }
            Ok(())
        });
        Ok(d)
    }

    /// Records a choice about the current result's differences (checked
    /// against it first: a row it has, a column it compares) and returns
    /// what the choices add up to.
    pub fn choose(&self, id: &str, choice: Choice, ctl: Control<'_>) -> Result<Reconciliation> {
        let (c, seen) = self
            .store
            .with_session(id, |d| {
                let blob = d.state.current_result().map(|r| r.blob.clone());
                (current(d), blob, d.state.choices.clone())
            })
            .map(|(c, blob, choices)| (c.map(|c| (c, choices)), blob))?;
        let (c, choices) = c?;
        let mut decisions = Decisions::of(&c.left, &c.right, &c.result, &choices, ctl)?;
        decisions.decide(&c.left, &c.right, &c.result, &choice, ctl)?;
        self.store.with_session_mut(id, |store, d| {
            // The result and choices the choice was checked against must
            // still be the session's.
            let blob = d.state.current_result().map(|r| r.blob.clone());
            if blob != seen || d.state.choices != choices {
                return Err(Error::Conflict { id: id.to_string() });
            }
            store.commit(d, Event::Chose { choice })?;
            let count = decisions.count(&c.result, d.state.choices.len());
            d.decisions = Some(Arc::new(decisions));
            Ok(count)
        })
    }

    /// What the choices about the current result's differences add up to.
    pub fn reconciliation(&self, id: &str, ctl: Control<'_>) -> Result<Reconciliation> {
        let c = self.comparison(id)?;
        let d = self.decisions(id, &c, ctl)?;
        let n = self.store.with_session(id, |d| d.state.choices.len())?;
        Ok(d.count(&c.result, n))
    }

    /// The patch of the accepted differences (the right values taken).
    pub fn reconciled_patch(&self, id: &str, ctl: Control<'_>) -> Result<crate::patch::Patch> {
        let c = self.comparison(id)?;
        let d = self.decisions(id, &c, ctl)?;
        Ok(export::patch_taken(Report::of(&c), false, |row, pair| {
            d.taken(row as u32, pair)
        }))
    }

    /// Writes the patch of the accepted differences as CSV.
    pub fn reconciled_patch_to(
        &self,
        id: &str,
        out: &mut dyn std::io::Write,
        ctl: Control<'_>,
    ) -> Result<()> {
        export::write_patch(&self.reconciled_patch(id, ctl)?, out)
    }

    /// Writes the reconciled file: the left file with the accepted
    /// differences applied, by the rules of `concord apply` (rows left
    /// alone keep their bytes; a left file that is not CSV is written as
    /// CSV).
    pub fn reconciled_to(
        &self,
        id: &str,
        out: &mut dyn std::io::Write,
        ctl: Control<'_>,
    ) -> Result<crate::patch::Applied> {
        let patch = self.reconciled_patch(id, ctl)?;
        let (path, options, name) = self.left_file(id)?;
        crate::patch::apply(
            &path,
            &options,
            &patch,
            crate::patch::OnConflict::Refuse,
            out,
            ctl,
        )
        .map_err(|e| e.with_path(&name))
    }

    /// The file name *Save reconciled…* offers for `what`, once there is a
    /// result ([`Error::NoResult`] before).
    pub fn reconciled_name(&self, id: &str, what: Reconciled) -> Result<String> {
        self.comparison(id)?;
        let state = self.store.read_state(id)?;
        let left = state.left.map(|l| l.name).unwrap_or_default();
        Ok(what.file_name(&left, &state.name))
    }

    /// Writes what *Save reconciled…* saves: the reconciled file or the
    /// patch of the accepted differences.
    pub fn save_reconciled_to(
        &self,
        id: &str,
        what: Reconciled,
        out: &mut dyn std::io::Write,
        ctl: Control<'_>,
    ) -> Result<()> {
        match what {
            Reconciled::File => self.reconciled_to(id, out, ctl).map(drop),
            Reconciled::Patch => self.reconciled_patch_to(id, out, ctl),
        }
    }

    /// Saves what *Save reconciled…* saves to the file `path`, atomically.
    pub fn save_reconciled(
        &self,
        id: &str,
        what: Reconciled,
        path: &Path,
        ctl: Control<'_>,
    ) -> Result<()> {
        let shown = path.display().to_string();
        let io = |source| Error::Write {
            path: shown.clone(),
            source,
        };
        let file = crate::output::OutputFile::create(path).map_err(io)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file.file());
        self.save_reconciled_to(id, what, &mut out, ctl)
            .map_err(|e| match e {
                Error::Write { source, .. } => io(source),
                e => e,
            })?;
        std::io::Write::flush(&mut out).map_err(io)?;
        drop(out);
        file.commit().map_err(io)
    }

    /// Where the session's left file is (its stored copy, or the user's
    /// file it references), how it was read, and its name.
    fn left_file(&self, id: &str) -> Result<(PathBuf, crate::table::LoadOptions, String)> {
        self.store.with_session(id, |d| {
            let input = d.state.left.clone().ok_or_else(|| Error::MissingInput {
                id: id.to_string(),
                side: Side::Left,
            })?;
            if super::spark::is_spark_input(&input) {
                return Err(Error::SourceChanged {
                    path: input.name.clone(),
                    detail: super::spark::SPARK_DETAIL.into(),
                });
            }
            let path = match &input.reference {
                Some(r) => PathBuf::from(&r.path),
                None => self.store.blobs().path(&input.blob),
            };
            let options = crate::table::LoadOptions {
                format: Some(input.options.format_name().to_string()),
                ..input.options.clone()
            };
            Ok((path, options, input.name))
        })?
    }

    /// The session's comparison and the rows the view `q` selects, in its
    /// order (kept for the next page of the same view).
    fn view(
        &self,
        id: &str,
        q: &PageQuery,
        ctl: Control<'_>,
    ) -> Result<(Comparison, Arc<Vec<u32>>)> {
        let (comparison, key, cached) = self.store.with_session(id, |d| {
            let key = d.state.current_result().map(|r| view_key(&r.blob, q));
            let cached = key
                .as_ref()
                .and_then(|k| d.views.iter().find(|v| &v.0 == k).map(|v| v.1.clone()));
            (current(d), key, cached)
        })?;
        let c = comparison?;
        // A current result always has a view key.
        let Some(key) = key else {
            return Err(Error::NoResult { id: id.to_string() });
        };
        let order = match cached {
            Some(o) => o,
            None => {
                let o = Arc::new(view_order(&c.left, &c.right, &c.result, q, ctl)?);
                let _ = self.store.with_session_mut(id, |_, d| {
                    d.views.retain(|v| v.0 != key);
                    d.views.insert(0, (key.clone(), o.clone()));
                    d.views.truncate(VIEWS_KEPT);
                    Ok(())
                });
                o
            }
        };
        Ok((c, order))
    }

    /// Exports the current result to a file (atomically).
    pub fn export_file(
        &self,
        id: &str,
        format: Format,
        view: Option<&PageQuery>,
        path: &Path,
        ctl: Control<'_>,
    ) -> Result<()> {
        export::write_file(
            Report::of(&self.exported(id, view, ctl)?),
            format,
            path,
            ctl,
        )
    }

    /// Exports the current result to a writer: all of it, or the rows of
    /// `view` (its filter, search and sort), as the screen shows them.
    pub fn export_to(
        &self,
        id: &str,
        format: Format,
        view: Option<&PageQuery>,
        out: &mut dyn std::io::Write,
        ctl: Control<'_>,
    ) -> Result<()> {
        export::write(Report::of(&self.exported(id, view, ctl)?), format, out, ctl)
    }

    /// What an export writes: the whole comparison, or only the rows of
    /// `view`, in its order (and only its differing columns, when asked).
    fn exported(&self, id: &str, view: Option<&PageQuery>, ctl: Control<'_>) -> Result<Comparison> {
        let Some(q) = view else {
            return self.comparison(id);
        };
        let (c, order) = self.view(id, q, ctl)?;
        let mut result = c.result.select(&order);
        if q.differing_only {
            result = result.differing_columns_only();
        }
        Ok(Comparison {
            result: Arc::new(result),
            ..c
        })
    }

    /// The folder an export of session `id` is offered in: the left
    /// file's, when the session knows where it is.
    pub fn export_folder(&self, id: &str) -> Result<Option<std::path::PathBuf>> {
        let state = self.store.read_state(id)?;
        let Some(left) = state.left else {
            return Ok(None);
        };
        let path = left.reference.map_or(left.name, |r| r.path);
        Ok(Path::new(&path)
            .parent()
            .filter(|p| p.is_absolute() && p.is_dir())
            .map(Path::to_path_buf))
    }

    /// The file name an export of session `id` in `format` is offered
    /// under (named after the session), once there is a result to export
    /// ([`Error::NoResult`] before): front ends ask before a download or a
    /// save dialog starts.
    pub fn export_name(&self, id: &str, format: Format) -> Result<String> {
        self.comparison(id)?;
        Ok(export::file_name(&self.session(id)?.name, format))
    }

    /// The session's current comparison: its tables and the result made
    /// from its current files and settings ([`Error::NoResult`] when there
    /// is none).
    pub fn comparison(&self, id: &str) -> Result<Comparison> {
        self.store.with_session(id, current)?
    }

    /// Writes a session, with its files and result, to one portable file
    /// (atomically), to move it to another data directory or machine.
    pub fn export_session(&self, id: &str, path: &Path) -> Result<()> {
        super::portable::export_session(&self.store, id, path)
    }

    /// Imports a portable session file as a new session (under a new id),
    /// and opens it.
    pub fn import_session(&self, path: &Path) -> Result<SessionInfo> {
        let id = super::portable::import_session(&self.store, path)?;
        self.open_session(&id, Control::default())
    }

    /// Opens the result of a comparison made on Apache Spark (the folder
    /// `concord.spark` writes: `manifest.json` and `rows/`) as a new
    /// session, named `name` or after its inputs. Its differing rows are
    /// kept in the session; its inputs stay where they are.
    pub fn import_result(
        &self,
        dir: &Path,
        name: Option<&str>,
        ctl: Control<'_>,
    ) -> Result<SessionInfo> {
        let named = |left: &str, right: &str| match name {
            Some(name) => Ok(name.to_string()),
            None => self.name_for(left, right, None),
        };
        let from = dir.display().to_string();
        let id = super::spark::import_result(&self.store, dir, &from, named, ctl)?;
        self.open_session(&id, ctl)
    }

    /// [`Workflow::import_result`] for a result folder sent as one stream
    /// (the browser's upload: `CONCORD-RESULT 1`, then per file a JSON head and its bytes), of at
    /// most `limit` bytes of files. The files go to a folder in the data
    /// directory, removed once the session is made.
    pub fn import_result_upload(
        &self,
        input: impl std::io::Read,
        limit: Option<u64>,
        ctl: Control<'_>,
    ) -> Result<SessionInfo> {
        let dir = tempfile::Builder::new()
            .prefix("upload-")
            .tempdir_in(self.store.dir())
            .map_err(|source| Error::Write {
                path: self.store.dir().display().to_string(),
                source,
            })?;
        super::spark::receive_upload(input, dir.path(), limit)?;
        let named = |left: &str, right: &str| self.name_for(left, right, None);
        let id = super::spark::import_result(&self.store, dir.path(), "an upload", named, ctl)?;
        self.open_session(&id, ctl)
    }

    /// Imports every `*.jsonl` event log in a folder, one session each.
    pub fn import_event_logs(&self, dir: &Path) -> Result<Vec<SessionInfo>> {
        super::portable::import_jsonl_dir(&self.store, dir)?
            .iter()
            .map(|id| self.open_session(id, Control::default()))
            .collect()
    }

    /// Everything a results screen shows besides the rows, in one call.
    /// The stored result is shown even when a referenced file has since
    /// changed or gone: that side's file is then described from what the
    /// session recorded, with the reason among its warnings.
    pub fn result_overview(&self, id: &str) -> Result<ResultOverview> {
        let (result, (left, right), (kept_rows, spark), plan) =
            self.store.with_session(id, |d| {
                let result = d
                    .current_result()
                    .ok_or_else(|| Error::NoResult { id: id.to_string() })?;
                let info = |side| match (d.table(side), d.state.input(side)) {
                    (Some(t), _) => Ok(t.describe()),
                    (None, Some(input)) => {
                        // Pages send the kept rows' cells: their columns, in
                        // their order, name them.
                        let kept = d.copies.as_ref().map(|c| match side {
                            Side::Left => &c.left,
                            Side::Right => &c.right,
                        });
                        let mut info = recorded_info(input, side, result, d.missing(side));
                        if let Some(kept) = kept {
                            info.columns = kept.columns().to_vec();
                        }
                        Ok(info)
                    }
                    (None, None) => Err(d.missing(side)),
                };
                let kept = d
                    .state
                    .current_result()
                    .is_some_and(|r| r.kept_rows.is_some());
                let kept_rows = kept && d.copies.is_some();
                let spark = d
                    .state
                    .input(Side::Left)
                    .is_some_and(super::spark::is_spark_input);
                let plan = d.plan.clone();
                let infos = (info(Side::Left)?, info(Side::Right)?);
                Ok::<_, Error>((result.clone(), infos, (kept_rows, spark), plan))
            })??;
        let r = &result;
        Ok(ResultOverview {
            mode: r.mode,
            keys: r
                .keys
                .iter()
                .map(|k| ColumnPair::new(k.left.as_str(), k.right.as_str()))
                .collect(),
            summary: r.summary.clone(),
            columns: r.columns.clone(),
            left_only_columns: r.left_only_columns.clone(),
            right_only_columns: r.right_only_columns.clone(),
            renamed_columns: r
                .renamed_columns()
                .map(|p| ColumnPair::new(p.left.as_str(), p.right.as_str()))
                .collect(),
            type_differences: r.type_differences().cloned().collect(),
            notes: r.notes.clone(),
            suggested: r.suggested.clone(),
            left,
            right,
            plan,
            kept_rows,
            spark,
            rows: r.rows.len(),
        })
    }

    /// A copy of a session under a new id and name, to try another
    /// configuration: it shares the stored files (nothing is copied) and
    /// starts with the same settings and result.
    pub fn fork_session(&self, id: &str, name: &str) -> Result<SessionInfo> {
        let mut state = self.store.read_state(id)?;
        state.name = name.to_string();
        let fork = super::portable::replay(&self.store, &state)?;
        self.session(&fork)
    }

    /// Removes stored files no session refers to (see [`SessionStore::gc`]).
    pub fn gc(&self, grace: std::time::Duration) -> Result<super::gc::GcReport> {
        self.store.gc(grace)
    }
}

/// Bytes the files under `dir` hold (what can be read of them).
fn folder_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => folder_bytes(&e.path()),
            Ok(_) => e.metadata().map_or(0, |m| m.len()),
            Err(_) => 0,
        })
        .sum()
}

/// A file that could not be read back, described from what the session
/// recorded of it and from the result made with it; `why` is its warning.
fn recorded_info(input: &InputRef, side: Side, result: &CompareResult, why: Error) -> TableInfo {
    let (rows, mut columns): (u64, Vec<String>) = match side {
        Side::Left => (result.summary.left_rows, result.left_only_columns.clone()),
        Side::Right => (result.summary.right_rows, result.right_only_columns.clone()),
    };
    let paired = result.columns.iter().map(|c| match side {
        Side::Left => c.left.clone(),
        Side::Right => c.right.clone(),
    });
    columns.splice(0..0, paired);
    TableInfo {
        path: input.name.clone(),
        format: input.options.format_name().to_string(),
        rows: rows as usize,
        encoding: input.options.encoding,
        delimiter: input.options.delimiter,
        has_header: input.options.has_header.unwrap_or(true),
        columns,
        warnings: vec![why.to_string()],
        compression: input.options.compression.clone(),
        sheet: input.options.sheet.clone(),
        sheets: Vec::new(),
    }
}

/// A session's current comparison ([`Error::NoResult`] without a current
/// result; the reason a side has no table when its file is unavailable).
fn current(d: &super::session::SessionData) -> Result<Comparison> {
    let result = d.current_result().cloned().ok_or_else(|| Error::NoResult {
        id: d.state.id.clone(),
    })?;
    if let Some(c) = &d.copies {
        return Ok(c.clone());
    }
    Ok(Comparison {
        left: d.loaded(Side::Left)?,
        right: d.loaded(Side::Right)?,
        result,
    })
}

/// The workflow is shared by a server's handlers and a desktop app's
/// commands across threads, for the life of the process.
const _: () = {
    const fn shared_across_threads<T: Send + Sync + 'static>() {}
    shared_across_threads::<Workflow>();
};
