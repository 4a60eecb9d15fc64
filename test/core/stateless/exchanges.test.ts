/**
 * 2026-07-28 exchanges (core/stateless/exchanges.ts) over plain node:http, as a raw client meets them:
 * `subscriptions/listen` streams (an SSE stream even in JSON response mode; the acknowledgement
 * with the filter narrowed to what `server/discover` reports, then only what the stream opted in
 * to: list-changed notifications and `notifications/resources/updated` for its URIs, from the
 * features and from a flow's broadcast; the listen result when the endpoint closes), and a retry
 * whose `requestState` is refused.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, waitFor, type CoreServer } from '../../support/core-server';
import type { EventStream } from '../../support/sse-client';
import { messagesOf, StreamableClient, type HeaderChanges } from '../../support/streamable-client';
import type { EndpointOptions } from '../../../core/endpoint-options';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

let server: CoreServer | undefined;
const clients: StreamableClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.closeAll();
  await server?.close();
  server = undefined;
});

/** What the endpoint serves: every list (so `server/discover` reports each `listChanged`, and `resources.subscribe`), or only a tool. */
type Served = 'every list' | 'a tool only' | 'nothing declared';

async function start(served: Served = 'every list', options: Partial<EndpointOptions> = {}): Promise<CoreServer> {
  server = await startCoreServer({ keepAliveMs: 0, features: { listChangedDelayMs: 0 }, ...options });
  const { features } = server.endpoint;
  if (served === 'nothing declared') return server;
  const endpoint = server.endpoint;
  features.declare({
    kind: 'tool', owner: 't', definition: { name: 'noop', description: 'Does nothing', inputSchema: { type: 'object' } },
    onRequest: ({ session, requestId }) => endpoint.send(session.id, 'done', { requestId }),
  });
  if (served === 'every list') {
    features.declare({ kind: 'resource', owner: 'r', definition: { uri: 'file:///a', name: 'a' }, content: { text: 'a' } });
    features.declare({ kind: 'prompt', owner: 'p', definition: { name: 'greet', description: 'Greets' } });
  }
  // The declarations' own list-changed notifications go out before any listen stream opens.
  await new Promise((r) => setTimeout(r, 20));
  return server;
}

/** POSTs one 2026-07-28 request (no session) with the envelope and the headers the v2 client sends. */
function modern(id: string, method: string, params: Record<string, unknown>): ReturnType<StreamableClient['post']> {
  const c = new StreamableClient(`${(server as CoreServer).url}/mcp`);
  clients.push(c);
  const name: HeaderChanges = typeof params.name === 'string' ? { 'Mcp-Name': params.name } : {};
  return c.post({ jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } }, { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method, ...name });
}

/** Opens a listen stream and returns it once its acknowledgement has arrived. */
async function listen(id: string, notifications: Record<string, unknown>): Promise<{ stream: EventStream; ack: Record<string, unknown> }> {
  const answer = await modern(id, 'subscriptions/listen', { notifications });
  assert.equal(answer.status, 200, answer.body);
  const stream = answer.stream as EventStream;
  const ack = JSON.parse((await stream.nextEvent()).data) as Record<string, unknown>;
  return { stream, ack };
}

/** Waits `ms`, then the messages `stream` got since the acknowledgement. */
async function after(stream: EventStream, ms = 100): Promise<unknown[]> {
  await new Promise((r) => setTimeout(r, ms));
  return messagesOf(stream).slice(1);
}

describe('subscriptions/listen', () => {
  it('acknowledges first, with the honoured filter and the listen request\'s id, and stays open', async () => {
    await start();
    const { stream, ack } = await listen('L1', { toolsListChanged: true, promptsListChanged: false, resourceSubscriptions: ['file:///a', 3, 'file:///a'] });
    assert.deepEqual(ack, {
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: { toolsListChanged: true, resourceSubscriptions: ['file:///a'] }, _meta: { [SUBSCRIPTION_ID]: 'L1' } },
    });
    assert.deepEqual(await after(stream), []);
    assert.equal(stream.isEnded, false);
    assert.equal(server?.endpoint.exchangeCount, 1);
  });

  it('acknowledges only the kinds server/discover reports: no prompt, resource list or resource updates where only a tool is served', async () => {
    await start('a tool only');
    const discover = await modern('D', 'server/discover', {});
    assert.deepEqual((discover.json as { result: { capabilities: unknown } }).result.capabilities, { logging: {}, tools: { listChanged: true } });
    const { ack } = await listen('L2', { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['file:///a'] });
    assert.deepEqual((ack.params as { notifications: unknown }).notifications, { toolsListChanged: true });
  });

  it('is answered as an SSE stream in JSON response mode too, and carries what it opted in to', async () => {
    const s = await start('every list', { jsonResponse: true });
    const answer = await Promise.race([
      modern('J', 'subscriptions/listen', { notifications: { toolsListChanged: true } }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s: the listen request was held as a JSON reply')), 2000)),
    ]);
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^text\/event-stream/);
    const stream = answer.stream as EventStream;
    assert.equal(JSON.parse((await stream.nextEvent()).data).method, 'notifications/subscriptions/acknowledged');
    assert.equal(s.endpoint.broadcast({ method: 'notifications/tools/list_changed' }), 1);
    assert.deepEqual(await after(stream), [{ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { [SUBSCRIPTION_ID]: 'J' } } }]);
    const call = await modern('c1', 'tools/call', { name: 'noop', arguments: {} });
    assert.match(String(call.headers['content-type']), /^application\/json/, 'other requests keep their JSON answer');
    assert.deepEqual((call.json as { result: { content: unknown } }).result.content, [{ type: 'text', text: 'done' }]);
  });

  it('carries notifications/resources/updated for the URIs it named, from the features and from a broadcast', async () => {
    const s = await start();
    const a = await listen('A', { resourceSubscriptions: ['file:///a'] });
    const b = await listen('B', { resourceSubscriptions: ['file:///b'], resourcesListChanged: true });
    assert.equal(s.endpoint.features.resourceUpdated('file:///a'), 1, 'counted: one listen stream');
    assert.equal(s.endpoint.features.resourceUpdated('file:///c'), 0);
    assert.equal(s.endpoint.broadcast({ method: 'notifications/resources/updated', params: { uri: 'file:///b', _meta: { mine: 1 } } }), 1);
    assert.deepEqual(await after(a.stream), [{ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'file:///a', _meta: { [SUBSCRIPTION_ID]: 'A' } } }]);
    assert.deepEqual(await after(b.stream, 0), [{ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'file:///b', _meta: { mine: 1, [SUBSCRIPTION_ID]: 'B' } } }]);
  });

  it('with nothing declared (a flow answers the protocol), acknowledges tool list changes and carries the flow\'s broadcast of them', async () => {
    const s = await start('nothing declared');
    const tools = await listen('H', { toolsListChanged: true, promptsListChanged: true });
    assert.deepEqual((tools.ack as { params: { notifications: unknown } }).params.notifications, { toolsListChanged: true });
    assert.equal(s.endpoint.broadcast({ method: 'notifications/tools/list_changed' }), 1);
    assert.deepEqual(await after(tools.stream), [{ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { [SUBSCRIPTION_ID]: 'H' } } }]);
  });

  it('gets a broadcast list-changed notification on every listen stream that asked for it, beside the sessions, and nothing it did not ask for', async () => {
    const s = await start();
    const session = new StreamableClient(`${s.url}/mcp`);
    clients.push(session);
    assert.equal((await session.initialize('init')).status, 200);
    s.endpoint.send(session.sessionId as string, { result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 't', version: '1' } } }, { requestId: 'init' });
    const standalone = (await session.get()).stream as EventStream;
    await waitFor(() => s.endpoint.sessionCount === 1, 2000, 'the 2025 session');
    const tools1 = await listen('T1', { toolsListChanged: true });
    const tools2 = await listen('T2', { toolsListChanged: true, resourceSubscriptions: ['file:///a'] });
    const prompts = await listen('P', { promptsListChanged: true });

    assert.equal(s.endpoint.broadcast({ method: 'notifications/tools/list_changed' }), 3, 'the session and two listen streams');
    assert.equal(s.endpoint.broadcast({ method: 'notifications/message', params: { level: 'info', data: 'x' } }), 1, 'the session only');
    assert.equal(s.endpoint.broadcast({ method: 'notifications/custom/thing' }), 1, 'the session only');
    for (const [stream, id] of [[tools1.stream, 'T1'], [tools2.stream, 'T2']] as const) {
      assert.deepEqual(await after(stream), [{ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { [SUBSCRIPTION_ID]: id } } }]);
    }
    assert.deepEqual(await after(prompts.stream, 0), []);
    assert.deepEqual(messagesOf(standalone).map((m) => (m as { method: string }).method), ['notifications/tools/list_changed', 'notifications/message', 'notifications/custom/thing']);
  });

  it('ends with the endpoint after its (empty) subscriptions/listen result, and is forgotten once its client goes away', async () => {
    const s = await start();
    const gone = await modern('G', 'subscriptions/listen', { notifications: { toolsListChanged: true } });
    await (gone.stream as EventStream).nextEvent();
    const kept = await listen('K', { toolsListChanged: true });
    assert.equal(s.endpoint.exchangeCount, 2);
    gone.close();
    await waitFor(() => s.endpoint.exchangeCount === 1, 2000, 'the closed listen stream to be forgotten');
    assert.equal(s.endpoint.broadcast({ method: 'notifications/tools/list_changed' }), 1);
    await s.endpoint.close();
    assert.equal(await kept.stream.ended, true, 'ended cleanly');
    assert.deepEqual(messagesOf(kept.stream).slice(2), [{
      jsonrpc: '2.0', id: 'K',
      result: { resultType: 'complete', _meta: { [SUBSCRIPTION_ID]: 'K', 'io.modelcontextprotocol/serverInfo': { name: 'node-red-contrib-mcp-sse', version: '1.0.0' } } },
    }], 'the graceful end: the listen request\'s result, then nothing');
  });

  it('past maxListenStreams, answers 503 with Retry-After and a JSON-RPC error for the listen request; other requests still go; one closed, one more opens', async () => {
    const s = await start('every list', { maxListenStreams: 2 });
    const first = await modern('L1', 'subscriptions/listen', { notifications: { toolsListChanged: true } });
    await (first.stream as EventStream).nextEvent();
    await listen('L2', { toolsListChanged: true });
    assert.equal(s.endpoint.listenStreamCount, 2);
    const refused = await modern('L3', 'subscriptions/listen', { notifications: { toolsListChanged: true } });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '5');
    assert.deepEqual(refused.json, { jsonrpc: '2.0', id: 'L3', error: { code: -32000, message: 'This MCP endpoint has its maximum of 2 open listen streams; try again later' } });
    assert.equal(s.endpoint.exchangeCount, 2, 'the refused one opened nothing');
    const discover = await modern('D', 'server/discover', {});
    assert.equal(discover.status, 200, 'other 2026-07-28 requests are not limited');
    first.close();
    await waitFor(() => s.endpoint.listenStreamCount === 1, 2000, 'the closed listen stream to be forgotten');
    await listen('L4', { toolsListChanged: true });
    assert.equal(s.endpoint.broadcast({ method: 'notifications/tools/list_changed' }), 2);
  });

  it('defaults to 1000 listen streams', async () => {
    const s = await start();
    for (let i = 0; i < 1000; i++) await (await modern(`L${i}`, 'subscriptions/listen', { notifications: { toolsListChanged: true } })).stream?.nextEvent();
    assert.equal(s.endpoint.listenStreamCount, 1000);
    const refused = await modern('over', 'subscriptions/listen', { notifications: { toolsListChanged: true } });
    assert.equal(refused.status, 503);
  });
});

describe('a retry with requestState', () => {
  it('answers a requestState this endpoint did not seal -32602 "Invalid or expired requestState" (HTTP 200), and the flow never hears of it', async () => {
    const s = await start();
    const answer = await modern('r1', 'tools/call', { name: 'book', arguments: {}, requestState: 'A'.repeat(80), inputResponses: { 'input-1': { action: 'accept' } } });
    assert.equal(answer.status, 200, answer.body);
    const message = answer.stream === undefined ? answer.json : messagesOf(answer.stream)[0];
    assert.deepEqual((message as { error: unknown }).error, { code: -32602, message: 'Invalid or expired requestState' });
    assert.equal((message as { id: string }).id, 'r1');
    assert.equal(s.received.length, 0);
  });
});
