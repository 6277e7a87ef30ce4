// The one list of operations (src/operations.json, from src/operations.rs) against both
// transports: each operation the UI performs is performed by calling its
// desktop command over IPC and its route over HTTP, and neither transport
// calls anything the list does not name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpTransport } from './http';
import { IpcTransport, TauriShell } from './ipc';
import { OPERATIONS, ROUTES } from './routes';

/** What each UI method is called with (`source` is filled per transport). */
const ARGS: Record<string, (source: unknown) => unknown[]> = {
  settings: () => [],
  setSettings: () => [{}],
  listSessions: () => [],
  createSession: () => ['n'],
  session: () => ['s1'],
  renameSession: () => ['s1', 'n'],
  forkSession: () => ['s1', 'n'],
  deleteSession: () => ['s1'],
  loadFile: (source) => ['s1', 'left', source],
  openResult: (source) => [
    (source as { kind: string }).kind === 'path'
      ? { kind: 'dialog' }
      : { kind: 'files', files: [new File(['{}'], 'manifest.json')] },
  ],
  file: () => ['s1', 'left'],
  profiles: () => ['s1', 'left'],
  suggestions: () => ['s1'],
  pairing: () => ['s1'],
  setConfig: () => ['s1', {}],
  compare: () => ['s1'],
  cancelCompare: () => ['s1'],
  events: () => ['s1', () => {}],
  overview: () => ['s1'],
  page: () => ['s1', {}],
  exportResult: () => ['s1', 'csv'],
  choose: () => ['s1', { take: 'right', scope: { kind: 'row', row: 0 } }],
  reconciliation: () => ['s1'],
  saveReconciled: () => ['s1', 'file'],
  chooseFile: () => ['left'],
  takeOpened: () => [],
  alive: () => [],
};

type Target = Record<string, (...a: unknown[]) => unknown>;

/** Calls `method` on `target` and everything it hands back that starts
 * more work (a load's cancel), ignoring how the fakes answer. */
async function perform(target: Target, method: string, source: unknown) {
  const out = target[method](...ARGS[method](source)) as { done?: Promise<unknown>; cancel?: () => void } | Promise<unknown>;
  if (out && 'done' in out) {
    out.cancel?.();
    await out.done?.catch(() => {});
  } else {
    await Promise.resolve(out).catch(() => {});
  }
  await new Promise((r) => setTimeout(r, 0));
}

const uiOps = OPERATIONS.filter((o) => o.ui);

describe('the one list of operations', () => {
  it('says why an operation lacks a route, a command or a UI method', () => {
    for (const o of OPERATIONS) {
      if (!o.http || !o.command || !o.ui) expect(o.why, o.name).toBeTruthy();
    }
    for (const o of uiOps) expect(ARGS[o.ui!.split('.')[1]], o.ui).toBeDefined();
  });

  describe('over IPC', () => {
    beforeEach(() => {
      // A Channel registers its callback with Tauri's page internals.
      Object.assign(globalThis, { window: { __TAURI_INTERNALS__: { transformCallback: () => 1 } } });
    });

    it('calls the listed command, and only listed ones', async () => {
      const listed = new Set(OPERATIONS.flatMap((o) => (o.command ? [o.command] : [])));
      for (const o of uiOps) {
        const called: string[] = [];
        const named: unknown[] = [];
        const run = (async (cmd: string, args?: { name?: string }) => {
          called.push(cmd);
          if (cmd === 'call') named.push(args?.name);
          return {};
        }) as never;
        const [kind, method] = o.ui!.split('.');
        const target = (kind === 'Shell' ? new TauriShell(run) : new IpcTransport(run)) as unknown as Target;
        expect(typeof target[method], o.ui).toBe('function');
        await perform(target, method, { kind: 'path', path: '/data/a.csv' });
        if (o.command) expect(called, `${o.ui} should call ${o.command}`).toContain(o.command);
        // A plain operation goes through `call`, by its own name.
        if (o.command === 'call') expect(named, `${o.ui} should call ${o.name}`).toContain(o.name);
        for (const c of called) expect(listed.has(c), `${o.ui} calls unlisted ${c}`).toBe(true);
      }
    });
  });

  describe('over HTTP', () => {
    const requests: string[] = [];
    const saved: Record<string, unknown> = {};
    beforeEach(() => {
      requests.length = 0;
      for (const k of ['XMLHttpRequest', 'EventSource', 'document']) saved[k] = (globalThis as Record<string, unknown>)[k];
      class FakeXhr {
        upload = {};
        open(method: string, url: string) {
          requests.push(`${method} ${url}`);
        }
        onabort?: () => void;
        setRequestHeader() {}
        send() {}
        abort() {
          this.onabort?.();
        }
      }
      class FakeEventSource {
        static CLOSED = 2;
        constructor(url: string) {
          requests.push(`GET ${url}`);
        }
        addEventListener() {}
        close() {}
      }
      const link = { href: '', download: '', click: () => requests.push(`GET ${link.href.split('?')[0]}`), remove() {} };
      Object.assign(globalThis, {
        XMLHttpRequest: FakeXhr,
        EventSource: FakeEventSource,
        document: { createElement: () => link, body: { append() {} } },
      });
    });
    afterEach(() => Object.assign(globalThis, saved));

    it('requests the listed route, and only listed ones', async () => {
      const routes = new Set(ROUTES.map((r) => `${r.method} ${r.path.replace('{id}', 's1').replace('{side}', 'left')}`));
      for (const o of uiOps.filter((x) => x.ui!.startsWith('Transport.'))) {
        requests.length = 0;
        const t = new HttpTransport('', async (url, init) => {
          requests.push(`${init?.method ?? 'GET'} ${String(url).split('?')[0]}`);
          return new Response('{}', { status: 200 });
        }) as unknown as Target;
        const method = o.ui!.split('.')[1];
        expect(typeof t[method], o.ui).toBe('function');
        await perform(t, method, { kind: 'bytes', file: new Blob(['a']) });
        if (o.http) {
          const expected = `${o.http.method} ${o.http.path.replace('{id}', 's1').replace('{side}', 'left')}`;
          expect(requests, `${o.ui} should request ${expected}`).toContain(expected);
        }
        for (const r of requests) expect(routes.has(r), `${o.ui} requests unlisted ${r}`).toBe(true);
      }
    });
  });
});
