// The Tauri IPC transport, for the desktop window: the same operations as
// HTTP, as commands of the main process (src-tauri/src/commands.rs). Files
// are loaded by path (their contents never cross IPC); progress and
// comparison events arrive through IPC channels.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { Calls, pageParams } from './calls';
import { OPERATIONS } from './routes';
import {
  TransportError,
  type ApiError,
  type Cancellable,
  type ColumnProfile,
  type CompareConfig,
  type DropEvent,
  type ExportFormat,
  type Reconciled,
  type FileInfo,
  type FileSource,
  type JobEvent,
  type Loaded,
  type Opened,
  type Overview,
  type Page,
  type PageQuery,
  type ReadOptions,
  type ResultSource,
  type Pairing,
  type SessionInfo,
  type Settings,
  type SettingsChange,
  type Shell,
  type Side,
  type Subscription,
  type Suggestions,
  type Transport,
} from './types';

type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;

/** Calls a command; a refusal becomes a TransportError with the engine's error. */
async function call<T>(run: Invoke, cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await run<T>(cmd, args);
  } catch (e) {
    const error: ApiError =
      e && typeof e === 'object' && 'code' in e && 'message' in e ? (e as ApiError) : { code: 'ipc', message: String(e) };
    throw new TransportError(error);
  }
}

export class IpcTransport extends Calls implements Transport {
  private listeners = new Map<string, Set<(e: JobEvent) => void>>();

  constructor(private readonly run: Invoke = invoke) {
    super();
  }

  /** Performs an operation by its command: plain operations through the
   * one `call` command, by name. */
  call<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
    const command = OPERATIONS.find((o) => o.name === name)?.command ?? name;
    return command === 'call' ? call<T>(this.run, 'call', { name, args }) : call<T>(this.run, command, args);
  }

  loadFile(id: string, side: Side, source: FileSource, progress?: (f: number) => void, options: ReadOptions = {}): Cancellable<Loaded> {
    if (source.kind !== 'path') {
      const e = { code: 'invalid', message: 'the desktop app opens files by path: use Choose file… or drop the file on the window' };
      return { done: Promise.reject(new TransportError(e)) };
    }
    const channel = new Channel<JobEvent>();
    channel.onmessage = (e) => {
      // The app copies the file into the store while it parses it; the
      // parse reports progress.
      if (e.type === 'progress' && e.total > 0 && e.phase === 'loading') progress?.(e.done / e.total);
    };
    return {
      done: this.call<Loaded>('upload_file', { id, side, path: source.path, options, channel }),
      cancel: () => void this.call('cancel_load', { id, side }).catch(() => {}),
    };
  }

  compare(id: string) {
    const channel = new Channel<JobEvent>();
    channel.onmessage = (e) => this.listeners.get(id)?.forEach((on) => on(e));
    return this.call<{ job: number }>('start_compare', { id, channel });
  }
  events(id: string, on: (e: JobEvent) => void): Subscription {
    const set = this.listeners.get(id) ?? new Set();
    set.add(on);
    this.listeners.set(id, set);
    return { ready: Promise.resolve(), close: () => set.delete(on) };
  }

  exportResult(id: string, format: ExportFormat, view?: PageQuery) {
    return this.call<string | null>('export', { id, format, query: view ? pageParams(view) : {} });
  }
  saveReconciled(id: string, what: Reconciled) {
    return this.call<string | null>('save_reconciled', { id, what });
  }

  async openResult(source: ResultSource): Promise<SessionInfo | null> {
    if (source.kind === 'files') {
      throw new TransportError({ code: 'invalid', message: 'the desktop app opens a result folder by path: choose or drop it' });
    }
    return this.call<SessionInfo | null>('open_result', source.kind === 'path' ? { path: source.path } : {});
  }
}

/** The desktop window's shell: dialogs, native drops, menu, title. */
export class TauriShell implements Shell {
  constructor(private readonly run: Invoke = invoke) {}

  chooseFile(side: Side) {
    return call<string | null>(this.run, 'choose_file', { side });
  }

  async onDrop(handler: (e: DropEvent) => void) {
    return getCurrentWebview().onDragDropEvent(({ payload }) => {
      // Positions are physical pixels; the UI works in CSS pixels.
      const scale = window.devicePixelRatio || 1;
      if (payload.type === 'leave') return handler({ type: 'leave' });
      const [x, y] = [payload.position.x / scale, payload.position.y / scale];
      if (payload.type === 'drop') handler({ type: 'drop', paths: payload.paths, x, y });
      else if (payload.type === 'enter') handler({ type: 'over', x, y, files: payload.paths.length });
      else handler({ type: 'over', x, y });
    });
  }

  async onMenu(handler: (item: string) => void) {
    return listen<string>('menu', (e) => handler(e.payload));
  }

  async onOpened(handler: (o: Opened) => void) {
    return listen<Opened>('open-session', (e) => handler(e.payload));
  }

  takeOpened() {
    return call<Opened | null>(this.run, 'take_opened');
  }

  alive() {
    return call<void>(this.run, 'alive');
  }

  async setTitle(title: string) {
    await getCurrentWindow().setTitle(title);
  }
}
