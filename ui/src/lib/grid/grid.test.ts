import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_PX, scale } from './scale';
import { BLOCK, KEEP, RowWindow } from './rows';
import type { Page, PageQuery } from '../transport/types';

describe('scale', () => {
  it('is the identity while the rows fit', () => {
    const s = scale(30_000, 600);
    expect(s.scrollHeight).toBe(30_000);
    expect(s.toVirtual(1234)).toBe(1234);
    expect(s.toReal(1234)).toBe(1234);
  });

  it('reaches the last of a million rows within the browser cap', () => {
    const rowHeight = 30;
    const rows = 1_000_000;
    const viewport = 600;
    const s = scale(rows * rowHeight, viewport);
    expect(s.scrollHeight).toBe(MAX_SCROLL_PX);
    // Scrolled to the bottom: the viewport ends at the last row.
    const bottom = s.toVirtual(s.scrollHeight - viewport);
    expect(bottom + viewport).toBe(rows * rowHeight);
    expect(Math.floor((bottom + viewport - 1) / rowHeight)).toBe(rows - 1);
    // Top, and a row in the middle and back.
    expect(s.toVirtual(0)).toBe(0);
    const middle = 500_000 * rowHeight;
    expect(s.toVirtual(s.toReal(middle))).toBeCloseTo(middle, 3);
    // Beyond either end is clamped.
    expect(s.toVirtual(-50)).toBe(0);
    expect(s.toVirtual(MAX_SCROLL_PX * 2)).toBe(bottom);
  });
});

/** A backend of `n` rows that records the offsets asked for. */
function backend(n: number) {
  const asked: PageQuery[] = [];
  const fetch = async (q: PageQuery): Promise<Page> => {
    asked.push(q);
    const offset = q.offset ?? 0;
    const count = Math.max(0, Math.min(q.limit ?? 100, n - offset));
    const rows = Array.from({ length: count }, (_, i) => ({
      index: offset + i,
      status: 'changed' as const,
      key: [`k${offset + i}${q.q ?? ''}`],
      left_line: offset + i + 2,
      right_line: offset + i + 2,
      changes: [],
      left_values: null,
      right_values: null,
    }));
    return { total: n, offset, rows };
  };
  return { asked, fetch };
}

describe('RowWindow', () => {
  it('fetches the blocks a viewport needs, once', async () => {
    const b = backend(1000);
    let redraws = 0;
    const w = new RowWindow(b.fetch, {}, () => redraws++);
    expect(w.row(0)).toBeUndefined();
    await w.want(150, 250);
    expect(b.asked.map((q) => q.offset)).toEqual([0, BLOCK]);
    expect(w.total).toBe(1000);
    expect(w.row(150)?.key).toEqual(['k150']);
    expect(w.row(399)?.key).toEqual(['k399']);
    await w.want(180, 220);
    expect(b.asked.length).toBe(2);
    expect(redraws).toBe(2);
  });

  it('fetches the last rows of a large result without the ones before', async () => {
    const b = backend(1_000_000);
    const w = new RowWindow(b.fetch, {}, () => {});
    await w.want(0, 20);
    await w.want(999_980, 1_000_000);
    expect(b.asked.map((q) => q.offset)).toEqual([0, 999_800]);
    expect(w.row(999_999)?.key).toEqual(['k999999']);
  });

  it('keeps a bounded number of blocks', async () => {
    const b = backend(BLOCK * (KEEP + 50));
    const w = new RowWindow(b.fetch, {}, () => {});
    for (let i = 0; i < KEEP + 50; i++) await w.want(i * BLOCK, i * BLOCK + 1);
    expect(w.held).toBe(KEEP);
    expect(w.row((KEEP + 49) * BLOCK)).toBeDefined();
    expect(w.row(0)).toBeUndefined();
  });

  it('drops answers to an old query', async () => {
    const b = backend(500);
    const w = new RowWindow(b.fetch, { q: 'old' }, () => {});
    const stale = w.want(0, 10);
    w.reset({ q: 'new' });
    await stale;
    expect(w.row(0)).toBeUndefined();
    await w.want(0, 10);
    expect(w.row(0)?.key).toEqual(['k0new']);
  });

  it('keeps the error of a failed fetch', async () => {
    const w = new RowWindow(async () => Promise.reject(new Error('down')), {}, () => {});
    await w.want(0, 10);
    expect((w.error as Error).message).toBe('down');
    expect(w.row(0)).toBeUndefined();
  });
});

describe('a row window fetched again', () => {
  it('asks for the blocks it holds with the same query, and finds rows by their result index', async () => {
    const { fetch, asked } = backend(BLOCK * 3);
    const w = new RowWindow(fetch, { status: ['changed'] }, () => {});
    await w.want(0, 1);
    await w.want(BLOCK * 2, BLOCK * 2 + 1);
    asked.length = 0;
    await w.refetch();
    expect(asked.map((q) => q.offset).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([0, BLOCK * 2]);
    expect(asked.every((q) => q.status?.[0] === 'changed')).toBe(true);
    expect(w.byResultIndex(BLOCK * 2 + 5)?.index).toBe(BLOCK * 2 + 5);
    expect(w.byResultIndex(BLOCK + 5)).toBeUndefined();
  });
});
