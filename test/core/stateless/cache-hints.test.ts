/**
 * The caching hints of 2026-07-28 results (core/stateless/cache-hints.ts): `resultType`, the
 * server's identity, and `ttlMs` and `cacheScope` on list results and `resources/read`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decorateResult } from '../../../core/stateless/cache-hints';
import { META } from '../../../core/stateless/envelope';

describe('2026-07-28 results', () => {
  const caching = { ttlMs: 30_000, cacheScope: 'public' as const };
  const serverInfo = { name: 'node-red', version: '1.0.0' };

  it('gives list results and resources/read resultType, serverInfo and the endpoint\'s ttlMs and cacheScope', () => {
    for (const method of ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read', 'server/discover']) {
      assert.deepEqual(decorateResult({ tools: [] }, method, serverInfo, caching),
        { tools: [], resultType: 'complete', _meta: { [META.serverInfo]: serverInfo }, ttlMs: 30_000, cacheScope: 'public' }, method);
    }
  });

  it('keeps what the flow set, and gives no caching hints to calls or to input_required', () => {
    assert.deepEqual(decorateResult({ tools: [], ttlMs: 5, cacheScope: 'private', _meta: { mine: 1 } }, 'tools/list', serverInfo, caching),
      { tools: [], ttlMs: 5, cacheScope: 'private', resultType: 'complete', _meta: { mine: 1, [META.serverInfo]: serverInfo } });
    assert.deepEqual(decorateResult({ content: [] }, 'tools/call', serverInfo, caching), { content: [], resultType: 'complete', _meta: { [META.serverInfo]: serverInfo } });
    const asking = decorateResult({ resultType: 'input_required', inputRequests: {} }, 'resources/read', serverInfo, caching);
    assert.equal(asking.ttlMs, undefined);
    assert.equal(asking.cacheScope, undefined);
  });
});
