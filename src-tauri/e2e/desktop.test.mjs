// End to end: the real desktop app (target/debug/concord-desktop) in a
// real window under Xvfb, driven through `tauri-driver` and WebKitWebDriver
// over plain WebDriver requests. Screenshots of the whole X screen after
// each step go to target/e2e-desktop/ (test artifacts a person looks at).
//
// Run it under a display and a D-Bus session bus, as scripts/test.sh does:
//   xvfb-run -a -s '-screen 0 1400x900x24' dbus-run-session -- npm run e2e:desktop
//
// The path: start with two files as arguments (they load and compare at
// once), drop two more on the window through the native drag-drop event,
// compare, export through the export command, a dropped folder, a second
// launch handing its files to the running window, then quit and relaunch
// and find the sessions again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const shots = join(root, 'target', 'e2e-desktop');
const app = join(root, 'target', 'debug', 'concord-desktop');
const fixtures = join(root, 'tests', 'fixtures');
const bridges = [join(fixtures, 'daff', 'bridges.csv'), join(fixtures, 'daff', 'broken_bridges.csv')];
const boston = [join(fixtures, 'qsv', 'boston311-100.csv'), join(fixtures, 'qsv', 'boston311-100-diff.csv')];
const waffles = [join(fixtures, 'daff', 'waffle.csv'), join(fixtures, 'daff', 'waffle2.csv')];
const tmp = mkdtempSync(join(tmpdir(), 'concord-desktop-e2e-'));
// The app's data, settings and window state stay in the temporary folder.
const env = {
  ...process.env,
  CONCORD_DATA_DIR: join(tmp, 'data'),
  XDG_CONFIG_HOME: join(tmp, 'config'),
  XDG_DATA_HOME: join(tmp, 'share'),
  XDG_CACHE_HOME: join(tmp, 'cache'),
};
let driver;
let base;
let session;

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One WebDriver request; the answer's value, or a thrown WebDriver error. */
async function wd(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
  return json.value;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the app with `args`, as a new WebDriver session. */
async function launch(args = []) {
  const value = await wd('POST', '/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application: app, args } } },
  });
  session = value.sessionId;
  await until('the UI to start', () => document.querySelector('[data-testid=session-list]') !== null);
}

/** Quits the app (ends the WebDriver session, which closes its window). */
async function quit() {
  await wd('DELETE', `/session/${session}`);
  session = null;
}

/** Runs `fn` (a function, serialized) in the window with `args`; awaits a promise it returns. */
async function run(fn, ...args) {
  const script = `const done = arguments[arguments.length - 1];
    Promise.resolve((${fn}).apply(null, Array.from(arguments).slice(0, -1)))
      .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ error: String(e && (e.message || JSON.stringify(e))) }));`;
  const out = await wd('POST', `/session/${session}/execute/async`, { script, args });
  if (out && 'error' in out) throw new Error(out.error);
  return out?.ok;
}

/** Waits until `fn` (run in the window) answers something truthy; returns it. */
async function until(what, fn, ...args) {
  const deadline = Date.now() + 30_000;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await run(fn, ...args);
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  await shot(`timeout-${what.replace(/\W+/g, '-')}`);
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/** The trimmed text of the element with test id `id`, or null. */
const text = (id) => run((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent.trim() ?? null, id);

/** Clicks the element matching `css` the way a user does, through WebDriver. */
async function click(css) {
  const el = await wd('POST', `/session/${session}/element`, { using: 'css selector', value: css });
  await wd('POST', `/session/${session}/element/${Object.values(el)[0]}/click`, {});
}

/** Sends a native drag-drop event as the window gets one from the system
 * (positions in physical pixels). */
const dragEvent = (event, payload) =>
  run((event, payload) => window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event, payload }), event, payload);

/** Invokes one of the app's commands as the UI does. */
const command = (cmd, args) => run((cmd, args) => window.__TAURI_INTERNALS__.invoke(cmd, args), cmd, args);

/** A screenshot of the whole X screen, as a person would see it, once
 * the window has painted what the DOM now holds. */
async function shot(name) {
  try {
    if (session) await run(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await sleep(150);
    execFileSync('import', ['-window', 'root', join(shots, `${name}.png`)], { stdio: 'ignore' });
  } catch (e) {
    console.error(`screenshot ${name} failed: ${e.message}`);
  }
}

/** The names of the top-level X windows (their titles). */
function windowTitles() {
  return execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8' });
}

/** The summary cards, as numbers. */
const summary = () =>
  run(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid^="summary-"]')].map((e) => [
        e.dataset.testid.slice('summary-'.length),
        Number(e.textContent.replace(/\D/g, '')),
      ]),
    ),
  );

const sessionId = () => run(() => new URLSearchParams(location.search).get('session'));

before(async () => {
  assert.ok(process.env.DISPLAY, 'the desktop E2E needs a display: run it under xvfb-run');
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  const nativePort = await freePort();
  base = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(shots, 'tauri-driver.log'));
  driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  driver.stdout.pipe(log);
  driver.stderr.pipe(log);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await wd('GET', '/status');
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`tauri-driver did not start: ${e.message}`);
      await sleep(100);
    }
  }
});

after(async () => {
  if (session) await quit().catch(() => {});
  driver?.kill('SIGTERM');
});

test('started with two files as arguments, it loads and compares them', async () => {
  const started = Date.now();
  await launch(bridges);
  await until('the summary', () => document.querySelector('[data-testid=summary-changed]'));
  console.log(`# launch with two files to summary shown: ${Date.now() - started} ms (debug build, WebDriver included)`);
  assert.deepEqual(await summary(), { matched: 7, identical: 6, changed: 1, 'only-left': 1, 'only-right': 1 });
  assert.equal(await text('rows-left'), '8');
  const cell = await until('a changed cell', () => document.querySelector('[data-testid=changed-cell]')?.textContent);
  assert.match(cell, /L\. L\. Buck\s*→\s*D\. Duck/);
  // The window title is the session's name.
  await sleep(200);
  assert.match(windowTitles(), /bridges\.csv vs broken_bridges\.csv — Concord/);
  await shot('01-started-with-files');
});

test('a native drop of two files fills both sides; the zones light up while dragging', async () => {
  await click('[data-testid=new-session]');
  await until('an empty window', () => !document.querySelector('[data-testid=file-left]'));
  const scale = await run(() => window.devicePixelRatio || 1);
  const width = await run(() => window.innerWidth);
  const right = { x: Math.round(width * 0.75 * scale), y: Math.round(300 * scale) };
  const lit = () => run(() => ['left', 'right'].filter((s) => document.querySelector(`[data-testid=zone-${s}]`).classList.contains('over')));
  // One file: the half of the window under the pointer.
  await dragEvent('tauri://drag-enter', { paths: boston.slice(0, 1), position: right });
  await dragEvent('tauri://drag-over', { position: right });
  await until('the right zone to light up', () => document.querySelector('[data-testid=zone-right]').classList.contains('over'));
  assert.deepEqual(await lit(), ['right']);
  await dragEvent('tauri://drag-leave', {});
  await until('no zone lit', () => !document.querySelector('[data-testid^=zone-].over'));
  // Two files: both sides.
  await dragEvent('tauri://drag-enter', { paths: boston, position: right });
  await dragEvent('tauri://drag-over', { position: right });
  await until('both zones to light up', () => document.querySelectorAll('[data-testid^=zone-].over').length === 2);
  await shot('02-dragging-two-files');
  await dragEvent('tauri://drag-drop', { paths: boston, position: right });
  await until('both sides loaded', () => document.querySelector('[data-testid=rows-left]') && document.querySelector('[data-testid=rows-right]'));
  assert.equal(await text('rows-left'), '100');
  assert.deepEqual(await lit(), []);
  assert.match(await text('file-left'), /boston311-100\.csv/);
  assert.match(await text('file-right'), /boston311-100-diff\.csv/);
  await shot('03-dropped-two-files');
});

test('compare, then export through the export command', async () => {
  await until('the suggested key', () => document.querySelector('[data-testid=key-select]')?.value);
  await click('[data-testid=compare-button]');
  await until('the summary', () => document.querySelector('[data-testid=summary-changed]'));
  const s = await summary();
  assert.ok(s.changed > 0, `some rows changed: ${JSON.stringify(s)}`);
  assert.equal(s.matched + s['only-left'], 100);
  await shot('04-compared');
  const id = await sessionId();
  const out = join(tmp, 'exported.csv');
  const saved = await command('export_result', { id, format: 'csv', path: out });
  assert.equal(saved, out);
  const csv = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.match(csv[0], /^status,/);
  assert.equal(csv.length - 1, s.changed + s['only-left'] + s['only-right'], 'one line per difference');
});

test('a dropped folder gets a clear message and loses nothing', async () => {
  const left = await text('file-left');
  await dragEvent('tauri://drag-drop', { paths: [tmp], position: { x: 10, y: 300 } });
  const message = await until('the error', () => document.querySelector('[role=alert]')?.textContent);
  assert.match(message, /is a folder/);
  assert.equal(await text('file-left'), left, 'the loaded file stays');
  await shot('05-folder-dropped');
});

test('a second launch hands its files to the running window', { skip: !process.env.DBUS_SESSION_BUS_ADDRESS && 'no D-Bus session bus' }, async () => {
  const second = spawn(app, waffles, { env, stdio: 'ignore' });
  const code = await new Promise((resolve) => second.on('exit', resolve));
  assert.equal(code, 0, 'the second launch exits once it has handed over');
  await until('the handed-over files', () => /waffle2\.csv/.test(document.querySelector('[data-testid=file-right]')?.textContent ?? ''));
  await until('their comparison', () => document.querySelector('[data-testid=summary-changed]'));
  await shot('06-second-launch');
});

/** Runs xdotool (keys and window sizes, as a person would use them). */
const xdo = (...args) => execFileSync('xdotool', args, { encoding: 'utf8' }).trim();

/** The X window id of Concord's window (its title ends in "Concord"). */
const concordWindow = () => xdo('search', '--name', 'Concord$').split('\n')[0];

test('quit with Ctrl+Q and relaunch: the sessions and the window size are still there', async () => {
  const before = await until('three sessions', () => {
    const names = [...document.querySelectorAll('[data-testid=session-item] .name')].map((e) => e.textContent.trim());
    return names.length === 3 && names;
  });
  const win = concordWindow();
  xdo('windowsize', win, '1100', '720');
  await until('the new size', () => window.innerWidth === 1100);
  xdo('windowfocus', '--sync', win);
  xdo('key', '--clearmodifiers', 'ctrl+q');
  const deadline = Date.now() + 10_000;
  while (execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8' }).includes('Concord"')) {
    assert.ok(Date.now() < deadline, 'Ctrl+Q quits the app');
    await sleep(100);
  }
  await quit().catch(() => {});

  await launch();
  const names = await until('the session list', () => {
    const n = [...document.querySelectorAll('[data-testid=session-item] .name')].map((e) => e.textContent.trim());
    return n.length && n;
  });
  assert.deepEqual([...names].sort(), [...before].sort());
  assert.match(xdo('getwindowgeometry', concordWindow()), /Geometry: 1100x720/, 'the window size is remembered');
  const bridgesAt = names.findIndex((n) => n.startsWith('bridges.csv')) + 1;
  await click(`[data-testid=session-item]:nth-child(${bridgesAt}) button.open`);
  await until('the saved result', () => document.querySelector('[data-testid=summary-changed]'));
  assert.deepEqual(await summary(), { matched: 7, identical: 6, changed: 1, 'only-left': 1, 'only-right': 1 });
  await shot('07-relaunched');
});
