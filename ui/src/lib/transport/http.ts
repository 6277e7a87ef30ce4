// The HTTP transport, for the browser tab served by `concord serve`.
import { Calls, pageParams } from './calls';
import { OPERATIONS, routePath } from './routes';
import {
  TransportError,
  type ApiError,
  type Cancellable,
  type ColumnProfile,
  type CompareConfig,
  type ExportFormat,
  type Reconciled,
  type FileInfo,
  type FileSource,
  type JobEvent,
  type Loaded,
  type Overview,
  type Page,
  type PageQuery,
  type ReadOptions,
  type ResultSource,
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

export class HttpTransport extends Calls implements Transport {
  constructor(
    private readonly base = '',
    private readonly fetcher: Fetch = (...a) => fetch(...a),
  ) {
    super();
  }

  /** Performs an operation by its route: `{id}`-style arguments fill the
   * path; the argument the list names for the query (or, for GET and
   * DELETE, every other one) goes in the query string; the argument it
   * names for the body (or every other one) is the JSON body. */
  async call<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
    const http = OPERATIONS.find((o) => o.name === name)?.http;
    if (!http) throw new Error(`the operation ${name} has no route`);
    const rest: Record<string, unknown> = { ...args };
    const { method, path } = routePath(name, rest as Record<string, string>);
    for (const [, k] of http.path.matchAll(/\{(\w+)\}/g)) delete rest[k];
    let query: Record<string, string> = {};
    if (http.query) {
      query = (rest[http.query] ?? {}) as Record<string, string>;
      delete rest[http.query];
    } else if (method === 'GET' || method === 'DELETE') {
      query = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)]));
      for (const k of Object.keys(rest)) delete rest[k];
    }
    const body = http.body ? rest[http.body] : Object.keys(rest).length ? rest : undefined;
    const init: RequestInit = { method, headers: {} };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const search = new URLSearchParams(query).toString();
    return answer<T>(await this.fetcher(this.base + path + (search ? `?${search}` : ''), init));
  }

  loadFile(id: string, side: Side, source: FileSource, progress?: (f: number) => void, options: ReadOptions = {}): Cancellable<Loaded> {
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
    const search = new URLSearchParams(options).toString();
    xhr.open(method, this.base + path + (search ? `?${search}` : ''));
    xhr.setRequestHeader('X-File-Name', source.file.name);
    xhr.send(source.file);
    return { done, cancel: () => xhr.abort() };
  }

  async openResult(source: ResultSource): Promise<SessionInfo | null> {
    if (source.kind !== 'files') {
      throw new TransportError({ code: 'invalid', message: 'the browser sends a result folder chosen in its folder input' });
    }
    const { method, path } = routePath('open_result', {});
    return answer<SessionInfo>(await this.fetcher(this.base + path, { method, body: resultUpload(source.files) }));
  }

  compare(id: string) {
    return this.call<{ job: number }>('start_compare', { id });
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
  exportUrl(id: string, format: ExportFormat, view?: PageQuery) {
    const search = new URLSearchParams({ format, ...(view ? pageParams(view) : {}) });
    return `${this.base}${routePath('export', { id }).path}?${search}`;
  }
  async exportResult(id: string, format: ExportFormat, view?: PageQuery): Promise<string | null> {
    // The browser downloads it; the server names the file
    // (Content-Disposition) and streams it.
    download(this.exportUrl(id, format, view));
    return null;
  }
  async saveReconciled(id: string, what: Reconciled): Promise<string | null> {
    download(`${this.base}${routePath('save_reconciled', { id }).path}?${new URLSearchParams({ as: what })}`);
    return null;
  }
}

/** The first line of a result folder sent as one body (the server's
 * `UPLOAD_MAGIC`, src/backend/spark.rs). */
const RESULT_MAGIC = 'CONCORD-RESULT 1';

/** The files of a Spark result folder (as a folder input gives them) in
 * one body the server reads as they stream: `manifest.json` and the
 * Parquet files of `rows/`, each after a line naming it and its size.
 * Spark's marker and checksum files stay behind; the files are not read
 * here (the Blob refers to them). */
export function resultUpload(files: File[]): Blob {
  const relative = (f: File) => (f.webkitRelativePath || f.name).split('/');
  const manifest = files
    .filter((f) => relative(f).at(-1) === 'manifest.json')
    .sort((a, b) => relative(a).length - relative(b).length)[0];
  if (!manifest) {
    throw new TransportError({
      code: 'invalid_file',
      message: 'this folder holds no manifest.json: choose the folder Spark wrote (its --output)',
    });
  }
  const top = relative(manifest).slice(0, -1).join('/');
  const rows = files
    .filter((f) => {
      const parts = relative(f);
      const name = parts.at(-1) ?? '';
      return parts.slice(0, -1).join('/') === (top ? `${top}/rows` : 'rows') && name.endsWith('.parquet') && !/^[._]/.test(name);
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const head = (name: string, f: File) => `${JSON.stringify({ name, bytes: f.size })}\n`;
  const parts: BlobPart[] = [`${RESULT_MAGIC}\n`, head('manifest.json', manifest), manifest];
  for (const f of rows) parts.push(head(`rows/${f.name}`, f), f);
  return new Blob(parts);
}

/** Has the browser download `url` (the server names the file). */
function download(url: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  document.body.append(a);
  a.click();
  a.remove();
}
