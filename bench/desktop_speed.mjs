// Times the desktop app (the release build, in a real window under Xvfb,
// driven by tauri-driver): start to an interactive window, memory at rest,
// a drop of two files to both loaded, and Compare to the first rendered
// page of results. Times are taken inside the app (the page's clock and
// the process's start time), so WebDriver's own delays do not count.
//
//   npx tauri build --no-bundle
//   xvfb-run -a -s '-screen 0 1400x900x24' dbus-run-session -- \
//     node bench/desktop_speed.mjs bench/data/left.csv bench/data/right.csv [RUNS]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Driver, appEnv, root, sleep } from '../src-tauri/e2e/driver.mjs';

const [left, right, runsArg] = process.argv.slice(2);
if (!left || !right) {
  console.error('usage: node bench/desktop_speed.mjs LEFT.csv RIGHT.csv [RUNS]');
  process.exit(2);
}
const files = [resolve(left), resolve(right)];
const runs = Number(runsArg ?? 5);
const app = join(root, 'target', 'release', 'concord-desktop');
const tmp = mkdtempSync(join(tmpdir(), 'concord-desktop-bench-'));
const env = appEnv(tmp);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (p) => (statSync(p).size / 1e6).toFixed(0);
const lines = (p) => readFileSync(p).reduce((n, b) => n + (b === 10), 0);

/** Epoch milliseconds at which process `pid` started (from /proc). */
function startedAt(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const btime = Number(readFileSync('/proc/stat', 'utf8').match(/^btime (\d+)/m)[1]);
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  return btime * 1000 + (ticks * 1000) / hz;
}

/** The newest process whose command line starts with `exe`, with its children. */
function appProcesses() {
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const cmd = (p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0];
    } catch {
      return '';
    }
  };
  const main = pids.filter((p) => cmd(p) === app).sort((a, b) => b - a)[0];
  const children = pids.filter((p) => /WebKit(Web|Network)Process/.test(cmd(p)));
  return { main, children };
}

/** Proportional set size (shared pages split between their users), in MiB. */
function pss(pid) {
  const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
  return Number(m[1]) / 1024;
}

/** Resident set size (shared libraries counted whole), in MiB. */
function rss(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(m[1]) / 1024;
}

/** The app's memory now: its own process and WebKit's, PSS and RSS. */
function memoryNow() {
  const { main, children } = appProcesses();
  const sum = (f) => children.reduce((total, p) => total + f(p), 0);
  return { main: pss(main), mainRss: rss(main), webkit: sum(pss), webkitRss: sum(rss) };
}

const said = (m) =>
  `${m.main.toFixed(0)} MiB PSS (${m.mainRss.toFixed(0)} MiB RSS) in concord-desktop + ${m.webkit.toFixed(0)} MiB PSS (${m.webkitRss.toFixed(0)} MiB RSS) in WebKit's processes`;

const d = await Driver.start({ app, env, log: join(tmp, 'tauri-driver.log') });
const starts = [];
let memory;
for (let i = 0; i < runs; i++) {
  await d.launch();
  await d.until('ready', () => performance.getEntriesByName('concord-ready').length > 0);
  const { main, children } = appProcesses();
  const ready = await d.run(() => performance.timeOrigin + performance.getEntriesByName('concord-ready')[0].startTime);
  starts.push(ready - startedAt(main));
  if (i === runs - 1) {
    await sleep(3000);
    memory = memoryNow();
  } else {
    await d.quit();
  }
}

// Drop both files on the window; time until both sides show their rows.
const loads = [];
const compares = [];
for (let i = 0; i < Math.min(runs, 3); i++) {
  await d.click('[data-testid=new-session]');
  await d.until('an empty window', () => !document.querySelector('[data-testid=file-left]'));
  const loaded = await d.run((paths) => {
    const t0 = performance.now();
    return window.__TAURI_INTERNALS__
      .invoke('plugin:event|emit', { event: 'tauri://drag-drop', payload: { paths, position: { x: 400, y: 300 } } })
      .then(
        () =>
          new Promise((ok) => {
            const poll = () =>
              document.querySelector('[data-testid=rows-left]') && document.querySelector('[data-testid=rows-right]')
                ? ok(performance.now() - t0)
                : requestAnimationFrame(poll);
            poll();
          }),
      );
  }, files);
  loads.push(loaded);
  if (process.env.VERBOSE) console.log(await d.text('file-left'), '|', await d.text('file-right'));
  await d.until('the key', () => document.querySelector('[data-testid=compare-button]:not([disabled])'));
  const compared = await d.run(() => {
    const t0 = performance.now();
    document.querySelector('[data-testid=compare-button]').click();
    return new Promise((ok) => {
      const poll = () =>
        document.querySelector('[data-testid=results-grid] [role=row][data-index]') ? ok(performance.now() - t0) : requestAnimationFrame(poll);
      poll();
    });
  });
  compares.push(compared);
}
const afterCompare = memoryNow();
// A new, empty comparison: what the app keeps once a result is put aside.
await d.click('[data-testid=new-session]');
await sleep(5000);
const putAside = memoryNow();
await d.stop();

console.log(`start to interactive window (${runs} launches): ${median(starts).toFixed(0)} ms median, ${Math.max(...starts).toFixed(0)} ms max`);
console.log(`memory at rest: ${said(memory)}`);
console.log(`drop ${mb(files[0])} MB + ${mb(files[1])} MB (${lines(files[0]).toLocaleString('en')} lines) to both loaded: ${median(loads).toFixed(0)} ms median of ${loads.length} (${loads.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`Compare to the first rendered page of results: ${median(compares).toFixed(0)} ms median of ${compares.length} (${compares.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`memory after the comparisons: ${said(afterCompare)}`);
console.log(`memory 5 s after opening a new, empty comparison: ${said(putAside)}`);
