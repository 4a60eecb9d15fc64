/**
 * bench/latency-throughput.svg: latency (p50, p99) and throughput per server (seven series: the
 * package and the SDK reference on each transport with sessions, the package and the v2 SDK's
 * `createMcpHandler` on 2026-07-28, and the tutorial's flow), drawn by Vega-Lite and rendered to
 * SVG headlessly by Vega.
 */
import type { BenchConfig, Figures } from './report';
import type { ServerName } from './server-names';

/** Each server's series label in the chart's legend. */
export const LABEL: Record<ServerName, string> = {
  package: 'package /sse (node-red)',
  tutorial: 'tutorial polling flow /sse',
  sdk: 'SDK /sse (node:http)',
  'package-mcp': 'package /mcp (node-red)',
  'sdk-mcp': 'SDK /mcp (node:http)',
  'package-modern': 'package /mcp 2026-07-28 (node-red)',
  'sdk-modern': 'SDK 2026-07-28 (createMcpHandler)',
};
/** The bars' order in each group, and the legend's (two columns): each package series beside its SDK reference. */
const ORDER: ServerName[] = ['package', 'sdk', 'package-mcp', 'sdk-mcp', 'package-modern', 'sdk-modern', 'tutorial'];
/** Series colours: blue for the package, red for the SDK, green for the tutorial's flow; mid for /sse, light for /mcp sessions, dark for 2026-07-28. */
const COLOUR: Record<ServerName, string> = {
  package: '#1f77b4',
  tutorial: '#2ca02c',
  sdk: '#d62728',
  'package-mcp': '#8fc1e8',
  'sdk-mcp': '#f2a09f',
  'package-modern': '#0b3a5e',
  'sdk-modern': '#7a1012',
};

/** Renders the chart for `results`; returns the SVG text. A failed figure is left out (no bar). */
export async function renderChart(results: Partial<Record<ServerName, Figures>>, config: BenchConfig): Promise<string> {
  // Both are ES modules with top-level await: import() them.
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const latency: Array<Record<string, unknown>> = [];
  const rate: Array<Record<string, unknown>> = [];
  for (const [name, f] of Object.entries(results) as Array<[ServerName, Figures]>) {
    latency.push({ server: LABEL[name], quantile: 'p50', ms: f.latencyP50 }, { server: LABEL[name], quantile: 'p99', ms: f.latencyP99 });
    for (const c of config.concurrency) rate.push({ server: LABEL[name], sessions: `${c}`, callsPerSecond: f.throughput[c] });
  }
  // A failed figure (NaN or missing) has no bar.
  const drawn = (point: Record<string, unknown>): boolean => Number.isFinite(point.ms ?? point.callsPerSecond);
  const domain = ORDER.map((n) => LABEL[n]);
  const color = { field: 'server', type: 'nominal', title: null, scale: { domain, range: ORDER.map((n) => COLOUR[n]) }, legend: { orient: 'bottom', columns: 2, labelLimit: 300 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'MCP over HTTP+SSE (/sse) and Streamable HTTP (/mcp), sessions and 2026-07-28: tools/call, loopback, same run', subtitle: 'log scales; the SDK clients drive every server (v1 for sessions, v2 for 2026-07-28)' },
    config: { font: 'sans-serif', view: { stroke: null } },
    hconcat: [
      {
        title: 'Sequential latency (lower is better)',
        data: { values: latency.filter(drawn) },
        width: 300,
        height: 220,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'quantile', type: 'nominal', title: null, axis: { labelAngle: 0 } },
          xOffset: { field: 'server', type: 'nominal', scale: { domain } },
          y: { field: 'ms', type: 'quantitative', title: 'ms', scale: { type: 'log' }, stack: null },
          color,
        },
      },
      {
        title: 'Throughput (higher is better)',
        data: { values: rate.filter(drawn) },
        width: 400,
        height: 220,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'sessions', type: 'ordinal', title: 'concurrent sessions', sort: config.concurrency.map(String), axis: { labelAngle: 0 } },
          xOffset: { field: 'server', type: 'nominal', scale: { domain } },
          y: { field: 'callsPerSecond', type: 'quantitative', title: 'calls/s', scale: { type: 'log', domainMin: 0.5 }, stack: null },
          color,
        },
      },
    ],
  };
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
