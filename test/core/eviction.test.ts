/**
 * No lock-out (core/endpoint-sessions.ts, core/idle-sessions.ts, core/client-address.ts): a full
 * endpoint evicts its least recently active session that has no open stream and no request in
 * flight; its id then answers 404. Sessions with a stream (the standalone GET stream, a POST's
 * stream or JSON reply waiting for its response, an HTTP+SSE stream) are never evicted, and when
 * every session is active a new client gets 503 with `Retry-After`. Each client address keeps at
 * most `maxIdleSessionsPerClient` sessions without a stream: past it, its own oldest makes room.
 * The client address is Express's `req.ip` when set (here set from `X-Forwarded-For` by the test
 * server, as Express does behind `trust proxy`), else the socket's.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { startCoreServer, waitFor, type CoreServer } from '../support/core-server';
import { openSse, type SseConnection } from '../support/sse-client';
import { openIdleSession, statusOf, StreamableClient } from '../support/streamable-client';
import type { EndpointOptions } from '../../core/endpoint-options';
import { addressKey, clientKey, forwardedButUntrusted } from '../../core/client-address';
import { IdleOrder } from '../../core/idle-sessions';
import type { Session } from '../../core/session';

/** The method the flow leaves unanswered: a request in flight until the test answers it. */
const HOLD = 'test/hold';

let server: CoreServer | undefined;
const clients: StreamableClient[] = [];
const streams: SseConnection[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.closeAll();
  for (const s of streams.splice(0)) s.close();
  await server?.close();
  server = undefined;
});

/** The endpoint, with a "flow" that answers every request at once but HOLD. Requests carrying `X-Forwarded-For` get it as `req.ip`. */
async function start(options: Partial<EndpointOptions>): Promise<CoreServer> {
  server = await startCoreServer({ keepAliveMs: 0, ...options });
  server.httpServer.prependListener('request', (req: http.IncomingMessage) => {
    const forwarded = req.headers['x-forwarded-for'];
    if (typeof forwarded === 'string') (req as http.IncomingMessage & { ip?: string }).ip = forwarded;
  });
  const endpoint = server.endpoint;
  endpoint.messageReceived.add(({ session, kind, message }) => {
    if (kind === 'request' && 'id' in message && 'method' in message && message.method !== HOLD && !session.closed) {
      endpoint.send(session.id, { result: {} }, { requestId: message.id as string | number });
    }
  });
  return server;
}

/** A client of /mcp, from `ip` when given. */
function client(ip?: string): StreamableClient {
  const c = new StreamableClient(`${(server as CoreServer).url}/mcp`, ip === undefined ? {} : { 'X-Forwarded-For': ip });
  clients.push(c);
  return c;
}

/** Opens a session (from `ip`, when given) and reads its initialize answer to the end: it then has no stream and nothing in flight. */
function idleSession(ip?: string): Promise<StreamableClient> {
  return openIdleSession(client(ip));
}

describe('a full endpoint evicts its least recently active idle session', () => {
  it('after twice its maximum of abandoned sessions, a new client gets 200 at once; the evicted ids answer 404', async () => {
    const s = await start({ maxSessions: 50, maxIdleSessionsPerClient: 0 });
    const debug: string[] = [];
    s.endpoint.debug.add((text) => debug.push(text));
    const abandoned: StreamableClient[] = [];
    for (let i = 0; i < 100; i++) abandoned.push(await idleSession());
    assert.equal(s.endpoint.sessionCount, 50);
    assert.equal(s.endpoint.sessionsEvicted, 50);
    const fresh = await idleSession();
    assert.equal(await statusOf(fresh), 202);
    assert.equal(await statusOf(abandoned[0]), 404, 'the oldest was evicted');
    assert.equal(await statusOf(abandoned[50]), 404, 'evicted to make room for the new client');
    assert.equal(await statusOf(abandoned[99]), 202, 'the newest abandoned ones are still open');
    assert.equal(debug.length, 51);
    assert.match(debug[0], new RegExp(`^MCP session ${abandoned[0].sessionId as string} evicted \\(no stream, idle for 0 s\\): the endpoint has its maximum of 50 sessions$`));
  });

  it('evicts by last activity: a session its client used since is kept, the one left alone goes', async () => {
    const s = await start({ maxSessions: 3, maxIdleSessionsPerClient: 0 });
    const [a, b, c] = [await idleSession(), await idleSession(), await idleSession()];
    assert.equal(await statusOf(a), 202, 'a is now the most recently active');
    await idleSession();
    assert.equal(await statusOf(b), 404);
    assert.equal(await statusOf(a), 202);
    assert.equal(await statusOf(c), 202);
    assert.equal(s.endpoint.sessionsEvicted, 1);
  });

  it('never evicts a session with an open stream or a request in flight; all active, 503 with Retry-After; one quiet again, it goes', async () => {
    const s = await start({ maxSessions: 3, maxIdleSessionsPerClient: 0 });
    const sse = await openSse(`${s.url}/sse`);
    streams.push(sse);
    const listening = await idleSession();
    assert.equal((await listening.get()).status, 200, 'the standalone GET stream');
    const working = await idleSession();
    const held = await working.post({ jsonrpc: '2.0', id: 'h1', method: HOLD });
    assert.equal(held.status, 200, 'a POST stream waiting for its response');

    const refused = await client().initialize('init');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '5');
    assert.equal(refused.headers['mcp-session-id'], undefined);
    assert.deepEqual(JSON.parse(refused.body), { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'This MCP endpoint has its maximum of 3 open sessions; try again later' } });
    assert.equal(s.endpoint.sessionsEvicted, 0);
    assert.equal(await statusOf(listening), 202);

    // The held request is answered: its POST stream ends, the session is idle and the next to go.
    s.endpoint.send(working.sessionId as string, { result: {} }, { requestId: 'h1' });
    assert.equal(await held.stream?.ended, true);
    const fresh = await idleSession();
    assert.equal(await statusOf(working), 404);
    assert.equal(await statusOf(fresh), 202);
    assert.equal(await statusOf(listening), 202);
    assert.equal(sse.isEnded, false);
  });

  it('in JSON response mode, a POST waiting for its JSON answer keeps its session', async () => {
    const s = await start({ maxSessions: 1, maxIdleSessionsPerClient: 0, jsonResponse: true });
    const c = client();
    assert.equal((await c.initialize('init')).status, 200);
    const held = c.post({ jsonrpc: '2.0', id: 'h1', method: HOLD });
    await waitFor(() => s.received.length === 2, 5000, 'the held request to arrive');
    assert.equal((await client().initialize('init')).status, 503);
    s.endpoint.send(c.sessionId as string, { result: {} }, { requestId: 'h1' });
    assert.equal((await held).status, 200);
    assert.equal((await client().initialize('init')).status, 200);
    assert.equal(await statusOf(c), 404);
  });

  it('resumption on: a request in flight whose stream dropped keeps its session within the grace period, for its client to come back', async () => {
    const s = await start({ maxSessions: 1, maxIdleSessionsPerClient: 0, resumeGraceMs: 60_000 });
    const c = await idleSession();
    const held = await c.post({ jsonrpc: '2.0', id: 'h1', method: HOLD });
    held.close();
    const session = s.endpoint.session(c.sessionId as string) as Session;
    await waitFor(() => !session.streaming, 5000, 'the POST stream to drop');
    assert.equal((await client().initialize('init')).status, 503, 'the answer may still be collected');
    s.endpoint.send(c.sessionId as string, { result: {} }, { requestId: 'h1' });
    assert.equal((await client().initialize('init')).status, 200, 'answered, the session is idle');
    assert.equal(await statusOf(c), 404);
  });

  it('resumption off: a request whose stream dropped cannot be answered any more, and does not keep its session', async () => {
    const s = await start({ maxSessions: 1, maxIdleSessionsPerClient: 0 });
    const c = await idleSession();
    const held = await c.post({ jsonrpc: '2.0', id: 'h1', method: HOLD });
    held.close();
    const session = s.endpoint.session(c.sessionId as string) as Session;
    await waitFor(() => !session.streaming, 5000, 'the POST stream to drop');
    assert.equal((await client().initialize('init')).status, 200);
    assert.equal(session.closed, true);
  });

  it('an HTTP+SSE client gets a session too, in the place of an idle Streamable one', async () => {
    const s = await start({ maxSessions: 1, maxIdleSessionsPerClient: 0 });
    const c = await idleSession();
    const sse = await openSse(`${s.url}/sse`);
    streams.push(sse);
    assert.match(sse.endpoint, /^\/message\?sessionId=/);
    assert.equal(await statusOf(c), 404);
    const refused = await client().initialize('init');
    assert.equal(refused.status, 503, 'the SSE session has its stream open');
  });
});

describe('the per-client cap on sessions without a stream', () => {
  it('past the cap, evicts that client\'s own least recently active idle session, never another client\'s', async () => {
    const s = await start({ maxSessions: 100, maxIdleSessionsPerClient: 3 });
    const other = [await idleSession('198.51.100.7'), await idleSession('198.51.100.7')];
    const mine: StreamableClient[] = [];
    for (let i = 0; i < 10; i++) mine.push(await idleSession('203.0.113.5'));
    assert.equal(s.endpoint.sessionCount, 5);
    assert.equal(s.endpoint.sessionsEvicted, 7);
    for (const c of mine.slice(0, 7)) assert.equal(await statusOf(c), 404);
    for (const c of [...mine.slice(7), ...other]) assert.equal(await statusOf(c), 202);
  });

  it('counts only sessions without a stream: a client holding standalone streams keeps every one', async () => {
    const s = await start({ maxSessions: 100, maxIdleSessionsPerClient: 2 });
    const held: StreamableClient[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await idleSession();
      assert.equal((await c.get()).status, 200);
      held.push(c);
    }
    const idle = [await idleSession(), await idleSession(), await idleSession()];
    assert.equal(s.endpoint.sessionCount, 7);
    assert.equal(await statusOf(idle[0]), 404);
    for (const c of [...held, idle[1], idle[2]]) assert.equal(await statusOf(c), 202);
  });

  it('counts a session that opened its stream after initialize as having one: the older idle session stays', async () => {
    const s = await start({ maxSessions: 100, maxIdleSessionsPerClient: 2 });
    const idle = await idleSession();
    for (let i = 0; i < 3; i++) assert.equal((await (await idleSession()).get()).status, 200);
    const another = await idleSession();
    assert.equal(s.endpoint.sessionsEvicted, 0, 'two sessions without a stream: the cap is not passed');
    assert.equal(await statusOf(idle), 202);
    assert.equal(await statusOf(another), 202);
  });

  it('an HTTP+SSE session, which holds its stream, makes no room under the cap', async () => {
    const s = await start({ maxSessions: 100, maxIdleSessionsPerClient: 2 });
    const idle = [await idleSession(), await idleSession()];
    const sse = await openSse(`${s.url}/sse`);
    streams.push(sse);
    assert.equal(s.endpoint.sessionsEvicted, 0);
    for (const c of idle) assert.equal(await statusOf(c), 202);
  });

  it('an HTTP+SSE session waiting in its resume grace is not counted against its client either', async () => {
    const s = await start({ maxSessions: 100, maxIdleSessionsPerClient: 2, resumeGraceMs: 10_000 });
    const sse = await openSse(`${s.url}/sse`);
    sse.close();
    await waitFor(() => s.endpoint.session(sse.sessionId)?.streaming === false, 2000, 'the SSE stream dropped');
    const idle = [await idleSession(), await idleSession()];
    assert.equal(s.endpoint.sessionsEvicted, 0);
    assert.equal(s.endpoint.sessionCount, 3, 'the SSE session waits for its client');
    for (const c of idle) assert.equal(await statusOf(c), 202);
  });

  it('0 turns the cap off', async () => {
    const s = await start({ maxSessions: 1000, maxIdleSessionsPerClient: 0 });
    for (let i = 0; i < 150; i++) await idleSession();
    assert.equal(s.endpoint.sessionCount, 150);
    assert.equal(s.endpoint.sessionsEvicted, 0);
  });

  it('defaults to 100 per client', async () => {
    const s = await start({ maxSessions: 1000 });
    for (let i = 0; i < 105; i++) await idleSession();
    assert.equal(s.endpoint.sessionCount, 100);
    assert.equal(s.endpoint.sessionsEvicted, 5);
  });

  it('an IPv6 client is one client across its /64', async () => {
    const s = await start({ maxSessions: 100, maxIdleSessionsPerClient: 2 });
    const first = await idleSession('2001:db8:1:2::1');
    await idleSession('2001:db8:1:2:aaaa::2');
    await idleSession('2001:db8:1:2:ffff:ffff:ffff:3');
    const elsewhere = await idleSession('2001:db8:1:3::1');
    assert.equal(await statusOf(first), 404);
    assert.equal(await statusOf(elsewhere), 202);
    assert.equal(s.endpoint.sessionCount, 3);
  });
});

describe('client keys', () => {
  it('take IPv4 as it is, IPv4-mapped IPv6 as IPv4, IPv6 as its /64', () => {
    assert.equal(addressKey('203.0.113.5'), '203.0.113.5');
    assert.equal(addressKey('::ffff:203.0.113.5'), '203.0.113.5');
    assert.equal(addressKey('::FFFF:127.0.0.1'), '127.0.0.1');
    assert.equal(addressKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('2001:db8::'), '2001:db8:0:0::/64');
    assert.equal(addressKey('64:ff9b::192.0.2.33'), '64:ff9b:0:0::/64');
    assert.equal(addressKey(''), '');
  });

  it('prefer req.ip (Express, behind its trust proxy setting) to the socket address', () => {
    const socket = { remoteAddress: '::ffff:127.0.0.1' };
    assert.equal(clientKey({ socket } as unknown as http.IncomingMessage), '127.0.0.1');
    assert.equal(clientKey({ socket, ip: '198.51.100.7' } as unknown as http.IncomingMessage), '198.51.100.7');
    assert.equal(clientKey({ socket, ip: '' } as unknown as http.IncomingMessage), '127.0.0.1');
  });

  it('tell a forwarded client that the key does not use (a proxy Express does not trust) from one it uses', () => {
    const socket = { remoteAddress: '::ffff:127.0.0.1' };
    const forwarded = { 'x-forwarded-for': '198.51.100.7' };
    const req = (fields: object): http.IncomingMessage => ({ socket, headers: {}, ...fields }) as unknown as http.IncomingMessage;
    assert.equal(forwardedButUntrusted(req({ headers: forwarded, ip: '127.0.0.1' })), true, 'Express without trust proxy: req.ip is the socket');
    assert.equal(forwardedButUntrusted(req({ headers: forwarded })), true, 'plain node:http: no req.ip');
    assert.equal(forwardedButUntrusted(req({ headers: forwarded, ip: '198.51.100.7' })), false, 'trusted: req.ip is the forwarded client');
    assert.equal(forwardedButUntrusted(req({ ip: '127.0.0.1' })), false, 'no proxy');
  });
});

describe('IdleOrder', () => {
  const session = (id: string) => ({ id }) as unknown as Session;

  it('gives the least recently touched idle candidate, drops streaming ones and passes over busy ones', () => {
    const order = new IdleOrder();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(session);
    for (const s of [a, b, c, d]) order.touch(s, s === d ? 'y' : 'x');
    order.touch(a, 'x');
    assert.equal(order.count('x'), 3);
    const states = new Map([[b, 'streaming'], [c, 'busy']]);
    const stateOf = (s: Session) => (states.get(s) ?? 'idle') as 'idle' | 'streaming' | 'busy';
    assert.equal(order.oldestIdle(stateOf), d);
    assert.equal(order.has(b), false, 'streaming: no longer a candidate');
    assert.equal(order.has(c), true, 'busy: still a candidate');
    assert.equal(order.oldestIdle(stateOf, 'x'), a);
    order.remove(a);
    order.remove(d);
    assert.equal(order.oldestIdle(stateOf, 'x'), undefined);
    assert.equal(order.oldestIdle(stateOf, 'y'), undefined);
    assert.equal(order.count('y'), 0);
  });

  it('drops a closed session left in the order, never hands it out, and does not count it', () => {
    const order = new IdleOrder();
    const closed = { id: 'gone', closed: true } as unknown as Session;
    const [a, b] = ['a', 'b'].map(session);
    for (const s of [closed, a, b]) order.touch(s, 'x');
    const idle = (): 'idle' => 'idle';
    assert.equal(order.oldestIdle(idle, 'x'), a);
    assert.equal(order.has(closed), false);
    order.touch(closed, 'x');
    assert.equal(order.prune(idle, 'x'), 2, 'only the open sessions are left');
    const overall = new IdleOrder();
    overall.touch(closed, 'y');
    overall.touch(a, 'x');
    assert.equal(overall.oldestIdle(idle), a, 'overall too');
    assert.equal(overall.count('y'), 0);
  });
});
