/**
 * The endpoint answering the protocol itself (core/features/server-features.ts), with the official
 * SDK client on both transports against a plain node:http server: what is answered, what goes on
 * to the flow, server push from a tool's flow, log levels, subscriptions and list-changed.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitRequestSchema, LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema,
  CallToolResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { McpEndpoint } from '../../../core/endpoint';
import type { EndpointOptions } from '../../../core/endpoint-options';
import { SessionRegistry } from '../../../core/registry';
import type { FlowOutcome, FlowRequest, ToolDeclaration } from '../../../core/features/declarations';
import { listenOnLoopback, waitFor } from '../../support/core-server';

type Transport = 'streamable' | 'sse';
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** One endpoint on /sse, /message and /mcp; `received` is what reached the flow, when `flow` listens. */
async function serve(options: Partial<EndpointOptions> = {}, flow = true): Promise<{ endpoint: McpEndpoint; url: string; received: Array<{ method?: string }> }> {
  const endpoint = new McpEndpoint({ id: 'ep', registry: new SessionRegistry(), messageUrl: '/message', ...options, features: { listChangedDelayMs: 20, ...options.features } });
  const received: Array<{ method?: string }> = [];
  if (flow) endpoint.messageReceived.add(({ message }) => received.push(message as { method?: string }));
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/sse') endpoint.handleSseGet(req, res);
    else if (path === '/message') endpoint.handleSsePost(req, res);
    else endpoint.handleStreamableHttp(req, res);
  });
  const listening = await listenOnLoopback(server);
  closers.push(async () => {
    endpoint.close();
    await listening.close();
  });
  return { endpoint, url: listening.url, received };
}

async function connect(url: string, transport: Transport, capabilities: Record<string, unknown> = {}): Promise<Client> {
  const client = new Client({ name: 'features-test', version: '1.0.0' }, { capabilities });
  await client.connect(transport === 'sse' ? new SSEClientTransport(new URL(`${url}/sse`)) : new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  closers.push(() => client.close());
  return client;
}

function addTool(endpoint: McpEndpoint, requests: FlowRequest[] = [], outcomes: FlowOutcome[] = []): ToolDeclaration {
  const declaration: ToolDeclaration = {
    kind: 'tool', owner: 'tool-node', definition: { name: 'add', description: 'Add', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
    onRequest: (request) => {
      requests.push(request);
      const { a, b } = request.payload as { a: number; b: number };
      endpoint.send(request.session.id, a + b, { requestId: request.requestId });
    },
    onOutcome: (outcome) => outcomes.push(outcome),
  };
  endpoint.features.declare(declaration);
  return declaration;
}

for (const transport of ['streamable', 'sse'] as const) describe(`an endpoint with declarations, over ${transport === 'sse' ? 'HTTP+SSE' : 'Streamable HTTP'}`, () => {
  it('answers initialize, ping and logging/setLevel itself, and only hands the flow what no declaration handles', async () => {
    const { endpoint, url, received } = await serve({ features: { identity: { serverInfo: { name: 'srv', version: '2.1.0' }, instructions: 'Add things.' } } });
    addTool(endpoint);
    const client = await connect(url, transport);
    assert.deepEqual(client.getServerVersion(), { name: 'srv', version: '2.1.0' });
    assert.equal(client.getInstructions(), 'Add things.');
    assert.deepEqual(client.getServerCapabilities(), { logging: {}, tools: { listChanged: true } });
    assert.deepEqual(await client.ping(), {});
    assert.deepEqual(await client.setLoggingLevel('info'), {});
    assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
    const unknown = client.callTool({ name: 'subtract', arguments: {} }).catch(() => undefined);
    await waitFor(() => received.some((m) => m.method === 'tools/call'), 2000, 'the unknown tool to reach the flow');
    assert.deepEqual(received.map((m) => m.method), ['notifications/initialized', 'tools/call']);
    void unknown;
  });

  it('never hands the flow a call whose arguments do not match, and tells the declaration', async () => {
    const { endpoint, url } = await serve();
    const requests: FlowRequest[] = [];
    const outcomes: FlowOutcome[] = [];
    addTool(endpoint, requests, outcomes);
    const client = await connect(url, transport);
    const bad = await client.callTool({ name: 'add', arguments: { a: 'x' } });
    assert.equal(bad.isError, true);
    assert.match((bad.content as Array<{ text: string }>)[0].text, /arguments\/a must be number/);
    assert.equal(requests.length, 0);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    assert.equal(requests.length, 1);
    assert.deepEqual(outcomes.map((o) => [o.isError, o.rejected === true]), [[true, true], [false, false]]);
    assert.deepEqual(requests[0].payload, { a: 1, b: 1 });
    assert.equal(requests[0].method, 'tools/call');
  });

  it("lets a tool's flow report progress, log and ask the client, then answer", async () => {
    const { endpoint, url } = await serve();
    endpoint.features.declare({
      kind: 'tool', owner: 't', definition: { name: 'ask', description: 'Asks', inputSchema: { type: 'object' } },
      onRequest: ({ session, requestId }) => {
        const id = session.id;
        endpoint.send(id, { method: 'notifications/progress', params: { progress: 1, total: 2 } }, { requestId });
        endpoint.send(id, { method: 'notifications/message', params: { level: 'debug', data: 'too detailed' } }, { requestId });
        endpoint.send(id, { method: 'notifications/message', params: { level: 'warning', data: 'asking' } }, { requestId });
        endpoint.send(id, { method: 'elicitation/create', params: { message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } } }, {
          requestId,
          request: { timeoutMs: 5000, settle: (outcome) => endpoint.send(id, `Hello ${(outcome as { result: { content: { name: string } } }).result.content.name}`, { requestId }) },
        });
      },
    });
    const client = await connect(url, transport, { elicitation: {} });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logs.push(n.params.data); });
    await client.setLoggingLevel('info');
    const progress: number[] = [];
    const result = await client.request({ method: 'tools/call', params: { name: 'ask', arguments: {} } }, CallToolResultSchema, { onprogress: (p) => progress.push(p.progress) });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Hello Ada' }]);
    assert.deepEqual(progress, [1]);
    assert.deepEqual(logs, ['asking'], 'the debug message is below the level the client set');
  });

  it('serves resources, templates, subscriptions and prompts', async () => {
    const { endpoint, url } = await serve();
    endpoint.features.declare({ kind: 'resource', owner: 'r1', definition: { uri: 'test://w', name: 'w', mimeType: 'text/plain' }, content: { text: 'watched' } });
    endpoint.features.declare({
      kind: 'resource', owner: 'r2', definition: { uriTemplate: 'test://items/{id}', name: 'item' },
      onRequest: ({ session, requestId, payload }) => endpoint.send(session.id, `item ${(payload as { id: string }).id}`, { requestId }),
    });
    endpoint.features.declare({
      kind: 'prompt', owner: 'p1', definition: { name: 'greet', description: 'Greets', arguments: [{ name: 'who', required: true }] },
      onRequest: ({ session, requestId }) => endpoint.send(session.id, 'ignored', { requestId, failure: 'the flow failed' }),
    });
    const client = await connect(url, transport);
    assert.deepEqual((await client.readResource({ uri: 'test://items/42' })).contents, [{ uri: 'test://items/42', text: 'item 42' }]);
    assert.deepEqual((await client.listResourceTemplates()).resourceTemplates, [{ uriTemplate: 'test://items/{id}', name: 'item' }]);
    await assert.rejects(client.getPrompt({ name: 'greet', arguments: { who: 'x' } }), /the flow failed/);
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updated.push(n.params.uri); });
    await client.subscribeResource({ uri: 'test://w' });
    if (transport === 'streamable') await new Promise((r) => setTimeout(r, 100)); // the standalone GET stream
    assert.equal(endpoint.features.resourceUpdated('test://w'), 1);
    await waitFor(() => updated.length === 1, 2000, 'notifications/resources/updated');
    await client.unsubscribeResource({ uri: 'test://w' });
    assert.equal(endpoint.features.resourceUpdated('test://w'), 0);
  });
});

describe('an endpoint answering the protocol', () => {
  it('pages its lists with cursors', async () => {
    const { endpoint, url } = await serve({ features: { pageSize: 2 } });
    for (const name of ['c', 'a', 'e', 'b', 'd']) endpoint.features.declare({ kind: 'tool', owner: name, definition: { name, inputSchema: { type: 'object' } }, onRequest: () => {} });
    const client = await connect(url, 'streamable');
    const first = await client.listTools();
    assert.deepEqual(first.tools.map((t) => t.name), ['a', 'b']);
    const second = await client.listTools({ cursor: first.nextCursor });
    const third = await client.listTools({ cursor: second.nextCursor });
    assert.deepEqual([...second.tools, ...third.tools].map((t) => t.name), ['c', 'd', 'e']);
    assert.equal(third.nextCursor, undefined);
    await assert.rejects(client.listTools({ cursor: 'bogus' }), /unknown cursor/);
  });

  it('answers what nothing handles itself when no flow listens: -32601, unknown tool', async () => {
    const { endpoint, url } = await serve({}, false);
    addTool(endpoint);
    const client = await connect(url, 'streamable');
    await assert.rejects(client.callTool({ name: 'nope', arguments: {} }), /Unknown tool: nope/);
    await assert.rejects(client.request({ method: 'custom/thing', params: {} }, CallToolResultSchema), /Method not found: custom\/thing/);
    assert.deepEqual((await client.listPrompts()).prompts, []);
    await assert.rejects(client.readResource({ uri: 'test://nothing' }), /-32002.*Resource not found: test:\/\/nothing/);
  });

  it('stays out of the way with nothing declared and Answer protocol off; answers with it on', async () => {
    const off = await serve();
    const raw = await fetch(`${off.url}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }) });
    assert.equal(raw.status, 200);
    await waitFor(() => off.received.length === 1, 2000, 'initialize to reach the flow');
    await raw.body?.cancel();
    const on = await serve({ features: { answerProtocol: true } }, false);
    const client = await connect(on.url, 'streamable');
    assert.deepEqual(await client.ping(), {});
    assert.deepEqual(client.getServerCapabilities(), { logging: {} });
  });

  it('tells open sessions once when a deploy changes a list, not when it restarts a declaration unchanged', async () => {
    const { endpoint, url } = await serve();
    const undeclare = endpoint.features.declare({ kind: 'tool', owner: 'n', definition: { name: 'a', inputSchema: { type: 'object' } }, onRequest: () => {} });
    await new Promise((r) => setTimeout(r, 50));
    const client = await connect(url, 'sse');
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed++; });
    // A redeploy that restarts the node as it was.
    endpoint.features.holdListChanged();
    undeclare();
    const again = endpoint.features.declare({ kind: 'tool', owner: 'n', definition: { name: 'a', inputSchema: { type: 'object' } }, onRequest: () => {} });
    endpoint.features.releaseListChanged();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(changed, 0);
    // One that changes its description, removing it first.
    endpoint.features.holdListChanged();
    again();
    await new Promise((r) => setTimeout(r, 60));
    endpoint.features.declare({ kind: 'tool', owner: 'n', definition: { name: 'a', description: 'new', inputSchema: { type: 'object' } }, onRequest: () => {} });
    endpoint.features.releaseListChanged();
    await waitFor(() => changed === 1, 2000, 'notifications/tools/list_changed');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(changed, 1);
  });

  it('keeps a call back while a deploy restarts its tool, and answers it with the restarted one', async () => {
    const { endpoint, url, received } = await serve();
    const undeclare = endpoint.features.declare({ kind: 'tool', owner: 'n', definition: { name: 'add', inputSchema: { type: 'object' } }, onRequest: () => {} });
    const client = await connect(url, 'streamable');
    endpoint.features.holdListChanged();
    undeclare();
    const call = client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    await new Promise((r) => setTimeout(r, 100));
    addTool(endpoint);
    endpoint.features.releaseListChanged();
    assert.deepEqual((await call).content, [{ type: 'text', text: '3' }]);
    assert.equal(received.filter((m) => m.method === 'tools/call').length, 0, 'the call did not fall through to the flow');
  });
});
