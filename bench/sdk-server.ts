/**
 * The hand-written reference: what a developer writes without Node-RED. The official SDK's
 * `McpServer` on plain `node:http`, one `McpServer` per session (the SDK's own examples do the
 * same), serving the tutorial's `add` tool over both transports from one process, as the SDK's
 * `sseAndStreamableHttpCompatibleServer` example does:
 *
 * - HTTP+SSE (`SSEServerTransport`): GET /sse, POST /sse/message?sessionId=...
 * - Streamable HTTP (`StreamableHTTPServerTransport`, stateful: `sessionIdGenerator` randomUUID,
 *   one transport per session): POST, GET and DELETE /mcp. A POST without `Mcp-Session-Id` that
 *   carries `initialize` opens a session; any other POST without one gets 400, an unknown id 404.
 * - POST /bench/broadcast (the benchmark's trigger): one `notifications/tools/list_changed` to every
 *   session of either transport (a Streamable session gets it on its standalone GET stream).
 *
 * Usage: `tsx bench/sdk-server.ts [port]`; prints `listening <url>` once it listens (port 0 picks
 * a free port).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const sseTransports = new Map<string, SSEServerTransport>();
const streamableTransports = new Map<string, StreamableHTTPServerTransport>();
/** Every session's `McpServer`, of either transport, by session id. */
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

/** A JSON-RPC error answer with no id, as the SDK's examples write them. */
function jsonRpcError(res: http.ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** Reads a request body as JSON (what `express.json()` does in the SDK's examples); undefined when it is not JSON. */
async function jsonBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Streamable HTTP on /mcp: POST, GET and DELETE, one transport and `McpServer` per session. */
async function handleStreamable(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = req.method === 'POST' ? await jsonBody(req) : undefined;
  const sessionId = req.headers['mcp-session-id'];
  const existing = typeof sessionId === 'string' ? streamableTransports.get(sessionId) : undefined;
  if (existing !== undefined) {
    await existing.handleRequest(req, res, body);
    return;
  }
  if (sessionId !== undefined) {
    jsonRpcError(res, 404, -32001, 'Session not found');
    return;
  }
  if (req.method !== 'POST' || !isInitializeRequest(body)) {
    jsonRpcError(res, 400, -32000, 'Bad Request: No valid session ID provided');
    return;
  }
  const server = newServer();
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      streamableTransports.set(id, transport);
      servers.set(id, server);
    },
  });
  transport.onclose = () => {
    const id = transport.sessionId;
    if (id !== undefined) {
      streamableTransports.delete(id);
      servers.delete(id);
    }
  };
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

const httpServer = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/mcp') {
    handleStreamable(req, res).catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
    });
    return;
  }
  if (req.method === 'GET' && url.pathname === '/sse') {
    const transport = new SSEServerTransport('/sse/message', res);
    const server = newServer();
    sseTransports.set(transport.sessionId, transport);
    servers.set(transport.sessionId, server);
    res.on('close', () => {
      sseTransports.delete(transport.sessionId);
      servers.delete(transport.sessionId);
    });
    server.connect(transport).catch((error: unknown) => {
      console.error(error);
      res.end();
    });
    return;
  }
  if (req.method === 'POST' && url.pathname === '/sse/message') {
    const transport = sseTransports.get(url.searchParams.get('sessionId') ?? '');
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
