/**
 * core/endpoint.ts as a flow uses it, over plain node:http (test/support/core-server.ts) with raw
 * clients of both transports: the sessions it hears open and close, send (to a session it has, and
 * SessionNotFoundError for one it has not), broadcast and what it counts, and close(): every
 * stream ends cleanly, every session closes with `endpoint-closed`, later requests get 503.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answerLikeTheTutorial, startCoreServer, waitFor, type CoreServer } from '../support/core-server';
import { openSse, postJson, request, type SseConnection } from '../support/sse-client';
import { messagesOf, StreamableClient } from '../support/streamable-client';
import type { EventStream } from '../support/sse-client';
import { SessionNotFoundError, type CloseReason } from '../../core/session';
import { ProtocolError } from '../../core/protocol';

let server: CoreServer | undefined;
const streams: SseConnection[] = [];
const clients: StreamableClient[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  for (const c of clients.splice(0)) c.closeAll();
  await server?.close();
  server = undefined;
});

/** An endpoint whose "flow" answers as the tutorial does. */
async function start(): Promise<CoreServer> {
  server = await startCoreServer({ keepAliveMs: 0 });
  answerLikeTheTutorial(server.endpoint);
  return server;
}

async function openSseSession(s: CoreServer): Promise<SseConnection> {
  const sse = await openSse(`${s.url}/sse`);
  streams.push(sse);
  return sse;
}

/** A Streamable HTTP session, initialized; with `withGet`, its standalone GET stream open too. */
async function openStreamableSession(s: CoreServer, withGet: boolean): Promise<{ client: StreamableClient; get?: EventStream }> {
  const client = new StreamableClient(`${s.url}/mcp`);
  clients.push(client);
  const init = await client.initialize('init');
  assert.equal(init.status, 200, init.body);
  await init.stream?.ended;
  if (!withGet) return { client };
  const get = await client.get();
  assert.equal(get.status, 200, get.body);
  const sessionId = client.sessionId as string;
  await waitFor(() => s.endpoint.session(sessionId)?.attached === true, 2000, 'the GET stream to attach');
  return { client, get: get.stream };
}

const listChanged = { method: 'notifications/tools/list_changed' };

describe('an endpoint', { timeout: 30_000 }, () => {
  it('tells its listeners of each session that opens, of both transports, with the headers that opened it, and counts them', async () => {
    const s = await start();
    const opened: Array<{ id: string; transport: string; userAgent: unknown }> = [];
    s.endpoint.sessionOpened.add(({ session, headers }) => opened.push({ id: session.id, transport: session.transport, userAgent: headers['user-agent'] }));
    const sse = await openSse(`${s.url}/sse`, { 'User-Agent': 'sse-test' });
    streams.push(sse);
    const { client } = await openStreamableSession(s, false);
    assert.equal(s.endpoint.sessionCount, 2);
    assert.deepEqual(opened.map((o) => o.transport), ['sse', 'streamable-http']);
    assert.deepEqual(opened.map((o) => o.id), [sse.sessionId, client.sessionId]);
    assert.equal(opened[0].userAgent, 'sse-test');
    assert.equal(s.endpoint.session(sse.sessionId)?.id, sse.sessionId);
  });

  it('sends what a flow answers to the session that asked, on its stream', async () => {
    const s = await start();
    const a = await openSseSession(s);
    const b = await openSseSession(s);
    const heard: string[] = [];
    s.endpoint.messageReceived.add(({ session, message }) => heard.push(`${session.id}:${'method' in message ? message.method : ''}`));
    assert.equal((await postJson(`${s.url}${a.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'ping' })).status, 202);
    assert.equal((await postJson(`${s.url}${b.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status, 202);
    assert.deepEqual(JSON.parse((await a.nextEvent()).data), { jsonrpc: '2.0', id: 1, result: {} });
    assert.equal((JSON.parse((await b.nextEvent()).data) as { result: { tools: unknown[] } }).result.tools.length, 2);
    assert.deepEqual(heard, [`${a.sessionId}:ping`, `${b.sessionId}:tools/list`], 'each message with its session, in order');
    // The flow's own message to one session reaches that session only.
    assert.deepEqual(s.endpoint.send(a.sessionId, { method: 'notifications/message', params: { level: 'info', data: 'for a' } }).sent, true);
    assert.deepEqual(JSON.parse((await a.nextEvent()).data).params.data, 'for a');
    assert.deepEqual(b.takeAll(), []);
  });

  it('throws SessionNotFoundError, naming it, for a session it does not have: never opened, or closed', async () => {
    const s = await start();
    const unknown = '0b3c7a52-8a8f-4c4e-9d8e-3f1f5a0c2b11';
    assert.throws(() => s.endpoint.send(unknown, listChanged), (error: unknown) =>
      error instanceof SessionNotFoundError && error.sessionId === unknown && error.message.includes(unknown));
    const sse = await openSseSession(s);
    const closed: CloseReason[] = [];
    s.endpoint.sessionClosed.add(({ reason }) => closed.push(reason as CloseReason));
    sse.close();
    await waitFor(() => closed.length === 1, 2000, 'the session to close');
    assert.deepEqual(closed, ['client-disconnected']);
    assert.equal(s.endpoint.session(sse.sessionId), undefined);
    assert.throws(() => s.endpoint.send(sse.sessionId, listChanged), SessionNotFoundError);
  });

  it('broadcasts a notification to every session with a stream of its own, of both transports, and counts them', async () => {
    const s = await start();
    const sseA = await openSseSession(s);
    const sseB = await openSseSession(s);
    const withGet = await openStreamableSession(s, true);
    const withoutGet = await openStreamableSession(s, false);
    assert.equal(s.endpoint.sessionCount, 4);
    assert.equal(s.endpoint.broadcast(listChanged), 3, 'the Streamable session without a GET stream has nowhere to get it');
    const expected = { jsonrpc: '2.0', ...listChanged };
    assert.deepEqual(JSON.parse((await sseA.nextEvent()).data), expected);
    assert.deepEqual(JSON.parse((await sseB.nextEvent()).data), expected);
    const get = withGet.get as EventStream;
    await waitFor(() => messagesOf(get).length === 1, 2000, 'the broadcast on the GET stream');
    assert.deepEqual(messagesOf(get), [expected]);
    // Only notifications can be broadcast: anything else is refused and sent to nobody.
    assert.throws(() => s.endpoint.broadcast({ jsonrpc: '2.0', id: 1, method: 'ping' }), ProtocolError);
    // Once the other session opens its GET stream, it gets the next broadcast, and only that one (no resumption here).
    const late = (await withoutGet.client.get()).stream as EventStream;
    await waitFor(() => s.endpoint.session(withoutGet.client.sessionId as string)?.attached === true, 2000, 'the GET stream to attach');
    const next = { jsonrpc: '2.0', method: 'notifications/resources/list_changed' };
    assert.equal(s.endpoint.broadcast(next), 4, 'now every session has a stream');
    await waitFor(() => messagesOf(late).length > 0, 2000, 'the next broadcast on the late GET stream');
    assert.deepEqual(messagesOf(late), [next]);
    assert.deepEqual(JSON.parse((await sseA.nextEvent()).data), next, 'the refused broadcast never went out');
  });

  it('close() ends every stream cleanly, closes every session with endpoint-closed, and answers later requests 503, on both transports', async () => {
    const s = await start();
    const sse = await openSseSession(s);
    const streamable = await openStreamableSession(s, true);
    const closed: Array<{ id: string; reason: unknown }> = [];
    s.endpoint.sessionClosed.add(({ session, reason }) => closed.push({ id: session.id, reason }));
    await s.endpoint.close();
    assert.deepEqual(await Promise.all([sse.ended, (streamable.get as EventStream).ended]), [true, true], 'clean ends, not resets');
    assert.deepEqual(closed.map((c) => c.reason), ['endpoint-closed', 'endpoint-closed']);
    assert.deepEqual(closed.map((c) => c.id).sort(), [sse.sessionId, streamable.client.sessionId].sort());
    assert.equal(s.endpoint.sessionCount, 0);
    assert.equal(s.registry.count(), 0, 'its sessions left the registry');
    assert.throws(() => s.endpoint.send(sse.sessionId, listChanged), SessionNotFoundError);
    assert.equal(s.endpoint.broadcast(listChanged), 0);
    await assert.rejects(openSse(`${s.url}/sse`), (error: { status?: number }) => error.status === 503);
    assert.equal((await postJson(`${s.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 2, method: 'ping' })).status, 503);
    assert.equal((await new StreamableClient(`${s.url}/mcp`).initialize('again')).status, 503);
    assert.equal((await streamable.client.post({ jsonrpc: '2.0', id: 2, method: 'ping' })).status, 503);
    assert.equal((await request(`${s.url}/mcp`, { method: 'GET', headers: { Accept: 'text/event-stream' } })).status, 503);
    await s.endpoint.close();
    assert.deepEqual(closed.length, 2, 'a second close changes nothing');
  });
});
