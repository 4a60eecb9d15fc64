/**
 * MCP 2026-07-28 building blocks (core/stateless.ts): the envelope check and the error a client
 * gets for each fault, `requestState` sealing (secret, tamper-proof, expiring), the caching hints
 * on list results, and the `subscriptions/listen` filter.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import {
  checkEnvelope, decorateResult, isModernPost, listenFilter, listenWants, META, ModernErrorCode, StateSeal, unknownVersion,
  type EnvelopeError, type RequestState,
} from '../../core/stateless';
import type { JsonRpcMessage } from '../../core/jsonrpc';

const ENVELOPE = { [META.protocolVersion]: '2026-07-28', [META.clientCapabilities]: { elicitation: {} }, [META.clientInfo]: { name: 'c', version: '1' } };

/** A request as node:http hands it over: only its headers are read. */
function post(headers: Record<string, string>): IncomingMessage {
  return { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) } as IncomingMessage;
}

/** A `tools/call` of `name` with `meta` as its `_meta` (`null`: none). */
function call(name: string, meta: Record<string, unknown> | null = ENVELOPE): JsonRpcMessage {
  return { jsonrpc: '2.0', id: 1, method: 'tools/call', params: meta === null ? { name } : { name, _meta: meta } } as JsonRpcMessage;
}

function refusal(result: ReturnType<typeof checkEnvelope>): EnvelopeError {
  assert.ok('status' in result, `refused, not accepted: ${JSON.stringify(result)}`);
  return result;
}

describe('the 2026-07-28 envelope', () => {
  const headers = { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'add' };

  it('accepts a request whose headers match its _meta, and reads the version, capabilities, client and log level', () => {
    const envelope = checkEnvelope(post(headers), call('add', { ...ENVELOPE, [META.logLevel]: 'info' }));
    assert.deepEqual(envelope, { protocolVersion: '2026-07-28', clientCapabilities: { elicitation: {} }, clientInfo: { name: 'c', version: '1' }, logLevel: 'info' });
    assert.ok(!('status' in checkEnvelope(post({ ...headers, 'MCP-Protocol-Version': ' 2026-07-28 ' }), call('add'))), 'blanks around a header value are fine');
  });

  it('answers a header that disagrees with the body 400 -32020: the version header missing or different, Mcp-Method, Mcp-Name', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'Mcp-Method': 'tools/call' }, /MCP-Protocol-Version/],
      [{ ...headers, 'MCP-Protocol-Version': '2025-11-25' }, /MCP-Protocol-Version/],
      [{ ...headers, 'Mcp-Method': 'tools/list' }, /Mcp-Method/],
      [{ ...headers, 'Mcp-Name': 'subtract' }, /Mcp-Name/],
      // SEP-2243: a standard header left out while its value is in the body is refused too.
      [{ 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Name': 'add' }, /Mcp-Method header is missing/],
      [{ 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call' }, /Mcp-Name header is missing/],
    ];
    for (const [sent, message] of cases) {
      const error = refusal(checkEnvelope(post(sent), call('add')));
      assert.equal(error.status, 400, JSON.stringify(sent));
      assert.equal(error.code, ModernErrorCode.HeaderMismatch);
      assert.equal(error.code, -32020);
      assert.match(error.message, message);
    }
  });

  it('answers an unknown version 400 -32022 with the supported versions and the requested one', () => {
    const error = refusal(checkEnvelope(post({ 'MCP-Protocol-Version': '2099-01-01' }), call('add', { ...ENVELOPE, [META.protocolVersion]: '2099-01-01' })));
    assert.equal(error.status, 400);
    assert.equal(error.code, -32022);
    assert.deepEqual(error.data, { supported: ['2026-07-28'], requested: '2099-01-01' });
    const noHeader = refusal(checkEnvelope(post({}), call('add', { ...ENVELOPE, [META.protocolVersion]: '2099-01-01' })));
    assert.equal(noHeader.code, -32022, 'without a header the unknown version is still the fault');
  });

  it('answers a 2026-07-28 header on a message without the envelope 400 -32602', () => {
    for (const meta of [null, {}, { [META.protocolVersion]: '2026-07-28' }, { [META.protocolVersion]: '2026-07-28', [META.clientCapabilities]: 'all' }]) {
      const error = refusal(checkEnvelope(post({ 'MCP-Protocol-Version': '2026-07-28' }), call('add', meta)));
      assert.equal(error.status, 400, JSON.stringify(meta));
      assert.equal(error.code, -32602);
      assert.match(error.message, /params\._meta/);
    }
  });

  it('answers a version header it speaks in neither era, on messages without the envelope, 400 -32022 with every supported version', () => {
    const legacy = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
    const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18' } } as JsonRpcMessage;
    const error = unknownVersion(post({ 'MCP-Protocol-Version': '1999-01-01' }), [initialize], legacy);
    assert.equal(error?.status, 400);
    assert.equal(error?.code, ModernErrorCode.UnsupportedProtocolVersion);
    assert.deepEqual(error?.data, { supported: ['2026-07-28', ...legacy], requested: '1999-01-01' });
    assert.doesNotMatch(error?.message ?? '', /_meta with/, 'not the envelope message');
    for (const known of ['2026-07-28', ...legacy]) assert.equal(unknownVersion(post({ 'MCP-Protocol-Version': known }), [initialize], legacy), undefined, known);
    assert.equal(unknownVersion(post({}), [initialize], legacy), undefined, 'no header');
    // A message with the envelope is the envelope check's to answer (-32020 or -32022 there).
    assert.equal(unknownVersion(post({ 'MCP-Protocol-Version': '1999-01-01' }), [call('add')], legacy), undefined);
  });

  it('takes a POST for 2026-07-28 by a non-2025 version header or the envelope, never with a session id', () => {
    const legacy = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
    assert.equal(isModernPost(post({ 'MCP-Protocol-Version': '2026-07-28' }), [call('add', null)], legacy), true);
    assert.equal(isModernPost(post({}), [call('add')], legacy), true);
    assert.equal(isModernPost(post({ 'MCP-Protocol-Version': '2025-11-25' }), [call('add', null)], legacy), false);
    assert.equal(isModernPost(post({ 'Mcp-Session-Id': 'x', 'MCP-Protocol-Version': '2026-07-28' }), [call('add')], legacy), false);
  });
});

describe('requestState sealing', () => {
  const state: RequestState = { method: 'tools/call', name: 'book', responses: { 'input-1': { action: 'accept' } }, state: { step: 2 }, exp: Date.now() + 60_000 };

  it('opens what it sealed, and the sealed text shows nothing of it and differs each time', () => {
    const seal = new StateSeal('shared');
    const text = seal.seal(state);
    assert.deepEqual(seal.open(text), state);
    assert.match(text, /^[A-Za-z0-9_-]+$/);
    assert.doesNotMatch(Buffer.from(text, 'base64url').toString('latin1'), /book|accept|step/);
    assert.notEqual(seal.seal(state), text, 'a new IV each time');
    assert.deepEqual(new StateSeal('shared').open(text), state, 'another instance with the same secret opens it');
  });

  it('refuses a tampered state, one sealed with another secret, an expired one, and anything that is not a sealed text', () => {
    const seal = new StateSeal('shared');
    const text = seal.seal(state);
    const raw = Buffer.from(text, 'base64url');
    for (const at of [0, 12, 20, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[at] ^= 1;
      assert.equal(seal.open(tampered.toString('base64url')), undefined, `byte ${at} flipped`);
    }
    assert.equal(new StateSeal('other').open(text), undefined);
    assert.equal(seal.open(seal.seal({ ...state, exp: Date.now() - 1 })), undefined);
    for (const junk of [undefined, 42, '', 'short', 'not base64url!'.repeat(4), { text }]) assert.equal(seal.open(junk), undefined);
  });
});

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

describe('the subscriptions/listen filter', () => {
  it('honours the list-changed keys set to true and the string URIs of resourceSubscriptions, nothing else', () => {
    assert.deepEqual(listenFilter({ toolsListChanged: true, promptsListChanged: false, resourcesListChanged: 'yes', tasks: true, resourceSubscriptions: ['file:///a', 7, 'file:///a', 'file:///b'] }),
      { toolsListChanged: true, resourceSubscriptions: ['file:///a', 'file:///b'] });
    assert.deepEqual(listenFilter(undefined), {});
    assert.deepEqual(listenFilter({ resourceSubscriptions: 'file:///a' }), {});
  });

  it('leaves out what the capabilities do not announce: a list without listChanged, resourceSubscriptions without resources.subscribe', () => {
    const asked = { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['file:///a'] };
    assert.deepEqual(listenFilter(asked, { logging: {}, tools: { listChanged: true }, prompts: {}, resources: { listChanged: true } }), { toolsListChanged: true, resourcesListChanged: true });
    assert.deepEqual(listenFilter(asked, { resources: { subscribe: true } }), { resourceSubscriptions: ['file:///a'] });
    assert.deepEqual(listenFilter(asked, { tools: {} }), {}, 'a flow that answers everything itself announces no list changes');
  });

  it('lets through the list-changed notifications named and resources/updated for a subscribed URI only', () => {
    const filter = listenFilter({ toolsListChanged: true, resourceSubscriptions: ['file:///a'] });
    assert.equal(listenWants(filter, 'notifications/tools/list_changed', {}), true);
    assert.equal(listenWants(filter, 'notifications/prompts/list_changed', {}), false);
    assert.equal(listenWants(filter, 'notifications/resources/updated', { uri: 'file:///a' }), true);
    assert.equal(listenWants(filter, 'notifications/resources/updated', { uri: 'file:///b' }), false);
    assert.equal(listenWants(filter, 'notifications/resources/updated', undefined), false);
    assert.equal(listenWants(filter, 'notifications/message', { level: 'info' }), false, 'what no filter names never goes to a listen stream');
  });
});
