/**
 * The benchmark's table (console and Markdown) and bench/results.md.
 */
import { DEFAULT_MAX_SESSIONS } from './core';
import type { ServerName } from './servers';

/** What one server measured. Times in ms, throughput in calls/s, memory in bytes per session. */
export interface Figures {
  latencyP50: number;
  latencyP99: number;
  throughput: Record<number, number>;
  endpointP50: number;
  endpointP99: number;
  memory: Record<number, { rss: number; heap: number }>;
  /** % of one core: over the whole window, and the median of its seconds (between keep-alives). */
  idleCpu: { sessions: number; percent: number; medianSecond: number };
  /** Median ms from the trigger POST until every idle session has the notification. */
  broadcast: { sessions: number; p50: number };
  /** The figures that failed, by FIGURE key, with the reason (an error message). */
  failed: Record<string, string>;
}

/** The keys of `Figures.failed`: one per measurement, each covering the table rows it produces. */
export const FIGURE = {
  latency: 'latency',
  throughput: (sessions: number): string => `throughput ${sessions}`,
  endpoint: 'endpoint',
  memory: (sessions: number): string => `memory ${sessions}`,
  idleCpu: 'idle CPU',
  broadcast: 'broadcast',
};

export interface BenchConfig {
  calls: number;
  tutorialCalls: number;
  seconds: number;
  concurrency: number[];
  endpointGets: number;
  idle: number[];
  cpuSeconds: number;
  servers: ServerName[];
  rounds: number;
  broadcastRounds: number;
  /** *Max sessions* of the package's endpoint in this run. */
  maxSessions: number;
}

type Results = Partial<Record<ServerName, Figures>>;

/** The version of the node-red that the bench starts (node-red's package.json, e.g. "4.1.15"). */
export function nodeRedVersion(): string {
  return (require('node-red/package.json') as { version: string }).version;
}

interface Row {
  /** The FIGURE key whose failure this row reports. */
  key: string;
  metric: string;
  unit: string;
  get: (f: Figures) => number | undefined;
  digits: number;
  /** The target this row is checked against, if any. */
  target?: (pkg: number, tutorial: number, sdk: number) => { text: string; met: boolean };
}

function rows(config: BenchConfig): Row[] {
  const out: Row[] = [
    { key: FIGURE.latency, metric: 'tools/call latency p50', unit: 'ms', get: (f) => f.latencyP50, digits: 2,
      target: (p, t, s) => ({ text: '≥200× lower than tutorial, ≤2× SDK', met: t / p >= 200 && p / s <= 2 }) },
    { key: FIGURE.latency, metric: 'tools/call latency p99', unit: 'ms', get: (f) => f.latencyP99, digits: 2 },
  ];
  for (const c of config.concurrency) {
    out.push({ key: FIGURE.throughput(c), metric: `throughput, ${c} session${c === 1 ? '' : 's'}`, unit: 'calls/s', get: (f) => f.throughput[c], digits: 0,
      ...(c === 20 ? { target: (p: number, _t: number, s: number) => ({ text: '≥0.5× SDK', met: p / s >= 0.5 }) } : {}) });
  }
  out.push(
    { key: FIGURE.endpoint, metric: 'GET to endpoint event p50', unit: 'ms', get: (f) => f.endpointP50, digits: 2 },
    { key: FIGURE.endpoint, metric: 'GET to endpoint event p99', unit: 'ms', get: (f) => f.endpointP99, digits: 2 },
  );
  for (const n of config.idle) {
    out.push(
      { key: FIGURE.memory(n), metric: `RSS per idle session (${n})`, unit: 'KiB', get: (f) => f.memory[n] && f.memory[n].rss / 1024, digits: 1,
        target: (p, _t, s) => ({ text: '≤2× SDK', met: p / s <= 2 }) },
      { key: FIGURE.memory(n), metric: `heap per idle session (${n})`, unit: 'KiB', get: (f) => f.memory[n] && f.memory[n].heap / 1024, digits: 1,
        target: (p, _t, s) => ({ text: '≤2× SDK', met: p / s <= 2 }) },
    );
  }
  out.push(
    { key: FIGURE.idleCpu, metric: `CPU of ${config.idle[0]} idle sessions, ${config.cpuSeconds} s with keep-alives`, unit: '% of a core', get: (f) => f.idleCpu.percent, digits: 2 },
    { key: FIGURE.idleCpu, metric: `CPU of ${config.idle[0]} idle sessions, between keep-alives (median second)`, unit: '% of a core', get: (f) => f.idleCpu.medianSecond, digits: 2,
      target: (p) => ({ text: '<1% of a core', met: p < 1 }) },
  );
  out.push({ key: FIGURE.broadcast, metric: `broadcast fan-out to ${config.idle[0]} sessions, p50`, unit: 'ms', get: (f) => f.broadcast.p50, digits: 2 });
  return out;
}

function fmt(value: number | undefined, digits: number): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0) return 'n/a';
  const r = a / b;
  if (r > 0 && r < 0.1) return `${r.toPrecision(2)}× (1/${Math.round(1 / r)})`;
  return `${r.toFixed(2)}×`;
}

/** A failed figure's cell: "**failed**: " and the first line of the reason, at most 120 characters, safe in a table. */
function failedCell(reason: string): string {
  const line = reason.split('\n')[0].replace(/\|/g, '\\|');
  return `**failed**: ${line.length > 120 ? `${line.slice(0, 119)}…` : line}`;
}

/** Every failed figure of `results`, as "server: figure: reason" lines (empty when all were produced). */
export function failedFigures(results: Results): string[] {
  return Object.entries(results).flatMap(([name, f]) => Object.entries(f.failed).map(([key, reason]) => `${name}: ${key}: ${reason.split('\n')[0]}`));
}

/** The table as Markdown (also readable on a console); a failed figure's cell says so, with the reason. */
export function renderTable(results: Results, config: BenchConfig): string {
  const lines = [
    '| figure | unit | package | tutorial flow | SDK server | package ÷ tutorial | package ÷ SDK | target |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows(config)) {
    const p = results.package && row.get(results.package);
    const t = results.tutorial && row.get(results.tutorial);
    const s = results.sdk && row.get(results.sdk);
    let target = '';
    if (row.target && [p, t, s].every((v) => v !== undefined && Number.isFinite(v))) {
      const { text, met } = row.target(p as number, t as number, s as number);
      target = `${text}: ${met ? 'met' : '**missed**'}`;
    }
    const cell = (f: Figures | undefined, value: number | undefined): string => {
      const reason = f?.failed[row.key];
      return reason === undefined ? fmt(value, row.digits) : failedCell(reason);
    };
    lines.push(`| ${row.metric} | ${row.unit} | ${cell(results.package, p)} | ${cell(results.tutorial, t)} | ${cell(results.sdk, s)} | ${ratio(p, t)} | ${ratio(p, s)} | ${target} |`);
  }
  return lines.join('\n');
}

/**
 * bench/results.md: the table, how it was measured, and the chart.
 * @param run `machine` as one line, `node` and `nodeRed` the versions measured (e.g. "v20.20.2",
 *   "4.1.15"), `nodeFrom` where that Node came from (a phrase), `minutes` the run's length, `date`
 *   an ISO timestamp.
 */
export function renderResults(results: Results, config: BenchConfig, run: { machine: string; node: string; nodeFrom: string; nodeRed: string; minutes: string; date: string }): string {
  return `# Benchmark results

Written by \`npm run bench\` (bench/run.ts) on ${run.date.slice(0, 16).replace('T', ' ')} UTC, in one run of ${run.minutes} min, on
${run.machine}.

Versions: **Node ${run.node}** for the bench and all three servers (${run.nodeFrom}), **Node-RED ${run.nodeRed}** for
the two node-red servers.

The client (the official SDK's \`SSEClientTransport\`, and raw GETs for idle sessions) runs in
the bench process on the same machine, so on two cores the fast servers share the CPU with their client:
throughput is a floor, not a ceiling. Ratios are package ÷ reference.

${renderTable(results, config)}
${failedFigures(results).length === 0 ? '' : `\n**${failedFigures(results).length} figure(s) failed in this run**; each failed cell gives the reason.\n`}
![latency and throughput](latency-throughput.svg)

What the CPU profile of the package's node-red showed, and what was changed on the hot path:
[profile.md](profile.md).

## The three servers

- **package**: \`examples/tutorial-mcp-server.json\` (mcp sse in, mcp message in, switch, add function,
  mcp sse out) in the real node-red ${run.nodeRed} runtime, this package linked into its user dir. For the
  bench its endpoint's *Max sessions* is raised from the default ${DEFAULT_MAX_SESSIONS.toLocaleString('en-US')} to ${config.maxSessions.toLocaleString('en-US')}, above the largest
  number of idle sessions (${Math.max(...config.idle).toLocaleString('en-US')}); with the default, every GET past ${DEFAULT_MAX_SESSIONS.toLocaleString('en-US')} open sessions is answered 503.
- **tutorial flow**: \`bench/fixtures/tutorial-polling-flow.json\`, a reconstruction of the Node-RED MCP
  tutorial: \`http in\` GET /sse, a function node that stores the session in global context
  \`sse_sessions\` with \`sseRes: msg.res._res\`, writes the endpoint event and starts a
  \`setInterval(1000)\` poller per session that writes unsent \`session.messages\`; \`http in\` POST
  /sse/message, a switch on \`msg.payload.method\`, one function node per method that pushes
  \`{data: reply, sent: false}\` onto \`session.messages\`, and an \`http response\` 202 "Accepted".
  Corrections, so that the SDK client can use it at all: the tutorial writes
  \`data: \${msg.endpoint}\` in the endpoint event, which is \`undefined\` (its function computes
  \`endpoint\` but never sets \`msg.endpoint\`); the fixture writes the computed \`endpoint\`. The
  node the tutorial's GET also wires to is cut off in the source and left out. The replies keep the
  tutorial's \`id: session.messages.length\`: that equals the request id only because the SDK client
  numbers requests from 0, one at a time per session, and every request gets exactly one reply
  (\`notifications/initialized\` pushes nothing). The tutorial never removes a session: the sessions
  the latency and throughput runs close stay in global context with their pollers running; the idle
  figures come from a fresh process.
- **SDK server**: \`bench/sdk-server.ts\`, the SDK's \`McpServer\` with \`SSEServerTransport\` on
  \`node:http\`, one \`McpServer\` per session (as the SDK's own example does), the same \`add\` tool.

## How each figure is measured

- Each server runs in its own process with \`--expose-gc\` and a small probe (\`bench/lib/probe.cjs\`)
  preloaded that reports \`process.memoryUsage()\` after a full GC; RSS is read from
  \`/proc/<pid>/status\`, CPU from \`/proc/<pid>/stat\` (utime + stime).
- Latency and throughput run on the three servers side by side, taking turns for ${config.rounds} rounds, so
  that load from elsewhere on the machine falls on all three alike.
- Latency: one SDK client per server, ${config.calls} sequential \`tools/call add\` in all (${config.tutorialCalls} for
  the tutorial flow, whose every answer waits for the next poll), after a warm-up.
- Throughput: ${config.concurrency.join(', ')} SDK clients per server, each calling \`add\` back to back for
  ${config.seconds} s per round; completed calls per second, the median of the rounds.
- GET to endpoint event: ${config.endpointGets} sequential raw GETs on a fresh process, time from sending the
  GET to the \`endpoint\` event.
- Memory per idle session: (memory with N idle sessions − memory before any) ÷ N, on that fresh
  process; sessions are raw GETs that keep reading.
- Idle CPU: CPU time of the process over ${config.cpuSeconds} s with ${config.idle[0]} idle sessions, as a
  percentage of one core, from \`/proc\`; and between keep-alives: the probe's \`process.cpuUsage()\` read
  every second of that window, the median second (a keep-alive round falls in one second; the probe's own
  request each second is counted, alike for all three). The package writes a keep-alive comment every 15 s; the SDK server sends none;
  the tutorial flow runs one poller per session every second.
- Broadcast fan-out: on the same ${config.idle[0]} idle sessions, the time from a trigger POST to the server until
  every session has received one \`notifications/tools/list_changed\` event, the median of ${config.broadcastRounds}.
  Each server broadcasts its own way (bench/lib/broadcast-trigger.ts): the package through an \`mcp sse out\`
  set to every session of the endpoint (serialised and framed once); the tutorial flow by pushing the
  notification onto every session's \`messages\` for its poller; the SDK server by calling
  \`sendToolListChanged()\` on every session's \`McpServer\`. The clients that count the events run in the bench
  process, so the figure includes their parsing. \`bench/broadcast.ts\` times the core's fan-out alone.

## Notes on reading the figures

- Throughput moves by ±30% between runs on a shared 2-core machine; the ratios within one run are the
  comparison to trust. With one session every one of the example's four flow hops waits for its own turn of
  node-red's event loop (setImmediate), the likely cause of most of the gap to the SDK server there (not
  measured separately); with more sessions the hops overlap.
- The idle CPU over the whole window includes the package's keep-alive rounds (about 50-60 ms of CPU per round
  to 1,000 sessions, one \`writev\` each) and, in the first round, V8's memory-reducer GC; see profile.md.
- RSS per session is a difference of two RSS readings and is noisy at small session counts (it can even come
  out negative when the process returns memory); the heap figure is measured after a full GC.
- Each node-red server also runs a small "bench: broadcast trigger" tab (bench/lib/broadcast-trigger.ts);
  it is idle except during the broadcast rows.
`;
}
