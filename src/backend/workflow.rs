//! The workflow API: everything a user does with sessions, as one
//! synchronous Rust API for every transport.

use super::session::{Event, InputRef, ResultRef, SessionState};
use super::store::SessionStore;
use crate::compare::{CompareConfig, CompareResult, RowStatus, Summary};
use crate::error::{Error, Result, Side};
use crate::export::{self, Format, Report};
use crate::profile::ColumnProfile;
use crate::progress::Control;
use crate::suggest::Suggestions;
use crate::table::LoadOptions;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// A loaded file, as shown in session listings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its rows, when the session is loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
}

/// A session as listed and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The session id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created: i64,
    /// Last change, milliseconds since the Unix epoch.
    pub updated: i64,
    /// The left file's name, once loaded.
    pub left: Option<String>,
    /// The right file's name, once loaded.
    pub right: Option<String>,
    /// The current result's summary; `null` before the first comparison or
    /// after the inputs changed.
    pub summary: Option<Summary>,
    /// Keys, mappings and rules (in `show`, not in listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<CompareConfig>,
}

impl SessionInfo {
    fn from_state(s: &SessionState, with_config: bool) -> SessionInfo {
        SessionInfo {
            id: s.id.clone(),
            name: s.name.clone(),
            created: s.created,
            updated: s.updated,
            left: s.left.as_ref().map(|i| i.name.clone()),
            right: s.right.as_ref().map(|i| i.name.clone()),
            summary: s.current_result().map(|r| r.summary.clone()),
            config: with_config.then(|| s.config.clone()),
        }
    }
}

/// A file arriving as a stream, for [`Workflow::load_reader`].
pub struct Upload<R> {
    /// The file's name, as the user knows it.
    pub name: String,
    /// Its bytes.
    pub reader: R,
    /// Its size, when known (for progress reports).
    pub size: Option<u64>,
    /// Refuse files of this many bytes or more.
    pub limit: Option<u64>,
}

/// How to sort result rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "column")]
pub enum SortBy {
    /// File order: left rows, then right-only rows (the result's own order).
    #[default]
    File,
    /// By key values, as text.
    Key,
    /// By the left value (or right, for right-only rows) of a column pair, as text.
    Column(String),
}

/// Which page of which result rows to return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// Rows to skip.
    pub offset: usize,
    /// Rows to return at most.
    pub limit: usize,
    /// Only rows with one of these statuses (all when empty).
    pub statuses: Vec<RowStatus>,
    /// Only changed rows where this column (left name) differs.
    pub column: Option<String>,
    /// Only rows where some key or compared cell contains this text, ignoring case.
    pub search: Option<String>,
    /// The order.
    pub sort: SortBy,
    /// Reverse the order.
    pub descending: bool,
}

impl Default for PageQuery {
    fn default() -> Self {
        PageQuery {
            offset: 0,
            limit: 100,
            statuses: Vec::new(),
            column: None,
            search: None,
            sort: SortBy::File,
            descending: false,
        }
    }
}

/// The part of a query that decides which rows, in which order; pages of
/// the same view are served from a cached row order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ViewKey {
    result: String,
    statuses: Vec<RowStatus>,
    column: Option<String>,
    search: Option<String>,
    sort: SortBy,
    descending: bool,
}

/// How many views a session keeps.
const VIEWS_KEPT: usize = 4;

/// One changed cell in a page row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellChange {
    /// Left column name.
    pub column: String,
    /// Right column name.
    pub right_column: String,
    /// Left value.
    pub left: String,
    /// Right value.
    pub right: String,
}

/// One result row in a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRow {
    /// Its position in the whole result.
    pub index: usize,
    /// What happened to it.
    pub status: RowStatus,
    /// Its key values.
    pub key: Vec<String>,
    /// Line in the left file.
    pub left_line: Option<u64>,
    /// Line in the right file.
    pub right_line: Option<u64>,
    /// The differing cells.
    pub changes: Vec<CellChange>,
}

/// A page of result rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// Rows matching the query, in all.
    pub total: usize,
    /// The offset asked for.
    pub offset: usize,
    /// The rows.
    pub rows: Vec<PageRow>,
}

/// The workflow API over one session store.
#[derive(Clone)]
pub struct Workflow {
    store: Arc<SessionStore>,
}

impl Workflow {
    /// A workflow over `store`.
    pub fn new(store: Arc<SessionStore>) -> Workflow {
        Workflow { store }
    }

    /// A workflow over the store in `dir`.
    pub fn open(dir: &Path) -> Result<Workflow> {
        Ok(Workflow::new(Arc::new(SessionStore::open(dir)?)))
    }

    /// The store underneath.
    pub fn store(&self) -> &Arc<SessionStore> {
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
            })
            .collect())
    }

    /// A session's details, without loading its files.
    pub fn session(&self, id: &str) -> Result<SessionInfo> {
        Ok(SessionInfo::from_state(&self.store.read_state(id)?, true))
    }

    /// Opens a session: loads its files and result into memory.
    pub fn open_session(&self, id: &str) -> Result<SessionInfo> {
        self.store
            .with_session(id, |d| SessionInfo::from_state(&d.state, true))
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

    /// Deletes a session.
    pub fn delete_session(&self, id: &str) -> Result<()> {
        self.store.delete(id)
    }

    /// Takes a session out of memory, writing a snapshot first.
    pub fn close_session(&self, id: &str) -> Result<()> {
        self.store.close(id)
    }

    /// Loads the file at `path` into one side of a session (replacing what
    /// was there). The file is copied into the store, so the session keeps
    /// it even if the original moves; the copy and the parse run at the
    /// same time. Progress is reported for `side`; a cancellation, or any
    /// error, leaves the session as it was.
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
        let name = path.display().to_string();
        let (stored, table) = rayon::join(
            || self.store.blobs().put_file(path, ctl),
            || crate::table::load_path(path, options, ctl),
        );
        let (table, (blob, bytes)) = (table?, stored?);
        if table.info().bytes != bytes {
            return Err(Error::Read {
                path: name,
                source: std::io::Error::other("the file changed while it was read; load it again"),
            });
        }
        self.commit_load(id, side, (name, blob, bytes), table, options)
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
        let table = self.store.load_stored(&blob, name, options, ctl)?;
        let stored = (name.to_string(), blob, bytes.len() as u64);
        self.commit_load(id, side, stored, table, options)
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
        let (blob, bytes) = self.store.blobs().put_reader(
            upload.reader,
            upload.limit.unwrap_or(u64::MAX),
            upload.size.unwrap_or(0),
            ctl,
        )?;
        if upload.limit.is_some_and(|l| bytes >= l) {
            return Err(Error::Invalid(format!(
                "'{}' is larger than the limit of {} bytes",
                upload.name,
                upload.limit.unwrap_or(0)
            )));
        }
        let table = self.store.load_stored(&blob, &upload.name, options, ctl)?;
        self.commit_load(id, side, (upload.name, blob, bytes), table, options)
    }

    /// Records a loaded file, given as (name, blob, size), on one side.
    fn commit_load(
        &self,
        id: &str,
        side: Side,
        (name, blob, bytes): (String, String, u64),
        table: crate::table::Table,
        options: &LoadOptions,
    ) -> Result<FileInfo> {
        let input = InputRef {
            blob,
            name: name.clone(),
            bytes,
            options: table.effective_options(options.allow_ragged),
        };
        let rows = table.num_rows();
        self.store.with_session_mut(id, |store, d| {
            store.commit(d, Event::Loaded { side, input })?;
            let table = Some(Arc::new(table));
            match side {
                Side::Left => d.left = table,
                Side::Right => d.right = table,
            }
            d.views.clear();
            Ok(FileInfo {
                name,
                bytes,
                rows: Some(rows),
            })
        })
    }

    /// Column profiles of one side. Cells that the session's rules read as
    /// null (its null tokens) count as nulls.
    pub fn profiles(&self, id: &str, side: Side, ctl: Control<'_>) -> Result<Vec<ColumnProfile>> {
        let table = self.table(id, side)?;
        let config = self.store.with_session(id, |d| d.state.config.clone())?;
        let rules: Vec<crate::compare::Rules> = table
            .columns()
            .iter()
            .map(|c| config.rules_for(c, c))
            .collect();
        crate::profile::profile_with(&table, &|col, v| rules[col].is_null(v), ctl.with_side(side))
    }

    fn table(&self, id: &str, side: Side) -> Result<Arc<crate::table::Table>> {
        self.store
            .with_session(id, |d| d.table(side).cloned())?
            .ok_or_else(|| Error::MissingInput {
                id: id.to_string(),
                side,
            })
    }

    /// Suggested column pairs and keys.
    pub fn suggestions(&self, id: &str, ctl: Control<'_>) -> Result<Suggestions> {
        let (left, right) = (self.table(id, Side::Left)?, self.table(id, Side::Right)?);
        crate::suggest::suggest(&left, &right, ctl)
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
            d.views.clear();
            Ok(SessionInfo::from_state(&d.state, true))
        })
    }

    /// Compares the session's files with its configuration (filling in a
    /// missing key or mapping from confident suggestions) and stores the
    /// result. A cancelled comparison, or one whose inputs changed while it
    /// ran ([`Error::Stale`]), leaves the previous result as it was.
    pub fn compare(&self, id: &str, ctl: Control<'_>) -> Result<Summary> {
        let (left, right, config, revision) = self.store.with_session(id, |d| {
            (
                d.left.clone(),
                d.right.clone(),
                d.state.config.clone(),
                d.state.data_revision,
            )
        })?;
        let left = left.ok_or_else(|| Error::MissingInput {
            id: id.to_string(),
            side: Side::Left,
        })?;
        let right = right.ok_or_else(|| Error::MissingInput {
            id: id.to_string(),
            side: Side::Right,
        })?;
        let result = crate::suggest::compare_with_suggestions(&left, &right, &config, ctl)?;
        let blob = self.store.write_result(&result)?;
        let summary = result.summary.clone();
        self.store.with_session_mut(id, |store, d| {
            if d.state.data_revision != revision {
                return Err(Error::Stale { id: id.to_string() });
            }
            let result_ref = ResultRef {
                blob,
                data_revision: revision,
                summary: summary.clone(),
            };
            store.commit(d, Event::Compared { result: result_ref })?;
            d.result = Some(Arc::new(result));
            d.views.clear();
            Ok(summary)
        })
    }

    /// The current result, if the session has one made from its current inputs.
    pub fn result(&self, id: &str) -> Result<Option<Arc<CompareResult>>> {
        self.store
            .with_session(id, |d| d.state.current_result().and(d.result.clone()))
    }

    /// A page of result rows, filtered and sorted. The row order of a view is
    /// computed once and cached, so later pages of it cost only their rows.
    /// A session with no current result answers [`Error::NoResult`], as
    /// exports do.
    pub fn page(&self, id: &str, q: &PageQuery) -> Result<Page> {
        let (data_view, cached) = self.store.with_session(id, |d| {
            let key = d.state.current_result().map(|r| view_key(&r.blob, q));
            let cached = key
                .as_ref()
                .and_then(|k| d.views.iter().find(|v| &v.0 == k).map(|v| v.1.clone()));
            (
                (
                    d.left.clone(),
                    d.right.clone(),
                    d.state.current_result().and(d.result.clone()),
                    key,
                ),
                cached,
            )
        })?;
        let (Some(left), Some(right), Some(result), Some(key)) = data_view else {
            return Err(Error::NoResult { id: id.to_string() });
        };
        let order = match cached {
            Some(o) => o,
            None => {
                let o = Arc::new(view_order(&left, &right, &result, q));
                let _ = self.store.with_session_mut(id, |_, d| {
                    d.views.retain(|v| v.0 != key);
                    d.views.insert(0, (key.clone(), o.clone()));
                    d.views.truncate(VIEWS_KEPT);
                    Ok(())
                });
                o
            }
        };
        let report = Report {
            left: &left,
            right: &right,
            result: &result,
        };
        let rows = order
            .iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|&i| {
                let row = &result.rows[i as usize];
                let (left_line, right_line) = report.lines(row);
                PageRow {
                    index: i as usize,
                    status: row.status,
                    key: report.key(row).into_iter().map(String::from).collect(),
                    left_line,
                    right_line,
                    changes: report
                        .changed(row)
                        .iter()
                        .map(|&p| CellChange {
                            column: result.pairs[p as usize].left.clone(),
                            right_column: result.pairs[p as usize].right.clone(),
                            left: report.left_value(row, p as usize).to_string(),
                            right: report.right_value(row, p as usize).to_string(),
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(Page {
            total: order.len(),
            offset: q.offset,
            rows,
        })
    }

    /// Exports the current result to a file (atomically).
    pub fn export_file(
        &self,
        id: &str,
        format: Format,
        path: &Path,
        ctl: Control<'_>,
    ) -> Result<()> {
        let (left, right, result) = self.current(id)?;
        export::write_file(
            Report {
                left: &left,
                right: &right,
                result: &result,
            },
            format,
            path,
            ctl,
        )
    }

    /// Exports the current result to a writer.
    pub fn export_to(
        &self,
        id: &str,
        format: Format,
        out: &mut dyn std::io::Write,
        ctl: Control<'_>,
    ) -> Result<()> {
        let (left, right, result) = self.current(id)?;
        export::write(
            Report {
                left: &left,
                right: &right,
                result: &result,
            },
            format,
            out,
            ctl,
        )
    }

    fn current(
        &self,
        id: &str,
    ) -> Result<(
        Arc<crate::table::Table>,
        Arc<crate::table::Table>,
        Arc<CompareResult>,
    )> {
        let (l, r, res) = self.store.with_session(id, |d| {
            (
                d.left.clone(),
                d.right.clone(),
                d.state.current_result().and(d.result.clone()),
            )
        })?;
        match (l, r, res) {
            (Some(l), Some(r), Some(res)) => Ok((l, r, res)),
            _ => Err(Error::NoResult { id: id.to_string() }),
        }
    }

    /// Writes a session, with its files and result, to one portable file
    /// (atomically), to move it to another data directory or machine.
    pub fn export_session(&self, id: &str, path: &Path) -> Result<()> {
        super::portable::export_session(&self.store, id, path)
    }

    /// Imports a portable session file as a new session (under a new id).
    pub fn import_session(&self, path: &Path) -> Result<SessionInfo> {
        super::portable::import_session(self, path)
    }

    /// Imports every `*.jsonl` event log in a folder, one session each.
    pub fn import_event_logs(&self, dir: &Path) -> Result<Vec<SessionInfo>> {
        super::portable::import_jsonl_dir(self, dir)
    }

    /// Removes stored files no session refers to (see [`SessionStore::gc`]).
    pub fn gc(&self, grace: std::time::Duration) -> Result<super::store::GcReport> {
        self.store.gc(grace)
    }
}

fn view_key(result_blob: &str, q: &PageQuery) -> ViewKey {
    let mut statuses = q.statuses.clone();
    statuses.sort_by_key(|s| s.name());
    statuses.dedup();
    ViewKey {
        result: result_blob.to_string(),
        statuses,
        column: q.column.clone(),
        search: q
            .search
            .as_ref()
            .map(|s| s.to_lowercase())
            .filter(|s| !s.is_empty()),
        sort: q.sort.clone(),
        descending: q.descending,
    }
}

/// The indices of the result rows a query selects, in its order.
fn view_order<'t>(
    left: &'t crate::table::Table,
    right: &'t crate::table::Table,
    result: &'t CompareResult,
    q: &PageQuery,
) -> Vec<u32> {
    use rayon::prelude::*;
    let report = Report {
        left,
        right,
        result,
    };
    let column = q.column.as_ref().and_then(|c| {
        result
            .pairs
            .iter()
            .position(|p| &p.left == c)
            .map(|p| p as u32)
    });
    let search = q
        .search
        .as_ref()
        .map(|s| s.to_lowercase())
        .filter(|s| !s.is_empty());
    let matches = |row: &crate::compare::RowDiff| -> bool {
        if !q.statuses.is_empty() && !q.statuses.contains(&row.status) {
            return false;
        }
        if q.column.is_some() && !column.is_some_and(|c| report.changed(row).contains(&c)) {
            return false;
        }
        match &search {
            Some(s) => row_contains(left, right, result, row, s),
            None => true,
        }
    };
    let mut order: Vec<u32> = (0..result.rows.len() as u32)
        .into_par_iter()
        .filter(|&i| matches(&result.rows[i as usize]))
        .collect();
    let rows = &result.rows;
    match &q.sort {
        SortBy::File => {}
        SortBy::Key if result.keys.len() == 1 => sort_rows(&mut order, |i| {
            let row = &rows[i as usize];
            SortValue::of(report.key(row).first().copied().unwrap_or(""))
        }),
        SortBy::Key => sort_rows(&mut order, |i| {
            let row = &rows[i as usize];
            report
                .key(row)
                .into_iter()
                .map(SortValue::of)
                .collect::<Vec<_>>()
        }),
        SortBy::Column(c) => {
            if let Some(p) = result.pairs.iter().position(|x| &x.left == c) {
                sort_rows(&mut order, |i| {
                    let row = &rows[i as usize];
                    SortValue::of(if row.left.is_some() {
                        report.left_value(row, p)
                    } else {
                        report.right_value(row, p)
                    })
                });
            }
        }
    }
    if q.descending {
        order.reverse();
    }
    order
}

/// Sorts row indices by the values `values` gives each, computed once per
/// row (ties keep file order).
fn sort_rows<V: PartialOrd + Send>(order: &mut Vec<u32>, values: impl Fn(u32) -> V + Sync) {
    use rayon::prelude::*;
    let mut keyed: Vec<(V, u32)> = order.par_iter().map(|&i| (values(i), i)).collect();
    keyed.par_sort_unstable_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    *order = keyed.into_iter().map(|k| k.1).collect();
}

/// A cell as sorted: numbers by value and before text, text by its bytes,
/// so that `9` comes before `10`.
#[derive(Debug, PartialEq, PartialOrd)]
enum SortValue<'a> {
    Number(f64),
    Text(&'a str),
}

impl<'a> SortValue<'a> {
    fn of(cell: &'a str) -> SortValue<'a> {
        crate::values::parse_number(cell).map_or(SortValue::Text(cell), SortValue::Number)
    }
}

/// Whether a key or compared cell of `row` contains `needle` (lower case),
/// ignoring case. Reads the rows' cells as bytes, without building strings.
fn row_contains(
    left: &crate::table::Table,
    right: &crate::table::Table,
    result: &CompareResult,
    row: &crate::compare::RowDiff,
    needle: &str,
) -> bool {
    let sides = [
        row.left.map(|l| (left.row(l as usize), true)),
        row.right.map(|r| (right.row(r as usize), false)),
    ];
    sides.into_iter().flatten().any(|(cells, is_left)| {
        let col =
            |p: &crate::compare::ResolvedPair| if is_left { p.left_index } else { p.right_index };
        result
            .keys
            .iter()
            .chain(&result.pairs)
            .any(|p| bytes_contain_ignoring_case(cells.bytes(col(p)), needle))
    })
}

/// Like [`contains_ignoring_case`], on the bytes of a cell (valid UTF-8).
fn bytes_contain_ignoring_case(hay: &[u8], needle: &str) -> bool {
    if needle.is_ascii() {
        let n = needle.as_bytes();
        hay.len() >= n.len() && hay.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        std::str::from_utf8(hay).is_ok_and(|h| contains_ignoring_case(h, needle))
    }
}

/// Whether `hay` contains `needle` (already lower case), ignoring case.
/// ASCII needles are matched without allocating, which is most searches.
fn contains_ignoring_case(hay: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        let n = needle.as_bytes();
        hay.len() >= n.len()
            && hay
                .as_bytes()
                .windows(n.len())
                .any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle)
    }
}
