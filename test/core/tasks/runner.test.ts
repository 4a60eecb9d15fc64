/**
 * The task runner (core/tasks/runner.ts) on a real endpoint: a declared tool whose "flow" answers
 * through `endpoint.send`, as `mcp sse out` does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { McpEndpoint } from '../../../core/endpoint';
import { SessionRegistry } from '../../../core/registry';
import type { FlowRequest } from '../../../core/features/declarations';
import { MemoryTaskStore } from '../../../core/tasks/memory-store';
import type { TaskRecord } from '../../../core/tasks/task';
import { EditorCall } from '../../../core/workbench/editor-call';

/** An endpoint with tool `job` (Task: always), whose flow requests come to `flow`. */
function setUp(flow: (request: FlowRequest, endpoint: McpEndpoint) => void, maxTtlMs?: number): { endpoint: McpEndpoint; start(): Promise<TaskRecord> } {
  const endpoint = new McpEndpoint({ id: `ep-${Math.random()}`, registry: new SessionRegistry(), keepAliveMs: 0, tasks: { store: new MemoryTaskStore(), maxTtlMs } });
  endpoint.features.declare({ kind: 'tool', owner: 'n', taskSupport: 'always', definition: { name: 'job', inputSchema: { type: 'object' } }, onRequest: (request) => flow(request, endpoint) });
  const origin = new EditorCall(() => {}, () => {});
  return {
    endpoint,
    start: () => endpoint.tasks.runner.start({ origin, request: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'job', arguments: {} } }, owner: 'anyone', era: '2026-07-28' }),
  };
}

/** The task once `done` says so (polled, as a client would). */
async function until(endpoint: McpEndpoint, taskId: string, done: (record: TaskRecord) => boolean): Promise<TaskRecord> {
  for (let i = 0; i < 200; i++) {
    const record = await endpoint.tasks.store.get(taskId);
    if (record !== undefined && done(record)) return record;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the task did not get there');
}

describe('TaskRunner', () => {
  it('runs the request in-process: the flow sees the task id, and its answer completes the task', async () => {
    let seen: string | undefined;
    const { endpoint, start } = setUp((request, ep) => {
      seen = ep.clientContext(request.session, request.requestId).taskId;
      ep.send(request.session.id, 'done', { requestId: request.requestId });
    });
    const record = await start();
    const done = await until(endpoint, record.taskId, (r) => r.status === 'completed');
    assert.equal(seen, record.taskId);
    assert.deepEqual(done.result, { content: [{ type: 'text', text: 'done' }] });
    await endpoint.close();
  });

  it('a tool error completes the task with isError; a JSON-RPC error fails it with the error', async () => {
    const { endpoint, start } = setUp((request, ep) => ep.send(request.session.id, { isError: true, message: 'no paper' }, { requestId: request.requestId }));
    const record = await start();
    assert.equal((await until(endpoint, record.taskId, (r) => r.status !== 'working')).status, 'completed');
    assert.equal(((await endpoint.tasks.store.get(record.taskId))?.result as { isError: boolean }).isError, true);
    await endpoint.close();
    const failing = setUp((request, ep) => ep.send(request.session.id, { jsonrpc: '2.0', error: { code: -32603, message: 'crashed' } }, { requestId: request.requestId }));
    const failed = await until(failing.endpoint, (await failing.start()).taskId, (r) => r.status !== 'working');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.message, 'crashed');
    await failing.endpoint.close();
  });

  it("the flow's status message goes when its answer ends the task; an error answer's message stays", async () => {
    const { endpoint, start } = setUp((request, ep) => {
      const taskId = ep.clientContext(request.session, request.requestId).taskId ?? '';
      void ep.tasks.runner.setStatusMessage(taskId, 'Waiting for a person to approve').then(() => {
        setTimeout(() => ep.send(request.session.id, 'approved', { requestId: request.requestId }), 20);
      });
    });
    const record = await start();
    assert.equal((await until(endpoint, record.taskId, (r) => r.statusMessage !== undefined)).statusMessage, 'Waiting for a person to approve');
    const done = await until(endpoint, record.taskId, (r) => r.status === 'completed');
    assert.equal(done.statusMessage, undefined);
    await endpoint.close();
    const failing = setUp((request, ep) => {
      const taskId = ep.clientContext(request.session, request.requestId).taskId ?? '';
      void ep.tasks.runner.setStatusMessage(taskId, 'Printing').then(() => ep.send(request.session.id, { jsonrpc: '2.0', error: { code: -32603, message: 'out of paper' } }, { requestId: request.requestId }));
    });
    const failed = await until(failing.endpoint, (await failing.start()).taskId, (r) => r.status === 'failed');
    assert.equal(failed.statusMessage, 'out of paper');
    await failing.endpoint.close();
  });

  it('an elicitation puts the task in input_required; the answer reaches the flow, which completes it', async () => {
    const { endpoint, start } = setUp((request, ep) => {
      ep.send(request.session.id, { method: 'elicitation/create', params: { message: 'Sure?' } }, {
        requestId: request.requestId,
        request: { timeoutMs: 0, settle: (outcome) => ep.send(request.session.id, `answer: ${JSON.stringify(outcome.status === 'result' ? outcome.result : null)}`, { requestId: request.requestId }) },
      });
    });
    const record = await start();
    const waiting = await until(endpoint, record.taskId, (r) => r.status === 'input_required');
    assert.deepEqual(Object.values(waiting.inputRequests ?? {}).map((r) => r.method), ['elicitation/create']);
    await endpoint.tasks.runner.provideInput(record.taskId, { [Object.keys(waiting.inputRequests ?? {})[0]]: { action: 'accept' } });
    const done = await until(endpoint, record.taskId, (r) => r.status === 'completed');
    assert.deepEqual(done.result, { content: [{ type: 'text', text: 'answer: {"action":"accept"}' }] });
    await endpoint.close();
  });

  it("a client's error answer to an input request reaches the flow as an error, not as a result", async () => {
    const { endpoint, start } = setUp((request, ep) => {
      ep.send(request.session.id, { method: 'elicitation/create', params: { message: 'Sure?' } }, {
        requestId: request.requestId,
        request: { timeoutMs: 0, settle: (outcome) => ep.send(request.session.id, `${outcome.status}: ${outcome.status === 'result' ? JSON.stringify(outcome.result) : outcome.error.message}`, { requestId: request.requestId }) },
      });
    });
    const record = await start();
    const waiting = await until(endpoint, record.taskId, (r) => r.status === 'input_required');
    await endpoint.tasks.runner.provideInput(record.taskId, {}, { [Object.keys(waiting.inputRequests ?? {})[0]]: { code: -32600, message: 'the user closed the dialog' } });
    const done = await until(endpoint, record.taskId, (r) => r.status === 'completed');
    assert.deepEqual(done.result, { content: [{ type: 'text', text: 'error: the user closed the dialog' }] });
    await endpoint.close();
  });

  it('cancel ends the task cancelled, tells the flow, and a later answer does not change it', async () => {
    const heard: string[] = [];
    let answer: (() => void) | undefined;
    const { endpoint, start } = setUp((request, ep) => {
      answer = () => ep.send(request.session.id, 'late', { requestId: request.requestId });
    });
    endpoint.messageReceived.add(({ message }) => { if ('method' in message) heard.push(message.method); });
    const record = await start();
    await until(endpoint, record.taskId, () => answer !== undefined);
    assert.equal((await endpoint.tasks.runner.cancel(record.taskId))?.status, 'cancelled');
    assert.deepEqual(heard, ['notifications/cancelled']);
    answer?.();
    assert.equal((await endpoint.tasks.store.get(record.taskId))?.status, 'cancelled');
    await endpoint.close();
  });

  it('a task whose endpoint closes ends failed, saying so', async () => {
    const { endpoint, start } = setUp(() => {});
    const record = await start();
    await new Promise((resolve) => setImmediate(resolve));
    await endpoint.close();
    const failed = await until(endpoint, record.taskId, (r) => r.status !== 'working');
    assert.equal(failed.status, 'failed');
    assert.match(failed.error?.message ?? '', /closed|restart/i);
  });
  it('a cancelled task whose flow never answers keeps its call (a late answer is dropped as cancelled) until its TTL, then frees it', async () => {
    let answer: (() => unknown) | undefined;
    const { endpoint, start } = setUp((request, ep) => {
      answer = () => ep.send(request.session.id, 'late', { requestId: request.requestId });
    }, 300);
    const record = await start();
    await until(endpoint, record.taskId, () => answer !== undefined);
    await endpoint.tasks.runner.cancel(record.taskId);
    assert.equal([...endpoint.tasks.runner.destinations()].length, 1, 'kept while the task lives');
    assert.match(String((answer?.() as { reason?: string }).reason), /cancel/, 'a late answer is dropped as cancelled');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, record.createdAt + 300 - Date.now()) + 50));
    assert.equal([...endpoint.tasks.runner.destinations()].length, 0, 'freed at the TTL');
    assert.equal(endpoint.tasks.runner.size, 0);
    await endpoint.close();
  });

  it("finds each running task's call by its destination id (msg.mcp.sessionId), and none once the task ended", async () => {
    const answers = new Map<string, () => void>();
    const { endpoint, start } = setUp((request, ep) => {
      answers.set(request.session.id, () => ep.send(request.session.id, 'done', { requestId: request.requestId }));
    });
    await Promise.all(Array.from({ length: 5 }, () => start()));
    for (let i = 0; i < 50 && answers.size < 5; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(answers.size, 5);
    const runner = endpoint.tasks.runner;
    for (const id of answers.keys()) assert.equal(runner.callOf(id)?.id, id);
    assert.equal(runner.callOf('no-such-call'), undefined);
    const [first, answer] = [...answers.entries()][0];
    answer();
    for (let i = 0; i < 100 && runner.callOf(first) !== undefined; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(runner.callOf(first), undefined, 'an ended task no longer has a call');
    assert.equal([...answers.keys()].filter((id) => runner.callOf(id) !== undefined).length, 4);
    await endpoint.close();
    assert.equal([...answers.keys()].filter((id) => runner.callOf(id) !== undefined).length, 0, 'none once the endpoint closed');
  });

  it('a task with a TTL past setTimeout\'s range (30 days) runs until its flow answers', async () => {
    let answer: (() => void) | undefined;
    const { endpoint, start } = setUp((request, ep) => {
      answer = () => void ep.send(request.session.id, 'done', { requestId: request.requestId });
    }, 30 * 24 * 3600 * 1000);
    const record = await start();
    assert.equal(record.ttlMs, 30 * 24 * 3600 * 1000);
    await until(endpoint, record.taskId, () => answer !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(endpoint.tasks.runner.isRunning(record.taskId), true, 'still running');
    answer?.();
    assert.equal((await until(endpoint, record.taskId, (r) => r.status !== 'working')).status, 'completed');
    await endpoint.close();
  });
});
