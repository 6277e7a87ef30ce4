// The settings (memory limit, size from which files are referenced), as
// the settings dialog shows and changes them.
import { asApiError } from '../errors';
import type { ApiError, GcReport, Settings, SettingsChange, Transport } from '../transport/types';

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

  /** Removes the copies of files no session uses any more from the data
   * folder; what was removed, or null (with `error` set). */
  async clean(): Promise<GcReport | null> {
    try {
      const report = await this.transport.call<GcReport>('clean_data');
      await this.load();
      return report;
    } catch (e) {
      this.error = asApiError(e);
      return null;
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
