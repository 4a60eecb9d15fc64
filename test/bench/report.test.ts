/**
 * The benchmark's table and targets (bench/lib/report.ts): a figure that failed shows as failed,
 * with its reason, in its own cells only; a row shows "–" for a server whose transport it does not
 * measure, and for a 2026-07-28 (stateless) server when it is about sessions; ratios are per
 * transport and for 2026-07-28; the targets are checked on the right columns. The MCP workbench's
 * section (bench/lib/workbench-report.ts): the sidebar's open ÷ closed is the median of the rounds'
 * ratios, checked against 0.95 per transport, a failed transport says why; a full activity list's heap
 * in KiB or MiB.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkTargets, FIGURE, failedFigures, renderResults, renderTable, renderTargets, type BenchConfig, type Figures } from '../../bench/lib/report';
import { failedWorkbench, renderWorkbench, sidebarRatio, type SidebarFigures, type WorkbenchFigures } from '../../bench/lib/workbench-report';

const config: BenchConfig = {
  calls: 1, tutorialCalls: 1, seconds: 1, concurrency: [20], endpointGets: 1, idle: [1000, 5000], cpuSeconds: 1,
  servers: ['package', 'tutorial', 'sdk', 'package-mcp', 'sdk-mcp', 'package-modern', 'sdk-modern'], rounds: 1, broadcastRounds: 1, maxSessions: 5100,
};

function figures(failed: Record<string, string> = {}, scale = 1): Figures {
  return {
    latencyP50: 1 * scale, latencyP99: 2, throughput: { 20: 100 / scale }, openP50: 1, openP99: 2,
    memory: { 1000: { rss: 2048, heap: 1024 }, 5000: { rss: 2048, heap: 1024 } },
    idleCpu: { sessions: 1000, percent: 0.5, medianSecond: 0.1 }, broadcast: { sessions: 1000, p50: 10 }, failed,
  };
}

/** The table's row for `metric`, as its cells after the metric (unit, seven servers, four ratios). */
function row(table: string, metric: string): string[] {
  const line = table.split('\n').find((l) => l.startsWith(`| ${metric} |`));
  assert.ok(line !== undefined, `the table has a row "${metric}"`);
  return line.slice(2, -2).split(' | ').slice(1);
}

describe('benchmark table', () => {
  it('has a column per server, package and SDK on each transport and on 2026-07-28', () => {
    const header = renderTable({}, config).split('\n')[0];
    assert.equal(header, '| figure | unit | package /sse | tutorial flow /sse | SDK /sse | package /mcp | SDK /mcp | package /mcp 2026-07-28 | SDK 2026-07-28 '
      + '| package ÷ tutorial (/sse) | package ÷ SDK (/sse) | package ÷ SDK (/mcp) | package ÷ SDK (2026-07-28) |');
  });

  it('reports a failed figure as failed with the first line of its reason, and leaves the other figures and servers alone', () => {
    const pkg = figures({ [FIGURE.memory(5000)]: 'GET http://127.0.0.1:1/sse answered 503\nstack' });
    delete pkg.memory[5000];
    const results = { package: pkg, tutorial: figures(), sdk: figures(), 'package-mcp': figures(), 'sdk-mcp': figures() };
    const table = renderTable(results, config);
    assert.deepEqual(row(table, 'RSS per idle session (5000)'),
      ['KiB', '**failed**: GET http://127.0.0.1:1/sse answered 503', '2.0', '2.0', '2.0', '2.0', '–', '–', 'n/a', 'n/a', '1.00×', 'n/a']);
    assert.deepEqual(row(table, 'RSS per idle session (1000)'), ['KiB', '2.0', '2.0', '2.0', '2.0', '2.0', '–', '–', '1.00×', '1.00×', '1.00×', 'n/a']);
    assert.deepEqual(failedFigures({ package: pkg, sdk: figures() }), ['package: memory 5000: GET http://127.0.0.1:1/sse answered 503']);
    assert.match(renderTargets(results, config), /RSS per idle session \(5000\): package \/sse ≤2× SDK \/sse: n\/a, not measured/);
  });

  it('shows the time to open a session per transport: the endpoint event for /sse, the initialize round trip for /mcp', () => {
    const sse = { ...figures(), openP50: 3 };
    const mcp = { ...figures(), openP50: 5 };
    const table = renderTable({ package: sse, tutorial: sse, sdk: sse, 'package-mcp': mcp, 'sdk-mcp': mcp }, config);
    assert.deepEqual(row(table, 'GET to endpoint event p50'), ['ms', '3.00', '3.00', '3.00', '–', '–', '–', '–', '1.00×', '1.00×', 'n/a', 'n/a']);
    assert.deepEqual(row(table, 'initialize round trip p50'), ['ms', '–', '–', '–', '5.00', '5.00', '–', '–', 'n/a', 'n/a', '1.00×', 'n/a']);
  });

  it('gives the 2026-07-28 servers latency and throughput with their own ratio, and "–" on every row about sessions', () => {
    const modern = { ...figures(), latencyP50: 4, throughput: { 20: 300 } };
    const reference = { ...figures(), latencyP50: 2, throughput: { 20: 400 } };
    // Figures of the session rows that a stateless server has none of: they must not show even when present.
    const table = renderTable({ package: figures(), sdk: figures(), 'package-modern': modern, 'sdk-modern': reference }, config);
    assert.deepEqual(row(table, 'tools/call latency p50').slice(6), ['4.00', '2.00', 'n/a', '1.00×', 'n/a', '2.00×']);
    assert.deepEqual(row(table, 'throughput, 20 sessions').slice(6), ['300', '400', 'n/a', '1.00×', 'n/a', '0.75×']);
    for (const metric of ['GET to endpoint event p99', 'initialize round trip p99', 'RSS per idle session (1000)', 'heap per idle session (5000)',
      'CPU of 1000 idle sessions, 1 s with keep-alives', 'CPU of 1000 idle sessions, between keep-alives (median second)', 'broadcast fan-out to 1000 sessions, p50']) {
      const cells = row(table, metric);
      assert.deepEqual(cells.slice(6, 8), ['–', '–'], `${metric}: no figure for a stateless server`);
      assert.equal(cells[11], 'n/a', `${metric}: no 2026-07-28 ratio`);
    }
  });

  it('checks the issue 9 targets on the SSE columns: p50 latency within 1.25x of the SDK, throughput at 20 sessions at least 0.6x', () => {
    const check = (pkgScale: number): Record<string, boolean | undefined> => Object.fromEntries(
      checkTargets({ package: figures({}, pkgScale), tutorial: figures({}, 1000), sdk: figures(), 'package-mcp': figures({}, 10), 'sdk-mcp': figures() }, config)
        .filter((c) => c.source?.startsWith('issue 9'))
        .map((c) => [c.metric, c.met]),
    );
    // scale 1.2: latency 1.2x the SDK's, throughput 0.83x; 1.3: 1.3x and 0.77x; 1.7: 1.7x and 0.59x.
    assert.deepEqual(check(1.2), { 'tools/call latency p50': true, 'throughput, 20 sessions': true });
    assert.deepEqual(check(1.3), { 'tools/call latency p50': false, 'throughput, 20 sessions': true });
    assert.deepEqual(check(1.7), { 'tools/call latency p50': false, 'throughput, 20 sessions': false });
    const printed = renderTargets({ package: figures({}, 1.3), tutorial: figures({}, 1000), sdk: figures() }, config);
    assert.match(printed, /- tools\/call latency p50: package \/sse ≤1\.25× SDK \/sse \(issue 9[^)]*\): 1\.30×, \*\*missed\*\*/);
    assert.match(printed, /- throughput, 20 sessions: package \/sse ≥0\.6× SDK \/sse \(issue 9[^)]*\): 0\.77×, met/);
  });
});

describe('benchmark: the MCP workbench section', () => {
  const sidebar = (failed: SidebarFigures['failed'] = {}): SidebarFigures => ({
    sessions: 20, seconds: 5, rounds: 3, failed,
    transports: {
      // Rounds of 0.98, 1.02 and 0.90: the median is 0.98 (met).
      sse: { off: [1000, 1000, 1100], on: [980, 1020, 990], offCpu: [500, 500, 500], onCpu: [505, 510, 500], batches: 60, entries: 6000 },
      // 0.90, 0.93, 1.10: median 0.93 (missed).
      'streamable-http': { off: [700, 700, 700], on: [630, 651, 770], offCpu: [800, 800, 800], onCpu: [800, 800, 800], batches: 60, entries: 5500 },
    },
  });
  const ring = { entries: 500, gc: true, readings: [{ label: 'recording off', bytes: 120 * 1024, rings: 20 }, { label: 'recording on, 16 KiB', bytes: 16.5 * 1024 * 1024, rings: 3 }] };

  it('gives open ÷ closed as the median of the rounds, and checks it against 0.95 per transport', () => {
    assert.deepEqual(sidebarRatio(sidebar().transports.sse!).perRound.map((r) => r.toFixed(2)), ['0.98', '1.02', '0.90']);
    const text = renderWorkbench({ sidebar: sidebar() });
    assert.match(text, /- throughput, 20 sessions, MCP sidebar open: package \/sse ≥0\.95× closed \(issue 20\): 0\.98× \(median of 3 rounds\), met/);
    assert.match(text, /- throughput, 20 sessions, MCP sidebar open: package \/mcp ≥0\.95× closed \(issue 20\): 0\.93× \(median of 3 rounds\), \*\*missed\*\*/);
    assert.match(text, /\| package \/sse \| 1,000 \| 990 \| 0\.98× \| 0\.98, 1\.02, 0\.90 \| 500 → 505 µs \| 1\.010× \| 60 \/ 6,000 \|/);
  });

  it('reports a transport that failed with its reason, and counts it as a failed figure', () => {
    const failed = sidebar({ 'streamable-http': 'the open sidebar received no activity batch in 5 s' });
    const text = renderWorkbench({ sidebar: failed });
    assert.match(text, /package \/mcp ≥0\.95× closed \(issue 20\): \*\*failed\*\*: the open sidebar received no activity batch in 5 s/);
    assert.doesNotMatch(text, /\| package \/mcp \|/, 'no row of figures for the failed transport');
    assert.deepEqual(failedWorkbench({ sidebar: failed, ringFailed: 'a ring is not full' }),
      ['sidebar streamable-http: the open sidebar received no activity batch in 5 s', 'ring memory: a ring is not full']);
  });

  it('gives the heap of a full activity list in KiB or MiB, and per entry', () => {
    const text = renderWorkbench({ ring });
    assert.match(text, /\| recording off \| 120\.0 KiB \| 246 B \| 20 \|/);
    assert.match(text, /\| recording on, 16 KiB \| 16\.50 MiB \| 34,603 B \| 3 \|/);
    assert.match(text, /after a full GC/);
  });

  it('is a section of results.md when measured, and absent when the run had neither part', () => {
    const run = { machine: 'm', node: 'v20', nodeFrom: 'x', nodeRed: '4', minutes: '1', date: '2026-01-01T00:00:00Z' };
    const workbench: WorkbenchFigures = { sidebar: sidebar(), ring };
    const results = renderResults({}, config, run, workbench);
    assert.ok(results.includes(renderWorkbench(workbench)));
    assert.match(results, /## The MCP workbench \(issue 20\)[\s\S]*## The servers/);
    assert.doesNotMatch(renderResults({}, config, run), /MCP workbench/);
    assert.equal(renderWorkbench({}), '');
  });
});
