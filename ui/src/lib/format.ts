import { COMPRESSIONS, INPUT_FORMATS } from './transport/generated';
// Numbers and sizes as people read them.

/** `1234567` as `1,234,567`. */
export function thousands(n: number): string {
  const negative = n < 0;
  const digits = String(Math.trunc(Math.abs(n)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return negative ? `-${grouped}` : grouped;
}

/** `n` bytes in the largest of `units` (each `step` times the one before)
 * that keeps it at 1 or more: the value and the unit. */
function scaled(n: number, step: number, units: string[]): [number, string] {
  let v = n;
  let u = 0;
  while (v >= step && u < units.length - 1) {
    v /= step;
    u += 1;
  }
  return [v, units[u]];
}

/** A byte count as `123 B`, `4.5 KB`, `120.3 MB`, `2.1 GB`. */
export function bytes(n: number): string {
  const [v, unit] = scaled(n, 1000, ['B', 'KB', 'MB', 'GB', 'TB']);
  return unit === 'B' ? `${v} B` : `${v.toFixed(1)} ${unit}`;
}

/** A size in the powers of 1024 the engine reads back (`--memory-limit`
 * and the settings): `512 MiB`, `1.5 GiB`, `12.27 GiB`. */
export function size(n: number): string {
  const [v, unit] = scaled(n, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB']);
  return `${Number(v.toFixed(2))} ${unit}`;
}

/** A duration in milliseconds as `850 ms` or `2.4 s`. */
export function millis(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A share 0..1 as a whole percentage, `100%`, or `<1%` for small shares. */
export function percent(share: number): string {
  if (share > 0 && share < 0.01) return '<1%';
  return `${Math.round(share * 100)}%`;
}

/** A time (ms since the epoch) relative to `now`: `just now`, `5 min ago`,
 * `3 h ago`, else the date. */
export function when(t: number, now = Date.now()): string {
  const s = (now - t) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** A file's name without its folders (the desktop app keeps whole paths). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** A pair of columns by name: one name when both files use it, else
 * `left = right` (`sep` is `→` for compared columns). */
export function pairName(left: string, right: string, sep = '='): string {
  return left === right ? left : `${left} ${sep} ${right}`;
}

/** A key of one or more column pairs: `id`, `region + year`. */
export function keyName(keys: { left: string; right: string }[]): string {
  return keys.map((k) => pairName(k.left, k.right)).join(' + ');
}

/** Names a list as a sentence does: `a`, `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The read options (`LoadOptions::from_params`' names) the format a
 * file's name says takes; CSV's when the name says no format, as the
 * engine reads such a file. */
export function readOptionsOf(name: string): readonly string[] {
  const format = formatOfName(name) ?? 'csv';
  return INPUT_FORMATS.find((f) => f.name === format)?.options ?? [];
}

/** What a row's place is called beside its number in a file of the
 * format `format` (`InputFormat::place`): `line`, or `row` in a file
 * without lines (a workbook, Parquet). */
export function placeWord(format: string): string {
  return INPUT_FORMATS.find((f) => f.name === format)?.place ?? 'line';
}

/** The input format a file's name says (`csv`, `workbook`, ...), looking
 * past a compression's extension (`a.csv.gz` is `csv`); null when the
 * name says none. */
export function formatOfName(name: string): string | null {
  let lower = name.toLowerCase();
  for (const c of COMPRESSIONS) {
    const ext = c.extensions.find((e) => lower.endsWith(`.${e}`));
    if (ext) lower = lower.slice(0, -(ext.length + 1));
  }
  const ext = lower.includes('.') ? lower.slice(lower.lastIndexOf('.') + 1) : '';
  return INPUT_FORMATS.find((f) => (f.extensions as readonly string[]).includes(ext))?.name ?? null;
}
