/**
 * MCP 2026-07-28 against `npm start`'s flow (examples/tutorial-mcp-server.json, a hand-written
 * flow: no declaration node) and the conformance example (declared tools): the official v2
 * client with `versionNegotiation: { mode: 'auto' }` negotiates 2026-07-28 on /mcp and calls
 * tools, statelessly, while SDK v1 clients on the same /mcp and on /sse keep their sessions; a
 * listen stream outlives a deploy that leaves its endpoint as it was, and ends gracefully on one that changes it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectSdkClient, PACKAGE_ROOT, startNodeRedWith, TUTORIAL_EXAMPLE, type RunningNodeRed } from '../support/node-red';

const CONFORMANCE_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'conformance-server.json');

/** A v2 client in `auto` mode on `url`. */
async function modernClient(url: string): Promise<{ client: ClientV2; transport: StreamableV2 }> {
  const client = new ClientV2({ name: 'modern-e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  const transport = new StreamableV2(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

function text(result: unknown): string {
  return ((result as { content: Array<{ text?: string }> }).content[0]?.text) ?? '';
}

describe('the v2 client in auto mode against the tutorial flow (hand-written)', () => {
  let nodeRed: RunningNodeRed;
  before(async () => {
    nodeRed = await startNodeRedWith(TUTORIAL_EXAMPLE, { install: 'link' });
  });
  after(() => nodeRed.stop());

  it('negotiates 2026-07-28 and calls add, with no session, while v1 clients on /mcp and /sse keep working', async () => {
    const { client, transport } = await modernClient(`${nodeRed.url}/mcp`);
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
    assert.equal(transport.sessionId, undefined, 'a stateless client has no Mcp-Session-Id');
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    assert.match(text(result), /5/);

    const v1 = new Client({ name: 'v1-mcp', version: '1.0.0' });
    const v1Transport = new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/mcp`));
    await v1.connect(v1Transport);
    assert.ok(v1Transport.sessionId, 'a 2025 client keeps its session');
    assert.match(text(await v1.callTool({ name: 'add', arguments: { a: 20, b: 22 } })), /42/);
    const sse = await connectSdkClient(`${nodeRed.url}/sse`);
    assert.match(text(await sse.callTool({ name: 'add', arguments: { a: 1, b: 1 } })), /2/);
    assert.match(text(await client.callTool({ name: 'add', arguments: { a: 7, b: 8 } })), /15/);
    await Promise.all([client.close(), v1.close(), sse.close()]);
  });

  it('names itself the same to every client: "tutorial" (its endpoint\'s name) in initialize to SDK v1 clients on /mcp and /sse, and in server/discover to a 2026-07-28 client', async () => {
    const { client } = await modernClient(`${nodeRed.url}/mcp`);
    const v1 = new Client({ name: 'v1-mcp', version: '1.0.0' });
    await v1.connect(new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/mcp`)));
    const sse = await connectSdkClient(`${nodeRed.url}/sse`);
    try {
      const expected = { name: 'tutorial', version: '1.0.0' };
      assert.deepEqual(client.getServerVersion(), expected, 'server/discover (2026-07-28)');
      assert.deepEqual(v1.getServerVersion(), expected, 'initialize on /mcp');
      assert.deepEqual(sse.getServerVersion(), expected, 'initialize on /sse');
      assert.doesNotMatch(nodeRed.output(), /The flow answers initialize as/);
    } finally {
      await Promise.all([client.close(), v1.close(), sse.close()]);
    }
  });
});

/** The tutorial flow, its initialize answer naming the server `name` itself, as flows written before the fix do. */
function tutorialNamedBy(name: string): string {
  const flow = JSON.parse(readFileSync(TUTORIAL_EXAMPLE, 'utf8')) as Array<{ id: string; func?: string }>;
  const initialize = flow.find((node) => node.id === 'mcp_fn_initialize') as { func: string };
  initialize.func = initialize.func.replace('capabilities: { tools: { listChanged: false } }', `capabilities: { tools: { listChanged: false } },\n        serverInfo: { name: '${name}', version: '1.0.0' }`);
  assert.match(initialize.func, new RegExp(name));
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcp-flow-')), 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

describe('a hand-written flow whose initialize answer names the server otherwise than its endpoint', () => {
  let nodeRed: RunningNodeRed;
  let flowFile: string;
  before(async () => {
    flowFile = tutorialNamedBy('node-red-mcp-tutorial');
    nodeRed = await startNodeRedWith(flowFile, { install: 'link' });
  });
  after(async () => {
    await nodeRed.stop();
    rmSync(path.dirname(flowFile), { recursive: true, force: true });
  });

  it('keeps the name the flow gave, and warns once in the log that 2026-07-28 clients see the endpoint\'s', async () => {
    const clients = [new Client({ name: 'v1-a', version: '1.0.0' }), new Client({ name: 'v1-b', version: '1.0.0' })];
    for (const v1 of clients) await v1.connect(new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/mcp`)));
    const { client } = await modernClient(`${nodeRed.url}/mcp`);
    try {
      for (const v1 of clients) assert.equal(v1.getServerVersion()?.name, 'node-red-mcp-tutorial');
      assert.equal(client.getServerVersion()?.name, 'tutorial');
      const warnings = nodeRed.output().split('\n').filter((line) => line.includes('The flow answers initialize as "node-red-mcp-tutorial", but its endpoint names the server "tutorial"'));
      assert.equal(warnings.length, 1, nodeRed.output());
      assert.match(warnings[0], /\[warn\] \[mcp-sse-out/);
    } finally {
      await Promise.all([client.close(), ...clients.map((c) => c.close())]);
    }
  });
});

describe('the v2 client in auto mode against declared tools (the conformance example)', () => {
  let nodeRed: RunningNodeRed;
  before(async () => {
    nodeRed = await startNodeRedWith(CONFORMANCE_EXAMPLE, { install: 'link' });
  });
  after(() => nodeRed.stop());

  it('lists and calls declared tools on 2026-07-28', async () => {
    const { client } = await modernClient(`${nodeRed.url}/mcp`);
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === 'test_simple_text'));
    assert.match(text(await client.callTool({ name: 'test_simple_text' })), /simple text/i);
    await client.close();
  });

  it('keeps a listen stream open across a full deploy that leaves the endpoint as it was; one that changes it ends the stream gracefully (the subscriptions/listen result)', async () => {
    const { client } = await modernClient(`${nodeRed.url}/mcp`);
    const subscription = await client.listen({ toolsListChanged: true, promptsListChanged: true });
    assert.deepEqual(subscription.honoredFilter, { toolsListChanged: true, promptsListChanged: true });
    let ended: unknown;
    void subscription.closed.then((cause) => { ended = cause; });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ended, undefined, 'still open');
    const flows = await (await fetch(`${nodeRed.url}/flows`)).json() as Array<{ id: string }>;
    const deploy = (body: unknown[]): Promise<Response> => fetch(`${nodeRed.url}/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(body) });
    let deployed = await deploy(flows);
    assert.ok(deployed.ok, `deploy: ${deployed.status}`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(ended, undefined, 'still open after a deploy that changed nothing');
    deployed = await deploy(flows.map((node) => (node.id === 'conf_endpoint' ? { ...node, keepAlive: 20 } : node)));
    assert.ok(deployed.ok, `deploy: ${deployed.status}`);
    assert.equal(await subscription.closed, 'graceful', 'the server ended the subscription, not a cut connection');
    await client.close();
  });
});
