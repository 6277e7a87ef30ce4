// The one interface every screen talks to the backend through. Two
// implementations: HTTP (`concord serve`, the browser uploads bytes) and
// Tauri IPC (the desktop app, which loads files by path). Components never
// call `fetch` or `invoke` themselves.

/** The engine's error, as every transport reports it. */
export interface ApiError {
  code: string;
  message: string;
  path?: string;
  line?: number;
  column?: string;
  side?: Side;
  session?: string;
  /** Lines at the top that look like a title above the header (a
   * `field_count` error): skipping them would read the file. */
  title_lines?: number;
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

// The types the engine sends and receives are generated from the Rust
// types (src/typescript.rs, written by scripts/types.sh); only what the UI
// adds is declared here.
import type {
  Choice,
  ColumnProfile,
  CompareConfig,
  FileInfo,
  JobEvent,
  Loaded,
  NumericMode,
  Page,
  Pairing,
  Reconciled,
  Reconciliation,
  ResultOverview,
  RowStatus,
  SessionInfo,
  Settings,
  SettingsChange,
  Side,
  Suggestions,
} from './generated';

export type * from './generated';
import { COMPRESSIONS, INPUT_FORMATS } from './generated';
export { COMPRESSIONS, INPUT_FORMATS };

/** What a file input accepts: the extensions and MIME types of every
 * input format Concord reads, and of the compressed files it reads. */
export const FILE_ACCEPT = [
  ...INPUT_FORMATS.flatMap((f) => [...f.extensions.map((e) => `.${e}`), ...f.mime_types]),
  ...COMPRESSIONS.flatMap((c) => c.extensions.map((e) => `.${e}`)),
].join(',');

/** How to read a file, as the engine's read parameters
 * (`LoadOptions::from_params`) take them. */
export type ReadOptions = Partial<Record<'delimiter' | 'header' | 'encoding' | 'skip' | 'allow_ragged' | 'format' | 'sheet', string>>;

/** Everything about a result but its rows (the engine's `ResultOverview`). */
export type Overview = ResultOverview;

export const NUMERIC_MODES: NumericMode[] = ['auto', 'always', 'never'];

/** How rows are paired without a key. */
export type RowPairing = 'content' | 'position';

/** A page of result rows as the UI asks for it (sent as text parameters). */
export interface PageQuery {
  offset?: number;
  limit?: number;
  status?: RowStatus[];
  column?: string;
  q?: string;
  /** `file`, `key`, or `column:NAME`. */
  sort?: string;
  desc?: boolean;
  /** Only the columns with a difference (exports; pages send all). */
  differing_only?: boolean;
}

/** What a file to load is: bytes in the browser, a path on the desktop. */
export type FileSource = { kind: 'bytes'; file: File } | { kind: 'path'; path: string };

/** A comparison made on Apache Spark to open as a session: the files of
 * its folder as the browser's folder input gives them (each with its
 * `webkitRelativePath`), or, on the desktop, a folder asked for in a
 * native dialog or dropped on the window (`path`; not a result folder
 * answers null). */
export type ResultSource = { kind: 'files'; files: File[] } | { kind: 'dialog' } | { kind: 'path'; path: string };

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

export interface Transport {
  /** Performs an operation of the one list (src/operations.rs) by name,
   * with its named arguments: how a store reaches an operation that has
   * no method of its own here. */
  call<T>(name: string, args?: Record<string, unknown>): Promise<T>;
  settings(): Promise<Settings>;
  setSettings(change: SettingsChange): Promise<Settings>;
  listSessions(): Promise<SessionInfo[]>;
  createSession(name?: string): Promise<SessionInfo>;
  session(id: string): Promise<SessionInfo>;
  renameSession(id: string, name: string): Promise<SessionInfo>;
  forkSession(id: string, name: string): Promise<SessionInfo>;
  deleteSession(id: string): Promise<void>;
  /** Loads a file into one side, reporting progress (0..1) as it goes,
   * read with `options` (the engine's read parameters, as text: `delimiter`,
   * `header`, `encoding`, `skip`, `allow_ragged`; detected when absent). */
  loadFile(
    id: string,
    side: Side,
    source: FileSource,
    progress?: (fraction: number) => void,
    options?: ReadOptions,
  ): Cancellable<Loaded>;
  /** Opens the result of a comparison made on Apache Spark (the folder
   * `concord compare --engine spark --output DIR` writes) as a new
   * session: its differing rows become the session's rows. Resolves with
   * the session, or null when the user chose no folder. */
  openResult(source: ResultSource): Promise<SessionInfo | null>;
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
  /** Exports the result (or the rows of `view`, as the screen shows
   * them) as `format`: a download in the browser (resolves
   * with null), a file chosen in a save dialog on the desktop (resolves
   * with its path, or null when the user chose none). */
  exportResult(id: string, format: ExportFormat, view?: PageQuery): Promise<string | null>;
  /** Records a choice about the result's differences (take the right
   * value, keep the left); resolves with what the choices add up to. */
  choose(id: string, choice: Choice): Promise<Reconciliation>;
  /** What the choices about the result's differences add up to. */
  reconciliation(id: string): Promise<Reconciliation>;
  /** Saves the reconciled file (the left file with the accepted
   * differences) or the patch of the accepted differences: a download in
   * the browser (resolves with null), a save dialog on the desktop
   * (resolves with its path, or null when the user chose none). */
  saveReconciled(id: string, what: Reconciled): Promise<string | null>;
}

import { DELIMITERS, ENCODINGS, EXPORT_FORMATS, type ExportFormat } from './generated';
export { DELIMITERS, ENCODINGS, EXPORT_FORMATS };

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
  /** Menu items chosen: `open-left`, `open-right`, `open-result`, `export`, `session:ID`, `settings`. */
  onMenu(handler: (item: string) => void): Promise<() => void>;
  /** Sessions opened from outside while the window is open. */
  onOpened(handler: (o: Opened) => void): Promise<() => void>;
  /** The session the app was started with, if any. */
  takeOpened(): Promise<Opened | null>;
  /** Says the page is alive: the app's heartbeat, which finds a hung web
   * process (src-tauri/src/recovery.rs). */
  alive(): Promise<void>;
  setTitle(title: string): Promise<void>;
}
