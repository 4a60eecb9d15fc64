/**
 * `npm run bench:cluster`: what serving one endpoint from two Node-RED instances through Redis
 * costs (issue 13). Two real node-red processes run the tutorial example (with a broadcast
 * trigger) and `MCP_REDIS_URL` pointing at a redis-server started on a free 127.0.0.1 port.
 *
 * - Relay latency: one SDK client per transport opens its session on instance A, then sends its
 *   `tools/call`s alternately to A (local) and to B (relayed to A through Redis, the answer relayed
 *   back); p50 and p99 of each, in blocks of 50 so that both see the same machine.
 * - Broadcast: 1,000 idle HTTP+SSE sessions, half on each instance; one broadcast triggered on A;
 *   the time until the last session of A, and of B, received it (median of the rounds).
 *
 * Skipped, saying so, when redis-server is not installed. Environment: BENCH_CLUSTER_CALLS (calls
 * per transport and mode, default 1000), BENCH_CLUSTER_SESSIONS (default 1000),
 * BENCH_CLUSTER_ROUNDS (broadcasts, default 5).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// @ts-expect-error plain JavaScript module shared with npm start and the tests
import { prepareUserDir, startNodeRed, PACKAGE_ROOT } from '../scripts/node-red-runner.mjs';
import { packageFlowWithTrigger, BROADCAST_PATH } from './lib/broadcast-trigger';
import { openIdleSession, type IdleSession } from './lib/idle-sse';
import { quantile } from './lib/load';
import { redisServerAvailable, startRedis } from '../test/support/redis';

const CALLS = Number(process.env.BENCH_CLUSTER_CALLS ?? 1000);
const SESSIONS = Number(process.env.BENCH_CLUSTER_SESSIONS ?? 1000);
const ROUNDS = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 5);
const WORK = path.join(PACKAGE_ROOT as string, 'bench', '.work');
const TUTORIAL = path.join(PACKAGE_ROOT as string, 'examples', 'tutorial-mcp-server.json');

interface Instance {
  url: string;
  stop(): Promise<void>;
}

async function startInstance(redisUrl: string): Promise<Instance> {
  mkdirSync(WORK, { recursive: true });
  const userDir = mkdtempSync(path.join(WORK, 'nr-cluster-'));
  const flowsFile = packageFlowWithTrigger(TUTORIAL, path.join(userDir, 'flow-with-trigger.json'), SESSIONS);
  prepareUserDir({ userDir, flowsFile, install: 'link', settings: { logging: { console: { level: 'info', metrics: false, audit: false } } } });
  const running = await startNodeRed({ userDir, env: { MCP_REDIS_URL: redisUrl } });
  return {
    url: running.url as string,
    stop: async () => {
      await running.stop();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** A fetch whose first request goes to A (the session opens there), and later ones to A or B as `target.now` says. */
function switchingFetch(a: string, b: string, target: { now: 'local' | 'relayed' }): typeof fetch {
  let first = true;
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    url.host = new URL(first || target.now === 'local' ? a : b).host;
    first = false;
    return fetch(url, init);
  };
}

async function latencies(kind: 'sse' | 'streamable', a: string, b: string): Promise<{ local: number[]; relayed: number[] }> {
  const target = { now: 'local' as 'local' | 'relayed' };
  const fetchVia = switchingFetch(a, b, target);
  const transport = kind === 'sse'
    ? new SSEClientTransport(new URL(`${a}/sse`), { fetch: fetchVia })
    : new StreamableHTTPClientTransport(new URL(`${a}/mcp`), { fetch: fetchVia });
  const client = new Client({ name: 'bench-cluster', version: '1.0.0' });
  await client.connect(transport);
  const out = { local: [] as number[], relayed: [] as number[] };
  const call = async (i: number): Promise<number> => {
    const t0 = performance.now();
    const result = await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    const ms = performance.now() - t0;
    if ((result.content as Array<{ text: string }>)[0].text !== String(i + 1)) throw new Error(`wrong answer ${JSON.stringify(result)}`);
    return ms;
  };
  for (const mode of ['local', 'relayed'] as const) {
    target.now = mode;
    for (let i = 0; i < 100; i++) await call(i);
  }
  for (let done = 0; done < CALLS; done += 50) {
    for (const mode of ['local', 'relayed'] as const) {
      target.now = mode;
      for (let i = 0; i < 50 && done + i < CALLS; i++) out[mode].push(await call(done + i));
    }
  }
  await client.close();
  return out;
}

async function broadcastTimes(a: string, b: string): Promise<Array<{ a: number; b: number }>> {
  const arrivals = { a: [] as number[], b: [] as number[] };
  const sessions: IdleSession[] = [];
  for (const [name, base] of [['a', a], ['b', b]] as const) {
    for (let i = 0; i < SESSIONS / 2; i += 50) {
      sessions.push(...await Promise.all(Array.from({ length: Math.min(50, SESSIONS / 2 - i) }, () =>
        openIdleSession(`${base}/sse`, 30_000, () => arrivals[name].push(performance.now())))));
    }
  }
  const rounds: Array<{ a: number; b: number }> = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      arrivals.a.length = 0;
      arrivals.b.length = 0;
      await new Promise((r) => setTimeout(r, 300));
      const t0 = performance.now();
      const answer = await fetch(`${a}${BROADCAST_PATH}`, { method: 'POST' });
      if (!answer.ok) throw new Error(`broadcast trigger answered ${answer.status}`);
      const deadline = Date.now() + 30_000;
      while (arrivals.a.length + arrivals.b.length < SESSIONS) {
        if (Date.now() > deadline) throw new Error(`only ${arrivals.a.length} + ${arrivals.b.length} of ${SESSIONS} sessions received the broadcast`);
        await new Promise((r) => setTimeout(r, 2));
      }
      rounds.push({ a: Math.max(...arrivals.a) - t0, b: Math.max(...arrivals.b) - t0 });
    }
  } finally {
    for (const s of sessions) s.close();
  }
  return rounds;
}

const fmt = (ms: number): string => ms.toFixed(2);

async function main(): Promise<void> {
  if (!redisServerAvailable()) {
    console.log('bench:cluster skipped: redis-server is not installed (Debian: apt-get install redis-server)');
    return;
  }
  const redis = await startRedis();
  const instances = await Promise.all([startInstance(redis.url), startInstance(redis.url)]);
  const [a, b] = instances.map((i) => i.url);
  try {
    const lines = [
      `# Several instances: relay overhead (bench/cluster.ts)`,
      '',
      `Two node-red instances (tutorial example, \`MCP_REDIS_URL\` set), one redis-server, all on this machine (${process.version}); ${CALLS} sequential calls per row after 100 warm-up.`,
      '',
      '| transport | call | p50 ms | p99 ms |',
      '| --- | --- | --- | --- |',
    ];
    for (const kind of ['sse', 'streamable'] as const) {
      const { local, relayed } = await latencies(kind, a, b);
      const name = kind === 'sse' ? 'HTTP+SSE' : 'Streamable HTTP';
      lines.push(`| ${name} | local (instance A) | ${fmt(quantile(local, 0.5))} | ${fmt(quantile(local, 0.99))} |`);
      lines.push(`| ${name} | relayed (B -> A -> B) | ${fmt(quantile(relayed, 0.5))} | ${fmt(quantile(relayed, 0.99))} |`);
    }
    const rounds = await broadcastTimes(a, b);
    const median = (values: number[]): number => quantile(values, 0.5);
    lines.push('', `Broadcast of one notification, triggered on A, to ${SESSIONS} HTTP+SSE sessions (${SESSIONS / 2} on each instance), median of ${ROUNDS}:`, '',
      '| sessions reached | ms |', '| --- | --- |',
      `| the ${SESSIONS / 2} on A (local) | ${fmt(median(rounds.map((r) => r.a)))} |`,
      `| the ${SESSIONS / 2} on B (through Redis) | ${fmt(median(rounds.map((r) => r.b)))} |`,
      `| all ${SESSIONS} | ${fmt(median(rounds.map((r) => Math.max(r.a, r.b))))} |`);
    const text = lines.join('\n');
    console.log(text);
    mkdirSync(WORK, { recursive: true });
    writeFileSync(path.join(WORK, 'cluster.md'), `${text}\n`);
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await redis.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
