// The server's routes, read from the one list of operations the server is
// built from (src/operations.json), so the two cannot drift apart.
import list from '../../../../src/operations.json';

/** One operation of the list: its HTTP route, its desktop command, the
 * transport method that performs it, and why one of them is missing. */
export interface Operation {
  name: string;
  http?: { method: string; path: string };
  command?: string;
  ui?: string;
  why?: string;
}

export const OPERATIONS: Operation[] = list;

export interface Route {
  name: string;
  method: string;
  path: string;
}

export const ROUTES: Route[] = OPERATIONS.flatMap((o) => (o.http ? [{ name: o.name, ...o.http }] : []));

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
