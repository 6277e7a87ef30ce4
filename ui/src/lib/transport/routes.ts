// The server's route list, read from the same file the server is built
// from (src/api/routes.json), so the two cannot drift apart.
import list from '../../../../src/api/routes.json';

export interface Route {
  name: string;
  method: string;
  path: string;
}

export const ROUTES: Route[] = list;

/** The path of route `name`, with its `{params}` filled in and encoded. */
export function routePath(name: string, params: Record<string, string> = {}): { method: string; path: string } {
  const r = ROUTES.find((x) => x.name === name);
  if (!r) throw new Error(`no route named ${name}`);
  const path = r.path.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`route ${name} needs ${k}`);
    return encodeURIComponent(v);
  });
  return { method: r.method, path };
}
