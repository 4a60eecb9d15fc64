/**
 * The official SDK client (`@modelcontextprotocol/sdk` 1.32) as the server-push end-to-end tests
 * use it, over either transport: HTTP+SSE (`SSEClientTransport`, URL of the SSE path) or Streamable
 * HTTP (`StreamableHTTPClientTransport`, URL of the Streamable HTTP path). It records what its
 * transport delivers and sends, so a test can check the wire as well as what the client API returns.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';

/** Answers the server's `elicitation/create` request (the client's user filling in the form). */
export type ElicitHandler = (params: { message: string }) => Promise<ElicitResult>;

/** A JSON-RPC message as the client's transport delivered or sent it. */
export type Received = { method?: string; id?: unknown; params?: Record<string, unknown> };

/** A connected client with what its transport has seen. */
export type PushClient = Client & {
  /** Every message the transport delivered to the client since connecting, in order. */
  received: Received[];
  /** The promise of the last message sent with each method; it settles once its POST is answered. */
  sent: Map<string, Promise<void>>;
  /** The Streamable HTTP transport (its `sessionId`, `terminateSession()`), when that is the transport. */
  streamable?: StreamableHTTPClientTransport;
  /**
   * Settles once the session's own stream is open: at once over HTTP+SSE (`connect` waits for it);
   * over Streamable HTTP once the standalone GET stream the SDK opens after `initialize` has its
   * response headers, so a notification the server sends from then on reaches the client.
   */
  ownStream: Promise<void>;
};

/**
 * Records every message a connected client's transport (of either SDK generation) delivers to its
 * client from now on, in order. Call it after `connect`, which sets the transport's `onmessage`.
 */
export function recordDelivered(transport: object): Received[] {
  const received: Received[] = [];
  const wrappable = transport as { onmessage?: (message: Received, extra?: unknown) => void };
  const deliver = wrappable.onmessage!;
  wrappable.onmessage = (message, extra) => {
    received.push(message);
    deliver(message, extra);
  };
  return received;
}

/**
 * Connects the SDK client to `url`.
 * @param options.elicit declare the elicitation capability and answer `elicitation/create` with it.
 * @param options.transport `'sse'` (default: `url` is the SSE path) or `'streamable-http'` (`url` is
 *   the Streamable HTTP path).
 * @throws what `Client.connect` throws (e.g. an HTTP error status of the first request).
 */
export async function connectPushClient(url: string, options: { elicit?: ElicitHandler; transport?: 'sse' | 'streamable-http' } = {}): Promise<PushClient> {
  const client = new Client({ name: 'push-e2e', version: '1.0.0' }, { capabilities: options.elicit ? { elicitation: {} } : {} });
  if (options.elicit) {
    const elicit = options.elicit;
    client.setRequestHandler(ElicitRequestSchema, (req) => elicit(req.params as { message: string }));
  }
  let streamOpened!: () => void;
  const ownStream = new Promise<void>((resolve) => (streamOpened = resolve));
  const noticingStream: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET' && response.ok) streamOpened();
    return response;
  };
  const streamable = options.transport === 'streamable-http' ? new StreamableHTTPClientTransport(new URL(url), { fetch: noticingStream }) : undefined;
  const transport = streamable ?? new SSEClientTransport(new URL(url));
  await client.connect(transport);
  if (streamable === undefined) streamOpened();
  const received = recordDelivered(transport);
  const wrappable = transport as unknown as { send: (message: Received, options?: unknown) => Promise<void> };
  const sent = new Map<string, Promise<void>>();
  const send = wrappable.send.bind(transport);
  wrappable.send = (message, sendOptions) => {
    const posted = send(message, sendOptions);
    if (message.method !== undefined) sent.set(message.method, posted);
    return posted;
  };
  return Object.assign(client, { received, sent, streamable, ownStream });
}

/** The text of a tool result's first content item (a text item). */
export function text(result: unknown): string {
  const [first] = CallToolResultSchema.parse(result).content;
  assert.ok(first?.type === 'text', 'the first content item is text');
  return first.text;
}
