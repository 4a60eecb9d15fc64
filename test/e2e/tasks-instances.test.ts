/**
 * MCP tasks across instances (issue 21, "With Redis"): two real node-red processes serve one
 * endpoint with a real redis-server, and a tool whose Task setting is `always` waits until the
 * test releases it (`POST /go/:tag` on the instance whose flow holds the msg). Clients speak
 * the stateless 2026-07-28 wire (no session, so any instance may answer any request):
 * - a task created through instance A is polled through instance B (`tasks/get`) to completion;
 * - a `tasks/cancel` through B reaches A's flow (`mcp message in` gets `notifications/cancelled`
 *   with the task's `msg.mcp.taskId`; the flow lists what it saw at `GET /seen`), the task reads
 *   `cancelled` through both, and A's flow answering later changes nothing;
 * - a task whose flow on A asks the client (elicitation: `input_required`) is answered with
 *   `tasks/update` through B, and completes with the answer;
 * - after SIGKILL of A, its unfinished task reads `failed` through B within the lease (15 s; the
 *   issue's bound is 30 s), while B's own task is untouched and still completes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { startRedis, type RunningRedis } from '../support/redis';
import { waitFor } from '../support/core-server';

const PATH = '/tasks/mcp';
const TASKS = 'io.modelcontextprotocol/tasks';
/** The bound on how long a dead owner's task may still read `working`. */
const DEAD_OWNER_BOUND_MS = 30_000;

/** The flow: `slow_job` (Task: always) parks its msg by its `tag` argument until `POST /go/:tag` releases it. */
function tasksFlow(): string {
  const z = 'tk_tab';
  const flow = [
    { id: z, type: 'tab', label: 'tasks across instances' },
    { id: 'tk_ep', type: 'mcp-sse-endpoint', name: 'tasks', sse: false, streamable: true, streamablePath: PATH, keepAlive: 15, maxBodySize: 4194304, redisUrl: '${MCP_REDIS_URL}' },
    { id: 'tk_tool', type: 'mcp-sse-tool', z, endpoint: 'tk_ep', name: 'slow_job', description: 'Waits until released', inputSchema: '{"type":"object","properties":{"tag":{"type":"string"}},"required":["tag"]}', outputSchema: '', taskSupport: 'always', x: 140, y: 100, wires: [['tk_park']] },
    { id: 'tk_park', type: 'function', z, name: 'park', outputs: 1, func: "const parked = flow.get('parked') || {};\nparked[msg.payload.tag] = msg;\nflow.set('parked', parked);\nreturn null;", x: 340, y: 100, wires: [[]] },
    { id: 'tk_go', type: 'http in', z, name: '', url: '/go/:tag', method: 'post', upload: false, x: 140, y: 200, wires: [['tk_release']] },
    { id: 'tk_release', type: 'function', z, name: 'release', outputs: 2, func: "const parked = flow.get('parked') || {};\nconst id = msg.req.params.tag;\nconst task = parked[id];\nif (!task) { msg.statusCode = 404; msg.payload = 'not parked here'; return [null, msg]; }\ndelete parked[id];\nflow.set('parked', parked);\ntask.payload = 'done: ' + id;\nmsg.payload = 'released';\nreturn [task, msg];", x: 340, y: 200, wires: [['tk_out'], ['tk_http']] },
    { id: 'tk_out', type: 'mcp-sse-out', z, name: '', target: 'session', endpoint: '', timeout: 60, x: 560, y: 100, wires: [[]] },
    { id: 'tk_http', type: 'http response', z, name: '', statusCode: '', headers: {}, x: 560, y: 200, wires: [] },
    // What reaches the flow besides tool calls (a cancellation), listed at GET /seen.
    { id: 'tk_msg_in', type: 'mcp-message-in', z, name: '', endpoint: 'tk_ep', x: 140, y: 300, wires: [['tk_note']] },
    { id: 'tk_note', type: 'function', z, name: 'note', outputs: 1, func: "const seen = flow.get('seen') || [];\nseen.push({ topic: msg.topic, taskId: msg.mcp.taskId });\nflow.set('seen', seen);\nreturn null;", x: 340, y: 300, wires: [[]] },
    { id: 'tk_seen_in', type: 'http in', z, name: '', url: '/seen', method: 'get', upload: false, x: 140, y: 360, wires: [['tk_seen']] },
    { id: 'tk_seen', type: 'function', z, name: 'seen', outputs: 1, func: "msg.payload = flow.get('seen') || [];\nreturn msg;", x: 340, y: 360, wires: [['tk_http']] },
    // ask_colour (Task: always): after 600 ms (a task by then, not an inline ask) asks the client, then answers with what came back.
    { id: 'tk_ask_tool', type: 'mcp-sse-tool', z, endpoint: 'tk_ep', name: 'ask_colour', description: 'Asks the user for a colour', inputSchema: '{"type":"object"}', outputSchema: '', taskSupport: 'always', x: 140, y: 440, wires: [['tk_wait']] },
    { id: 'tk_wait', type: 'delay', z, name: '', pauseType: 'delay', timeout: '600', timeoutUnits: 'milliseconds', rate: '1', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1, x: 300, y: 440, wires: [['tk_ask']] },
    { id: 'tk_ask', type: 'function', z, name: 'ask', outputs: 1, func: "msg.payload = { method: 'elicitation/create', params: { message: 'Which colour?', requestedSchema: { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'] } } };\nreturn msg;", x: 440, y: 440, wires: [['tk_ask_out']] },
    { id: 'tk_ask_out', type: 'mcp-sse-out', z, name: '', target: 'session', endpoint: '', timeout: 60, x: 600, y: 440, wires: [['tk_answer']] },
    { id: 'tk_answer', type: 'function', z, name: 'answer', outputs: 1, func: "const answer = msg.mcp.request.outcome === 'result' && msg.payload.action === 'accept' ? msg.payload.content.colour : msg.mcp.request.outcome + ' ' + msg.payload.action;\nmsg.payload = 'colour: ' + answer;\nreturn msg;", x: 760, y: 440, wires: [['tk_out']] },
  ];
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcp-tasks-flow-')), 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

interface TaskView {
  resultType?: string;
  taskId: string;
  status: string;
  statusMessage?: string;
  inputRequests?: Record<string, { method: string; params?: { message?: string } }>;
  result?: { content?: Array<{ text?: string }> };
  error?: { code: number; message: string };
}

/** One 2026-07-28 request (with the tasks extension declared) to `base`; the JSON-RPC response. */
async function modern(base: string, method: string, params: Record<string, unknown>, name: string): Promise<{ result?: TaskView; error?: { code: number; message: string } }> {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'tasks-e2e', version: '1.0.0' }, 'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS]: {} } } };
  const response = await fetch(`${base}${PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method, 'Mcp-Name': name },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: meta } }),
  });
  assert.equal(response.status, 200, `${method} on ${base}: HTTP ${response.status}`);
  return await response.json() as { result?: TaskView; error?: { code: number; message: string } };
}

/** Calls `tool` (default `slow_job`, with `tag`) through `base`: the CreateTaskResult. */
async function startTask(base: string, tag: string, tool = 'slow_job'): Promise<TaskView> {
  const answer = await modern(base, 'tools/call', { name: tool, arguments: tool === 'slow_job' ? { tag } : {} }, tool);
  assert.equal(answer.result?.resultType, 'task', JSON.stringify(answer));
  assert.equal(answer.result?.status, 'working');
  return answer.result as TaskView;
}

/** `tasks/get` through `base`: the DetailedTask. */
async function getTask(base: string, taskId: string): Promise<TaskView> {
  const answer = await modern(base, 'tasks/get', { taskId }, taskId);
  assert.ok(answer.result !== undefined, JSON.stringify(answer));
  return answer.result;
}

/** Polls `tasks/get` through `base` every 250 ms until the task leaves `from` (default `working`), or `timeoutMs`. */
async function pollUntilDone(base: string, taskId: string, timeoutMs: number, from = 'working'): Promise<TaskView> {
  const start = Date.now();
  for (;;) {
    const task = await getTask(base, taskId);
    if (task.status !== from) return task;
    if (Date.now() - start > timeoutMs) throw new Error(`task ${taskId} still ${from} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Releases the parked call tagged `tag` on `base` (the instance whose flow holds it). */
async function release(base: string, tag: string): Promise<void> {
  const response = await fetch(`${base}/go/${tag}`, { method: 'POST' });
  assert.equal(response.status, 200, `release ${tag} on ${base}: ${await response.text()}`);
}

describe('MCP tasks on two node-red instances sharing one redis-server', () => {
  let redis: RunningRedis;
  let flow: string;
  let instances: RunningNodeRed[] = [];

  before(async () => {
    redis = await startRedis();
    flow = tasksFlow();
    instances = await Promise.all([0, 1].map(() => startNodeRedWith(flow, { install: 'link', env: { MCP_REDIS_URL: redis.url } })));
    await waitFor(() => instances.every((i) => /Connected to Redis as instance/.test(i.output())), 10_000, 'both instances to connect to Redis');
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.stop().catch(() => {})));
    await redis?.stop();
    if (flow !== undefined) rmSync(path.dirname(flow), { recursive: true, force: true });
  });

  it('a task created through instance A is polled through instance B to completion', async () => {
    const [a, b] = instances;
    const created = await startTask(a.url, 'one');
    assert.equal((await getTask(b.url, created.taskId)).status, 'working', 'B finds the task A runs');
    // The flow holding the msg is A's: B cannot release it, but B sees A's answer.
    assert.equal((await fetch(`${b.url}/go/one`, { method: 'POST' })).status, 404);
    await new Promise((r) => setTimeout(r, 1000));
    await release(a.url, 'one');
    const done = await pollUntilDone(b.url, created.taskId, 5000);
    assert.equal(done.status, 'completed');
    assert.equal(done.result?.content?.[0]?.text, 'done: one');
    const unknown = await modern(b.url, 'tasks/get', { taskId: 'no-such-task' }, 'no-such-task');
    assert.equal(unknown.error?.code, -32602);
  });

  it("a tasks/cancel through B reaches the flow on A, which runs the task; the task reads cancelled through both, and A's later answer changes nothing", async () => {
    const [a, b] = instances;
    const created = await startTask(a.url, 'to-cancel');
    assert.equal((await getTask(b.url, created.taskId)).status, 'working');
    const cancel = await modern(b.url, 'tasks/cancel', { taskId: created.taskId }, created.taskId);
    assert.equal(cancel.result?.resultType, 'complete', JSON.stringify(cancel));
    let seen: Array<{ topic: string; taskId?: string }> = [];
    const start = Date.now();
    while (!seen.some((m) => m.topic === 'notifications/cancelled')) {
      assert.ok(Date.now() - start < 5000, `A's flow did not see the cancellation: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 100));
      seen = await (await fetch(`${a.url}/seen`)).json() as typeof seen;
    }
    assert.deepEqual(seen, [{ topic: 'notifications/cancelled', taskId: created.taskId }], 'once, on the task');
    assert.deepEqual(await (await fetch(`${b.url}/seen`)).json(), [], 'B runs no flow of it');
    assert.equal((await getTask(a.url, created.taskId)).status, 'cancelled');
    await release(a.url, 'to-cancel');
    await new Promise((r) => setTimeout(r, 500));
    const after = await getTask(b.url, created.taskId);
    assert.equal(after.status, 'cancelled', "A's late answer changes nothing");
    assert.equal(after.result, undefined);
    assert.deepEqual(await (await fetch(`${a.url}/seen`)).json(), seen, 'and the flow was told once');
  });

  it('a task whose flow on A asks the client (input_required) is answered with tasks/update through B, and completes with the answer', async () => {
    const [a, b] = instances;
    const created = await startTask(a.url, '', 'ask_colour');
    const waiting = await pollUntilDone(b.url, created.taskId, 5000);
    assert.equal(waiting.status, 'input_required', JSON.stringify(waiting));
    const keys = Object.keys(waiting.inputRequests ?? {});
    assert.equal(keys.length, 1);
    assert.equal(waiting.inputRequests?.[keys[0]].method, 'elicitation/create');
    assert.equal(waiting.inputRequests?.[keys[0]].params?.message, 'Which colour?');
    const update = await modern(b.url, 'tasks/update', { taskId: created.taskId, inputResponses: { [keys[0]]: { action: 'accept', content: { colour: 'blue' } } } }, created.taskId);
    assert.equal(update.result?.resultType, 'complete', JSON.stringify(update));
    const done = await pollUntilDone(b.url, created.taskId, 5000);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.result?.content?.[0]?.text, 'colour: blue');
    assert.equal((await getTask(a.url, created.taskId)).status, 'completed');
  });

  it("after SIGKILL of the owning instance, its task reads failed through the survivor within the lease (<= 30 s); the survivor's own task is untouched", async () => {
    const [a, b] = instances;
    const onA = await startTask(a.url, 'on-a');
    const onB = await startTask(b.url, 'on-b');
    assert.equal((await getTask(b.url, onA.taskId)).status, 'working');
    process.kill(a.pid, 'SIGKILL');
    const killedAt = Date.now();
    const failed = await pollUntilDone(b.url, onA.taskId, DEAD_OWNER_BOUND_MS);
    const noticedAfter = Date.now() - killedAt;
    console.log(`# SIGKILL of the owner: its task read failed through the survivor ${noticedAfter} ms after the kill`);
    assert.ok(noticedAfter <= DEAD_OWNER_BOUND_MS, `failed after ${noticedAfter} ms`);
    assert.equal(failed.status, 'failed');
    assert.match(failed.statusMessage ?? '', /Node-RED instance running this task .* stopped before the task finished: send the request again/);
    assert.equal(failed.error?.code, -32000);
    assert.match(failed.error?.message ?? '', /send the request again/);
    // B's own task lives on, and completes.
    assert.equal((await getTask(b.url, onB.taskId)).status, 'working');
    await release(b.url, 'on-b');
    const done = await pollUntilDone(b.url, onB.taskId, 5000);
    assert.equal(done.status, 'completed');
    assert.equal(done.result?.content?.[0]?.text, 'done: on-b');
  });
});
