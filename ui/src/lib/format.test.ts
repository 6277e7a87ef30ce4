import { describe, expect, it } from 'vitest';
import { baseName, bytes, formatOfName, keyName, placeWord, readOptionsOf, millis, orList, pairName, percent, size, thousands, when } from './format';

describe('places', () => {
  it('are lines in text files and rows where a file has no lines', () => {
    expect(placeWord('csv')).toBe('line');
    expect(placeWord('jsonl')).toBe('line');
    expect(placeWord('parquet')).toBe('row');
    expect(placeWord('workbook')).toBe('row');
    expect(placeWord('unknown')).toBe('line');
  });
});

describe('numbers', () => {
  it('group thousands', () => {
    expect(thousands(0)).toBe('0');
    expect(thousands(999)).toBe('999');
    expect(thousands(1000)).toBe('1,000');
    expect(thousands(1000188)).toBe('1,000,188');
    expect(thousands(-1234567)).toBe('-1,234,567');
  });

  it('sizes, durations and shares read naturally', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(122_400_000)).toBe('122.4 MB');
    // In the powers of 1024 the engine reads back.
    expect(size(256 * 2 ** 20)).toBe('256 MiB');
    expect(size(3 * 2 ** 29)).toBe('1.5 GiB');
    expect(size(13_171_691_520)).toBe('12.27 GiB');
    expect(size(100)).toBe('100 B');
    expect(millis(850)).toBe('850 ms');
    expect(millis(2430)).toBe('2.4 s');
    expect(percent(1)).toBe('100%');
    expect(percent(0.875)).toBe('88%');
    expect(percent(0.004)).toBe('<1%');
    expect(percent(0)).toBe('0%');
  });

  it('times are relative when recent', () => {
    const now = Date.UTC(2026, 10, 22, 12);
    expect(when(now - 10_000, now)).toBe('just now');
    expect(when(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(when(now - 3 * 3600_000, now)).toBe('3 h ago');
    expect(when(Date.UTC(2026, 0, 2), now)).toBe('2026-01-02');
  });
});

describe('file names', () => {
  it('drop their folders', () => {
    expect(baseName('/home/ann/march.csv')).toBe('march.csv');
    expect(baseName('C:\\data\\april.csv')).toBe('april.csv');
    expect(baseName('plain.csv')).toBe('plain.csv');
  });
});

describe('pairName and keyName', () => {
  it('name a pair once when both files agree, and a key by its pairs', () => {
    expect(pairName('id', 'id')).toBe('id');
    expect(pairName('order_id', 'OrderID')).toBe('order_id = OrderID');
    expect(pairName('price', 'amount', '→')).toBe('price → amount');
    expect(keyName([{ left: 'region', right: 'region' }, { left: 'yr', right: 'year' }])).toBe('region + yr = year');
  });
});

describe('orList', () => {
  it('names one, two or more items as a sentence does', () => {
    expect(orList([])).toBe('');
    expect(orList(['CSV'])).toBe('CSV');
    expect(orList(['CSV', 'JSON Lines'])).toBe('CSV or JSON Lines');
    expect(orList(['a', 'b', 'c'])).toBe('a, b or c');
  });
});

describe('formatOfName', () => {
  it('tells the format a name says, past a compression', () => {
    expect(formatOfName('q3.XLSX')).toBe('workbook');
    expect(formatOfName('export.csv.gz')).toBe('csv');
    expect(formatOfName('out.parquet')).toBe('parquet');
    expect(formatOfName('events.jsonl.zst')).toBe('jsonl');
    expect(formatOfName('README')).toBeNull();
  });
});

describe('readOptionsOf', () => {
  it("offers the read options of the file's format, from the engine's list", () => {
    expect(readOptionsOf('a.csv')).toContain('delimiter');
    expect(readOptionsOf('unnamed')).toContain('delimiter');
    expect(readOptionsOf('q3.xlsx')).toContain('sheet');
    expect(readOptionsOf('q3.xlsx')).not.toContain('delimiter');
    expect(readOptionsOf('out.parquet')).toEqual([]);
  });
});
