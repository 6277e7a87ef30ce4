// Generated from the Rust types by scripts/types.sh (src/typescript.rs): do not edit.
import type { ApiError } from './types';

export type Side = "left" | "right";

export type ValueType = "empty" | "integer" | "decimal" | "boolean" | "date" | "datetime" | "text";

export type Encoding = "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252";

export type TableInfo = { 
/**
 * The path or name the table was loaded from.
 */
path: string, 
/**
 * The input format's name ([`InputFormat::name`]).
 */
format: string, 
/**
 * Data rows.
 */
rows: number, 
/**
 * The text encoding it was read in, for text formats.
 */
encoding: Encoding | null, 
/**
 * The field delimiter, for delimited text, as a string of one character.
 */
delimiter: string | null, 
/**
 * Whether the first record was read as the header.
 */
has_header: boolean, 
/**
 * The column names.
 */
columns: Array<string>, 
/**
 * Things the user should know that did not stop loading.
 */
warnings: Array<string>, 
/**
 * The compression the file was found in (`gzip`, `zstd`, `bzip2`, `xz`).
 */
compression?: string, 
/**
 * The sheet read, for a workbook.
 */
sheet?: string, 
/**
 * Every worksheet of a workbook, in order; empty for other formats.
 */
sheets?: Array<string>, };

export type GcReport = { 
/**
 * Blobs removed.
 */
removed: number, 
/**
 * Bytes freed.
 */
bytes: number, 
/**
 * Blobs kept because some session refers to them.
 */
kept: number, };

export type ColumnProfile = { 
/**
 * The column name.
 */
name: string, 
/**
 * The most specific type every non-empty value fits (`empty` if there is none).
 */
type: ValueType, 
/**
 * Number of empty cells.
 */
nulls: number, 
/**
 * Number of distinct non-empty values.
 */
distinct: number, 
/**
 * Whether `distinct` is exact (it is estimated above about a million values).
 */
distinct_exact: boolean, 
/**
 * Whether every row has a value and no value repeats.
 */
unique: boolean, 
/**
 * The smallest value, ordered by the column's type.
 */
min: string | null, 
/**
 * The largest value, ordered by the column's type.
 */
max: string | null, 
/**
 * The first few distinct values.
 */
samples: Array<string>, };

export type Summary = { 
/**
 * Data rows in the left file.
 */
left_rows: number, 
/**
 * Data rows in the right file.
 */
right_rows: number, 
/**
 * Keys present exactly once on each side (in positional mode: rows present on both sides).
 */
matched: number, 
/**
 * Matched rows whose compared cells are all equal.
 */
identical: number, 
/**
 * Matched rows with at least one differing cell.
 */
changed: number, 
/**
 * Rows whose key is only in the left file.
 */
only_left: number, 
/**
 * Rows whose key is only in the right file.
 */
only_right: number, 
/**
 * Distinct keys occurring more than once in the left file.
 */
duplicate_keys_left: number, 
/**
 * Distinct keys occurring more than once in the right file.
 */
duplicate_keys_right: number, 
/**
 * Columns only in the left file (ignored columns are not counted).
 */
columns_only_left: number, 
/**
 * Columns only in the right file (ignored columns are not counted).
 */
columns_only_right: number, 
/**
 * Whether the comparison was told that columns on one side only do
 * not make the files differ ([`super::CompareConfig::ignore_extra_columns`]).
 */
extra_columns_ignored: boolean, };

export type Mode = "keyed" | "positional" | "content";

export type RowStatus = "changed" | "only_left" | "only_right" | "duplicate";

export type ColumnPair = { 
/**
 * Name in the left file.
 */
left: string, 
/**
 * Name in the right file.
 */
right: string, };

export type ResolvedPair = { 
/**
 * Name in the left file.
 */
left: string, 
/**
 * Name in the right file.
 */
right: string, 
/**
 * Index of the column in the left table.
 */
left_index: number, 
/**
 * Index of the column in the right table.
 */
right_index: number, };

export type ColumnStats = { 
/**
 * Name in the left file.
 */
left: string, 
/**
 * Name in the right file.
 */
right: string, 
/**
 * Matched rows where this pair's cells differ.
 */
differences: number, 
/**
 * The largest |left - right| among differing numeric cells, if any.
 */
max_difference: number | null, 
/**
 * The left column's type, judged from about a thousand rows spread
 * over the file as the comparison's rules read them (`empty` in
 * results stored before types were kept).
 */
left_type: ValueType, 
/**
 * The right column's type, judged as `left_type` is.
 */
right_type: ValueType, };

export type MappingSuggestion = { 
/**
 * Left column name.
 */
left: string, 
/**
 * Right column name.
 */
right: string, 
/**
 * Confidence from 0 to 1.
 */
score: number, 
/**
 * Why, in a few words: `same name`, `synonymous name`, `same values`, ...
 */
reason: string, };

export type KeySuggestion = { 
/**
 * Left key columns.
 */
left: Array<string>, 
/**
 * Right key columns, in the same order.
 */
right: Array<string>, 
/**
 * Confidence from 0 to 1.
 */
score: number, 
/**
 * Share of left rows whose key is present and occurs once.
 */
unique_left: number, 
/**
 * Share of right rows whose key is present and occurs once.
 */
unique_right: number, 
/**
 * Share of the distinct keys of the smaller side also found on the other.
 */
overlap: number, 
/**
 * Whether the figures were measured on the sampled rows only (a
 * runner-up of a key chosen on files larger than the sample), not on
 * every row.
 */
sampled: boolean, };

export type AppliedSuggestions = { 
/**
 * The key used, if one was suggested confidently.
 */
key: KeySuggestion | null, 
/**
 * Renamed column pairs used.
 */
mappings: Array<MappingSuggestion>, 
/**
 * Ways of reading cells that the files' values showed, applied.
 */
rules: Array<InferredRule>, };

export type InferredRule = { 
/**
 * The column pair, by its left name (as column rules are named).
 */
column: string, 
/**
 * What was inferred.
 */
kind: InferredKind, 
/**
 * The file whose values showed it, or `None` for both.
 */
side: Side | null, 
/**
 * For null spellings: the spellings, as written.
 */
spellings: Array<string>, 
/**
 * For a date layout: the layout, in strftime codes (`%d/%m/%Y`).
 */
layout: string | null, 
/**
 * What in the values showed it, for people.
 */
evidence: string, };

export type InferredKind = "null_spellings" | "decimal_comma" | "date_layout";

export type Pairing = { 
/**
 * Key column pairs; empty when rows are paired by position.
 */
keys: Array<ColumnPair>, 
/**
 * Compared column pairs, in left column order.
 */
pairs: Array<PairedColumns>, 
/**
 * Left columns compared with nothing (ignored ones excluded).
 */
left_only: Array<string>, 
/**
 * Right columns compared with nothing (ignored ones excluded).
 */
right_only: Array<string>, 
/**
 * The suggestions that filled in the key or the pairs, as in
 * [`CompareResult::suggested`]; `None` when the configuration named them.
 */
suggested: AppliedSuggestions | null, 
/**
 * Why the suggested key was chosen over the others (the runners-up),
 * or why no key was: the notes the comparison will carry.
 */
notes: Array<string>, };

export type PairedColumns = { 
/**
 * Name in the left file.
 */
left: string, 
/**
 * Name in the right file.
 */
right: string, 
/**
 * Whether its cells will be compared as numbers.
 */
numeric: boolean, };

export type NumericMode = "auto" | "always" | "never";

export type Rules = { 
/**
 * Ignore leading and trailing white space.
 */
trim: boolean, 
/**
 * Ignore the difference between upper and lower case.
 */
ignore_case: boolean, 
/**
 * Values that mean "no value", like the empty cell (`NULL`, `N/A`).
 * Two nulls are equal; a null and a value differ.
 */
null_tokens: Array<string>, 
/**
 * Whether numbers are compared by value.
 */
numeric: NumericMode, 
/**
 * Numbers differing by at most this much are equal.
 */
abs_tolerance: number, 
/**
 * Numbers differing by at most this fraction of the larger magnitude are equal.
 */
rel_tolerance: number, 
/**
 * Date formats (chrono `strftime`, e.g. `%d/%m/%Y`); when any is given,
 * two cells that both read as the same point in time are equal.
 */
date_formats: Array<string>, 
/**
 * The files whose numbers are written with a decimal comma and dots
 * between thousands (`1.234,5`), as in many European exports.
 */
decimal_comma: Sides, };

export type RuleOverrides = { 
/**
 * See [`Rules::trim`].
 */
trim?: boolean | null, 
/**
 * See [`Rules::ignore_case`].
 */
ignore_case?: boolean | null, 
/**
 * More null tokens for this column, added to [`Rules::null_tokens`].
 */
null_tokens?: Array<string> | null, 
/**
 * See [`Rules::numeric`].
 */
numeric?: NumericMode | null, 
/**
 * See [`Rules::abs_tolerance`].
 */
abs_tolerance?: number | null, 
/**
 * See [`Rules::rel_tolerance`].
 */
rel_tolerance?: number | null, 
/**
 * See [`Rules::date_formats`].
 */
date_formats?: Array<string> | null, 
/**
 * See [`Rules::decimal_comma`].
 */
decimal_comma?: Sides | null, };

export type Sides = boolean | 'left' | 'right';

export type CompareConfig = { 
/**
 * Key columns that identify a row; left and right names may differ.
 * Empty means rows are paired by position.
 */
keys: Array<ColumnPair>, 
/**
 * Column pairs with different names (renamed columns). Columns with the
 * same name on both sides are paired without being listed.
 */
mappings: Array<ColumnPair>, 
/**
 * Columns left out of the comparison, by their name on either side.
 */
ignore: Array<string>, 
/**
 * Rules for all columns.
 */
rules: Rules, 
/**
 * Rule changes for single columns, by left column name.
 */
column_rules: { [key in string]: RuleOverrides }, 
/**
 * When no key (or no mapping) is named, fill it in from confident
 * suggestions ([`crate::suggest::compare`]); when
 * false, rows without a key are paired by content (or by position,
 * with [`CompareConfig::by_position`]).
 */
use_suggestions: boolean, 
/**
 * Columns on one side only do not make the files differ: they are
 * still listed, but a comparison whose rows all match says the files
 * match. Left out of the stored form when false, so that sessions
 * without it open in releases that do not know it.
 */
ignore_extra_columns?: boolean, 
/**
 * Without a key, pair row N of the left with row N of the right
 * instead of pairing rows by their content (see [`compare_as_configured`]); no key
 * is suggested then. Left out of the stored form when false.
 */
by_position?: boolean, 
/**
 * Read columns as their values show (null spellings, decimal commas
 * in one file), where the rules say nothing of them
 * ([`crate::suggest::infer_rules`]). Left out of the stored form when
 * true, the default.
 */
infer_rules?: boolean, };

export type Suggestions = { 
/**
 * Suggested column pairs, in left column order.
 */
mappings: Array<MappingSuggestion>, 
/**
 * Left columns with no partner.
 */
unmapped_left: Array<string>, 
/**
 * Right columns with no partner.
 */
unmapped_right: Array<string>, 
/**
 * Key candidates, best first.
 */
keys: Array<KeySuggestion>, };

export type Phase = "storing" | "loading" | "profiling" | "suggesting" | "comparing" | "viewing" | "exporting";

export type Progress = { 
/**
 * The job, as numbered by whoever started it (0 when nobody did).
 */
job: number, 
/**
 * What is being done.
 */
phase: Phase, 
/**
 * The file the work is about, if it is about one.
 */
side: Side | null, 
/**
 * Units finished so far.
 */
done: number, 
/**
 * Units in all.
 */
total: number, };

export type Strategy = "InMemory" | { "Partitioned": number } | { "Streamed": number };

export type JobEvent = { "type": "progress" } & Progress | { "type": "done", 
/**
 * The job.
 */
job: number, 
/**
 * The result's counts.
 */
summary: Summary, } | { "type": "failed", 
/**
 * The job.
 */
job: number, 
/**
 * What went wrong.
 */
error: ApiError, } | { "type": "cancelled", 
/**
 * The job.
 */
job: number, };

export type Started = { 
/**
 * The job, as its [`super::jobs::JobEvent`]s name it.
 */
job: number, };

export type Loaded = { 
/**
 * The job its progress was reported as.
 */
job: number, 
/**
 * The file as loaded.
 */
file: FileInfo, 
/**
 * How long loading took, in milliseconds.
 */
millis: number, };

export type Unavailable = { 
/**
 * Which side it was loaded on.
 */
side: Side, 
/**
 * Its path.
 */
path: string, 
/**
 * What happened to it, for people ("was deleted or moved").
 */
detail: string, };

export type FileInfo = { 
/**
 * The file's name.
 */
name: string, 
/**
 * Its size in bytes.
 */
bytes: number, 
/**
 * Its rows, when the session is loaded.
 */
rows?: number, 
/**
 * How it was read (encoding, delimiter, columns, warnings), when the
 * session is loaded.
 */
table?: TableInfo, 
/**
 * Why the file cannot be read now: it was referenced by path, and is
 * gone or changed since it was loaded.
 */
unavailable?: string, 
/**
 * Whether its table is kept on disk, because the file is larger than
 * a third of the memory limit: it is compared a partition at a time.
 */
on_disk?: boolean, 
/**
 * Whether a copy of the file (of `bytes`) is kept in the data folder,
 * so that the session opens after the file moves or changes; false
 * for a file read from where it is (above the size set in Settings).
 * Said on the file card: the data folder grows by every copy.
 */
copied?: boolean, };

export type SessionInfo = { 
/**
 * The session id.
 */
id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * Creation time, milliseconds since the Unix epoch.
 */
created: number, 
/**
 * Last change, milliseconds since the Unix epoch.
 */
updated: number, 
/**
 * The left file's name, once loaded.
 */
left: string | null, 
/**
 * The right file's name, once loaded.
 */
right: string | null, 
/**
 * The current result's summary; `null` before the first comparison or
 * after the inputs changed.
 */
summary: Summary | null, 
/**
 * Keys, mappings and rules (in `show`, not in listings).
 */
config?: CompareConfig, 
/**
 * The id of the session's last event: it grows with every change, so
 * a front end can tell whether what it shows is still current.
 */
last_event: number, 
/**
 * Referenced files that could not be read back when the session was
 * opened (in `open`, not in listings).
 */
unavailable?: Array<Unavailable>, };

export type ResultOverview = { 
/**
 * How rows were paired.
 */
mode: Mode, 
/**
 * The key column pairs (empty in positional mode).
 */
keys: Array<ColumnPair>, 
/**
 * Counts over all rows.
 */
summary: Summary, 
/**
 * Differences per compared column pair.
 */
columns: Array<ColumnStats>, 
/**
 * Left columns not compared (no partner on the right).
 */
left_only_columns: Array<string>, 
/**
 * Right columns not compared (no partner on the left).
 */
right_only_columns: Array<string>, 
/**
 * Key and compared column pairs whose two names differ.
 */
renamed_columns: Array<ColumnPair>, 
/**
 * Compared column pairs whose two columns hold different types.
 */
type_differences: Array<ColumnStats>, 
/**
 * Things worth telling the user about how the comparison was made.
 */
notes: Array<string>, 
/**
 * The key and column pairs that suggestions filled in, if any.
 */
suggested: AppliedSuggestions | null, 
/**
 * The left file.
 */
left: TableInfo, 
/**
 * The right file.
 */
right: TableInfo, 
/**
 * How the files were compared when they did not fit the memory limit
 * (in partitions on disk, or streamed), for people: set by the
 * comparison this process ran, none for one in memory or for a
 * result read back from disk (after a restart, say).
 */
plan: string | null, 
/**
 * Whether pages and exports read the copies the session kept of the
 * rows this result names, which it does when a file it references has
 * changed or gone: the rows are then shown as they were compared.
 */
kept_rows: boolean, 
/**
 * Whether the result was made on Apache Spark and opened from its
 * folder (`sessions import-result`, *Open result from Spark…*): its
 * files are not read here, and its rows are the differing rows Spark
 * found.
 */
spark: boolean, 
/**
 * The rows the result lists: every differing row, duplicates included
 * (what an export of all differences writes).
 */
rows: number, };

export type Settings = { 
/**
 * The memory limit sessions work within.
 */
memory_limit: number, 
/**
 * The memory limit when none is set: half of the machine's memory.
 */
memory_limit_default: number, 
/**
 * Files of this many bytes or more are referenced by path, not copied.
 */
reference_above: number, 
/**
 * That size when none is set.
 */
reference_above_default: number, 
/**
 * Why the saved settings were ignored, if they were.
 */
problem?: string, 
/**
 * The data folder: sessions and the copies of their files.
 */
data_dir: string, 
/**
 * Bytes the data folder holds.
 */
data_bytes: number, };

export type SettingsChange = { 
/**
 * The new memory limit (at least 1M).
 */
memory_limit?: string, 
/**
 * The new size from which files are referenced by path.
 */
reference_above?: string, };

export type Take = "right" | "left";

export type Scope = { "kind": "cell", 
/**
 * The result row.
 */
row: number, 
/**
 * The column.
 */
column: string, } | { "kind": "row", 
/**
 * The result row.
 */
row: number, } | { "kind": "column", 
/**
 * The column, by its left name.
 */
column: string, } | { "kind": "filter", 
/**
 * Only rows with one of these statuses (all when empty).
 */
statuses: Array<RowStatus>, 
/**
 * Only changed rows where this column differs.
 */
column: string | null, 
/**
 * Only rows with a key or cell containing this text.
 */
search: string | null, };

export type Choice = { 
/**
 * The value it keeps.
 */
take: Take, 
/**
 * What it covers.
 */
scope: Scope, };

export type Reconciliation = { 
/**
 * Differences accepted (the right value taken).
 */
taken: number, 
/**
 * Differences declined (the left value kept).
 */
kept: number, 
/**
 * Differences no choice covers yet.
 */
open: number, 
/**
 * Choices made.
 */
choices: number, };

export type Reconciled = "file" | "patch";

export type CellChange = { 
/**
 * Left column name.
 */
column: string, 
/**
 * Right column name.
 */
right_column: string, 
/**
 * Left value.
 */
left: string, 
/**
 * Right value.
 */
right: string, 
/**
 * The choice made about it, if any (see [`super::reconcile`]).
 */
choice?: Take, };

export type PageRow = { 
/**
 * Its position in the whole result.
 */
index: number, 
/**
 * What happened to it.
 */
status: RowStatus, 
/**
 * Its key values.
 */
key: Array<string>, 
/**
 * Its 1-based row number, when rows were paired by position.
 */
row?: number, 
/**
 * Line in the left file.
 */
left_line: number | null, 
/**
 * Line in the right file.
 */
right_line: number | null, 
/**
 * The differing cells.
 */
changes: Array<CellChange>, 
/**
 * The whole left row, in the left file's column order; `None` when the
 * row is only on the right. A page is at most a few thousand rows, so
 * sending whole rows lets a grid show every compared cell and a detail
 * panel show the row without asking again.
 */
left_values: Array<string> | null, 
/**
 * The whole right row, in the right file's column order.
 */
right_values: Array<string> | null, 
/**
 * For a row added or removed whole (one on one side only, or whose
 * key is not unique), the choice made about it, if any; a changed
 * row's choices are its cells'.
 */
choice?: Take, };

export type Page = { 
/**
 * Rows matching the query, in all.
 */
total: number, 
/**
 * The offset asked for.
 */
offset: number, 
/**
 * The rows.
 */
rows: Array<PageRow>, };

/** The input formats Concord reads (`InputFormat::all`). */
export const INPUT_FORMATS = [
  {
    "name": "csv",
    "label": "CSV and text files",
    "extensions": [
      "csv",
      "tsv",
      "txt",
      "psv",
      "tab"
    ],
    "mime_types": [
      "text/csv",
      "text/tab-separated-values",
      "text/plain"
    ],
    "place": "line",
    "options": [
      "delimiter",
      "encoding",
      "header",
      "skip",
      "allow_ragged"
    ]
  },
  {
    "name": "jsonl",
    "label": "JSON Lines",
    "extensions": [
      "jsonl",
      "ndjson"
    ],
    "mime_types": [
      "application/x-ndjson",
      "application/jsonl"
    ],
    "place": "line",
    "options": []
  },
  {
    "name": "workbook",
    "label": "Excel and OpenDocument workbooks",
    "extensions": [
      "xlsx",
      "xlsm",
      "xlsb",
      "xls",
      "ods"
    ],
    "mime_types": [
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.ms-excel.sheet.macroEnabled.12",
      "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
      "application/vnd.ms-excel",
      "application/vnd.oasis.opendocument.spreadsheet"
    ],
    "place": "row",
    "options": [
      "sheet",
      "header",
      "skip"
    ]
  },
  {
    "name": "parquet",
    "label": "Parquet",
    "extensions": [
      "parquet",
      "pq"
    ],
    "mime_types": [
      "application/vnd.apache.parquet"
    ],
    "place": "row",
    "options": []
  },
  {
    "name": "arrow",
    "label": "Arrow IPC (Feather)",
    "extensions": [
      "arrow",
      "feather",
      "ipc",
      "arrows"
    ],
    "mime_types": [
      "application/vnd.apache.arrow.file",
      "application/vnd.apache.arrow.stream"
    ],
    "place": "row",
    "options": []
  }
] as const;

/** The compressions Concord reads, of any input format (`Compression::ALL`). */
export const COMPRESSIONS = [
  {
    "name": "gzip",
    "extensions": [
      "gz",
      "gzip"
    ]
  },
  {
    "name": "zstd",
    "extensions": [
      "zst",
      "zstd"
    ]
  },
  {
    "name": "bzip2",
    "extensions": [
      "bz2"
    ]
  },
  {
    "name": "xz",
    "extensions": [
      "xz"
    ]
  }
] as const;

/** The export formats, in the order they are offered (`export::Format::ALL`). */
export const EXPORT_FORMATS = [
  {
    "name": "text",
    "label": "Text",
    "extension": "txt"
  },
  {
    "name": "json",
    "label": "JSON",
    "extension": "json"
  },
  {
    "name": "csv",
    "label": "CSV",
    "extension": "csv"
  },
  {
    "name": "html",
    "label": "HTML report",
    "extension": "html"
  },
  {
    "name": "xlsx",
    "label": "Excel workbook",
    "extension": "xlsx"
  },
  {
    "name": "patch",
    "label": "Patch (CSV)",
    "extension": "patch.csv"
  }
] as const;

/** An export format's name. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number]['name'];

/** The encodings Concord reads (`Encoding::ALL`). */
export const ENCODINGS = ["utf-8","utf-8-bom","utf-16le","utf-16be","windows-1252"] as const;

/** The delimiters Concord tells apart by itself (`table::DELIMITERS`). */
export const DELIMITERS = [",",";","tab","|"] as const;
