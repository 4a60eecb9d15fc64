/**
 * The caching hints of MCP 2026-07-28 (SEP-2549): list results, `resources/read` and
 * `server/discover` carry `ttlMs` and `cacheScope`, and every result `resultType` and the server's
 * identity in `_meta`.
 *
 * Never imports Node-RED.
 */
import { isObject } from '../jsonrpc';
import { META } from './envelope';

/** Methods whose results carry `ttlMs` and `cacheScope` (SEP-2549). */
const CACHEABLE_METHODS: ReadonlySet<string> = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read', 'server/discover']);

/** Caching hints of an endpoint's results. */
export interface CachingOptions {
  /** `ttlMs` of list results and `resources/read`, integer ms >= 0. Default 0 (re-fetch every time). */
  ttlMs?: number;
  /** `cacheScope`: `private` (default) or `public`. */
  cacheScope?: 'public' | 'private';
}

/**
 * Adds what a 2026-07-28 result needs: `resultType` (`complete` unless set), the server's
 * identity in `_meta`, and for {@link CACHEABLE_METHODS} `ttlMs` and `cacheScope` (unless set).
 */
export function decorateResult(result: Record<string, unknown>, method: string | undefined, serverInfo: unknown, caching: Required<CachingOptions>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...result };
  if (out.resultType === undefined) out.resultType = 'complete';
  const meta = isObject(out._meta) ? { ...out._meta } : {};
  if (meta[META.serverInfo] === undefined) meta[META.serverInfo] = serverInfo;
  out._meta = meta;
  if (method !== undefined && CACHEABLE_METHODS.has(method) && out.resultType === 'complete') {
    if (typeof out.ttlMs !== 'number') out.ttlMs = caching.ttlMs;
    if (out.cacheScope !== 'public' && out.cacheScope !== 'private') out.cacheScope = caching.cacheScope;
  }
  return out;
}
