// Times the web UI against a release `concord serve`, in Debian's Chromium:
// loading two files through the browser (upload + parse), Compare to the
// first rendered page of the grid, and fetching result pages at random
// offsets (the request the grid makes while scrolling).
//
//   cargo build --release && npm run build
//   node bench/ui_speed.mjs bench/data/left.csv bench/data/right.csv
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [left, right] = process.argv.slice(2).map((p) => resolve(p));
if (!left || !right) {
  console.error('usage: node bench/ui_speed.mjs LEFT.csv RIGHT.csv');
  process.exit(2);
}
const root = new URL('../', import.meta.url).pathname;
const server = spawn(join(root, 'target/release/concord'), ['--data-dir', mkdtempSync(join(tmpdir(), 'concord-bench-')), 'serve', '--port', '0'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const url = await new Promise((ok) => {
  let err = '';
  server.stderr.on('data', (d) => {
    err += d;
    const m = err.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
    if (m) ok(m[1]);
  });
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(url);
const mb = (p) => (statSync(p).size / 1e6).toFixed(1);

let t = performance.now();
await Promise.all([page.getByTestId('file-input-left').setInputFiles(left), page.getByTestId('file-input-right').setInputFiles(right)]);
await page.getByTestId('rows-left').waitFor({ timeout: 600_000 });
await page.getByTestId('rows-right').waitFor({ timeout: 600_000 });
const load = performance.now() - t;
// The server's part of each load (store + parse), as the file cards show it.
const serverParts = await page.locator('dt:text-is("loaded in") + dd').allTextContents();

t = performance.now();
await page.getByTestId('compare-button').click();
await page.locator('[data-testid=results-grid] [role=row][data-index="0"] [role=gridcell]').first().waitFor({ timeout: 600_000 });
const firstPage = performance.now() - t;
const rows = (await page.getByTestId('summary-changed').textContent()).trim();

const id = new URL(page.url()).searchParams.get('session');
const pages = await page.evaluate(async (id) => {
  const times = [];
  const total = (await (await fetch(`/api/sessions/${id}/results?limit=1`)).json()).total;
  for (let i = 0; i < 200; i++) {
    const offset = Math.floor(Math.random() * Math.max(1, total - 200));
    const t = performance.now();
    const r = await fetch(`/api/sessions/${id}/results?offset=${offset}&limit=200`);
    await r.json();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[100], p95: times[190], max: times[199] };
}, id);

console.log(`files: ${mb(left)} MB + ${mb(right)} MB; changed rows: ${rows}`);
console.log(`both files loaded through the browser: ${(load / 1000).toFixed(2)} s (server side, per file: ${serverParts.join(', ')})`);
console.log(`Compare to the first rendered grid page: ${(firstPage / 1000).toFixed(2)} s`);
console.log(`a 200-row page at a random offset: median ${pages.median.toFixed(1)} ms, p95 ${pages.p95.toFixed(1)} ms, max ${pages.max.toFixed(1)} ms`);
await browser.close();
server.kill('SIGTERM');
