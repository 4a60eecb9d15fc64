/**
 * The declaration nodes (mcp sse tool, mcp sse resource, mcp sse prompt) in the Node-RED runtime
 * (test helper, real HTTP) with the official SDK client over Streamable HTTP: the msg a call
 * becomes, the status, deploy-time errors, a Catch node's error as a tool error, resource
 * updates (to 2025 subscribers, and with the v2 client to 2026-07-28 listen streams, as a broadcast
 * from mcp sse out is), and the endpoint serving its own path once something is declared.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { flowPerTest, helper, inputsOf } from '../support/helper';
import { waitFor } from '../support/core-server';

const TAB = { id: 'tab1', type: 'tab', label: 'test' };
const ENDPOINT = { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', name: 'decl', sse: false, ssePath: '/sse', messagePath: '/message', streamable: true, streamablePath: '/mcp', keepAlive: 15, maxBodySize: 4194304 };
const ADD_SCHEMA = JSON.stringify({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });

function addTool(extra: object = {}): object {
  return { id: 'addTool', type: 'mcp-sse-tool', z: 'tab1', endpoint: 'ep', name: 'add', description: 'Add two numbers', inputSchema: ADD_SCHEMA, outputSchema: '', wires: [['calls']], ...extra };
}

/** Records every status a node shows. */
function statusesOf(id: string): Array<{ fill?: string; text?: string }> {
  const node = helper.getNode(id) as unknown as { status(s: object): void };
  const seen: Array<{ fill?: string; text?: string }> = [];
  const original = node.status.bind(node);
  node.status = (s: object) => {
    seen.push(s as { fill?: string; text?: string });
    original(s);
  };
  return seen;
}

/** The errors nodes logged while loading. */
function loggedErrors(): string[] {
  const log = helper.log() as unknown as { args: Array<[{ level: number; msg: unknown; id?: string }]>; ERROR: number };
  return log.args.map(([entry]) => entry).filter((e) => e.level === (helper.log() as unknown as { ERROR: number }).ERROR).map((e) => `${e.id}: ${String(e.msg)}`);
}

describe('mcp sse tool, resource and prompt in the Node-RED runtime', () => {
  const { load } = flowPerTest();
  const clients: Client[] = [];
  const connect = async (url: string): Promise<Client> => {
    const client = new Client({ name: 'nodes-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    clients.push(client);
    return client;
  };
  const closeClients = async (): Promise<void> => {
    for (const c of clients.splice(0)) await c.close();
  };

  it('sends a msg per valid call with the arguments and msg.mcp, and turns the answer into the result; the status counts calls and shows the last error, until a deploy clears it', async () => {
    const flow = await load([TAB, ENDPOINT, addTool(), { id: 'calls', type: 'helper', z: 'tab1' }, { id: 'out', type: 'mcp-sse-out', z: 'tab1', wires: [[]] }]);
    const calls = inputsOf('calls');
    const statuses = statusesOf('addTool');
    const client = await connect(flow.url);
    try {
      const answer = client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      await waitFor(() => calls.length === 1, 2000, 'the call');
      const msg = calls[0];
      assert.deepEqual(msg.payload, { a: 2, b: 3 });
      assert.equal(msg.topic, 'add');
      assert.deepEqual({ ...msg.mcp, sessionId: typeof msg.mcp.sessionId, requestId: typeof msg.mcp.requestId },
        { sessionId: 'string', endpoint: 'ep', transport: 'streamable-http', protocolVersion: '2025-11-25', clientCapabilities: {}, kind: 'request', requestId: 'number', method: 'tools/call', tool: 'add' });
      helper.getNode('out').receive({ ...msg, payload: msg.payload.a + msg.payload.b });
      assert.deepEqual((await answer).content, [{ type: 'text', text: '5' }]);
      assert.deepEqual(statuses.at(-1), { fill: 'green', shape: 'dot', text: '1 call' });
      const bad = await client.callTool({ name: 'add', arguments: { a: 2 } });
      assert.equal(bad.isError, true);
      assert.equal(calls.length, 1, 'the invalid call never reached the flow');
      assert.deepEqual(statuses.at(-1), { fill: 'red', shape: 'ring', text: '2 calls; bad arguments' });
      // A deploy that leaves the node running (a "modified nodes" deploy of other nodes) clears it.
      flow.RED.events.emit('flows:stopping', { type: 'nodes', diff: { added: [], changed: [], removed: [], rewired: [], linked: [], globalConfigChanged: false } });
      flow.RED.events.emit('flows:started', { type: 'nodes' });
      assert.deepEqual(statuses.at(-1), {});
      const again = client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
      await waitFor(() => calls.length === 2, 2000, 'the call after the deploy');
      helper.getNode('out').receive({ ...calls[1], payload: 2 });
      await again;
      assert.deepEqual(statuses.at(-1), { fill: 'green', shape: 'dot', text: '1 call' }, 'counted from the deploy on');
    } finally {
      await closeClients();
    }
  });

  it("answers with a tool error when the flow fails and a Catch node hands the error to mcp sse out", async () => {
    // Catch nodes only work among flow nodes, which have a position.
    const flow = await load([TAB, ENDPOINT, addTool({ wires: [['fails']], x: 100, y: 40 }),
      { id: 'fails', type: 'function', z: 'tab1', func: "throw new Error('the database is down');", outputs: 1, x: 300, y: 40, wires: [[]] },
      { id: 'catch', type: 'catch', z: 'tab1', scope: ['fails'], uncaught: false, x: 300, y: 100, wires: [['out']] },
      { id: 'out', type: 'mcp-sse-out', z: 'tab1', x: 500, y: 100, wires: [[]] }], { extra: [require('@node-red/nodes/core/function/10-function.js'), require('@node-red/nodes/core/common/25-catch.js')] });
    const client = await connect(flow.url);
    try {
      const result = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
      assert.equal(result.isError, true);
      assert.match((result.content as Array<{ text: string }>)[0].text, /the database is down/);
    } finally {
      await closeClients();
    }
  });

  it('reports an invalid schema or a name already declared at deploy, and declares nothing for it', async () => {
    const flow = await load([TAB, ENDPOINT, addTool(),
      { id: 'dup', type: 'mcp-sse-tool', z: 'tab1', endpoint: 'ep', name: 'add', inputSchema: ADD_SCHEMA, wires: [[]] },
      { id: 'notJson', type: 'mcp-sse-tool', z: 'tab1', endpoint: 'ep', name: 'broken', inputSchema: '{ "type": ', wires: [[]] },
      { id: 'notSchema', type: 'mcp-sse-tool', z: 'tab1', endpoint: 'ep', name: 'wrong', inputSchema: '{ "type": "object", "properties": { "a": { "type": "numbr" } } }', wires: [[]] },
      { id: 'calls', type: 'helper', z: 'tab1' }]);
    const errors = loggedErrors();
    assert.ok(errors.some((e) => /^dup: The tool "add" is already declared on this endpoint by node addTool/.test(e)), errors.join('\n'));
    assert.ok(errors.some((e) => /^notJson: inputSchema is not valid JSON/.test(e)), errors.join('\n'));
    assert.ok(errors.some((e) => /^notSchema: The input schema of tool "wrong" is not valid JSON Schema 2020-12/.test(e)), errors.join('\n'));
    const client = await connect(flow.url);
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['add']);
    } finally {
      await closeClients();
    }
  });

  it('serves the endpoint path with declaration nodes only, and not without any', async () => {
    const flow = await load([TAB, ENDPOINT]);
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const post = await fetch(`${flow.url}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: init });
    assert.equal(post.status, 404, 'an endpoint with nothing declared and no mcp message in serves nothing, as before');
    await post.body?.cancel();
  });

  it('serves static and flow resources, and a msg into a resource node notifies its subscribers', async () => {
    const flow = await load([TAB, ENDPOINT,
      { id: 'staticRes', type: 'mcp-sse-resource', z: 'tab1', endpoint: 'ep', uri: 'test://static', name: 'static', mimeType: 'text/plain', source: 'static', contentType: 'text', content: 'hello', wires: [] },
      { id: 'bytesRes', type: 'mcp-sse-resource', z: 'tab1', endpoint: 'ep', uri: 'test://bytes', name: 'bytes', mimeType: 'image/png', source: 'static', contentType: 'base64', content: 'iVBO\nRw==', wires: [] },
      { id: 'itemsRes', type: 'mcp-sse-resource', z: 'tab1', endpoint: 'ep', uri: 'test://items/{id}', name: 'items', mimeType: 'application/json', source: 'flow', wires: [['reads']] },
      { id: 'reads', type: 'helper', z: 'tab1' }, { id: 'out', type: 'mcp-sse-out', z: 'tab1', wires: [[]] }]);
    const reads = inputsOf('reads');
    const client = await connect(flow.url);
    try {
      assert.deepEqual((await client.readResource({ uri: 'test://static' })).contents, [{ uri: 'test://static', mimeType: 'text/plain', text: 'hello' }]);
      assert.deepEqual((await client.readResource({ uri: 'test://bytes' })).contents, [{ uri: 'test://bytes', mimeType: 'image/png', blob: 'iVBORw==' }]);
      const read = client.readResource({ uri: 'test://items/7' });
      await waitFor(() => reads.length === 1, 2000, 'the read');
      assert.deepEqual(reads[0].payload, { id: '7' });
      assert.equal(reads[0].mcp.uri, 'test://items/7');
      helper.getNode('out').receive({ ...reads[0], payload: { id: 7 } });
      assert.deepEqual((await read).contents, [{ uri: 'test://items/7', mimeType: 'application/json', text: '{"id":7}' }]);
      const updated: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updated.push(n.params.uri); });
      await client.subscribeResource({ uri: 'test://static' });
      await new Promise((r) => setTimeout(r, 100));
      const statuses = statusesOf('staticRes');
      helper.getNode('staticRes').receive({ payload: 'changed' });
      await waitFor(() => updated.length === 1, 2000, 'notifications/resources/updated');
      assert.deepEqual(updated, ['test://static']);
      assert.deepEqual(statuses.at(-1), { fill: 'green', shape: 'dot', text: 'updated: 1' });
    } finally {
      await closeClients();
    }
  });

  it('sends resource updates and mcp sse out broadcasts to the 2026-07-28 listen streams that opted in to them (v2 client)', async () => {
    const { url } = await load([TAB, ENDPOINT, addTool({ wires: [[]] }),
      { id: 'staticRes', type: 'mcp-sse-resource', z: 'tab1', endpoint: 'ep', uri: 'test://static', name: 'static', mimeType: 'text/plain', source: 'static', contentType: 'text', content: 'hello', wires: [] },
      { id: 'everyone', type: 'mcp-sse-out', z: 'tab1', target: 'endpoint', endpoint: 'ep', wires: [[]] }]);
    const heard: Record<string, string[]> = { a: [], b: [] };
    const modern: ClientV2[] = [];
    const listener = async (name: 'a' | 'b', filter: object) => {
      const client = new ClientV2({ name: `listener-${name}`, version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } } as never);
      await client.connect(new StreamableV2(new URL(`${url}/mcp`)));
      modern.push(client);
      client.setNotificationHandler('notifications/resources/updated', (n) => { heard[name].push(`updated ${n.params.uri}`); });
      client.setNotificationHandler('notifications/tools/list_changed', () => { heard[name].push('tools changed'); });
      return client.listen(filter as never);
    };
    try {
      const a = await listener('a', { toolsListChanged: true, resourceSubscriptions: ['test://static'] });
      await listener('b', { toolsListChanged: true });
      assert.deepEqual(a.honoredFilter, { toolsListChanged: true, resourceSubscriptions: ['test://static'] });
      const resourceStatuses = statusesOf('staticRes');
      const broadcastStatuses = statusesOf('everyone');
      helper.getNode('staticRes').receive({ payload: 'changed' });
      await waitFor(() => heard.a.length === 1, 2000, 'the update on listen stream a');
      assert.deepEqual(resourceStatuses.at(-1), { fill: 'green', shape: 'dot', text: 'updated: 1' });
      helper.getNode('everyone').receive({ payload: { method: 'notifications/tools/list_changed' } });
      await waitFor(() => heard.a.length === 2 && heard.b.length === 1, 2000, 'the broadcast on both listen streams');
      assert.deepEqual(broadcastStatuses.at(-1), { fill: 'green', shape: 'dot', text: 'sent to 2' });
      helper.getNode('everyone').receive({ payload: { method: 'notifications/resources/updated', params: { uri: 'test://static' } } });
      await waitFor(() => heard.a.length === 3, 2000, 'the broadcast update on listen stream a');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(heard, { a: ['updated test://static', 'tools changed', 'updated test://static'], b: ['tools changed'] });
    } finally {
      for (const client of modern) await client.close();
    }
  });

  it('lists a prompt argument named twice once, with its first row (the editor saves both rows and marks the node)', async () => {
    const flow = await load([TAB, ENDPOINT,
      { id: 'twicePrompt', type: 'mcp-sse-prompt', z: 'tab1', endpoint: 'ep', name: 'twice', source: 'template', role: 'user', template: '{{who}}', complete: 'list',
        arguments: [{ name: 'who', description: 'First', required: true, values: 'Ada' }, { name: ' who ', description: 'Second', required: false, values: 'Alan' }], wires: [] }]);
    const client = await connect(flow.url);
    try {
      assert.deepEqual((await client.listPrompts()).prompts, [{ name: 'twice', arguments: [{ name: 'who', description: 'First', required: true }] }]);
      assert.deepEqual((await client.complete({ ref: { type: 'ref/prompt', name: 'twice' }, argument: { name: 'who', value: '' } })).completion.values, ['Ada']);
    } finally {
      await closeClients();
    }
  });

  it('fills a prompt template, and hands completions to the flow when asked to', async () => {
    const flow = await load([TAB, ENDPOINT,
      { id: 'greetPrompt', type: 'mcp-sse-prompt', z: 'tab1', endpoint: 'ep', name: 'greet', description: 'Greets', source: 'template', role: 'user', template: 'Hello {{who}} & co', complete: 'flow',
        arguments: [{ name: 'who', description: 'Whom', required: true, values: '' }], wires: [['completions']] },
      { id: 'completions', type: 'helper', z: 'tab1' }, { id: 'out', type: 'mcp-sse-out', z: 'tab1', wires: [[]] }]);
    const completions = inputsOf('completions');
    const client = await connect(flow.url);
    try {
      assert.deepEqual((await client.listPrompts()).prompts, [{ name: 'greet', description: 'Greets', arguments: [{ name: 'who', description: 'Whom', required: true }] }]);
      assert.deepEqual((await client.getPrompt({ name: 'greet', arguments: { who: 'Ada' } })).messages, [{ role: 'user', content: { type: 'text', text: 'Hello Ada & co' } }]);
      const completion = client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'A' } });
      await waitFor(() => completions.length === 1, 2000, 'the completion request');
      assert.equal(completions[0].mcp.method, 'completion/complete');
      assert.deepEqual(completions[0].payload, { argument: { name: 'who', value: 'A' }, context: {} });
      helper.getNode('out').receive({ ...completions[0], payload: ['Ada', 'Alan', 'Grace'] });
      assert.deepEqual((await completion).completion, { values: ['Ada', 'Alan'], total: 2, hasMore: false });
    } finally {
      await closeClients();
    }
  });
});
