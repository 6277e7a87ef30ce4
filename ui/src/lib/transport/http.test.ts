import { describe, expect, it } from 'vitest';
import { HttpTransport, resultUpload } from './http';
import { ROUTES, routePath } from './routes';
import { TransportError } from './types';

describe('routes', () => {
  it('come from the server route list and fill in parameters', () => {
    expect(ROUTES.length).toBeGreaterThan(10);
    expect(routePath('upload_file', { id: 'a b', side: 'left' })).toEqual({
      method: 'PUT',
      path: '/api/sessions/a%20b/files/left',
    });
    expect(() => routePath('nope')).toThrow();
    expect(() => routePath('get_session')).toThrow(/needs id/);
  });
});

describe('HttpTransport', () => {
  it('sends JSON to the listed route and returns the answer', async () => {
    const calls: [string, RequestInit][] = [];
    const t = new HttpTransport('', async (url, init) => {
      calls.push([String(url), init ?? {}]);
      return new Response(JSON.stringify({ id: 'x1', name: 'March' }), { status: 201 });
    });
    const s = await t.createSession('March');
    expect(s.id).toBe('x1');
    expect(calls[0][0]).toBe('/api/sessions');
    expect(calls[0][1].method).toBe('POST');
    expect(calls[0][1].body).toBe('{"name":"March"}');
  });

  it('throws the engine error with its code', async () => {
    const t = new HttpTransport('', async () =>
      new Response(JSON.stringify({ code: 'not_found', message: "there is no session 'x'" }), { status: 404 }),
    );
    const e = await t.session('x').catch((e: unknown) => e);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).error.code).toBe('not_found');
    expect((e as TransportError).status).toBe(404);
  });

  it('puts a page query in the query string the server reads, and nothing in a body', async () => {
    const calls: [string, RequestInit][] = [];
    const t = new HttpTransport('', async (url, init) => {
      calls.push([String(url), init ?? {}]);
      return new Response('{}', { status: 200 });
    });
    await t.page('s 1', {});
    await t.page('s1', { offset: 100, limit: 50, status: ['changed', 'only_left'], q: 'a b', sort: 'column:amount', desc: true });
    expect(calls[0][0]).toBe('/api/sessions/s%201/results');
    expect(calls[1][0]).toBe(
      '/api/sessions/s1/results?offset=100&limit=50&status=changed%2Conly_left&q=a+b&sort=column%3Aamount&desc=true',
    );
    expect(calls.every(([, i]) => i.body === undefined && i.method === 'GET')).toBe(true);
  });

  it('sends a configuration as the whole body, and a deletion with none', async () => {
    const calls: [string, RequestInit][] = [];
    const t = new HttpTransport('', async (url, init) => {
      calls.push([String(url), init ?? {}]);
      return new Response(null, { status: 204 });
    });
    await t.setConfig('s1', { keys: [] } as never);
    await t.deleteSession('s1');
    expect(calls.map(([u, i]) => [u, i.method, i.body])).toEqual([
      ['/api/sessions/s1/config', 'PUT', '{"keys":[]}'],
      ['/api/sessions/s1', 'DELETE', undefined],
    ]);
  });

  it('reads and changes the settings at /api/settings', async () => {
    const calls: [string, RequestInit][] = [];
    const t = new HttpTransport('', async (url, init) => {
      calls.push([String(url), init ?? {}]);
      return new Response(JSON.stringify({ memory_limit: 2147483648 }), { status: 200 });
    });
    expect((await t.settings()).memory_limit).toBe(2147483648);
    await t.setSettings({ memory_limit: '2G' });
    expect(calls.map(([u, i]) => [u, i.method])).toEqual([
      ['/api/settings', 'GET'],
      ['/api/settings', 'PUT'],
    ]);
    expect(calls[1][1].body).toBe('{"memory_limit":"2G"}');
  });
});

/** A file as a folder input gives it, at `path` inside the chosen folder. */
function picked(path: string, text: string): File {
  const f = new File([text], path.split('/').at(-1)!);
  Object.defineProperty(f, 'webkitRelativePath', { value: path });
  return f;
}

describe('a Spark result folder sent as one body', () => {
  it('holds the manifest and the rows in name order, and nothing else', async () => {
    const files = [
      picked('out/rows/part-00001-a.snappy.parquet', 'P1'),
      picked('out/rows/_SUCCESS', ''),
      picked('out/rows/.part-00000-a.snappy.parquet.crc', 'crc'),
      picked('out/manifest.json', '{"m":1}'),
      picked('out/rows/part-00000-a.snappy.parquet', 'P0'),
      picked('out/other/manifest.json', 'not this one'),
      picked('out/other/part-9.parquet', 'nor this'),
    ];
    const text = await resultUpload(files).text();
    expect(text).toBe(
      'CONCORD-RESULT 1\n' +
        '{"name":"manifest.json","bytes":7}\n{"m":1}' +
        '{"name":"rows/part-00000-a.snappy.parquet","bytes":2}\nP0' +
        '{"name":"rows/part-00001-a.snappy.parquet","bytes":2}\nP1',
    );
  });

  it('is refused without a manifest, naming what to choose', () => {
    expect(() => resultUpload([picked('out/rows/part-0.parquet', 'P')])).toThrow(/manifest\.json/);
  });

  it('is posted to the listed route, and the session comes back', async () => {
    const calls: [string, RequestInit][] = [];
    const t = new HttpTransport('', async (url, init) => {
      calls.push([String(url), init!]);
      return new Response('{"id":"s9","name":"a vs b"}', { status: 201 });
    });
    const session = await t.openResult({ kind: 'files', files: [picked('r/manifest.json', '{}')] });
    expect(session?.id).toBe('s9');
    expect(calls[0][0]).toBe(routePath('open_result', {}).path);
    expect(calls[0][1].method).toBe('POST');
    await expect(t.openResult({ kind: 'dialog' })).rejects.toThrow(/folder input/);
  });
});
