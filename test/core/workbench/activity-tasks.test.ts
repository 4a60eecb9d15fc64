/**
 * MCP tasks in the activity list (core/workbench/activity-tasks.ts, issue 21 item 6), on a plain
 * node:http endpoint with a raw 2026-07-28 client: a `tools/call` that became a task is an entry
 * with outcome `task`, its `taskId` and `taskStatus: working`; each change of the task is a new
 * entry (input_required, working again, completed / failed / cancelled) with the time since the
 * call; the client's `tasks/*` requests are ordinary entries with the task id; the task's own
 * re-issued request is not listed, the elicitation its flow sends is, with the task id.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, waitFor, type CoreServer } from '../../support/core-server';
import { StreamableClient } from '../../support/streamable-client';
import { watchEndpoint, type ActivityEntryJson, type ActivityLog } from '../../../core/workbench';
import { createdTask } from '../../../core/workbench/activity-tasks';
import { MemoryTaskStore } from '../../../core/tasks/memory-store';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } } };

let server: CoreServer | undefined;
const clients: StreamableClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.closeAll();
  await server?.close();
  server = undefined;
});

type Flow = { answer(outcome: unknown): void; ask(): void };

/** An endpoint with tool `job` (Task: always) whose flow waits for the test, and its activity list. */
async function start(recordPayloads = false): Promise<{ log: ActivityLog; flow: () => Flow }> {
  server = await startCoreServer({ keepAliveMs: 0, tasks: { store: new MemoryTaskStore() } });
  const endpoint = server.endpoint;
  const log = watchEndpoint(endpoint, { recordPayloads });
  const flows: Flow[] = [];
  endpoint.features.declare({
    kind: 'tool', owner: 't', taskSupport: 'always', definition: { name: 'job', inputSchema: { type: 'object' } },
    onRequest: ({ session, requestId }) => flows.push({
      answer: (outcome) => endpoint.send(session.id, outcome, { requestId }),
      ask: () => endpoint.send(session.id, { method: 'elicitation/create', params: { message: 'Sure?', requestedSchema: { type: 'object', properties: {} } } }, {
        requestId, request: { timeoutMs: 0, settle: () => endpoint.send(session.id, 'confirmed', { requestId }) },
      }),
    }),
  });
  return { log, flow: () => { assert.equal(flows.length, 1, 'the flow got the call'); return flows[0]; } };
}

/** POSTs one 2026-07-28 request and returns its JSON-RPC answer. */
async function call(id: string, method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const c = new StreamableClient(`${(server as CoreServer).url}/mcp`);
  clients.push(c);
  const name = (params.name ?? params.taskId) as string | undefined;
  const answer = await c.post({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } }, { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method, ...(name === undefined ? {} : { 'Mcp-Name': name }) });
  return (answer.stream === undefined ? answer.json : JSON.parse((await answer.stream.nextEvent()).data)) as Record<string, unknown>;
}

/** Calls `job` and returns the task id of its CreateTaskResult. */
async function startTask(): Promise<string> {
  const answer = await call('C1', 'tools/call', { name: 'job', arguments: {} });
  const result = answer.result as { resultType: string; taskId: string };
  assert.equal(result.resultType, 'task');
  return result.taskId;
}

function entries(log: ActivityLog): ActivityEntryJson[] {
  return log.since(0).map((entry) => entry.view(true));
}

/** The entries about task `taskId` once there are `count` of them. */
async function taskEntries(log: ActivityLog, taskId: string, count: number): Promise<ActivityEntryJson[]> {
  await waitFor(() => entries(log).filter((e) => e.taskId === taskId).length >= count, 3000);
  return entries(log).filter((e) => e.taskId === taskId);
}

describe('tasks in the activity list', () => {
  it('lists the call that became a task (outcome task, working), then its completion with the time since the call; tasks/get is an ordinary entry', async () => {
    const { log, flow } = await start();
    const taskId = await startTask();
    const got = await call('G1', 'tasks/get', { taskId });
    assert.equal((got.result as { status: string }).status, 'working');
    flow().answer('all done');
    const [created, get, completed] = await taskEntries(log, taskId, 3);
    assert.deepEqual({ method: created.method, name: created.name, id: created.id, outcome: created.outcome, taskStatus: created.taskStatus, era: created.era, from: created.from },
      { method: 'tools/call', name: 'job', id: 'C1', outcome: 'task', taskStatus: 'working', era: '2026-07-28', from: 'client' });
    assert.equal(typeof created.exchangeId, 'string');
    assert.deepEqual({ method: get.method, outcome: get.outcome, taskStatus: get.taskStatus }, { method: 'tasks/get', outcome: 'result', taskStatus: undefined });
    assert.deepEqual({ method: completed.method, name: completed.name, id: completed.id, outcome: completed.outcome, taskStatus: completed.taskStatus, exchangeId: completed.exchangeId },
      { method: 'tools/call', name: 'job', id: 'C1', outcome: 'result', taskStatus: 'completed', exchangeId: created.exchangeId });
    assert.ok((completed.durationMs as number) >= (created.durationMs as number), 'its duration counts from the call');
    assert.equal(completed.result, undefined, 'no payloads unless recorded');
    const toolCalls = entries(log).filter((e) => e.method === 'tools/call');
    assert.equal(toolCalls.length, 2, 'the task\'s own re-issued request is not an entry of its own');
  });

  it('lists input_required with the elicitation the flow sent (tagged with the task, no session), working again after tasks/update, then completed', async () => {
    const { log, flow } = await start();
    const taskId = await startTask();
    flow().ask();
    const waiting = await taskEntries(log, taskId, 2);
    assert.deepEqual(waiting.map((e) => [e.method, e.taskStatus ?? e.outcome]), [['tools/call', 'working'], ['tools/call', 'input_required']]);
    assert.equal(waiting[1].outcome, 'task');
    const got = await call('G1', 'tasks/get', { taskId });
    const key = Object.keys((got.result as { inputRequests: Record<string, unknown> }).inputRequests)[0];
    await call('U1', 'tasks/update', { taskId, inputResponses: { [key]: { action: 'accept', content: {} } } });
    const all = await taskEntries(log, taskId, 7);
    // In the order each ended: the update's acknowledgement may be written before or after the flow's answer.
    assert.deepEqual(all.filter((e) => e.method !== 'tasks/update').map((e) => `${e.method} ${e.taskStatus ?? e.outcome}`), [
      'tools/call working', 'tools/call input_required', 'tasks/get result', 'tools/call working', 'elicitation/create result', 'tools/call completed',
    ]);
    assert.equal(all.filter((e) => e.method === 'tasks/update' && e.outcome === 'result').length, 1);
    const elicitation = all.find((e) => e.method === 'elicitation/create') as ActivityEntryJson;
    assert.deepEqual({ from: elicitation.from, sessionId: elicitation.sessionId, exchangeId: elicitation.exchangeId }, { from: 'server', sessionId: undefined, exchangeId: undefined });
  });

  it('lists a failed task with the error\'s code and message, and a cancelled one', async () => {
    const failing = await start();
    const taskId = await startTask();
    failing.flow().answer({ jsonrpc: '2.0', error: { code: -32603, message: 'the printer is on fire' } });
    const failed = (await taskEntries(failing.log, taskId, 2))[1];
    assert.deepEqual({ outcome: failed.outcome, taskStatus: failed.taskStatus, code: failed.code, message: failed.message }, { outcome: 'error', taskStatus: 'failed', code: -32603, message: 'the printer is on fire' });
    await (server as CoreServer).close();
    const cancelling = await start();
    const other = await startTask();
    await call('X1', 'tasks/cancel', { taskId: other });
    const cancelled = (await taskEntries(cancelling.log, other, 3)).find((e) => e.taskStatus === 'cancelled') as ActivityEntryJson;
    assert.equal(cancelled.outcome, 'cancelled');
    assert.equal(cancelled.message, 'The client cancelled the task');
  });

  it('keeps the task\'s result as the completion entry\'s result when recording', async () => {
    const { log, flow } = await start(true);
    const taskId = await startTask();
    flow().answer('kept');
    const completed = (await taskEntries(log, taskId, 2))[1];
    assert.deepEqual(JSON.parse(completed.result as string), { content: [{ type: 'text', text: 'kept' }] });
  });

  it('knows a CreateTaskResult of either era, and nothing else', () => {
    assert.deepEqual(createdTask({ resultType: 'task', taskId: 'a', status: 'working' }), { taskId: 'a', status: 'working' });
    assert.deepEqual(createdTask({ task: { taskId: 'b', status: 'input_required' } }), { taskId: 'b', status: 'input_required' });
    assert.equal(createdTask({ content: [], structuredContent: { taskId: 'c' } }), undefined);
    assert.equal(createdTask({ resultType: 'complete', taskId: 'd' }), undefined);
  });
});
