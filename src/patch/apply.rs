//! Applying a patch to the left file (see [`crate::patch`]).
//!
//! Two passes over the file's records. The first finds what the patch
//! does to each record (keep, change, remove), learns how the file quotes
//! its fields, and collects the conflicts; the second writes the output:
//! kept records as their bytes stand, changed records with only their
//! changed fields rewritten, added rows where the right file has them.

use super::read::{Line, Patch};
use super::Action;
use crate::array::Array;
use crate::error::{Error, Result};
use crate::progress::Control;
use crate::table::{self, needs_quotes, write_field, Encoding, LoadOptions, Table};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// Bytes of output gathered before they are passed on.
const CHUNK: usize = 1 << 20;

/// Applies `patch` to `left` as [`apply`] does, into the file `output`,
/// which appears complete or not at all (it may be `left` itself).
pub fn apply_to_file(
    left: &Path,
    opts: &LoadOptions,
    patch: &Patch,
    on_conflict: OnConflict,
    output: &Path,
    ctl: Control<'_>,
) -> Result<Applied> {
    crate::output::write_atomically(output, |w| apply(left, opts, patch, on_conflict, w, ctl))
}

/// What to do with the lines of a patch that do not fit the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Refuse the patch, naming them, and write nothing.
    Refuse,
    /// Apply the other lines and list them ([`Applied::skipped`]).
    Skip,
    /// Merge: a line already in the file (the same change made on both
    /// sides, a row removed on both) is passed over, a change to other
    /// cells of a changed row is merged in, and a real conflict is written
    /// between conflict markers, both versions of the row, as git writes
    /// conflicting lines ([`Applied::skipped`] lists them).
    Mark,
}

/// What applying a patch did.
#[derive(Debug)]
pub struct Applied {
    /// Rows changed.
    pub changed: u64,
    /// Rows removed.
    pub removed: u64,
    /// Rows added.
    pub added: u64,
    /// The patch's lines that were not applied (or, when merging, were
    /// written in conflict).
    pub skipped: Vec<Conflict>,
    /// What the user should know about the output (a workbook written as
    /// CSV, say).
    pub notes: Vec<String>,
}

/// A line of a patch that does not fit the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The line in the patch file.
    pub line: u64,
    /// Its action.
    pub action: Action,
    /// The row's key.
    pub key: Vec<String>,
    /// Why it does not apply.
    pub reason: String,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "patch line {}: {}", self.line, self.action.name())?;
        if !self.key.is_empty() {
            write!(f, " of key {}", self.key.join(", "))?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Applies `patch` to the file at `left` (read with `opts`, as the
/// comparison read it) and writes the patched file to `out`. Refuses a
/// patch that conflicts with the file, naming the lines in conflict and
/// writing nothing, unless told otherwise: then the other lines are applied
/// the conflicting ones listed in [`Applied::skipped`].
///
/// A CSV file keeps its bytes where the patch does not touch it; any other
/// source (a workbook, Parquet, a compressed file) is written as CSV, and
/// a note says so.
pub fn apply(
    left: &Path,
    opts: &LoadOptions,
    patch: &Patch,
    on_conflict: OnConflict,
    out: &mut dyn Write,
    ctl: Control<'_>,
) -> Result<Applied> {
    let name = left.display().to_string();
    let table = table::load_path(left, opts, ctl)?;
    let columns = table.columns().to_vec();
    let find = |c: &String| {
        columns
            .iter()
            .position(|n| n == c)
            .ok_or_else(|| Error::InvalidFile {
                path: patch.path.clone(),
                line: Some(1),
                detail: format!("names the column '{c}', which '{name}' does not have"),
            })
    };
    let at = Columns {
        keys: patch.keys.iter().map(find).collect::<Result<_>>()?,
        cols: patch.columns.iter().map(find).collect::<Result<_>>()?,
        width: columns.len(),
    };
    let mut notes = Vec::new();
    let info = table.info().clone();
    let source = if info.format == table::CSV && info.compression.is_none() {
        drop(table);
        let raw = std::fs::read(left).map_err(|source| Error::Read {
            path: name.clone(),
            source,
        })?;
        Source::csv(raw, &name, &info, opts)?
    } else {
        let what = match (info.compression, &info.sheet) {
            (Some(c), _) => format!("is a {c}-compressed file"),
            (None, Some(sheet)) => format!("is a {} (sheet '{sheet}' was patched)", info.format),
            (None, None) => format!("is a {} file", info.format),
        };
        notes.push(format!(
            "'{name}' {what}; the patched file is written as CSV (UTF-8, comma-separated)"
        ));
        Source::of_table(&table, &name)
    };
    notes.extend(source.warnings.iter().cloned());
    let text = &source.text[source.start..];
    let plan = Plan::make(
        text,
        &source,
        patch,
        &at,
        on_conflict == OnConflict::Mark,
        &ctl,
    )?;
    if !plan.conflicts.is_empty() && on_conflict == OnConflict::Refuse {
        return Err(Error::PatchConflict {
            path: patch.path.clone(),
            file: name,
            conflicts: plan.conflicts.iter().map(ToString::to_string).collect(),
        });
    }
    let mut sink = Sink {
        buf: Vec::with_capacity(CHUNK + CHUNK / 4),
        out,
        source: &source,
        started: false,
    };
    plan.write(text, &source, patch, &at, &mut sink)?;
    sink.finish()?;
    Ok(Applied {
        changed: plan.counts[0],
        removed: plan.counts[1],
        added: plan.counts[2],
        skipped: plan.conflicts,
        notes,
    })
}

/// Where the patch's columns are in the file.
struct Columns {
    /// The key columns.
    keys: Vec<usize>,
    /// The compared columns, in the patch's order.
    cols: Vec<usize>,
    /// The file's number of columns.
    width: usize,
}

/// The left file as UTF-8 CSV text, and how to write it back.
struct Source {
    /// The file, as named to the user.
    name: String,
    /// The text from `start` on: the file's bytes themselves when they
    /// are UTF-8, else a UTF-8 copy.
    text: Array<u8>,
    start: usize,
    delimiter: u8,
    has_header: bool,
    /// Lines above the header, copied as they are.
    skip_lines: usize,
    encoding: Encoding,
    /// Whether the file started with a byte-order mark.
    bom: bool,
    warnings: Vec<String>,
}

impl Source {
    fn csv(
        raw: Vec<u8>,
        name: &str,
        info: &table::SourceInfo,
        opts: &LoadOptions,
    ) -> Result<Source> {
        let encoding = info.encoding.unwrap_or(Encoding::Utf8);
        let bom = [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"]
            .iter()
            .any(|b| raw.starts_with(b));
        let decoded = table::decode(raw.into(), name, Some(encoding))?;
        Ok(Source {
            name: name.to_string(),
            text: decoded.bytes,
            start: decoded.start,
            delimiter: info.delimiter.unwrap_or(b','),
            has_header: info.has_header,
            skip_lines: opts.skip_lines,
            encoding,
            bom,
            warnings: decoded.warnings,
        })
    }

    fn of_table(t: &Table, name: &str) -> Source {
        let mut text = Vec::new();
        table::write_csv(t, &mut text).expect("writing to memory does not fail");
        Source {
            name: name.to_string(),
            text: text.into(),
            start: 0,
            delimiter: b',',
            has_header: true,
            skip_lines: 0,
            encoding: Encoding::Utf8,
            bom: false,
            warnings: Vec::new(),
        }
    }

    /// `chunk` (UTF-8, whole records) in the file's encoding, with its
    /// byte-order mark when `first`.
    fn encode<'a>(&self, chunk: &'a [u8], first: bool) -> Result<Cow<'a, [u8]>> {
        let text = || String::from_utf8_lossy(chunk);
        Ok(match self.encoding {
            Encoding::Utf8 => Cow::Borrowed(chunk),
            Encoding::Utf8Bom if !first => Cow::Borrowed(chunk),
            Encoding::Utf8Bom => Cow::Owned([&b"\xEF\xBB\xBF"[..], chunk].concat()),
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let le = self.encoding == Encoding::Utf16Le;
                let mut bytes = Vec::with_capacity(chunk.len() * 2 + 2);
                if self.bom && first {
                    bytes.extend_from_slice(if le { b"\xFF\xFE" } else { b"\xFE\xFF" });
                }
                for unit in text().encode_utf16() {
                    bytes.extend_from_slice(&if le {
                        unit.to_le_bytes()
                    } else {
                        unit.to_be_bytes()
                    });
                }
                Cow::Owned(bytes)
            }
            Encoding::Windows1252 => {
                let text = text();
                if let Some(c) = text.chars().find(|&c| {
                    encoding_rs::WINDOWS_1252
                        .encode(c.encode_utf8(&mut [0; 4]))
                        .2
                }) {
                    return Err(Error::Invalid(format!(
                        "'{}' is in windows-1252, which cannot hold the character '{c}' \
                         (U+{:04X}) that the patch writes; save the file as UTF-8 first",
                        self.name, c as u32
                    )));
                }
                Cow::Owned(encoding_rs::WINDOWS_1252.encode(&text).0.into_owned())
            }
        })
    }
}

/// The output on its way: UTF-8 gathered a record at a time and passed on
/// in chunks of whole records, in the file's encoding.
struct Sink<'w> {
    buf: Vec<u8>,
    out: &'w mut dyn Write,
    source: &'w Source,
    started: bool,
}

impl Sink<'_> {
    /// Passes on what was gathered once it is a chunk's worth. Called
    /// before a record, so that the last one stays for [`Sink::finish`].
    fn pass_on_if_full(&mut self) -> Result<()> {
        if self.buf.len() >= CHUNK {
            self.pass_on()?;
        }
        Ok(())
    }

    fn pass_on(&mut self) -> Result<()> {
        let encoded = self.source.encode(&self.buf, !self.started)?;
        self.out
            .write_all(&encoded)
            .map_err(|source| Error::Write {
                path: "output".to_string(),
                source,
            })?;
        self.started = true;
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        if !self.buf.is_empty() || !self.started {
            self.pass_on()?;
        }
        Ok(())
    }
}

/// What the first pass decided for one record of the file.
#[derive(Debug, Clone, Copy)]
enum Fate {
    /// An empty line, copied.
    Blank,
    Keep,
    /// Changed by the patch line at this index.
    Change(usize),
    Remove,
    /// In conflict with the patch line at this index, when merging.
    Clash(Clash),
}

/// How a row and a line of the patch conflict, when merging.
#[derive(Debug, Clone, Copy)]
enum Clash {
    /// Both changed some of the same cells ([`Plan::clash_cells`]).
    Cells(usize),
    /// The patch removes the row, which the file changed.
    Removed(usize),
    /// The patch adds a row with the key of another row of the file.
    Added(usize),
}

/// The first pass's findings.
struct Plan {
    /// Where the data records start (after title lines and the header).
    data_start: usize,
    /// Each data record's start and what happens to it.
    records: Vec<(usize, Fate)>,
    /// Per column, of the fields that need no quotes: those quoted and all
    /// of them, empty ones quoted and all empty ones (how the file quotes).
    quoting: Vec<[u64; 4]>,
    /// The line end the file uses, for added rows.
    line_end: &'static [u8],
    conflicts: Vec<Conflict>,
    /// Lines applied: change, remove, add.
    counts: [u64; 3],
    /// The add lines to apply, by their row in the right file.
    adds: Vec<usize>,
    /// When merging: the cells in conflict of the lines that [`Clash::Cells`]
    /// names, by their index among the patch's columns.
    clash_cells: HashMap<usize, Vec<usize>>,
    /// When merging: the change lines whose row the file removed, written
    /// in conflict at the end.
    orphans: Vec<usize>,
}

/// Key values as one byte string (each value with its length first), to
/// look rows up without an allocation per record.
fn key_bytes<'a>(values: impl Iterator<Item = &'a [u8]>, out: &mut Vec<u8>) {
    out.clear();
    for v in values {
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
        out.extend_from_slice(v);
    }
}

impl Plan {
    fn make(
        text: &[u8],
        source: &Source,
        patch: &Patch,
        place: &Columns,
        merge: bool,
        ctl: &Control<'_>,
    ) -> Result<Plan> {
        let (keys, cols) = (&place.keys[..], &place.cols[..]);
        let mut at = 0;
        table::skip_lines(text, &mut at, source.skip_lines);
        let (mut ends, mut copy) = (Vec::new(), Vec::new());
        let delim = source.delimiter;
        let mut line_end: &'static [u8] = b"\n";
        let mut first = true;
        let mut records = Vec::new();
        let mut data_start = at;
        // Lines to look for, by key; added rows' keys, to find them already there.
        let mut wanted: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        let mut kb = Vec::new();
        // Without a key, a row is found by all its values.
        let by_values = keys.is_empty();
        for (i, l) in patch.lines.iter().enumerate() {
            if by_values && l.action == Action::Add {
                continue;
            }
            let values = if by_values { &l.before } else { &l.key };
            key_bytes(values.iter().map(|k| k.as_bytes()), &mut kb);
            wanted.entry(kb.clone()).or_default().push(i);
        }
        let mut used = vec![false; patch.lines.len()];
        // For a line not applied: the file's line of a row with its key
        // whose values differ, and the first column that does.
        let mut near: Vec<Option<(u64, usize)>> = vec![None; patch.lines.len()];
        // Lines of kept rows whose key an added row has.
        let mut kept_keys: HashMap<Vec<u8>, u64> = HashMap::new();
        let mut quoting = vec![[0u64; 4]; place.width];
        let mut counts = [0u64; 3];
        let mut clash_cells = HashMap::new();
        // When merging: the lines written in conflict, with the file's line.
        let mut conflicts_here: Vec<(usize, u64)> = Vec::new();
        let mut line = source.skip_lines as u64 + 1;
        loop {
            let start = at;
            match table::next_record(text, &mut at, delim, &mut ends, &mut copy) {
                table::Outcome::End => break,
                table::Outcome::Blank => {
                    line += 1;
                    if !first {
                        records.push((start, Fate::Blank));
                    }
                    continue;
                }
                table::Outcome::Unterminated => {
                    return Err(Error::InvalidFile {
                        path: source.name.clone(),
                        line: Some(line),
                        detail: "a quoted field is still open at the end of the file".into(),
                    })
                }
                table::Outcome::Record {
                    line_breaks,
                    copied,
                } => {
                    let this_line = line;
                    line += line_breaks;
                    // Added rows end as the first data row does (the
                    // header, in a file without one).
                    if first || records.is_empty() {
                        line_end = line_end_of(&text[start..at]);
                    }
                    if first && source.has_header {
                        first = false;
                        data_start = at;
                        continue;
                    }
                    if first {
                        first = false;
                        data_start = start;
                    }
                    if records.len() % 65_536 == 0 {
                        ctl.check()?;
                    }
                    let cells: Vec<&[u8]> =
                        table::record_cells(text, start, &copy, copied, &ends).collect();
                    let cell = |c: usize| cells.get(c).copied().unwrap_or(b"");
                    // A copied record's cells lost their quotes: its raw
                    // fields say which had them (split once per record).
                    let raw = copied.then(|| raw_fields(record_body(&text[start..at]), delim));
                    for (c, q) in quoting.iter_mut().enumerate().take(cells.len()) {
                        // Only fields that need no quotes say how the file
                        // quotes when it need not.
                        if needs_quotes(cells[c], delim) {
                            continue;
                        }
                        let quoted = match &raw {
                            Some(raw) => raw.get(c).is_some_and(|f| f.first() == Some(&b'"')),
                            None => ends[c] & table::QUOTED != 0,
                        };
                        let empty = usize::from(cells[c].is_empty()) * 2;
                        q[empty] += u64::from(quoted);
                        q[empty + 1] += 1;
                    }
                    let found_by = if by_values { cols } else { keys };
                    key_bytes(found_by.iter().map(|&k| cell(k)), &mut kb);
                    let mut fate = Fate::Keep;
                    let mut adds_here = false;
                    // When merging, the first line that clashes with the row.
                    let mut clash = None;
                    for &li in wanted.get(&kb).into_iter().flatten() {
                        if used[li] {
                            continue;
                        }
                        let l = &patch.lines[li];
                        let differs = |i: usize, v: &str| cell(cols[i]) != v.as_bytes();
                        let changed = |i: &usize| l.before[*i] != l.after[*i];
                        let mismatch = match l.action {
                            Action::Add if merge && !keys.is_empty() => {
                                // Added on both sides: the same row, or a clash.
                                used[li] = true;
                                if (0..cols.len()).any(|i| differs(i, &l.after[i])) {
                                    clash = clash.or(Some(Clash::Added(li)));
                                }
                                continue;
                            }
                            Action::Add => {
                                adds_here = true;
                                continue;
                            }
                            // Merging, a cell that already holds the new
                            // value is no conflict.
                            Action::Change if merge => (0..cols.len())
                                .filter(changed)
                                .find(|&i| differs(i, &l.before[i]) && differs(i, &l.after[i])),
                            Action::Change => (0..cols.len())
                                .filter(changed)
                                .find(|&i| differs(i, &l.before[i])),
                            Action::Remove => (0..cols.len()).find(|&i| differs(i, &l.before[i])),
                        };
                        match mismatch {
                            None => {
                                used[li] = true;
                                fate = if l.action == Action::Change {
                                    counts[0] += 1;
                                    Fate::Change(li)
                                } else {
                                    counts[1] += 1;
                                    Fate::Remove
                                };
                                break;
                            }
                            Some(c) => {
                                near[li] = near[li].or(Some((this_line, c)));
                                if merge && clash.is_none() {
                                    clash = Some(match l.action {
                                        Action::Change => {
                                            let cells = (0..cols.len())
                                                .filter(changed)
                                                .filter(|&i| {
                                                    differs(i, &l.before[i])
                                                        && differs(i, &l.after[i])
                                                })
                                                .collect();
                                            clash_cells.insert(li, cells);
                                            Clash::Cells(li)
                                        }
                                        _ => Clash::Removed(li),
                                    });
                                }
                            }
                        }
                    }
                    if let (Fate::Keep, Some(c)) = (fate, clash) {
                        let (Clash::Cells(li) | Clash::Removed(li) | Clash::Added(li)) = c;
                        used[li] = true;
                        fate = Fate::Clash(c);
                        conflicts_here.push((li, this_line));
                    }
                    if adds_here && !keys.is_empty() && !matches!(fate, Fate::Remove) {
                        kept_keys.entry(kb.clone()).or_insert(this_line);
                    }
                    records.push((start, fate));
                }
            }
        }
        let mut conflicts = Vec::new();
        let mut adds = Vec::new();
        let mut orphans = Vec::new();
        for &(li, at) in &conflicts_here {
            let l = &patch.lines[li];
            conflicts.push(Conflict {
                line: l.line,
                action: l.action,
                key: l.key.clone(),
                reason: match l.action {
                    Action::Change => {
                        let names: Vec<String> = clash_cells
                            .get(&li)
                            .into_iter()
                            .flatten()
                            .map(|&i: &usize| format!("'{}'", patch.columns[i]))
                            .collect();
                        format!(
                            "both sides changed {} differently (line {at})",
                            names.join(", ")
                        )
                    }
                    Action::Remove => {
                        format!("one side removed the row on line {at}, which the other changed")
                    }
                    Action::Add => {
                        format!("both sides added a row with this key, differently (line {at})")
                    }
                },
            });
        }
        for (li, l) in patch.lines.iter().enumerate() {
            let reason = match l.action {
                _ if used[li] => continue,
                // Merging: removed on both sides.
                Action::Remove if merge => continue,
                Action::Change if merge => {
                    orphans.push(li);
                    "one side removed the row, which the other changed".to_string()
                }
                Action::Add => {
                    key_bytes(l.key.iter().map(|k| k.as_bytes()), &mut kb);
                    match kept_keys.get(&kb) {
                        Some(at) => format!("the file already has a row with this key (line {at})"),
                        None => {
                            adds.push(li);
                            counts[2] += 1;
                            continue;
                        }
                    }
                }
                _ => match near[li] {
                    Some((at, i)) => {
                        let column = &patch.columns[i];
                        format!(
                            "the row's '{column}' on line {at} no longer holds '{}' as the patch expects",
                            l.before[i]
                        )
                    }
                    None if patch.keys.is_empty() => {
                        "the file has no row with these values".to_string()
                    }
                    None => "the file has no row with this key".to_string(),
                },
            };
            conflicts.push(Conflict {
                line: l.line,
                action: l.action,
                key: l.key.clone(),
                reason,
            });
        }
        adds.sort_by_key(|&li| patch.lines[li].right_row);
        Ok(Plan {
            data_start,
            records,
            quoting,
            line_end,
            conflicts,
            counts,
            adds,
            clash_cells,
            orphans,
        })
    }

    /// The second pass: the patched text, into `sink`.
    fn write(
        &self,
        text: &[u8],
        source: &Source,
        patch: &Patch,
        at: &Columns,
        sink: &mut Sink<'_>,
    ) -> Result<()> {
        let cols = &at.cols[..];
        let delim = source.delimiter;
        sink.buf.extend_from_slice(&text[..self.data_start]);
        let mut open = !ends_line(&sink.buf) && !sink.buf.is_empty();
        let mut rows = 0u64;
        let mut adds = self.adds.iter().peekable();
        let width = at.width;
        let emit = |sink: &mut Sink<'_>, bytes: &[u8], rows: &mut u64, open: &mut bool| {
            sink.pass_on_if_full()?;
            if *open {
                sink.buf.extend_from_slice(self.line_end);
            }
            sink.buf.extend_from_slice(bytes);
            *open = !ends_line(bytes);
            *rows += 1;
            Ok::<(), Error>(())
        };
        let mut scratch = Vec::new();
        for (i, &(start, fate)) in self.records.iter().enumerate() {
            let end = self.records.get(i + 1).map_or(text.len(), |r| r.0);
            let record = &text[start..end];
            if matches!(fate, Fate::Keep | Fate::Change(_)) {
                while let Some(&&li) = adds.peek() {
                    if patch.lines[li].right_row > rows + 1 {
                        break;
                    }
                    adds.next();
                    self.added_row(&patch.lines[li], source, at, &mut scratch);
                    emit(sink, &scratch, &mut rows, &mut open)?;
                }
            }
            match fate {
                Fate::Blank => sink.buf.extend_from_slice(record),
                Fate::Keep => emit(sink, record, &mut rows, &mut open)?,
                Fate::Remove => {}
                Fate::Change(li) => {
                    self.rewrite(
                        record,
                        &patch.lines[li],
                        &at.cols,
                        width,
                        delim,
                        |_| true,
                        &mut scratch,
                    );
                    emit(sink, &scratch, &mut rows, &mut open)?;
                }
                Fate::Clash(clash) => {
                    let mut theirs = Vec::new();
                    let ours = match clash {
                        Clash::Cells(li) => {
                            let l = &patch.lines[li];
                            let cells = &self.clash_cells[&li];
                            self.rewrite(record, l, cols, width, delim, |_| true, &mut theirs);
                            let mut ours = Vec::new();
                            self.rewrite(
                                record,
                                l,
                                cols,
                                width,
                                delim,
                                |k| !cells.contains(&k),
                                &mut ours,
                            );
                            ours
                        }
                        Clash::Removed(_) => record.to_vec(),
                        Clash::Added(li) => {
                            self.added_row(&patch.lines[li], source, at, &mut theirs);
                            record.to_vec()
                        }
                    };
                    self.markers(&ours, &theirs, &mut scratch);
                    emit(sink, &scratch, &mut rows, &mut open)?;
                }
            }
        }
        for &li in &self.orphans {
            self.added_row(&patch.lines[li], source, at, &mut scratch);
            let theirs = std::mem::take(&mut scratch);
            self.markers(&[], &theirs, &mut scratch);
            emit(sink, &scratch, &mut rows, &mut open)?;
        }
        for &li in adds {
            self.added_row(&patch.lines[li], source, at, &mut scratch);
            emit(sink, &scratch, &mut rows, &mut open)?;
        }
        // A file that ends without a line end still does (the last record
        // is still in the sink: see [`Sink::pass_on_if_full`]).
        if !ends_line(text) && ends_line(&sink.buf) && !text.is_empty() {
            let cut = sink.buf.len() - line_end_of(&sink.buf).len();
            sink.buf.truncate(cut);
        }
        Ok(())
    }

    /// `record` with the changed cells of `l` that `take` chooses (by their
    /// index among the patch's columns) rewritten, the others as they are.
    #[allow(clippy::too_many_arguments)]
    fn rewrite(
        &self,
        record: &[u8],
        l: &Line,
        cols: &[usize],
        width: usize,
        delim: u8,
        take: impl Fn(usize) -> bool,
        out: &mut Vec<u8>,
    ) {
        let body = record_body(record);
        let mut fields: Vec<Vec<u8>> = raw_fields(body, delim)
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
        if fields.len() < width {
            fields.resize(width, Vec::new());
        }
        for (k, &c) in cols.iter().enumerate() {
            if l.before[k] != l.after[k] && take(k) {
                fields[c].clear();
                let v = l.after[k].as_bytes();
                write_field(&mut fields[c], v, delim, self.quotes(c, v));
            }
        }
        out.clear();
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                out.push(delim);
            }
            out.extend_from_slice(f);
        }
        out.extend_from_slice(&record[body.len()..]);
    }

    /// Two versions of a row between conflict markers, as git writes
    /// conflicting lines (either may be missing: a row removed).
    fn markers(&self, ours: &[u8], theirs: &[u8], out: &mut Vec<u8>) {
        out.clear();
        for (marker, version) in [(&b"<<<<<<< ours"[..], ours), (b"=======", theirs)] {
            out.extend_from_slice(marker);
            out.extend_from_slice(self.line_end);
            if !version.is_empty() {
                out.extend_from_slice(record_body(version));
                out.extend_from_slice(self.line_end);
            }
        }
        out.extend_from_slice(b">>>>>>> theirs");
        out.extend_from_slice(self.line_end);
    }

    /// An added row, in the file's columns and way of quoting, with its
    /// line end.
    fn added_row(&self, l: &Line, source: &Source, at: &Columns, out: &mut Vec<u8>) {
        out.clear();
        let mut values: Vec<&[u8]> = vec![b""; at.width];
        for (k, &c) in at.keys.iter().enumerate() {
            values[c] = l.key[k].as_bytes();
        }
        for (k, &c) in at.cols.iter().enumerate() {
            values[c] = l.after[k].as_bytes();
        }
        for (c, v) in values.iter().enumerate() {
            if c > 0 {
                out.push(source.delimiter);
            }
            write_field(out, v, source.delimiter, self.quotes(c, v));
        }
        out.extend_from_slice(self.line_end);
    }

    /// Whether the file quotes a value like `v` in column `c` when it does
    /// not have to: as most of its fields in that column that need no
    /// quotes are (empty ones apart, which files often quote differently).
    /// A column with no such field follows the file's other columns.
    fn quotes(&self, c: usize, v: &[u8]) -> bool {
        let at = usize::from(v.is_empty()) * 2;
        let column = self.quoting.get(c).copied().unwrap_or_default();
        let [quoted, all] = if column[at + 1] > 0 {
            [column[at], column[at + 1]]
        } else {
            self.quoting
                .iter()
                .fold([0, 0], |[q, a], s| [q + s[at], a + s[at + 1]])
        };
        quoted * 2 > all
    }
}

/// A record without its line end.
fn record_body(record: &[u8]) -> &[u8] {
    &record[..record.len() - line_end_of(record).len()]
}

/// The line end a record's bytes finish with (none at the end of a file
/// without one).
fn line_end_of(record: &[u8]) -> &'static [u8] {
    if record.ends_with(b"\r\n") {
        b"\r\n"
    } else if record.ends_with(b"\n") {
        b"\n"
    } else if record.ends_with(b"\r") {
        b"\r"
    } else {
        b""
    }
}

fn ends_line(bytes: &[u8]) -> bool {
    matches!(bytes.last(), Some(b'\n' | b'\r'))
}

/// A record's fields as they are written (quotes and all), split at the
/// delimiters outside quotes, read as the parser reads them: a quote opens
/// a quoted part only at a field's start, and `""` inside it is a quote.
pub(super) fn raw_fields(body: &[u8], delim: u8) -> Vec<&[u8]> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i <= body.len() {
        if i < body.len() && i == start && body[i] == b'"' {
            i += 1;
            while i < body.len() {
                if body[i] == b'"' {
                    if body.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(body.len());
            continue;
        }
        if i == body.len() || body[i] == delim {
            fields.push(&body[start..i.min(body.len())]);
            start = i + 1;
        }
        i += 1;
    }
    fields
}
