// The settings (memory limit, size from which files are referenced), as
// the settings dialog shows and changes them.
import { asApiError } from '../errors';
import type { ApiError, Settings, SettingsChange, Transport } from '../transport/types';

export class SettingsStore {
  value = $state<Settings | null>(null);
  error = $state<ApiError | null>(null);

  constructor(private readonly transport: Transport) {}

  async load() {
    try {
      this.value = await this.transport.settings();
      this.error = null;
    } catch (e) {
      this.error = asApiError(e);
    }
  }

  /** Saves a change; false (with `error` set) when the engine refused it. */
  async save(change: SettingsChange): Promise<boolean> {
    try {
      this.value = await this.transport.setSettings(change);
      this.error = null;
      return true;
    } catch (e) {
      this.error = asApiError(e);
      return false;
    }
  }
}
