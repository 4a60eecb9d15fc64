/**
 * What Node-RED's settings say about HTTP node routes: the mount prefix and the user's middleware.
 */
import type { NodeAPI } from 'node-red';
import cors, { type CorsOptions } from 'cors';
import type { RouteHandler } from './routes';
import { SESSION_HEADER } from '../../core';

interface HttpNodeSettings {
  httpNodeRoot?: string | false;
  httpNodeMiddleware?: RouteHandler | RouteHandler[];
  httpNodeCors?: CorsOptions;
}

function httpSettings(RED: NodeAPI): HttpNodeSettings {
  return RED.settings as unknown as HttpNodeSettings;
}

/**
 * The path a client uses for `path` on the HTTP node app: `httpNodeRoot` (default `/`) joined
 * with it, e.g. root `/api` and `/sse/message` give `/api/sse/message`.
 */
export function publicPath(RED: NodeAPI, path: string): string {
  const root = httpSettings(RED).httpNodeRoot;
  const prefix = typeof root === 'string' ? root.replace(/\/+$/, '') : '';
  return `${prefix}${path.startsWith('/') ? path : `/${path}`}`;
}

/** False when `httpNodeRoot: false` turned HTTP node routes off. */
export function httpNodesEnabled(RED: NodeAPI): boolean {
  return httpSettings(RED).httpNodeRoot !== false;
}

/** `httpNodeMiddleware` as a list, applied before this package's routes as core `http in` does. */
export function nodeMiddleware(RED: NodeAPI): RouteHandler[] {
  const middleware = httpSettings(RED).httpNodeMiddleware;
  if (middleware === undefined) return [];
  return Array.isArray(middleware) ? middleware : [middleware];
}

/**
 * The CORS handler `httpNodeCors` asks for (the `cors` package, as core `http in` uses), or
 * `undefined` when it is not set: CORS is off unless configured.
 */
export function corsHandler(RED: NodeAPI): RouteHandler | undefined {
  const options = httpSettings(RED).httpNodeCors;
  if (options === undefined || options === null) return undefined;
  return cors({ ...options, exposedHeaders: exposedHeaders(options.exposedHeaders) }) as unknown as RouteHandler;
}

/**
 * The user's `exposedHeaders` plus `Mcp-Session-Id`, which a browser client (the Inspector's web
 * UI) must read from the Streamable HTTP `initialize` response (MCP "Transports > Streamable HTTP
 * > Session Management"), and `WWW-Authenticate`, which it must read from a 401 to find the
 * endpoint's OAuth metadata (MCP "Authorization").
 */
function exposedHeaders(configured: CorsOptions['exposedHeaders']): string[] {
  const list = typeof configured === 'string' ? configured.split(',').map((h) => h.trim()).filter(Boolean) : [...(configured ?? [])];
  for (const header of [SESSION_HEADER, 'WWW-Authenticate']) {
    if (!list.some((h) => h.toLowerCase() === header.toLowerCase())) list.push(header);
  }
  return list;
}
