/**
 * A plain node:http server around one core McpEndpoint, for the core's tests: /sse (GET),
 * /message (POST) and /mcp (Streamable HTTP), and with OAuth on their Protected Resource Metadata
 * under /.well-known/oauth-protected-resource; nothing from Node-RED.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SessionRegistry } from '../../core/registry';
import { McpEndpoint } from '../../core/endpoint';
import type { EndpointOptions, InboundMessage } from '../../core/endpoint-options';

export interface CoreServer {
  url: string;
  endpoint: McpEndpoint;
  registry: SessionRegistry;
  /** Every message the endpoint accepted, in order. */
  received: InboundMessage[];
  /** The node:http server, for tests that need to see requests arrive. */
  httpServer: http.Server;
  /** Stops collecting into `received`: the endpoint then has no flow listening (as during a redeploy of `mcp message in`). */
  stopListening(): void;
  close(): Promise<void>;
}

/** The OAuth paths the core server serves, for `startCoreServer({ oauth: { ..., paths: CORE_OAUTH_PATHS } })`. */
export const CORE_OAUTH_PATHS = [
  { transport: 'sse' as const, path: '/sse', metadataPath: '/.well-known/oauth-protected-resource/sse' },
  { transport: 'streamable-http' as const, path: '/mcp', metadataPath: '/.well-known/oauth-protected-resource/mcp' },
];

/** Starts the server on 127.0.0.1 on a free port. */
export async function startCoreServer(options: Partial<EndpointOptions> = {}): Promise<CoreServer> {
  const registry = options.registry ?? new SessionRegistry();
  const endpoint = new McpEndpoint({ id: 'ep1', registry, messageUrl: '/message', ...options });
  const received: InboundMessage[] = [];
  const stopListening = endpoint.messageReceived.add((m) => received.push(m));
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    // Every method goes to the endpoint, which answers the wrong ones with 405.
    if (path === '/sse') endpoint.handleSseGet(req, res);
    else if (path === '/message') endpoint.handleSsePost(req, res);
    else if (path === '/mcp') endpoint.handleStreamableHttp(req, res);
    else if (path === '/.well-known/oauth-protected-resource/sse' && endpoint.usesOAuth) endpoint.serveResourceMetadata(req, res, 'sse');
    else if (path === '/.well-known/oauth-protected-resource/mcp' && endpoint.usesOAuth) endpoint.serveResourceMetadata(req, res, 'streamable-http');
    else {
      res.writeHead(404);
      res.end();
    }
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    endpoint,
    registry,
    received,
    httpServer: server,
    stopListening,
    close: () => {
      endpoint.close();
      return listening.close();
    },
  };
}

/**
 * Listens on 127.0.0.1 on a free port.
 * @returns the base URL, and `close()`, which cuts open connections (SSE streams) and stops.
 */
export async function listenOnLoopback(server: http.Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until `check()` is true, polling every 5 ms, or fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Answers client requests on `endpoint` the way the tutorial flow does: `initialize`, `ping`,
 * `tools/list` and `tools/call` of `add` {a, b}, plus `whoami`, which answers the caller's
 * subject (OAuth). Returns the function that stops answering.
 */
export function answerLikeTheTutorial(endpoint: McpEndpoint): () => void {
  return endpoint.messageReceived.add(({ session, kind, message, auth }) => {
    if (kind !== 'request' || !('method' in message) || !('id' in message)) return;
    const params = (message.params ?? {}) as Record<string, any>;
    let result: unknown;
    if (message.method === 'initialize') {
      result = { protocolVersion: params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'core-test', version: '1.0.0' } };
    } else if (message.method === 'ping') {
      result = {};
    } else if (message.method === 'tools/list') {
      result = { tools: [
        { name: 'add', description: 'Add two numbers', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } } },
        { name: 'whoami', description: 'The caller', inputSchema: { type: 'object' } },
      ] };
    } else if (message.method === 'tools/call' && params.name === 'add') {
      result = { content: [{ type: 'text', text: String(params.arguments.a + params.arguments.b) }] };
    } else if (message.method === 'tools/call' && params.name === 'whoami') {
      result = { content: [{ type: 'text', text: String(auth?.subject) }] };
    } else {
      endpoint.send(session.id, { error: { code: -32601, message: `Method not found: ${message.method}` } }, { requestId: message.id });
      return;
    }
    endpoint.send(session.id, { result }, { requestId: message.id });
  });
}
