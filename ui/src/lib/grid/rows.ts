// The rows of a result, fetched from the backend in fixed blocks as the grid
// scrolls: a few blocks are kept, the rest are dropped, and a change of
// query (filter, search, sort) starts afresh. Plain TypeScript, so that the
// windowing can be tested without a browser.
import type { Page, PageQuery, PageRow } from '../transport/types';

/** Rows per request. */
export const BLOCK = 200;
/** Blocks kept in memory (40,000 rows at most). */
export const KEEP = 200;

export type Fetch = (q: PageQuery) => Promise<Page>;

export class RowWindow {
  private blocks = new Map<number, PageRow[]>();
  private pending = new Set<number>();
  private generation = 0;
  /** Rows matching the query; -1 until the first block arrives. */
  total = -1;
  /** The last error, if a fetch failed. */
  error: unknown = null;

  constructor(
    private fetch: Fetch,
    private query: PageQuery,
    /** Called whenever rows arrive (or fail), for the view to redraw. */
    private changed: () => void,
  ) {}

  /** Starts over with another query: later answers to the old one are dropped. */
  reset(query: PageQuery) {
    this.query = query;
    this.generation += 1;
    this.blocks.clear();
    this.pending.clear();
    this.total = -1;
    this.error = null;
  }

  /** Fetches the held blocks again, for the same query (their rows
   * changed, as when a choice was made): the old rows show until the new
   * ones arrive. Resolves once they are all in. */
  async refetch(): Promise<void> {
    this.generation += 1;
    this.pending.clear();
    await Promise.all([...this.blocks.keys()].map((b) => this.load(b)));
  }

  /** The held row whose position in the whole result is `index`. */
  byResultIndex(index: number): PageRow | undefined {
    for (const rows of this.blocks.values()) {
      const r = rows.find((x) => x.index === index);
      if (r) return r;
    }
    return undefined;
  }

  /** The row at `index`, if its block is here. */
  row(index: number): PageRow | undefined {
    return this.blocks.get(Math.floor(index / BLOCK))?.[index % BLOCK];
  }

  /** Fetches the blocks covering rows `start..end` (end exclusive) that
   * are neither here nor on their way. Resolves once they are all in. */
  async want(start: number, end: number): Promise<void> {
    const first = Math.floor(Math.max(0, start) / BLOCK);
    const last = Math.floor(Math.max(start, end - 1) / BLOCK);
    const asks: Promise<void>[] = [];
    for (let b = first; b <= last; b++) {
      if (this.total >= 0 && b * BLOCK >= this.total && b > 0) break;
      if (this.blocks.has(b) || this.pending.has(b)) continue;
      asks.push(this.load(b));
    }
    await Promise.all(asks);
  }

  private async load(block: number) {
    const generation = this.generation;
    this.pending.add(block);
    try {
      const page = await this.fetch({ ...this.query, offset: block * BLOCK, limit: BLOCK });
      if (generation !== this.generation) return;
      this.blocks.delete(block);
      this.blocks.set(block, page.rows);
      this.total = page.total;
      this.error = null;
      this.evict(block);
    } catch (e) {
      if (generation !== this.generation) return;
      this.error = e;
    } finally {
      if (generation === this.generation) this.pending.delete(block);
    }
    this.changed();
  }

  /** Drops the oldest blocks beyond KEEP, never the one just loaded. */
  private evict(keep: number) {
    for (const b of this.blocks.keys()) {
      if (this.blocks.size <= KEEP) break;
      if (b !== keep) this.blocks.delete(b);
    }
  }

  /** How many blocks are held (for tests). */
  get held(): number {
    return this.blocks.size;
  }
}
