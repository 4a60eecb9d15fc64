/**
 * Requests whose flow went away (core/interrupted-requests.ts), as a raw client meets them over
 * plain node:http: when the flows behind an endpoint stop for a deploy (`flowStopped`) or the
 * endpoint closes, every request waiting for a flow gets `-32000` on the stream or reply it waits
 * on, whatever the transport; sessions stay open on a deploy and end on a close; a JSON reply is
 * never `[]`; a late answer from the flow is dropped with a reason (for a node warning); requests
 * that have not reached a flow yet stay for the next one, and are answered `-32000` when none
 * takes them in time. And the random State secret, made once
 * per process for each endpoint id, opens a `requestState` an earlier endpoint of that id sealed.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, waitFor, type CoreServer } from '../support/core-server';
import { openSse, postJson, type SseConnection } from '../support/sse-client';
import { messagesOf, StreamableClient } from '../support/streamable-client';
import { InterruptedRequests } from '../../core/interrupted-requests';
import { processStateSecret } from '../../core/stateless/request-state';
import type { EndpointOptions, InboundMessage } from '../../core/endpoint-options';
import type { JsonRpcRequest } from '../../core/jsonrpc';

const MODERN = '2026-07-28';
const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
const MODERN_HEADERS = { 'MCP-Protocol-Version': MODERN, 'Mcp-Method': 'tools/call', 'Mcp-Name': 'slow' };

const servers: CoreServer[] = [];
const clients: StreamableClient[] = [];
const streams: SseConnection[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.closeAll();
  for (const s of streams.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<EndpointOptions> = {}): Promise<CoreServer> {
  const server = await startCoreServer({ keepAliveMs: 0, ...options });
  servers.push(server);
  return server;
}

function client(server: CoreServer): StreamableClient {
  const c = new StreamableClient(`${server.url}/mcp`);
  clients.push(c);
  return c;
}

/** A 2025 session on /mcp of `version`, initialized (the flow answers `initialize`). */
async function session(server: CoreServer, version = '2025-11-25'): Promise<StreamableClient> {
  const c = client(server);
  const initializing = c.initialize(0, {}, version);
  await waitFor(() => server.received.some((m) => 'method' in m.message && m.message.method === 'initialize'), 2000, 'initialize reached the flow');
  const init = server.received.find((m) => 'method' in m.message && m.message.method === 'initialize') as InboundMessage;
  server.endpoint.send(init.session.id, { result: { protocolVersion: version, capabilities: {}, serverInfo: { name: 't', version: '1' } } }, { requestId: 0 });
  assert.equal((await initializing).status, 200);
  server.received.length = 0;
  c.protocolVersion = version;
  return c;
}

const call = (id: number | string): object => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'slow', arguments: {} } });

describe('a deploy stops the flows (flowStopped)', () => {
  it('answers a 2025 POST stream waiting for the flow -32000 and ends it; the session goes on', async () => {
    const server = await start();
    const c = await session(server);
    const answer = await c.post(call(7));
    await waitFor(() => server.received.length === 1, 2000, 'the call reached the flow');
    const sessionId = server.received[0].session.id;
    assert.equal(server.endpoint.flowStopped(), 1);
    assert.equal(await answer.stream?.ended, true, 'the POST stream ended cleanly');
    assert.deepEqual(messagesOf(answer.stream!), [{ jsonrpc: '2.0', id: 7, error: { code: -32000, message: 'Connection closed: the MCP endpoint is restarting; send the request again' } }]);

    // The flow's late answer is dropped, with a reason for the node's warning.
    const late = server.endpoint.send(sessionId, { result: { content: [] } }, { requestId: 7 });
    assert.equal(late.sent, false);
    assert.match((late as { reason: string }).reason, /request 7 dropped: the MCP endpoint restarted/);

    // Same session, next request: it reaches the next flow, and its answer goes out.
    const next = await c.post(call(8));
    assert.equal(next.status, 200);
    await waitFor(() => server.received.length === 2, 2000, 'the next call reached the flow');
    assert.equal(server.received[1].session.id, sessionId);
    server.endpoint.send(sessionId, { result: { content: [] } }, { requestId: 8 });
    assert.equal(await next.stream?.ended, true);
    assert.deepEqual(messagesOf(next.stream!), [{ jsonrpc: '2.0', id: 8, result: { content: [] } }]);
  });

  it('answers an HTTP+SSE request on its session stream, which stays open', async () => {
    const server = await start();
    const sse = await openSse(`${server.url}/sse`);
    streams.push(sse);
    assert.equal((await postJson(`${server.url}${sse.endpoint}`, call('a'))).status, 202);
    await waitFor(() => server.received.length === 1, 2000, 'the call reached the flow');
    server.endpoint.flowStopped();
    assert.deepEqual(JSON.parse((await sse.nextEvent(1000)).data), { jsonrpc: '2.0', id: 'a', error: { code: -32000, message: 'Connection closed: the MCP endpoint is restarting; send the request again' } });
    assert.equal(sse.isEnded, false);
    assert.equal(server.endpoint.sessionCount, 1);
  });

  it('answers a single 2026-07-28 JSON request with its error object (never []), and leaves a listen stream open', async () => {
    const server = await start();
    const listening = await client(server).post({ jsonrpc: '2.0', id: 'l', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: ENVELOPE } },
      { 'MCP-Protocol-Version': MODERN, 'Mcp-Method': 'subscriptions/listen' });
    await listening.stream?.nextEvent(1000);
    const answering = client(server).post({ ...call('j'), params: { name: 'slow', arguments: {}, _meta: ENVELOPE } }, MODERN_HEADERS);
    await waitFor(() => server.received.length === 1, 2000, 'the call reached the flow');
    server.endpoint.flowStopped();
    const answer = await answering;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { jsonrpc: '2.0', id: 'j', error: { code: -32000, message: 'Connection closed: the MCP endpoint is restarting; send the request again' } });
    assert.equal(listening.stream?.isEnded, false, 'the listen stream stays open');
  });

  it('answers a streamed 2026-07-28 request (it asked for progress) on its stream, which ends', async () => {
    const server = await start();
    const params = { name: 'slow', arguments: {}, _meta: { ...ENVELOPE, progressToken: 'p' } };
    const answer = await client(server).post({ jsonrpc: '2.0', id: 's', method: 'tools/call', params }, MODERN_HEADERS);
    assert.ok(answer.stream, 'an SSE answer');
    await waitFor(() => server.received.length === 1, 2000, 'the call reached the flow');
    server.endpoint.flowStopped();
    assert.equal(await answer.stream.ended, true);
    assert.deepEqual(messagesOf(answer.stream), [{ jsonrpc: '2.0', id: 's', error: { code: -32000, message: 'Connection closed: the MCP endpoint is restarting; send the request again' } }]);
  });

  it('leaves a request that has reached no flow yet (held for the next mcp message in) for the next flow', async () => {
    const server = await start();
    const c = await session(server);
    server.stopListening();
    const answer = await c.post(call(9));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.endpoint.flowStopped(), 0, 'nothing to answer: nobody was working on it');
    const heard: InboundMessage[] = [];
    server.endpoint.messageReceived.add((m) => heard.push(m));
    await waitFor(() => heard.length === 1, 2000, 'the held call reached the next flow');
    server.endpoint.send(heard[0].session.id, { result: { content: [] } }, { requestId: 9 });
    assert.equal(await answer.stream?.ended, true);
    assert.deepEqual(messagesOf(answer.stream!), [{ jsonrpc: '2.0', id: 9, result: { content: [] } }]);
  });

  it('leaves a request a deploy holds back for the restarted declarations to them', async () => {
    const server = await start();
    const { features } = server.endpoint;
    const calls: Array<{ session: { id: string }; requestId: unknown }> = [];
    const tool = { kind: 'tool' as const, owner: 'n1', definition: { name: 'slow', description: 'Slow', inputSchema: { type: 'object' as const } }, onRequest: (r: { session: { id: string }; requestId: unknown }) => calls.push(r) };
    const c = await session(server);
    let undeclare = features.declare(tool);
    features.holdListChanged();
    undeclare();
    const answer = await c.post(call(10));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.endpoint.flowStopped(), 0);
    undeclare = features.declare(tool);
    features.releaseListChanged();
    assert.equal(calls.length, 1, 'the restarted tool got the call');
    server.endpoint.send(calls[0].session.id, 'done', { requestId: 10 });
    assert.equal(await answer.stream?.ended, true);
    assert.deepEqual(messagesOf(answer.stream!), [{ jsonrpc: '2.0', id: 10, result: { content: [{ type: 'text', text: 'done' }] } }]);
    undeclare();
  });

  it('sends the answer to a new request that reuses the id of an interrupted one', async () => {
    const server = await start();
    const c = await session(server);
    await c.post(call(11));
    await waitFor(() => server.received.length === 1, 2000, 'the call reached the flow');
    server.endpoint.flowStopped();
    const again = await c.post(call(11));
    await waitFor(() => server.received.length === 2, 2000, 'the second call reached the flow');
    assert.equal(server.endpoint.send(server.received[1].session.id, { result: {} }, { requestId: 11 }).sent, true);
    assert.equal(await again.stream?.ended, true);
  });
});

describe('a request no flow takes in time', () => {
  it('is answered -32000 when it is dropped (no mcp message in for 3 s), with a warning; its client does not wait for its timeout', async () => {
    const server = await start();
    const warnings: string[] = [];
    server.endpoint.warning.add((text) => warnings.push(text));
    const c = await session(server);
    server.stopListening();
    const sent = Date.now();
    const answer = await c.post(call(12));
    assert.equal(await answer.stream?.ended, true);
    assert.ok(Date.now() - sent >= 2900, 'held for the next flow first');
    assert.deepEqual(messagesOf(answer.stream!), [{ jsonrpc: '2.0', id: 12, error: { code: -32000, message: 'Connection closed: the MCP endpoint is restarting; send the request again' } }]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /MCP message tools\/call of session \S+ dropped: no flow took it in time; the client was answered with an error \(-32000\)/);
  });
});

describe('the endpoint closes', () => {
  it('answers a 2025 JSON-mode POST with its error object, ends the session, and drops the late answer with a reason', async () => {
    const server = await start({ jsonResponse: true });
    const c = await session(server);
    const answering = c.post(call(1));
    await waitFor(() => server.received.length === 1, 2000, 'the call reached the flow');
    const sessionId = server.received[0].session.id;
    await server.endpoint.close();
    const answer = await answering;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { jsonrpc: '2.0', id: 1, error: { code: -32000, message: 'Connection closed: the MCP endpoint has closed' } });
    assert.equal(server.registry.get(sessionId), undefined, 'the session ended');
    const late = server.endpoint.send(sessionId, { result: {} }, { requestId: 1 });
    assert.equal(late.sent, false, 'dropped, not thrown: the session is gone, but the request was answered');
  });

  it('answers an HTTP+SSE request before its stream ends', async () => {
    const server = await start();
    const sse = await openSse(`${server.url}/sse`);
    streams.push(sse);
    await postJson(`${server.url}${sse.endpoint}`, call('b'));
    await waitFor(() => server.received.length === 1, 2000, 'the call reached the flow');
    await server.endpoint.close();
    assert.equal(await sse.ended, true);
    assert.deepEqual(sse.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data)), [{ jsonrpc: '2.0', id: 'b', error: { code: -32000, message: 'Connection closed: the MCP endpoint has closed' } }]);
  });
});

describe('a session that ends with a JSON reply waiting', () => {
  it('answers each request the reply still waits for (a DELETE meanwhile), never []', async () => {
    const server = await start({ jsonResponse: true });
    // 2025-03-26: the last revision with batches.
    const c = await session(server, '2025-03-26');
    const answering = c.post([call(2), call(3)]);
    await waitFor(() => server.received.length === 2, 2000, 'the calls reached the flow');
    server.endpoint.send(server.received[0].session.id, { result: {} }, { requestId: 2 });
    assert.equal((await c.delete()).status, 200);
    const answer = await answering;
    assert.deepEqual(answer.json, [
      { jsonrpc: '2.0', id: 2, result: {} },
      { jsonrpc: '2.0', id: 3, error: { code: -32000, message: 'Connection closed: the MCP session ended (client-deleted) before the request was answered' } },
    ]);
  });
});

describe('InterruptedRequests', () => {
  it('remembers a request by session and id, for its time to live, and at most `max` of them', async () => {
    const record = new InterruptedRequests(30, 2);
    record.add('s1', 1);
    assert.equal(record.has('s1', 1), true);
    assert.equal(record.has('s1', '1'), false, 'a string id is another id');
    assert.equal(record.has('s2', 1), false);
    record.add('s1', 2);
    record.add('s1', 3);
    assert.equal(record.has('s1', 1), false, 'the oldest is forgotten past the maximum');
    assert.equal(record.has('s1', 3), true);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(record.has('s1', 3), false, 'forgotten after its time to live');
  });
});

describe('the random State secret', () => {
  it('is made once per process for each endpoint id', () => {
    assert.equal(processStateSecret('ep-a'), processStateSecret('ep-a'));
    assert.notEqual(processStateSecret('ep-a'), processStateSecret('ep-b'));
    assert.match(processStateSecret('ep-a'), /^[0-9a-f]{64}$/);
  });

  /** An endpoint whose flow asks the client for a name (elicitation), then answers with it. */
  async function asking(id: string, options: Partial<EndpointOptions> = {}): Promise<CoreServer> {
    const server = await start({ id, ...options });
    server.endpoint.messageReceived.add(({ session, message, kind }) => {
      if (kind !== 'request' || !('method' in message) || message.method !== 'tools/call') return;
      const request = message as JsonRpcRequest;
      server.endpoint.send(session.id, { method: 'elicitation/create', params: { message: 'Your name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } } }, {
        requestId: request.id,
        request: { timeoutMs: 0, settle: (outcome) => {
          const name = outcome.status === 'result' ? (outcome.result as { content?: { name?: string } }).content?.name : 'nobody';
          server.endpoint.send(session.id, { result: { content: [{ type: 'text', text: `Hello ${name}` }] } }, { requestId: request.id });
        } },
      });
    });
    return server;
  }

  const ask = (server: CoreServer, params: Record<string, unknown> = {}): ReturnType<StreamableClient['post']> =>
    client(server).post({ jsonrpc: '2.0', id: 'n', method: 'tools/call', params: { name: 'slow', arguments: {}, ...params, _meta: ENVELOPE } }, MODERN_HEADERS);

  it('opens, after the endpoint is closed and made again with the same id, the requestState it sealed', async () => {
    const first = await asking('state-ep');
    const round = (await ask(first)).json as { result: { resultType: string; requestState: string; inputRequests: Record<string, unknown> } };
    assert.equal(round.result.resultType, 'input_required');
    const [key] = Object.keys(round.result.inputRequests);
    await first.close();
    const second = await asking('state-ep');
    const retry = { requestState: round.result.requestState, inputResponses: { [key]: { action: 'accept', content: { name: 'Ada' } } } };
    const done = (await ask(second, retry)).json as { result?: { content: Array<{ text: string }> }; error?: unknown };
    assert.deepEqual(done.result?.content, [{ type: 'text', text: 'Hello Ada' }], JSON.stringify(done));
    // An endpoint of another id, or with a secret of its own, refuses it.
    for (const other of [await asking('other-ep'), await asking('state-ep', { stateSecret: 'configured secret' })]) {
      const refused = (await ask(other, retry)).json as { error?: { code: number } };
      assert.equal(refused.error?.code, -32602);
    }
  });
});
