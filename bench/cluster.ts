/**
 * `npm run bench:cluster`: what serving one endpoint from two Node-RED instances costs, in two parts.
 *
 * **stateless** (issue 12, MCP 2026-07-28, no Redis): two real node-red processes run the same
 * flow (the tutorial and server-push examples, bench/lib/scale-out.ts) with the same state secret
 * and nothing shared, behind the round-robin balancer (bench/lib/round-robin-proxy.ts, no
 * stickiness; in a process of its own for the `add` load), and official v2 clients (`@modelcontextprotocol/client`, `versionNegotiation: {
 * mode: 'auto' }`) that negotiate 2026-07-28:
 *
 * - `tools/call` of `add`: one client making its calls one after another, and BENCH_CLUSTER_CLIENTS
 *   clients (default 20) at once, each making its calls back to back; p50 and p99 latency, and the
 *   calls per second of the clients at once, through the balancer over both instances, and for
 *   comparison on one instance directly and on one instance through the balancer (the balancer's
 *   own cost).
 * - The elicitation round trip that crosses instances: `ask_name`, one client, calls one after
 *   another; each first POST is answered `input_required` by one instance and the retry, carrying
 *   the answer and the sealed `requestState`, is finished by the other (checked on every call from
 *   the balancer's record). Compared with the same round trip on one instance directly.
 *
 * **redis** (issue 13): two real node-red processes run the tutorial example (with a broadcast
 * trigger) and `MCP_REDIS_URL` pointing at a redis-server started on a free 127.0.0.1 port.
 *
 * - Relay latency: one SDK client per transport opens its session on instance A, then sends its
 *   `tools/call`s alternately to A (local) and to B (relayed to A through Redis, the answer relayed
 *   back); p50 and p99 of each, in blocks of 50 so that both see the same machine.
 * - Broadcast: 1,000 idle HTTP+SSE sessions, half on each instance; one broadcast triggered on A;
 *   the time until the last session of A, and of B, received it (median of the rounds).
 *
 * The redis part is skipped, saying so, when redis-server is not installed.
 *
 * Environment: BENCH_CLUSTER_PARTS (`stateless,redis`, the default, or either one);
 * stateless: BENCH_CLUSTER_CLIENTS (default 20), BENCH_CLUSTER_CLIENT_CALLS (calls per client when
 * they call at once, default 250; the lone client makes 4 times as many), BENCH_CLUSTER_ROUND_TRIPS
 * (elicitation round trips, default 200); redis: BENCH_CLUSTER_CALLS (calls per transport and mode, default
 * 1000), BENCH_CLUSTER_SESSIONS (default 1000), BENCH_CLUSTER_ROUNDS (broadcasts, default 5).
 * Results: printed, and written to bench/.work/cluster.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { prepareUserDir, startNodeRed, PACKAGE_ROOT } from '../scripts/node-red-runner.mjs';
import { packageFlowWithTrigger, BROADCAST_PATH } from './lib/broadcast-trigger';
import { openIdleSession, type IdleSession } from './lib/idle-sse';
import { quantile } from './lib/load';
import { redisServerAvailable, startRedis } from '../test/support/redis';
import { startRoundRobinProxy, startRoundRobinProxyProcess, type ForwardedRequest, type RoundRobinProxy, type RoundRobinProxyProcess } from './lib/round-robin-proxy';
import { ADD_PATH, ASK_PATH, connectModernClient, resultText, scaleOutEnv, writeScaleOutFlow } from './lib/scale-out';

const CALLS = Number(process.env.BENCH_CLUSTER_CALLS ?? 1000);
const SESSIONS = Number(process.env.BENCH_CLUSTER_SESSIONS ?? 1000);
const ROUNDS = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 5);
const PARTS = (process.env.BENCH_CLUSTER_PARTS ?? 'stateless,redis').split(',').map((p) => p.trim());
const CLIENTS = Number(process.env.BENCH_CLUSTER_CLIENTS ?? 20);
const CLIENT_CALLS = Number(process.env.BENCH_CLUSTER_CLIENT_CALLS ?? 250);
const ROUND_TRIPS = Number(process.env.BENCH_CLUSTER_ROUND_TRIPS ?? 200);
const WORK = path.join(PACKAGE_ROOT, 'bench', '.work');
const TUTORIAL = path.join(PACKAGE_ROOT, 'examples', 'tutorial-mcp-server.json');

interface Instance {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts node-red in a user dir of its own under bench/.work, with the flow `writeFlow` writes
 * there (it returns the file) and the package linked.
 */
async function startInstance(writeFlow: (userDir: string) => string, env: Record<string, string>): Promise<Instance> {
  mkdirSync(WORK, { recursive: true });
  const userDir = mkdtempSync(path.join(WORK, 'nr-cluster-'));
  const flowsFile = writeFlow(userDir);
  prepareUserDir({ userDir, flowsFile, install: 'link', settings: { logging: { console: { level: 'info', metrics: false, audit: false } } } });
  const running = await startNodeRed({ userDir, env });
  return {
    url: running.url,
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

/** The JSON-RPC request of a POST the balancer recorded. */
function rpcOf(forwarded: ForwardedRequest): { method?: string; params?: { name?: string; requestState?: unknown } } {
  return forwarded.method === 'POST' && forwarded.body !== '' ? JSON.parse(forwarded.body) as { method?: string } : {};
}

type ModernClient = Awaited<ReturnType<typeof connectModernClient>>;

/** The rounds each stateless figure is measured in, its configurations taking turns, so that all see the same machine. */
const BLOCKS = 5;

/** One `add` call; its latency in ms. Throws on a wrong answer. */
async function timedAdd(client: ModernClient, a: number, b: number): Promise<number> {
  const t0 = performance.now();
  const text = resultText(await client.callTool({ name: 'add', arguments: { a, b } }));
  const ms = performance.now() - t0;
  if (text !== String(a + b)) throw new Error(`add(${a}, ${b}) answered ${JSON.stringify(text)}`);
  return ms;
}

/** What one configuration of the `add` load measured, over all blocks. */
interface AddFigures {
  /** One client, calls one after another: each call's ms. */
  alone: number[];
  /** CLIENTS clients at once: each call's ms, and the time the blocks took (ms). */
  together: number[];
  togetherMs: number;
  /** Requests each instance answered (through a balancer). */
  served: [number, number];
}

/**
 * `add` through each of `targets` (Streamable HTTP URLs), in BLOCKS rounds with the targets taking
 * turns: one client making 4 × CLIENT_CALLS / BLOCKS calls one after another, then CLIENTS clients
 * at once making CLIENT_CALLS / BLOCKS each. Every client made 10 calls first (warm-up).
 */
async function addLoad(targets: Array<{ url: string; balancer?: RoundRobinProxyProcess }>, instances: [string, string]): Promise<AddFigures[]> {
  const figures = targets.map((): AddFigures => ({ alone: [], together: [], togetherMs: 0, served: [0, 0] }));
  const clients = await Promise.all(targets.map(({ url }) => Promise.all(Array.from({ length: CLIENTS }, () => connectModernClient(url)))));
  for (const group of clients) await Promise.all(group.map(async (client, k) => { for (let i = 0; i < 10; i++) await timedAdd(client, k, i); }));
  for (let block = 0; block < BLOCKS; block++) {
    for (const [t, { balancer }] of targets.entries()) {
      const before = await balancer?.counts();
      const group = clients[t];
      for (let i = 0; i < Math.ceil((4 * CLIENT_CALLS) / BLOCKS); i++) figures[t].alone.push(await timedAdd(group[0], block, i));
      const start = performance.now();
      await Promise.all(group.map(async (client, k) => {
        for (let i = 0; i < Math.ceil(CLIENT_CALLS / BLOCKS); i++) figures[t].together.push(await timedAdd(client, k * 100_000 + block * 1000 + i, i));
      }));
      figures[t].togetherMs += performance.now() - start;
      const after = await balancer?.counts();
      instances.forEach((u, i) => { figures[t].served[i] += (after?.get(u) ?? 0) - (before?.get(u) ?? 0); });
    }
  }
  await Promise.all(clients.flat().map((client) => client.close()));
  return figures;
}

/**
 * `ask_name` through each of `targets` (Streamable HTTP URLs of the server-push endpoint), one client
 * each with the elicitation capability, ROUND_TRIPS calls one after another in BLOCKS rounds with
 * the targets taking turns (after 20 warm-up calls each): each call's latency (ms), from the first
 * POST to the greeting, and, through a recording balancer, how many retries another instance than
 * the one that asked finished. Throws on a wrong answer.
 */
async function elicitationRoundTrips(targets: Array<{ url: string; balancer?: RoundRobinProxy }>): Promise<Array<{ latencies: number[]; crossed: number }>> {
  const out = targets.map(() => ({ latencies: [] as number[], crossed: 0 }));
  const clients = await Promise.all(targets.map(({ url }) => connectModernClient(url, { elicit: async () => ({ action: 'accept', content: { name: 'Ada' } }) })));
  const roundTrip = async (t: number, measured: boolean): Promise<void> => {
    const balancer = targets[t].balancer;
    const from = balancer?.forwarded.length ?? 0;
    const t0 = performance.now();
    const text = resultText(await clients[t].callTool({ name: 'ask_name', arguments: {} }));
    const ms = performance.now() - t0;
    if (text !== 'Hello, Ada!') throw new Error(`ask_name answered ${JSON.stringify(text)}`);
    if (!measured) return;
    out[t].latencies.push(ms);
    const posts = balancer?.forwarded.slice(from).filter((f) => rpcOf(f).method === 'tools/call') ?? [];
    const first = posts.find((f) => rpcOf(f).params?.requestState === undefined);
    const retry = posts.find((f) => rpcOf(f).params?.requestState !== undefined);
    if (first !== undefined && retry !== undefined && first.upstream !== retry.upstream) out[t].crossed++;
  };
  for (const t of targets.keys()) for (let i = 0; i < 20; i++) await roundTrip(t, false);
  for (let block = 0; block < BLOCKS; block++) {
    for (const t of targets.keys()) for (let i = 0; i < Math.ceil(ROUND_TRIPS / BLOCKS); i++) await roundTrip(t, true);
  }
  await Promise.all(clients.map((client) => client.close()));
  return out;
}

/** The stateless part: its markdown lines. */
async function statelessPart(): Promise<string[]> {
  const secret = randomBytes(16).toString('hex');
  const instances = await Promise.all([0, 1].map(() => startInstance((dir) => writeScaleOutFlow(path.join(dir, 'scale-out-flow.json')), scaleOutEnv(secret))));
  const [a, b] = instances.map((i) => i.url);
  const both = await startRoundRobinProxyProcess([a, b]);
  const one = await startRoundRobinProxyProcess([a]);
  const recording = await startRoundRobinProxy([a, b], { record: true });
  try {
    const rows: Array<{ label: string; url: string; balancer?: RoundRobinProxyProcess }> = [
      { label: 'one instance, directly', url: `${a}${ADD_PATH}` },
      { label: 'one instance, through the balancer', url: `${one.url}${ADD_PATH}`, balancer: one },
      { label: 'two instances, through the balancer', url: `${both.url}${ADD_PATH}`, balancer: both },
    ];
    const adds = await addLoad(rows, [a, b]);
    const asks = await elicitationRoundTrips([{ url: `${a}${ASK_PATH}` }, { url: `${recording.url}${ASK_PATH}`, balancer: recording }]);
    const alone = Math.ceil((4 * CLIENT_CALLS) / BLOCKS) * BLOCKS;
    const together = Math.ceil(CLIENT_CALLS / BLOCKS) * BLOCKS;
    const trips = Math.ceil(ROUND_TRIPS / BLOCKS) * BLOCKS;
    const lines = [
      '## Stateless (MCP 2026-07-28), no Redis',
      '',
      `Two node-red instances running the tutorial and server-push examples (bench/lib/scale-out.ts) with one state secret and nothing shared, behind a round-robin balancer on 127.0.0.1 with no stickiness (bench/lib/round-robin-proxy.ts; one upstream connection per request), all on this machine (${process.version}); the clients are \`@modelcontextprotocol/client\` v2 with \`versionNegotiation: { mode: 'auto' }\`, negotiating 2026-07-28, in the bench's process. Each figure is measured in ${BLOCKS} rounds, the rows of a table taking turns, after warm-up calls.`,
      '',
      `\`tools/call\` of \`add\`: one client making ${alone} calls one after another, and ${CLIENTS} clients at once making ${together} calls each back to back. The balancer runs in a process of its own, as a real one would.`,
      '',
      `| served by | 1 client p50 ms | 1 client p99 ms | ${CLIENTS} clients p50 ms | ${CLIENTS} clients p99 ms | ${CLIENTS} clients calls/s | requests per instance |`,
      '| --- | --- | --- | --- | --- | --- | --- |',
    ];
    for (const [r, row] of rows.entries()) {
      const f = adds[r];
      const total = f.served[0] + f.served[1];
      const shares = row.balancer === undefined ? 'all on A' : f.served.map((n, i) => (n > 0 ? `${Math.round((100 * n) / total)}% ${'AB'[i]}` : '')).filter(Boolean).join(', ');
      lines.push(`| ${row.label} | ${fmt(quantile(f.alone, 0.5))} | ${fmt(quantile(f.alone, 0.99))} | ${fmt(quantile(f.together, 0.5))} | ${fmt(quantile(f.together, 0.99))} | ${Math.round(f.together.length / (f.togetherMs / 1000))} | ${shares} |`);
    }
    lines.push('', `The elicitation round trip (\`ask_name\`: a POST answered \`input_required\`, the user's answer, the retry with the answer and the sealed \`requestState\`, the greeting), one client, ${trips} calls one after another. Through the balancer, here in the bench's process, which records which instance answered each POST; the server gathers a flow's input requests for 25 ms (\`INPUT_BATCH_MS\`) before it answers \`input_required\`:`, '',
      '| served by | p50 ms | p99 ms | retries finished by the other instance |', '| --- | --- | --- | --- |',
      `| one instance, directly | ${fmt(quantile(asks[0].latencies, 0.5))} | ${fmt(quantile(asks[0].latencies, 0.99))} | – |`,
      `| two instances, through the balancer | ${fmt(quantile(asks[1].latencies, 0.5))} | ${fmt(quantile(asks[1].latencies, 0.99))} | ${asks[1].crossed} of ${trips} |`);
    return lines;
  } finally {
    await Promise.all([both.close(), one.close(), recording.close()]);
    await Promise.all(instances.map((i) => i.stop()));
  }
}

/** The Redis part: its markdown lines (a note alone when redis-server is not installed). */
async function redisPart(): Promise<string[]> {
  if (!redisServerAvailable()) {
    const note = 'Redis part skipped: redis-server is not installed (Debian: apt-get install redis-server)';
    console.log(`bench:cluster: ${note}`);
    return ['## Through Redis', '', `${note}.`];
  }
  const redis = await startRedis();
  const instances = await Promise.all([0, 1].map(() => startInstance((dir) => packageFlowWithTrigger(TUTORIAL, path.join(dir, 'flow-with-trigger.json'), SESSIONS), { MCP_REDIS_URL: redis.url })));
  const [a, b] = instances.map((i) => i.url);
  try {
    const lines = [
      '## Through Redis: relay overhead',
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
    return lines;
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const unknown = PARTS.filter((p) => p !== 'stateless' && p !== 'redis');
  if (unknown.length > 0) throw new Error(`BENCH_CLUSTER_PARTS: unknown part(s) ${unknown.join(', ')} (stateless, redis)`);
  const started = loadavg()[0];
  const lines: string[] = [];
  if (PARTS.includes('stateless')) lines.push('', ...await statelessPart());
  if (PARTS.includes('redis')) lines.push('', ...await redisPart());
  lines.unshift('# Several instances (bench/cluster.ts)', '', `Written on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average (1 min) ${started.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end.`);
  const text = lines.join('\n');
  console.log(text);
  mkdirSync(WORK, { recursive: true });
  writeFileSync(path.join(WORK, 'cluster.md'), `${text}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
