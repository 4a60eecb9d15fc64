/**
 * A plain node:http server around one core McpEndpoint, for the core's tests: /sse (GET),
 * /message (POST) and /mcp (Streamable HTTP), nothing from Node-RED.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SessionRegistry } from '../../core/registry';
import { McpEndpoint, type EndpointOptions, type InboundMessage } from '../../core/endpoint';

export interface CoreServer {
  url: string;
  endpoint: McpEndpoint;
  registry: SessionRegistry;
  /** Every message the endpoint accepted, in order. */
  received: InboundMessage[];
  /** The node:http server, for tests that need to see requests arrive. */
  httpServer: http.Server;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 on a free port. */
export async function startCoreServer(options: Partial<EndpointOptions> = {}): Promise<CoreServer> {
  const registry = options.registry ?? new SessionRegistry();
  const endpoint = new McpEndpoint({ id: 'ep1', registry, messageUrl: '/message', ...options });
  const received: InboundMessage[] = [];
  endpoint.messageReceived.add((m) => received.push(m));
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    // Every method goes to the endpoint, which answers the wrong ones with 405.
    if (path === '/sse') endpoint.sse.handleGet(req, res);
    else if (path === '/message') endpoint.sse.handlePost(req, res);
    else if (path === '/mcp') endpoint.streamableHttp.handle(req, res);
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
