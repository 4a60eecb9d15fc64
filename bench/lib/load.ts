/**
 * Load generators that drive a server with the official SDK clients: the v1 client
 * (`@modelcontextprotocol/sdk`) with `SSEClientTransport` for HTTP+SSE and
 * `StreamableHTTPClientTransport` for Streamable HTTP sessions (the 2025-era revisions), and the v2
 * client (`@modelcontextprotocol/client`) with `versionNegotiation: { mode: 'auto' }` for MCP
 * 2026-07-28 (stateless) on Streamable HTTP.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import type { Era, Transport } from './server-names';

export type { Era, Transport };

/** A connected client of either SDK generation: v1 (a session) or v2 (2026-07-28, stateless). */
export type BenchClient = Client | ModernClient;

/** The protocol version a stateless client must negotiate. */
export const MODERN_VERSION = '2026-07-28';

/**
 * Connects one SDK client to `url`. Era `session`, the v1 client: HTTP+SSE (GET the SSE path, then
 * initialize and notifications/initialized as POSTs to the endpoint), or Streamable HTTP (POST
 * initialize and notifications/initialized to the Streamable path; the client then opens its
 * standalone GET stream). Era `stateless` (Streamable HTTP only), the v2 client in `auto` mode: one
 * `server/discover` POST, and no session; rejects unless it negotiated 2026-07-28 (a server that
 * answers the probe as a 2025-era server would make the client fall back to `initialize`).
 * Rejects when the server refuses or does not answer.
 */
export async function connectClient(url: string, transport: Transport = 'sse', era: Era = 'session'): Promise<BenchClient> {
  if (era === 'stateless') {
    if (transport !== 'streamable-http') throw new Error('MCP 2026-07-28 runs on Streamable HTTP only');
    const client = new ModernClient({ name: 'bench', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new ModernTransport(new URL(url)));
    const negotiated = client.getNegotiatedProtocolVersion();
    if (negotiated !== MODERN_VERSION) {
      await client.close().catch(() => {});
      throw new Error(`the v2 client in auto mode negotiated ${negotiated ?? 'nothing'} (era ${client.getProtocolEra() ?? 'none'}), not ${MODERN_VERSION}`);
    }
    return client;
  }
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport === 'sse' ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/**
 * Ends a client's session: Streamable HTTP sends DELETE first (the SDK client's `close()` only
 * drops its streams, and the session would stay until the server's session timeout); HTTP+SSE
 * closes the SSE stream, which ends the session. A stateless client has no session: it only
 * closes. Never rejects.
 */
export async function disconnect(client: BenchClient): Promise<void> {
  if (client instanceof Client) {
    const transport = client.transport;
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
  }
  await client.close().catch(() => {});
}

/** One `tools/call` of `add`; throws unless the answer is right. */
export async function callAdd(client: BenchClient, a: number, b: number): Promise<void> {
  const params = { name: 'add', arguments: { a, b } };
  const result = client instanceof ModernClient
    ? await client.callTool(params, { timeout: 60_000 })
    : await client.callTool(params, undefined, { timeout: 60_000 });
  const content = result.content as Array<{ type: string; text: string }>;
  if (content?.[0]?.text !== String(a + b)) throw new Error(`add(${a}, ${b}) answered ${JSON.stringify(result)}`);
}

/** Sequential calls on one session; returns each call's latency in ms. */
export async function sequentialLatencies(client: BenchClient, calls: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await callAdd(client, i, 1);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Connects `sessions` SDK clients to `url` over `transport` in `era` (see connectClient), 20 at a time. */
export async function connectClients(url: string, sessions: number, transport: Transport = 'sse', era: Era = 'session'): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  for (let i = 0; i < sessions; i += 20) {
    clients.push(...await Promise.all(Array.from({ length: Math.min(20, sessions - i) }, () => connectClient(url, transport, era))));
  }
  return clients;
}

/**
 * Throughput of already connected sessions, each calling `add` back to back for `seconds`:
 * completed calls per second.
 */
export async function throughput(clients: BenchClient[], seconds: number): Promise<number> {
  let completed = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(clients.map(async (client, k) => {
    let i = 0;
    while (performance.now() < deadline) {
      await callAdd(client, k, i++);
      completed++;
    }
  }));
  return completed / ((performance.now() - start) / 1000);
}

/** The value at quantile `q` (0..1) of a list of numbers (nearest rank). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}
