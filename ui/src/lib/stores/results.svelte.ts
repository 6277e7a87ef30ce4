// What the results screen shows of the open session's result: the filter
// (statuses, one column, a search), the sort, the "differing columns only"
// toggle, the selected cell and the row shown in the detail panel. Rows
// come through a RowWindow, a block at a time.
import { RowWindow } from '../grid/rows';
import type { Overview, PageQuery, PageRow, Reconciled, Reconciliation, RowStatus, Scope, Take, Transport } from '../transport/types';

/** A selected cell: a result row, and a column of the grid. */
export interface Cell {
  row: number;
  col: number;
}

export class ResultsView {
  statuses = $state<RowStatus[]>([]);
  column = $state<string | null>(null);
  search = $state('');
  /** `file`, `key`, or `column:NAME`. */
  sort = $state('file');
  desc = $state(false);
  differingOnly = $state(false);
  /** Rows matching the filter; -1 while unknown. */
  total = $state(-1);
  /** Bumps when rows arrive, for the grid to redraw. */
  tick = $state(0);
  selected = $state<Cell | null>(null);
  detail = $state<PageRow | null>(null);
  /** Counts per status under the current column filter and search. */
  counts = $state<Partial<Record<RowStatus, number>>>({});
  /** What the choices about the differences add up to (null until known). */
  reconciliation = $state<Reconciliation | null>(null);
  /** Where the last reconciled file or patch was saved (the desktop app's). */
  savedReconciled = $state<string | null>(null);
  readonly rows: RowWindow;
  private id: string | null = null;

  constructor(private readonly transport: Transport) {
    this.rows = new RowWindow(
      (q) => (this.id ? this.transport.page(this.id, q) : Promise.reject(new Error('no session'))),
      {},
      () => {
        this.total = this.rows.total;
        this.tick += 1;
      },
    );
  }

  /** The query the filter and sort make. */
  query(): PageQuery {
    return {
      status: [...this.statuses],
      column: this.column ?? undefined,
      q: this.search.trim() || undefined,
      sort: this.sort,
      desc: this.desc,
    };
  }

  /** What an export of the view on screen asks for: its rows, and its
   * columns when only the differing ones show. */
  exportQuery(): PageQuery {
    return { ...this.query(), differing_only: this.differingOnly || undefined };
  }

  /** Starts over on session `id`'s result (a new result, or a new filter). */
  refresh(id: string | null, overview: Overview | null) {
    this.id = overview ? id : null;
    this.rows.reset(this.query());
    this.total = -1;
    this.selected = null;
    this.detail = null;
    this.tick += 1;
    this.reconciliation = null;
    if (this.id) {
      const id = this.id;
      void this.rows.want(0, 1);
      void this.countStatuses(id, overview);
      void this.transport.reconciliation(id).then(
        (r) => this.id === id && (this.reconciliation = r),
        () => {},
      );
    }
  }

  /** Takes the right value (or keeps the left one) for the differences
   * `scope` covers; the rows on screen and the counts follow. */
  async choose(take: Take, scope: Scope) {
    const id = this.id;
    if (!id) return;
    const r = await this.transport.choose(id, { take, scope });
    if (this.id !== id) return;
    this.reconciliation = r;
    await this.rows.refetch();
    if (this.detail) this.detail = this.rows.byResultIndex(this.detail.index) ?? this.detail;
  }

  /** The same choice for every difference of the rows the filter shows. */
  chooseShown(take: Take) {
    return this.choose(take, {
      kind: 'filter',
      statuses: [...this.statuses],
      column: this.column,
      search: this.search.trim() || null,
    });
  }

  /** Saves the reconciled file or the patch of the accepted differences. */
  async saveReconciled(what: Reconciled) {
    if (!this.id) return;
    const saved = await this.transport.saveReconciled(this.id, what);
    if (saved) this.savedReconciled = saved;
  }

  /** Counts for the status chips: the summary's when nothing narrows the
   * rows, else the server's totals under the filter. */
  private async countStatuses(id: string, overview: Overview | null) {
    const all: RowStatus[] = ['changed', 'only_left', 'only_right', 'duplicate'];
    if (!overview) return;
    const s = overview.summary;
    if (!this.column && !this.search.trim()) {
      this.counts = { changed: s.changed, only_left: s.only_left, only_right: s.only_right };
      if (s.duplicate_keys_left + s.duplicate_keys_right === 0) return;
    }
    const narrowed = this.column || this.search.trim();
    const wanted = narrowed ? all : (['duplicate'] as RowStatus[]);
    const base = this.query();
    const totals = await Promise.all(
      wanted.map((st) => this.transport.page(id, { ...base, status: [st], offset: 0, limit: 0 }).then((p) => p.total, () => 0)),
    );
    if (this.id !== id) return;
    const next = narrowed ? {} : { ...this.counts };
    wanted.forEach((st, i) => ((next as Record<string, number>)[st] = totals[i]));
    this.counts = next;
  }

  toggleStatus(s: RowStatus) {
    this.statuses = this.statuses.includes(s) ? this.statuses.filter((x) => x !== s) : [...this.statuses, s];
  }
}
