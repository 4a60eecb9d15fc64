/**
 * One transport-core endpoint on plain node:http, nothing from Node-RED: GET /sse opens a session,
 * POST /message takes its messages, anything else is 404. For bench/broadcast.ts and bench/soak.mjs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpEndpoint, SessionRegistry, type EndpointOptions } from './core';

export interface CoreServer {
  /** The base URL, e.g. http://127.0.0.1:1234 (the SSE path is `${url}/sse`). */
  url: string;
  endpoint: McpEndpoint;
  registry: SessionRegistry;
  httpServer: http.Server;
  /** Closes the endpoint (ending its sessions), cuts open connections and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts the server on 127.0.0.1 on a free port.
 * @param options endpoint options; `id`, `registry` and `messageUrl` (/message) have defaults.
 */
export async function startCoreServer(options: Partial<EndpointOptions> = {}): Promise<CoreServer> {
  const registry = options.registry ?? new SessionRegistry();
  const endpoint = new McpEndpoint({ id: 'bench', registry, messageUrl: '/message', ...options });
  endpoint.messageReceived.add(() => {});
  const httpServer = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/sse') endpoint.handleSseGet(req, res);
    else if (path === '/message') endpoint.handleSsePost(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    endpoint,
    registry,
    httpServer,
    close: () => {
      endpoint.close();
      httpServer.closeAllConnections();
      return new Promise((resolve) => httpServer.close(() => resolve()));
    },
  };
}
