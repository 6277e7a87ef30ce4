// The one interface every screen talks to the backend through. Two
// implementations: HTTP (`concord serve`, the browser uploads bytes) and
// Tauri IPC (the desktop app, which loads files by path). Components never
// call `fetch` or `invoke` themselves.

export type Side = 'left' | 'right';

/** The engine's error, as every transport reports it. */
export interface ApiError {
  code: string;
  message: string;
  path?: string;
  line?: number;
  column?: string;
  side?: Side;
  session?: string;
}

/** Thrown by transports: carries the engine's error. */
export class TransportError extends Error {
  readonly error: ApiError;
  readonly status: number;
  constructor(error: ApiError, status = 0) {
    super(error.message);
    this.error = error;
    this.status = status;
  }
}

export interface Summary {
  left_rows: number;
  right_rows: number;
  matched: number;
  identical: number;
  changed: number;
  only_left: number;
  only_right: number;
  duplicate_keys_left: number;
  duplicate_keys_right: number;
  /** Columns only in the left file (ignored ones not counted). */
  columns_only_left: number;
  /** Columns only in the right file (ignored ones not counted). */
  columns_only_right: number;
  /** Columns on one side only were set not to make the files differ. */
  extra_columns_ignored: boolean;
}

export interface SessionInfo {
  id: string;
  name: string;
  created: number;
  updated: number;
  left: string | null;
  right: string | null;
  summary: Summary | null;
  last_event: number;
  config?: CompareConfig;
}

/** How a file was read (the engine's `TableInfo`). */
export interface TableInfo {
  path: string;
  rows: number;
  encoding: string;
  delimiter: string;
  has_header: boolean;
  columns: string[];
  warnings: string[];
}

export interface FileInfo {
  name: string;
  bytes: number;
  rows?: number;
  table?: TableInfo;
  /** Why the file cannot be read now: the session referenced it by path
   * (it was large), and it is gone or changed since it was loaded. */
  unavailable?: string;
  /** Its rows are kept on disk: the file is larger than a third of the
   * memory limit, and is compared a partition at a time. */
  on_disk?: boolean;
}

/** What a load answers: the file, and how long it took. */
export interface Loaded {
  file: FileInfo;
  millis?: number;
}

export interface ColumnProfile {
  name: string;
  type: string;
  nulls: number;
  distinct: number;
  distinct_exact: boolean;
  unique: boolean;
  min: string | null;
  max: string | null;
  samples: string[];
}

export interface ColumnPair {
  left: string;
  right: string;
}

export interface MappingSuggestion extends ColumnPair {
  score: number;
  reason: string;
}

export interface KeySuggestion {
  left: string[];
  right: string[];
  score: number;
  unique_left: number;
  unique_right: number;
  overlap: number;
  /** The figures were measured on the sampled rows only (a runner-up on large files). */
  sampled?: boolean;
}

export interface Suggestions {
  mappings: MappingSuggestion[];
  unmapped_left: string[];
  unmapped_right: string[];
  keys: KeySuggestion[];
}

export interface AppliedSuggestions {
  key: KeySuggestion | null;
  mappings: MappingSuggestion[];
  /** Ways of reading cells that the files' values showed, applied. */
  rules?: InferredRule[];
}

/** A way of reading one column's cells that its values show (the engine's `InferredRule`). */
export interface InferredRule {
  /** The column pair, by its left name. */
  column: string;
  kind: 'null_spellings' | 'decimal_comma' | 'date_layout';
  /** The file whose values showed it; null for both. */
  side: Side | null;
  /** For null spellings, the spellings. */
  spellings: string[];
  /** For a date layout, the layout (strftime codes such as %d/%m/%Y). */
  layout: string | null;
  /** What in the values showed it. */
  evidence: string;
}

/** The key and pairs a comparison would use now (suggestions included). */
export interface Pairing {
  keys: ColumnPair[];
  pairs: (ColumnPair & { numeric: boolean })[];
  left_only: string[];
  right_only: string[];
  suggested: AppliedSuggestions | null;
  /** Why the suggested key was chosen (its runners-up), or why none was. */
  notes?: string[];
}

export type NumericMode = 'auto' | 'always' | 'never';
export const NUMERIC_MODES: NumericMode[] = ['auto', 'always', 'never'];

export interface Rules {
  trim: boolean;
  ignore_case: boolean;
  null_tokens: string[];
  numeric: NumericMode;
  abs_tolerance: number;
  rel_tolerance: number;
  date_formats: string[];
  /** The files whose numbers have decimal commas: false, true (both), or one of them. */
  decimal_comma: boolean | Side;
}

/** A column's changes to the global rules; absent fields keep them. */
export type RuleOverrides = { [K in keyof Rules]?: Rules[K] | null };

export interface CompareConfig {
  keys: ColumnPair[];
  mappings: ColumnPair[];
  ignore: string[];
  rules: Rules;
  column_rules: Record<string, RuleOverrides>;
  use_suggestions: boolean;
  /** Columns on one side only do not make the files differ (absent: they do). */
  ignore_extra_columns?: boolean;
  /** Without a key, row N is compared with row N (absent: rows pair by content). */
  by_position?: boolean;
  /** Read columns as their values show (absent: yes). */
  infer_rules?: boolean;
}

/** How rows are paired without a key. */
export type RowPairing = 'content' | 'position';

/** The engine's `ValueType`: what a column's values are. */
export type ValueType = 'empty' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'text';

export interface ColumnStats extends ColumnPair {
  differences: number;
  max_difference: number | null;
  left_type: ValueType;
  right_type: ValueType;
}

/** Everything about a result but its rows. */
export interface Overview {
  mode: 'keyed' | 'positional' | 'content';
  keys: ColumnPair[];
  summary: Summary;
  columns: ColumnStats[];
  left_only_columns: string[];
  right_only_columns: string[];
  /** Key and compared pairs whose two names differ. */
  renamed_columns: ColumnPair[];
  /** Compared pairs whose two columns hold different types. */
  type_differences: ColumnStats[];
  notes: string[];
  suggested: AppliedSuggestions | null;
  left: TableInfo;
  right: TableInfo;
  /** How the files were compared when they did not fit the memory limit (set by the comparison just run). */
  plan: string | null;
  /** Rows are read from the copies the session kept of them, because a file it references changed or went. */
  kept_rows: boolean;
}

/** `{job, phase, side, done, total}`, as the engine reports progress. */
export interface Progress {
  job: number;
  phase: 'storing' | 'loading' | 'profiling' | 'suggesting' | 'comparing' | 'viewing' | 'exporting';
  side: Side | null;
  done: number;
  total: number;
}

export type JobEvent =
  | ({ type: 'progress' } & Progress)
  | { type: 'done'; job: number; summary: Summary }
  | { type: 'failed'; job: number; error: ApiError }
  | { type: 'cancelled'; job: number };

export type RowStatus = 'changed' | 'only_left' | 'only_right' | 'duplicate';

export interface PageQuery {
  offset?: number;
  limit?: number;
  status?: RowStatus[];
  column?: string;
  q?: string;
  /** `file`, `key`, or `column:NAME`. */
  sort?: string;
  desc?: boolean;
}

export interface PageRow {
  index: number;
  status: RowStatus;
  key: string[];
  row?: number;
  left_line: number | null;
  right_line: number | null;
  changes: { column: string; right_column: string; left: string; right: string }[];
  /** The whole left row, in the left file's column order. */
  left_values: string[] | null;
  /** The whole right row, in the right file's column order. */
  right_values: string[] | null;
}

export interface Page {
  total: number;
  offset: number;
  rows: PageRow[];
}

/** What a file to load is: bytes in the browser, a path on the desktop. */
export type FileSource = { kind: 'bytes'; file: File } | { kind: 'path'; path: string };

/** A subscription to a session's events. */
export interface Subscription {
  /** Resolves once events will be delivered. */
  ready: Promise<void>;
  close(): void;
}

/** A running operation, which can be cancelled when `cancel` is there. */
export interface Cancellable<T> {
  done: Promise<T>;
  cancel?: () => void;
}

/** The settings in force and their defaults, in bytes (the engine's `Settings`). */
export interface Settings {
  memory_limit: number;
  memory_limit_default: number;
  reference_above: number;
  reference_above_default: number;
  /** Why the saved settings were ignored, if they were. */
  problem?: string;
}

/** A change of settings: sizes as people write them (`4G`, `512 MiB`),
 * read by the engine; an empty one goes back to the default. */
export interface SettingsChange {
  memory_limit?: string;
  reference_above?: string;
}

export interface Transport {
  settings(): Promise<Settings>;
  setSettings(change: SettingsChange): Promise<Settings>;
  listSessions(): Promise<SessionInfo[]>;
  createSession(name: string): Promise<SessionInfo>;
  session(id: string): Promise<SessionInfo>;
  renameSession(id: string, name: string): Promise<SessionInfo>;
  forkSession(id: string, name: string): Promise<SessionInfo>;
  deleteSession(id: string): Promise<void>;
  /** Loads a file into one side, reporting progress (0..1) as it goes. */
  loadFile(id: string, side: Side, source: FileSource, progress?: (fraction: number) => void): Cancellable<Loaded>;
  /** The file loaded on one side, with how it was read. */
  file(id: string, side: Side): Promise<FileInfo>;
  profiles(id: string, side: Side): Promise<ColumnProfile[]>;
  suggestions(id: string): Promise<Suggestions>;
  pairing(id: string): Promise<Pairing>;
  setConfig(id: string, config: CompareConfig): Promise<SessionInfo>;
  /** Starts a comparison; events arrive through `events`. */
  compare(id: string): Promise<{ job: number }>;
  cancelCompare(id: string): Promise<void>;
  /** Subscribes to a session's events. Start a job only once `ready`
   * resolves, or its first events may be missed. */
  events(id: string, on: (e: JobEvent) => void): Subscription;
  overview(id: string): Promise<Overview>;
  page(id: string, q: PageQuery): Promise<Page>;
  /** Exports the result as `format`: a download in the browser (resolves
   * with null), a file chosen in a save dialog on the desktop (resolves
   * with its path, or null when the user chose none). */
  exportResult(id: string, format: ExportFormat): Promise<string | null>;
}

export type ExportFormat = 'csv' | 'xlsx' | 'html' | 'json' | 'text';
export const EXPORT_FORMATS: ExportFormat[] = ['csv', 'xlsx', 'html', 'json', 'text'];

/** A drag over the window, or a drop of files, in CSS pixels. `files`
 * counts the dragged files when a drag enters the window. */
export type DropEvent =
  | { type: 'over'; x: number; y: number; files?: number }
  | { type: 'drop'; paths: string[]; x: number; y: number } | { type: 'leave' };

/** Files opened from outside the UI (the command line, a second launch):
 * the session they went into, with the error of a file that would not load. */
export interface Opened {
  /** Counts openings: the same one may arrive twice (at start and as an event). */
  seq: number;
  /** The session, or null when none could be made (see `error`). */
  id: string | null;
  error: ApiError | null;
}

/** What only the desktop window has: native dialogs, native drops, the
 * menu, the window title, files opened from outside. The browser has none
 * of it (its shell is null). */
export interface Shell {
  /** Asks for a file to load on `side`; its path, or null. */
  chooseFile(side: Side): Promise<string | null>;
  /** Native drags and drops; returns a function that stops listening. */
  onDrop(handler: (e: DropEvent) => void): Promise<() => void>;
  /** Menu items chosen: `open-left`, `open-right`, `export`, `session:ID`, `settings`. */
  onMenu(handler: (item: string) => void): Promise<() => void>;
  /** Sessions opened from outside while the window is open. */
  onOpened(handler: (o: Opened) => void): Promise<() => void>;
  /** The session the app was started with, if any. */
  takeOpened(): Promise<Opened | null>;
  setTitle(title: string): Promise<void>;
}
