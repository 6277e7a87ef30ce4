// End to end: a real `concord serve` on 127.0.0.1 and Debian's Chromium,
// driven by playwright-core through the UI's stable test ids. Screenshots
// of each step go to target/e2e/ (test artifacts a person looks at).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('../../', import.meta.url).pathname;
const shots = join(root, 'target', 'e2e');
const binary = join(root, 'target', 'debug', 'concord');
let server;
let url;
let browser;

/** Starts `concord serve` on a free port; resolves with its URL. */
function startServer(dataDir) {
  return new Promise((resolve, reject) => {
    const p = spawn(binary, ['--data-dir', dataDir, 'serve', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolve({ process: p, url: m[1] });
    });
    p.on('exit', (code) => reject(new Error(`concord serve exited with ${code}: ${err}`)));
  });
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  ({ process: server, url } = await startServer(mkdtempSync(join(tmpdir(), 'concord-e2e-'))));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('load two files, compare, and read the summary', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(url);
  await page.screenshot({ path: join(shots, '01-start.png') });
  const fixtures = join(root, 'tests', 'fixtures', 'daff');
  await page.getByTestId('file-input-left').setInputFiles(join(fixtures, 'bridges.csv'));
  await page.getByText('left: bridges.csv').waitFor();
  await page.getByTestId('file-input-right').setInputFiles(join(fixtures, 'broken_bridges.csv'));
  await page.getByText('right: broken_bridges.csv').waitFor();
  await page.screenshot({ path: join(shots, '02-loaded.png') });
  await page.getByTestId('compare-button').click();
  await page.getByTestId('summary-changed').waitFor();
  await page.screenshot({ path: join(shots, '03-compared.png') });
  const number = async (id) => (await page.getByTestId(id).textContent()).trim();
  assert.equal(await number('summary-matched'), '7');
  assert.equal(await number('summary-identical'), '6');
  assert.equal(await number('summary-changed'), '1');
  assert.equal(await number('summary-only-left'), '1');
  assert.equal(await number('summary-only-right'), '1');
});
