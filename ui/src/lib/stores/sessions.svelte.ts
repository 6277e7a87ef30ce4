// The saved sessions, as the sidebar lists them.
import { asApiError } from '../errors';
import type { ApiError, SessionInfo, Transport } from '../transport/types';

export class Sessions {
  list = $state<SessionInfo[]>([]);
  loaded = $state(false);
  error = $state<ApiError | null>(null);

  constructor(private readonly transport: Transport) {}

  async refresh() {
    try {
      this.list = await this.transport.listSessions();
      this.error = null;
    } catch (e) {
      this.error = asApiError(e);
    }
    this.loaded = true;
  }

  async rename(id: string, name: string) {
    await this.transport.renameSession(id, name);
    await this.refresh();
  }

  async fork(id: string): Promise<SessionInfo> {
    const from = this.list.find((s) => s.id === id);
    const copy = await this.transport.forkSession(id, `${from?.name ?? 'Session'} (copy)`);
    await this.refresh();
    return copy;
  }

  async remove(id: string) {
    await this.transport.deleteSession(id);
    await this.refresh();
  }
}
