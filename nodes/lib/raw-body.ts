/**
 * Keeps the bodies of POSTs to the message paths unread until this package reads them.
 *
 * With Node-RED's default settings (`httpAdminRoot` and `httpNodeRoot` both `/`) every request
 * passes the editor API's JSON body parser before it reaches `RED.httpNode`. That parser would
 * answer a malformed body with its own HTML 400 and a large one with its own 413, so the client
 * would never get a JSON-RPC error, and the body limit would be the editor's. body-parser skips a
 * request whose `_body` flag is set, so the flag is set, before Express sees the request, on POSTs
 * to the paths registered here; the endpoint then reads and checks the raw body itself.
 */
import type { IncomingMessage, Server } from 'node:http';

const guarded = new WeakMap<Server, Map<string, number>>();

function pathKey(url: string): string {
  const q = url.indexOf('?');
  const path = (q === -1 ? url : url.slice(0, q)).toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * Leaves POST bodies to `publicPath` (the path as clients request it, `httpNodeRoot` included)
 * unparsed by other middleware on `server`.
 * @returns the function that stops doing so (paths are counted, so two holders can share one).
 */
export function keepBodyRaw(server: Server | undefined, publicPath: string): () => void {
  if (server === undefined || server === null || typeof server.prependListener !== 'function') return () => {};
  let paths = guarded.get(server);
  if (paths === undefined) {
    const live = new Map<string, number>();
    paths = live;
    guarded.set(server, live);
    server.prependListener('request', (req: IncomingMessage) => {
      if (req.method === 'POST' && live.size > 0 && live.has(pathKey(req.url ?? '/'))) {
        (req as IncomingMessage & { _body?: boolean })._body = true;
      }
    });
  }
  const key = pathKey(publicPath);
  const table = paths;
  table.set(key, (table.get(key) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (table.get(key) ?? 1) - 1;
    if (n <= 0) table.delete(key);
    else table.set(key, n);
  };
}
