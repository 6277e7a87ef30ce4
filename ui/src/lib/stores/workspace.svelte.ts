// The open session: its two files, the key and column pairs, the rules, the
// comparison job and the result's overview. Components read this state and
// call these methods; only this store (and the results store) talks to the
// transport.
import { asApiError, isCancelled } from '../errors';
import { baseName } from '../format';
import type {
  ApiError,
  ColumnPair,
  ColumnProfile,
  CompareConfig,
  ExportFormat,
  FileInfo,
  FileSource,
  InferredRule,
  Overview,
  PageQuery,
  Pairing,
  Progress,
  ReadOptions,
  ResultSource,
  RowPairing,
  RuleOverrides,
  Rules,
  SessionInfo,
  Shell,
  Side,
  Suggestions,
  Transport,
} from '../transport/types';
import { setSessionInUrl } from './url';

export const SIDES: Side[] = ['left', 'right'];

/** One side's file, as the load screen shows it. */
export interface SideState {
  file: FileInfo | null;
  /** How long the last load took, when this tab loaded it. */
  millis: number | null;
  /** Upload progress 0..1 while a load runs; null otherwise. */
  progress: number | null;
  /** The name of the file being loaded. */
  loading: string | null;
  cancel: (() => void) | null;
  error: ApiError | null;
  profiles: ColumnProfile[] | null;
  /** The file last loaded (or tried) on this side, to read it again
   * with other options when it could not be read. */
  source: { source: FileSource; name: string } | null;
}

function emptySide(): SideState {
  return { file: null, millis: null, progress: null, loading: null, cancel: null, error: null, profiles: null, source: null };
}

export class Workspace {
  id = $state<string | null>(null);
  info = $state<SessionInfo | null>(null);
  sides = $state<Record<Side, SideState>>({ left: emptySide(), right: emptySide() });
  suggestions = $state<Suggestions | null>(null);
  pairing = $state<Pairing | null>(null);
  configError = $state<ApiError | null>(null);
  /** The running comparison's last progress, or null when none runs. */
  job = $state<{ progress: Progress | null } | null>(null);
  overview = $state<Overview | null>(null);
  /** Bumps with every new result, for the results view to start afresh. */
  resultVersion = $state(0);
  /** Something went wrong that is not tied to one control. */
  error = $state<ApiError | null>(null);
  /** A short message about the last thing that happened. */
  notice = $state<string | null>(null);
  opening = $state(false);

  constructor(
    private readonly transport: Transport,
    /** Called when the list of sessions may have changed. */
    private readonly sessionsChanged: () => void = () => {},
    /** The desktop window's dialogs and drops; null in a browser. */
    readonly shell: Shell | null = null,
  ) {}

  /** Loads files by path (desktop drops, dialogs, the command line). */
  async loadPaths(paths: string[], side?: Side) {
    // One folder may be a comparison made on Spark: that opens as a session.
    if (paths.length === 1 && this.shell) {
      try {
        if (await this.openResult({ kind: 'path', path: paths[0] })) return;
      } catch (e) {
        this.error = asApiError(e);
        return;
      }
    }
    await this.loadMany(
      paths.map((path) => ({ source: { kind: 'path' as const, path }, name: baseName(path) })),
      side,
    );
  }

  /** Asks for a file in a native dialog and loads it on `side`. */
  async chooseAndLoad(side: Side) {
    if (!this.shell) return;
    try {
      const path = await this.shell.chooseFile(side);
      if (path) await this.loadPaths([path], side);
    } catch (e) {
      this.sides[side].error = asApiError(e);
    }
  }

  get config(): CompareConfig | null {
    return this.info?.config ?? null;
  }

  get bothLoaded(): boolean {
    return !!this.sides.left.file && !!this.sides.right.file && this.unavailable.length === 0;
  }

  /** Sides whose file the session references by path and cannot read now
   * (gone or changed): the stored result shows, its rows cannot. */
  get unavailable(): Side[] {
    return SIDES.filter((s) => !!this.sides[s].file?.unavailable);
  }

  /** Whether the shown result no longer matches the files or settings. */
  get stale(): boolean {
    return !!this.overview && !this.info?.summary;
  }

  /** Starts a new, empty comparison (the session is created on the first load). */
  blank() {
    this.reset(null);
    setSessionInUrl(null);
  }

  private reset(id: string | null) {
    this.id = id;
    this.info = null;
    this.sides = { left: emptySide(), right: emptySide() };
    this.suggestions = null;
    this.pairing = null;
    this.configError = null;
    this.job = null;
    this.overview = null;
    this.error = null;
    this.notice = null;
    this.resultVersion += 1;
  }

  /** Opens a saved session: its files, pairing and result. */
  async open(id: string) {
    this.reset(id);
    this.opening = true;
    setSessionInUrl(id);
    try {
      this.info = await this.transport.session(id);
      await Promise.all(
        SIDES.filter((s) => this.info?.[s]).map(async (side) => {
          this.sides[side].file = await this.transport.file(id, side);
        }),
      );
      if (this.bothLoaded) await this.refreshMapping();
      if (this.info.summary) this.overview = await this.transport.overview(id);
    } catch (e) {
      this.error = asApiError(e);
      if (this.error.code === 'not_found') {
        setSessionInUrl(null);
        this.id = null;
      }
    } finally {
      this.opening = false;
    }
  }

  /** Opens the result of a comparison made on Spark as a new session
   * and shows it; the session, or null when the user chose no folder. */
  async openResult(source: ResultSource): Promise<SessionInfo | null> {
    const opened = await this.transport.openResult(source);
    if (!opened) return null;
    this.sessionsChanged();
    await this.open(opened.id);
    return opened;
  }

  private creating: Promise<string> | null = null;

  /** The open session, created on first use (once, even when both sides
   * load at the same time). */
  private ensureSession(): Promise<string> {
    if (this.id) return Promise.resolve(this.id);
    this.creating ??= this.transport.createSession().then((created) => {
      this.id = created.id;
      this.info = created;
      setSessionInUrl(created.id);
      this.sessionsChanged();
      return created.id;
    });
    const creating = this.creating;
    void creating.finally(() => {
      if (this.creating === creating) this.creating = null;
    }).catch(() => {});
    return creating;
  }

  /** Loads dropped or picked files: two fill both sides and are compared
   * at once (as files opened from outside are), one fills `side` (or the
   * first empty side). */
  async loadMany(sources: { source: FileSource; name: string }[], side?: Side) {
    if (sources.length >= 2) {
      await Promise.all([this.load('left', sources[0].source, sources[0].name), this.load('right', sources[1].source, sources[1].name)]);
      if (sources.length > 2) this.notice = `Only the first two of ${sources.length} files were loaded.`;
      if (this.bothLoaded && !this.job && SIDES.every((s) => !this.sides[s].error)) await this.compare();
    } else if (sources.length === 1) {
      const target = side ?? (this.sides.left.file ? (this.sides.right.file ? 'left' : 'right') : 'left');
      await this.load(target, sources[0].source, sources[0].name);
    }
  }

  /** The latest load on each side: an older one that ends later must not
   * end the newer one's loading state. */
  private loads: Record<Side, number> = { left: 0, right: 0 };

  /** Reads the file last tried on `side` again, with `options`. */
  async readAgain(side: Side, options: ReadOptions) {
    const last = this.sides[side].source;
    if (last) await this.load(side, last.source, last.name, options);
  }

  /** Loads one file into one side, with progress and cancel. */
  async load(side: Side, source: FileSource, name: string, options: ReadOptions = {}) {
    const n = ++this.loads[side];
    const s = this.sides[side];
    s.cancel?.();
    s.error = null;
    s.source = { source, name };
    s.loading = name;
    s.progress = 0;
    this.error = null;
    let id: string;
    const fresh = !this.id;
    try {
      id = await this.ensureSession();
    } catch (e) {
      s.error = asApiError(e);
      s.loading = null;
      s.progress = null;
      return;
    }
    const op = this.transport.loadFile(
      id,
      side,
      source,
      (f) => {
        if (this.id === id) this.sides[side].progress = f;
      },
      options,
    );
    s.cancel = op.cancel ?? null;
    try {
      const loaded = await op.done;
      if (this.id !== id || this.loads[side] !== n) return;
      const now = this.sides[side];
      now.file = loaded.file;
      now.millis = loaded.millis ?? null;
      now.profiles = null;
      // The file shows at once; the pairing follows.
      this.settle(id, side, n);
      await this.afterLoad(id);
    } catch (e) {
      if (this.id === id && !isCancelled(e)) this.sides[side].error = asApiError(e);
      // Before the empty session may be dropped: dropping it clears the
      // open id, and the zone would keep showing the load.
      this.settle(id, side, n);
      if (fresh) await this.dropIfEmpty(id, side === 'left' ? 'right' : 'left');
    } finally {
      this.settle(id, side, n);
    }
  }

  /** Ends load `n`'s loading state, if it is still the latest on the open session. */
  private settle(id: string, side: Side, n: number) {
    if (this.id !== id || this.loads[side] !== n) return;
    const now = this.sides[side];
    now.loading = null;
    now.progress = null;
    now.cancel = null;
  }

  /** Deletes a session this tab created for a load that failed, so that
   * a bad file leaves no empty session behind. */
  private async dropIfEmpty(id: string, other: Side) {
    try {
      const info = await this.transport.session(id);
      if (info.left || info.right || this.sides[other].loading) return;
      await this.transport.deleteSession(id);
      if (this.id === id) {
        this.id = null;
        this.info = null;
        setSessionInUrl(null);
      }
      this.sessionsChanged();
    } catch {
      // Keeping an empty session is harmless.
    }
  }

  private async afterLoad(id: string) {
    this.info = await this.transport.session(id);
    this.overview = null;
    this.resultVersion += 1;
    // Once both files are in, an untitled session takes their names
    // (the backend names it, as for every front end).
    if (this.bothLoaded) await this.refreshMapping();
    this.sessionsChanged();
  }

  /** Fetches one side's column profiles (computed on first request). */
  async loadProfiles(side: Side) {
    const id = this.id;
    if (!id) return;
    try {
      const p = await this.transport.profiles(id, side);
      if (this.id === id) this.sides[side].profiles = p;
    } catch (e) {
      if (this.id === id) this.sides[side].error = asApiError(e);
    }
  }

  /** The suggestions and the pairing a comparison would use now. */
  async refreshMapping() {
    const id = this.id;
    if (!id) return;
    try {
      const [suggestions, pairing] = await Promise.all([this.transport.suggestions(id), this.transport.pairing(id)]);
      if (this.id !== id) return;
      this.suggestions = suggestions;
      this.pairing = pairing;
      this.configError = null;
    } catch (e) {
      if (this.id === id) this.configError = asApiError(e);
    }
  }

  /** Saves a configuration; the engine checks it, and its error shows by
   * the mapping editor while the last good pairing stays. */
  async saveConfig(next: CompareConfig) {
    const id = this.id;
    if (!id) return;
    try {
      this.info = await this.transport.setConfig(id, next);
      this.configError = null;
      this.pairing = await this.transport.pairing(id);
    } catch (e) {
      this.configError = asApiError(e);
    }
  }

  private edited(change: (c: CompareConfig) => void) {
    const base = this.config;
    if (!base) return;
    const next: CompareConfig = structuredClone($state.snapshot(base)) as CompareConfig;
    // Keep the pairs suggestions filled in: naming any mapping stops the
    // engine from suggesting the others.
    if (this.pairing) {
      next.mappings = this.pairing.pairs.filter((p) => p.left !== p.right).map(({ left, right }) => ({ left, right }));
    }
    change(next);
    void this.saveConfig(next);
  }

  /** Pairs rows by `keys`, or without a key: by their content, in any
   * order, or by position (row N with row N). */
  setKey(keys: ColumnPair[] | RowPairing) {
    this.edited((c) => {
      if (Array.isArray(keys)) {
        c.keys = keys;
        c.use_suggestions = true;
        delete c.by_position;
        c.ignore = c.ignore.filter((i) => !keys.some((k) => k.left === i || k.right === i));
      } else {
        c.keys = [];
        c.use_suggestions = false;
        if (keys === 'position') c.by_position = true;
        else delete c.by_position;
      }
    });
  }

  /** Compares left column `left` with right column `right`, or with
   * nothing (left out of the comparison) when `right` is null. */
  pairColumn(left: string, right: string | null) {
    this.edited((c) => {
      c.mappings = c.mappings.filter((m) => m.left !== left && m.right !== right);
      c.ignore = c.ignore.filter((i) => i !== left && i !== right);
      if (right === null) c.ignore.push(left);
      else if (right !== left) c.mappings.push({ left, right });
    });
  }

  /** Takes a column back into the comparison. */
  include(name: string) {
    this.edited((c) => {
      c.ignore = c.ignore.filter((i) => i !== name);
    });
  }

  /** Stops applying one inferred rule, by setting the column's own rule. */
  decline(rule: InferredRule) {
    this.edited((c) => {
      const own = (c.column_rules[rule.column] ??= {});
      if (rule.kind === 'null_spellings') own.null_tokens = [];
      else if (rule.kind === 'date_layout') own.date_formats = [];
      else own.decimal_comma = false;
    });
  }

  /** Whether columns are read as their values show (null spellings, decimal commas). */
  setInferRules(infer: boolean) {
    this.edited((c) => {
      if (infer) delete c.infer_rules;
      else c.infer_rules = false;
    });
  }

  /** Whether columns on one side only make the files differ. */
  setExtraColumnsCount(count: boolean) {
    this.edited((c) => {
      if (count) delete c.ignore_extra_columns;
      else c.ignore_extra_columns = true;
    });
  }

  setRules(rules: Rules) {
    this.edited((c) => {
      c.rules = rules;
    });
  }

  /** Sets a column's own rules; null returns it to the global rules. */
  setColumnRules(left: string, overrides: RuleOverrides | null) {
    this.edited((c) => {
      if (overrides && Object.values(overrides).some((v) => v !== undefined && v !== null)) c.column_rules[left] = overrides;
      else delete c.column_rules[left];
    });
  }

  /** Runs the comparison, following its progress until it ends. */
  async compare() {
    const id = this.id;
    if (!id || this.job) return;
    this.error = null;
    this.notice = null;
    this.job = { progress: null };
    const events = this.transport.events(id, (e) => {
      if (this.id !== id || !this.job) return;
      if (e.type === 'progress') {
        if (e.phase === 'comparing' || e.phase === 'suggesting') this.job.progress = e;
        return;
      }
      events.close();
      void this.finish(id, e.type === 'failed' ? e.error : e.type === 'cancelled' ? 'cancelled' : null);
    });
    try {
      await events.ready;
      await this.transport.compare(id);
    } catch (e) {
      events.close();
      this.job = null;
      this.error = asApiError(e);
    }
  }

  private async finish(id: string, outcome: ApiError | 'cancelled' | null) {
    try {
      if (outcome === 'cancelled') {
        this.notice = 'The comparison was cancelled; the previous result is unchanged.';
      } else if (outcome) {
        this.error = outcome;
      } else {
        this.info = await this.transport.session(id);
        this.overview = await this.transport.overview(id);
        this.resultVersion += 1;
        this.sessionsChanged();
      }
    } catch (e) {
      this.error = asApiError(e);
    } finally {
      this.job = null;
    }
  }

  async cancelCompare() {
    if (!this.id) return;
    try {
      await this.transport.cancelCompare(this.id);
    } catch (e) {
      // It may have finished meanwhile: that is not an error worth showing.
      if (asApiError(e).code !== 'not_running') this.error = asApiError(e);
    }
  }

  /** Exports the current result; resolves with the saved file's name
   * where the transport knows it. */
  /** Where the last export was saved (the desktop app's), for the
   * results screen to confirm where the person is looking. */
  saved = $state<string | null>(null);

  /** Exports the result, or the rows of `view` (the screen's filter,
   * search and sort). */
  async exportAs(format: ExportFormat, view?: PageQuery): Promise<string | null> {
    if (!this.id) return null;
    const saved = await this.transport.exportResult(this.id, format, view);
    if (saved) this.saved = saved;
    return saved;
  }

  async rename(name: string) {
    if (!this.id) return;
    this.info = await this.transport.renameSession(this.id, name);
    this.sessionsChanged();
  }
}
