// The stores, shared with every component through Svelte's context, so
// that no component builds its own or reaches the transport.
import { getContext, setContext } from 'svelte';
import type { ThemeStore } from '../theme.svelte';
import type { ResultsView } from './results.svelte';
import type { Sessions } from './sessions.svelte';
import type { SettingsStore } from './settings.svelte';
import type { Workspace } from './workspace.svelte';

export interface Stores {
  sessions: Sessions;
  workspace: Workspace;
  results: ResultsView;
  theme: ThemeStore;
  settings: SettingsStore;
}

const KEY = Symbol('concord-stores');

export function provideStores(s: Stores) {
  setContext(KEY, s);
}

export function stores(): Stores {
  return getContext<Stores>(KEY);
}
