/**
 * `npm run bench:ab -- <git ref>`: the package's hot path, this working tree against an earlier
 * commit, measured alternately in the same run (so background load falls on both alike): node-red's
 * CPU time per tools/call, sequential and with 20 sessions, and the 20-session throughput. The
 * earlier commit is built into bench/.work/ab/. Sizes: BENCH_CALLS [2000], BENCH_SECONDS [5],
 * BENCH_ROUNDS [4].
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { callAdd, connectClient, connectClients, quantile, sequentialLatencies, throughput } from './lib/load';
import { cpuSecondsOf, ROOT, startNodeRedServer, WORK_DIR } from './lib/servers';

process.removeAllListeners('warning');
const ref = process.argv[2] ?? 'main';
const calls = Number(process.env.BENCH_CALLS ?? 2000);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);

/**
 * Builds `ref` into its own folder, bench/.work/ab/<short sha>/ (a package root with dist/), with
 * that ref's own build script, and returns the folder; a folder that already has dist/ is reused.
 * The whole tree of the ref is extracted (`git archive <sha>`, about 2 MB), not a list of folders:
 * what the build needs has moved before (src/ became core/ and nodes/, with icons/ and resources/
 * beside them), and a checkout of the ref builds whichever layout it has. The working tree's
 * node_modules is linked in. Throws if the ref is unknown or its build fails.
 */
function buildRef(): string {
  const sha = execFileSync('git', ['rev-parse', '--short', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = path.join(WORK_DIR, 'ab', sha);
  if (!existsSync(path.join(dir, 'dist'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', 'git archive "$1" | tar -x -C "$2"', 'sh', sha, dir], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
  }
  return dir;
}

interface Sample { seqCpuMs: number; conCpuMs: number; rate: number; p50: number }

async function measure(packageRoot: string | undefined): Promise<Sample> {
  const server = await startNodeRedServer('package', { packageRoot });
  try {
    const client = await connectClient(server.sseUrl);
    for (let i = 0; i < 200; i++) await callAdd(client, 1, i);
    let cpu0 = cpuSecondsOf(server.pid);
    const lat = await sequentialLatencies(client, calls);
    const seqCpuMs = ((cpuSecondsOf(server.pid) - cpu0) / calls) * 1000;
    await client.close();
    const pool = await connectClients(server.sseUrl, 20);
    cpu0 = cpuSecondsOf(server.pid);
    const t0 = performance.now();
    const rate = await throughput(pool, seconds);
    const conCpuMs = ((cpuSecondsOf(server.pid) - cpu0) / (rate * ((performance.now() - t0) / 1000))) * 1000;
    await Promise.all(pool.map((c) => c.close()));
    return { seqCpuMs, conCpuMs, rate, p50: quantile(lat, 0.5) };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const before = buildRef();
  const samples: Record<'before' | 'after', Sample[]> = { before: [], after: [] };
  for (let r = 0; r < rounds; r++) {
    samples.before.push(await measure(before));
    samples.after.push(await measure(undefined));
    console.error(`round ${r + 1}/${rounds} done`);
  }
  const med = (list: Sample[], key: keyof Sample): number => quantile(list.map((s) => s[key]), 0.5);
  console.log(`| median of ${rounds} rounds | ${ref} | this tree | change |\n| --- | ---: | ---: | ---: |`);
  for (const [key, label, digits] of [['seqCpuMs', 'node-red CPU per call, sequential (ms)', 3], ['conCpuMs', 'node-red CPU per call, 20 sessions (ms)', 3], ['p50', 'latency p50 (ms)', 3], ['rate', 'throughput, 20 sessions (calls/s)', 0]] as const) {
    const b = med(samples.before, key);
    const a = med(samples.after, key);
    console.log(`| ${label} | ${b.toFixed(digits)} | ${a.toFixed(digits)} | ${(((a - b) / b) * 100).toFixed(1)}% |`);
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
