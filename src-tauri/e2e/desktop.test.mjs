// End to end: the real desktop app (target/debug/concord-desktop) in a
// real window under Xvfb, driven through `tauri-driver` and WebKitWebDriver
// over plain WebDriver requests (driver.mjs). Screenshots of the whole X
// screen after each step go to target/e2e-desktop/ (test artifacts a
// person looks at).
//
// Run it under a display and a D-Bus session bus, as scripts/test.sh does:
//   xvfb-run -a -s '-screen 0 1400x900x24' dbus-run-session -- npm run e2e:desktop
//
// The path: start with two files as arguments (they load and compare at
// once), drag and drop two more on the window through the native
// drag-drop events, compare, export through the export command, a dropped
// folder, a change of settings, a second launch handing its files to the running window, then
// Ctrl+Q, relaunch, and find the sessions and the window size again; then
// SIGKILL in the middle of a comparison, relaunch, and find every session,
// the last saved result, and no result half-written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Driver, appEnv, concordWindow, concordWindowShown, root, sleep, windowTitles, xdo } from './driver.mjs';

const shots = join(root, 'target', 'e2e-desktop');
const app = join(root, 'target', 'debug', 'concord-desktop');
const fixtures = join(root, 'tests', 'fixtures');
const bridges = [join(fixtures, 'daff', 'bridges.csv'), join(fixtures, 'daff', 'broken_bridges.csv')];
const boston = [join(fixtures, 'qsv', 'boston311-100.csv'), join(fixtures, 'qsv', 'boston311-100-diff.csv')];
const waffles = [join(fixtures, 'daff', 'waffle.csv'), join(fixtures, 'daff', 'waffle2.csv')];
const tmp = mkdtempSync(join(tmpdir(), 'concord-desktop-e2e-'));
// The app's data, settings and window state stay in the temporary folder;
// a page silent 4 s counts as hung (20 s for users).
const env = appEnv(tmp, { CONCORD_HANG_SECS: '4' });
let d;

before(async () => {
  d = await Driver.start({ app, env, log: join(tmp, 'tauri-driver.log'), shots });
});

after(() => d?.stop());

/** Unfolds the files and the mapping, which fold into one line once a
 * result shows. */
async function openSetup() {
  if (await d.run(() => !!document.querySelector('[data-testid=open-setup]'))) await d.click('[data-testid=open-setup]');
  await d.until('the files shown', () => !document.querySelector('[data-testid=open-setup]'));
}

test('started with two files as arguments, it loads and compares them', async () => {
  const started = Date.now();
  await d.launch(bridges);
  await d.until('the summary', () => document.querySelector('[data-testid=summary-changed]'));
  console.log(`# launch with two files to summary shown: ${Date.now() - started} ms (debug build, WebDriver included)`);
  assert.deepEqual(await d.summary(), { matched: 7, identical: 6, changed: 1, 'only-left': 1, 'only-right': 1 });
  const cell = await d.until('a changed cell', () => document.querySelector('[data-testid=changed-cell]')?.textContent);
  assert.match(cell, /L\. L\. Buck\s*→\s*D\. Duck/);
  // The window title is the session's name.
  await sleep(200);
  assert.match(windowTitles(), /bridges\.csv vs broken_bridges\.csv — Concord/);
  await d.shot('01-started-with-files');
  // The files fold into one line above the result, a click away.
  await openSetup();
  assert.equal(await d.text('rows-left'), '8');
});

test('a native drop of two files fills both sides; the zones light up while dragging', async () => {
  await d.click('[data-testid=new-session]');
  await d.until('an empty window', () => !document.querySelector('[data-testid=file-left]'));
  const scale = await d.run(() => window.devicePixelRatio || 1);
  const width = await d.run(() => window.innerWidth);
  const right = { x: Math.round(width * 0.75 * scale), y: Math.round(300 * scale) };
  const lit = () => d.run(() => ['left', 'right'].filter((s) => document.querySelector(`[data-testid=zone-${s}]`).classList.contains('over')));
  // One file: the half of the window under the pointer.
  await d.dragEvent('tauri://drag-enter', { paths: boston.slice(0, 1), position: right });
  await d.dragEvent('tauri://drag-over', { position: right });
  await d.until('the right zone to light up', () => document.querySelector('[data-testid=zone-right]').classList.contains('over'));
  assert.deepEqual(await lit(), ['right']);
  await d.dragEvent('tauri://drag-leave', {});
  await d.until('no zone lit', () => !document.querySelector('[data-testid^=zone-].over'));
  // Two files: both sides.
  await d.dragEvent('tauri://drag-enter', { paths: boston, position: right });
  await d.dragEvent('tauri://drag-over', { position: right });
  await d.until('both zones to light up', () => document.querySelectorAll('[data-testid^=zone-].over').length === 2);
  await d.shot('02-dragging-two-files');
  await d.dragEvent('tauri://drag-drop', { paths: boston, position: right });
  // Two files dropped are compared at once, as two opened files are.
  await d.until('their comparison', () => document.querySelector('[data-testid=summary-changed]'));
  await openSetup();
  await d.until('both sides loaded', () => document.querySelector('[data-testid=rows-left]') && document.querySelector('[data-testid=rows-right]'));
  assert.equal(await d.text('rows-left'), '100');
  assert.deepEqual(await lit(), []);
  assert.match(await d.text('file-left'), /boston311-100\.csv/);
  assert.match(await d.text('file-right'), /boston311-100-diff\.csv/);
  await d.shot('03-dropped-two-files');
});

test('compare, then export through the export command', async () => {
  // The drop compared at once; the mapping folds once a result shows.
  await d.run(() => {
    const mapping = [...document.querySelectorAll('button')].find((b) => /Columns and key/.test(b.textContent));
    if (mapping?.getAttribute('aria-expanded') === 'false') mapping.click();
  });
  await d.until('the suggested key', () => document.querySelector('[data-testid=key-select]')?.value);
  // The mapping screen says why this key: the runner-up it was chosen over.
  const why = await d.until('the key notes', () => document.querySelector('[data-testid=key-notes]')?.textContent);
  assert.match(why, /^other keys considered: open_dt \(unique on both sides/);
  await d.click('[data-testid=compare-button]');
  await d.until('the summary', () => document.querySelector('[data-testid=summary-changed]'));
  const s = await d.summary();
  assert.ok(s.changed > 0, `some rows changed: ${JSON.stringify(s)}`);
  assert.equal(s.matched + s['only-left'], 100);
  await d.shot('04-compared');
  const id = await d.sessionId();
  const out = join(tmp, 'exported.csv');
  const saved = await d.command('call', { name: 'export_result', args: { id, path: out } });
  assert.equal(saved, out);
  const csv = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.match(csv[0], /^status,/);
  assert.equal(csv.length - 1, s.changed + s['only-left'] + s['only-right'], 'one line per difference');
});

test('reconcile in the window: two cells and a row taken, the reconciled file saved byte for byte', async () => {
  const left = join(tmp, 'stock.csv');
  const right = join(tmp, 'stock-new.csv');
  writeFileSync(left, 'id,name,amount,city\r\n1,Ann,10,Oslo\r\n2,Bob,20,Rome\r\n3,Cy,30,Lima\r\n');
  writeFileSync(right, 'id,name,amount,city\n1,Ann,11,Bergen\n2,Bob,20,Turin\n3,Cy,30,Lima\n4,Di,40,Kyiv\n');
  await d.click('[data-testid=new-session]');
  await d.until('an empty window', () => !document.querySelector('[data-testid=file-left]'));
  await d.dragEvent('tauri://drag-drop', { paths: [left, right], position: { x: 10, y: 300 } });
  const counts = (re) =>
    d.until(`the counts to read ${re}`, (src) => new RegExp(src).test(document.querySelector('[data-testid=reconcile-counts]')?.textContent ?? ''), re.source);
  await counts(/0 taken · 0 kept · 4 to decide/);
  const open = (name) =>
    d.run((n) => {
      const row = [...document.querySelectorAll('[data-testid=results-grid] [role=row][data-index]')].find((e) => e.textContent.includes(n));
      row.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
    }, name);
  await open('Ann');
  await d.click('[data-testid=take-right-amount]');
  await counts(/1 taken/);
  await open('Bob');
  await d.click('[data-testid=take-right-city]');
  await counts(/2 taken/);
  await open('Di');
  await d.click('[data-testid=row-take-right]');
  await counts(/3 taken · 0 kept · 1 to decide/);
  await d.shot('05a-reconciled');
  const id = await d.sessionId();
  const out = join(tmp, 'stock-reconciled.csv');
  const saved = await d.command('call', { name: 'save_reconciled_file', args: { id, what: 'file', path: out } });
  assert.equal(saved, out);
  assert.equal(readFileSync(out, 'utf8'), 'id,name,amount,city\r\n1,Ann,11,Oslo\r\n2,Bob,20,Turin\r\n3,Cy,30,Lima\r\n4,Di,40,Kyiv\r\n');
});

test('a dropped folder gets a clear message and loses nothing', async () => {
  await openSetup();
  const left = await d.text('file-left');
  await d.dragEvent('tauri://drag-drop', { paths: [tmp], position: { x: 10, y: 300 } });
  const message = await d.until('the error', () => document.querySelector('[role=alert]')?.textContent);
  assert.match(message, /is a folder/);
  assert.equal(await d.text('file-left'), left, 'the loaded file stays');
  await d.shot('05-folder-dropped');
});

test('a dropped folder Spark wrote opens as a session of its differing rows', async () => {
  // The folder `concord compare --engine spark --output` wrote (a fixture,
  // made by a real Spark), dropped on the window.
  const folder = join(fixtures, 'spark-result', 'result');
  await d.dragEvent('tauri://drag-drop', { paths: [folder], position: { x: 10, y: 300 } });
  await d.until('the result', () => document.querySelector('[data-testid=summary-changed]')?.textContent.trim() === '38');
  assert.match(await d.text('compared-on-spark'), /Compared on Apache Spark/);
  await d.until('its rows', () => document.querySelector('[data-testid=results-grid] [role=row][data-index]'));
  await d.shot('05b-spark-result-dropped');
});

test('Settings shows the limits in force and saves a change in the data directory', async () => {
  // File > Settings… (Ctrl+,) opens it, as the ⚙ button does.
  xdo('windowfocus', '--sync', concordWindow());
  xdo('key', '--clearmodifiers', 'ctrl+comma');
  await d.until('the dialog from the menu', () => document.querySelector('[data-testid=settings]'));
  await d.click('[data-testid=settings-cancel]');
  await d.until('the dialog to close', () => !document.querySelector('[data-testid=settings]'));
  await d.click('button[aria-label=Settings]');
  const shown = await d.until('the memory limit', () => document.querySelector('[name=memory_limit]')?.value);
  assert.match(shown, /^[\d.]+ GiB$/);
  await d.run(() => {
    const input = document.querySelector('[name=reference_above]');
    input.value = '1G';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await d.shot('06-settings');
  await d.click('[data-testid=settings] button[type=submit]');
  await d.until('the dialog to close', () => !document.querySelector('[data-testid=settings]'));
  const saved = JSON.parse(readFileSync(join(env.CONCORD_DATA_DIR, 'settings.json'), 'utf8'));
  assert.equal(saved.reference_above, 2 ** 30);
  assert.equal(saved.memory_limit, undefined, 'only the changed setting is saved');
});

test('a second launch hands its files to the running window', { skip: !process.env.DBUS_SESSION_BUS_ADDRESS && 'no D-Bus session bus' }, async () => {
  const second = spawn(app, waffles, { env, stdio: 'ignore' });
  const code = await new Promise((resolve) => second.on('exit', resolve));
  assert.equal(code, 0, 'the second launch exits once it has handed over');
  await d.until('their comparison', () => /waffle2\.csv/.test(document.querySelector('[data-testid=setup-band]')?.textContent ?? ''));
  await d.until('the summary', () => document.querySelector('[data-testid=summary-changed]'));
  await d.shot('07-second-launch');
});

test('quit with Ctrl+Q and relaunch: the sessions and the window size are still there', async () => {
  const before = await d.until('five sessions', () => {
    const names = [...document.querySelectorAll('[data-testid=session-item] .name')].map((e) => e.textContent.trim());
    return names.length === 5 && names;
  });
  const win = concordWindow();
  xdo('windowsize', win, '1100', '720');
  await d.until('the new size', () => window.innerWidth === 1100);
  xdo('windowfocus', '--sync', win);
  xdo('key', '--clearmodifiers', 'ctrl+q');
  const deadline = Date.now() + 10_000;
  while (concordWindowShown()) {
    assert.ok(Date.now() < deadline, 'Ctrl+Q quits the app');
    await sleep(100);
  }
  await d.quit().catch(() => {});

  await d.launch();
  const names = await d.until('the session list', () => {
    const n = [...document.querySelectorAll('[data-testid=session-item] .name')].map((e) => e.textContent.trim());
    return n.length && n;
  });
  assert.deepEqual([...names].sort(), [...before].sort());
  assert.match(xdo('getwindowgeometry', concordWindow()), /Geometry: 1100x720/, 'the window size is remembered');
  const bridgesAt = names.findIndex((n) => n.startsWith('bridges.csv')) + 1;
  await d.click(`[data-testid=session-item]:nth-child(${bridgesAt}) button.open`);
  await d.until('the saved result', () => document.querySelector('[data-testid=summary-changed]'));
  assert.deepEqual(await d.summary(), { matched: 7, identical: 6, changed: 1, 'only-left': 1, 'only-right': 1 });
  await d.shot('08-relaunched');
  // The choices made in the reconcile test are the session's.
  const stockAt = names.findIndex((n) => n.startsWith('stock.csv')) + 1;
  await d.click(`[data-testid=session-item]:nth-child(${stockAt}) button.open`);
  await d.until('the choices made before the quit', () =>
    /3 taken · 0 kept · 1 to decide/.test(document.querySelector('[data-testid=reconcile-counts]')?.textContent ?? ''),
  );
});

test('killed with SIGKILL in the middle of a comparison and relaunched: the sessions, the last saved result, nothing half-written', async () => {
  const names = async () =>
    d.until('the session list', () => {
      const n = [...document.querySelectorAll('[data-testid=session-item] .name')].map((e) => e.textContent.trim());
      return n.length && n;
    });
  const before = await names();
  // A pair large enough that the debug build compares it for seconds
  // (2.5M rows, 85 MB a side: about 5 s).
  const big = [join(tmp, 'big-left.csv'), join(tmp, 'big-right.csv')];
  for (const [i, file] of big.entries()) {
    const rows = ['id,name,amount,city'];
    for (let r = 0; r < 2_500_000; r++) rows.push(`${r},name ${r},${(r * 7) % 1000}.${i && r % 50 === 0 ? 5 : 0},city ${r % 97}`);
    writeFileSync(file, rows.join('\n') + '\n');
  }
  const running = () => execFileSync('pgrep', ['-n', '-x', 'concord-desktop'], { encoding: 'utf8' }).trim();
  process.kill(Number(running()), 'SIGTERM');
  while (concordWindowShown()) await sleep(100);
  await d.quit().catch(() => {});
  await d.launch(big);
  await d.until('the comparison running', () => {
    const bar = document.querySelector('progress[aria-label="Comparison progress"]');
    bar?.scrollIntoView();
    return !!bar;
  });
  await d.shot('11-comparing-before-the-kill');
  process.kill(Number(running()), 'SIGKILL');
  while (concordWindowShown()) await sleep(100);
  await d.quit().catch(() => {});

  await d.launch();
  const after = await names();
  assert.deepEqual(after.filter((n) => before.includes(n)).sort(), [...before].sort(), 'every session is still there');
  const bigAt = after.findIndex((n) => n.startsWith('big-left.csv')) + 1;
  assert.ok(bigAt > 0, `the killed comparison's session is listed: ${after}`);
  // The last saved result is whole.
  const bridgesAt = after.findIndex((n) => n.startsWith('bridges.csv')) + 1;
  await d.click(`[data-testid=session-item]:nth-child(${bridgesAt}) button.open`);
  await d.until('the saved result', () => document.querySelector('[data-testid=summary-changed]'));
  assert.deepEqual(await d.summary(), { matched: 7, identical: 6, changed: 1, 'only-left': 1, 'only-right': 1 });
  // The killed comparison left no result, half or whole: its files are
  // there and it compares again to the end.
  await d.click(`[data-testid=session-item]:nth-child(${bigAt}) button.open`);
  await d.until('the files and their key, no result', () => {
    const compare = document.querySelector('[data-testid=compare-button]');
    const key = document.querySelector('[data-testid=key-select]')?.selectedOptions[0]?.textContent ?? '';
    return !document.querySelector('[data-testid=summary-changed]') && compare && !compare.disabled && /^id\b/.test(key);
  });
  assert.match(await d.run(() => document.querySelector('[data-testid=session-item].active, [data-testid=session-item][aria-current]')?.textContent ?? document.body.textContent), /not compared yet/);
  await d.shot('12-relaunched-after-the-kill');
  await d.click('[data-testid=compare-button]');
  await d.until('the comparison running again', () =>
    !!document.querySelector('progress[aria-label="Comparison progress"]') || !!document.querySelector('[data-testid=summary-changed]'),
  );
  await d.until('the new result', () => document.querySelector('[data-testid=summary-changed]'));
  assert.deepEqual(await d.summary(), { matched: 2_500_000, identical: 2_450_000, changed: 50_000, 'only-left': 0, 'only-right': 0 });
});

test('when the page hangs, the app ends its web process and shows the page again', async () => {
  const app = execFileSync('pgrep', ['-n', '-x', 'concord-desktop'], { encoding: 'utf8' }).trim();
  const log = join(tmp, 'tauri-driver.log');
  const id = await d.sessionId();
  assert.ok(id, 'a session is open');
  // The page's one thread spins for ever: no click, no beat, no answer.
  await d.run(() => void setTimeout(() => { for (;;); }, 50));
  const deadline = Date.now() + 30_000;
  while (!/has not answered for 4 s; ending its web process/.test(readFileSync(log, 'utf8'))) {
    assert.ok(Date.now() < deadline, 'the app notices the silent page');
    await sleep(200);
  }
  assert.ok(concordWindowShown(), 'the window is still there');
  await sleep(3000);
  execFileSync('import', ['-window', 'root', join(shots, '09-page-hung-recovered.png')]);
  assert.match(readFileSync(log, 'utf8'), /web process ended \(\w+\); loading the page again/);
  assert.ok(execFileSync('pgrep', ['-P', app, '-x', 'WebKitWebProces'], { encoding: 'utf8' }).trim(), 'a new web process shows the page');
});

// Last: WebKitWebDriver's session ends with the web process it drove, so
// what follows is watched from outside (the app's log, its processes, the
// screen), and the UI's part (the notice at the same session) is checked
// in the browser test.
test("when the window's web process dies, the app loads the page again in a new one", async () => {
  const app = execFileSync('pgrep', ['-n', '-x', 'concord-desktop'], { encoding: 'utf8' }).trim();
  const webProcesses = () => {
    try {
      return execFileSync('pgrep', ['-P', app, '-x', 'WebKitWebProces'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  const before = webProcesses();
  assert.ok(before.length >= 1, 'the window has a web process');
  const log = join(tmp, 'tauri-driver.log');
  for (const pid of before) process.kill(Number(pid), 'SIGKILL');
  const deadline = Date.now() + 20_000;
  let fresh = [];
  while (Date.now() < deadline) {
    fresh = webProcesses().filter((pid) => !before.includes(pid));
    if (fresh.length && /web process ended .*loading the page again/.test(readFileSync(log, 'utf8'))) break;
    await sleep(200);
  }
  assert.match(readFileSync(log, 'utf8'), /the window's web process ended \(\w+\); loading the page again/);
  assert.ok(fresh.length >= 1, 'a new web process shows the page');
  assert.ok(concordWindowShown(), 'the window is still there');
  // The screen, for a person: the same session, with a short notice.
  await sleep(1500);
  execFileSync('import', ['-window', 'root', join(shots, '10-web-process-recovered.png')]);
  // The driver's session went with the old web process: the app is ended here.
  d.session = null;
  process.kill(Number(app), 'SIGTERM');
  const gone = Date.now() + 10_000;
  while (concordWindowShown() && Date.now() < gone) await sleep(100);
});
