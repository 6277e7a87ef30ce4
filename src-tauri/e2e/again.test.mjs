// End to end, repeated: start the desktop app with two files (it loads and
// compares them at once) and click "Compare again" the moment it is
// enabled, twenty times over, each in a fresh app. Once, 3 runs in 8 of
// this lost the window (the WebDriver connection closed without an
// answer): every run must end with the second result on screen and the
// app still there. CONCORD_AGAIN_RUNS sets how many runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Driver, appEnv, concordWindowShown, root } from './driver.mjs';

const app = join(root, 'target', 'debug', 'concord-desktop');
const fixtures = join(root, 'tests', 'fixtures');
const bridges = [join(fixtures, 'daff', 'bridges.csv'), join(fixtures, 'daff', 'broken_bridges.csv')];
const runs = Number(process.env.CONCORD_AGAIN_RUNS ?? 20);
const tmp = mkdtempSync(join(tmpdir(), 'concord-desktop-again-'));
const env = appEnv(tmp);
let d;

before(async () => {
  d = await Driver.start({ app, env, log: join(tmp, 'tauri-driver.log'), shots: join(root, 'target', 'e2e-desktop-again') });
});

after(() => d?.stop());

test(`start with two files and click "Compare again" at once, ${runs} times`, async () => {
  for (let run = 1; run <= runs; run++) {
    await d.launch(bridges);
    // The click comes from inside the page, the moment the button reads
    // "Compare again" and is enabled: no WebDriver round trip between.
    const clicked = await d.run(
      () =>
        new Promise((resolve) => {
          const ready = () => {
            const b = document.querySelector('[data-testid=compare-button]');
            return b && !b.disabled && /again/.test(b.textContent) ? b : null;
          };
          const press = () => {
            const b = ready();
            if (!b) return false;
            observer.disconnect();
            b.click();
            resolve(document.querySelector('[data-testid=summary-changed]')?.textContent ?? null);
            return true;
          };
          const observer = new MutationObserver(press);
          if (!press()) observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        }),
    );
    assert.ok(clicked, `run ${run}: the first result showed before the click`);
    await d.until(`run ${run}: the second result`, () => {
      const b = document.querySelector('[data-testid=compare-button]');
      return b && !b.disabled && document.querySelector('[data-testid=summary-changed]');
    });
    assert.deepEqual(await d.summary(), { matched: 7, identical: 6, changed: 1, 'only-left': 1, 'only-right': 1 }, `run ${run}`);
    assert.ok(concordWindowShown(), `run ${run}: the window is still there`);
    await d.quit();
  }
});
