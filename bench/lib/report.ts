/**
 * The benchmark's table (console and Markdown), its targets, and bench/results.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_SESSIONS } from './core';
import { SERVER_NAMES, SERVERS, type ServerName, type Transport } from './server-names';
import { failedWorkbench, renderWorkbench, type WorkbenchFigures } from './workbench-report';

/** What one server measured. Times in ms, throughput in calls/s, memory in bytes per session. */
export interface Figures {
  latencyP50: number;
  latencyP99: number;
  throughput: Record<number, number>;
  /**
   * Time to open a session: HTTP+SSE, GET to the `endpoint` event; Streamable HTTP, the
   * `initialize` round trip (POST to its response).
   */
  openP50: number;
  openP99: number;
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
  open: 'session open',
  memory: (sessions: number): string => `memory ${sessions}`,
  idleCpu: 'idle CPU',
  broadcast: 'broadcast',
};

export interface BenchConfig {
  calls: number;
  tutorialCalls: number;
  seconds: number;
  concurrency: number[];
  /** Sessions opened one by one for the time-to-open rows (GETs to the endpoint event, or initialize round trips). */
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

/** Each server's column heading, in SERVER_NAMES order. */
export const COLUMN: Record<ServerName, string> = {
  package: 'package /sse',
  tutorial: 'tutorial flow /sse',
  sdk: 'SDK /sse',
  'package-mcp': 'package /mcp',
  'sdk-mcp': 'SDK /mcp',
  'package-modern': 'package /mcp 2026-07-28',
  'sdk-modern': 'SDK 2026-07-28',
};

/** The ratio columns after the servers' (package ÷ reference), each heading with its numerator and denominator. */
export const RATIOS: Array<{ heading: string; numerator: ServerName; denominator: ServerName }> = [
  { heading: 'package ÷ tutorial (/sse)', numerator: 'package', denominator: 'tutorial' },
  { heading: 'package ÷ SDK (/sse)', numerator: 'package', denominator: 'sdk' },
  { heading: 'package ÷ SDK (/mcp)', numerator: 'package-mcp', denominator: 'sdk-mcp' },
  { heading: 'package ÷ SDK (2026-07-28)', numerator: 'package-modern', denominator: 'sdk-modern' },
];

/** The version of the node-red that the bench starts (node-red's package.json, e.g. "4.1.15"). */
export function nodeRedVersion(): string {
  return (require('node-red/package.json') as { version: string }).version;
}

/** One row's figures, by server (undefined: not measured in this run, or not applicable). */
type RowValues = Partial<Record<ServerName, number>>;

/** A target a row is checked against: `met` is undefined when a figure it needs is missing. */
interface Target {
  text: string;
  /** The figure checked, as text (e.g. "1.78×"). */
  value: (v: RowValues) => string;
  met: (v: RowValues) => boolean | undefined;
  /** Where the target comes from. */
  source?: string;
}

interface Row {
  /** The FIGURE key whose failure this row reports. */
  key: string;
  metric: string;
  unit: string;
  get: (f: Figures) => number | undefined;
  digits: number;
  /** The transports the row applies to (all when absent); the other servers' cells are "–". */
  transports?: Transport[];
  /**
   * Whether the row applies to the 2026-07-28 (stateless) servers too: latency and throughput do;
   * the rows about sessions (opening one, idle ones, broadcast to them) do not, and show "–" there.
   */
  stateless?: boolean;
  targets?: Target[];
}

/** a ÷ b, or undefined when either is missing or b is 0. */
function divide(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

/** A target on `numerator ÷ denominator`: at most `limit` (`atMost`) or at least it. */
function ratioTarget(text: string, numerator: ServerName, denominator: ServerName, atMost: boolean, limit: number, source?: string): Target {
  return {
    text,
    source,
    value: (v) => ratio(v[numerator], v[denominator]),
    met: (v) => {
      const r = divide(v[numerator], v[denominator]);
      return r === undefined ? undefined : atMost ? r <= limit : r >= limit;
    },
  };
}

const ISSUE_9 = 'issue 9: the SSE figures must not get worse with Streamable HTTP';

function rows(config: BenchConfig): Row[] {
  const out: Row[] = [
    { key: FIGURE.latency, metric: 'tools/call latency p50', unit: 'ms', get: (f) => f.latencyP50, digits: 2, stateless: true,
      targets: [
        ratioTarget('package /sse ≥200× lower than the tutorial flow', 'tutorial', 'package', false, 200),
        ratioTarget('package /sse ≤1.25× SDK /sse', 'package', 'sdk', true, 1.25, ISSUE_9),
      ] },
    { key: FIGURE.latency, metric: 'tools/call latency p99', unit: 'ms', get: (f) => f.latencyP99, digits: 2, stateless: true },
  ];
  for (const c of config.concurrency) {
    out.push({ key: FIGURE.throughput(c), metric: `throughput, ${c} session${c === 1 ? '' : 's'}`, unit: 'calls/s', get: (f) => f.throughput[c], digits: 0, stateless: true,
      ...(c === 20 ? { targets: [ratioTarget('package /sse ≥0.6× SDK /sse', 'package', 'sdk', false, 0.6, ISSUE_9)] } : {}) });
  }
  out.push(
    { key: FIGURE.open, metric: 'GET to endpoint event p50', unit: 'ms', get: (f) => f.openP50, digits: 2, transports: ['sse'] },
    { key: FIGURE.open, metric: 'GET to endpoint event p99', unit: 'ms', get: (f) => f.openP99, digits: 2, transports: ['sse'] },
    { key: FIGURE.open, metric: 'initialize round trip p50', unit: 'ms', get: (f) => f.openP50, digits: 2, transports: ['streamable-http'] },
    { key: FIGURE.open, metric: 'initialize round trip p99', unit: 'ms', get: (f) => f.openP99, digits: 2, transports: ['streamable-http'] },
  );
  for (const n of config.idle) {
    out.push(
      { key: FIGURE.memory(n), metric: `RSS per idle session (${n})`, unit: 'KiB', get: (f) => f.memory[n] && f.memory[n].rss / 1024, digits: 1,
        targets: [ratioTarget('package /sse ≤2× SDK /sse', 'package', 'sdk', true, 2)] },
      { key: FIGURE.memory(n), metric: `heap per idle session (${n})`, unit: 'KiB', get: (f) => f.memory[n] && f.memory[n].heap / 1024, digits: 1,
        targets: [ratioTarget('package /sse ≤2× SDK /sse', 'package', 'sdk', true, 2)] },
    );
  }
  out.push(
    { key: FIGURE.idleCpu, metric: `CPU of ${config.idle[0]} idle sessions, ${config.cpuSeconds} s with keep-alives`, unit: '% of a core', get: (f) => f.idleCpu.percent, digits: 2 },
    { key: FIGURE.idleCpu, metric: `CPU of ${config.idle[0]} idle sessions, between keep-alives (median second)`, unit: '% of a core', get: (f) => f.idleCpu.medianSecond, digits: 2,
      targets: [{
        text: 'package /sse <1% of a core',
        value: (v) => `${fmt(v.package, 2)}%`,
        met: (v) => (v.package === undefined || !Number.isFinite(v.package) ? undefined : v.package < 1),
      }] },
  );
  out.push({ key: FIGURE.broadcast, metric: `broadcast fan-out to ${config.idle[0]} sessions, p50`, unit: 'ms', get: (f) => f.broadcast.p50, digits: 2 });
  return out;
}

function fmt(value: number | undefined, digits: number): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(a: number | undefined, b: number | undefined): string {
  const r = divide(a, b);
  if (r === undefined) return 'n/a';
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

/** Whether `row` applies to server `name`: its transport is one the row measures, and a 2026-07-28 server only where the row says so. */
function applies(row: Row, name: ServerName): boolean {
  if (SERVERS[name].era === 'stateless' && row.stateless !== true) return false;
  return row.transports === undefined || row.transports.includes(SERVERS[name].transport);
}

/** The row's figures, by server; a server the row does not apply to, or that has no figure, is left out. */
function valuesOf(row: Row, results: Results): RowValues {
  const values: RowValues = {};
  for (const name of SERVER_NAMES) {
    const f = results[name];
    const value = f && applies(row, name) && f.failed[row.key] === undefined ? row.get(f) : undefined;
    if (value !== undefined && Number.isFinite(value)) values[name] = value;
  }
  return values;
}

/**
 * The table as Markdown (also readable on a console): one column per server (SERVER_NAMES order),
 * then the ratios (RATIOS): package ÷ tutorial flow, and package ÷ SDK per transport and for
 * 2026-07-28. A failed figure's cell says so, with the reason; a row that does not apply to a
 * server (its transport, or a row about sessions for a 2026-07-28 server) shows "–" there; a server
 * not measured in this run shows "n/a".
 */
export function renderTable(results: Results, config: BenchConfig): string {
  const lines = [
    `| figure | unit | ${SERVER_NAMES.map((n) => COLUMN[n]).join(' | ')} | ${RATIOS.map((r) => r.heading).join(' | ')} |`,
    `| --- | --- | ${SERVER_NAMES.map(() => '---:').join(' | ')} | ${RATIOS.map(() => '---:').join(' | ')} |`,
  ];
  for (const row of rows(config)) {
    const cells = SERVER_NAMES.map((name) => {
      if (!applies(row, name)) return '–';
      const f = results[name];
      const reason = f?.failed[row.key];
      return reason === undefined ? fmt(f && row.get(f), row.digits) : failedCell(reason);
    });
    const v = valuesOf(row, results);
    const ratios = RATIOS.map((r) => ratio(v[r.numerator], v[r.denominator]));
    lines.push(`| ${row.metric} | ${row.unit} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** One checked target: the row's metric, what it asks, the figure, and whether it was met. */
export interface TargetCheck {
  metric: string;
  target: string;
  value: string;
  /** undefined: a figure it needs is missing (failed, or its server not in this run). */
  met: boolean | undefined;
  source?: string;
}

/** Every target of the table's rows, checked against `results`. */
export function checkTargets(results: Results, config: BenchConfig): TargetCheck[] {
  return rows(config).flatMap((row) => (row.targets ?? []).map((t) => {
    const v = valuesOf(row, results);
    return { metric: row.metric, target: t.text, value: t.value(v), met: t.met(v), source: t.source };
  }));
}

/** The targets as a Markdown list (also readable on a console), one line each, "met", "**missed**" or "not measured". */
export function renderTargets(results: Results, config: BenchConfig): string {
  return checkTargets(results, config).map((c) => {
    const verdict = c.met === undefined ? 'not measured' : c.met ? 'met' : '**missed**';
    return `- ${c.metric}: ${c.target}${c.source === undefined ? '' : ` (${c.source})`}: ${c.value}, ${verdict}`;
  }).join('\n');
}

/**
 * bench/results.md: the table, the targets, how it was measured, and the chart.
 * @param run `machine` as one line, `node` and `nodeRed` the versions measured (e.g. "v20.20.2",
 *   "4.1.15"), `nodeFrom` where that Node came from (a phrase), `minutes` the run's length, `date`
 *   an ISO timestamp.
 * @param workbench the MCP workbench's figures (sidebar open against closed, a full activity list's memory), in a section of their own.
 */
export function renderResults(results: Results, config: BenchConfig, run: { machine: string; node: string; nodeFrom: string; nodeRed: string; minutes: string; date: string }, workbench: WorkbenchFigures = {}): string {
  const failed = failedFigures(results).length + failedWorkbench(workbench).length;
  const workbenchText = renderWorkbench(workbench);
  return `# Benchmark results

Written by \`npm run bench\` (bench/run.ts) on ${run.date.slice(0, 16).replace('T', ' ')} UTC, in one run of ${run.minutes} min, on
${run.machine}.

Versions: **Node ${run.node}** for the bench and all four server processes (${run.nodeFrom}), **Node-RED ${run.nodeRed}** for
the two node-red servers, \`@modelcontextprotocol/sdk\` ${sdkVersion()} for the SDK reference of the session columns and
their clients; \`@modelcontextprotocol/server\` ${packageVersion('@modelcontextprotocol/server')} with \`@modelcontextprotocol/node\` ${packageVersion('@modelcontextprotocol/node')} for the
2026-07-28 reference, and \`@modelcontextprotocol/client\` ${packageVersion('@modelcontextprotocol/client')} for the clients of both 2026-07-28 columns.

Four processes, seven servers. The first five columns are sessions: the package's example and the SDK reference
each serve both transports from one process, HTTP+SSE (\`/sse\`, protocol 2024-11-05) and Streamable HTTP
(\`/mcp\`, protocol 2025-11-25, a session per client), and each transport is its own column; the tutorial's flow
speaks HTTP+SSE only. Their client is the v1 SDK's (\`SSEClientTransport\` or \`StreamableHTTPClientTransport\`,
and raw HTTP for idle sessions). The last two columns are MCP **2026-07-28**, the stateless revision: the
package's example on the same \`/mcp\` of the same process, and the v2 SDK's \`createMcpHandler\` reference, both
driven by the v2 client \`@modelcontextprotocol/client\` with \`versionNegotiation: { mode: 'auto' }\`, which probes
with \`server/discover\`; every client the bench connects must have negotiated \`2026-07-28\` (or its figures
fail). With no session there is nothing to open, keep idle or broadcast to: those rows show "–" for the
2026-07-28 columns. Every client runs in the bench process on the same machine, so on two cores the fast
servers share the CPU with their client: throughput is a floor, not a ceiling. Ratios are package ÷ reference,
per transport, and for 2026-07-28.

${renderTable(results, config)}
${failed === 0 ? '' : `\n**${failed} figure(s) failed in this run**; each failed cell gives the reason.\n`}
Targets, checked on this run:

${renderTargets(results, config)}

![latency and throughput](latency-throughput.svg)

What the CPU profile of the package's node-red showed, and what was changed on the hot path:
[profile.md](profile.md).
${workbenchText === '' ? '' : `\n${workbenchText}`}
## The servers

- **package /sse** and **package /mcp**: \`examples/tutorial-mcp-server.json\` (mcp sse in, mcp message in,
  switch, add function, mcp sse out) in the real node-red ${run.nodeRed} runtime, this package linked into its user
  dir. Its endpoint serves HTTP+SSE on \`/sse\` (GET) and \`/sse/message\` (POST), and Streamable HTTP on \`/mcp\`
  (POST, GET, DELETE; answers on each POST's own event stream, no resumption), from the same flow. For the bench
  its endpoint's *Max sessions* is raised from the default ${DEFAULT_MAX_SESSIONS.toLocaleString('en-US')} to ${config.maxSessions.toLocaleString('en-US')}, above the largest
  number of idle sessions (${Math.max(...config.idle).toLocaleString('en-US')}); it counts the sessions of both transports together, and with the
  default every session past ${DEFAULT_MAX_SESSIONS.toLocaleString('en-US')} open ones is answered 503.
- **tutorial flow /sse**: \`bench/fixtures/tutorial-polling-flow.json\`, a reconstruction of the Node-RED MCP
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
  figures come from a fresh process. It has no Streamable HTTP path.
- **SDK /sse** and **SDK /mcp**: \`bench/sdk-server.ts\`, the SDK's \`McpServer\` on \`node:http\`, one
  \`McpServer\` per session (as the SDK's own examples do), the same \`add\` tool, serving both transports from one
  process as the SDK's \`sseAndStreamableHttpCompatibleServer\` example does: \`SSEServerTransport\` on \`/sse\` and
  \`/sse/message\`, and \`StreamableHTTPServerTransport\` on \`/mcp\`, stateful (\`sessionIdGenerator\`
  \`randomUUID\`, one transport per session, no event store), the POST body parsed before \`handleRequest\`.
- **package /mcp 2026-07-28**: the same node-red process, flow and path as **package /mcp**, reached by the v2
  client. Its requests carry the 2026-07-28 envelope (the \`MCP-Protocol-Version\`, \`Mcp-Method\` and
  \`Mcp-Name\` headers and the \`_meta\` keys), which the endpoint serves statelessly (\`core/stateless/\`): each
  \`tools/call\` is one POST, an exchange that lives only while it is answered, through the same \`mcp message
  in\`, switch, function and \`mcp sse out\` as a session's, and its answer is one \`application/json\` body.
- **SDK 2026-07-28**: \`bench/sdk-modern-server.ts\`, what a developer writes with the v2 SDK:
  \`createMcpHandler(factory)\` from \`@modelcontextprotocol/server\` with its defaults, whose factory builds a
  fresh \`McpServer\` with the same \`add\` tool for every HTTP request (the entry's design), served on
  \`node:http\` through the SDK's own Node adapter \`toNodeHandler\` (\`@modelcontextprotocol/node\`), because
  \`createMcpHandler\` is a web-standard \`fetch(Request): Promise<Response>\` handler. It answers a
  \`tools/call\` with one \`application/json\` body (\`responseMode: 'auto'\`). A process of its own, on \`/mcp\`.

## How each figure is measured

- Each server process runs with \`--expose-gc\` and a small probe (\`bench/lib/probe.cjs\`)
  preloaded that reports \`process.memoryUsage()\` after a full GC; RSS is read from
  \`/proc/<pid>/status\`, CPU from \`/proc/<pid>/stat\` (utime + stime).
- Latency and throughput run on all seven servers side by side (four processes), taking turns for ${config.rounds}
  rounds, so that load from elsewhere on the machine falls on all of them alike.
- Latency: one SDK client per server, ${config.calls} sequential \`tools/call add\` in all (${config.tutorialCalls} for
  the tutorial flow, whose every answer waits for the next poll), after a warm-up. Over HTTP+SSE each call is a
  POST answered 202 and the response on the session's SSE stream; over Streamable HTTP with a session each call
  is a POST answered with its own event stream that carries the response and ends; on 2026-07-28 each call is a
  POST with the envelope and no session, answered with one JSON body.
- Throughput: ${config.concurrency.join(', ')} SDK clients per server, each calling \`add\` back to back for
  ${config.seconds} s per round; completed calls per second, the median of the rounds. The Streamable HTTP clients
  end their sessions with DELETE when a size is done. On 2026-07-28 a "session" of these rows is one v2 client
  that negotiated on its own (one \`server/discover\` each) and then sends its calls one at a time.
- Time to open a session, ${config.endpointGets} sessions opened one after another on a fresh process, with raw HTTP:
  - HTTP+SSE, *GET to endpoint event*: from sending the GET to the \`endpoint\` event;
  - Streamable HTTP, *initialize round trip*: from sending the \`initialize\` POST to its response on that POST's
    event stream. The session is not usable yet (the client still sends \`notifications/initialized\`), so this
    is not the same span as the SSE row and the two are not compared.
- Memory per idle session: (memory with N idle sessions − memory before any) ÷ N, on that fresh process; the
  sessions opened for the row above stay open and count among the N. An HTTP+SSE idle session is a raw GET that
  keeps reading; a Streamable HTTP idle session is \`initialize\`, \`notifications/initialized\` (202) and an open
  standalone GET stream that keeps reading (\`bench/lib/idle-streamable.ts\`), with no DELETE; only the GET's
  socket stays open.
- Idle CPU: CPU time of the process over ${config.cpuSeconds} s with ${config.idle[0]} idle sessions, as a
  percentage of one core, from \`/proc\`; and between keep-alives: the probe's \`process.cpuUsage()\` read
  every second of that window, the median second (a keep-alive round falls in one second; the probe's own
  request each second is counted, alike for all). The package writes a keep-alive comment every 15 s on every
  open stream of either transport, from one timer; the SDK's \`SSEServerTransport\` sends none; its
  \`StreamableHTTPServerTransport\` writes one every 15 s on each standalone GET stream, from one timer per
  stream; the tutorial flow runs one poller per session every second.
- Broadcast fan-out: on the same ${config.idle[0]} idle sessions, the time from a trigger POST to the server until
  every session has received one \`notifications/tools/list_changed\` event, the median of ${config.broadcastRounds}.
  Each server broadcasts its own way (bench/lib/broadcast-trigger.ts): the package through an \`mcp sse out\`
  set to every session of the endpoint (serialised and framed once); the tutorial flow by pushing the
  notification onto every session's \`messages\` for its poller; the SDK server by calling
  \`sendToolListChanged()\` on every session's \`McpServer\`. A Streamable HTTP session gets it on its standalone
  GET stream. The clients that count the events run in the bench process, so the figure includes their parsing.
  \`bench/broadcast.ts\` times the core's fan-out alone.

## Notes on reading the figures

- Throughput moves by ±30% between runs on a shared 2-core machine; the ratios within one run are the
  comparison to trust. With one session every one of the example's four flow hops waits for its own turn of
  node-red's event loop (setImmediate), the likely cause of most of the gap to the SDK server there (not
  measured separately); with more sessions the hops overlap.
- The idle CPU over the whole window includes the keep-alive rounds (the package: about 50-60 ms of CPU per round
  to 1,000 sessions, one \`writev\` each) and, in the first round, V8's memory-reducer GC; see profile.md.
- RSS per session is a difference of two RSS readings and is noisy at small session counts (it can even come
  out negative when the process returns memory); the heap figure is measured after a full GC.
- Each node-red server also runs a small "bench: broadcast trigger" tab (bench/lib/broadcast-trigger.ts);
  it is idle except during the broadcast rows.
`;
}

/**
 * The version of the installed `@modelcontextprotocol/sdk` (e.g. "1.32.2"), from its package.json.
 * Its exports map sends `@modelcontextprotocol/sdk/package.json` to `dist/cjs/package.json` (no
 * version), so this walks up from an entry point to the package's own.
 */
export function sdkVersion(): string {
  return packageVersion('@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/server/mcp.js');
}

/**
 * The version of the installed package `name` (e.g. "2.4.0"), from the package.json found by walking
 * up from `entry` (a module specifier; the package's main entry by default), so that it works when
 * the package's exports map does not export its package.json. Throws if none names the package.
 */
export function packageVersion(name: string, entry: string = name): string {
  let dir = path.dirname(require.resolve(entry));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (json.name === name && json.version !== undefined) return json.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${name} has no package.json with its version`);
    dir = parent;
  }
}
