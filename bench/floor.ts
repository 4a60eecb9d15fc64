/**
 * `npm run bench:floor`: how much of the package's HTTP+SSE latency gap to the SDK's server is
 * Node-RED's own, in one run whose four servers take turns in blocks of BENCH_FLOOR_CALLS (300)
 * sequential calls for BENCH_FLOOR_ROUNDS (10) rounds, so that they share the machine's conditions:
 *
 * - **SDK /sse** and **package /sse**: `tools/call add` with the official SDK client, as in
 *   `npm run bench` (the package's tutorial example in node-red; the SDK reference, bench/sdk-server.ts).
 * - **node:http**: a POST of the same JSON-RPC request, parsed and answered with its result by a
 *   plain `node:http` handler in the bench process's Node (no MCP, no framework).
 * - **Node-RED, no MCP**: the same POST through the example's hops without this package
 *   (bench/fixtures/node-red-floor-flow.json: `http in` -> switch -> switch -> function ->
 *   `http response`), in node-red with the editor at `/`, as in the package's server.
 *
 * Both raw-HTTP servers are driven by one keep-alive `http.Agent`. The difference between the last
 * two is what Node-RED adds to any request of that shape (Express with the editor's middleware,
 * four message hops, the function node's sandbox): the floor under any Node-RED flow of the
 * example's shape, which no change to this package can remove. Prints p50/p90 (ms) of each and the
 * decomposition of the gap.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { prepareUserDir, startNodeRed } from '../scripts/node-red-runner.mjs';
import { callAdd, connectClient, disconnect, quantile } from './lib/load';
import { ROOT, startServer, urlOf, WORK_DIR, type RunningServer } from './lib/servers';

const CALLS = Number(process.env.BENCH_FLOOR_CALLS ?? 300);
const ROUNDS = Number(process.env.BENCH_FLOOR_ROUNDS ?? 10);
const WARM_UP = 300;

process.removeAllListeners('warning');

/** One JSON-RPC `tools/call` of `add(a, 1)` as a POST body. */
function requestBody(a: number): string {
  return JSON.stringify({ jsonrpc: '2.0', id: a, method: 'tools/call', params: { name: 'add', arguments: { a, b: 1 } } });
}

/** The answer both raw-HTTP servers give: the JSON-RPC response with `add`'s result. */
function answer(request: { id: number; params: { arguments: { a: number; b: number } } }): string {
  const { a, b } = request.params.arguments;
  return JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: String(a + b) }] } });
}

/** A plain `node:http` server that answers every POST with `answer()`; resolves with its URL. */
async function startPlainServer(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer(JSON.parse(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/floor`, close: () => server.close() };
}

/** node-red running bench/fixtures/node-red-floor-flow.json (this package installed but unused). */
async function startNodeRedFloor(): Promise<{ url: string; stop(): Promise<void> }> {
  const userDir = mkdtempSync(path.join(WORK_DIR, 'nr-floor-'));
  prepareUserDir({ userDir, flowsFile: path.join(ROOT, 'bench', 'fixtures', 'node-red-floor-flow.json'), install: 'link' });
  const running = await startNodeRed({ userDir });
  return {
    url: `${running.url}/floor`,
    stop: async () => {
      await running.stop();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One POST round trip to `url`, in ms; rejects unless the answer is 200 with the right sum. */
function postOnce(url: string, a: number): Promise<number> {
  const target = new URL(url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const ms = performance.now() - t0;
        const text = res.statusCode === 200 ? (JSON.parse(body) as { result?: { content?: Array<{ text?: string }> } }).result?.content?.[0]?.text : undefined;
        if (text === String(a + 1)) resolve(ms);
        else reject(new Error(`${url} answered ${res.statusCode}: ${body}`));
      });
    });
    req.on('error', reject);
    req.end(requestBody(a));
  });
}

type Caller = (i: number) => Promise<number>;

async function main(): Promise<void> {
  const started: Array<() => Promise<void> | void> = [];
  try {
    const sdk: RunningServer = await startServer('sdk');
    started.push(() => sdk.stop());
    const pkg: RunningServer = await startServer('package');
    started.push(() => pkg.stop());
    const plain = await startPlainServer();
    started.push(() => plain.close());
    const floor = await startNodeRedFloor();
    started.push(() => floor.stop());
    const sdkClient = await connectClient(urlOf(sdk, 'sdk'));
    started.push(() => disconnect(sdkClient));
    const pkgClient = await connectClient(urlOf(pkg, 'package'));
    started.push(() => disconnect(pkgClient));

    const mcpCall = (client: Awaited<ReturnType<typeof connectClient>>): Caller => async (i) => {
      const t0 = performance.now();
      await callAdd(client, i, 1);
      return performance.now() - t0;
    };
    const callers: Record<string, Caller> = {
      'SDK /sse': mcpCall(sdkClient),
      'package /sse': mcpCall(pkgClient),
      'node:http': (i) => postOnce(plain.url, i),
      'Node-RED, no MCP': (i) => postOnce(floor.url, i),
    };
    const latencies: Record<string, number[]> = Object.fromEntries(Object.keys(callers).map((k) => [k, []]));
    for (const call of Object.values(callers)) for (let i = 0; i < WARM_UP; i++) await call(i);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, call] of Object.entries(callers)) {
        for (let i = 0; i < CALLS; i++) latencies[name].push(await call(i));
      }
    }
    const p50: Record<string, number> = {};
    console.log(`| server | p50 (ms) | p90 (ms) |\n| --- | ---: | ---: |`);
    for (const [name, values] of Object.entries(latencies)) {
      p50[name] = quantile(values, 0.5);
      console.log(`| ${name} | ${p50[name].toFixed(3)} | ${quantile(values, 0.9).toFixed(3)} |`);
    }
    const gap = p50['package /sse'] - p50['SDK /sse'];
    const nodeRed = p50['Node-RED, no MCP'] - p50['node:http'];
    const budget = 0.25 * p50['SDK /sse'];
    console.log(`\n${ROUNDS} rounds x ${CALLS} calls each; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`package /sse - SDK /sse (the gap): ${gap.toFixed(3)} ms (${(p50['package /sse'] / p50['SDK /sse']).toFixed(2)}x)`);
    console.log(`Node-RED, no MCP - node:http (Node-RED's floor for the example's shape): ${nodeRed.toFixed(3)} ms`);
    console.log(`the rest of the gap (the package and its MCP work against the SDK's): ${(gap - nodeRed).toFixed(3)} ms`);
    console.log(`issue 9's budget, 1.25x SDK /sse p50: ${budget.toFixed(3)} ms above the SDK; Node-RED's floor is ${(nodeRed / budget).toFixed(2)}x that budget`);
  } finally {
    for (const stop of started.reverse()) await stop();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
