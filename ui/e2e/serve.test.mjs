// End to end: a real `concord serve` on 127.0.0.1 and Debian's Chromium,
// driven by playwright-core through the UI's stable test ids. Screenshots
// of each step go to target/e2e/ (test artifacts a person looks at).
//
// One session walks the whole path: upload, the suggested key, compare,
// the summary and a highlighted changed cell, filters and search, a CSV
// export, a reload, and a SIGKILL of the server followed by a restart. A
// second session compares two generated files whose result has a million
// rows (CONCORD_E2E_ROWS to change it) and scrolls to the very last one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { chromium } from 'playwright-core';

const root = new URL('../../', import.meta.url).pathname;
const shots = join(root, 'target', 'e2e');
const binary = join(root, 'target', 'debug', 'concord');
const fixtures = join(root, 'tests', 'fixtures', 'daff');
const bigRows = Number(process.env.CONCORD_E2E_ROWS ?? 1_000_000);
const dataDir = mkdtempSync(join(tmpdir(), 'concord-e2e-'));
let server;
let url;
let browser;
let page;

/** Starts `concord serve` on a free port, over `dir` and with `extra`
 * arguments; resolves with its process and URL. */
function startServer(dir = dataDir, extra = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(binary, ['--data-dir', dir, 'serve', '--port', '0', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolve({ process: p, url: m[1] });
    });
    p.on('exit', (code) => reject(new Error(`concord serve exited with ${code}: ${err}`)));
  });
}

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });

/** Unfolds the files and the mapping, which fold into one line once a
 * result shows. */
async function openSetup() {
  const band = page.getByTestId('open-setup');
  if (await band.count()) await band.click();
}

/** Opens a result's notes, column differences and chart. */
async function openAbout() {
  const about = page.getByTestId('about-result');
  await about.waitFor();
  if (!(await about.evaluate((e) => e.open))) await about.locator('summary').click();
}
const text = async (id) => (await page.getByTestId(id).textContent()).trim();

/** Scrolls the results grid to its end until row `rows - 1` shows its
 * cells, and returns that row. The end is set again on every try: the grid
 * grows to its full height only once it knows the result's row count, so
 * scrolling once, before that, could stop short for good. */
async function scrollToLastRow(rows, timeout = 30_000) {
  await page.waitForFunction(
    (n) => {
      const grid = document.querySelector('[data-testid=results-grid]');
      if (!grid) return false;
      grid.scrollTop = grid.scrollHeight;
      return !!grid.querySelector(`[role=row][data-index="${n - 1}"] [data-testid=changed-cell]`);
    },
    rows,
    { timeout, polling: 250 },
  );
  return page.getByTestId('results-grid').locator(`[role=row][data-index="${rows - 1}"]`);
}

/** Writes a CSV of `rows` rows where every amount differs between sides. */
async function bigFile(path, shift, rows = bigRows) {
  const out = createWriteStream(path);
  out.write('id,name,amount\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${i},n${i},${(i % 1000) + shift}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  ({ process: server, url } = await startServer());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

let sessionUrl;

test('upload, accept the suggestions, compare and read the summary', async () => {
  await page.goto(url);
  await page.getByText('Compare two tables.').waitFor();
  await shot('01-empty');
  await page.getByTestId('file-input-left').setInputFiles(join(fixtures, 'bridges.csv'));
  await page.getByTestId('file-input-right').setInputFiles(join(fixtures, 'broken_bridges.csv'));
  await page.getByTestId('rows-left').waitFor();
  await page.getByTestId('rows-right').waitFor();
  assert.equal(await text('rows-left'), '8');
  // The card says the data folder keeps a copy, and its size.
  assert.match(await text('copied-left'), /^A copy \(\d+ B\) is kept in the data folder/);
  // The suggested key is in use as soon as both files are there.
  await page.getByText('suggested', { exact: true }).waitFor();
  assert.match(await page.getByTestId('key-select').inputValue(), /bridge/);
  await shot('02-loaded');
  await page.getByTestId('compare-button').click();
  await page.getByTestId('summary-changed').waitFor();
  assert.equal(await text('summary-matched'), '7');
  assert.equal(await text('summary-identical'), '6');
  assert.equal(await text('summary-changed'), '1');
  assert.equal(await text('summary-only-left'), '1');
  assert.equal(await text('summary-only-right'), '1');
  // The changed cell shows left -> right, highlighted.
  const cell = page.getByTestId('results-grid').getByTestId('changed-cell').first();
  await cell.waitFor();
  assert.match(await cell.textContent(), /L\. L\. Buck\s*→\s*D\. Duck/);
  const bg = await cell.evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'a changed cell has its own background');
  // In file order no header says it is sorted (the status column is no sort).
  assert.equal(await page.getByTestId('results-sort').inputValue(), 'file');
  const sortedHeaders = page.getByTestId('results-grid').locator('[role=columnheader][aria-sort]:not([aria-sort=none])');
  assert.equal(await sortedHeaders.count(), 0);
  assert.equal(await page.getByTestId('sort-status').count(), 0);
  await page.getByTestId('results-grid').scrollIntoViewIfNeeded();
  await shot('03-compared');
  sessionUrl = page.url();
  assert.match(sessionUrl, /\?session=\w+/);
});

test('filter by status, by column and by a search', async () => {
  const grid = page.getByTestId('results-grid');
  const keys = async () => grid.locator('[role=row][data-index] [role=gridcell]:nth-child(2)').allTextContents();
  assert.equal((await keys()).length, 3);
  await page.getByTestId('chip-only_left').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=results-grid] [role=row][data-index]').length === 1);
  assert.deepEqual(await keys(), ['Manhattan']);
  await shot('04-only-left');
  await page.getByTestId('chip-only_left').click();
  await page.getByTestId('results-search').fill('spam');
  await page.waitForFunction(() => document.querySelector('[data-testid=results-grid] [role=row][data-index] [role=gridcell]:nth-child(2)')?.textContent?.trim() === 'Spamspan');
  assert.deepEqual(await keys(), ['Spamspan']);
  await shot('05-searched');
  await page.getByTestId('results-search').fill('');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=results-grid] [role=row][data-index]').length === 3);
  // Keyboard: N goes to the next difference (the row only in the left file,
  // then the changed cell); Enter opens the row detail.
  await grid.focus();
  await page.keyboard.press('n');
  await page.keyboard.press('n');
  const selected = grid.locator('[role=gridcell][aria-selected=true]');
  assert.match(await selected.textContent(), /D\. Duck/);
  await page.keyboard.press('Enter');
  const detail = page.getByRole('complementary', { name: 'Row detail' });
  await detail.waitFor();
  assert.match(await detail.textContent(), /Williamsburg/);
  assert.match(await detail.textContent(), /D\. Duck/);
  await shot('06-row-detail');
  await page.keyboard.press('Escape');
});

test('export CSV and check its content', async () => {
  // By default, what the screen shows: here only the rows only in the left file.
  await page.getByTestId('chip-only_left').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=results-grid] [role=row][data-index]').length === 1);
  await page.getByTestId('export-menu').click();
  await shot('05b-export-menu');
  const [shown] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const shownLines = readFileSync(await shown.path(), 'utf8').trim().split('\n');
  assert.equal(shownLines.length, 2, shownLines.join('\n'));
  assert.match(shownLines[1], /^only_left,Manhattan/);
  assert.match(shownLines[0], /length/);
  // With "differing columns only", the columns the grid shows.
  await page.getByTestId('differing-only').check();
  await page.getByTestId('export-menu').click();
  const [narrow] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const narrowHeader = readFileSync(await narrow.path(), 'utf8').split('\n')[0];
  assert.match(narrowHeader, /designer/);
  assert.doesNotMatch(narrowHeader, /length/);
  await page.getByTestId('differing-only').uncheck();
  await page.getByTestId('chip-only_left').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=results-grid] [role=row][data-index]').length === 3);
  // All differences, one choice away (here the same as the view).
  await page.getByTestId('export-menu').click();
  await page.getByTestId('export-all').check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /^status,bridge,/);
  assert.equal(lines.length, 4, csv);
  assert.ok(lines.some((l) => l.startsWith('changed,Williamsburg') && l.includes('D. Duck')), csv);
  assert.ok(lines.some((l) => l.startsWith('only_left,Manhattan')), csv);
});

test('a reload returns to the session', async () => {
  await page.reload();
  await page.getByTestId('summary-changed').waitFor();
  assert.equal(await text('summary-changed'), '1');
  const list = page.getByTestId('session-list');
  assert.match(await list.textContent(), /bridges\.csv vs broken_bridges\.csv/);
  await shot('07-reloaded');
  // Loaded again by the desktop app after its web process ended: the same
  // session, and a short notice, once (the mark leaves the address).
  await page.goto(`${page.url()}&recovered=1`);
  await page.getByTestId('summary-changed').waitFor();
  await page.getByText('was started again. Everything saved is here.').waitFor();
  assert.doesNotMatch(page.url(), /recovered/);
  assert.match(page.url(), /session=/);
});

test('after a SIGKILL and a restart the session and its result are there', async () => {
  server.kill('SIGKILL');
  await once(server, 'exit');
  ({ process: server, url } = await startServer());
  const query = new URL(sessionUrl).search;
  await page.goto(url + query);
  await page.getByTestId('summary-changed').waitFor();
  assert.equal(await text('summary-matched'), '7');
  assert.equal(await text('summary-only-right'), '1');
  await page.getByTestId('results-grid').getByTestId('changed-cell').first().waitFor();
  assert.match(await page.getByTestId('session-list').textContent(), /bridges\.csv vs broken_bridges\.csv/);
  await shot('08-restarted');
});

test('choices reconcile the left file, and survive a reload and a server kill', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-reconcile-'));
  // CRLF line ends on the left: the reconciled file keeps them.
  writeFileSync(join(dir, 'stock.csv'), 'id,name,amount,city\r\n1,Ann,10,Oslo\r\n2,Bob,20,Rome\r\n3,Cy,30,Lima\r\n');
  writeFileSync(join(dir, 'stock-new.csv'), 'id,name,amount,city\n1,Ann,11,Bergen\n2,Bob,20,Turin\n3,Cy,30,Lima\n4,Di,40,Kyiv\n');
  await page.goto(url);
  await page.getByTestId('file-input-left').setInputFiles(join(dir, 'stock.csv'));
  await page.getByTestId('file-input-right').setInputFiles(join(dir, 'stock-new.csv'));
  await page.getByTestId('rows-right').waitFor();
  await page.getByTestId('compare-button').click();
  const counts = page.getByTestId('reconcile-counts');
  const says = (re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid=reconcile-counts]')?.textContent ?? ''), re.source);
  await says(/0 taken · 0 kept · 4 to decide/);
  const grid = page.getByTestId('results-grid');
  // The session list counts rows in words that say so (the bar counts cells).
  await page.waitForFunction(() => /3 rows differ/.test(document.querySelector('[data-testid=session-list] .current')?.textContent ?? ''));
  // Columns are fitted to what they show: no old → new pair is cut short.
  const clipped = await grid.getByTestId('changed-cell').evaluateAll((cells) =>
    cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent),
  );
  assert.deepEqual(clipped, []);
  const rowOf = (name) => grid.locator('[role=row][data-index]').filter({ hasText: name });
  const detail = page.getByRole('complementary', { name: 'Row detail' });
  // Two cells of two rows taken, and a row added; one cell left to decide.
  await rowOf('Ann').dblclick();
  await detail.getByTestId('take-right-amount').click();
  await says(/1 taken · 0 kept · 3 to decide/);
  assert.equal(await detail.getByTestId('take-right-amount').getAttribute('aria-pressed'), 'true');
  await rowOf('Bob').dblclick();
  await detail.getByTestId('take-right-city').click();
  await says(/2 taken/);
  // The row detail's choices stay inside the panel.
  const overflowing = await detail.evaluate((panel) => {
    const edge = panel.getBoundingClientRect().right;
    return [...panel.querySelectorAll('button')].filter((b) => b.getBoundingClientRect().right > edge + 1).map((b) => b.textContent);
  });
  assert.deepEqual(overflowing, []);
  await shot('08a-reconcile-cells');
  await rowOf('Di').dblclick();
  await detail.getByTestId('row-take-right').click();
  await says(/3 taken · 0 kept · 1 to decide/);
  await grid.locator('[data-testid=changed-cell].taken').nth(1).waitFor();
  await shot('08b-reconciled');
  const expected = 'id,name,amount,city\r\n1,Ann,11,Oslo\r\n2,Bob,20,Turin\r\n3,Cy,30,Lima\r\n4,Di,40,Kyiv\r\n';
  const saved = async () => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-reconciled').click()]);
    assert.equal(d.suggestedFilename(), 'stock-reconciled.csv');
    return readFileSync(await d.path(), 'utf8');
  };
  assert.equal(await saved(), expected);
  const [patch] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-accepted-patch').click()]);
  const patchText = readFileSync(await patch.path(), 'utf8');
  assert.match(patchText, /^action,right_row,key:id,changed_columns,/);
  assert.match(patchText, /\nchange,,1,amount,,,10,11,,\n/);
  assert.match(patchText, /\nadd,4,4,/);
  // A reload, then a killed server: the choices are the session's.
  await page.reload();
  await says(/3 taken · 0 kept · 1 to decide/);
  const query = new URL(page.url()).search;
  server.kill('SIGKILL');
  await once(server, 'exit');
  ({ process: server, url } = await startServer());
  await page.goto(url + query);
  await says(/3 taken · 0 kept · 1 to decide/);
  assert.equal(await grid.locator('[data-testid=changed-cell].taken').count(), 2);
  assert.equal(await counts.isVisible(), true);
  assert.equal(await saved(), expected);
  // A whole column: every changed city kept.
  await rowOf('Ann').dblclick();
  await detail.getByTestId('column-keep-left-city').click();
  await says(/2 taken · 2 kept · 0 to decide/);
  // Every difference shown, kept: nothing to save.
  await page.getByTestId('keep-shown').click();
  await says(/0 taken · 4 kept · 0 to decide/);
  assert.equal(await page.getByTestId('save-reconciled').isDisabled(), true);
});

test('a malformed file gets a clear error, in either theme', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-bad-'));
  writeFileSync(join(dir, 'ragged.csv'), 'a,b\n1,2\n3,4,5\n');
  await page.getByRole('button', { name: '+ New comparison' }).click();
  await page.getByTestId('file-input-left').setInputFiles(join(dir, 'ragged.csv'));
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const message = await alert.textContent();
  assert.match(message, /ragged\.csv/);
  assert.match(message, /line 3/);
  assert.match(message, /expected 2 fields/);
  // The failed load leaves no empty session behind.
  await page.waitForFunction(() => !location.search.includes('session='));
  // (The list is fetched again after the session is dropped.)
  await page.waitForFunction(() => !/Untitled/.test(document.querySelector('[data-testid=session-list]').textContent));
  // The zone no longer shows the load: it offers the drop again.
  assert.equal(await page.getByRole('progressbar', { name: 'Loading the left file' }).count(), 0);
  await page.getByTestId('zone-left').getByText('Drop a file here').waitFor();
  await page.getByRole('button', { name: /Switch to the (dark|light) theme/ }).click();
  await shot('09-error-other-theme');
  await page.getByRole('button', { name: /Switch to the (dark|light) theme/ }).click();
  // The error offers what would read it: rows of another width allowed
  // (ticked for this error), and the file is read again with it.
  assert.equal(await page.getByTestId('read-ragged-left').isChecked(), true);
  await shot('09b-read-again');
  await page.getByTestId('read-again-button-left').click();
  await page.getByTestId('rows-left').waitFor();
  assert.equal(await text('rows-left'), '2');
  assert.match(await page.getByTestId('file-left').textContent(), /padded or cut/);
  // A title above the header: found, and offered (skip it, rows of
  // another width not allowed), the file read again in one click.
  writeFileSync(join(dir, 'titled.csv'), 'Orders in March\nexported by Ann\nid,name\n1,Ann\n2,Bob\n');
  await page.getByTestId('file-input-right').setInputFiles(join(dir, 'titled.csv'));
  await page.getByTestId('read-again-right').waitFor();
  assert.match(await text('title-lines-right'), /first 2 lines look like a title above the header/);
  assert.equal(await page.getByTestId('read-skip-right').inputValue(), '2');
  assert.equal(await page.getByTestId('read-ragged-right').isChecked(), false);
  await shot('09c-title-lines');
  await page.getByTestId('read-again-button-right').click();
  await page.getByTestId('rows-right').waitFor();
  assert.equal(await text('rows-right'), '2');
  assert.match(await page.getByTestId('file-right').textContent(), /first 2 lines were skipped/);
});

test('a workbook and a gzipped file load; the sheet is picked on the file card', async () => {
  const books = join(root, 'tests', 'fixtures', 'workbooks');
  await page.getByRole('button', { name: '+ New comparison' }).click();
  await page.getByTestId('file-input-left').setInputFiles(join(books, 'people.xlsx'));
  await page.getByTestId('file-input-right').setInputFiles(join(root, 'tests', 'fixtures', 'compressed', 'bridges.csv.gz'));
  await page.getByTestId('rows-left').waitFor();
  await page.getByTestId('rows-right').waitFor();
  assert.equal(await text('format-left'), 'workbook');
  assert.equal(await text('format-right'), 'csv (gzip)');
  // The first sheet with data, and the others a choice away.
  const sheet = page.getByTestId('sheet-left');
  assert.equal(await sheet.inputValue(), 'Data');
  assert.equal(await text('rows-left'), '4');
  await shot('09d-workbook-loaded');
  await sheet.selectOption('More');
  await page.waitForFunction(() => document.querySelector('[data-testid=rows-left]')?.textContent.trim() === '1');
  assert.equal(await page.getByTestId('sheet-left').inputValue(), 'More');
  // A workbook that cannot be read: the error, and the choices a
  // workbook takes (a sheet, not a delimiter or an encoding).
  await page.getByTestId('file-input-right').setInputFiles(join(books, 'locked.xlsx'));
  const alert = page.getByTestId('zone-right').getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /locked\.xlsx.*protected by a password/);
  // The error's code is a tooltip, not text to read.
  assert.doesNotMatch(await alert.textContent(), /invalid_file/);
  assert.equal(await alert.locator('strong').getAttribute('title'), 'error code: invalid_file');
  // The file that failed replaced nothing, and the card says which one stays.
  assert.equal(await page.getByTestId('kept-right').textContent(), 'bridges.csv.gz is still loaded on this side.');
  await page.getByTestId('read-sheet-right').waitFor();
  assert.equal(await page.getByTestId('read-delimiter-right').count(), 0);
  await shot('09e-workbook-error');
});

test('at 1280x800 the differing rows fill the screen, and the grid reads like a table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-fold-'));
  const head = 'id,carrier,origin,dest,dep_delay,arr_delay,tailnum,manufacturer\n';
  let [left, right] = [head, head];
  for (let i = 0; i < 300; i++) {
    const row = [i, 'UA', 'EWR', 'IAH', (i * 7) % 60, (i * 13) % 90, `N${1000 + i}UA`, 'BOEING'];
    left += row.join(',') + '\n';
    if (i % 7 === 0) row[5] += 3;
    if (i % 11 === 0) row[7] = 'MCDONNELL DOUGLAS AIRCRAFT CO';
    if (i % 50 !== 3) right += row.join(',') + '\n';
  }
  writeFileSync(join(dir, 'flights.csv'), left);
  writeFileSync(join(dir, 'flights-new.csv'), right);
  // Another session, for the sidebar's actions.
  const made = await fetch(`${url}api/sessions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"Another"}' });
  assert.equal(made.status, 201);
  const small = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await small.goto(url);
    await small.getByTestId('file-input-left').setInputFiles(join(dir, 'flights.csv'));
    await small.getByTestId('file-input-right').setInputFiles(join(dir, 'flights-new.csv'));
    await small.getByTestId('rows-right').waitFor();
    await small.getByTestId('compare-button').click();
    await small.getByTestId('results-grid').getByTestId('changed-cell').first().waitFor();
    // Files and mapping fold into one line; the rows take the rest, in one
    // scroll area (the grid's): neither the page nor the main area scrolls.
    await small.getByTestId('setup-band').waitFor();
    const fit = await small.evaluate(() => {
      const rows = [...document.querySelectorAll('[data-testid=results-grid] [role=row][data-index]')];
      const main = document.querySelector('main');
      return {
        visible: rows.filter((r) => {
          const b = r.getBoundingClientRect();
          return b.height > 0 && b.top >= 0 && b.bottom <= innerHeight;
        }).length,
        pageScrolls: document.scrollingElement.scrollHeight > innerHeight + 1,
        mainScrolls: main.scrollHeight > main.clientHeight + 1,
      };
    });
    assert.ok(fit.visible >= 12, `${fit.visible} differing rows visible without scrolling`);
    assert.equal(fit.pageScrolls, false);
    assert.equal(fit.mainScrolls, false);
    await small.screenshot({ path: join(shots, '15-results-first-1280x800.png') });
    // The keyboard works at once: N goes to the first changed cell, and on
    // to the next one, in the same row or a later one.
    const grid = small.getByTestId('results-grid');
    const selected = grid.locator('[role=gridcell][aria-selected=true]');
    await small.keyboard.press('n');
    assert.equal(await selected.getAttribute('data-testid'), 'changed-cell');
    const first = await selected.getAttribute('id');
    await small.keyboard.press('n');
    assert.equal(await selected.getAttribute('data-testid'), 'changed-cell');
    assert.notEqual(await selected.getAttribute('id'), first);
    assert.equal(await grid.locator('[role=row].selected-row').count(), 1, 'the selected row is highlighted');
    // A header click sorts by that column, a second reverses the order.
    const arrDelays = async () =>
      grid.locator('[role=row][data-index] [role=gridcell]:nth-child(7)').evaluateAll((cells) => cells.slice(0, 5).map((c) => c.textContent.trim()));
    const before = await arrDelays();
    await small.getByTestId('sort-arr_delay').click();
    await small.waitForFunction(() => document.querySelector('[data-testid=results-grid] [role=columnheader][aria-sort=ascending]'));
    await small.waitForFunction((b) => JSON.stringify(b) !== JSON.stringify([...document.querySelectorAll('[data-testid=results-grid] [role=row][data-index] [role=gridcell]:nth-child(7)')].slice(0, 5).map((c) => c.textContent.trim())), before);
    await small.getByTestId('sort-arr_delay').click();
    await small.waitForFunction(() => document.querySelector('[data-testid=results-grid] [role=columnheader][aria-sort=descending]'));
    // The key column stays in view when the grid scrolls sideways.
    const keyCell = grid.locator('[role=row][data-index="0"] [role=gridcell]:nth-child(2)');
    const x0 = (await keyCell.boundingBox()).x;
    await grid.evaluate((g) => (g.scrollLeft = 400));
    await small.waitForFunction(() => document.querySelector('[data-testid=results-grid]').scrollLeft > 0);
    assert.ok(Math.abs((await keyCell.boundingBox()).x - x0) < 2, 'the key column is sticky');
    // ? lists the shortcuts.
    await grid.focus();
    await small.keyboard.press('?');
    await small.getByTestId('keys-overlay').waitFor();
    await small.screenshot({ path: join(shots, '15b-keyboard-shortcuts.png') });
    await small.keyboard.press('Escape');
    await small.getByTestId('keys-overlay').waitFor({ state: 'detached' });
    // The files and the mapping are a click away.
    await small.getByTestId('open-setup').click();
    await small.getByTestId('file-left').waitFor();
    await small.screenshot({ path: join(shots, '15c-setup-open.png') });
    // The session took its files' names, apart from the others'. Renamed
    // with the keyboard: the field has the focus, Enter saves, Escape cancels.
    const current = small.locator('[data-testid=session-item]:has([aria-current=true])');
    assert.equal((await current.locator('.name').textContent()).trim(), 'flights.csv vs flights-new.csv');
    await current.getByRole('button', { name: /^Rename / }).click();
    const field = await small.getByTestId('rename-input').evaluate((e) => ({ focused: e === document.activeElement, selected: e.selectionEnd - e.selectionStart, length: e.value.length }));
    assert.deepEqual(field, { focused: true, selected: field.length, length: 'flights.csv vs flights-new.csv'.length });
    await small.keyboard.type('Flights, March');
    await small.keyboard.press('Enter');
    await small.waitForFunction(() => document.querySelector('[data-testid=session-item] [aria-current=true] .name')?.textContent.trim() === 'Flights, March');
    await current.getByRole('button', { name: /^Rename / }).click();
    await small.keyboard.type('not this');
    await small.keyboard.press('Escape');
    await small.getByTestId('rename-input').waitFor({ state: 'detached' });
    await small.waitForTimeout(300);
    assert.equal((await current.locator('.name').textContent()).trim(), 'Flights, March');
    // Another session's actions open below its name, never over it.
    const other = small.locator('[data-testid=session-item]:not(:has([aria-current=true]))').first();
    await other.hover();
    const name = await other.locator('.name').boundingBox();
    const more = await other.getByRole('button', { name: /^Actions for / }).boundingBox();
    assert.ok(more.x >= name.x + name.width, 'the ⋯ button sits beside the name');
    await other.getByRole('button', { name: /^Actions for / }).click();
    const rename = await other.getByRole('button', { name: /^Rename / }).boundingBox();
    assert.ok(rename.y >= name.y + name.height, 'the actions sit below the name');
    await small.screenshot({ path: join(shots, '15d-session-actions.png') });
  } finally {
    await small.close();
  }
});

test('a column on one side only is a difference, and a switch says it is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-columns-'));
  writeFileSync(join(dir, 'orders.csv'), 'order_id,amount,region\n1,10,north\n2,20,south\n3,30,east\n');
  writeFileSync(join(dir, 'orders-export.csv'), 'OrderID,amount\n1,10\n2,20\n3,about 30\n');
  await page.goto(url);
  await page.getByTestId('file-input-left').setInputFiles(join(dir, 'orders.csv'));
  await page.getByTestId('file-input-right').setInputFiles(join(dir, 'orders-export.csv'));
  await page.getByTestId('rows-right').waitFor();
  await page.getByTestId('compare-button').click();
  await openAbout();
  const section = page.getByTestId('column-differences');
  await section.waitFor();
  assert.match(await text('columns-only-left'), /region\s*\(a difference\)/);
  assert.match(await text('columns-renamed'), /order_id = OrderID/);
  assert.match(await text('columns-types'), /amount: integer ↔ text/);
  await section.scrollIntoViewIfNeeded();
  await shot('10a-column-differences');
  // Unticked, the extra column is still listed but no longer counted.
  await openSetup();
  const mapping = page.getByRole('button', { name: /Columns and key/ });
  if ((await mapping.getAttribute('aria-expanded')) === 'false') await mapping.click();
  const counts = page.getByTestId('extra-columns-count');
  assert.equal(await counts.isChecked(), true);
  await counts.uncheck();
  await page.waitForFunction(() => !document.querySelector('[data-testid=extra-columns-count]')?.checked);
  await page.getByTestId('compare-button').click();
  await page.waitForFunction(() => /not counted/.test(document.querySelector('[data-testid=columns-only-left]')?.textContent ?? ''));
});

test('without a key rows pair by content in any order, or by position on request', async () => {
  // No column or set of columns tells these rows apart (Ann in Oslo twice).
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-content-'));
  writeFileSync(join(dir, 'visits.csv'), 'name,city\nAnn,Oslo\nAnn,Oslo\nBob,Rome\nCy,Lima\n');
  writeFileSync(join(dir, 'visits-sorted.csv'), 'name,city\nCy,Lima\nAnn,Oslo\nBob,Rome\nAnn,Oslo\n');
  await page.goto(url);
  await page.getByTestId('file-input-left').setInputFiles(join(dir, 'visits.csv'));
  await page.getByTestId('file-input-right').setInputFiles(join(dir, 'visits-sorted.csv'));
  await page.getByTestId('rows-right').waitFor();
  const select = page.getByTestId('key-select');
  await page.waitForFunction(() => document.querySelector('[data-testid=key-select]')?.value === 'content');
  await page.getByTestId('compare-button').click();
  await page.getByTestId('summary-changed').waitFor();
  assert.equal(await text('summary-identical'), '4');
  assert.equal(await text('summary-changed'), '0');
  await openAbout();
  assert.match(await page.getByRole('list', { name: 'Notes on this comparison' }).textContent(), /paired by their content/);
  await shot('10b-paired-by-content');
  await openSetup();
  const mapping = page.getByRole('button', { name: /Columns and key/ });
  if ((await mapping.getAttribute('aria-expanded')) === 'false') await mapping.click();
  await select.selectOption('position');
  await page.waitForFunction(() => document.querySelector('[data-testid=key-select]')?.value === 'position');
  await page.getByTestId('compare-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=summary-changed]')?.textContent.trim() === '2');
  await openAbout();
  assert.match(await page.getByRole('list', { name: 'Notes on this comparison' }).textContent(), /compared by position, as asked/);
  // Without a key a changed row is taken or kept whole, not cell by cell.
  await page.getByTestId('results-grid').locator('[role=row][data-index]').first().dblclick();
  const detail = page.getByRole('complementary', { name: 'Row detail' });
  assert.equal(await detail.getByTestId('row-take-right').textContent(), 'Take the right row');
  assert.equal(await detail.locator('[data-testid^=take-right-]').count(), 0);
  await detail.getByTestId('row-take-right').click();
  await page.waitForFunction(() => /1 taken · 0 kept · 1 to decide/.test(document.querySelector('[data-testid=reconcile-counts]')?.textContent ?? ''));
  await detail.getByRole('button', { name: 'Close the row detail' }).click();
  // A key of several columns, ticked: Ann in Oslo repeats, so her rows are duplicates.
  await openSetup();
  if ((await mapping.getAttribute('aria-expanded')) === 'false') await mapping.click();
  await select.selectOption('several');
  const columns = page.getByTestId('key-columns');
  await columns.getByLabel('name').check();
  await columns.getByLabel('city').check();
  await shot('10d-key-of-several-columns');
  await columns.getByRole('button', { name: 'Use 2 columns' }).click();
  await page.waitForFunction(() => /"name".*"city"/.test(document.querySelector('[data-testid=key-select]')?.value ?? ''));
  await page.getByTestId('compare-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=summary-matched]')?.textContent.trim() === '2');
  assert.match(await page.locator('.results .rows').textContent(), /repeated keys/);
});

test('rules the values show are applied, said, and can be declined one by one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-inferred-'));
  writeFileSync(join(dir, 'prices.csv'), 'sku,price\nA1,1.5\nA2,NA\nA3,2.25\n');
  writeFileSync(join(dir, 'prices-de.csv'), 'sku;price\nA1;1,5\nA2;\nA3;2,25\n');
  await page.goto(url);
  await page.getByTestId('file-input-left').setInputFiles(join(dir, 'prices.csv'));
  await page.getByTestId('file-input-right').setInputFiles(join(dir, 'prices-de.csv'));
  await page.getByTestId('rows-right').waitFor();
  const rules = page.getByTestId('inferred-rule');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=inferred-rule]').length === 2);
  const said = (await rules.allTextContents()).join('\n');
  assert.match(said, /price: “NA” read as no value in the left file/);
  assert.match(said, /price: decimal commas read in the right file/);
  await page.getByTestId('inferred-rules').scrollIntoViewIfNeeded();
  await shot('10c-inferred-rules');
  await page.getByTestId('compare-button').click();
  await page.getByTestId('summary-changed').waitFor();
  assert.equal(await text('summary-identical'), '3');
  // Declined, the decimal commas compare as written.
  await openSetup();
  const mapping = page.getByRole('button', { name: /Columns and key/ });
  if ((await mapping.getAttribute('aria-expanded')) === 'false') await mapping.click();
  await rules.filter({ hasText: 'decimal commas' }).getByRole('button', { name: "Don't apply" }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=inferred-rule]').length === 1);
  await page.getByTestId('compare-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=summary-changed]')?.textContent.trim() === '2');
});

test('a session whose referenced file changed still shows its result and says why', async () => {
  // Saved from the command line with every file referenced by path, then
  // the right file is changed behind the session's back.
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-ref-'));
  const [left, right] = [join(dir, 'bridges.csv'), join(dir, 'broken_bridges.csv')];
  writeFileSync(left, readFileSync(join(fixtures, 'bridges.csv')));
  writeFileSync(right, readFileSync(join(fixtures, 'broken_bridges.csv')));
  const run = (args) => execFileSync(binary, ['--data-dir', dataDir, ...args], { encoding: 'utf8' });
  // Exit status 1: the files differ.
  const saving = spawnSync(binary, ['--data-dir', dataDir, 'compare', left, right, '--save', '--name', 'Referenced', '--reference-above', '1', '--output', join(dir, 'out.txt')]);
  assert.equal(saving.status, 1, String(saving.stderr));
  const saved = JSON.parse(run(['sessions', 'list', '--format', 'json'])).find((s) => s.name === 'Referenced');
  writeFileSync(right, readFileSync(right, 'utf8') + 'Extra Bridge,Nobody,1900\n');
  await page.goto(`${url}?session=${saved.id}`);
  const why = page.getByTestId('unavailable-right');
  await why.waitFor();
  assert.match(await why.textContent(), /broken_bridges\.csv' changed since it was loaded/);
  assert.match(await why.textContent(), /load it again/);
  // The stored result is still shown; its rows need the file.
  await page.getByTestId('summary-changed').waitFor();
  assert.equal(await text('summary-changed'), '1');
  assert.match(await text('rows-unavailable'), /right file changed or moved/);
  await shot('10-referenced-file-changed');
  // Loading the file again (here an upload, which keeps a copy) and
  // comparing shows the differences as they are now.
  await page.getByTestId('file-input-right').setInputFiles(right);
  await page.getByTestId('rows-right').waitFor();
  await page.getByTestId('compare-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=summary-only-right]')?.textContent.trim() === '2');
  assert.equal(await page.getByTestId('rows-unavailable').count(), 0);

  // Saved again with files referenced from 200 bytes: the ~110 bytes of
  // rows the result names are kept with it. The changed file's rows are
  // then shown as they were compared ("D. Duck"), not as they are now.
  writeFileSync(right, readFileSync(join(fixtures, 'broken_bridges.csv')));
  const keeping = spawnSync(binary, ['--data-dir', dataDir, 'compare', left, right, '--save', '--name', 'Referenced, rows kept', '--reference-above', '200', '--output', join(dir, 'out.txt')]);
  assert.equal(keeping.status, 1, String(keeping.stderr));
  const kept = JSON.parse(run(['sessions', 'list', '--format', 'json'])).find((s) => s.name === 'Referenced, rows kept');
  writeFileSync(right, readFileSync(right, 'utf8').replace('D. Duck', 'D. Drake'));
  await page.goto(`${url}?session=${kept.id}`);
  await page.getByTestId('unavailable-right').waitFor();
  assert.match(await text('rows-kept'), /right file changed or moved since it was compared: these rows are the copies/);
  assert.equal(await page.getByTestId('rows-unavailable').count(), 0);
  const grid = page.getByTestId('results-grid');
  await grid.getByText('D. Duck').waitFor();
  assert.equal(await grid.getByText('D. Drake').count(), 0);
  assert.equal(await grid.locator('[role=row][data-index]').count(), 3);
  // Each kept cell under its own column (they once came one column off).
  const onlyRight = grid.locator('[role=row][data-index]').filter({ hasText: 'Spamspan' });
  assert.equal((await onlyRight.locator('[role=gridcell]').nth(2).textContent()).trim(), 'S. Spamington');
  await shot('10-referenced-rows-kept');
});

test('a comparison made on Spark opens from its folder, and its rows page, filter and export', async () => {
  // The folder `concord compare --engine spark --output` wrote (a fixture,
  // made by a real Spark): chosen in the browser's folder input.
  const folder = join(root, 'tests', 'fixtures', 'spark-result', 'result');
  await page.goto(url);
  await page.getByTestId('result-folder').setInputFiles(folder);
  await page.getByTestId('summary-changed').waitFor();
  assert.equal(await text('summary-changed'), '38');
  assert.equal(await text('summary-only-left'), '9');
  // The session is listed under its inputs' names.
  await page.getByTestId('session-list').getByText('left.csv vs right.csv').first().waitFor();
  // Its files were compared on Spark: they are not read here, and the
  // rows shown are the ones it kept.
  assert.match(await text('unavailable-left'), /compared on Apache Spark/);
  assert.doesNotMatch(await text('unavailable-left'), /load it again/);
  assert.match(await text('rows-kept'), /differing rows Apache Spark found/);
  assert.match(await text('compared-on-spark'), /Compared on Apache Spark/);
  const grid = page.getByTestId('results-grid');
  await grid.locator('[role=row][data-index="0"]').waitFor();
  await shot('10b-spark-result');
  // Only the changed rows, exported as the screen shows them.
  await page.getByTestId('chip-changed').click();
  await page.getByTestId('export-menu').click();
  await page.getByTestId('export-view').check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  // Records start with their status (cells may hold line breaks).
  const lines = readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(lines.filter((l) => l.startsWith('changed,')).length, 38);
  assert.equal(lines.filter((l) => /^(only_left|only_right|duplicate),/.test(l)).length, 0);
});

test(`scroll to the last row of a ${bigRows.toLocaleString('en')}-row result`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-big-'));
  await Promise.all([bigFile(join(dir, 'big-left.csv'), 0), bigFile(join(dir, 'big-right.csv'), 1)]);
  await page.getByRole('button', { name: '+ New comparison' }).click();
  await page.getByTestId('file-input-left').setInputFiles(join(dir, 'big-left.csv'));
  await page.getByTestId('file-input-right').setInputFiles(join(dir, 'big-right.csv'));
  await page.getByTestId('rows-left').waitFor({ timeout: 120_000 });
  await page.getByTestId('rows-right').waitFor({ timeout: 120_000 });
  await page.getByTestId('compare-button').click();
  await page.getByTestId('summary-changed').waitFor({ timeout: 120_000 });
  assert.equal(await text('summary-changed'), bigRows.toLocaleString('en'));
  const grid = page.getByTestId('results-grid');
  await grid.scrollIntoViewIfNeeded();
  // A debug server on two busy cores can take a while to page this far.
  const last = await scrollToLastRow(bigRows, 90_000);
  assert.equal((await last.locator('[role=gridcell]').nth(1).textContent()).trim(), String(bigRows - 1));
  // The last row is inside the grid's visible area, not cut off.
  const [g, r] = [await grid.boundingBox(), await last.boundingBox()];
  assert.ok(r.y + r.height <= g.y + g.height + 1 && r.y >= g.y, `row at ${r.y}+${r.height}, grid ${g.y}+${g.height}`);
  await shot('11-last-row');
  // Home goes back to the first row.
  await grid.focus();
  await page.keyboard.press('Home');
  await grid.locator('[role=row][data-index="0"]').waitFor();
});

test('the memory limit set in Settings keeps large files on disk, and a restart keeps it', async () => {
  // A second server over a data directory of its own; its memory limit is
  // set in the Settings dialog to 1 MiB, smaller than the files.
  const dir = mkdtempSync(join(tmpdir(), 'concord-e2e-disk-'));
  const data = mkdtempSync(join(tmpdir(), 'concord-e2e-disk-data-'));
  const rows = 40_000;
  await Promise.all([bigFile(join(dir, 'disk-left.csv'), 0, rows), bigFile(join(dir, 'disk-right.csv'), 1, rows)]);
  let small = await startServer(data);
  try {
    await page.goto(small.url);
    // The settings arrive only after the user has typed: what they typed is
    // kept, not replaced by the loaded value (a race a slow machine shows).
    let typed;
    const held = new Promise((resolve) => (typed = resolve));
    await page.route(/\/api\/settings$/, async (route) => {
      if (route.request().method() === 'GET') await held;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByTestId('settings');
    const memory = dialog.getByRole('textbox', { name: 'Memory limit' });
    await memory.fill('lots');
    typed();
    await page.waitForFunction(() => document.querySelector('[data-testid=settings] p.muted')?.textContent?.includes('iB'));
    await page.unroute(/\/api\/settings$/);
    await dialog.getByRole('button', { name: 'Save' }).click();
    const refused = dialog.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.textContent(), /memory limit: 'lots' is not a size/);
    await shot('12-settings-refused');
    await memory.fill('1M');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.getByTestId('file-input-left').setInputFiles(join(dir, 'disk-left.csv'));
    await page.getByTestId('file-input-right').setInputFiles(join(dir, 'disk-right.csv'));
    await page.getByTestId('on-disk-left').waitFor();
    await page.getByTestId('on-disk-right').waitFor();
    assert.equal(await text('rows-left'), rows.toLocaleString('en'));
    await page.getByTestId('compare-button').click();
    await page.getByTestId('summary-changed').waitFor();
    assert.equal(await text('summary-changed'), rows.toLocaleString('en'));
    // The result says that the files were compared outside memory, and how.
    assert.match(await text('plan'), /do not fit the memory limit \(1 MiB\): comparing them in about \d+ partitions on disk/);
    const last = await scrollToLastRow(rows);
    assert.equal((await last.locator('[role=gridcell]').nth(1).textContent()).trim(), String(rows - 1));
    await shot('13-files-kept-on-disk');

    // The server started again over the same data directory has it.
    small.process.kill('SIGTERM');
    await once(small.process, 'exit');
    small = await startServer(data);
    await page.goto(small.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.waitForFunction(() => document.querySelector('[name=memory_limit]')?.value === '1 MiB');
    await shot('14-settings-after-restart');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  } finally {
    small.process.kill('SIGTERM');
  }
});
