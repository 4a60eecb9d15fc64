/**
 * `@modelcontextprotocol/ext-tasks` as the requester of MCP tasks, in both eras, the way an
 * application uses it:
 * - 2025-11-25 on a session: the v2 SDK client (`@modelcontextprotocol/client`) with the package's
 *   own adapter (`createTaskSessionFromClient`);
 * - 2025-11-25 again after the first client went away: the v1 SDK client
 *   (`@modelcontextprotocol/sdk`) on the same session id (`sessionId` of its transport: it sends no
 *   `initialize`), through a port of ours (`withTasks`): the package's adapter is for the v2 client
 *   only, and reads the server's capabilities from an `initialize` a resumed client never makes, so
 *   the port carries the capabilities the first client saw (as an application that stored them);
 * - 2026-07-28 stateless: the v2 client negotiated by `server/discover`, with the `rawDispatch`
 *   and `v2RequestFraming` the package requires for that era (a plain `fetch` POST with the
 *   revision's headers).
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type * as ClientEsm from '@modelcontextprotocol/client' with { 'resolution-mode': 'import' };
import type { createTaskSessionFromClient } from '@modelcontextprotocol/ext-tasks/client';

/** A task-enabled session of ext-tasks (the package's own type). */
export type TaskSession = ReturnType<typeof createTaskSessionFromClient>;

/**
 * The ESM builds of the v2 client and of ext-tasks, loaded together: ext-tasks (ESM only) checks
 * errors with `instanceof` against the ESM client's classes, and a static import from this
 * CommonJS test file would load the client's CommonJS build (another class).
 */
async function esm() {
  const client = (await import('@modelcontextprotocol/client')) as unknown as typeof ClientEsm;
  return { client, tasks: await import('@modelcontextprotocol/ext-tasks/client') };
}
/** What a task-enabled session answers an input request (elicitation) with. */
export type InputHandler = (request: { kind: string; params?: Record<string, unknown> }) => Promise<unknown>;

const MODERN = '2026-07-28';
const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const CLIENT_INFO = { name: 'ext-tasks-e2e', version: '1.0.0' };

/** A 2025-11-25 session, the v2 client and ext-tasks' adapter. `close()` leaves the session open on the server (no DELETE). */
export async function legacyTaskSession(url: string, onInput?: InputHandler): Promise<{ session: TaskSession; sessionId: string; close(): Promise<void> }> {
  const { client: sdk, tasks } = await esm();
  const client = new sdk.Client(CLIENT_INFO, { capabilities: { elicitation: { form: {} } } });
  const transport = new sdk.StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  if (client.getNegotiatedProtocolVersion() !== '2025-11-25') throw new Error(`negotiated ${String(client.getNegotiatedProtocolVersion())}`);
  const session = tasks.createTaskSessionFromClient(client, { endpointId: url, ...(onInput === undefined ? {} : { onInputRequest: onInput as never }) });
  return { session, sessionId: String(transport.sessionId), close: async () => { await session.close(); await client.close(); } };
}

/** The v1 client back on session `sessionId`, with ext-tasks over a port of ours (see the module comment). */
export async function resumedTaskSession(url: string, sessionId: string): Promise<{ session: TaskSession; close(): Promise<void> }> {
  const { tasks } = await esm();
  const client = new ClientV1(CLIENT_INFO, { capabilities: {} });
  await client.connect(new TransportV1(new URL(url), { sessionId }));
  const port = {
    endpointId: url,
    taskCapabilities: { generation: 'v1', capabilities: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
    invalidated: false,
    async dispatch(request: { method: string; params?: Record<string, unknown> }) {
      try {
        return { kind: 'result', result: await client.request(request as never, ResultSchema) };
      } catch (error) {
        if (error instanceof McpError) return { kind: 'error', error: { code: error.code, message: error.message.replace(/^MCP error -?\d+: /, '') } };
        throw error;
      }
    },
    onServerRequest: () => () => undefined,
    onNotification: () => () => undefined,
    onInvalidated: () => () => undefined,
  };
  const session = tasks.withTasks(port as never) as TaskSession;
  return { session, close: async () => { await session.close(); await client.close(); } };
}

/** A JSON-RPC request as ext-tasks dispatches it. */
interface RawRequest { method: string; params?: Record<string, unknown> }

/** POSTs one 2026-07-28 request with the revision's headers; the response from a JSON body or the SSE stream. */
async function postModern(url: string, request: RawRequest, headers: Record<string, string> = {}): Promise<{ kind: 'result'; result: unknown } | { kind: 'error'; error: { code: number; message: string; data?: unknown } }> {
  const id = Math.floor(Math.random() * 1e9);
  const name = request.method === 'tools/call' ? String(request.params?.name) : undefined;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': MODERN, 'Mcp-Method': request.method, ...(name === undefined ? {} : { 'Mcp-Name': name }), ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id, ...request }),
  });
  const text = await res.text();
  const bodies = (res.headers.get('content-type') ?? '').includes('text/event-stream')
    ? text.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter((d) => d !== '')
    : [text];
  for (const body of bodies) {
    const message = JSON.parse(body) as { id?: unknown; result?: unknown; error?: { code: number; message: string } };
    if (message.id !== id) continue;
    return message.error !== undefined ? { kind: 'error', error: message.error } : { kind: 'result', result: message.result };
  }
  throw new Error(`${request.method}: HTTP ${res.status} without a response: ${text.slice(0, 300)}`);
}

/** A 2026-07-28 client (stateless, negotiated by `server/discover`) with ext-tasks. */
export async function modernTaskSession(url: string, onInput?: InputHandler): Promise<{ session: TaskSession; close(): Promise<void> }> {
  // The extension declared in server/discover too: the server shows it only to a client that
  // declared it, and ext-tasks picks its wire (v2, framed through rawDispatch) from what it shows.
  const capabilities = { elicitation: { form: {} }, extensions: { [TASKS_EXTENSION]: {} } };
  const { client: sdk, tasks } = await esm();
  const client = new sdk.Client(CLIENT_INFO, { versionNegotiation: { mode: 'auto' }, capabilities });
  await client.connect(new sdk.StreamableHTTPClientTransport(new URL(url)));
  if (client.getNegotiatedProtocolVersion() !== MODERN) throw new Error(`negotiated ${String(client.getNegotiatedProtocolVersion())}`);
  const session = tasks.createTaskSessionFromClient(client, {
    endpointId: url,
    rawDispatch: async (request: unknown, options?: { context?: { headers?: Record<string, string> } }) => postModern(url, request as RawRequest, options?.context?.headers),
    v2RequestFraming: { protocolVersion: MODERN, clientInfo: CLIENT_INFO, clientCapabilities: capabilities },
    ...(onInput === undefined ? {} : { onInputRequest: onInput as never }),
  } as never);
  return { session, close: async () => { await session.close(); await client.close(); } };
}
