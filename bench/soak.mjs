// `npm run soak`: opens and closes 10,000 sessions, then holds 2,000 idle ones, against one
// endpoint of the transport core (bench/lib/core-server.ts) on 127.0.0.1, and prints heap and RSS
// before, after and per session. Run with --expose-gc and tsx (the npm script does, through
// scripts/bench.mjs) so it can collect before measuring. Not a test: it prints figures.
import http from 'node:http';
import { startCoreServer } from './lib/core-server.ts';

const CYCLES = Number(process.env.SOAK_CYCLES ?? 10_000);
const HOLD = Number(process.env.SOAK_HOLD ?? 2_000);

const core = await startCoreServer({ id: 'soak', maxSessions: HOLD + 100 });
const { endpoint } = core;
core.httpServer.maxConnections = HOLD + 200;
const port = core.httpServer.address().port;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

async function measure() {
  for (let i = 0; i < 3; i++) { global.gc?.(); await new Promise((r) => setImmediate(r)); }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;

/** Opens one session; resolves with a function that closes it, once the endpoint event came. */
function openSession() {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/sse', agent, headers: { Accept: 'text/event-stream' } }, (res) => {
      res.once('data', () => resolve(() => req.destroy()));
    });
    req.on('error', (e) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
  });
}
async function waitForCount(n) {
  while (endpoint.sessionCount !== n) await new Promise((r) => setTimeout(r, 10));
}

if (!global.gc) console.warn('run with node --expose-gc for stable figures');
const baseline = await measure();
console.log(`baseline:                 heap ${mb(baseline.heap)}, rss ${mb(baseline.rss)}`);

let t = Date.now();
const BATCH = 200;
for (let done = 0; done < CYCLES; done += BATCH) {
  const closers = await Promise.all(Array.from({ length: Math.min(BATCH, CYCLES - done) }, openSession));
  for (const close of closers) close();
  await waitForCount(0);
}
const afterCycles = await measure();
console.log(`after ${CYCLES} open+close: heap ${mb(afterCycles.heap)}, rss ${mb(afterCycles.rss)} (${Date.now() - t} ms; heap ${((afterCycles.heap - baseline.heap) / 1024).toFixed(0)} KB over baseline, ${((afterCycles.heap - baseline.heap) / CYCLES).toFixed(1)} B per session)`);

t = Date.now();
const held = [];
for (let i = 0; i < HOLD; i += BATCH) held.push(...await Promise.all(Array.from({ length: Math.min(BATCH, HOLD - i) }, openSession)));
await waitForCount(HOLD);
const holding = await measure();
console.log(`holding ${HOLD} idle:        heap ${mb(holding.heap)}, rss ${mb(holding.rss)} (${Date.now() - t} ms; ${((holding.heap - afterCycles.heap) / HOLD / 1024).toFixed(2)} KB heap, ${((holding.rss - afterCycles.rss) / HOLD / 1024).toFixed(2)} KB rss per session; client and server share this process)`);

for (const close of held) close();
// Drop the soak's own references to the client requests, so only the server's memory is left to measure.
held.length = 0;
await waitForCount(0);
const released = await measure();
console.log(`after closing them:       heap ${mb(released.heap)}, rss ${mb(released.rss)} (heap ${((released.heap - baseline.heap) / 1024).toFixed(0)} KB over baseline, ${((released.heap - afterCycles.heap) / 1024).toFixed(0)} KB over the level after the open+close round)`);
// What stays over the first baseline is warm-up (compiled code, parser and buffer pools), not sessions:
// it does not grow with the number of sessions (SOAK_CYCLES=5000 and 30000 leave about the same).
// RSS does not shrink back: V8 and glibc keep freed pages for reuse rather than return them.
console.log(`sessions in the registry: ${endpoint.registry.count()}`);
await core.close();
agent.destroy();
