/**
 * `npm run bench`: the package's tutorial example in the real node-red runtime, the tutorial's own
 * polling flow (bench/fixtures/tutorial-polling-flow.json) in node-red, and a hand-written SDK
 * server (bench/sdk-server.ts), each in its own process on loopback, driven by the official SDK
 * client. Prints the table and writes bench/results.md and bench/latency-throughput.svg.
 *
 * Sizes come from the environment, for quick runs (defaults in brackets):
 *   BENCH_CALLS [1000]          sequential tools/call for latency (package, SDK)
 *   BENCH_TUTORIAL_CALLS [30]   the same for the polling flow (each takes up to 1 s)
 *   BENCH_SECONDS [5]           length of each throughput run
 *   BENCH_CONCURRENCY [1,20,200] concurrent sessions for throughput
 *   BENCH_ENDPOINT_GETS [200]   sequential GETs timed to the endpoint event
 *   BENCH_IDLE [1000,5000]      idle sessions for memory (CPU is measured at the first size)
 *   BENCH_CPU_SECONDS [30]      CPU window over the idle sessions
 *   BENCH_SERVERS [package,tutorial,sdk]
 *   BENCH_PROFILE=1             run the package's node-red with --cpu-prof during latency and
 *                               throughput; profiles go to bench/.work/profiles/ and a summary is printed
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { callAdd, connectClient, quantile, sequentialLatencies, throughput } from './lib/load';
import { openIdleSession, type IdleSession } from './lib/idle-sse';
import { cpuSecondsOf, memoryOf, ROOT, startServer, WORK_DIR, type RunningServer, type ServerName } from './lib/servers';
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
  profile: process.env.BENCH_PROFILE === '1',
};
const PROFILE_DIR = path.join(WORK_DIR, 'profiles');

function log(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** Latency and throughput, on one server process. */
async function activePhase(name: ServerName, figures: Figures): Promise<void> {
  const profileArgs = config.profile && name === 'package'
    ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-interval', '200']
    : [];
  const server = await startServer(name, profileArgs);
  try {
    const client = await connectClient(server.sseUrl);
    const calls = name === 'tutorial' ? config.tutorialCalls : config.calls;
    for (let i = 0; i < Math.min(50, calls); i++) await callAdd(client, 1, i); // warm-up
    log(`${name}: ${calls} sequential tools/call`);
    const latencies = await sequentialLatencies(client, calls);
    figures.latencyP50 = quantile(latencies, 0.5);
    figures.latencyP99 = quantile(latencies, 0.99);
    await client.close();
    for (const sessions of config.concurrency) {
      log(`${name}: throughput with ${sessions} sessions for ${config.seconds} s`);
      figures.throughput[sessions] = await throughput(server.sseUrl, sessions, config.seconds);
    }
  } finally {
    await server.stop();
  }
}

/** Time to the endpoint event, memory per idle session, CPU of idle sessions: on a fresh process. */
async function idlePhase(name: ServerName, figures: Figures): Promise<void> {
  const server = await startServer(name);
  const open: IdleSession[] = [];
  try {
    await sleep(2000);
    const base = await memoryOf(server);
    log(`${name}: ${config.endpointGets} sequential GETs to the endpoint event`);
    const endpointTimes: number[] = [];
    for (let i = 0; i < config.endpointGets; i++) {
      const session = await openIdleSession(server.sseUrl);
      endpointTimes.push(session.endpointMs);
      open.push(session);
    }
    figures.endpointP50 = quantile(endpointTimes, 0.5);
    figures.endpointP99 = quantile(endpointTimes, 0.99);
    for (const [k, size] of config.idle.entries()) {
      log(`${name}: opening ${size} idle sessions`);
      while (open.length < size) {
        const batch = Math.min(100, size - open.length);
        open.push(...await Promise.all(Array.from({ length: batch }, () => openIdleSession(server.sseUrl))));
      }
      await sleep(2000);
      const mem = await memoryOf(server);
      figures.memory[size] = { rss: (mem.rss - base.rss) / size, heap: (mem.heapUsed - base.heapUsed) / size };
      if (k === 0) {
        log(`${name}: CPU of ${size} idle sessions over ${config.cpuSeconds} s`);
        const cpu0 = cpuSecondsOf(server.pid);
        const t0 = performance.now();
        await sleep(config.cpuSeconds * 1000);
        const wall = (performance.now() - t0) / 1000;
        figures.idleCpu = { sessions: size, percent: ((cpuSecondsOf(server.pid) - cpu0) / wall) * 100 };
      }
    }
  } finally {
    for (const s of open) s.close();
    await server.stop();
  }
}

function emptyFigures(): Figures {
  return { latencyP50: NaN, latencyP99: NaN, throughput: {}, endpointP50: NaN, endpointP99: NaN, memory: {}, idleCpu: { sessions: 0, percent: NaN } };
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`config ${JSON.stringify(config)}`);
  const results: Partial<Record<ServerName, Figures>> = {};
  for (const name of config.servers) {
    const figures = emptyFigures();
    results[name] = figures;
    await activePhase(name, figures);
    await idlePhase(name, figures);
  }
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
main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
