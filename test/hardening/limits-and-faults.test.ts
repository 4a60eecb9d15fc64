/**
 * Limits (open sessions, push queue bounds, idle timeout) and faults (a client gone mid-write, a
 * POST racing its session's close, the endpoint closing with open streams), on both transports,
 * each with a healthy session on the same endpoint that must not notice.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startCoreServer, waitFor, type CoreServer } from '../support/core-server';
import { openSse, postJson, request, type SseConnection } from '../support/sse-client';
import { SessionClosedError, type Session } from '../../core/session';
import { messagesOf, POST_ACCEPT, StreamableClient } from '../support/streamable-client';

let server: CoreServer | undefined;
const streams: SseConnection[] = [];
const clients: StreamableClient[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  for (const c of clients.splice(0)) c.closeAll();
  await server?.close();
  server = undefined;
});

/** The method the flow leaves unanswered, for the test to answer (or not) itself. */
const HOLD = 'test/hold';

async function start(options: Parameters<typeof startCoreServer>[0]): Promise<CoreServer> {
  server = await startCoreServer(options);
  // The "flow": answers every request on its own session, but HOLD.
  server.endpoint.messageReceived.add(({ session, kind, message }) => {
    if (kind === 'request' && 'id' in message && 'method' in message && message.method !== HOLD && !session.closed) {
      session.send({ jsonrpc: '2.0', id: message.id as string | number, result: { ok: true } });
    }
  });
  return server;
}

/** Opens a Streamable HTTP session (the flow answers its initialize). */
async function openStreamable(): Promise<StreamableClient> {
  const c = new StreamableClient(`${(server as CoreServer).url}/mcp`);
  clients.push(c);
  const answer = await c.initialize('init');
  assert.equal(answer.status, 200, answer.body);
  assert.equal(await answer.stream?.ended, true);
  return c;
}

/** The Streamable session posts a request and gets its answer on the POST's stream, which then ends. */
async function streamableStillAnswered(c: StreamableClient, id: string): Promise<void> {
  const answer = await c.post({ jsonrpc: '2.0', id, method: 'ping' });
  assert.equal(answer.status, 200, answer.body);
  assert.equal(await answer.stream?.ended, true);
  assert.deepEqual(messagesOf(answer.stream!), [{ jsonrpc: '2.0', id, result: { ok: true } }]);
}

async function open(): Promise<SseConnection> {
  const s = await openSse(`${(server as CoreServer).url}/sse`);
  streams.push(s);
  return s;
}

/** The session posts a request and gets its answer on its stream. */
async function stillAnswered(s: SseConnection, id: string): Promise<void> {
  const posted = await postJson(`${(server as CoreServer).url}${s.endpoint}`, { jsonrpc: '2.0', id, method: 'ping' });
  assert.equal(posted.status, 202, posted.body);
  for (;;) {
    const data = JSON.parse((await s.nextEvent()).data) as { id?: unknown };
    if (data.id === id) return;
  }
}

/**
 * A client that opens a stream and never reads it: its socket's receive window fills, then the
 * server's send buffer, and `write()` starts returning false.
 */
function stalledClient(port: number): Promise<{ socket: net.Socket; sessionId: string }> {
  return stalledRequest(port, `GET /sse HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`, /sessionId=([0-9a-f-]{36})/);
}

/**
 * Sends a raw request and stops reading its answer once `ready` matches what arrived (the first
 * group is returned as `sessionId`, or '' when there is none).
 */
function stalledRequest(port: number, raw: string, ready: RegExp): Promise<{ socket: net.Socket; sessionId: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const match = ready.exec(text);
      if (match) {
        socket.off('data', onData);
        socket.pause();
        resolve({ socket, sessionId: match[1] ?? '' });
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(raw);
  });
}

/** A Streamable HTTP client that opens its standalone GET stream and never reads it. */
function stalledStandalone(port: number, sessionId: string): Promise<{ socket: net.Socket }> {
  return stalledRequest(port, `GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nMcp-Session-Id: ${sessionId}\r\n\r\n`, /^HTTP\/1\.1 200[^]*?\r\n\r\n/);
}

/** A Streamable HTTP client that POSTs request `id` (HOLD) and never reads the POST's stream. */
function stalledPost(port: number, sessionId: string, id: string): Promise<{ socket: net.Socket }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id, method: HOLD });
  return stalledRequest(port, `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: ${POST_ACCEPT}\r\nContent-Type: application/json\r\n`
    + `Mcp-Session-Id: ${sessionId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, /^HTTP\/1\.1 200[^]*?\r\n\r\n/);
}

/**
 * Sends `payload` about `requestId` (or about none) to a session until the endpoint refuses it,
 * as a flow would that keeps pushing; returns how many went and the most frames that waited.
 */
function pushUntilRefused(s: CoreServer, sessionId: string, payload: object, requestId?: string): { sent: number; maxQueued: number; thrown: unknown } {
  const session = s.registry.get(sessionId) as Session;
  let maxQueued = 0;
  let sent = 0;
  for (; sent < 20_000; sent++) {
    try {
      const result = s.endpoint.send(sessionId, payload, requestId === undefined ? {} : { requestId });
      assert.equal(result.sent, true, JSON.stringify(result));
    } catch (error) {
      return { sent, maxQueued, thrown: error };
    }
    maxQueued = Math.max(maxQueued, session.info().queued);
  }
  return { sent, maxQueued, thrown: undefined };
}

describe('limits', () => {
  it('answers the session past the maximum with 503 and Retry-After, and takes it once one closes', async () => {
    const s = await start({ maxSessions: 3 });
    const first = await Promise.all([open(), open(), open()]);
    const refused = await request(`${s.url}/sse`, { method: 'GET' });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '5');
    assert.deepEqual(refused.json, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'This MCP endpoint has its maximum of 3 open sessions; try again later' } });
    assert.equal(s.endpoint.sessionCount, 3);
    for (const [i, c] of first.entries()) await stillAnswered(c, `full-${i}`);
    first[0].close();
    await waitFor(() => s.endpoint.sessionCount === 2, 5000, 'the closed session to leave');
    const fourth = await open();
    await stillAnswered(fourth, 'fourth');
  });

  it('closes a stalled client past its queue bound in messages, logs why, and leaves the others alone', async () => {
    const s = await start({ queueLimits: { messages: 20, bytes: Infinity } });
    const healthy = await open();
    const warnings: string[] = [];
    s.endpoint.warning.add((w) => warnings.push(w));
    const closed: string[] = [];
    s.endpoint.sessionClosed.add((e) => closed.push(`${e.session.id}:${e.reason}`));
    const stalled = await stalledClient(Number(new URL(s.url).port));
    const session = s.registry.get(stalled.sessionId) as Session;
    const payload = 'x'.repeat(16 * 1024);
    let maxQueued = 0;
    let sent = 0;
    let thrown: unknown;
    // Far more than any socket buffers: the bound must end it first.
    for (; sent < 20_000 && !session.closed; sent++) {
      try {
        session.send({ jsonrpc: '2.0', method: 'notifications/message', params: { n: sent, payload } });
      } catch (error) {
        thrown = error;
        break;
      }
      maxQueued = Math.max(maxQueued, session.info().queued);
    }
    assert.ok(session.closed, `closed after ${sent} messages`);
    assert.ok(thrown instanceof SessionClosedError, 'the message past the bound fails for the flow');
    assert.ok(maxQueued <= 20, `at most 20 messages waited (${maxQueued})`);
    assert.deepEqual(closed, [`${stalled.sessionId}:queue-overflow`]);
    assert.deepEqual(warnings, [`MCP session ${stalled.sessionId} closed: more than 20 messages waiting for a client that does not read its stream`]);
    assert.equal(s.registry.get(stalled.sessionId), undefined);
    await stillAnswered(healthy, 'after-overflow');
    stalled.socket.destroy();
  });

  it('closes a stalled client past its queue bound in bytes', async () => {
    const s = await start({ queueLimits: { messages: Infinity, bytes: 100_000 } });
    const healthy = await open();
    const warnings: string[] = [];
    s.endpoint.warning.add((w) => warnings.push(w));
    const stalled = await stalledClient(Number(new URL(s.url).port));
    const session = s.registry.get(stalled.sessionId) as Session;
    let maxBytes = 0;
    for (let n = 0; n < 20_000 && !session.closed; n++) {
      try {
        session.send({ jsonrpc: '2.0', method: 'notifications/message', params: { n, payload: 'y'.repeat(8 * 1024) } });
      } catch {
        break;
      }
      maxBytes = Math.max(maxBytes, session.info().queuedBytes);
    }
    assert.ok(session.closed);
    assert.ok(maxBytes <= 100_000, `at most 100000 bytes waited (${maxBytes})`);
    assert.match(warnings[0], /more than 100000 bytes waiting/);
    await stillAnswered(healthy, 'after-byte-overflow');
    stalled.socket.destroy();
  });

  it('closes a Streamable session whose standalone stream is not read, past its queue bound, and leaves both transports\' others alone', async () => {
    const s = await start({ queueLimits: { messages: 20, bytes: Infinity } });
    const healthySse = await open();
    const healthy = await openStreamable();
    const stalledSession = await openStreamable();
    const sid = stalledSession.sessionId as string;
    const closed: string[] = [];
    s.endpoint.sessionClosed.add((e) => closed.push(`${e.session.id}:${e.reason}`));
    const warnings: string[] = [];
    s.endpoint.warning.add((w) => warnings.push(w));
    const stalled = await stalledStandalone(Number(new URL(s.url).port), sid);
    const { sent, maxQueued, thrown } = pushUntilRefused(s, sid, { method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(16 * 1024) } });
    assert.ok(thrown instanceof Error && /closed/.test(thrown.message), `the message past the bound fails for the flow (after ${sent}): ${String(thrown)}`);
    assert.ok(maxQueued <= 20, `at most 20 messages waited (${maxQueued})`);
    assert.deepEqual(closed, [`${sid}:queue-overflow`]);
    assert.deepEqual(warnings, [`MCP session ${sid} closed: more than 20 messages waiting for a client that does not read its stream`]);
    assert.equal((await stalledSession.post({ jsonrpc: '2.0', id: 1, method: 'ping' })).status, 404, 'its id is gone');
    await streamableStillAnswered(healthy, 'after-standalone-overflow');
    await stillAnswered(healthySse, 'after-standalone-overflow');
    stalled.socket.destroy();
  });

  it('closes a Streamable session whose POST stream is not read, past its queue bound in bytes', async () => {
    const s = await start({ queueLimits: { messages: Infinity, bytes: 100_000 } });
    const healthy = await openStreamable();
    const stalledSession = await openStreamable();
    const sid = stalledSession.sessionId as string;
    const closed: string[] = [];
    s.endpoint.sessionClosed.add((e) => closed.push(`${e.session.id}:${e.reason}`));
    const stalled = await stalledPost(Number(new URL(s.url).port), sid, 'held');
    const { maxQueued, thrown } = pushUntilRefused(s, sid, { method: 'notifications/message', params: { level: 'info', data: 'y'.repeat(8 * 1024) } }, 'held');
    assert.ok(thrown instanceof Error, 'the flow is told once the session is gone');
    assert.ok(maxQueued > 0, 'frames waited for drain first');
    assert.deepEqual(closed, [`${sid}:queue-overflow`]);
    await streamableStillAnswered(healthy, 'after-post-overflow');
    stalled.socket.destroy();
  });

  it('ends a POST stream only after what waited for drain went out: a slow client still gets its response', async () => {
    const s = await start({ queueLimits: { messages: 10_000, bytes: 512 * 1024 * 1024 } });
    const streamable = await openStreamable();
    const sid = streamable.sessionId as string;
    const stalled = await stalledPost(Number(new URL(s.url).port), sid, 'held');
    const session = s.registry.get(sid) as Session;
    let n = 0;
    while (session.info().queued < 5 && n < 5000) {
      s.endpoint.send(sid, { method: 'notifications/message', params: { level: 'info', data: { n, payload: 'p'.repeat(32 * 1024) } } }, { requestId: 'held' });
      n++;
    }
    assert.ok(session.info().queued >= 5, 'backpressure reached the queue');
    // The response: the POST's last request is answered, so its stream ends, behind the queued frames.
    assert.equal(s.endpoint.send(sid, { result: { done: true } }, { requestId: 'held' }).sent, true);
    let text = '';
    stalled.socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    stalled.socket.resume();
    await waitFor(() => text.includes('\r\n0\r\n\r\n'), 30_000, 'the chunked response to end');
    const ns = [...text.matchAll(/"n":(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(ns, Array.from({ length: n }, (_, i) => i), 'every notification, in order');
    assert.match(text, /"id":"held","result":\{"done":true\}|"result":\{"done":true\},"id":"held"|"id":"held"[^\n]*"done":true/, 'the response came last, not dropped');
    assert.equal(session.closed, false, 'the session goes on');
    stalled.socket.destroy();
  });

  it('lets a slow client catch up: what waited for drain arrives complete and in order', async () => {
    const s = await start({ queueLimits: { messages: 10_000, bytes: 512 * 1024 * 1024 } });
    const port = Number(new URL(s.url).port);
    const slow = await stalledClient(port);
    const session = s.registry.get(slow.sessionId) as Session;
    const payload = 'z'.repeat(32 * 1024);
    let n = 0;
    // Write until the socket pushes back and messages wait in the queue.
    while (session.info().queued < 5 && n < 5000) {
      session.send({ jsonrpc: '2.0', method: 'notifications/message', params: { n, payload } });
      n++;
    }
    assert.ok(session.info().queued >= 5, 'backpressure reached the queue');
    let text = '';
    slow.socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    slow.socket.resume();
    await waitFor(() => (text.match(/^data: /gm)?.length ?? 0) >= n, 30_000, 'every message to arrive');
    const ns = [...text.matchAll(/"n":(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(ns, Array.from({ length: n }, (_, i) => i));
    assert.equal(session.info().queued, 0);
    assert.equal(session.closed, false);
    slow.socket.destroy();
  });

  it('closes a session idle past the timeout, logs why, and says so in the close event', async () => {
    const s = await start({ idleTimeoutMs: 300 });
    const closed: string[] = [];
    s.endpoint.sessionClosed.add((e) => closed.push(`${e.session.id}:${e.reason}`));
    const warnings: string[] = [];
    s.endpoint.warning.add((w) => warnings.push(w));
    const idle = await open();
    await idle.ended;
    assert.deepEqual(closed, [`${idle.sessionId}:idle-timeout`]);
    assert.match(warnings[0], new RegExp(`MCP session ${idle.sessionId} closed: no message either way for 0.3 s`));
  });

  it('restarts the idle clock on every client message and every message sent', async () => {
    const s = await start({});
    const c = await open();
    const session = s.registry.get(c.sessionId) as Session;
    const later = Date.now() + 60_000;
    assert.ok(session.idleFor(later) >= 60_000);
    await stillAnswered(c, 'touch');
    assert.ok(session.idleFor(later) <= 60_000);
  });
});

describe('faults', () => {
  it('survives a client that disconnects while messages wait for drain', async () => {
    const s = await start({});
    const healthy = await open();
    const stalled = await stalledClient(Number(new URL(s.url).port));
    const session = s.registry.get(stalled.sessionId) as Session;
    while (session.info().queued === 0) session.send({ jsonrpc: '2.0', method: 'notifications/message', params: { p: 'w'.repeat(64 * 1024) } });
    stalled.socket.destroy();
    await waitFor(() => session.closed, 5000, 'the session to close');
    assert.equal(session.info().queued, 0, 'nothing is kept for a gone client');
    assert.throws(() => session.send({ jsonrpc: '2.0', method: 'x' }), SessionClosedError);
    await stillAnswered(healthy, 'after-disconnect');
  });

  it('answers 404 to a POST whose session closes while its body is still arriving, and hands nothing on', async () => {
    const s = await start({});
    const healthy = await open();
    const doomed = await open();
    const before = s.received.length;
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${s.url}${doomed.endpoint}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      // Once the endpoint has taken the POST (its session found) and waits for the body, the
      // stream closes; then the rest of the body arrives.
      s.httpServer.once('request', () => doomed.close());
      req.write(body.slice(0, 10));
      waitFor(() => s.registry.get(doomed.sessionId) === undefined, 5000, 'the session to close').then(() => req.end(body.slice(10)), reject);
    });
    const { status, body: text } = await answer;
    assert.equal(status, 404);
    assert.match(text, /Session not found: it closed while the message was sent/);
    assert.equal(s.received.length, before);
    await stillAnswered(healthy, 'after-race');
  });

  it('keeps a Streamable session whose client disconnects while messages wait for drain: nothing is kept, the session goes on', async () => {
    const s = await start({});
    const c = await openStreamable();
    const sid = c.sessionId as string;
    const stalled = await stalledStandalone(Number(new URL(s.url).port), sid);
    const session = s.registry.get(sid) as Session;
    while (session.info().queued === 0) s.endpoint.send(sid, { method: 'notifications/message', params: { level: 'info', data: 'w'.repeat(64 * 1024) } });
    stalled.socket.destroy();
    await waitFor(() => !session.attached, 5000, 'the server to see the stream drop');
    assert.equal(session.info().queued, 0, 'nothing is kept for a gone stream');
    assert.equal(session.closed, false, 'a Streamable session outlives its streams');
    await streamableStillAnswered(c, 'after-disconnect');
    const reopened = await c.get();
    assert.equal(reopened.status, 200, 'the client can open its standalone stream again');
  });

  it('answers 404 to a POST whose Streamable session is deleted while its body is still arriving, and hands nothing on', async () => {
    const s = await start({});
    const healthy = await openStreamable();
    const doomed = await openStreamable();
    const before = s.received.length;
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${s.url}/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: POST_ACCEPT, 'Mcp-Session-Id': doomed.sessionId as string, 'Content-Length': body.length },
      }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      // Once the endpoint has taken the POST and waits for the body, the session is deleted;
      // then the rest of the body arrives.
      s.httpServer.once('request', () => {
        doomed.delete().then((deleted) => {
          assert.equal(deleted.status, 200);
          req.end(body.slice(10));
        }, reject);
      });
      req.write(body.slice(0, 10));
    });
    const { status, body: text } = await answer;
    assert.equal(status, 404);
    assert.match(text, /Session not found/);
    assert.equal(s.received.length, before);
    await streamableStillAnswered(healthy, 'after-race');
  });

  it('ends every open Streamable stream cleanly when the endpoint closes, and refuses new requests with 503', async () => {
    const s = await start({});
    const c = await openStreamable();
    const standalone = await c.get();
    const post = await c.post({ jsonrpc: '2.0', id: 'held', method: HOLD });
    const reasons: string[] = [];
    s.endpoint.sessionClosed.add((e) => reasons.push(e.reason ?? ''));
    s.endpoint.close();
    assert.deepEqual(await Promise.all([standalone.stream?.ended, post.stream?.ended]), [true, true]);
    assert.deepEqual(reasons, ['endpoint-closed']);
    assert.equal(s.registry.count(), 0);
    for (const late of [await c.post({ jsonrpc: '2.0', id: 2, method: 'ping' }), await new StreamableClient(`${s.url}/mcp`).initialize(1)]) {
      assert.equal(late.status, 503);
      assert.match(String((late.json as { error: { message: string } }).error.message), /shutting down/);
    }
  });

  it('ends every open stream cleanly when the endpoint closes, and refuses new ones with 503', async () => {
    const s = await start({});
    const clients = await Promise.all(Array.from({ length: 5 }, () => new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${s.url}/sse`, (res) => {
        res.once('data', () => resolve(res));
      }).on('error', reject);
    })));
    const outcomes = clients.map((res) => new Promise<string>((resolve) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.complete ? 'ended cleanly' : 'cut'));
      res.on('aborted', () => resolve('aborted'));
      res.on('error', () => resolve('error'));
    }));
    s.endpoint.close();
    assert.deepEqual(await Promise.all(outcomes), clients.map(() => 'ended cleanly'));
    assert.equal(s.registry.count(), 0);
    const late = await request(`${s.url}/sse`, { method: 'GET' });
    assert.equal(late.status, 503);
  });
});

describe('SSE framing cannot be forged from a message', () => {
  it('delivers a message whose strings hold blank lines, CR and field names as one event, intact', async () => {
    const s = await start({});
    const c = await open();
    const session = s.registry.get(c.sessionId) as Session;
    const nasty = { jsonrpc: '2.0' as const, id: 'x\n\nevent: endpoint\ndata: /evil', result: { text: 'a\r\n\r\ndata: forged\rid: 9\n\nevent: message\n', u: '\u2028\u2029\0' } };
    session.send(nasty);
    session.send({ jsonrpc: '2.0', id: 'next', result: {} });
    const first = await c.nextEvent();
    assert.equal(first.event, 'message');
    assert.equal(first.id, `${c.sessionId}:1`, 'the id is the server\'s own, not the forged one');
    assert.deepEqual(JSON.parse(first.data), nasty);
    assert.deepEqual(JSON.parse((await c.nextEvent()).data), { jsonrpc: '2.0', id: 'next', result: {} });
    assert.equal(c.events.length, 3, 'endpoint, the message, the next one: nothing forged');
  });
});
