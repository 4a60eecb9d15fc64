/**
 * Deploys as connected clients meet them (issue 18, items 0 to 2), in the real node-red with the
 * tutorial (`add` on /mcp and /sse, a hand-written flow) and server-push (`count`, which keeps a
 * request in flight, and `ask_name`, which asks the client) examples, deployed through the admin
 * API as the editor does:
 * - a full, a modified-flows and a modified-nodes deploy that leave the endpoint as it was go
 *   unnoticed: the SDK v1 client on /mcp, the v1 SSE client on /sse and the v2 client
 *   (2026-07-28) call `add` after each, without reconnecting; a deploy that moves the endpoint's
 *   path ends the old session (404);
 * - a request in flight during a full deploy gets a JSON-RPC error (-32000) within 1 s, on each
 *   transport; one during a modified-nodes deploy that leaves its flow alone is answered;
 * - 20 clients calling `add` across 3 full deploys never wait more than 2 s;
 * - calls sent during a full deploy that takes 5 s (a node slow to close) are answered once it is
 *   done, not with 404;
 * - a `requestState` sealed before a full deploy that restarts the endpoint is accepted after it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { StreamableClient } from '../support/streamable-client';

type FlowNode = Record<string, unknown> & { id: string };
type DeployType = 'full' | 'flows' | 'nodes';
/** What each client does: call a tool and get its text. */
type Caller = { name: string; call(name: string, args: Record<string, unknown>, options?: object): Promise<string>; close(): Promise<void> };

const RESTARTING = 'Connection closed: the MCP endpoint is restarting; send the request again';
const EXAMPLES = path.join(PACKAGE_ROOT as string, 'examples');
const readExample = (name: string): FlowNode[] => JSON.parse(readFileSync(path.join(EXAMPLES, name), 'utf8')) as FlowNode[];
/** The tutorial and server-push examples, unchanged, as one flow. */
const FLOW: FlowNode[] = [...readExample('tutorial-mcp-server.json'), ...readExample('server-push.json')];

/** `FLOW` with `change` applied to a copy of node `id`. */
function changed(id: string, change: Record<string, unknown>): FlowNode[] {
  return FLOW.map((node) => (node.id === id ? { ...node, ...change } : node));
}

/** Deploys `flow` through the admin API, as the editor does, and waits until it has started. */
async function deploy(nodeRed: RunningNodeRed, flow: FlowNode[], type: DeployType = 'full'): Promise<void> {
  const started = (): number => (nodeRed.output().match(/Started (flows|modified nodes|modified flows)/g) ?? []).length;
  const before = started();
  const answer = await fetch(`${nodeRed.url}/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': type }, body: JSON.stringify(flow) });
  assert.ok(answer.ok, `deploy: ${answer.status} ${await answer.text()}`);
  const start = Date.now();
  while (started() === before) {
    if (Date.now() - start > 10_000) throw new Error(`the deploy did not start:\n${nodeRed.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function textOf(result: unknown): string {
  return (result as { content?: Array<{ text?: string }> }).content?.[0]?.text ?? '';
}

/** The SDK v1 client on the Streamable HTTP path (a 2025-11-25 session). */
async function v1Streamable(url: string): Promise<Caller & { transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'deploy-v1-mcp', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { name: 'v1 /mcp', transport, call: async (name, args, options) => textOf(await client.callTool({ name, arguments: args }, undefined, options)), close: () => client.close() };
}

/** The SDK v1 client on the HTTP+SSE path (a 2024-11-05 session). */
async function v1Sse(url: string): Promise<Caller> {
  const client = new Client({ name: 'deploy-v1-sse', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(url)));
  return { name: 'v1 /sse', call: async (name, args, options) => textOf(await client.callTool({ name, arguments: args }, undefined, options)), close: () => client.close() };
}

/** The v2 client in `auto` mode on the Streamable HTTP path: 2026-07-28, no session. */
async function v2(url: string, elicit?: () => Promise<{ action: 'accept'; content: Record<string, string> }>): Promise<Caller> {
  const client = new ClientV2({ name: 'deploy-v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: elicit === undefined ? {} : { elicitation: {} } });
  if (elicit !== undefined) client.setRequestHandler('elicitation/create', () => elicit());
  const transport = new StreamableV2(new URL(url));
  await client.connect(transport);
  assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
  assert.equal(transport.sessionId, undefined);
  return { name: 'v2 /mcp', call: async (name, args) => textOf(await client.callTool({ name, arguments: args })), close: () => client.close() };
}

/** How a call ended, and when (epoch ms). */
type Outcome = { error?: { code?: number; message?: string }; at: number };

/** Follows a call from now on (so that its failure is handled at once), to how it ended. */
function outcomeOf(calling: Promise<unknown>): Promise<Outcome> {
  return calling.then(() => ({ at: Date.now() }), (error: unknown) => ({ error: error as Outcome['error'], at: Date.now() }));
}

/** Asserts that a call failed with the JSON-RPC error an interrupted request gets, and returns when (epoch ms). */
async function interrupted(calling: Promise<Outcome>, who: string): Promise<number> {
  const { error, at } = await calling;
  assert.ok(error !== undefined, `${who}: the call succeeded`);
  assert.equal(error.code, -32000, `${who}: ${String(error.message)}`);
  assert.match(String(error.message), /the MCP endpoint is restarting/, who);
  return at;
}

describe('deploys in the real node-red, as connected clients meet them', () => {
  let nodeRed: RunningNodeRed;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-deploys-'));
    const file = path.join(dir, 'flows.json');
    writeFileSync(file, JSON.stringify(FLOW));
    // No MCP_STATE_SECRET: the endpoints make their own.
    nodeRed = await startNodeRedWith(file, { env: { MCP_REDIS_URL: '' } });
  });
  after(async () => {
    await nodeRed.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes unnoticed by v1 /mcp, v1 /sse and v2 clients when it leaves the endpoint as it was: full, modified flows, modified nodes', async () => {
    const mcp = await v1Streamable(`${nodeRed.url}/mcp`);
    const sessionId = mcp.transport.sessionId;
    const clients = [mcp, await v1Sse(`${nodeRed.url}/sse`), await v2(`${nodeRed.url}/mcp`)];
    try {
      for (const client of clients) assert.equal(await client.call('add', { a: 1, b: 2 }), '3', client.name);
      // A full deploy restarts every node; a modified-flows one every node of the tutorial's tab
      // (its comment changed; the endpoint is a global config node); a modified-nodes one the
      // node that changed.
      const deploys: Array<[DeployType, FlowNode[]]> = [
        ['full', FLOW],
        ['flows', changed('mcp_comment', { name: 'the tutorial, changed' })],
        ['nodes', changed('mcp_fn_add', { name: 'add, renamed' })],
      ];
      for (const [i, [type, flow]] of deploys.entries()) {
        await deploy(nodeRed, flow, type);
        for (const client of clients) assert.equal(await client.call('add', { a: i, b: 40 }), String(i + 40), `${client.name} after a ${type} deploy`);
      }
      assert.equal(mcp.transport.sessionId, sessionId, 'the v1 client kept its session');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('answers every request in flight during a full deploy with -32000 within 1 s: 2025 POST stream, 2026 JSON, 2026 stream, HTTP+SSE', async (t) => {
    const url = `${nodeRed.url}/push/mcp`;
    const mcp = await v1Streamable(url);
    const sse = await v1Sse(`${nodeRed.url}/push/sse`);
    // `count` answers after steps × delayMs: 100 s, far past the deploy.
    const slow = { steps: 10, delayMs: 10_000 };
    const modern = (id: string, meta: Record<string, unknown>): Promise<{ status: number; json?: unknown; events?: unknown[] }> => {
      const c = new StreamableClient(url);
      const params = { name: 'count', arguments: slow, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, ...meta } };
      return c.post({ jsonrpc: '2.0', id, method: 'tools/call', params }, { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'count' })
        .then(async (answer) => {
          if (answer.stream === undefined) return { status: answer.status, json: answer.json };
          await answer.stream.ended;
          return { status: answer.status, events: answer.stream.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as unknown) };
        });
    };
    try {
      const calls = {
        '2025 POST stream': outcomeOf(mcp.call('count', slow, { timeout: 30_000 })),
        'HTTP+SSE': outcomeOf(sse.call('count', slow, { timeout: 30_000 })),
      };
      const json = modern('json-1', {});
      const streamed = modern('stream-1', { progressToken: 'p1' });
      await new Promise((r) => setTimeout(r, 300));
      const deployed = Date.now();
      await deploy(nodeRed, FLOW);
      const took: string[] = [];
      for (const [who, calling] of Object.entries(calls)) {
        const after = await interrupted(calling, who) - deployed;
        took.push(`${who} ${after} ms`);
        assert.ok(after < 1000, `${who}: within 1 s`);
      }
      const jsonAnswer = await json;
      took.push(`2026 JSON by ${Date.now() - deployed} ms`);
      assert.ok(Date.now() - deployed < 1000);
      assert.deepEqual(jsonAnswer, { status: 200, json: { jsonrpc: '2.0', id: 'json-1', error: { code: -32000, message: RESTARTING } } }, 'one error object, not []');
      const streamAnswer = await streamed;
      took.push(`2026 stream by ${Date.now() - deployed} ms`);
      t.diagnostic(`after the deploy request was sent: ${took.join(', ')}`);
      assert.ok(Date.now() - deployed < 1000);
      assert.deepEqual(streamAnswer.events?.at(-1), { jsonrpc: '2.0', id: 'stream-1', error: { code: -32000, message: RESTARTING } });
      // The sessions go on.
      assert.equal(await mcp.call('count', { steps: 1, delayMs: 0 }), 'counted to 1');
      assert.equal(await sse.call('count', { steps: 1, delayMs: 0 }), 'counted to 1');
    } finally {
      await Promise.all([mcp.close(), sse.close()]);
    }
  });

  it('answers a request in flight during a modified-nodes deploy that leaves its flow alone', async () => {
    const mcp = await v1Streamable(`${nodeRed.url}/push/mcp`);
    try {
      const counting = mcp.call('count', { steps: 2, delayMs: 500 });
      await new Promise((r) => setTimeout(r, 200));
      await deploy(nodeRed, changed('mcp_comment', { name: 'changed again' }), 'nodes');
      assert.equal(await counting, 'counted to 2');
    } finally {
      await mcp.close();
    }
    await deploy(nodeRed, FLOW);
  });

  it('keeps 20 clients calling add across 3 full deploys: no call waits more than 2 s, and none has to reconnect', async (t) => {
    const clients: Caller[] = [];
    for (let i = 0; i < 8; i++) clients.push(await v1Streamable(`${nodeRed.url}/mcp`));
    for (let i = 0; i < 6; i++) clients.push(await v1Sse(`${nodeRed.url}/sse`));
    for (let i = 0; i < 6; i++) clients.push(await v2(`${nodeRed.url}/mcp`));
    let running = true;
    const slowest: number[] = clients.map(() => 0);
    const failures: string[] = [];
    let calls = 0;
    let restarted = 0;
    const loops = clients.map(async (client, c) => {
      for (let n = 0; running; n++) {
        const start = Date.now();
        try {
          assert.equal(await client.call('add', { a: c, b: n }, { timeout: 10_000 }), String(c + n));
          calls++;
        } catch (error) {
          // Only a call the flow was working on at a deploy may fail, with the restart error.
          if ((error as { code?: number }).code !== -32000) failures.push(`${client.name}: ${(error as Error).message}`);
          else restarted++;
        }
        slowest[c] = Math.max(slowest[c], Date.now() - start);
      }
    });
    try {
      for (let d = 0; d < 3; d++) {
        await new Promise((r) => setTimeout(r, 300));
        await deploy(nodeRed, FLOW);
      }
      await new Promise((r) => setTimeout(r, 300));
      running = false;
      await Promise.all(loops);
      t.diagnostic(`${calls} calls answered, ${restarted} answered -32000 (in a flow at a deploy), slowest call ${Math.max(...slowest)} ms`);
      assert.deepEqual(failures, []);
      assert.ok(Math.max(...slowest) <= 2000, `the slowest calls took ${slowest.join(', ')} ms`);
      assert.ok(calls >= clients.length, `${calls} calls answered`);
      for (const [c, client] of clients.entries()) assert.equal(await client.call('add', { a: c, b: 1 }), String(c + 1), client.name);
    } finally {
      running = false;
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('answers calls sent during a full deploy that takes 5 s (a node slow to close), on v1 /mcp, v1 /sse and v2: none gets 404 or hangs', async (t) => {
    // Node-RED starts the new nodes only once every old one has closed: this function node takes
    // 5 s, once its close listener is added (by the msg the inject node sends at start, so after
    // the function node's own listener, which clears the node's timers).
    const slow: FlowNode[] = [
      { id: 'slow_inject', type: 'inject', z: 'mcp_tab_tutorial', name: '', props: [], repeat: '', once: true, onceDelay: 0.1, topic: '', x: 120, y: 600, wires: [['slow_close']] },
      { id: 'slow_close', type: 'function', z: 'mcp_tab_tutorial', name: 'slow to close', func: 'node.on("close", (done) => setTimeout(done, 5000));\nnode.log("slow to close from now on");\nreturn null;', outputs: 1, x: 300, y: 600, wires: [[]] },
    ];
    const slowFlow = [...FLOW, ...slow];
    const slowNow = (): number => (nodeRed.output().match(/slow to close from now on/g) ?? []).length;
    const before = slowNow();
    await deploy(nodeRed, slowFlow);
    while (slowNow() === before) await new Promise((r) => setTimeout(r, 10));
    const clients = [await v1Streamable(`${nodeRed.url}/mcp`), await v1Sse(`${nodeRed.url}/sse`), await v2(`${nodeRed.url}/mcp`)];
    try {
      const deploying = deploy(nodeRed, slowFlow);
      await new Promise((r) => setTimeout(r, 300));
      const sent = Date.now();
      const calls = clients.map((client, c) => outcomeOf(client.call('add', { a: c, b: 100 }, { timeout: 15_000 }).then((text) => assert.equal(text, String(c + 100), client.name))));
      await deploying;
      assert.ok(Date.now() - sent >= 4000, 'the deploy took the 5 s of the slow node');
      const took: string[] = [];
      for (const [c, calling] of calls.entries()) {
        const { error, at } = await calling;
        took.push(`${clients[c].name} ${at - sent} ms`);
        // Answered by the new flow, or, had the old flow taken it, -32000 at once: never 404, never a timeout.
        assert.ok(error === undefined || error.code === -32000, `${clients[c].name}: ${String(error?.code)} ${String(error?.message)}`);
      }
      t.diagnostic(`answered after ${took.join(', ')}`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await deploy(nodeRed, FLOW);
    }
  });

  it('accepts a requestState made before a full deploy that restarted the endpoint (State secret left blank)', async () => {
    let asked = 0;
    const client = await v2(`${nodeRed.url}/push/mcp`, async () => {
      asked++;
      // Between the input_required result and the retry: a deploy that changes the endpoint (it
      // is made again, with the same id) and so ends everything it held.
      await deploy(nodeRed, changed('mcp_push_cfg', { keepAlive: 20 }));
      return { action: 'accept', content: { name: 'Ada' } };
    });
    try {
      assert.equal(await client.call('ask_name', {}), 'Hello, Ada!');
      assert.equal(asked, 1);
    } finally {
      await client.close();
    }
  });

  it('ends the old session of an endpoint whose path a deploy moved (404), and serves the new path', async () => {
    const mcp = await v1Streamable(`${nodeRed.url}/mcp`);
    try {
      await deploy(nodeRed, changed('mcp_cfg_tutorial', { streamablePath: '/mcp-moved' }));
      const { error } = await outcomeOf(mcp.call('add', { a: 1, b: 1 }));
      assert.equal(error?.code, 404, `the old session must not answer: ${String(error?.message)}`);
      const moved = await v1Streamable(`${nodeRed.url}/mcp-moved`);
      assert.equal(await moved.call('add', { a: 2, b: 2 }), '4');
      await moved.close();
    } finally {
      await mcp.close().catch(() => {});
      await deploy(nodeRed, FLOW);
    }
  });
});

const NODE_RED_5 = NODE_RED_VERSIONS.find((v) => v.nodeRed.startsWith('5.')) as (typeof NODE_RED_VERSIONS)[number];

describe(`a full deploy that leaves the endpoint as it was, on ${NODE_RED_5.name}`, () => {
  let nodeRed: RunningNodeRed;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-deploys-5-'));
    const file = path.join(dir, 'flows.json');
    writeFileSync(file, JSON.stringify(FLOW));
    nodeRed = await startNodeRedWith(file, { node: NODE_RED_5.node, bin: NODE_RED_5.bin, env: { MCP_REDIS_URL: '' } });
    assertRunsOn(NODE_RED_5, nodeRed.output());
  });
  after(async () => {
    await nodeRed.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes unnoticed by v1 /mcp and v1 /sse clients, and answers a request in flight -32000', async () => {
    const mcp = await v1Streamable(`${nodeRed.url}/mcp`);
    const sse = await v1Sse(`${nodeRed.url}/sse`);
    const push = await v1Streamable(`${nodeRed.url}/push/mcp`);
    try {
      const counting = outcomeOf(push.call('count', { steps: 10, delayMs: 10_000 }));
      await new Promise((r) => setTimeout(r, 300));
      await deploy(nodeRed, FLOW);
      await interrupted(counting, 'count');
      assert.equal(await mcp.call('add', { a: 5, b: 6 }), '11');
      assert.equal(await sse.call('add', { a: 7, b: 8 }), '15');
      assert.equal(await push.call('count', { steps: 1, delayMs: 0 }), 'counted to 1');
    } finally {
      await Promise.all([mcp.close(), sse.close(), push.close()]);
    }
  });
});
