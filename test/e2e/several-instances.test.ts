/**
 * Several real Node-RED instances serving one endpoint through a real redis-server (issue 13): the
 * tutorial example, whose endpoint's Redis URL is `${MCP_REDIS_URL}`, on two and three node-red
 * processes behind a round-robin balancer without stickiness, with official SDK clients on both
 * transports. Then the faults: an instance SIGKILLed mid-run, and Redis stopped and restarted.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { startNodeRedWith, TUTORIAL_EXAMPLE, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS, type NodeRedVersion } from '../support/node-red-versions';
import { startRedis, type RunningRedis } from '../support/redis';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../bench/lib/round-robin-proxy';
import { waitFor } from '../support/core-server';

type Kind = 'sse' | 'streamable';

/** One simulated user: an SDK client, re-made when its session is lost. */
interface User {
  kind: Kind;
  client: Client;
  sessionId: string;
  /** Every session it had, in order. */
  sessions: string[];
  /** Responses received, by `<session>/<request id>`: each must be 1. */
  responses: Map<string, number>;
  /** Errors its calls met (each followed by a retry). */
  errors: string[];
  /** `notifications/tools/list_changed` heard. */
  heard: number;
  /** Set when the test is done with it: no more reconnecting. */
  closed?: boolean;
}

/** The tutorial flow, plus an inject node that broadcasts `notifications/tools/list_changed` (`POST /inject/cluster_broadcast`). */
function clusterFlow(): string {
  const flow = JSON.parse(readFileSync(TUTORIAL_EXAMPLE, 'utf8')) as Array<Record<string, unknown>>;
  const z = flow.find((n) => n.type === 'tab')?.id;
  flow.push(
    { id: 'cluster_broadcast', type: 'inject', z, name: 'broadcast', props: [{ p: 'payload' }], payload: '{"method":"notifications/tools/list_changed"}', payloadType: 'json', repeat: '', once: false, x: 150, y: 700, wires: [['cluster_broadcast_out']] },
    { id: 'cluster_broadcast_out', type: 'mcp-sse-out', z, name: 'every session', target: 'endpoint', endpoint: 'mcp_cfg_tutorial', timeout: 60, x: 350, y: 700, wires: [[]] },
  );
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcp-cluster-flow-')), 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

function sessionIdOf(kind: Kind, transport: Transport): string {
  if (kind === 'streamable') return (transport as StreamableHTTPClientTransport).sessionId as string;
  return (transport as unknown as { _endpoint: URL })._endpoint.searchParams.get('sessionId') as string;
}

/** Connects (or re-connects) a user through the balancer, counting every response its transport receives. */
async function connect(user: Pick<User, 'kind'> & Partial<User>, base: string): Promise<User> {
  const client = new Client({ name: 'cluster-e2e', version: '1.0.0' });
  const transport = user.kind === 'sse' ? new SSEClientTransport(new URL(`${base}/sse`)) : new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
  await client.connect(transport, { timeout: 5000 });
  const sessionId = sessionIdOf(user.kind, transport);
  const full = user as User;
  full.client = client;
  full.sessionId = sessionId;
  full.sessions = [...(user.sessions ?? []), sessionId];
  full.responses ??= new Map();
  full.errors ??= [];
  full.heard ??= 0;
  const received = transport.onmessage;
  transport.onmessage = (message) => {
    if ('id' in message && ('result' in message || 'error' in message)) {
      const key = `${sessionId}/${String(message.id)}`;
      full.responses.set(key, (full.responses.get(key) ?? 0) + 1);
    }
    received?.(message);
  };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    full.heard++;
  });
  return full;
}

/**
 * Calls `add` on the user's session; on an error, `recover` says what to do: retry on the same
 * session (a 503 while Redis is lost) or on a new one (the session's instance died). Returns the text.
 */
async function add(user: User, a: number, b: number, base: string, recover: (error: Error) => 'retry' | 'reconnect' | 'fail', timeoutMs: number): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const result = await user.client.callTool({ name: 'add', arguments: { a, b } }, undefined, { timeout: timeoutMs });
      return (result.content as Array<{ text: string }>)[0].text;
    } catch (error) {
      user.errors.push((error as Error).message);
      const action = recover(error as Error);
      if (action === 'fail' || user.closed === true) throw error;
      await new Promise((r) => setTimeout(r, 300));
      if (action === 'reconnect') {
        await user.client.close().catch(() => {});
        await connect(user, base);
      }
    }
  }
  throw new Error(`no answer after 20 attempts: ${user.errors.slice(-3).join(' | ')}`);
}

/** Opens `n` users, alternating HTTP+SSE and Streamable HTTP. */
async function openUsers(n: number, base: string): Promise<User[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => connect({ kind: i % 2 === 0 ? 'sse' : 'streamable' }, base)));
}

/** Each user makes `calls` calls one after another, all users at once; answers checked. */
async function run(users: User[], calls: number, base: string, recover: (user: User, error: Error) => 'retry' | 'reconnect' | 'fail', offset = 0, timeoutMs = 10_000): Promise<void> {
  await Promise.all(users.map(async (user, u) => {
    for (let i = 0; i < calls; i++) {
      const a = u * 1000 + offset + i;
      assert.equal(await add(user, a, 7, base, (e) => recover(user, e), timeoutMs), String(a + 7), `user ${u} call ${i}`);
    }
  }));
}

function assertNothingTwice(users: User[]): void {
  for (const user of users) {
    const twice = [...user.responses].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], 'a response arrived twice');
  }
}

async function closeAll(users: User[]): Promise<void> {
  for (const user of users) user.closed = true;
  await Promise.all(users.map((u) => u.client.close().catch(() => {})));
}

async function startInstances(version: NodeRedVersion, flow: string, redisUrl: string, n: number): Promise<RunningNodeRed[]> {
  const instances = await Promise.all(Array.from({ length: n }, () =>
    startNodeRedWith(flow, { node: version.node, bin: version.bin, env: { MCP_REDIS_URL: redisUrl } })));
  for (const instance of instances) assertRunsOn(version, instance.output());
  await waitFor(() => instances.every((i) => /Connected to Redis as instance/.test(i.output())), 10_000, 'every instance to connect to Redis');
  return instances;
}

const failOnAnyError = (): 'fail' => 'fail';

/** Resolves once `url`'s port refuses connections (its process has died). */
async function refusing(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const version of NODE_RED_VERSIONS) describe(`several node-red instances behind a round-robin balancer, one Redis, on ${version.name}`, () => {
  const full = version === NODE_RED_VERSIONS[0];
  let redis: RunningRedis;
  let instances: RunningNodeRed[] = [];
  let proxy: RoundRobinProxy;
  let flow: string;

  before(async () => {
    redis = await startRedis();
    flow = clusterFlow();
    instances = await startInstances(version, flow, redis.url, full ? 3 : 2);
    proxy = await startRoundRobinProxy(instances.slice(0, 2).map((i) => i.url));
  });
  afterEach((context) => {
    // What the instances said, when a test failed: relays, Redis, warnings.
    if ((context as unknown as { passed?: boolean }).passed === false) {
      for (const instance of instances) console.log(instance.output().split('\n').filter((l) => /\[(warn|error)\]/.test(l)).slice(-20).join('\n'));
    }
  });
  after(async () => {
    await proxy?.close();
    await Promise.all(instances.map((i) => i.stop()));
    await redis?.stop();
  });

  it('two instances: 50 sessions x 20 calls on both transports, every answer right and none twice; a broadcast reaches every session', async () => {
    const users = await openUsers(50, proxy.url);
    try {
      const owners = new Set(users.map((u) => proxy.ownerOf(u.sessionId)));
      assert.equal(owners.size, 2, 'sessions opened on both instances');
      await run(users, 20, proxy.url, failOnAnyError);
      assertNothingTwice(users);
      assert.ok(users.every((u) => u.errors.length === 0 && u.sessions.length === 1));
      // Streamable clients open their standalone stream just after initializing: give them a moment.
      await new Promise((r) => setTimeout(r, 500));
      const fired = await fetch(`${instances[1].url}/inject/cluster_broadcast`, { method: 'POST' });
      assert.equal(fired.status, 200);
      await waitFor(() => users.every((u) => u.heard === 1), 5000, 'every session to hear the one broadcast');
    } finally {
      await closeAll(users);
    }
  });

  if (!full) return;

  it('three instances, one SIGKILLed mid-run: its clients open new sessions and go on, the others never notice', async () => {
    proxy.setUpstreams(instances.map((i) => i.url));
    const users = await openUsers(30, proxy.url);
    const victim = instances[2];
    try {
      const hit = users.filter((u) => proxy.ownerOf(u.sessionId) === victim.url);
      assert.ok(hit.length > 0 && hit.length < users.length, `some sessions on the victim (${hit.length})`);
      await run(users, 5, proxy.url, failOnAnyError);
      process.kill(victim.pid, 'SIGKILL');
      const killedAt = Date.now();
      // A request that reached the victim in the moment it died is lost, as with any balancer:
      // the next ones start once its port refuses connections (the balancer then skips it).
      await refusing(victim.url);
      const noticedAfter: number[] = [];
      await run(users, 10, proxy.url, (user) => {
        if (!hit.includes(user)) return 'fail';
        noticedAfter.push(Date.now() - killedAt);
        return 'reconnect';
      }, 100);
      for (const user of hit) {
        assert.equal(user.sessions.length, 2, 'a user of the dead instance opened one new session');
        assert.ok(user.errors.length >= 1);
      }
      for (const user of users.filter((u) => !hit.includes(u))) {
        assert.deepEqual({ errors: user.errors, sessions: user.sessions.length }, { errors: [], sessions: 1 }, 'a user of a live instance noticed nothing');
      }
      assertNothingTwice(users);
      const recoveredIn = Date.now() - killedAt;
      const kinds = [...new Set(hit.flatMap((u) => u.errors).map((e) => e.slice(0, 70)))];
      console.log(`# SIGKILL: ${hit.length} of ${users.length} sessions were on the killed instance; their clients noticed ${Math.min(...noticedAfter)}-${Math.max(...noticedAfter)} ms after the kill (${kinds.join(' | ')}); every user finished its 10 calls ${recoveredIn} ms after the kill`);
    } finally {
      await closeAll(users);
      proxy.setUpstreams(instances.slice(0, 2).map((i) => i.url));
    }
  });

  it('Redis stopped and restarted mid-run: relayed requests get 503 meanwhile, sessions survive, nothing crashes', async () => {
    const users = await openUsers(20, proxy.url);
    let stopped: Promise<void> = Promise.resolve();
    try {
      await run(users, 3, proxy.url, failOnAnyError);
      stopped = redis.stop().then(() => new Promise((r) => setTimeout(r, 1500))).then(() => redis.start());
      // A 503 (Redis lost: the relay cannot reach the owner), or a relayed answer cut by the outage.
      const retryOnSameSession = (_user: User, error: Error): 'retry' | 'fail' =>
        ((error as Error & { code?: unknown }).code === 503 || /HTTP 503|timed out|timeout|terminated|fetch failed/i.test(error.message) ? 'retry' : 'fail');
      // A call whose relayed answer stream the outage cut is retried after 4 s.
      await Promise.all([stopped, run(users, 10, proxy.url, retryOnSameSession, 100, 4000)]);
      await run(users, 5, proxy.url, retryOnSameSession, 200, 4000);
      for (const user of users) assert.equal(user.sessions.length, 1, 'the session survived');
      assertNothingTwice(users);
      for (const instance of instances.slice(0, 2)) {
        assert.match(instance.output(), /Redis connection lost/);
        assert.match(instance.output(), /Redis connection restored/);
      }
      const errors = users.flatMap((u) => u.errors);
      assert.ok(errors.length > 0, 'some relayed requests met the outage');
      console.log(`# Redis outage: ${errors.length} calls failed and were retried on the same session: ${[...new Set(errors.map((e) => e.slice(0, 60)))].join(' | ')}`);
    } finally {
      await stopped.catch(() => {});
      await closeAll(users);
    }
  });
});
