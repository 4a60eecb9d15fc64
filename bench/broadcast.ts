/**
 * Broadcast fan-out: how long one notification takes to reach every session of an endpoint.
 *
 *   node --import tsx bench/broadcast.ts [sessions=1000] [rounds=50]
 *
 * Starts the transport core on plain node:http (127.0.0.1), opens `sessions` real SSE streams from
 * this process, and for two payload sizes measures, over `rounds` broadcasts:
 *
 * - fan-out: the synchronous `McpEndpoint.broadcast()` call (serialise and frame once, then write
 *   the session's `id:` line and the shared Buffer to each of the streams);
 * - delivered: from the call until every client has parsed the event (client parsing runs in this
 *   same process, so this figure includes it);
 * - for comparison, the same with `session.send()` per session (serialises per session).
 *
 * Prints medians and 95th percentiles in ms. Figures, not assertions: nothing here fails.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { JsonRpcMessage } from './lib/core';
import { startCoreServer } from './lib/core-server';

const SESSIONS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 50);

interface Client {
  events: number;
  req: http.ClientRequest;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  const server = await startCoreServer({ keepAliveMs: 0, resumeGraceMs: 60_000 });
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const clients: Client[] = [];
  let waiting: { target: number; resolve: () => void } | undefined;
  let done = 0;
  const marker = 'event: message';
  await new Promise<void>((resolve) => {
    let opened = 0;
    for (let i = 0; i < SESSIONS; i++) {
      const client: Client = { events: 0, req: undefined as unknown as http.ClientRequest };
      client.req = http.get(`${server.url}/sse`, { agent, headers: { Accept: 'text/event-stream' } }, (res) => {
        res.setEncoding('utf8');
        let tail = '';
        let first = true;
        res.on('data', (chunk: string) => {
          if (first) {
            first = false;
            if (++opened === SESSIONS) resolve();
          }
          const text = tail + chunk;
          let at = text.indexOf(marker);
          while (at !== -1) {
            client.events++;
            if (waiting !== undefined && client.events === waiting.target && ++done === SESSIONS) waiting.resolve();
            at = text.indexOf(marker, at + marker.length);
          }
          tail = text.slice(-marker.length + 1);
        });
      });
      clients.push(client);
    }
  });
  const sessions = server.registry.list();
  console.log(`${sessions.length} sessions open; ${ROUNDS} rounds each; Node ${process.version}`);

  let sent = 0;
  const payloads: Array<[string, JsonRpcMessage]> = [
    ['tools/list_changed, 58 B', { jsonrpc: '2.0', method: 'notifications/tools/list_changed' }],
    ['resource update, ~10 KB', { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(10_000) } }],
  ];
  const rows: string[] = [];
  for (const [label, message] of payloads) {
    for (const mode of ['broadcast (serialise once)', 'send() per session'] as const) {
      const fanOut: number[] = [];
      const delivered: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        sent++;
        done = 0;
        const all = new Promise<void>((resolve) => (waiting = { target: sent, resolve }));
        const t0 = performance.now();
        if (mode === 'broadcast (serialise once)') server.endpoint.broadcast(message);
        else for (const session of sessions) session.send(message);
        const t1 = performance.now();
        await all;
        const t2 = performance.now();
        fanOut.push(t1 - t0);
        delivered.push(t2 - t0);
      }
      rows.push(`${label.padEnd(26)} ${mode.padEnd(27)} fan-out median ${quantile(fanOut, 0.5).toFixed(2).padStart(7)} ms  p95 ${quantile(fanOut, 0.95).toFixed(2).padStart(7)} ms   all delivered median ${quantile(delivered, 0.5).toFixed(2).padStart(7)} ms  p95 ${quantile(delivered, 0.95).toFixed(2).padStart(7)} ms`);
    }
  }
  for (const row of rows) console.log(row);
  for (const client of clients) client.req.destroy();
  agent.destroy();
  await server.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
