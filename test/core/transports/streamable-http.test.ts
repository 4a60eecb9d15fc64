/**
 * The Streamable HTTP transport (core/transports/streamable-http.ts) over plain node:http, as a raw
 * client meets it (MCP 2025-03-26 onwards "Transports > Streamable HTTP"): sessions opened by
 * `initialize`, POST streams that end with their responses, the standalone GET stream, DELETE,
 * JSON response mode, refusals, resumption with `Last-Event-ID`, session lifetime, and an HTTP+SSE
 * session on the same endpoint. "The flow" is the test itself: it reads `server.received` and
 * answers with `server.endpoint.send`.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { startCoreServer, waitFor, type CoreServer } from '../../support/core-server';
import { openSse, postJson, type EventStream, type SseConnection } from '../../support/sse-client';
import { messagesOf, StreamableClient, type StreamableAnswer } from '../../support/streamable-client';
import type { EndpointOptions } from '../../../core/endpoint-options';

const V4_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UNKNOWN_SESSION = '0b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c';
const INIT_RESULT = { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'core-test', version: '1.0.0' } };

let server: CoreServer | undefined;
const clients: StreamableClient[] = [];
const sseStreams: SseConnection[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.closeAll();
  for (const s of sseStreams.splice(0)) s.close();
  await server?.close();
  server = undefined;
});

async function start(options: Partial<EndpointOptions> = {}): Promise<CoreServer> {
  server = await startCoreServer({ keepAliveMs: 0, ...options });
  return server;
}

function client(headers: Record<string, string> = {}): StreamableClient {
  const c = new StreamableClient(`${(server as CoreServer).url}/mcp`, headers);
  clients.push(c);
  return c;
}

async function sse(headers: Record<string, string> = {}): Promise<SseConnection> {
  const s = await openSse(`${(server as CoreServer).url}/sse`, headers);
  sseStreams.push(s);
  return s;
}

/**
 * Opens a Streamable session: POSTs `initialize` asking for `version`, answers it as the flow would
 * (agreeing to `version`), reads its stream to the end.
 */
async function openSession(c = client(), version = '2025-11-25'): Promise<StreamableClient> {
  const answer = await c.initialize('init', {}, version);
  assert.equal(answer.status, 200, answer.body);
  const sent = (server as CoreServer).endpoint.send(c.sessionId as string, { result: { ...INIT_RESULT, protocolVersion: version } }, { requestId: 'init' });
  assert.equal(sent.sent, true);
  assert.equal(await streamOf(answer).ended, true);
  return c;
}

function streamOf(answer: StreamableAnswer): EventStream {
  assert.equal(answer.status, 200, answer.body);
  assert.ok(answer.stream, `a text/event-stream answer, not ${String(answer.headers['content-type'])}`);
  return answer.stream;
}

/** The JSON-RPC message of the next event of `stream`. */
async function nextMessage(stream: EventStream): Promise<Record<string, unknown>> {
  const event = await stream.nextEvent();
  assert.equal(event.event, 'message');
  return JSON.parse(event.data) as Record<string, unknown>;
}

/** True when `stream` is still open after `ms` (the server did not end it). */
async function stillOpenAfter(stream: EventStream, ms = 50): Promise<boolean> {
  await new Promise((r) => setTimeout(r, ms));
  return !stream.isEnded;
}

/** The server side of the next request the server takes: resolves when that response closes. */
function nextResponseClosed(s: CoreServer): Promise<void> {
  return new Promise((resolve) => {
    s.httpServer.once('request', (_req: http.IncomingMessage, res: http.ServerResponse) => res.once('close', () => resolve()));
  });
}

function errorOf(answer: StreamableAnswer): { code: number; message: string } {
  assert.equal(answer.headers['content-type'], 'application/json', answer.body);
  const body = answer.json as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
  assert.equal(body.jsonrpc, '2.0');
  assert.equal(body.id, null);
  return body.error;
}

const ping = (id: string | number) => ({ jsonrpc: '2.0', id, method: 'ping' });
const callWithProgress = (id: string | number, token: string | number = `tok-${id}`) =>
  ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'slow', arguments: {}, _meta: { progressToken: token } } });

describe('Streamable HTTP: POST streams', () => {
  it('opens a session on initialize: 200 text/event-stream with a v4 Mcp-Session-Id; the response ends the stream', async () => {
    const s = await start();
    const c = client();
    const answer = await c.initialize(1);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/event-stream');
    assert.equal(answer.headers['cache-control'], 'no-cache, no-transform');
    const sid = answer.headers['mcp-session-id'];
    assert.ok(typeof sid === 'string' && V4_UUID.test(sid), `a v4 UUID: ${String(sid)}`);
    assert.equal(s.received.length, 1);
    const got = s.received[0];
    assert.equal(got.session.id, sid);
    assert.equal(got.session.transport, 'streamable-http');
    assert.equal(got.kind, 'request');
    assert.equal((got.message as { method: string }).method, 'initialize');
    const stream = streamOf(answer);
    assert.equal(await stillOpenAfter(stream), true, 'the stream waits for the response');
    assert.deepEqual(s.endpoint.send(sid, { result: INIT_RESULT }, { requestId: 1 }), { sent: true, message: { jsonrpc: '2.0', id: 1, result: INIT_RESULT } });
    const event = await stream.nextEvent();
    assert.equal(event.event, 'message');
    assert.equal(event.id, undefined, 'no event ids without resumption');
    assert.deepEqual(JSON.parse(event.data), { jsonrpc: '2.0', id: 1, result: INIT_RESULT });
    assert.equal(await stream.ended, true, 'the stream ends cleanly after the response');
    assert.equal(stream.events.length, 1);

    const second = await c.post(ping(2));
    assert.equal(second.headers['mcp-session-id'], sid);
    const secondStream = streamOf(second);
    assert.equal(s.received.length, 2);
    assert.equal(s.received[1].session.id, sid);
    assert.deepEqual(s.received[1].message, ping(2));
    s.endpoint.send(sid, { result: {} }, { requestId: 2 });
    assert.deepEqual(await nextMessage(secondStream), { jsonrpc: '2.0', id: 2, result: {} });
    assert.equal(await secondStream.ended, true);
  });

  it('gives every session a different id, and each initialize its own session', async () => {
    const s = await start();
    const ids = await Promise.all(Array.from({ length: 10 }, async () => (await openSession()).sessionId));
    assert.equal(new Set(ids).size, 10);
    assert.equal(s.endpoint.sessionCount, 10);
  });

  it('answers a batch of two requests (2025-03-26) on one stream that ends only after both responses', async () => {
    const s = await start();
    const c = await openSession(client(), '2025-03-26');
    const before = s.received.length;
    const stream = streamOf(await c.post([ping('a'), ping('b')]));
    assert.deepEqual(s.received.slice(before).map((m) => m.message), [ping('a'), ping('b')]);
    s.endpoint.send(c.sessionId as string, { result: { n: 'b' } }, { requestId: 'b' });
    assert.deepEqual(await nextMessage(stream), { jsonrpc: '2.0', id: 'b', result: { n: 'b' } });
    assert.equal(await stillOpenAfter(stream), true, 'one response is not enough');
    s.endpoint.send(c.sessionId as string, { result: { n: 'a' } }, { requestId: 'a' });
    assert.deepEqual(await nextMessage(stream), { jsonrpc: '2.0', id: 'a', result: { n: 'a' } });
    assert.equal(await stream.ended, true);
  });

  it('sends progress and log notifications about a request on its stream, before its response', async () => {
    const s = await start();
    const c = await openSession();
    const sid = c.sessionId as string;
    const stream = streamOf(await c.post(callWithProgress(7, 'tok')));
    assert.equal(s.endpoint.send(sid, { method: 'notifications/progress', params: { progress: 1, total: 2 } }, { requestId: 7 }).sent, true);
    assert.equal(s.endpoint.send(sid, { method: 'notifications/message', params: { level: 'info', data: 'halfway' } }, { requestId: 7 }).sent, true);
    s.endpoint.send(sid, { result: { content: [{ type: 'text', text: 'done' }] } }, { requestId: 7 });
    assert.equal(await stream.ended, true);
    assert.deepEqual(messagesOf(stream), [
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1, total: 2, progressToken: 'tok' } },
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'halfway' } },
      { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'done' }] } },
    ]);
  });

  it('sends a server-initiated request on the stream of the related request; the answer POSTed on its own (202) settles it', async () => {
    const s = await start();
    const c = await openSession();
    const sid = c.sessionId as string;
    const stream = streamOf(await c.post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'ask', arguments: {} } }));
    const outcomes: unknown[] = [];
    const sent = s.endpoint.send(sid, { method: 'elicitation/create', params: { message: 'Name?', requestedSchema: { type: 'object', properties: {} } } },
      { requestId: 5, request: { timeoutMs: 5000, settle: (outcome, request) => outcomes.push({ outcome, request }) } });
    assert.equal(sent.sent, true);
    const request = await nextMessage(stream);
    assert.equal(request.method, 'elicitation/create');
    assert.equal(typeof request.id, 'number');
    const before = s.received.length;
    const answer = await c.post({ jsonrpc: '2.0', id: request.id, result: { action: 'accept', content: { name: 'Ada' } } });
    assert.equal(answer.status, 202);
    assert.equal(answer.body, '');
    assert.equal(answer.headers['content-length'], '0');
    assert.deepEqual(outcomes, [{ outcome: { status: 'result', result: { action: 'accept', content: { name: 'Ada' } } }, request: { id: request.id, method: 'elicitation/create' } }]);
    assert.equal(s.received.length, before, 'the answer settled the request and reached no flow');
    assert.equal(await stillOpenAfter(stream), true, 'the POST stream still waits for its own response');
    s.endpoint.send(sid, { result: { content: [{ type: 'text', text: 'Hello Ada' }] } }, { requestId: 5 });
    assert.deepEqual(await nextMessage(stream), { jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'Hello Ada' }] } });
    assert.equal(await stream.ended, true);
  });

  it('answers a POST of notifications only, or responses only, with 202 and no body; the flow gets them', async () => {
    const s = await start();
    const c = await openSession(client(), '2025-03-26');
    const before = s.received.length;
    const notification = await c.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.equal(notification.status, 202);
    assert.equal(notification.body, '');
    assert.equal(notification.stream, undefined);
    const mixed = await c.post([{ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }, { jsonrpc: '2.0', id: 'unasked', result: {} }]);
    assert.equal(mixed.status, 202);
    assert.equal(mixed.body, '');
    assert.deepEqual(s.received.slice(before).map((m) => [m.kind, m.session.id]), [
      ['notification', c.sessionId], ['notification', c.sessionId], ['response', c.sessionId],
    ]);
  });

  it('sends keep-alive comments on POST streams and on the standalone stream', async () => {
    await start({ keepAliveMs: 30 });
    const c = await openSession();
    const post = streamOf(await c.post(ping(1)));
    const standalone = streamOf(await c.get());
    await waitFor(() => post.comments.length >= 2 && standalone.comments.length >= 2, 3000, 'keep-alives on both streams');
    assert.equal(post.comments[0], 'ping');
    assert.equal(standalone.comments[0], 'ping');
  });
});

describe('Streamable HTTP: refusals, each with its status and JSON-RPC error, nothing reaching the flow', () => {
  interface Case {
    name: string;
    method?: 'POST' | 'GET' | 'DELETE' | 'PUT';
    /** Header changes on top of what the client sends for the open session. */
    headers?: Record<string, string | null>;
    body?: unknown;
    status: number;
    code: number;
    message: RegExp;
    header?: Record<string, RegExp>;
  }
  const cases: Case[] = [
    { name: 'PUT', method: 'PUT', body: ping(1), status: 405, code: -32000, message: /Method PUT not allowed here: use GET, POST, DELETE/, header: { allow: /^GET, POST, DELETE$/ } },
    { name: 'POST whose Accept lacks text/event-stream', headers: { Accept: 'application/json' }, body: ping(1), status: 406, code: -32000, message: /Not Acceptable/ },
    { name: 'POST whose Accept lacks application/json', headers: { Accept: 'text/event-stream' }, body: ping(1), status: 406, code: -32000, message: /Not Acceptable/ },
    { name: 'POST without Accept', headers: { Accept: null }, body: ping(1), status: 406, code: -32000, message: /Not Acceptable/ },
    { name: 'GET whose Accept lacks text/event-stream', method: 'GET', headers: { Accept: 'application/json' }, status: 406, code: -32000, message: /must accept text\/event-stream/ },
    { name: 'text/plain body', headers: { 'Content-Type': 'text/plain' }, body: ping(1), status: 415, code: -32000, message: /Content-Type must be application\/json/ },
    { name: 'body over the limit', body: { ...ping(1), params: { pad: 'x'.repeat(20_000) } }, status: 413, code: -32000, message: /the limit is 16384 bytes/ },
    { name: 'malformed JSON', body: '{"jsonrpc":', status: 400, code: -32700, message: /Parse error/ },
    { name: 'bytes that are not UTF-8', body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: -32700, message: /^Parse error: the request body is not valid UTF-8$/ },
    { name: 'JSON that is not JSON-RPC', body: '{"hello":"world"}', status: 400, code: -32600, message: /Invalid Request/ },
    { name: 'an empty batch', body: '[]', status: 400, code: -32600, message: /empty batch/ },
    { name: 'initialize in a batch', headers: { 'Mcp-Session-Id': null }, body: [{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, ping(2)], status: 400, code: -32600, message: /initialize must be sent alone/ },
    { name: 'initialize alone in an array', headers: { 'Mcp-Session-Id': null }, body: [{ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26' } }], status: 400, code: -32600, message: /initialize must be sent alone/ },
    { name: 'a batch on a 2025-11-25 session', body: [ping(1), ping(2)], status: 400, code: -32600, message: /^Invalid Request: batching is not supported in protocol version 2025-11-25$/ },
    { name: 'POST without Mcp-Session-Id', headers: { 'Mcp-Session-Id': null }, body: ping(1), status: 400, code: -32000, message: /Mcp-Session-Id header is required/ },
    { name: 'GET without Mcp-Session-Id', method: 'GET', headers: { 'Mcp-Session-Id': null }, status: 400, code: -32000, message: /Mcp-Session-Id header is required/ },
    { name: 'DELETE without Mcp-Session-Id', method: 'DELETE', headers: { 'Mcp-Session-Id': null }, status: 400, code: -32000, message: /Mcp-Session-Id header is required/ },
    { name: 'malformed Mcp-Session-Id (a space inside)', headers: { 'Mcp-Session-Id': 'a bc' }, body: ping(1), status: 400, code: -32000, message: /malformed Mcp-Session-Id/ },
    { name: "another server's Mcp-Session-Id", headers: { 'Mcp-Session-Id': 'abc' }, body: ping(1), status: 404, code: -32001, message: /Session not found/ },
    { name: 'Mcp-Session-Id upper-cased (never issued)', headers: { 'Mcp-Session-Id': '{SID}' }, body: ping(1), status: 404, code: -32001, message: /Session not found/ },
    { name: 'unknown Mcp-Session-Id on POST', headers: { 'Mcp-Session-Id': UNKNOWN_SESSION }, body: ping(1), status: 404, code: -32001, message: /Session not found/ },
    { name: 'unknown Mcp-Session-Id on GET', method: 'GET', headers: { 'Mcp-Session-Id': UNKNOWN_SESSION }, status: 404, code: -32001, message: /Session not found/ },
    { name: 'unknown Mcp-Session-Id on DELETE', method: 'DELETE', headers: { 'Mcp-Session-Id': UNKNOWN_SESSION }, status: 404, code: -32001, message: /Session not found/ },
    { name: 'unsupported MCP-Protocol-Version on POST', headers: { 'MCP-Protocol-Version': '2099-01-01' }, body: ping(1), status: 400, code: -32000, message: /unsupported MCP-Protocol-Version "2099-01-01" \(supported: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05\)/ },
    { name: 'unsupported MCP-Protocol-Version on GET', method: 'GET', headers: { 'MCP-Protocol-Version': '1.0' }, status: 400, code: -32000, message: /unsupported MCP-Protocol-Version/ },
    { name: 'a foreign Origin', headers: { Origin: 'https://evil.example' }, body: ping(1), status: 403, code: -32000, message: /Origin "https:\/\/evil.example" is not allowed/ },
    { name: 'a foreign Host (DNS rebinding)', headers: { Host: 'rebind.attacker.test' }, body: ping(1), status: 403, code: -32000, message: /Host "rebind.attacker.test" is not allowed/ },
    { name: 'a foreign Origin on GET', method: 'GET', headers: { Origin: 'http://attacker.test' }, status: 403, code: -32000, message: /is not allowed/ },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.status} ${c.code}`, async () => {
      const s = await start({ maxBodyBytes: 16 * 1024 });
      const session = await openSession();
      const before = s.received.length;
      const headers: Record<string, string | null> = {};
      for (const [name, value] of Object.entries(c.headers ?? {})) headers[name] = value?.replace('{SID}', (session.sessionId as string).toUpperCase()) ?? null;
      const method = c.method ?? 'POST';
      const answer = method === 'POST' ? await session.post(c.body, headers)
        : method === 'GET' ? await session.get(headers)
          : method === 'DELETE' ? await session.delete(headers)
            : await session.request(method, headers, JSON.stringify(c.body));
      assert.equal(answer.status, c.status, answer.body);
      const error = errorOf(answer);
      assert.equal(error.code, c.code);
      assert.match(error.message, c.message);
      for (const [name, pattern] of Object.entries(c.header ?? {})) assert.match(String(answer.headers[name]), pattern, name);
      assert.equal(s.received.length, before, 'nothing reached the flow');
      assert.equal(s.endpoint.sessionCount, 1, 'no session opened or ended');
    });
  }

  it('accepts each supported MCP-Protocol-Version, and none at all', async () => {
    const s = await start();
    const c = await openSession();
    for (const version of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', null]) {
      const answer = await c.post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'MCP-Protocol-Version': version });
      assert.equal(answer.status, 202, `${String(version)}: ${answer.body}`);
    }
    assert.equal(s.received.filter((m) => m.kind === 'notification').length, 5);
  });

  it('answers an HTTP+SSE session id on /mcp with 404, and a Streamable session id on /message with 404', async () => {
    const s = await start();
    const old = await sse();
    const modern = await openSession();
    const before = s.received.length;
    const onMcp = await client().post(ping(1), { 'Mcp-Session-Id': old.sessionId });
    assert.equal(onMcp.status, 404);
    assert.equal(errorOf(onMcp).code, -32001);
    const onMessage = await postJson(`${s.url}/message?sessionId=${modern.sessionId as string}`, ping(1));
    assert.equal(onMessage.status, 404);
    assert.equal((onMessage.json as { error: { code: number } }).error.code, -32001);
    assert.equal(s.received.length, before);
    assert.equal(s.endpoint.sessionCount, 2, 'both sessions are still open');
  });

  it('asks for the token: 401 with WWW-Authenticate on every method, and opens the session with it', async () => {
    const s = await start({ security: { authToken: 'sesame' } });
    const anonymous = client();
    const refused = await anonymous.initialize(1);
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers['www-authenticate']), /^Bearer realm="MCP"/);
    assert.match(errorOf(refused).message, /Missing Authorization header/);
    const wrong = await client({ Authorization: 'Bearer nope' }).initialize(1);
    assert.equal(wrong.status, 401);
    assert.match(errorOf(wrong).message, /Wrong bearer token/);
    assert.equal(s.endpoint.sessionCount, 0);
    const c = await openSession(client({ Authorization: 'Bearer sesame' }));
    for (const answer of [await c.get({ Authorization: null }), await c.delete({ Authorization: 'Bearer nope' }), await c.post(ping(1), { Authorization: null })]) {
      assert.equal(answer.status, 401);
    }
    assert.equal(s.endpoint.sessionCount, 1, 'a refused DELETE ends nothing');
    assert.equal(s.received.length, 1, 'only the initialize reached the flow');
  });

  it('refuses initialize with 503 and Retry-After once the endpoint has maxSessions sessions of either transport, all active', async () => {
    const s = await start({ maxSessions: 2 });
    await sse();
    const first = await openSession();
    const standalone = await first.get();
    assert.equal(standalone.status, 200, 'its standalone stream keeps the session active');
    const refused = await client().initialize(1);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '5');
    assert.equal(refused.headers['mcp-session-id'], undefined);
    assert.match(errorOf(refused).message, /maximum of 2 open sessions/);
    assert.equal(s.received.length, 1, 'only the first initialize reached the flow');
    // A session that is already open keeps working.
    assert.equal((await first.post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
    assert.equal((await first.delete()).status, 200);
    await openSession();
  });

  it('full, evicts the idle Streamable session (no stream, nothing in flight) for a new one: the evicted id answers 404', async () => {
    const s = await start({ maxSessions: 2 });
    await sse();
    const idle = await openSession();
    const reasons: string[] = [];
    s.endpoint.sessionClosed.add(({ session, reason }) => reasons.push(`${session.id}:${reason}`));
    const fresh = await openSession();
    assert.deepEqual(reasons, [`${idle.sessionId as string}:evicted`]);
    assert.equal(s.endpoint.sessionCount, 2);
    assert.equal(s.endpoint.sessionsEvicted, 1);
    const gone = await idle.post(ping(1));
    assert.equal(gone.status, 404);
    assert.equal(errorOf(gone).code, -32001);
    assert.equal((await fresh.post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
  });
});

describe('Streamable HTTP: batches by the protocol version the session agreed', () => {
  const notification = (i: number) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: i } });

  /** POSTs `body` on `c`'s session; asserts 400 -32600 matching `message`, nothing reaching the flow, no session opened or ended. */
  async function refused(s: CoreServer, c: StreamableClient, body: unknown, message: RegExp): Promise<void> {
    const before = s.received.length;
    const sessions = s.endpoint.sessionCount;
    const answer = await c.post(body);
    assert.equal(answer.status, 400, answer.body);
    const error = errorOf(answer);
    assert.equal(error.code, -32600);
    assert.match(error.message, message);
    assert.equal(s.received.length, before, 'nothing reached the flow');
    assert.equal(s.endpoint.sessionCount, sessions);
  }

  it('answers a batch on a 2025-03-26 session, with or without its MCP-Protocol-Version header', async () => {
    const s = await start();
    const c = await openSession(client(), '2025-03-26');
    for (const header of [null, '2025-03-26']) {
      const stream = streamOf(await c.post([ping('a'), ping('b')], { 'MCP-Protocol-Version': header }));
      s.endpoint.send(c.sessionId as string, { result: { n: 1 } }, { requestId: 'a' });
      s.endpoint.send(c.sessionId as string, { result: { n: 2 } }, { requestId: 'b' });
      assert.equal(await stream.ended, true);
      assert.deepEqual(messagesOf(stream), [{ jsonrpc: '2.0', id: 'a', result: { n: 1 } }, { jsonrpc: '2.0', id: 'b', result: { n: 2 } }]);
    }
  });

  for (const version of ['2025-06-18', '2025-11-25']) {
    it(`refuses a batch on a session that agreed ${version} with 400 -32600 naming the version; its single requests are still answered`, async () => {
      const s = await start();
      const c = await openSession(client(), version);
      c.protocolVersion = version;
      await refused(s, c, [ping('a'), ping('b')], new RegExp(`^Invalid Request: batching is not supported in protocol version ${version}$`));
      await refused(s, c, [ping('alone')], /batching is not supported/);
      await refused(s, c, [notification(1), notification(2)], /batching is not supported/);
      const stream = streamOf(await c.post(ping('single')));
      s.endpoint.send(c.sessionId as string, { result: {} }, { requestId: 'single' });
      assert.deepEqual(await nextMessage(stream), { jsonrpc: '2.0', id: 'single', result: {} });
    });
  }

  it('goes by the version the initialize answer agreed, not the one asked for', async () => {
    const s = await start();
    const older = client();
    assert.equal((await older.initialize('init', {}, '2025-11-25')).status, 200);
    s.endpoint.send(older.sessionId as string, { result: { ...INIT_RESULT, protocolVersion: '2025-03-26' } }, { requestId: 'init' });
    assert.equal((await older.post([notification(1), notification(2)])).status, 202);
    await refused(s, await openSession(client(), '2025-06-18'), [notification(1), notification(2)], /protocol version 2025-06-18/);
  });

  it('takes at most 100 messages in a batch by default: 101 get 400 -32600, and none of them reaches the flow', async () => {
    const s = await start();
    const c = await openSession(client(), '2025-03-26');
    const before = s.received.length;
    assert.equal((await c.post(Array.from({ length: 100 }, (_, i) => notification(i)))).status, 202);
    assert.equal(s.received.length, before + 100);
    await refused(s, c, Array.from({ length: 101 }, (_, i) => notification(i)), /^Invalid Request: a batch of 101 messages; this endpoint takes at most 100 in one batch$/);
  });

  it('takes at most maxBatchSize messages in a batch when it is set', async () => {
    const s = await start({ maxBatchSize: 3 });
    const c = await openSession(client(), '2025-03-26');
    assert.equal((await c.post([notification(1), notification(2), notification(3)])).status, 202);
    await refused(s, c, [ping(1), ping(2), ping(3), ping(4)], /a batch of 4 messages; this endpoint takes at most 3/);
  });
});

describe('Streamable HTTP: 2026-07-28 requests that are batched, not UTF-8, or name an unknown version', () => {
  const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const MODERN_HEADERS = { 'Mcp-Session-Id': null, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/list' };
  const list = (id: string) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: { _meta: ENVELOPE } });

  // Bounded: a batch taken by mistake would wait for a flow that never answers.
  it('refuses an array with 400 -32600, as the SDK v2 handler does: 2026-07-28 has no batches', { timeout: 10_000 }, async () => {
    const s = await start();
    for (const body of [[list('a'), list('b')], [list('only')]]) {
      const answer = await client().post(body, MODERN_HEADERS);
      assert.equal(answer.status, 400, answer.body);
      assert.deepEqual(answer.json, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: batching is not supported in protocol version 2026-07-28' } });
    }
    // Known by its envelope alone, without the header.
    const enveloped = await client().post([list('a'), list('b')], { 'Mcp-Session-Id': null, 'Mcp-Method': 'tools/list' });
    assert.equal(enveloped.status, 400);
    assert.match(errorOf(enveloped).message, /protocol version 2026-07-28/);
    assert.equal(s.received.length, 0, 'nothing reached the flow');
    assert.equal(s.endpoint.exchangeCount, 0);
    // The same request alone is answered (here by the test, as the flow).
    const single = client().post(list('single'), MODERN_HEADERS);
    await waitFor(() => s.received.length === 1, 2000, 'the flow to get the request');
    s.endpoint.send(s.received[0].session.id, { result: { tools: [] } }, { requestId: 'single' });
    assert.equal((await single).status, 200);
  });

  it('answers a body that is not UTF-8 with 400 -32700', async () => {
    const s = await start();
    const answer = await client().post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), MODERN_HEADERS);
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the request body is not valid UTF-8' } });
    assert.equal(s.received.length, 0);
  });

  it('answers initialize with an MCP-Protocol-Version it speaks in neither era with 400 -32022 and every supported version', async () => {
    const s = await start();
    const answer = await client().initialize('init', { 'MCP-Protocol-Version': '1999-01-01' });
    assert.equal(answer.status, 400, answer.body);
    assert.deepEqual(answer.json, {
      jsonrpc: '2.0',
      id: 'init',
      error: {
        code: -32022,
        message: 'Unsupported protocol version "1999-01-01" in MCP-Protocol-Version. Supported: 2026-07-28 (params._meta on every request); 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05 (negotiated by initialize)',
        data: { supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], requested: '1999-01-01' },
      },
    });
    // Any other request without a session and without the envelope is told the same; a batch too.
    const other = await client().post([ping(1), ping(2)], { 'Mcp-Session-Id': null, 'MCP-Protocol-Version': 'banana' });
    assert.equal(other.status, 400);
    assert.equal(errorOf(other).code, -32022);
    assert.equal(s.received.length, 0);
    assert.equal(s.endpoint.sessionCount, 0, 'no session opened');
    // Without the header, or with a version initialize negotiates, initialize opens a session.
    for (const header of [null, '2025-06-18']) {
      const c = client();
      assert.equal((await c.initialize('init', { 'MCP-Protocol-Version': header })).status, 200);
    }
    assert.equal(s.endpoint.sessionCount, 2);
  });
});

describe('Streamable HTTP: the standalone GET stream', () => {
  it('opens on GET, refuses a second one with 409, and carries broadcasts and messages about no request', async () => {
    const s = await start();
    const c = await openSession();
    const sid = c.sessionId as string;
    const answer = await c.get();
    assert.equal(answer.headers['content-type'], 'text/event-stream');
    assert.equal(answer.headers['mcp-session-id'], sid);
    const standalone = streamOf(answer);
    const second = await c.get();
    assert.equal(second.status, 409);
    assert.match(errorOf(second).message, /already has its standalone SSE stream open/);
    const withoutStream = await openSession();
    assert.equal(s.endpoint.broadcast({ method: 'notifications/tools/list_changed' }), 1, 'only the session with a standalone stream gets it');
    assert.deepEqual(await nextMessage(standalone), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.equal(s.endpoint.send(sid, { method: 'notifications/message', params: { level: 'info', data: 'news' } }).sent, true);
    assert.deepEqual(await nextMessage(standalone), { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'news' } });
    const request = s.endpoint.send(sid, { method: 'roots/list' }, { request: { timeoutMs: 0, settle: () => {} } });
    assert.equal(request.sent, true);
    assert.deepEqual(await nextMessage(standalone), { jsonrpc: '2.0', id: (request as { message: { id: number } }).message.id, method: 'roots/list' });
    // Without a standalone stream, a message about no request has nowhere to go.
    const dropped = s.endpoint.send(withoutStream.sessionId as string, { method: 'notifications/message', params: { level: 'info', data: 'lost' } });
    assert.equal(dropped.sent, false);
    assert.equal(await stillOpenAfter(standalone), true);
  });

  it('never puts a response on it: a response whose POST stream is gone is dropped, and the flow is told why', async () => {
    const s = await start();
    const c = await openSession();
    const sid = c.sessionId as string;
    const standalone = streamOf(await c.get());
    const closed = nextResponseClosed(s);
    const post = await c.post(ping('gone'));
    post.close();
    await closed;
    const result = s.endpoint.send(sid, { result: {} }, { requestId: 'gone' });
    assert.deepEqual(result, { sent: false, reason: 'response dropped: the client closed the stream it would go on' });
    s.endpoint.send(sid, { method: 'notifications/message', params: { level: 'info', data: 'marker' } });
    assert.deepEqual(await nextMessage(standalone), { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'marker' } },
      'the next event on the standalone stream is the marker, not the response');
    assert.equal(s.endpoint.session(sid)?.closed, false, 'the session lives on');
  });

  it('can be reopened once the client closes it (the session lives on), and ends cleanly when the endpoint closes', async () => {
    const s = await start();
    const c = await openSession();
    const first = await c.get();
    first.close();
    await waitFor(() => s.endpoint.session(c.sessionId as string)?.attached === false, 2000, 'the server to see the stream close');
    const reopened = streamOf(await c.get());
    assert.equal(s.endpoint.sessionCount, 1);
    s.endpoint.close();
    assert.equal(await reopened.ended, true, 'the endpoint closing ends the stream cleanly');
    assert.equal((await c.get()).status, 503);
  });
});

describe('Streamable HTTP: DELETE', () => {
  it('ends the session (200); its id then answers 404 on POST, GET and DELETE; its streams end; listeners hear client-deleted', async () => {
    const s = await start();
    const c = await openSession();
    const sid = c.sessionId as string;
    const reasons: string[] = [];
    s.endpoint.sessionClosed.add((e) => reasons.push(`${e.session.id}:${e.reason}`));
    const standalone = streamOf(await c.get());
    const post = streamOf(await c.post(ping('pending')));
    const deleted = await c.delete();
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body, '');
    assert.deepEqual(reasons, [`${sid}:client-deleted`]);
    assert.equal(await standalone.ended, true);
    assert.equal(await post.ended, true);
    assert.equal(s.registry.get(sid), undefined);
    assert.equal(s.endpoint.sessionCount, 0);
    for (const answer of [await c.post(ping(2)), await c.get(), await c.delete()]) {
      assert.equal(answer.status, 404);
      assert.equal(errorOf(answer).code, -32001);
    }
    assert.throws(() => s.endpoint.send(sid, { result: {} }, { requestId: 'pending' }), /closed or unknown/);
  });
});

describe('Streamable HTTP: JSON response mode', () => {
  it('answers with one application/json body and the Mcp-Session-Id header; a batch (2025-03-26) gets an array', async () => {
    const s = await start({ jsonResponse: true });
    const c = client();
    const pending = c.initialize(1, {}, '2025-03-26');
    await waitFor(() => s.received.length === 1, 2000, 'the flow to get initialize');
    const sid = s.received[0].session.id;
    const result = { ...INIT_RESULT, protocolVersion: '2025-03-26' };
    s.endpoint.send(sid, { result }, { requestId: 1 });
    const answer = await pending;
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['mcp-session-id'], sid);
    assert.ok(V4_UUID.test(sid));
    assert.deepEqual(answer.json, { jsonrpc: '2.0', id: 1, result });
    assert.equal(c.sessionId, sid);

    const batch = c.post([ping('a'), { jsonrpc: '2.0', method: 'notifications/initialized' }, ping('b')]);
    await waitFor(() => s.received.length === 4, 2000, 'the flow to get the batch');
    s.endpoint.send(sid, { result: { n: 'a' } }, { requestId: 'a' });
    s.endpoint.send(sid, { result: { n: 'b' } }, { requestId: 'b' });
    const batchAnswer = await batch;
    assert.equal(batchAnswer.status, 200);
    assert.equal(batchAnswer.headers['content-type'], 'application/json');
    assert.deepEqual(batchAnswer.json, [{ jsonrpc: '2.0', id: 'a', result: { n: 'a' } }, { jsonrpc: '2.0', id: 'b', result: { n: 'b' } }]);

    const single = c.post([ping('only')]);
    await waitFor(() => s.received.length === 5, 2000, 'the flow to get the one-request batch');
    s.endpoint.send(sid, { result: {} }, { requestId: 'only' });
    assert.deepEqual((await single).json, [{ jsonrpc: '2.0', id: 'only', result: {} }], 'a batch of one is answered with an array of one');

    const accepted = await c.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.equal(accepted.status, 202);
    assert.equal(accepted.body, '');
  });

  it('sends progress about a request on the standalone stream, since a JSON answer carries only responses', async () => {
    const s = await start({ jsonResponse: true });
    s.endpoint.messageReceived.add(({ session, message }) => {
      if ('method' in message && message.method === 'initialize' && 'id' in message) s.endpoint.send(session.id, { result: INIT_RESULT }, { requestId: message.id });
    });
    const c = client();
    assert.equal((await c.initialize(1)).status, 200);
    const sid = c.sessionId as string;
    const standalone = streamOf(await c.get());
    const pending = c.post(callWithProgress(3, 'jtok'));
    await waitFor(() => s.received.length === 2, 2000, 'the flow to get the call');
    assert.equal(s.endpoint.send(sid, { method: 'notifications/progress', params: { progress: 1 } }, { requestId: 3 }).sent, true);
    assert.deepEqual(await nextMessage(standalone), { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1, progressToken: 'jtok' } });
    s.endpoint.send(sid, { result: { content: [] } }, { requestId: 3 });
    assert.deepEqual((await pending).json, { jsonrpc: '2.0', id: 3, result: { content: [] } });
  });
});

describe('Streamable HTTP: resumption (Last-Event-ID)', () => {
  it('numbers events <sessionId>:<n>, primes 2025-11-25 POST streams, and replays exactly the cut stream\'s missed events on GET', async () => {
    const s = await start({ resumeGraceMs: 60_000, retryMs: 250 });
    const c = client();
    const init = await c.initialize('init');
    const sid = c.sessionId as string;
    s.endpoint.send(sid, { result: INIT_RESULT }, { requestId: 'init' });
    const initEvent = await streamOf(init).nextEvent();
    assert.equal(initEvent.id, `${sid}:1`, 'initialize carried no MCP-Protocol-Version: no priming event');
    c.protocolVersion = '2025-11-25';
    const standalone = streamOf(await c.get());

    const closed = nextResponseClosed(s);
    const post = await c.post(callWithProgress(7));
    const postStream = streamOf(post);
    assert.deepEqual(await postStream.nextEvent(), { event: 'message', id: `${sid}:2`, retry: 250, data: '' }, 'the priming event');
    s.endpoint.send(sid, { method: 'notifications/progress', params: { progress: 1 } }, { requestId: 7 });
    const progress = await postStream.nextEvent();
    assert.equal(progress.id, `${sid}:3`);
    s.endpoint.send(sid, { method: 'notifications/message', params: { level: 'info', data: 'standalone 1' } });
    assert.equal((await standalone.nextEvent()).id, `${sid}:4`);

    post.close();
    await closed;
    // Meanwhile the flow answers: kept for the client, which comes back for it.
    assert.equal(s.endpoint.send(sid, { result: { content: [] } }, { requestId: 7 }).sent, true);
    s.endpoint.send(sid, { method: 'notifications/message', params: { level: 'info', data: 'standalone 2' } });
    assert.equal((await standalone.nextEvent()).id, `${sid}:6`);

    const resumed = await c.get({ 'Last-Event-ID': progress.id as string });
    assert.equal(resumed.headers['mcp-session-id'], sid);
    const replay = streamOf(resumed);
    assert.equal(await replay.ended, true, 'the resumed stream ends: its request is answered');
    assert.deepEqual(replay.events.map((e) => [e.id, JSON.parse(e.data)]), [[`${sid}:5`, { jsonrpc: '2.0', id: 7, result: { content: [] } }]],
      'exactly the cut stream\'s missed response, none of the standalone stream\'s events');
    assert.equal(await stillOpenAfter(standalone), true, 'the standalone stream is untouched');
  });

  it('resumes a POST stream cut before its response: missed events first, then the response live, then the end', async () => {
    const s = await start({ resumeGraceMs: 60_000, retryMs: 0 });
    const c = await openSession();
    const sid = c.sessionId as string;
    c.protocolVersion = '2025-11-25';
    const closed = nextResponseClosed(s);
    const post = await c.post(callWithProgress('r'));
    const priming = await streamOf(post).nextEvent();
    assert.equal(priming.data, '');
    assert.equal(priming.retry, undefined, 'retry 0: no retry field');
    post.close();
    await closed;
    s.endpoint.send(sid, { method: 'notifications/progress', params: { progress: 1 } }, { requestId: 'r' });
    const resumed = streamOf(await c.get({ 'Last-Event-ID': priming.id as string }));
    assert.deepEqual(await nextMessage(resumed), { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1, progressToken: 'tok-r' } });
    assert.equal(await stillOpenAfter(resumed), true, 'the resumed stream waits for the response');
    s.endpoint.send(sid, { result: { content: [] } }, { requestId: 'r' });
    assert.deepEqual(await nextMessage(resumed), { jsonrpc: '2.0', id: 'r', result: { content: [] } });
    assert.equal(await resumed.ended, true);
  });

  it('refuses a Last-Event-ID of another session, or not of this package, with 400', async () => {
    const s = await start({ resumeGraceMs: 60_000 });
    const a = await openSession();
    const b = await openSession();
    const before = s.received.length;
    for (const lastEventId of [`${b.sessionId as string}:1`, 'banana', `${a.sessionId as string}:99`]) {
      const answer = await a.get({ 'Last-Event-ID': lastEventId });
      assert.equal(answer.status, 400, lastEventId);
      assert.match(errorOf(answer).message, /Last-Event-ID cannot be resumed/);
    }
    assert.equal(s.received.length, before);
    assert.equal(s.endpoint.sessionCount, 2);
  });

  it('sends no priming event to clients before 2025-11-25 (they would read its empty data as a message)', async () => {
    const s = await start({ resumeGraceMs: 60_000 });
    const c = await openSession();
    c.protocolVersion = '2025-06-18';
    const stream = streamOf(await c.post(ping(1)));
    s.endpoint.send(c.sessionId as string, { result: {} }, { requestId: 1 });
    assert.equal(await stream.ended, true);
    assert.deepEqual(stream.events.map((e) => e.data), ['{"jsonrpc":"2.0","id":1,"result":{}}']);
    assert.equal(stream.events[0].id, `${c.sessionId as string}:2`);
  });

  it('without resumption: no id lines and no priming event, and Last-Event-ID is ignored', async () => {
    const s = await start();
    const c = await openSession();
    const sid = c.sessionId as string;
    c.protocolVersion = '2025-11-25';
    const standalone = streamOf(await c.get({ 'Last-Event-ID': `${sid}:1` }));
    const post = streamOf(await c.post(callWithProgress(1)));
    s.endpoint.send(sid, { method: 'notifications/progress', params: { progress: 1 } }, { requestId: 1 });
    s.endpoint.send(sid, { result: {} }, { requestId: 1 });
    s.endpoint.broadcast({ method: 'notifications/tools/list_changed' });
    assert.equal(await post.ended, true);
    await standalone.nextEvent();
    assert.deepEqual(post.events.map((e) => e.id), [undefined, undefined]);
    assert.deepEqual(post.events.map((e) => e.retry), [undefined, undefined]);
    assert.deepEqual(standalone.events.map((e) => e.id), [undefined]);
  });
});

describe('Streamable HTTP: session lifetime', () => {
  it('ends a session with no open stream after sessionTimeoutMs (idle-timeout); its id then answers 404', async () => {
    const s = await start({ sessionTimeoutMs: 300 });
    const reasons: string[] = [];
    s.endpoint.sessionClosed.add((e) => reasons.push(`${e.session.id}:${e.reason}`));
    const warnings: string[] = [];
    s.endpoint.warning.add((w) => warnings.push(w));
    const opened = Date.now();
    const c = await openSession();
    await waitFor(() => reasons.length === 1, 3000, 'the session to time out');
    assert.ok(Date.now() - opened >= 250, 'not before its time');
    assert.deepEqual(reasons, [`${c.sessionId as string}:idle-timeout`]);
    assert.deepEqual(warnings, [], 'the normal end of a session whose client left without DELETE is not logged as a warning');
    const late = await c.post(ping(1));
    assert.equal(late.status, 404);
    assert.equal(errorOf(late).code, -32001);
  });

  it('keeps a session while its standalone stream is open, or a request is still being answered', async () => {
    const s = await start({ sessionTimeoutMs: 200 });
    const listening = await openSession();
    const standalone = streamOf(await listening.get());
    const working = await openSession();
    const post = streamOf(await working.post(ping('slow')));
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(s.endpoint.sessionCount, 2, 'neither session ended');
    assert.equal(standalone.isEnded, false);
    s.endpoint.send(working.sessionId as string, { result: {} }, { requestId: 'slow' });
    assert.deepEqual(await nextMessage(post), { jsonrpc: '2.0', id: 'slow', result: {} });
    s.endpoint.broadcast({ method: 'notifications/tools/list_changed' });
    await nextMessage(standalone);
    // With its stream gone, the working session ends on its own.
    await waitFor(() => s.endpoint.session(working.sessionId as string) === undefined, 3000, 'the working session to time out');
    assert.ok(s.endpoint.session(listening.sessionId as string), 'the listening session is still open');
  });

  it('applies idleTimeoutMs even while a stream is open, when it is set', async () => {
    const s = await start({ sessionTimeoutMs: 60_000, idleTimeoutMs: 300 });
    const reasons: string[] = [];
    s.endpoint.sessionClosed.add((e) => reasons.push(e.reason ?? ''));
    const c = await openSession();
    const standalone = streamOf(await c.get());
    assert.equal(await standalone.ended, true, 'the stream ends with the session');
    assert.deepEqual(reasons, ['idle-timeout']);
    assert.equal((await c.get()).status, 404);
  });
});

describe('Streamable HTTP and HTTP+SSE on one endpoint', () => {
  it('serves a session of each at once without cross-talk; both count, both are listed with their transport', async () => {
    const s = await start();
    const old = await sse();
    const modern = await openSession();
    const standalone = streamOf(await modern.get());
    const sid = modern.sessionId as string;
    assert.equal(s.endpoint.sessionCount, 2);
    assert.deepEqual(s.registry.list('ep1').map((x) => [x.id, x.info().transport]).sort(),
      [[old.sessionId, 'sse'], [sid, 'streamable-http']].sort());

    // The same request id on both sessions.
    const before = s.received.length;
    assert.equal((await postJson(`${s.url}${old.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status, 202);
    const post = streamOf(await modern.post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    assert.deepEqual(s.received.slice(before).map((m) => [m.session.id, m.session.transport]), [[old.sessionId, 'sse'], [sid, 'streamable-http']]);
    s.endpoint.send(sid, { result: { for: 'streamable' } }, { requestId: 1 });
    s.endpoint.send(old.sessionId, { result: { for: 'sse' } }, { requestId: 1 });
    assert.deepEqual(await nextMessage(post), { jsonrpc: '2.0', id: 1, result: { for: 'streamable' } });
    assert.equal(await post.ended, true);
    assert.deepEqual(JSON.parse((await old.nextEvent()).data), { jsonrpc: '2.0', id: 1, result: { for: 'sse' } });

    assert.equal(s.endpoint.broadcast({ method: 'notifications/resources/list_changed' }), 2);
    assert.deepEqual(JSON.parse((await old.nextEvent()).data), { jsonrpc: '2.0', method: 'notifications/resources/list_changed' });
    assert.deepEqual(await nextMessage(standalone), { jsonrpc: '2.0', method: 'notifications/resources/list_changed' });

    old.close();
    await waitFor(() => s.endpoint.sessionCount === 1, 2000, 'the SSE session to end');
    assert.equal(s.endpoint.session(sid)?.closed, false, 'the Streamable session lives on');
    assert.equal(standalone.isEnded, false);
  });
});
