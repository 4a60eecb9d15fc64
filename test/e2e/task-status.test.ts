/**
 * `msg.mcp.taskStatus` on the msg a flow keeps, in the real node-red: a Task: always tool whose
 * function keeps the task's msg in flow context, sets `msg.mcp.taskStatus` on that same object
 * and sends it to `mcp sse out` (a status update); later an `http in` endpoint takes the kept msg,
 * sets the result and sends it to `mcp sse out`, which must answer the call (not set the status
 * again). The client polls `tasks/get`: the status message first, then `completed` with the
 * result and without the flow's status message. 2026-07-28 with a raw HTTP client (the
 * extension declared in `_meta`), 2025-11-25 with ext-tasks on a session. A Full deploy that leaves
 * the endpoint as it was, while the task waits, keeps the task running: the kept msg (flow context
 * survives the deploy) still answers it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { legacyTaskSession } from '../support/ext-tasks';

const z = 'status_tab';
const FLOW = [
  { id: z, type: 'tab', label: 'task status' },
  { id: 'status_endpoint', type: 'mcp-sse-endpoint', name: 'status', sse: false, streamable: true, streamablePath: '/status-mcp/mcp', keepAlive: 15, serverName: 'status-test', serverVersion: '1.0.0' },
  { id: 'hold_tool', type: 'mcp-sse-tool', z, endpoint: 'status_endpoint', name: 'hold', description: 'Waits until /finish/:taskId', inputSchema: '{"type":"object"}', taskSupport: 'always', x: 100, y: 100, wires: [['keep']] },
  // The trap: the kept object is the one that carries taskStatus into mcp sse out.
  { id: 'keep', type: 'function', z, name: 'keep and say waiting', func: "flow.set('pending_' + msg.mcp.taskId, msg);\nmsg.mcp.taskStatus = 'waiting';\nreturn msg;", outputs: 1, x: 300, y: 100, wires: [['status_out']] },
  { id: 'status_out', type: 'mcp-sse-out', z, name: 'status', target: 'session', endpoint: '', timeout: 60, x: 500, y: 100, wires: [[]] },
  { id: 'finish_in', type: 'http in', z, name: '', url: '/finish/:taskId', method: 'post', upload: false, swaggerDoc: '', x: 100, y: 200, wires: [['finish']] },
  { id: 'finish', type: 'function', z, name: 'answer with the kept msg', func: "const key = 'pending_' + msg.req.params.taskId;\nconst kept = flow.get(key);\nif (!kept) { msg.statusCode = 404; msg.payload = 'no such task'; return [null, msg]; }\nflow.set(key, undefined);\nkept.payload = 'done: ' + msg.req.params.taskId;\nmsg.payload = 'ok';\nreturn [kept, msg];", outputs: 2, x: 300, y: 200, wires: [['answer_out'], ['finish_http']] },
  { id: 'answer_out', type: 'mcp-sse-out', z, name: 'answer', target: 'session', endpoint: '', timeout: 60, x: 500, y: 180, wires: [[]] },
  { id: 'finish_http', type: 'http response', z, name: '', statusCode: '', headers: {}, x: 500, y: 240, wires: [] },
];

const MODERN = '2026-07-28';
const META = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } } };

describe('msg.mcp.taskStatus on the msg the flow keeps, in the real node-red', () => {
  let nodeRed: RunningNodeRed;
  let dir: string;
  let mcpUrl: string;

  /** One 2026-07-28 request (the revision's headers, the extension in `_meta`); its result. */
  const post = async (id: string, method: string, name: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': MODERN, 'Mcp-Method': method, 'Mcp-Name': name },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const body = JSON.parse(text) as { result?: Record<string, unknown>; error?: unknown };
    assert.ok(body.result !== undefined, text);
    return body.result;
  };
  const finish = async (taskId: string): Promise<void> => {
    const res = await fetch(`${nodeRed.url}/finish/${encodeURIComponent(taskId)}`, { method: 'POST' });
    assert.equal(res.status, 200, await res.text());
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-task-status-'));
    writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(FLOW));
    nodeRed = await startNodeRedWith(path.join(dir, 'flows.json'), { install: 'link' });
    mcpUrl = `${nodeRed.url}/status-mcp/mcp`;
  });
  after(async () => {
    await nodeRed?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('2026-07-28: tasks/get reads "waiting", then completed with the result the kept msg answered', { timeout: 60_000 }, async () => {
    const created = await post('C1', 'tools/call', 'hold', { name: 'hold', arguments: {} });
    assert.equal(created.resultType, 'task');
    const taskId = created.taskId as string;
    const get = (n: number) => post(`G${n}`, 'tasks/get', taskId, { taskId });
    const waiting = await until(get, (task) => task.statusMessage !== undefined, 'the status message');
    assert.deepEqual([waiting.status, waiting.statusMessage], ['working', 'waiting']);

    await finish(taskId);
    const done = await until(get, (task) => task.status !== 'working', 'the kept msg to answer the call (it only set the status again?)');
    assert.equal(done.status, 'completed');
    assert.deepEqual((done.result as Record<string, unknown>).content, [{ type: 'text', text: `done: ${taskId}` }]);
    assert.equal(done.statusMessage, undefined, "the flow's status message went when the task ended");
  });

  it('a Full deploy that leaves the endpoint as it was keeps the task: the kept msg answers it after the deploy', { timeout: 60_000 }, async () => {
    const created = await post('D1', 'tools/call', 'hold', { name: 'hold', arguments: {} });
    assert.equal(created.resultType, 'task');
    const taskId = created.taskId as string;
    const get = (n: number) => post(`DG${n}`, 'tasks/get', taskId, { taskId });
    await until(get, (task) => task.statusMessage !== undefined, 'the status message');

    await deployFull(nodeRed);
    const after = await get(0);
    assert.deepEqual([after.status, after.statusMessage], ['working', 'waiting'], 'the deploy did not end the task');
    await finish(taskId);
    const done = await until(get, (task) => task.status !== 'working', 'the kept msg to answer the call after the deploy');
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual((done.result as Record<string, unknown>).content, [{ type: 'text', text: `done: ${taskId}` }]);
  });

  it('2025-11-25: the same flow, through ext-tasks on a session', { timeout: 60_000 }, async () => {
    const client = await legacyTaskSession(mcpUrl);
    try {
      const execution = (await client.session.callTool('hold', {} as never)) as unknown as { kind: string; handle: { taskId: string }; result(): Promise<{ status: string; result?: Record<string, unknown> }> };
      assert.equal(execution.kind, 'task');
      const { taskId } = execution.handle;
      const snapshot = () => client.session.task(taskId as never).snapshot();
      const waiting = await until(snapshot, (task) => task.statusMessage !== undefined, 'the status message');
      assert.deepEqual([waiting.status, waiting.statusMessage], ['working', 'waiting']);

      await finish(taskId);
      const done = await until(snapshot, (task) => task.status !== 'working', 'the kept msg to answer the call (it only set the status again?)');
      assert.equal(done.status, 'completed');
      assert.equal(done.statusMessage, undefined, "the flow's status message went when the task ended");
      const outcome = await execution.result();
      assert.equal(outcome.status, 'completed');
      assert.deepEqual(outcome.result?.content, [{ type: 'text', text: `done: ${taskId}` }]);
    } finally {
      await client.close();
    }
  });
});

/** A Full deploy of the same flow through the admin API, as the editor does; waits until the flows started again. */
async function deployFull(nodeRed: RunningNodeRed): Promise<void> {
  const started = (): number => (nodeRed.output().match(/Started flows/g) ?? []).length;
  const before = started();
  const answer = await fetch(`${nodeRed.url}/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(FLOW) });
  assert.ok(answer.ok, `deploy: ${answer.status} ${await answer.text()}`);
  const start = Date.now();
  while (started() === before) {
    if (Date.now() - start > 10_000) throw new Error(`the deploy did not start:\n${nodeRed.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls `read` (a client polling tasks/get) every 50 ms until `ready`; fails after 5 s naming `what`. */
async function until<T>(read: (n: number) => Promise<T>, ready: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (let n = 0; ; n++) {
    const value = await read(n);
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after 5 s waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
