/**
 * Stateless scale-out (issue 12, MCP 2026-07-28), shared by test/e2e/stateless-scale-out.test.ts
 * and `npm run bench:cluster`: the flow both run on every instance, the environment that makes the
 * instances share nothing but the state secret, and the official v2 client in `auto` mode.
 *
 * The flow is two bundled examples, unchanged, in one flows file: the tutorial (`add` on `/mcp`,
 * a hand-written flow) and server-push (`ask_name` on `/push/mcp`, which asks the user for their
 * name by `elicitation/create`). Neither was written for 2026-07-28; a modern client's elicitation
 * becomes an `input_required` result, and the retry carries the answer and the sealed
 * `requestState`, so any instance that shares the secret can finish the call.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** The Streamable HTTP path of the tutorial's endpoint (`add`). */
export const ADD_PATH = '/mcp';
/** The Streamable HTTP path of the server-push example's endpoint (`ask_name`). */
export const ASK_PATH = '/push/mcp';
/** The protocol version a stateless client must negotiate. */
export const MODERN_VERSION = '2026-07-28';

/**
 * Writes the tutorial and server-push examples, as one flow, to `outFile` (the ids of the two never
 * collide, and each has its own endpoint). Returns `outFile`.
 */
export function writeScaleOutFlow(outFile: string): string {
  const read = (name: string): unknown[] => JSON.parse(readFileSync(path.join(EXAMPLES, name), 'utf8')) as unknown[];
  writeFileSync(outFile, JSON.stringify([...read('tutorial-mcp-server.json'), ...read('server-push.json')]));
  return outFile;
}

/**
 * The environment of each instance: the endpoints' state secret (`MCP_STATE_SECRET`, the same on
 * every instance so that one opens the `requestState` another sealed), and no Redis: the
 * tutorial's endpoint takes its Redis URL from `MCP_REDIS_URL`, empty here, so nothing is shared.
 */
export function scaleOutEnv(stateSecret: string): Record<string, string> {
  return { MCP_STATE_SECRET: stateSecret, MCP_REDIS_URL: '' };
}

/** The client side of one elicitation: what the user answers to `elicitation/create`. */
export type ElicitHandler = (params: { message: string }) => Promise<{ action: 'accept' | 'decline' | 'cancel'; content?: Record<string, string> }>;

/**
 * A v2 client (`@modelcontextprotocol/client`) with `versionNegotiation: { mode: 'auto' }`, connected
 * to `url`. With `options.elicit`, it declares the elicitation capability and answers each
 * `elicitation/create` (its client side of an `input_required` round) with it. `options.name` is
 * its `clientInfo.name` (default `scale-out`), sent in every request's `_meta`.
 * Rejects when the server is not reached, or when the client did not negotiate 2026-07-28 or got
 * an `Mcp-Session-Id` (a stateless client must have none).
 */
export async function connectModernClient(url: string, options: { name?: string; elicit?: ElicitHandler } = {}): Promise<Client> {
  const { elicit } = options;
  const client = new Client({ name: options.name ?? 'scale-out', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: elicit === undefined ? {} : { elicitation: {} } });
  if (elicit !== undefined) client.setRequestHandler('elicitation/create', (request) => elicit(request.params as { message: string }));
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  const version = client.getNegotiatedProtocolVersion();
  if (version !== MODERN_VERSION) throw new Error(`${url}: the client negotiated ${String(version)}, not ${MODERN_VERSION}`);
  if (transport.sessionId !== undefined) throw new Error(`${url}: a stateless client got the session ${transport.sessionId}`);
  return client;
}

/** The text of a tool result's first content item ('' when there is none). */
export function resultText(result: unknown): string {
  return (result as { content?: Array<{ text?: string }> }).content?.[0]?.text ?? '';
}
