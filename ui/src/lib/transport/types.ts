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
  config?: unknown;
}

export interface FileInfo {
  name: string;
  bytes: number;
  rows?: number;
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

/** A running operation that can be cancelled. */
export interface Cancellable<T> {
  done: Promise<T>;
  cancel(): void;
}

export interface Transport {
  listSessions(): Promise<SessionInfo[]>;
  createSession(name: string): Promise<SessionInfo>;
  session(id: string): Promise<SessionInfo>;
  renameSession(id: string, name: string): Promise<SessionInfo>;
  forkSession(id: string, name: string): Promise<SessionInfo>;
  deleteSession(id: string): Promise<void>;
  /** Loads a file into one side, reporting progress (0..1) as it goes. */
  loadFile(id: string, side: Side, source: FileSource, progress?: (fraction: number) => void): Cancellable<FileInfo>;
  profiles(id: string, side: Side): Promise<unknown[]>;
  suggestions(id: string): Promise<unknown>;
  setConfig(id: string, config: unknown): Promise<SessionInfo>;
  /** Starts a comparison; events arrive through `events`. */
  compare(id: string): Promise<{ job: number }>;
  cancelCompare(id: string): Promise<void>;
  /** Subscribes to a session's events. Start a job only once `ready`
   * resolves, or its first events may be missed. */
  events(id: string, on: (e: JobEvent) => void): Subscription;
  overview(id: string): Promise<unknown>;
  page(id: string, q: PageQuery): Promise<Page>;
  /** A URL (browser) or a saved path (desktop) for an export. */
  exportUrl(id: string, format: string): string;
}
