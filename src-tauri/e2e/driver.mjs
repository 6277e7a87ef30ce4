// A small WebDriver client for the desktop app: starts `tauri-driver`
// (which starts WebKitWebDriver), launches `concord-desktop` as a session,
// runs scripts in its window, clicks, sends native drag-drop events, and
// takes screenshots of the X screen. Shared by the end-to-end test and
// bench/desktop_speed.mjs. Needs a display (Xvfb) and, for single-instance
// hand-over, a D-Bus session bus.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const root = new URL('../../', import.meta.url).pathname;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The app's environment for a test: its data, settings, window state
 * and caches in the temporary folder `tmp`. */
export function appEnv(tmp, extra = {}) {
  return {
    ...process.env,
    CONCORD_DATA_DIR: join(tmp, 'data'),
    XDG_CONFIG_HOME: join(tmp, 'config'),
    XDG_DATA_HOME: join(tmp, 'share'),
    XDG_CACHE_HOME: join(tmp, 'cache'),
    ...extra,
  };
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs xdotool (keys and window sizes, as a person would use them). */
export const xdo = (...args) => execFileSync('xdotool', args, { encoding: 'utf8' }).trim();

/** The X window id of Concord's window (its title ends in "Concord"). */
export const concordWindow = () => xdo('search', '--name', 'Concord$').split('\n')[0];

/** Whether a Concord window is on the screen. `xwininfo` fails when a
 * window goes while it walks the tree (a killed app's, say): asked again. */
export function concordWindowShown() {
  for (let tries = 0; ; tries++) {
    try {
      return execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).includes('Concord"');
    } catch (e) {
      if (tries >= 20) throw e;
      execFileSync('sleep', ['0.05']);
    }
  }
}

/** The names of the top-level X windows (their titles), as one text. */
export const windowTitles = () => execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8' });

export class Driver {
  /** Starts tauri-driver with `env` for the app; its output goes to `log`. */
  static async start({ app, env, log, shots }) {
    assert(process.env.DISPLAY, 'the desktop app needs a display: run this under xvfb-run');
    const port = await freePort();
    const nativePort = await freePort();
    const d = new Driver(app, `http://127.0.0.1:${port}`, shots);
    const out = createWriteStream(log);
    d.process = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    d.process.stdout.pipe(out);
    d.process.stderr.pipe(out);
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await d.wd('GET', '/status');
        return d;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`tauri-driver did not start: ${e.message}`);
        await sleep(100);
      }
    }
  }

  constructor(app, base, shots) {
    this.app = app;
    this.base = base;
    this.shots = shots;
    this.session = null;
    if (shots) mkdirSync(shots, { recursive: true });
  }

  /** One WebDriver request; the answer's value, or a thrown WebDriver error. */
  async wd(method, path, body) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      // An app that never answers fails the step in a minute, not in
      // fetch's five.
      signal: AbortSignal.timeout(60_000),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  }

  /** Starts the app with `args`, as a new WebDriver session; waits for the UI. */
  async launch(args = []) {
    const value = await this.wd('POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application: this.app, args } } },
    });
    this.session = value.sessionId;
    await this.until('the UI to start', () => document.querySelector('[data-testid=session-list]') !== null);
  }

  /** Ends the WebDriver session (which closes the app if it still runs). */
  async quit() {
    const id = this.session;
    this.session = null;
    if (id) await this.wd('DELETE', `/session/${id}`);
  }

  /** Quits the app and stops tauri-driver. */
  async stop() {
    await this.quit().catch(() => {});
    this.process?.kill('SIGTERM');
  }

  /** Runs `fn` (a function, serialized) in the window with `args`; awaits a promise it returns. */
  async run(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve((${fn}).apply(null, Array.from(arguments).slice(0, -1)))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ error: String(e && (e.message || JSON.stringify(e))) }));`;
    const out = await this.wd('POST', `/session/${this.session}/execute/async`, { script, args });
    if (out && 'error' in out) throw new Error(out.error);
    return out?.ok;
  }

  /** Waits until `fn` (run in the window) answers something truthy; returns it. */
  async until(what, fn, ...args) {
    const deadline = Date.now() + 30_000;
    let last;
    while (Date.now() < deadline) {
      try {
        last = await this.run(fn, ...args);
        if (last) return last;
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    await this.shot(`timeout-${what.replace(/\W+/g, '-')}`);
    throw new Error(`timed out waiting for ${what} (last: ${last})`);
  }

  /** The trimmed text of the element with test id `id`, or null. */
  text(id) {
    return this.run((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent.trim() ?? null, id);
  }

  /** Clicks the element matching `css` the way a user does, through WebDriver. */
  async click(css) {
    const el = await this.wd('POST', `/session/${this.session}/element`, { using: 'css selector', value: css });
    await this.wd('POST', `/session/${this.session}/element/${Object.values(el)[0]}/click`, {});
  }

  /** Sends a native drag-drop event as the window gets one from the system
   * (positions in physical pixels). */
  dragEvent(event, payload) {
    return this.run((event, payload) => window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event, payload }), event, payload);
  }

  /** Invokes one of the app's commands as the UI does. */
  command(cmd, args) {
    return this.run((cmd, args) => window.__TAURI_INTERNALS__.invoke(cmd, args), cmd, args);
  }

  /** The summary cards, as numbers. */
  summary() {
    return this.run(() =>
      Object.fromEntries(
        [...document.querySelectorAll('[data-testid^="summary-"]')].map((e) => [
          e.dataset.testid.slice('summary-'.length),
          Number(e.textContent.replace(/\D/g, '')),
        ]),
      ),
    );
  }

  /** The open session's id (the UI keeps it in its URL). */
  sessionId() {
    return this.run(() => new URLSearchParams(location.search).get('session'));
  }

  /** A screenshot of the whole X screen, as a person would see it, once
   * the window has painted what the DOM now holds. */
  async shot(name) {
    if (!this.shots) return;
    try {
      if (this.session) await this.run(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await sleep(150);
      execFileSync('import', ['-window', 'root', join(this.shots, `${name}.png`)], { stdio: 'ignore' });
    } catch (e) {
      console.error(`screenshot ${name} failed: ${e.message}`);
    }
  }
}

function assert(ok, message) {
  if (!ok) throw new Error(message);
}
