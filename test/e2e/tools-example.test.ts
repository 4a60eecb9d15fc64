/**
 * examples/tools.json, the everyday declared server, in the real node-red with the official SDK
 * client: its tools (one calling an HTTP API, here a local stand-in on 127.0.0.1), its file
 * resource and its prompt, on both transports; arguments checked against the schema; a failing
 * HTTP request as a tool error; and deploys that change or remove a tool announced to open sessions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { listenOnLoopback, waitFor } from '../support/core-server';

const TOOLS_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'tools.json');
const NOTES = '# Team notes\n\nStand-up at 9:30.\n';

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The example with its HTTP API pointed at `apiUrl` (a local stand-in, never the internet). */
function exampleFor(apiUrl: string, dir: string): string {
  const flow = JSON.parse(readFileSync(TOOLS_EXAMPLE, 'utf8')) as FlowNode[];
  const request = flow.find((n) => n.type === 'http request') as FlowNode;
  assert.match(String(request.url), /^https:\/\/api\.open-meteo\.com\/v1\/forecast\?/);
  request.url = String(request.url).replace('https://api.open-meteo.com', apiUrl);
  const file = path.join(dir, 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

async function connect(url: string, transport: 'streamable' | 'sse'): Promise<Client> {
  const client = new Client({ name: 'tools-e2e', version: '1.0.0' });
  await client.connect(transport === 'sse' ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** The text of a tool result's first content block (the SDK's `callTool` also types the pre-2024-11-05 `toolResult` shape). */
function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  const [first] = CallToolResultSchema.parse(result).content;
  assert.ok(first?.type === 'text', 'the first content block is text');
  return first.text;
}

for (const version of NODE_RED_VERSIONS) describe(`examples/tools.json in the real node-red, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  let api: { url: string; close(): Promise<void> };
  const asked: string[] = [];
  let dir: string;
  const savedNotesEnv = process.env.MCP_NOTES_FILE;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-tools-'));
    writeFileSync(path.join(dir, 'notes.md'), NOTES);
    api = await listenOnLoopback(http.createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ current: { temperature_2m: 12.5, wind_speed_10m: 7 } }));
    }));
    process.env.MCP_NOTES_FILE = path.join(dir, 'notes.md');
    nodeRed = await startNodeRedWith(exampleFor(api.url, dir), { node: version.node, bin: version.bin, install: 'link' });
    assertRunsOn(version, nodeRed.output());
  });
  after(async () => {
    if (savedNotesEnv === undefined) delete process.env.MCP_NOTES_FILE;
    else process.env.MCP_NOTES_FILE = savedNotesEnv;
    await nodeRed.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists and calls the declared tools over Streamable HTTP, with the schema as typed', async () => {
    const client = await connect(`${nodeRed.url}/tools/mcp`, 'streamable');
    try {
      assert.deepEqual(client.getServerVersion(), { name: 'node-red-tools', version: '1.0.0' });
      assert.match(client.getInstructions() ?? '', /weather/);
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), ['add', 'weather']);
      const weather = tools.find((t) => t.name === 'weather');
      assert.equal(weather?.inputSchema.additionalProperties, false);
      assert.deepEqual(weather?.annotations, { readOnlyHint: true, openWorldHint: true });
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      const answer = await client.callTool({ name: 'weather', arguments: { latitude: 52.52, longitude: 13.41 } });
      assert.deepEqual(JSON.parse(text(answer)), { current: { temperature_2m: 12.5, wind_speed_10m: 7 } });
      assert.match(asked.at(-1) ?? '', /^\/v1\/forecast\?latitude=52\.52&longitude=13\.41&/);
    } finally {
      await client.close();
    }
  });

  it('answers arguments that do not match the schema with a tool error naming them, without calling the API', async () => {
    const client = await connect(`${nodeRed.url}/tools/mcp`, 'streamable');
    try {
      const before = asked.length;
      const bad = await client.callTool({ name: 'weather', arguments: { latitude: 'north', longitude: 13.41, altitude: 3 } });
      assert.equal(bad.isError, true);
      assert.match(text(bad), /arguments\/latitude must be number/);
      assert.match(text(bad), /must not have property 'altitude'/);
      const missing = await client.callTool({ name: 'add', arguments: { a: 1 } });
      assert.equal(missing.isError, true);
      assert.match(text(missing), /must have required property 'b'/);
      assert.equal(asked.length, before, 'the HTTP API was not called');
    } finally {
      await client.close();
    }
  });

  it('serves the same tools, the file resource and the prompt over HTTP+SSE', async () => {
    const client = await connect(`${nodeRed.url}/tools/sse`, 'sse');
    try {
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 40, b: 2 } })).content, [{ type: 'text', text: '42' }]);
      const { resources } = await client.listResources();
      assert.deepEqual(resources, [{ uri: 'notes://team', name: 'notes', title: 'Team notes', description: "The team's notes, as Markdown", mimeType: 'text/markdown' }]);
      assert.deepEqual((await client.readResource({ uri: 'notes://team' })).contents, [{ uri: 'notes://team', mimeType: 'text/markdown', text: NOTES }]);
      const prompt = await client.getPrompt({ name: 'explain', arguments: { topic: 'MCP', audience: 'beginners' } });
      assert.deepEqual(prompt.messages, [{ role: 'user', content: { type: 'text', text: 'Explain MCP in three short paragraphs for beginners. End with one example.' } }]);
      const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'explain' }, argument: { name: 'topic', value: 'node' } });
      assert.deepEqual(completion.completion.values, ['Node-RED']);
      await assert.rejects(client.getPrompt({ name: 'explain', arguments: {} }), /needs the argument topic/);
    } finally {
      await client.close();
    }
  });

  it('answers a failing HTTP request (caught by the Catch node) with a tool error', async () => {
    const client = await connect(`${nodeRed.url}/tools/mcp`, 'streamable');
    try {
      await api.close();
      const failed = await client.callTool({ name: 'weather', arguments: { latitude: 1, longitude: 2 } });
      assert.equal(failed.isError, true);
      assert.match(text(failed), /ECONNREFUSED/);
    } finally {
      await client.close();
    }
  });

  it('tells open sessions when a deploy changes or removes a tool', async () => {
    const client = await connect(`${nodeRed.url}/tools/mcp`, 'streamable');
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => { changed++; });
    try {
      // The SDK client opens its standalone GET stream after initialize; list_changed travels on it.
      await client.listTools();
      await new Promise((r) => setTimeout(r, 300));
      const headers = { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'nodes' };
      const { flows, rev } = await (await fetch(`${nodeRed.url}/flows`, { headers })).json() as { flows: FlowNode[]; rev: string };
      (flows.find((n) => n.id === 'tools_add') as FlowNode).description = 'Add two numbers, exactly';
      let deployed = await fetch(`${nodeRed.url}/flows`, { method: 'POST', headers, body: JSON.stringify({ flows, rev }) });
      assert.equal(deployed.status, 200);
      await waitFor(() => changed === 1, 5000, 'notifications/tools/list_changed after the change');
      assert.equal((await client.listTools()).tools.find((t) => t.name === 'add')?.description, 'Add two numbers, exactly');
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(changed, 1, 'one notification per deploy, not one per node stopped and started');

      const { rev: rev2 } = await deployed.json() as { rev: string };
      const without = flows.filter((n) => n.id !== 'tools_weather' && n.id !== 'tools_weather_http');
      deployed = await fetch(`${nodeRed.url}/flows`, { method: 'POST', headers, body: JSON.stringify({ flows: without, rev: rev2 }) });
      assert.equal(deployed.status, 200);
      await waitFor(() => changed === 2, 5000, 'notifications/tools/list_changed after the removal');
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['add']);
    } finally {
      await client.close();
    }
  });
});
