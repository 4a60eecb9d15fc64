/**
 * `npm run bench`: the package's tutorial example in the real node-red runtime, the tutorial's own
 * polling flow (bench/fixtures/tutorial-polling-flow.json) in node-red, and a hand-written SDK
 * server (bench/sdk-server.ts), each in its own process on loopback, driven by the official SDK
 * client. Prints the table and writes bench/results.md and bench/latency-throughput.svg.
 *
 * Sizes come from the environment, for quick runs (defaults in brackets):
 *   BENCH_CALLS [1000]          sequential tools/call for latency (package, SDK)
 *   BENCH_TUTORIAL_CALLS [30]   the same for the polling flow (each takes up to 1 s)
 *   BENCH_SECONDS [5]           length of each throughput run (per round)
 *   BENCH_CONCURRENCY [1,20,200] concurrent sessions for throughput
 *   BENCH_ENDPOINT_GETS [200]   sequential GETs timed to the endpoint event
 *   BENCH_IDLE [1000,5000]      idle sessions for memory (CPU is measured at the first size)
 *   BENCH_CPU_SECONDS [30]      CPU window over the idle sessions
 *   BENCH_BROADCASTS [10]       broadcasts timed to the first size of idle sessions (median)
 *   BENCH_ROUNDS [3]            the servers take turns this many times (latency, throughput)
 *   BENCH_SERVERS [package,tutorial,sdk]
 *   BENCH_PROFILE=1             run the package's node-red with --cpu-prof during latency and
 *                               throughput; profiles go to bench/.work/profiles/ and a summary is printed
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { callAdd, connectClient, connectClients, quantile, sequentialLatencies, throughput } from './lib/load';
import { openIdleSession, type IdleSession } from './lib/idle-sse';
import { cpuSecondsOf, memoryOf, probeCpuMicros, ROOT, startServer, WORK_DIR, type RunningServer, type ServerName } from './lib/servers';
import { renderChart } from './lib/chart';
import { summariseProfile } from './lib/profile-summary';
import { renderResults, renderTable, type Figures } from './lib/report';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const list = (name: string, fallback: string): number[] => env(name, fallback).split(',').map(Number);
const config = {
  calls: Number(env('BENCH_CALLS', '1000')),
  tutorialCalls: Number(env('BENCH_TUTORIAL_CALLS', '30')),
  seconds: Number(env('BENCH_SECONDS', '5')),
  concurrency: list('BENCH_CONCURRENCY', '1,20,200'),
  endpointGets: Number(env('BENCH_ENDPOINT_GETS', '200')),
  idle: list('BENCH_IDLE', '1000,5000'),
  cpuSeconds: Number(env('BENCH_CPU_SECONDS', '30')),
  servers: env('BENCH_SERVERS', 'package,tutorial,sdk').split(',') as ServerName[],
  rounds: Number(env('BENCH_ROUNDS', '3')),
  broadcastRounds: Number(env('BENCH_BROADCASTS', '10')),
  profile: process.env.BENCH_PROFILE === '1',
};
const PROFILE_DIR = path.join(WORK_DIR, 'profiles');

function log(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/**
 * Latency and throughput of all servers at once, interleaved: the servers run side by side and
 * take turns, round after round, so that load from elsewhere on the machine falls on all of them
 * alike. Latency pools the rounds' calls; throughput is the median of the rounds.
 */
async function activePhase(results: Record<string, Figures>): Promise<void> {
  const servers: RunningServer[] = [];
  try {
    for (const name of config.servers) {
      const profileArgs = config.profile && name === 'package'
        ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-interval', '200']
        : [];
      servers.push(await startServer(name, profileArgs));
    }
    const clients = await Promise.all(servers.map((s) => connectClient(s.sseUrl)));
    await Promise.all(servers.map(async (s, k) => {
      for (let i = 0; i < (s.name === 'tutorial' ? 3 : 50); i++) await callAdd(clients[k], 1, i); // warm-up
    }));
    const latencies = servers.map(() => [] as number[]);
    for (let round = 0; round < config.rounds; round++) {
      for (const [k, s] of servers.entries()) {
        const calls = Math.ceil((s.name === 'tutorial' ? config.tutorialCalls : config.calls) / config.rounds);
        log(`round ${round + 1}/${config.rounds}: ${s.name}, ${calls} sequential tools/call`);
        latencies[k].push(...await sequentialLatencies(clients[k], calls));
      }
    }
    for (const [k, s] of servers.entries()) {
      results[s.name].latencyP50 = quantile(latencies[k], 0.5);
      results[s.name].latencyP99 = quantile(latencies[k], 0.99);
      await clients[k].close();
    }
    for (const sessions of config.concurrency) {
      log(`connecting ${sessions} sessions to each server`);
      const pools = await Promise.all(servers.map((s) => connectClients(s.sseUrl, sessions)));
      const rates = servers.map(() => [] as number[]);
      for (let round = 0; round < config.rounds; round++) {
        for (const [k, s] of servers.entries()) {
          log(`round ${round + 1}/${config.rounds}: ${s.name}, throughput with ${sessions} sessions for ${config.seconds} s`);
          rates[k].push(await throughput(pools[k], config.seconds));
        }
      }
      for (const [k, s] of servers.entries()) {
        results[s.name].throughput[sessions] = quantile(rates[k], 0.5);
        await Promise.all(pools[k].map((c) => c.close()));
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
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
 * Time to the endpoint event, memory per idle session, CPU of idle sessions, and broadcast
 * fan-out to them: on a fresh process.
 */
async function idlePhase(name: ServerName, figures: Figures): Promise<void> {
  const server = await startServer(name);
  const open: IdleSession[] = [];
  // Every idle session counts the message events it receives; a broadcast round waits for all.
  let received = 0;
  let waiter: { target: number; resolve: () => void } | undefined;
  const onMessage = (): void => {
    received++;
    if (waiter !== undefined && received >= waiter.target) waiter.resolve();
  };
  try {
    await sleep(2000);
    const base = await memoryOf(server);
    log(`${name}: ${config.endpointGets} sequential GETs to the endpoint event`);
    const endpointTimes: number[] = [];
    for (let i = 0; i < config.endpointGets; i++) {
      const session = await openIdleSession(server.sseUrl, 30_000, onMessage);
      endpointTimes.push(session.endpointMs);
      open.push(session);
    }
    figures.endpointP50 = quantile(endpointTimes, 0.5);
    figures.endpointP99 = quantile(endpointTimes, 0.99);
    for (const [k, size] of config.idle.entries()) {
      log(`${name}: opening ${size} idle sessions`);
      while (open.length < size) {
        const batch = Math.min(100, size - open.length);
        open.push(...await Promise.all(Array.from({ length: batch }, () => openIdleSession(server.sseUrl, 30_000, onMessage))));
      }
      await sleep(2000);
      const mem = await memoryOf(server);
      figures.memory[size] = { rss: (mem.rss - base.rss) / size, heap: (mem.heapUsed - base.heapUsed) / size };
      if (k === 0) {
        log(`${name}: CPU of ${size} idle sessions over ${config.cpuSeconds} s`);
        // The whole window from /proc; and second by second from the probe, whose median second
        // is the CPU between keep-alives (a keep-alive round lands in one second of the window).
        const cpu0 = cpuSecondsOf(server.pid);
        const t0 = performance.now();
        const seconds: number[] = [];
        let last = await probeCpuMicros(server);
        let lastAt = performance.now();
        while (performance.now() - t0 < config.cpuSeconds * 1000) {
          await sleep(1000);
          const now = await probeCpuMicros(server);
          const at = performance.now();
          seconds.push((now - last) / 10 / (at - lastAt));
          last = now;
          lastAt = at;
        }
        const wall = (performance.now() - t0) / 1000;
        figures.idleCpu = { sessions: size, percent: ((cpuSecondsOf(server.pid) - cpu0) / wall) * 100, medianSecond: quantile(seconds, 0.5) };
        log(`${name}: broadcast to ${size} sessions, ${config.broadcastRounds} times`);
        const times: number[] = [];
        for (let round = 0; round < config.broadcastRounds; round++) {
          const all = new Promise<void>((resolve, reject) => {
            waiter = { target: received + size, resolve };
            setTimeout(() => reject(new Error(`${name}: a broadcast reached ${received - (waiter?.target ?? 0) + size} of ${size} sessions in 10 s`)), 10_000).unref();
          });
          const t1 = performance.now();
          await trigger(server.broadcastUrl);
          await all;
          times.push(performance.now() - t1);
          waiter = undefined;
          await sleep(200);
        }
        figures.broadcast = { sessions: size, p50: quantile(times, 0.5) };
      }
    }
  } finally {
    for (const s of open) s.close();
    await server.stop();
  }
}

function emptyFigures(): Figures {
  return { latencyP50: NaN, latencyP99: NaN, throughput: {}, endpointP50: NaN, endpointP99: NaN, memory: {}, idleCpu: { sessions: 0, percent: NaN, medianSecond: NaN }, broadcast: { sessions: 0, p50: NaN } };
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
  log(`config ${JSON.stringify(config)}`);
  const results: Record<string, Figures> = {};
  for (const name of config.servers) results[name] = emptyFigures();
  await activePhase(results);
  for (const name of config.servers) await idlePhase(name, results[name]);
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  console.log(renderTable(results, config));
  const chartFile = path.join(ROOT, 'bench', 'latency-throughput.svg');
  writeFileSync(chartFile, await renderChart(results, config));
  let profileText = '';
  if (config.profile) {
    const files = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).sort();
    if (files.length > 0) {
      profileText = summariseProfile(path.join(PROFILE_DIR, files[files.length - 1]));
      console.log(profileText);
    }
  }
  if (config.servers.length === 3) {
    writeFileSync(path.join(ROOT, 'bench', 'results.md'), renderResults(results, config, { machine, minutes, date: new Date().toISOString() }));
    log(`wrote bench/results.md and bench/latency-throughput.svg in ${minutes} min`);
  } else {
    log(`partial run (${config.servers.join(', ')}): bench/results.md left as it was`);
  }
}

mkdirSync(PROFILE_DIR, { recursive: true });
// The SDK client adds an abort listener per POST to one AbortSignal per transport and Node warns
// past 1,500 of them: a client-side quirk that would flood the output, not a finding.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'MaxListenersExceededWarning') console.warn(warning);
});
main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
