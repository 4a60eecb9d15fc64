/**
 * No lock-out, in the real node-red with the tutorial example (issue 18, items 3 and 6):
 * - 2000 abandoned sessions (initialize POSTs on /mcp, never deleted) no longer keep new clients
 *   out: the SDK v1 Streamable HTTP client gets 200 at once and calls add, and an evicted
 *   abandoned session answers 404. From one address (X-Forwarded-For ignored: Node-RED's
 *   default settings trust no proxy), the per-client cap keeps 100 of them; from 2000 addresses
 *   behind a trusted proxy (`httpServerOptions: { "trust proxy": "loopback" }`), the endpoint's
 *   1000-session maximum evicts the least recently active;
 * - a session with an open stream or a request in flight is never evicted: when every session is
 *   active, /mcp and /sse answer 503 with Retry-After and a JSON-RPC error;
 * - the 2026-07-28 listen streams are limited (Listen streams): past it, 503 with Retry-After.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startNodeRedWith, TUTORIAL_EXAMPLE, type RunningNodeRed } from '../support/node-red';
import { request } from '../support/sse-client';
import { StreamableClient, type StreamableAnswer } from '../support/streamable-client';

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The abandoned sessions of the flood. */
const FLOOD = 2000;
/** Initialize POSTs in flight at once during the flood. */
const CONCURRENCY = 16;
const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

/** The tutorial flow with the endpoint's settings changed, and an add tool that never answers a = 777. */
function tutorialFlow(endpoint: Record<string, unknown> = {}): FlowNode[] {
  const flow = JSON.parse(readFileSync(TUTORIAL_EXAMPLE, 'utf8')) as FlowNode[];
  for (const node of flow) {
    if (node.type === 'mcp-sse-endpoint') Object.assign(node, endpoint);
    if (node.id === 'mcp_fn_add') node.func = ["if ((msg.payload.params.arguments || {}).a === 777) return null; // never answers", node.func].join('\n');
  }
  return flow;
}

function writeFlowFile(flow: FlowNode[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcp-flow-')), 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

/** Deploys `flow` (full) through the admin API and waits until it has started. */
async function deploy(nodeRed: RunningNodeRed, flow: unknown[]): Promise<void> {
  const started = (): number => (nodeRed.output().match(/Started flows/g) ?? []).length;
  const before = started();
  const answer = await request(`${nodeRed.url}/flows`, { headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
  assert.ok(answer.status === 200 || answer.status === 204, `deploy: ${answer.status} ${answer.body}`);
  const start = Date.now();
  while (started() === before) {
    if (Date.now() - start > 30_000) throw new Error(`deploy did not start:\n${nodeRed.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An address of the flood: 10.0.x.y, one per session. */
function floodAddress(i: number): string {
  return `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** Opens a session on /mcp (its POST's answer read to the end) and abandons it; `from` goes in X-Forwarded-For. */
async function abandonedSession(mcpUrl: string, from?: string): Promise<StreamableClient> {
  const c = new StreamableClient(mcpUrl, from === undefined ? {} : { 'X-Forwarded-For': from });
  const answer = await c.initialize('init');
  assert.equal(answer.status, 200, answer.body);
  assert.equal(await answer.stream?.ended, true);
  return c;
}

/** `count` abandoned sessions, CONCURRENCY at a time, in the order they were opened. */
async function flood(mcpUrl: string, count: number, from: (i: number) => string | undefined): Promise<StreamableClient[]> {
  const sessions: StreamableClient[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < count; i = next++) sessions[i] = await abandonedSession(mcpUrl, from(i));
  }));
  return sessions;
}

/** What a notification POST on the session gets: 202 while it is open, 404 once it has gone. */
async function statusOf(c: StreamableClient): Promise<number> {
  return (await c.post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status;
}

/** The SDK v1 Streamable HTTP client connects (with `headers`) and adds 2 and 3. */
async function sdkClientAdds(mcpUrl: string, headers: Record<string, string> = {}): Promise<void> {
  const client = new Client({ name: 'e2e-after-flood', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers } }));
  try {
    assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
  } finally {
    await client.close();
  }
}

function assertFull(answer: { status: number; headers: Record<string, unknown>; body: string }, max: number): void {
  assert.equal(answer.status, 503, answer.body);
  assert.equal(answer.headers['retry-after'], '5');
  assert.deepEqual(JSON.parse(answer.body), { jsonrpc: '2.0', id: null, error: { code: -32000, message: `This MCP endpoint has its maximum of ${max} open sessions; try again later` } });
}

describe('no lock-out: the tutorial example after 2000 abandoned sessions, Node-RED\'s default settings', () => {
  let nodeRed: RunningNodeRed;
  let flowDir: string;
  before(async () => {
    const file = writeFlowFile(tutorialFlow());
    flowDir = path.dirname(file);
    nodeRed = await startNodeRedWith(file);
  });
  after(async () => {
    await nodeRed?.stop();
    rmSync(flowDir, { recursive: true, force: true });
  });

  it('a new SDK client gets in at once and adds; one address (its X-Forwarded-For not trusted) keeps its newest 100 idle sessions', async () => {
    const mcpUrl = `${nodeRed.url}/mcp`;
    const abandoned = await flood(mcpUrl, FLOOD, floodAddress);
    await sdkClientAdds(mcpUrl);
    // The flood's sessions open about in order: CONCURRENCY at a time may swap places.
    assert.equal(await statusOf(abandoned[0]), 404, 'the oldest was evicted');
    assert.equal(await statusOf(abandoned[FLOOD - 100 - 2 * CONCURRENCY]), 404, 'past the per-client cap of 100');
    assert.equal(await statusOf(abandoned[FLOOD - 100 + 2 * CONCURRENCY]), 202, 'within the newest 100');
    assert.equal(await statusOf(abandoned[FLOOD - 1]), 202, 'the newest is still open');
    // The evicted client starts a new session, as MCP intends.
    const again = await abandonedSession(mcpUrl);
    assert.equal(await statusOf(again), 202);
  });
});

describe('no lock-out behind a trusted proxy: the endpoint\'s maximum, active sessions, listen streams', () => {
  let nodeRed: RunningNodeRed;
  let flowDir: string;
  before(async () => {
    const file = writeFlowFile(tutorialFlow());
    flowDir = path.dirname(file);
    nodeRed = await startNodeRedWith(file, { settings: { httpServerOptions: { 'trust proxy': 'loopback' } } });
  });
  after(async () => {
    await nodeRed?.stop();
    rmSync(flowDir, { recursive: true, force: true });
  });

  it('2000 abandoned sessions from 2000 addresses: at the 1000 maximum the least recently active goes, and the SDK client gets in and adds', async () => {
    const mcpUrl = `${nodeRed.url}/mcp`;
    const abandoned = await flood(mcpUrl, FLOOD, floodAddress);
    await sdkClientAdds(mcpUrl, { 'X-Forwarded-For': '192.0.2.200' });
    // The flood's sessions open about in order: CONCURRENCY at a time may swap places.
    assert.equal(await statusOf(abandoned[0]), 404);
    assert.equal(await statusOf(abandoned[FLOOD - 1000 - 2 * CONCURRENCY]), 404, 'past the maximum of 1000');
    assert.equal(await statusOf(abandoned[FLOOD - 1000 + 2 * CONCURRENCY]), 202, 'within the newest 1000');
    assert.equal(await statusOf(abandoned[FLOOD - 1]), 202);
  });

  it('evicts only idle sessions: per client past its cap, then the least recently active; all active, 503 on /mcp and /sse', async () => {
    await deploy(nodeRed, tutorialFlow({ maxSessions: 4, maxIdlePerClient: 2 }));
    const mcpUrl = `${nodeRed.url}/mcp`;
    const streams: StreamableAnswer[] = [];
    try {
      // One address past its cap of 2: its own oldest goes.
      const a = [await abandonedSession(mcpUrl, '203.0.113.1'), await abandonedSession(mcpUrl, '203.0.113.1'), await abandonedSession(mcpUrl, '203.0.113.1')];
      assert.equal(await statusOf(a[0]), 404);
      assert.equal(await statusOf(a[2]), 202);
      const b = await abandonedSession(mcpUrl, '203.0.113.2');
      // Four open (a[1], a[2], b, c): the fifth takes the place of the least recently active, a[1].
      const c = await abandonedSession(mcpUrl, '203.0.113.3');
      const d = await abandonedSession(mcpUrl, '203.0.113.4');
      assert.equal(await statusOf(a[1]), 404);
      for (const open of [a[2], b, c, d]) assert.equal(await statusOf(open), 202);

      // All active: three standalone GET streams and a tools/call the flow never answers.
      for (const open of [a[2], b, d]) {
        const get = await open.get();
        assert.equal(get.status, 200);
        streams.push(get);
      }
      const held = await c.post({ jsonrpc: '2.0', id: 'held', method: 'tools/call', params: { name: 'add', arguments: { a: 777, b: 1 } } });
      assert.equal(held.status, 200, 'its POST stream stays open, waiting for the answer');
      streams.push(held);
      assertFull(await new StreamableClient(mcpUrl, { 'X-Forwarded-For': '203.0.113.9' }).initialize('init'), 4);
      assertFull(await request(`${nodeRed.url}/sse`, { method: 'GET', headers: { Accept: 'text/event-stream' } }), 4);
      for (const open of [a[2], b, c, d]) assert.equal(await statusOf(open), 202, 'no active session was evicted');

      // One quiet again (its client closed its stream): a new client takes its place.
      streams[1].close();
      let fresh: StreamableAnswer | undefined;
      const start = Date.now();
      while (fresh?.status !== 200 && Date.now() - start < 5000) fresh = await new StreamableClient(mcpUrl, { 'X-Forwarded-For': '203.0.113.9' }).initialize('init');
      assert.equal(fresh?.status, 200);
      assert.equal(await statusOf(b), 404);
      for (const open of [a[2], c, d]) assert.equal(await statusOf(open), 202);
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('Listen streams: past the limit, a 2026-07-28 subscriptions/listen gets 503 with Retry-After and a JSON-RPC error', async () => {
    await deploy(nodeRed, tutorialFlow({ maxListenStreams: 2 }));
    const listen = (id: string): Promise<StreamableAnswer> => new StreamableClient(`${nodeRed.url}/mcp`).post(
      { jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: ENVELOPE } },
      { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'subscriptions/listen' });
    const open = [await listen('L1'), await listen('L2')];
    try {
      for (const answer of open) assert.equal(answer.status, 200);
      const refused = await listen('L3');
      assert.equal(refused.status, 503);
      assert.equal(refused.headers['retry-after'], '5');
      assert.deepEqual(refused.json, { jsonrpc: '2.0', id: 'L3', error: { code: -32000, message: 'This MCP endpoint has its maximum of 2 open listen streams; try again later' } });
      open[0].close();
      let again: StreamableAnswer | undefined;
      const start = Date.now();
      while (again?.status !== 200 && Date.now() - start < 5000) again = await listen('L4');
      assert.equal(again?.status, 200, 'one closed, another opens');
      open.push(again as StreamableAnswer);
    } finally {
      for (const answer of open) answer.close();
    }
  });
});
