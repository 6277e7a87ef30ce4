// The open session lives in the URL (`?session=ID`), so that a reload, a
// bookmark or a second tab returns to it.

export function sessionFromUrl(): string | null {
  return new URLSearchParams(location.search).get('session');
}

export function setSessionInUrl(id: string | null) {
  const url = new URL(location.href);
  if (id) url.searchParams.set('session', id);
  else url.searchParams.delete('session');
  if (url.href !== location.href) history.replaceState(null, '', url);
}

/** Whether the desktop app loaded the page again after its web process
 * ended (`?recovered=1`, see src-tauri/src/recovery.rs); the mark is
 * removed, so that a later reload says nothing. */
export function takeRecovered(): boolean {
  const url = new URL(location.href);
  if (!url.searchParams.has('recovered')) return false;
  url.searchParams.delete('recovered');
  history.replaceState(null, '', url);
  return true;
}
