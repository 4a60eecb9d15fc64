/**
 * The benchmark's table (bench/lib/report.ts): a figure that failed shows as failed, with its
 * reason, in its own cells only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIGURE, failedFigures, renderTable, type BenchConfig, type Figures } from '../../bench/lib/report';

const config: BenchConfig = {
  calls: 1, tutorialCalls: 1, seconds: 1, concurrency: [20], endpointGets: 1, idle: [1000, 5000], cpuSeconds: 1,
  servers: ['package', 'tutorial', 'sdk'], rounds: 1, broadcastRounds: 1, maxSessions: 5100,
};

function figures(failed: Record<string, string> = {}): Figures {
  return {
    latencyP50: 1, latencyP99: 2, throughput: { 20: 100 }, endpointP50: 1, endpointP99: 2,
    memory: { 1000: { rss: 2048, heap: 1024 }, 5000: { rss: 2048, heap: 1024 } },
    idleCpu: { sessions: 1000, percent: 0.5, medianSecond: 0.1 }, broadcast: { sessions: 1000, p50: 10 }, failed,
  };
}

describe('benchmark table', () => {
  it('reports a failed figure as failed with the first line of its reason, and leaves the other figures and servers alone', () => {
    const pkg = figures({ [FIGURE.memory(5000)]: 'GET http://127.0.0.1:1/sse answered 503\nstack' });
    delete pkg.memory[5000];
    const table = renderTable({ package: pkg, tutorial: figures(), sdk: figures() }, config);
    const rss5000 = table.split('\n').find((line) => line.startsWith('| RSS per idle session (5000)')) ?? '';
    assert.match(rss5000, /\| \*\*failed\*\*: GET http:\/\/127\.0\.0\.1:1\/sse answered 503 \| 2\.0 \| 2\.0 \|/);
    assert.doesNotMatch(rss5000, /missed|stack/);
    assert.match(table, /\| RSS per idle session \(1000\) \| KiB \| 2\.0 \| 2\.0 \| 2\.0 \|/);
    assert.deepEqual(failedFigures({ package: pkg, sdk: figures() }), ['package: memory 5000: GET http://127.0.0.1:1/sse answered 503']);
  });
});
