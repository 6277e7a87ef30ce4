// The plain operations of the one list (src/operations.rs): each is one
// workflow call by name with named arguments, the same over both
// transports. A transport implements `call`; the typed methods are
// written here once, and a store may call an operation by name.
import type {
  Choice,
  ColumnProfile,
  CompareConfig,
  FileInfo,
  Overview,
  Page,
  PageQuery,
  Pairing,
  Reconciliation,
  SessionInfo,
  Settings,
  SettingsChange,
  Side,
  Suggestions,
} from './types';

/** A page query as the text parameters the engine reads
 * (`PageQuery::from_params`): a URL query string over HTTP, a map over IPC. */
export function pageParams(q: PageQuery): Record<string, string> {
  const p: Record<string, string> = {};
  if (q.offset) p.offset = String(q.offset);
  if (q.limit !== undefined) p.limit = String(q.limit);
  if (q.status?.length) p.status = q.status.join(',');
  if (q.column) p.column = q.column;
  if (q.q) p.q = q.q;
  if (q.sort) p.sort = q.sort;
  if (q.desc) p.desc = 'true';
  if (q.differing_only) p.differing_only = 'true';
  return p;
}

export abstract class Calls {
  /** Performs the operation `name` of the list with named arguments. */
  abstract call<T>(name: string, args?: Record<string, unknown>): Promise<T>;

  settings() {
    return this.call<Settings>('settings');
  }
  setSettings(change: SettingsChange) {
    return this.call<Settings>('set_settings', { change });
  }
  listSessions() {
    return this.call<SessionInfo[]>('list_sessions');
  }
  /** Creates a session; without a name, it takes its files' names once
   * both are loaded. */
  createSession(name?: string) {
    return this.call<SessionInfo>('create_session', name === undefined ? {} : { name });
  }
  session(id: string) {
    return this.call<SessionInfo>('get_session', { id });
  }
  renameSession(id: string, name: string) {
    return this.call<SessionInfo>('rename_session', { id, name });
  }
  forkSession(id: string, name: string) {
    return this.call<SessionInfo>('fork_session', { id, name });
  }
  async deleteSession(id: string) {
    await this.call<unknown>('delete_session', { id });
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
    return this.call<SessionInfo>('set_config', { id, config });
  }
  async cancelCompare(id: string) {
    await this.call<unknown>('cancel_compare', { id });
  }
  overview(id: string) {
    return this.call<Overview>('overview', { id });
  }
  page(id: string, q: PageQuery) {
    return this.call<Page>('results', { id, query: pageParams(q) });
  }
  choose(id: string, choice: Choice) {
    return this.call<Reconciliation>('choose', { id, choice });
  }
  reconciliation(id: string) {
    return this.call<Reconciliation>('reconciliation', { id });
  }
}
