//! Views of a result: which rows a page query selects (status, column,
//! search) and in which order (file order, key, a column's values).
//!
//! Building a view reads every result row once, so its row order is cached
//! per session under a [`ViewKey`]; later pages of the same view only read
//! their own rows. Building notices cancellation between blocks of rows.

use super::reconcile::{Decisions, Take};
use crate::compare::{CompareResult, ResolvedPair, RowDiff, RowStatus};
use crate::error::{Error, Result};
use crate::export::Report;
use crate::progress::{Control, Phase};
use crate::table::Table;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

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
    /// Only the compared columns in which some cell differs: what an
    /// export of the view writes (pages send every column; the screen
    /// hides the others itself).
    pub differing_only: bool,
}

/// The most rows one page returns, whatever `limit` asks.
pub const MAX_PAGE_ROWS: usize = 10_000;

impl PageQuery {
    /// Reads a query from named text parameters, as a URL query string or
    /// an IPC call gives them: `offset`, `limit` (at most
    /// [`MAX_PAGE_ROWS`]), `status` (comma-separated), `column`, `q`,
    /// `sort` (`file`, `key` or `column:NAME`), `desc` and `differing_only`
    /// (`true` or `1`).
    /// Every front end reads pages through this one parser.
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<PageQuery> {
        PageQuery::parse(get).map_err(Error::Invalid)
    }

    /// The view an export asks for, from the same parameters: `None` when
    /// none of `status`, `column`, `q`, `sort`, `desc` or `differing_only`
    /// is given (the whole result, in file order, every column).
    pub fn view_from_params<'a>(
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Option<PageQuery>> {
        let q = PageQuery::from_params(&get)?;
        Ok(
            (q.statuses.len() + usize::from(q.column.is_some()) + usize::from(q.search.is_some())
                > 0
                || q.sort != SortBy::File
                || q.descending
                || q.differing_only)
                .then_some(q),
        )
    }

    fn parse<'a>(get: impl Fn(&str) -> Option<&'a str>) -> std::result::Result<PageQuery, String> {
        let number = |k: &str, default: usize| -> std::result::Result<usize, String> {
            get(k).map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| format!("{k} '{v}' is not a whole number"))
            })
        };
        let statuses = match get("status").filter(|v| !v.is_empty()) {
            None => Vec::new(),
            Some(v) => v
                .split(',')
                .map(|n| {
                    RowStatus::from_name(n).ok_or_else(|| format!("'{n}' is not a row status"))
                })
                .collect::<std::result::Result<_, _>>()?,
        };
        let sort = match get("sort") {
            None | Some("") | Some("file") => SortBy::File,
            Some("key") => SortBy::Key,
            Some(c) => match c.strip_prefix("column:") {
                Some(name) => SortBy::Column(name.to_string()),
                None => return Err(format!("sort '{c}' is not file, key or column:NAME")),
            },
        };
        let text = |k: &str| get(k).filter(|c| !c.is_empty()).map(str::to_string);
        let flag = |k: &str| get(k).is_some_and(|v| v == "true" || v == "1");
        Ok(PageQuery {
            offset: number("offset", 0)?,
            limit: number("limit", 100)?.min(MAX_PAGE_ROWS),
            statuses,
            column: text("column"),
            search: text("q"),
            sort,
            descending: flag("desc"),
            differing_only: flag("differing_only"),
        })
    }
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
            differing_only: false,
        }
    }
}

/// The part of a query that decides which rows, in which order; pages of
/// the same view are served from a cached row order.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewKey {
    result: String,
    statuses: Vec<RowStatus>,
    column: Option<String>,
    search: Option<String>,
    sort: SortBy,
    descending: bool,
}

/// How many views a session keeps.
pub(crate) const VIEWS_KEPT: usize = 4;

/// One changed cell in a page row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CellChange {
    /// Left column name.
    pub column: String,
    /// Right column name.
    pub right_column: String,
    /// Left value.
    pub left: String,
    /// Right value.
    pub right: String,
    /// The choice made about it, if any (see [`super::reconcile`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub choice: Option<Take>,
}

/// One result row in a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PageRow {
    /// Its position in the whole result.
    pub index: usize,
    /// What happened to it.
    pub status: RowStatus,
    /// Its key values.
    pub key: Vec<String>,
    /// Its 1-based row number, when rows were paired by position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub row: Option<u64>,
    /// Line in the left file.
    pub left_line: Option<u64>,
    /// Line in the right file.
    pub right_line: Option<u64>,
    /// The differing cells.
    pub changes: Vec<CellChange>,
    /// The whole left row, in the left file's column order; `None` when the
    /// row is only on the right. A page is at most a few thousand rows, so
    /// sending whole rows lets a grid show every compared cell and a detail
    /// panel show the row without asking again.
    #[serde(default)]
    pub left_values: Option<Vec<String>>,
    /// The whole right row, in the right file's column order.
    #[serde(default)]
    pub right_values: Option<Vec<String>>,
    /// For a row added or removed whole (one on one side only, or whose
    /// key is not unique), the choice made about it, if any; a changed
    /// row's choices are its cells'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub choice: Option<Take>,
}

/// A page of result rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Page {
    /// Rows matching the query, in all.
    pub total: usize,
    /// The offset asked for.
    pub offset: usize,
    /// The rows.
    pub rows: Vec<PageRow>,
}

/// The cache key of the view `q` asks for, on the stored result `result_blob`.
pub(crate) fn view_key(result_blob: &str, q: &PageQuery) -> ViewKey {
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

/// Rows are filtered in blocks of this many, with a cancellation check and
/// a progress report per block.
const BLOCK: usize = 64 * 1024;

/// The indices of the result rows a query selects, in its order.
pub(crate) fn view_order(
    left: &Table,
    right: &Table,
    result: &CompareResult,
    q: &PageQuery,
    ctl: Control<'_>,
) -> Result<Vec<u32>> {
    let report = Report {
        left,
        right,
        result,
    };
    // A column the result does not compare is a mistake to report, not a
    // view with no rows.
    let sort_column = match &q.sort {
        SortBy::Column(c) => Some(c),
        _ => None,
    };
    if let Some(name) = q
        .column
        .iter()
        .chain(sort_column)
        .find(|c| !result.pairs.iter().any(|p| &p.left == *c))
    {
        return Err(crate::error::Error::UnknownColumn {
            side: crate::error::Side::Left,
            name: name.clone(),
            available: result.pairs.iter().map(|p| p.left.clone()).collect(),
        });
    }
    let column = q.column.as_ref().and_then(|c| {
        result
            .pairs
            .iter()
            .position(|p| &p.left == c)
            .map(|p| p as u32)
    });
    let search = q
        .search
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(Needle::new);
    let matches = |row: &RowDiff| -> bool {
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
    let n = result.rows.len();
    let total = n as u64 + u64::from(q.sort != SortBy::File) * n as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let blocks: Vec<Vec<u32>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            ctl.check()?;
            let rows = b * BLOCK..((b + 1) * BLOCK).min(n);
            let len = rows.len() as u64;
            let kept = rows
                .filter(|&i| matches(&result.rows.get(i)))
                .map(|i| i as u32)
                .collect();
            let d = done.fetch_add(len, std::sync::atomic::Ordering::Relaxed) + len;
            ctl.report(Phase::Viewing, d, total);
            Ok(kept)
        })
        .collect::<Result<_>>()?;
    let mut order: Vec<u32> = blocks.concat();
    let rows = &result.rows;
    match &q.sort {
        SortBy::File => {}
        SortBy::Key if result.keys.len() == 1 => sort_rows(&mut order, ctl, |i| {
            let row = &rows.get(i as usize);
            SortValue::of(report.key(row).first().copied().unwrap_or(""))
        })?,
        SortBy::Key => sort_rows(&mut order, ctl, |i| {
            let row = &rows.get(i as usize);
            report
                .key(row)
                .into_iter()
                .map(SortValue::of)
                .collect::<Vec<_>>()
        })?,
        SortBy::Column(c) => {
            if let Some(p) = result.pairs.iter().position(|x| &x.left == c) {
                sort_rows(&mut order, ctl, |i| {
                    let row = &rows.get(i as usize);
                    SortValue::of(if row.left.is_some() {
                        report.left_value(row, p)
                    } else {
                        report.right_value(row, p)
                    })
                })?;
            }
        }
    }
    if q.descending {
        order.reverse();
    }
    ctl.report(Phase::Viewing, total, total);
    Ok(order)
}

/// Sorts row indices by the values `values` gives each, computed once per
/// row (ties keep file order). Cancellation is checked before the sort.
fn sort_rows<V: PartialOrd + Send>(
    order: &mut Vec<u32>,
    ctl: Control<'_>,
    values: impl Fn(u32) -> V + Sync,
) -> Result<()> {
    let mut keyed: Vec<(V, u32)> = order.par_iter().map(|&i| (values(i), i)).collect();
    ctl.check()?;
    keyed.par_sort_unstable_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    *order = keyed.into_iter().map(|k| k.1).collect();
    Ok(())
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

/// A search text, ready to find in cells ignoring case. Cells are short and
/// many, so the work per cell must be small: an ASCII text is found by
/// `memchr` (SIMD) jumping to each place its first byte occurs in either
/// case, then comparing the rest with ASCII case folded; a text without
/// letters by a `memmem` finder; any other text by `memmem` in the
/// lower-cased cell.
enum Needle {
    /// Letters in ASCII: the lower-case text.
    Ascii(Vec<u8>),
    /// No letters at all: case does not matter.
    Exact(memchr::memmem::Finder<'static>),
    /// Beyond ASCII: the lower-case text.
    Unicode(memchr::memmem::Finder<'static>),
}

impl Needle {
    fn new(text: &str) -> Needle {
        let lower = text.to_lowercase();
        if lower == text.to_uppercase() {
            Needle::Exact(memchr::memmem::Finder::new(text.as_bytes()).into_owned())
        } else if text.is_ascii() {
            Needle::Ascii(lower.into_bytes())
        } else {
            Needle::Unicode(memchr::memmem::Finder::new(lower.as_bytes()).into_owned())
        }
    }

    /// Whether the cell's bytes (valid UTF-8) contain the text, ignoring case.
    fn found_in(&self, hay: &[u8]) -> bool {
        match self {
            Needle::Ascii(n) => {
                let (first, rest) = (n[0], &n[1..]);
                hay.len() >= n.len()
                    && memchr::memchr2_iter(first, first.to_ascii_uppercase(), hay)
                        .take_while(|&i| i + n.len() <= hay.len())
                        .any(|i| hay[i + 1..i + n.len()].eq_ignore_ascii_case(rest))
            }
            Needle::Exact(f) => f.find(hay).is_some(),
            Needle::Unicode(f) => std::str::from_utf8(hay)
                .is_ok_and(|h| f.find(h.to_lowercase().as_bytes()).is_some()),
        }
    }
}

/// Whether a key or compared cell of `row` contains the search text.
fn row_contains(
    left: &Table,
    right: &Table,
    result: &CompareResult,
    row: &RowDiff,
    needle: &Needle,
) -> bool {
    let sides = [
        row.left.map(|l| (left.row(l as usize), true)),
        row.right.map(|r| (right.row(r as usize), false)),
    ];
    sides.into_iter().flatten().any(|(cells, is_left)| {
        let col = |p: &ResolvedPair| if is_left { p.left_index } else { p.right_index };
        result
            .keys
            .iter()
            .chain(&result.pairs)
            .any(|p| needle.found_in(cells.bytes(col(p))))
    })
}

/// The rows of one page of a view.
pub(crate) fn page_rows(
    report: Report<'_>,
    order: &[u32],
    q: &PageQuery,
    decisions: &Decisions,
) -> Vec<PageRow> {
    let result = report.result;
    order
        .iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|&i| {
            let row = &result.rows.get(i as usize);
            let (left_line, right_line) = report.lines(row);
            PageRow {
                index: i as usize,
                status: row.status,
                key: report.key(row).into_iter().map(String::from).collect(),
                row: report.row_number(row),
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
                        choice: decisions.get(i, Some(p)),
                    })
                    .collect(),
                left_values: row.left.map(|l| values(report.left, l as usize)),
                right_values: row.right.map(|r| values(report.right, r as usize)),
                choice: decisions.get(i, None),
            }
        })
        .collect()
}

fn values(table: &Table, row: usize) -> Vec<String> {
    (0..table.num_columns())
        .map(|c| table.cell(row, c).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_queries_read_from_text_parameters() {
        let params = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|p| p.0 == k).map(|p| p.1)
        };
        let q = PageQuery::from_params(params(&[
            ("offset", "200"),
            ("limit", "99999"),
            ("status", "changed,only_left"),
            ("q", "bridge"),
            ("sort", "column:amount"),
            ("desc", "1"),
        ]))
        .unwrap();
        assert_eq!(q.offset, 200);
        assert_eq!(q.limit, MAX_PAGE_ROWS);
        assert_eq!(q.statuses, [RowStatus::Changed, RowStatus::OnlyLeft]);
        assert_eq!(q.search.as_deref(), Some("bridge"));
        assert_eq!(q.sort, SortBy::Column("amount".into()));
        assert!(q.descending);
        assert_eq!(
            PageQuery::from_params(params(&[])).unwrap(),
            PageQuery::default()
        );
        for (bad, says) in [
            (&[("offset", "-1")][..], "offset '-1'"),
            (&[("status", "weird")][..], "'weird' is not a row status"),
            (&[("sort", "size")][..], "sort 'size'"),
        ] {
            let e = PageQuery::from_params(params(bad)).unwrap_err();
            assert!(e.to_string().contains(says), "{e}");
        }
    }

    #[test]
    fn needles_ignore_case_in_ascii_and_beyond() {
        let n = Needle::new("bRiDgE");
        assert!(n.found_in("Brooklyn BRIDGE".as_bytes()));
        assert!(!n.found_in(b"Brooklyn"));
        let u = Needle::new("STRASSE");
        assert!(u.found_in("Hauptstrasse 5".as_bytes()));
        assert!(!u.found_in(b"STRASS"));
        let digits = Needle::new("2024-0");
        assert!(digits.found_in(b"on 2024-03-01"));
        assert!(!digits.found_in(b"2023-01"));
        let e = Needle::new("É");
        assert!(e.found_in("café".as_bytes()));
        assert!(!e.found_in(b"cafe"));
    }
}
