import { describe, expect, it } from 'vitest';
import { IpcTransport } from './ipc';
import { TransportError } from './types';

describe('IpcTransport', () => {
  it('invokes a plain operation through the one call command, by name', async () => {
    const calls: [string, unknown][] = [];
    const t = new IpcTransport((async (cmd: string, args?: Record<string, unknown>) => {
      calls.push([cmd, args]);
      return { total: 0, offset: 0, rows: [] };
    }) as never);
    await t.page('s1', { offset: 200, limit: 200, status: ['changed'], sort: 'key', desc: true });
    expect(calls[0]).toEqual([
      'call',
      { name: 'results', args: { id: 's1', query: { offset: '200', limit: '200', status: 'changed', sort: 'key', desc: 'true' } } },
    ]);
    await t.renameSession('s1', 'April');
    expect(calls[1]).toEqual(['call', { name: 'rename_session', args: { id: 's1', name: 'April' } }]);
    await t.setSettings({ reference_above: '1G' });
    expect(calls[2]).toEqual(['call', { name: 'set_settings', args: { change: { reference_above: '1G' } } }]);
    // An operation with a command of its own is invoked by that command.
    await t.listSessions();
    expect(calls[3]).toEqual(['list_sessions', {}]);
  });

  it('turns a refusal into the engine error', async () => {
    const t = new IpcTransport((async () => Promise.reject({ code: 'not_found', message: "there is no session 'x'" })) as never);
    const e = await t.session('x').catch((e: unknown) => e);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).error.code).toBe('not_found');
  });

  it('loads by path only', async () => {
    const t = new IpcTransport((async () => ({})) as never);
    const op = t.loadFile('s1', 'left', { kind: 'bytes', file: new Blob(['a']) as File });
    expect(op.cancel).toBeUndefined();
    await expect(op.done).rejects.toThrow(/by path/);
  });

  it('loads a path with a progress channel, and cancels that load', async () => {
    // A Channel registers its callback with Tauri's page internals.
    Object.assign(globalThis, { window: { __TAURI_INTERNALS__: { transformCallback: () => 1 } } });
    const calls: [string, Record<string, unknown> | undefined][] = [];
    const t = new IpcTransport((async (cmd: string, args?: Record<string, unknown>) => {
      calls.push([cmd, args]);
      return cmd === 'load_file' ? { file: { name: '/data/a.csv' }, millis: 5 } : 7;
    }) as never);
    const op = t.loadFile('s1', 'right', { kind: 'path', path: '/data/a.csv' });
    expect((await op.done).millis).toBe(5);
    expect(calls[0][0]).toBe('load_file');
    expect(calls[0][1]).toMatchObject({ id: 's1', side: 'right', path: '/data/a.csv' });
    expect(calls[0][1]?.channel).toBeDefined();
    op.cancel?.();
    await Promise.resolve();
    expect(calls[1]).toEqual(['call', { name: 'cancel_load', args: { id: 's1', side: 'right' } }]);
  });
});
