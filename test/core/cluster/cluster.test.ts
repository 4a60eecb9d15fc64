/**
 * Two instances of one endpoint sharing its sessions through a real redis-server
 * (core/cluster/cluster.ts): two core servers with the same endpoint id, official SDK clients
 * whose first request (the SSE GET, or `initialize`) reaches instance A and every later one
 * instance B, so every later request is relayed. "The flow" answers on whichever instance a
 * message reaches.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { startCoreServer, waitFor, type CoreServer } from '../../support/core-server';
import { openSse, postJson, request } from '../../support/sse-client';
import { streamableRequest, POST_ACCEPT } from '../../support/streamable-client';
import { startRedis, type RunningRedis } from '../../support/redis';
import type { McpEndpoint } from '../../../core/endpoint';
import type { Session } from '../../../core/session';

const UNKNOWN_SESSION = '0b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c';

/** The flow: answers initialize, tools/list, tools/call add and ping, on the instance that got the message. */
function answerAsFlow(endpoint: McpEndpoint, name: string): void {
  endpoint.messageReceived.add(({ session, kind, message }) => {
    if (kind !== 'request' || !('method' in message) || !('id' in message)) return;
    const params = (message.params ?? {}) as { name?: string; arguments?: { a: number; b: number } };
    let result: unknown = {};
    if (message.method === 'initialize') result = { protocolVersion: '2025-06-18', capabilities: { tools: { listChanged: true } }, serverInfo: { name, version: '1.0.0' } };
    else if (message.method === 'tools/list') result = { tools: [{ name: 'add', inputSchema: { type: 'object' } }] };
    else if (message.method === 'tools/call') result = { content: [{ type: 'text', text: `${(params.arguments?.a ?? 0) + (params.arguments?.b ?? 0)} by ${name}` }] };
    endpoint.send(session.id, { result }, { requestId: message.id });
  });
}

/** A fetch that sends the first request to `first` and every later one to `rest` (a balancer without stickiness, at its worst). */
function splitFetch(first: string, rest: string): typeof fetch {
  let n = 0;
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const base = new URL(n++ === 0 ? first : rest);
    url.host = base.host;
    return fetch(url, init);
  };
}

let redis: RunningRedis;
let a: CoreServer;
let b: CoreServer;
const clients: Client[] = [];

async function startPair(): Promise<void> {
  const cluster = (instanceId: string) => ({ url: redis.url, instanceId, keyPrefix: 'test:', ownershipTtlMs: 1500, relayTimeoutMs: 2000 });
  a = await startCoreServer({ keepAliveMs: 0, cluster: cluster('a') });
  b = await startCoreServer({ keepAliveMs: 0, cluster: cluster('b') });
  answerAsFlow(a.endpoint, 'a');
  answerAsFlow(b.endpoint, 'b');
  await waitFor(() => a.endpoint.cluster?.up === true && b.endpoint.cluster?.up === true, 5000, 'both instances connected to Redis');
}

async function streamableClient(): Promise<Client> {
  const client = new Client({ name: 'cluster-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${a.url}/mcp`), { fetch: splitFetch(a.url, b.url) }));
  clients.push(client);
  return client;
}

async function sseClient(): Promise<Client> {
  const client = new Client({ name: 'cluster-test', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(`${a.url}/sse`), { fetch: splitFetch(a.url, b.url) }));
  clients.push(client);
  return client;
}

function onlySession(server: CoreServer): Session {
  const sessions = server.registry.list('ep1');
  assert.equal(sessions.length, 1);
  return sessions[0];
}

describe('two instances of one endpoint, through a real redis-server', () => {
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.stop());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([a?.endpoint.close(), b?.endpoint.close()]);
  });

  it('relays Streamable HTTP requests to the instance that holds the session, and its answers back on the relayed stream', async () => {
    await startPair();
    const client = await streamableClient();
    assert.equal(client.getServerVersion()?.name, 'a');
    assert.equal(b.registry.count(), 0, 'the session lives on A only');
    const session = onlySession(a);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.callTool({ name: 'add', arguments: { a: i, b: 1 } })));
    assert.deepEqual(results.map((r) => (r.content as Array<{ text: string }>)[0].text), Array.from({ length: 20 }, (_, i) => `${i + 1} by a`));
    assert.equal(b.received.length, 0, "B's flow saw none of the session's messages");
    assert.ok(a.received.length >= 22, 'A got initialize, notifications/initialized and the calls');
    assert.equal(session.closed, false);
  });

  it('relays HTTP+SSE POSTs (202 from B) and the answers go out on the SSE stream held by A', async () => {
    await startPair();
    const client = await sseClient();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client.callTool({ name: 'add', arguments: { a: i, b: 2 } })));
    assert.deepEqual(results.map((r) => (r.content as Array<{ text: string }>)[0].text), Array.from({ length: 10 }, (_, i) => `${i + 2} by a`));
    assert.equal(b.received.length, 0);
    const raw = await postJson(`${b.url}/message?sessionId=${onlySession(a).id}`, { jsonrpc: '2.0', method: 'notifications/x' });
    assert.equal(raw.status, 202);
    assert.equal(raw.body, 'Accepted');
    // Relayed too, the answers a client would get from A: a body that is not UTF-8 is a parse
    // error; a batch is refused by the version the session agreed on A (the flow's 2025-06-18).
    const bytes = await request(`${b.url}/message?sessionId=${onlySession(a).id}`, { headers: { 'Content-Type': 'application/json' }, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });
    assert.equal(bytes.status, 400);
    assert.equal((bytes.json as { error: { code: number } }).error.code, -32700);
    const batch = await postJson(`${b.url}/message?sessionId=${onlySession(a).id}`, [{ jsonrpc: '2.0', method: 'notifications/x' }, { jsonrpc: '2.0', method: 'notifications/y' }]);
    assert.equal(batch.status, 400);
    assert.deepEqual((batch.json as { error: unknown }).error, { code: -32600, message: 'Invalid Request: batching is not supported in protocol version 2025-06-18' });
  });

  it('answers 404 for a session no instance holds, on either transport, and after a relayed DELETE', async () => {
    await startPair();
    const post = await postJson(`${b.url}/message?sessionId=${UNKNOWN_SESSION}`, { jsonrpc: '2.0', id: 1, method: 'ping' });
    assert.equal(post.status, 404);
    const headers = { Accept: POST_ACCEPT, 'Content-Type': 'application/json', 'Mcp-Session-Id': UNKNOWN_SESSION };
    const streamable = await streamableRequest(`${b.url}/mcp`, 'POST', headers, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    assert.equal(streamable.status, 404);
    assert.equal((streamable.json as { error: { code: number } }).error.code, -32001);

    const client = await streamableClient();
    const id = onlySession(a).id;
    const transport = (client as unknown as { transport: StreamableHTTPClientTransport }).transport;
    await transport.terminateSession();
    assert.equal(a.registry.count(), 0, 'the relayed DELETE ended the session on A');
    for (const url of [a.url, b.url]) {
      const after = await streamableRequest(`${url}/mcp`, 'POST', { ...headers, 'Mcp-Session-Id': id }, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }));
      assert.equal(after.status, 404, url);
    }
  });

  it("answers 404 for another server's session id (32 hex characters, a JWT) from either instance without asking Redis, 404 even while Redis is down; a client holding one starts a new session", async () => {
    await startPair();
    const foreign = ['0123456789abcdef0123456789abcdef', 'eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiIxIn0.c2lnbmF0dXJl'];
    const statuses = async (id: string): Promise<number[]> => {
      const answers: number[] = [];
      for (const url of [a.url, b.url]) {
        const headers = { Accept: POST_ACCEPT, 'Content-Type': 'application/json', 'Mcp-Session-Id': id };
        const streamable = await streamableRequest(`${url}/mcp`, 'POST', headers, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
        answers.push(streamable.status);
        if (streamable.status === 404) assert.equal((streamable.json as { error: { code: number } }).error.code, -32001);
        answers.push((await postJson(`${url}/message?sessionId=${encodeURIComponent(id)}`, { jsonrpc: '2.0', id: 1, method: 'ping' })).status);
      }
      return answers;
    };
    for (const id of foreign) assert.deepEqual(await statuses(id), [404, 404, 404, 404], id);

    // An SDK v1 client that kept another server's id (it believes it has a session, so it sends no
    // initialize) is told the session is unknown, and gets on with a new one.
    const stale = new Client({ name: 'cluster-stale', version: '1.0.0' });
    await stale.connect(new StreamableHTTPClientTransport(new URL(`${b.url}/mcp`), { sessionId: foreign[0] }));
    await assert.rejects(stale.listTools(), (error: Error & { code?: number }) => {
      assert.equal(error.code, 404);
      assert.match(error.message, /Session not found/);
      return true;
    });
    await stale.close();
    const fresh = await streamableClient();
    assert.deepEqual((await fresh.listTools()).tools.map((t) => t.name), ['add']);

    await redis.stop();
    try {
      await waitFor(() => a.endpoint.cluster?.up === false && b.endpoint.cluster?.up === false, 3000, 'both to see Redis gone');
      // An id of ours might be held by the other instance: 503 until Redis is back. Another server's never is: 404.
      const ours = await streamableRequest(`${b.url}/mcp`, 'POST', { Accept: POST_ACCEPT, 'Content-Type': 'application/json', 'Mcp-Session-Id': UNKNOWN_SESSION }, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
      assert.equal(ours.status, 503);
      for (const id of foreign) assert.deepEqual(await statuses(id), [404, 404, 404, 404], `${id}, Redis down`);
    } finally {
      await redis.start();
    }
    await waitFor(() => a.endpoint.cluster?.up === true && b.endpoint.cluster?.up === true, 5000, 'both to reconnect');
  });

  it('sends a broadcast made on B to the sessions held by A, including over a standalone stream relayed through B', async () => {
    await startPair();
    const viaStreamable = await streamableClient();
    const viaSse = await sseClient();
    const heard: string[] = [];
    viaStreamable.setNotificationHandler(ToolListChangedNotificationSchema, () => void heard.push('streamable'));
    viaSse.setNotificationHandler(ToolListChangedNotificationSchema, () => void heard.push('sse'));
    await waitFor(() => onlySessionAttached(a), 3000, 'the standalone GET stream, relayed through B');
    assert.equal(b.endpoint.broadcast({ method: 'notifications/tools/list_changed' }), 0, 'B holds no session itself');
    await waitFor(() => heard.length === 2, 3000, 'both clients to hear the broadcast');
    assert.deepEqual(heard.sort(), ['sse', 'streamable']);
  });

  it('sends a resource update made on B to the sessions subscribed to it and the 2026-07-28 listen streams naming it on A, and to no other session', async () => {
    await startPair();
    for (const server of [a, b]) server.endpoint.features.declare({ kind: 'resource', owner: 'r', definition: { uri: 'test://w', name: 'w' }, content: { text: 'w' } });
    const heard: string[] = [];
    const subscribed = await streamableClient();
    const other = await sseClient();
    subscribed.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void heard.push(`session ${n.params.uri}`));
    other.setNotificationHandler(ResourceUpdatedNotificationSchema, () => void heard.push('unsubscribed session'));
    await subscribed.subscribeResource({ uri: 'test://w' });
    const modern = new ClientV2({ name: 'listener', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } } as never);
    await modern.connect(new StreamableV2(new URL(`${a.url}/mcp`)));
    try {
      modern.setNotificationHandler('notifications/resources/updated', (n) => void heard.push(`listen ${n.params.uri}`));
      const listening = await modern.listen({ resourceSubscriptions: ['test://w'] } as never);
      assert.deepEqual(listening.honoredFilter, { resourceSubscriptions: ['test://w'] });
      assert.equal(b.endpoint.resourceUpdated('test://w'), 0, 'B holds none of them');
      await waitFor(() => heard.length >= 2, 3000, 'the update on the subscribed session and the listen stream, both on A');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(heard.sort(), ['listen test://w', 'session test://w']);
    } finally {
      await modern.close();
    }
  });

  it("relays what B's flow sends to a session A holds, and the client's answer to B's server-initiated request", async () => {
    await startPair();
    const client = await sseClient();
    const id = onlySession(a).id;
    let failure: unknown;
    const sent = b.endpoint.send(id, { method: 'notifications/message', params: { level: 'info', data: 'from B' } }, { onRelayFailure: (f) => { failure = f; } });
    assert.deepEqual({ sent: sent.sent, relayed: sent.sent && sent.relayed }, { sent: true, relayed: true });
    const outcome = await new Promise((resolve) => {
      b.endpoint.send(id, { method: 'ping' }, { request: { timeoutMs: 5000, settle: (o) => resolve(o) } });
    });
    assert.deepEqual(outcome, { status: 'result', result: {} });
    assert.equal(failure, undefined);
    const gone = await new Promise((resolve) => b.endpoint.send(UNKNOWN_SESSION, { method: 'notifications/x' }, { onRelayFailure: resolve }));
    assert.equal((gone as Error).name, 'SessionNotFoundError');
    void client;
  });

  it('resumes an HTTP+SSE stream through B, with Last-Event-ID, on the session A holds, replaying what the client missed', async () => {
    const cluster = (instanceId: string) => ({ url: redis.url, instanceId, keyPrefix: 'resume:', ownershipTtlMs: 1500 });
    a = await startCoreServer({ keepAliveMs: 0, resumeGraceMs: 5000, cluster: cluster('a') });
    b = await startCoreServer({ keepAliveMs: 0, resumeGraceMs: 5000, cluster: cluster('b') });
    await waitFor(() => a.endpoint.cluster?.up === true && b.endpoint.cluster?.up === true, 5000, 'both on Redis');
    const first = await openSse(`${a.url}/sse`);
    a.endpoint.send(first.sessionId, { method: 'notifications/message', params: { data: 1 } });
    const seen = await first.nextEvent();
    first.close();
    await waitFor(() => !onlySession(a).attached, 2000, 'the stream to drop');
    a.endpoint.send(first.sessionId, { method: 'notifications/message', params: { data: 2 } });
    const resumed = await openSse(`${b.url}/sse`, { 'Last-Event-ID': seen.id as string });
    try {
      assert.equal(resumed.sessionId, first.sessionId, 'the same session, through B');
      assert.deepEqual(JSON.parse((await resumed.nextEvent()).data).params, { data: 2 });
      a.endpoint.send(first.sessionId, { method: 'notifications/message', params: { data: 3 } });
      assert.deepEqual(JSON.parse((await resumed.nextEvent()).data).params, { data: 3 });
      assert.equal(b.registry.count(), 0);
    } finally {
      resumed.close();
    }
  });

  it("an owner gone from Redis (as when it crashes): its sessions answer 404 through B at once, and the stream B relays from it ends within a heartbeat", async () => {
    await startPair();
    await streamableClient();
    const id = onlySession(a).id;
    await waitFor(() => onlySessionAttached(a), 3000, 'the standalone stream relayed through B');
    // The owner's Redis connections close, as a killed process's would; its records stay until their TTL.
    await (a.endpoint.cluster as unknown as { link: { close(): Promise<void> } }).link.close();
    const gone = Date.now();
    const headers = { Accept: POST_ACCEPT, 'Content-Type': 'application/json', 'Mcp-Session-Id': id, 'MCP-Protocol-Version': '2025-06-18' };
    const answer = await streamableRequest(`${b.url}/mcp`, 'POST', headers, JSON.stringify({ jsonrpc: '2.0', id: 'late', method: 'ping' }));
    assert.equal(answer.status, 404, 'nobody listens in the owner inbox: the session is gone');
    await waitFor(() => (b.endpoint.cluster as unknown as { forwarder: { size: number } }).forwarder.size === 0, 2000, 'the relayed standalone stream to end');
    assert.ok(Date.now() - gone < 1500, 'within a heartbeat (a third of the 1.5 s TTL) or so');
  });

  it('counts the sessions of both instances in each registry', async () => {
    await startPair();
    await streamableClient();
    await streamableClient();
    await waitFor(() => b.registry.clusterCount('ep1') === 2, 3000, "B to count A's two sessions");
    assert.deepEqual(b.registry.counts('ep1'), { local: 0, cluster: 2 });
    assert.deepEqual(a.registry.counts('ep1'), { local: 2, cluster: 2 });
  });

  it('Redis lost: local requests go on, relayed ones get 503 with Retry-After; back: the same session is relayed again', async () => {
    await startPair();
    const changes: string[] = [];
    b.endpoint.cluster?.changed.add((c) => c.text && changes.push(c.text));
    const client = await sseClient();
    const id = onlySession(a).id;
    await redis.stop();
    await waitFor(() => b.endpoint.cluster?.up === false, 3000, 'B to see Redis gone');
    const relayed = await postJson(`${b.url}/message?sessionId=${id}`, { jsonrpc: '2.0', id: 'x', method: 'ping' });
    assert.equal(relayed.status, 503);
    assert.equal(relayed.headers['retry-after'], '2');
    const local = await postJson(`${a.url}/message?sessionId=${id}`, { jsonrpc: '2.0', id: 'y', method: 'ping' });
    assert.equal(local.status, 202);
    assert.match(changes.join('\n'), /Redis connection lost .*503/);
    await redis.start();
    await waitFor(() => a.endpoint.cluster?.up === true && b.endpoint.cluster?.up === true, 5000, 'both to reconnect');
    const result = await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    assert.deepEqual(result.content, [{ type: 'text', text: '2 by a' }]);
    assert.match(changes.join('\n'), /restored/);
  });
});

function onlySessionAttached(server: CoreServer): boolean {
  const [session] = server.registry.list('ep1').filter((s) => s.transport === 'streamable-http');
  return session?.attached === true;
}

describe('an endpoint without Redis', () => {
  it('never loads the cluster module or the Redis client', () => {
    const code = `
      const { McpEndpoint } = require('./core/endpoint');
      const { SessionRegistry } = require('./core/registry');
      new McpEndpoint({ id: 'x', registry: new SessionRegistry() }).close();
      const loaded = Object.keys(require.cache).filter((f) => f.includes('@redis') || f.includes('/core/cluster/'));
      process.stdout.write(JSON.stringify(loaded));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), []);
  });
});
