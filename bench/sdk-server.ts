/**
 * The hand-written reference: what a developer writes without Node-RED. The official SDK's
 * `McpServer` with `SSEServerTransport` on plain `node:http`, one server per session (the SDK's
 * own example does the same), serving the tutorial's `add` tool on GET /sse and
 * POST /sse/message?sessionId=..., and, for the benchmark, POST /bench/broadcast (one
 * `notifications/tools/list_changed` to every session).
 *
 * Usage: `tsx bench/sdk-server.ts [port]`; prints `listening <url>` once it listens (port 0 picks
 * a free port).
 */
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { z } from 'zod';

const transports = new Map<string, SSEServerTransport>();
const servers = new Map<string, McpServer>();

function newServer(): McpServer {
  const server = new McpServer({ name: 'sdk-reference', version: '1.0.0' });
  server.registerTool(
    'add',
    { description: 'Add two numbers', inputSchema: { a: z.number().describe('First number'), b: z.number().describe('Second number') } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  return server;
}

const httpServer = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/sse') {
    const transport = new SSEServerTransport('/sse/message', res);
    const server = newServer();
    transports.set(transport.sessionId, transport);
    servers.set(transport.sessionId, server);
    res.on('close', () => {
      transports.delete(transport.sessionId);
      servers.delete(transport.sessionId);
    });
    server.connect(transport).catch((error: unknown) => {
      console.error(error);
      res.end();
    });
    return;
  }
  if (req.method === 'POST' && url.pathname === '/sse/message') {
    const transport = transports.get(url.searchParams.get('sessionId') ?? '');
    if (transport === undefined) {
      res.writeHead(404).end('Session not found');
      return;
    }
    transport.handlePostMessage(req, res).catch((error: unknown) => console.error(error));
    return;
  }
  if (req.method === 'POST' && url.pathname === '/bench/broadcast') {
    // The benchmark's broadcast trigger: one notification to every session.
    for (const server of servers.values()) server.sendToolListChanged();
    res.writeHead(200).end();
    return;
  }
  res.writeHead(404).end();
});

httpServer.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = httpServer.address() as { port: number };
  console.log(`listening http://127.0.0.1:${address.port}`);
});
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
