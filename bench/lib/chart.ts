/**
 * bench/latency-throughput.svg: latency (p50, p99) and throughput per server, drawn by Vega-Lite
 * and rendered to SVG headlessly by Vega.
 */
import type { BenchConfig, Figures } from './report';
import type { ServerName } from './servers';

const LABEL: Record<ServerName, string> = { package: 'package (node-red)', tutorial: 'tutorial polling flow', sdk: 'SDK server (node:http)' };

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
  const color = { field: 'server', type: 'nominal', title: null, scale: { domain: Object.values(LABEL) }, legend: { orient: 'bottom', columns: 3, labelLimit: 300 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'MCP over HTTP+SSE: tools/call, loopback, same run', subtitle: 'log scales; the SDK client drives all three servers' },
    config: { font: 'sans-serif', view: { stroke: null } },
    hconcat: [
      {
        title: 'Sequential latency (lower is better)',
        data: { values: latency.filter(drawn) },
        width: 260,
        height: 220,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'quantile', type: 'nominal', title: null, axis: { labelAngle: 0 } },
          xOffset: { field: 'server', type: 'nominal', scale: { domain: Object.values(LABEL) } },
          y: { field: 'ms', type: 'quantitative', title: 'ms', scale: { type: 'log' }, stack: null },
          color,
        },
      },
      {
        title: 'Throughput (higher is better)',
        data: { values: rate.filter(drawn) },
        width: 300,
        height: 220,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'sessions', type: 'ordinal', title: 'concurrent sessions', sort: config.concurrency.map(String), axis: { labelAngle: 0 } },
          xOffset: { field: 'server', type: 'nominal', scale: { domain: Object.values(LABEL) } },
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
