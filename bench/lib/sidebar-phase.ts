/**
 * The sidebar part of `npm run bench`: the package's 20-session throughput with the MCP sidebar
 * closed and open (bench/lib/sidebar.ts), alternating, per transport; see workbench-report.ts for
 * what is reported.
 */
import { connectClients, disconnect, throughput, type BenchClient } from './load';
import { probeCpuMicros, startNodeRedServer, urlOf, type RunningServer } from './servers';
import { openSidebar } from './sidebar';
import type { SidebarFigures, SidebarRounds, SidebarTransport } from './workbench-report';

/** The package's servers of each session transport. */
const SERVER_OF: Record<SidebarTransport, 'package' | 'package-mcp'> = { sse: 'package', 'streamable-http': 'package-mcp' };

/** Settings of the sidebar part. */
export interface SidebarOptions {
  transports: SidebarTransport[];
  /** Sessions per transport (the 20). */
  sessions: number;
  /** Length of each run, s. */
  seconds: number;
  /** Rounds of one closed and one open run per transport. */
  rounds: number;
  /** *Max sessions* of the endpoint. */
  maxSessions: number;
  log: (text: string) => void;
}

/** One run: calls/s, and node-red's CPU time per completed call, in µs (the probe's `process.cpuUsage()`). */
async function run(running: RunningServer, pool: BenchClient[], seconds: number): Promise<{ rate: number; cpuPerCall: number }> {
  const cpu0 = await probeCpuMicros(running);
  const t0 = performance.now();
  const rate = await throughput(pool, seconds);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = (await probeCpuMicros(running)) - cpu0;
  return { rate, cpuPerCall: cpu / (rate * elapsed) };
}

/**
 * Starts the package's node-red, connects `sessions` clients per transport, warms them up, then
 * runs the rounds: per round and transport one run with the sidebar closed and one with it open,
 * the order flipped every round. A transport whose clients fail, or whose open sidebar hears no
 * batch, is marked failed with the reason; the other goes on. Rejects only when node-red does not start.
 */
export async function sidebarPhase(options: SidebarOptions): Promise<SidebarFigures> {
  const { sessions, seconds, rounds, log } = options;
  const figures: SidebarFigures = { sessions, seconds, rounds, transports: {}, failed: {} };
  const fail = (t: SidebarTransport, error: unknown): void => {
    const reason = error instanceof Error ? error.message : String(error);
    figures.failed[t] ??= reason;
    log(`sidebar ${t}: FAILED: ${reason}`);
  };
  const running = await startNodeRedServer('package', { maxSessions: options.maxSessions });
  const origin = new URL(running.sseUrl).origin;
  const pools = new Map<SidebarTransport, BenchClient[]>();
  try {
    for (const t of options.transports) {
      try {
        log(`sidebar: connecting ${sessions} sessions over ${t}, warming up`);
        const pool = await connectClients(urlOf(running, SERVER_OF[t]), sessions, t);
        pools.set(t, pool);
        await throughput(pool, 1);
        figures.transports[t] = { off: [], on: [], offCpu: [], onCpu: [], batches: 0, entries: 0 };
      } catch (error) {
        fail(t, error);
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const [t, pool] of pools) {
        const rates = figures.transports[t] as SidebarRounds;
        if (figures.failed[t] !== undefined) continue;
        for (const open of round % 2 === 0 ? [false, true] : [true, false]) {
          log(`sidebar round ${round + 1}/${rounds}: ${t}, ${sessions} sessions for ${seconds} s, sidebar ${open ? 'open' : 'closed'}`);
          try {
            if (!open) {
              const closed = await run(running, pool, seconds);
              rates.off.push(closed.rate);
              rates.offCpu.push(closed.cpuPerCall);
              continue;
            }
            const sidebar = await openSidebar(origin);
            let figure: { rate: number; cpuPerCall: number };
            try {
              figure = await run(running, pool, seconds);
            } finally {
              // The last batch of the run comes up to 250 ms after it, and node-red's comms sends 50 ms later.
              await new Promise((resolve) => setTimeout(resolve, 400));
              await sidebar.close();
            }
            if (sidebar.batches === 0) throw new Error(`the open sidebar received no activity batch in ${seconds} s`);
            rates.on.push(figure.rate);
            rates.onCpu.push(figure.cpuPerCall);
            rates.batches += sidebar.batches;
            rates.entries += sidebar.entries;
          } catch (error) {
            fail(t, error);
            break;
          }
        }
      }
    }
  } finally {
    for (const pool of pools.values()) await Promise.all(pool.map(disconnect));
    await running.stop();
  }
  return figures;
}
