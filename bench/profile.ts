/**
 * `npm run bench:profile`: the package's tutorial example in node-red with `--cpu-prof`, driven by
 * the SDK client (sequential tools/call, then 20 sessions), and a summary of where the
 * node-red process spent its CPU. Also prints the process's CPU time per call, which is what the
 * hot path costs. Sizes: BENCH_CALLS [3000], BENCH_SECONDS [10].
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { callAdd, connectClient, connectClients, sequentialLatencies, throughput } from './lib/load';
import { cpuSecondsOf, startNodeRedServer, WORK_DIR } from './lib/servers';
import { summariseProfile } from './lib/profile-summary';

const calls = Number(process.env.BENCH_CALLS ?? 3000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const dir = path.join(WORK_DIR, 'profile');

process.removeAllListeners('warning');

async function main(): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startNodeRedServer('package', { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100'] });
  try {
    const client = await connectClient(server.sseUrl);
    for (let i = 0; i < 200; i++) await callAdd(client, 1, i);
    let cpu0 = cpuSecondsOf(server.pid);
    await sequentialLatencies(client, calls);
    const sequentialCpu = (cpuSecondsOf(server.pid) - cpu0) / calls;
    await client.close();
    const pool = await connectClients(server.sseUrl, 20);
    cpu0 = cpuSecondsOf(server.pid);
    const t0 = performance.now();
    const rate = await throughput(pool, seconds);
    const done = rate * ((performance.now() - t0) / 1000);
    const concurrentCpu = (cpuSecondsOf(server.pid) - cpu0) / done;
    await Promise.all(pool.map((c) => c.close()));
    console.log(`node-red CPU per tools/call: ${(sequentialCpu * 1000).toFixed(3)} ms sequential, ${(concurrentCpu * 1000).toFixed(3)} ms with 20 sessions (${rate.toFixed(0)} calls/s)`);
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('node-red wrote no CPU profile');
  console.log(summariseProfile(path.join(dir, file)));
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
