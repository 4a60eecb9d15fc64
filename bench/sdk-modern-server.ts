/**
 * The hand-written reference for MCP 2026-07-28 (the stateless revision): what a developer writes
 * with the official v2 SDK, `@modelcontextprotocol/server`'s `createMcpHandler`, served on plain
 * `node:http` through the SDK's own Node adapter, `toNodeHandler` from `@modelcontextprotocol/node`
 * (`createMcpHandler` returns a web-standard `fetch(Request): Promise<Response>` handler; the
 * adapter turns the Node request into a `Request` and writes the `Response` back).
 *
 * - POST /mcp: `createMcpHandler(factory)` with its defaults: the factory builds a fresh `McpServer`
 *   with the tutorial's `add` tool for every HTTP request (the entry's design: nothing is kept
 *   between requests); modern (2026-07-28) requests are answered per request, a single JSON body
 *   unless the handler sends something before its result (`responseMode: 'auto'`); 2025-era
 *   requests get the SDK's stateless legacy fallback (`legacy: 'stateless'`, the default; the
 *   bench sends none).
 * - Anything else: 404.
 *
 * No broadcast trigger: a stateless server has no sessions to broadcast to (its
 * `subscriptions/listen` streams are not measured).
 *
 * Usage: `tsx bench/sdk-modern-server.ts [port]`; prints `listening <url>` once it listens (port 0
 * picks a free port).
 */
import http from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

/** A fresh `McpServer` with the `add` tool: called by `createMcpHandler` once per HTTP request. */
function newServer(): McpServer {
  const server = new McpServer({ name: 'sdk-modern-reference', version: '1.0.0' });
  server.registerTool(
    'add',
    { description: 'Add two numbers', inputSchema: z.object({ a: z.number().describe('First number'), b: z.number().describe('Second number') }) },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  return server;
}

const handler = createMcpHandler(newServer, { onerror: (error) => console.error(error) });
const serve = toNodeHandler(handler, { onerror: (error) => console.error(error) });

const httpServer = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/mcp') {
    serve(req, res).catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
    });
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
