/**
 * The benchmark's figures of the MCP workbench (issue 20, "Limits and cost"): the 20-session
 * throughput with the MCP sidebar open against closed, per transport, and the memory of a full
 * activity list; as Markdown for the console and bench/results.md. No heavy imports, so the report
 * and its test load it cheaply.
 */
import type { RingFigures } from './ring-memory';

export type { RingFigures, RingReading } from './ring-memory';

/** The package's session transports, as the sidebar rows name them. */
export type SidebarTransport = 'sse' | 'streamable-http';

/** The least throughput with the sidebar open, as a share of the throughput with it closed (issue 20). */
export const SIDEBAR_TARGET = 0.95;

/** One transport's rounds: calls/s with the sidebar closed and open (round k of each is one adjacent pair), and what the sidebar heard. */
export interface SidebarRounds {
  off: number[];
  on: number[];
  /** node-red's CPU time per completed call in the same runs, µs. */
  offCpu: number[];
  onCpu: number[];
  /** Activity batches and entries the open sidebar received over all its rounds. */
  batches: number;
  entries: number;
}

/** The sidebar figures of one run: the sizes, and per transport its rounds or the reason it failed. */
export interface SidebarFigures {
  sessions: number;
  seconds: number;
  rounds: number;
  transports: Partial<Record<SidebarTransport, SidebarRounds>>;
  failed: Partial<Record<SidebarTransport, string>>;
}

/** What the workbench part of a run measured: undefined for a part not run; `ringFailed` when the ring reading threw. */
export interface WorkbenchFigures {
  sidebar?: SidebarFigures;
  ring?: RingFigures;
  ringFailed?: string;
}

/** The column name of each transport, as the main table names the package's servers. */
export const SIDEBAR_COLUMN: Record<SidebarTransport, string> = { sse: 'package /sse', 'streamable-http': 'package /mcp' };

/** The median (nearest rank, the lower of the two middle values for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)];
}

/**
 * Open ÷ closed of each round, and their median: the pairs cancel load that drifts slower than a round.
 * Of the throughput, or with `cpu` of node-red's CPU time per call.
 */
export function sidebarRatio(rounds: SidebarRounds, cpu = false): { perRound: number[]; median: number } {
  const [on, off] = cpu ? [rounds.onCpu, rounds.offCpu] : [rounds.on, rounds.off];
  const perRound = on.map((value, k) => value / off[k]);
  return { perRound, median: median(perRound) };
}

const num = (value: number, digits: number): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Bytes as KiB below 1 MiB, else MiB. */
export function size(bytes: number): string {
  return Math.abs(bytes) < 1024 * 1024 ? `${num(bytes / 1024, 1)} KiB` : `${num(bytes / 1024 / 1024, 2)} MiB`;
}

/**
 * The target lines, one per transport measured: "- throughput, 20 sessions, MCP sidebar open:
 * package /sse ≥0.95× closed (issue 20): 0.98× (median of 7 rounds), met" (or "**missed**", or the failure).
 */
export function renderSidebarTargets(sidebar: SidebarFigures): string {
  const transports = [...new Set([...Object.keys(sidebar.transports), ...Object.keys(sidebar.failed)])] as SidebarTransport[];
  return transports.map((t) => {
    const head = `- throughput, ${sidebar.sessions} sessions, MCP sidebar open: ${SIDEBAR_COLUMN[t]} ≥${SIDEBAR_TARGET}× closed (issue 20): `;
    const rounds = sidebar.transports[t];
    if (rounds === undefined || sidebar.failed[t] !== undefined) return `${head}**failed**: ${(sidebar.failed[t] ?? 'not measured').split('\n')[0]}`;
    const r = sidebarRatio(rounds).median;
    return `${head}${r.toFixed(2)}× (median of ${rounds.on.length} round${rounds.on.length === 1 ? '' : 's'}), ${r >= SIDEBAR_TARGET ? 'met' : '**missed**'}`;
  }).join('\n');
}

/** The sidebar table: per transport, the rounds' medians closed and open, the ratio and each round's ratio. */
function renderSidebarTable(sidebar: SidebarFigures): string {
  const lines = [
    '| transport | sidebar closed, calls/s (median) | sidebar open, calls/s (median) | open ÷ closed (median of rounds) | each round, open ÷ closed | node-red CPU per call, closed → open (median) | CPU per call, open ÷ closed (median of rounds) | batches / entries the sidebar got |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
  ];
  for (const [t, rounds] of Object.entries(sidebar.transports) as Array<[SidebarTransport, SidebarRounds]>) {
    if (sidebar.failed[t] !== undefined) continue;
    const { perRound, median: m } = sidebarRatio(rounds);
    const cpu = `${num(median(rounds.offCpu), 0)} → ${num(median(rounds.onCpu), 0)} µs`;
    lines.push(`| ${SIDEBAR_COLUMN[t]} | ${num(median(rounds.off), 0)} | ${num(median(rounds.on), 0)} | ${m.toFixed(2)}× | ${perRound.map((r) => r.toFixed(2)).join(', ')} | ${cpu} | ${sidebarRatio(rounds, true).median.toFixed(3)}× | ${num(rounds.batches, 0)} / ${num(rounds.entries, 0)} |`);
  }
  return lines.join('\n');
}

/** The ring table: heap per full list of the default size, and per entry. */
export function renderRing(ring: RingFigures): string {
  const lines = [
    `| activity list of ${ring.entries} entries, full | heap | per entry | rings measured |`,
    '| --- | ---: | ---: | ---: |',
    ...ring.readings.map((r) => `| ${r.label} | ${size(r.bytes)} | ${num(r.bytes / ring.entries, 0)} B | ${r.rings} |`),
  ];
  return lines.join('\n');
}

/**
 * The workbench section of bench/results.md (and of the console output): the sidebar's table and
 * targets, the ring's table, and how both were measured. Empty when neither part ran.
 */
export function renderWorkbench(workbench: WorkbenchFigures): string {
  const parts: string[] = [];
  const { sidebar, ring } = workbench;
  if (sidebar !== undefined) {
    parts.push(`### Throughput with the MCP sidebar open

${renderSidebarTable(sidebar)}

${renderSidebarTargets(sidebar)}

A fresh node-red with the package's example; per transport ${sidebar.sessions} SDK client sessions, connected once, call
\`add\` back to back for ${sidebar.seconds} s per run, as in the throughput rows above. The runs alternate, sidebar closed
and open, ${sidebar.rounds} round${sidebar.rounds === 1 ? '' : 's'} of one of each (the order flips every round), the two transports in turn; each round gives
open ÷ closed, and the figure is the median of the rounds: the runs are short so that the two of a round share
the machine's load, and the median keeps out the rounds that a burst of load elsewhere fell on. The same runs'
node-red CPU time per call (the probe's \`process.cpuUsage()\` before and after each run ÷ the calls) moves far
less with load elsewhere than the throughput does: it shows what the open sidebar costs the server itself. The endpoint's activity list (the observer) is attached in both: node-red always
attaches it, and publishes its batches with \`RED.comms.publish\` at most every 250 ms, to nobody while no editor
is connected. *Open* is what an editor with the MCP tab shown adds: a WebSocket on node-red's \`/comms\`
subscribed to \`mcp-sse/activity/#\` that parses every frame node-red sends (each batch serialised by node-red's
comms), and the tab's reads of \`GET /mcp-sse/endpoints\` and each endpoint's \`/sessions\` when it opens and
every 5 s after (\`bench/lib/sidebar.ts\`; each open run has at least one, more often than a tab kept open). The subscriber runs in the bench process beside the clients; a round in which it
received no batch fails.`);
  }
  if (ring !== undefined) {
    parts.push(`### Memory of a full activity list

${renderRing(ring)}

Each endpoint keeps one activity list, a ring of ${ring.entries} entries by default (the endpoint's *Activity list*
setting). Measured in the bench process: rings of the default size filled through the observer as the protocol
layer fills them (a \`tools/call\` received, its response sent; twice the size, so the ring has wrapped), spread
over 20 sessions, kept, and the V8 heap read ${ring.gc ? 'after a full GC' : 'without a GC (no `--expose-gc`: noisier)'} before and after; the difference ÷ the rings.
With recording on, \`params\` and \`result\` are kept as JSON text cut to 16 KiB each; a text with any character
beyond Latin-1 is kept by V8 with two bytes per character, so the same 16 KiB of UTF-8 can take up to twice the
heap.`);
  } else if (workbench.ringFailed !== undefined) {
    parts.push(`### Memory of a full activity list\n\n**failed**: ${workbench.ringFailed.split('\n')[0]}`);
  }
  return parts.length === 0 ? '' : `## The MCP workbench (issue 20)\n\n${parts.join('\n\n')}\n`;
}

/** The workbench figures that failed, as "part: reason" lines (empty when all were produced). */
export function failedWorkbench(workbench: WorkbenchFigures): string[] {
  const out = Object.entries(workbench.sidebar?.failed ?? {}).map(([t, reason]) => `sidebar ${t}: ${reason.split('\n')[0]}`);
  if (workbench.ringFailed !== undefined) out.push(`ring memory: ${workbench.ringFailed.split('\n')[0]}`);
  return out;
}
