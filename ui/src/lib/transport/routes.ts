// The server's routes and the desktop's commands, read from the one list
// of operations (src/operations.json, written from src/operations.rs) that
// the server and the desktop app are built from, so they cannot drift apart.
import list from '../../../../src/operations.json';

/** One operation of the list: its HTTP route, its desktop command, the
 * transport method that performs it, and why one of them is missing. */
export interface Operation {
  name: string;
  /** Its route; `body` names the argument that is the whole JSON body,
   * `query` the one that is the whole query string. */
  http?: { method: string; path: string; status?: number; body?: string; query?: string };
  /** Its desktop command: `call` for a plain operation. */
  command?: string;
  ui?: string;
  why?: string;
  /** Whether it is one workflow call, reached through `call`. */
  call?: boolean;
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
