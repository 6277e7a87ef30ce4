// The HTTP transport, for the browser tab served by `concord serve`.
import { routePath } from './routes';
import {
  TransportError,
  type ApiError,
  type Cancellable,
  type ColumnProfile,
  type CompareConfig,
  type ExportFormat,
  type FileInfo,
  type FileSource,
  type JobEvent,
  type Loaded,
  type Overview,
  type Page,
  type PageQuery,
  type Pairing,
  type SessionInfo,
  type Settings,
  type SettingsChange,
  type Side,
  type Suggestions,
  type Subscription,
  type Transport,
} from './types';

type Fetch = typeof fetch;

/** Turns a response into its JSON, or throws the engine's error. */
async function answer<T>(r: Response): Promise<T> {
  if (r.status === 204) return undefined as T;
  const text = await r.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: a proxy or a crash; report the text.
  }
  if (!r.ok) {
    const e = (body as ApiError | undefined) ?? { code: 'http', message: text || `HTTP ${r.status}` };
    throw new TransportError(e, r.status);
  }
  return body as T;
}

/** A page query as the text parameters both backends read
 * (`PageQuery::from_params`): a URL query string here, a map over IPC. */
export function pageParams(q: PageQuery): Record<string, string> {
  const p: Record<string, string> = {};
  if (q.offset) p.offset = String(q.offset);
  if (q.limit !== undefined) p.limit = String(q.limit);
  if (q.status?.length) p.status = q.status.join(',');
  if (q.column) p.column = q.column;
  if (q.q) p.q = q.q;
  if (q.sort) p.sort = q.sort;
  if (q.desc) p.desc = 'true';
  return p;
}

export function pageSearch(q: PageQuery): string {
  const s = new URLSearchParams(pageParams(q)).toString();
  return s ? `?${s}` : '';
}

export class HttpTransport implements Transport {
  constructor(
    private readonly base = '',
    private readonly fetcher: Fetch = (...a) => fetch(...a),
  ) {}

  private async call<T>(name: string, params: Record<string, string> = {}, body?: unknown, query = ''): Promise<T> {
    const { method, path } = routePath(name, params);
    const init: RequestInit = { method, headers: {} };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    return answer<T>(await this.fetcher(this.base + path + query, init));
  }

  listSessions() {
    return this.call<SessionInfo[]>('list_sessions');
  }
  createSession(name: string) {
    return this.call<SessionInfo>('create_session', {}, { name });
  }
  session(id: string) {
    return this.call<SessionInfo>('get_session', { id });
  }
  renameSession(id: string, name: string) {
    return this.call<SessionInfo>('rename_session', { id }, { name });
  }
  forkSession(id: string, name: string) {
    return this.call<SessionInfo>('fork_session', { id }, { name });
  }
  deleteSession(id: string) {
    return this.call<void>('delete_session', { id });
  }
  settings() {
    return this.call<Settings>('settings');
  }
  setSettings(change: SettingsChange) {
    return this.call<Settings>('set_settings', {}, change);
  }

  loadFile(id: string, side: Side, source: FileSource, progress?: (f: number) => void): Cancellable<Loaded> {
    if (source.kind !== 'bytes') {
      const e = { code: 'invalid', message: 'the browser uploads files; it cannot load one by path' };
      return { done: Promise.reject(new TransportError(e)), cancel() {} };
    }
    // XMLHttpRequest reports upload progress, which fetch does not.
    const xhr = new XMLHttpRequest();
    const { method, path } = routePath('upload_file', { id, side });
    const done = new Promise<Loaded>((resolve, reject) => {
      xhr.upload.onprogress = (e) => e.lengthComputable && progress?.(e.loaded / e.total);
      xhr.onload = () => {
        const r = new Response(xhr.responseText, { status: xhr.status });
        answer<Loaded>(r).then(resolve, reject);
      };
      xhr.onerror = () => reject(new TransportError({ code: 'network', message: 'the upload failed: the server is unreachable' }));
      xhr.onabort = () => reject(new TransportError({ code: 'cancelled', message: 'the upload was cancelled' }));
    });
    xhr.open(method, this.base + path);
    xhr.setRequestHeader('X-File-Name', source.file.name);
    xhr.send(source.file);
    return { done, cancel: () => xhr.abort() };
  }

  file(id: string, side: Side) {
    return this.call<FileInfo>('file', { id, side });
  }
  profiles(id: string, side: Side) {
    return this.call<ColumnProfile[]>('profiles', { id, side });
  }
  suggestions(id: string) {
    return this.call<Suggestions>('suggestions', { id });
  }
  pairing(id: string) {
    return this.call<Pairing>('pairing', { id });
  }
  setConfig(id: string, config: CompareConfig) {
    return this.call<SessionInfo>('set_config', { id }, config);
  }
  compare(id: string) {
    return this.call<{ job: number }>('start_compare', { id });
  }
  async cancelCompare(id: string) {
    await this.call<unknown>('cancel_compare', { id });
  }
  events(id: string, on: (e: JobEvent) => void): Subscription {
    const source = new EventSource(this.base + routePath('events', { id }).path);
    for (const name of ['progress', 'done', 'failed', 'cancelled']) {
      source.addEventListener(name, (m) => on(JSON.parse((m as MessageEvent).data) as JobEvent));
    }
    const ready = new Promise<void>((resolve, reject) => {
      source.onopen = () => resolve();
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) {
          reject(new TransportError({ code: 'network', message: 'the server is unreachable' }));
        }
      };
    });
    return { ready, close: () => source.close() };
  }
  overview(id: string) {
    return this.call<Overview>('overview', { id });
  }
  page(id: string, q: PageQuery) {
    return this.call<Page>('results', { id }, undefined, pageSearch(q));
  }
  exportUrl(id: string, format: ExportFormat) {
    return `${this.base}${routePath('export', { id }).path}?format=${encodeURIComponent(format)}`;
  }
  async exportResult(id: string, format: ExportFormat): Promise<string | null> {
    // The browser downloads it; the server names the file
    // (Content-Disposition) and streams it.
    const a = document.createElement('a');
    a.href = this.exportUrl(id, format);
    a.download = '';
    document.body.append(a);
    a.click();
    a.remove();
    return null;
  }
}
