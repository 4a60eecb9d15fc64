/**
 * Load generators that drive a server with the official SDK client: `SSEClientTransport` for
 * HTTP+SSE, `StreamableHTTPClientTransport` for Streamable HTTP.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from './server-names';

export type { Transport };

/**
 * Connects one SDK client to `url`: HTTP+SSE (GET the SSE path, then initialize and
 * notifications/initialized as POSTs to the endpoint), or Streamable HTTP (POST initialize and
 * notifications/initialized to the Streamable path; the client then opens its standalone GET stream).
 * Rejects when the server refuses or does not answer.
 */
export async function connectClient(url: string, transport: Transport = 'sse'): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport === 'sse' ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/**
 * Ends a client's session: Streamable HTTP sends DELETE first (the SDK client's `close()` only
 * drops its streams, and the session would stay until the server's session timeout); HTTP+SSE
 * closes the SSE stream, which ends the session. Never rejects.
 */
export async function disconnect(client: Client): Promise<void> {
  const transport = client.transport;
  if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
  await client.close().catch(() => {});
}

/** One `tools/call` of `add`; throws unless the answer is right. */
export async function callAdd(client: Client, a: number, b: number): Promise<void> {
  const result = await client.callTool({ name: 'add', arguments: { a, b } }, undefined, { timeout: 60_000 });
  const content = result.content as Array<{ type: string; text: string }>;
  if (content?.[0]?.text !== String(a + b)) throw new Error(`add(${a}, ${b}) answered ${JSON.stringify(result)}`);
}

/** Sequential calls on one session; returns each call's latency in ms. */
export async function sequentialLatencies(client: Client, calls: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await callAdd(client, i, 1);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Connects `sessions` SDK clients to `url` over `transport` (see connectClient), 20 at a time. */
export async function connectClients(url: string, sessions: number, transport: Transport = 'sse'): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < sessions; i += 20) {
    clients.push(...await Promise.all(Array.from({ length: Math.min(20, sessions - i) }, () => connectClient(url, transport))));
  }
  return clients;
}

/**
 * Throughput of already connected sessions, each calling `add` back to back for `seconds`:
 * completed calls per second.
 */
export async function throughput(clients: Client[], seconds: number): Promise<number> {
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
