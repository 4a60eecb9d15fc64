/**
 * core/tasks/era-2025: the 2025-11-25 task methods on sessions, with the real protocol layer and
 * the in-memory store, and a runner that stands in for the endpoint's (it stores the task and lets
 * the test play the flow): CreateTaskResult, tasks/get, tasks/result waiting for the end and
 * carrying an input request on its stream, tasks/list of the caller's own only, tasks/cancel,
 * status notifications, the Task setting's errors, and not-found for another session's task.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Protocol } from '../../../core/protocol';
import type { JsonRpcMessage, JsonRpcRequest, RequestId } from '../../../core/jsonrpc';
import type { ReplyDestination } from '../../../core/reply-destination';
import { MemoryTaskStore, newTaskId, type TaskRecord, type TaskStore } from '../../../core/tasks';
import { ClusterKeys } from '../../../core/cluster/options';
import { RedisLink } from '../../../core/cluster/redis-link';
import { RedisTaskStore } from '../../../core/tasks/redis-store';
import { startRedis, type RunningRedis } from '../../support/redis';
import type { TaskSupport } from '../../../core/features/declarations';
import { Tasks2025, type TaskRunnerApi } from '../../../core/tasks/era-2025';
import { taskOwner } from '../../../core/tasks/owner';

/** A session that keeps what is sent to it, with the stream (related request) each went on. */
class FakeSession implements ReplyDestination {
  readonly transport = 'streamable-http' as const;
  closed = false;
  protocolVersion = '2025-11-25';
  readonly sent: Array<{ message: JsonRpcMessage; related?: RequestId }> = [];
  constructor(readonly id: string) {}
  send(message: JsonRpcMessage, related?: RequestId): boolean {
    this.sent.push({ message, related });
    return true;
  }
  keepAlive(): void {}
  answer(id: RequestId): Record<string, unknown> | undefined {
    return this.sent.find((s) => !('method' in s.message) && s.message.id === id)?.message as Record<string, unknown> | undefined;
  }
}

function setup(support: Record<string, TaskSupport> = { approve: 'always', maybe: 'optional', plain: 'never' }, store: TaskStore = new MemoryTaskStore()) {
  const protocol = new Protocol();
  const sessions = new Map<string, FakeSession>();
  const responses: Array<{ taskId: string; key: string; answer: unknown }> = [];
  const runner: TaskRunnerApi = {
    store,
    settings: { maxTtlMs: 3_600_000, maxTasksPerOwner: 100, pollIntervalMs: 1000 },
    async start(_from, request, task) {
      const now = Date.now();
      const record: TaskRecord = { taskId: newTaskId(), owner: task.owner, era: task.era, method: request.method, name: String(request.params?.name), status: 'working', createdAt: now, lastUpdatedAt: now, ttlMs: task.ttlMs, pollIntervalMs: 1000 };
      await store.create(record, 100);
      return record;
    },
    async cancel(taskId) {
      return store.update(taskId, { status: 'cancelled', statusMessage: 'The task was cancelled by request.' });
    },
    async respond(taskId, key, answer) {
      responses.push({ taskId, key, answer });
      await store.update(taskId, { status: 'working' });
    },
  };
  const tasks = new Tasks2025({
    runner,
    send: (to, payload, context) => protocol.send(to, payload, context),
    taskSupport: (tool) => support[tool],
    ownerOf: (origin) => taskOwner(origin.id, undefined, false),
    warn: (text) => assert.fail(text),
  });
  let nextId = 1;
  const open = (id: string): FakeSession => {
    const s = new FakeSession(id);
    sessions.set(id, s);
    return s;
  };
  /** Sends a request as the client would: the protocol layer first, then the task methods. */
  const request = (session: FakeSession, method: string, params: Record<string, unknown>): { id: number; taken: boolean } => {
    const message: JsonRpcRequest = { jsonrpc: '2.0', id: nextId++, method, params };
    protocol.receive(session, 'request', message);
    return { id: message.id as number, taken: tasks.receive(session, message) };
  };
  const answered = async (session: FakeSession, id: number): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 100 && session.answer(id) === undefined; i++) await new Promise((r) => setTimeout(r, 5));
    const answer = session.answer(id);
    assert.ok(answer, `request ${id} was answered`);
    return answer;
  };
  return { store, protocol, tasks, open, request, answered, responses };
}

describe('2025-11-25 tasks on a session', () => {
  it('makes a task of a tools/call with params.task, and answers tasks/get and tasks/result once it completes', async () => {
    const { store, tasks, open, request, answered } = setup();
    const a = open('a');
    const call = request(a, 'tools/call', { name: 'approve', arguments: { summary: 'x' }, task: { ttl: 60_000 } });
    assert.equal(call.taken, true);
    const created = (await answered(a, call.id)).result as { task: Record<string, unknown> };
    assert.equal(created.task.status, 'working');
    assert.equal(created.task.ttl, 60_000);
    assert.equal(created.task.pollInterval, 1000);
    assert.match(String(created.task.createdAt), /^\d{4}-\d\d-\d\dT/);
    const taskId = String(created.task.taskId);

    const waiting = request(a, 'tasks/result', { taskId });
    const got = await answered(a, request(a, 'tasks/get', { taskId }).id);
    assert.equal((got.result as { status: string }).status, 'working');
    assert.equal(a.answer(waiting.id), undefined, 'tasks/result waits while the task works');

    await store.update(taskId, { status: 'completed', result: { content: [{ type: 'text', text: 'approved' }] } });
    const result = (await answered(a, waiting.id)).result as Record<string, unknown>;
    assert.deepEqual(result.content, [{ type: 'text', text: 'approved' }]);
    assert.deepEqual(result._meta, { 'io.modelcontextprotocol/related-task': { taskId } });
    const status = a.sent.filter((s) => 'method' in s.message && s.message.method === 'notifications/tasks/status');
    assert.deepEqual(status.map((s) => (s.message as unknown as { params: { status: string } }).params.status), ['completed'], 'one status notification, on the standalone stream');
    assert.equal(status[0].related, undefined);
    tasks.close();
  });

  it('answers -32601 for an always tool called without params.task, and for params.task on a never tool; leaves the others alone', async () => {
    const { open, request, answered, tasks } = setup();
    const a = open('a');
    const required = request(a, 'tools/call', { name: 'approve', arguments: {} });
    assert.equal(((await answered(a, required.id)).error as { code: number }).code, -32601);
    const forbidden = request(a, 'tools/call', { name: 'plain', arguments: {}, task: {} });
    assert.equal(((await answered(a, forbidden.id)).error as { code: number }).code, -32601);
    assert.equal(request(a, 'tools/call', { name: 'maybe', arguments: {} }).taken, false, 'an optional tool without params.task is an ordinary call');
    assert.equal(request(a, 'tools/call', { name: 'undeclared', arguments: {}, task: {} }).taken, false, 'a tool no node declares goes on to the flow');
    a.protocolVersion = '2025-06-18';
    assert.equal(request(a, 'tasks/list', {}).taken, false, 'no task methods on a session of another version');
    tasks.close();
  });

  it("gives another session not-found (-32602) for a task, never the task, and lists only the caller's own", async () => {
    const { open, request, answered, tasks } = setup();
    const a = open('a');
    const b = open('b');
    const taskId = String(((await answered(a, request(a, 'tools/call', { name: 'approve', task: {} }).id)).result as { task: { taskId: string } }).task.taskId);
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
      const error = (await answered(b, request(b, method, { taskId }).id)).error as { code: number; message: string };
      assert.equal(error.code, -32602, method);
      assert.match(error.message, /Task not found/);
    }
    assert.deepEqual(((await answered(b, request(b, 'tasks/list', {}).id)).result as { tasks: unknown[] }).tasks, []);
    const mine = (await answered(a, request(a, 'tasks/list', {}).id)).result as { tasks: Array<{ taskId: string }> };
    assert.deepEqual(mine.tasks.map((t) => t.taskId), [taskId]);
    assert.equal(((await answered(a, request(a, 'tasks/list', { cursor: 'nope' }).id)).error as { code: number }).code, -32602);
    tasks.close();
  });

  it('refuses a session past its limit of unfinished tasks with -32000 and the limit, and no other session', async () => {
    const { tasks, open, request, answered } = setup();
    const a = open('a');
    const b = open('b');
    for (let i = 0; i < 100; i++) assert.ok((await answered(a, request(a, 'tools/call', { name: 'approve', arguments: {}, task: {} }).id)).result);
    const refused = await answered(a, request(a, 'tools/call', { name: 'approve', arguments: {}, task: {} }).id);
    assert.deepEqual({ code: (refused.error as { code: number }).code, data: (refused.error as { data: unknown }).data }, { code: -32000, data: { limit: 100 } });
    assert.match((refused.error as { message: string }).message, /Too many tasks/);
    assert.ok((await answered(b, request(b, 'tools/call', { name: 'approve', arguments: {}, task: {} }).id)).result);
    tasks.close();
  });

  it('pages tasks/list with nextCursor', async () => {
    const { open, request, answered, tasks } = setup();
    const a = open('a');
    for (let i = 0; i < 55; i++) await answered(a, request(a, 'tools/call', { name: 'approve', task: {} }).id);
    const first = (await answered(a, request(a, 'tasks/list', {}).id)).result as { tasks: unknown[]; nextCursor?: string };
    assert.equal(first.tasks.length, 50);
    assert.ok(first.nextCursor);
    const second = (await answered(a, request(a, 'tasks/list', { cursor: first.nextCursor }).id)).result as { tasks: unknown[]; nextCursor?: string };
    assert.equal(second.tasks.length, 5);
    assert.equal(second.nextCursor, undefined);
    tasks.close();
  });

  it('cancels: the task reads cancelled in the answer, a second cancel is -32602', async () => {
    const { open, request, answered, tasks } = setup();
    const a = open('a');
    const taskId = String(((await answered(a, request(a, 'tools/call', { name: 'approve', task: {} }).id)).result as { task: { taskId: string } }).task.taskId);
    const cancelled = (await answered(a, request(a, 'tasks/cancel', { taskId }).id)).result as { status: string; taskId: string };
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.taskId, taskId);
    const again = (await answered(a, request(a, 'tasks/cancel', { taskId }).id)).error as { code: number; message: string };
    assert.equal(again.code, -32602);
    assert.match(again.message, /terminal status 'cancelled'/);
    tasks.close();
  });

  it('sends the input request of an input_required task on the stream of tasks/result, with related-task, and hands the answer to the runner', async () => {
    const { store, protocol, open, request, answered, responses, tasks } = setup();
    const a = open('a');
    const taskId = String(((await answered(a, request(a, 'tools/call', { name: 'approve', task: {} }).id)).result as { task: { taskId: string } }).task.taskId);
    const waiting = request(a, 'tasks/result', { taskId });
    await new Promise((r) => setTimeout(r, 10));
    await store.update(taskId, { status: 'input_required', inputRequests: { e1: { method: 'elicitation/create', params: { message: 'Your name?', requestedSchema: { type: 'object', properties: {} } } } } });
    const sent = a.sent.find((s) => 'method' in s.message && s.message.method === 'elicitation/create');
    assert.ok(sent, 'the elicitation went to the client');
    assert.equal(sent.related, waiting.id, 'on the stream of the waiting tasks/result');
    const elicitation = sent.message as JsonRpcRequest;
    assert.deepEqual((elicitation.params?._meta as Record<string, unknown>)['io.modelcontextprotocol/related-task'], { taskId });
    protocol.receive(a, 'response', { jsonrpc: '2.0', id: elicitation.id, result: { action: 'accept', content: { name: 'Ada' } } });
    assert.deepEqual(responses, [{ taskId, key: 'e1', answer: { result: { action: 'accept', content: { name: 'Ada' } } } }]);
    await store.update(taskId, { status: 'completed', result: { content: [{ type: 'text', text: 'Hello Ada' }] } });
    assert.deepEqual(((await answered(a, waiting.id)).result as { content: unknown }).content, [{ type: 'text', text: 'Hello Ada' }]);
    tasks.close();
  });

  it('shows a tool error as failed with its text, and tasks/result still returns the result', async () => {
    const { store, open, request, answered, tasks } = setup();
    const a = open('a');
    const taskId = String(((await answered(a, request(a, 'tools/call', { name: 'approve', task: {} }).id)).result as { task: { taskId: string } }).task.taskId);
    await store.update(taskId, { status: 'completed', result: { content: [{ type: 'text', text: 'no printer' }], isError: true } });
    const got = (await answered(a, request(a, 'tasks/get', { taskId }).id)).result as { status: string; statusMessage: string };
    assert.deepEqual([got.status, got.statusMessage], ['failed', 'no printer']);
    const result = (await answered(a, request(a, 'tasks/result', { taskId }).id)).result as { isError: boolean };
    assert.equal(result.isError, true);
    tasks.close();
  });
  it('sends a status notification only when the status or message changed: a write nobody sees (answers recorded and cleared) sends none', async () => {
    const { store, open, request, answered, tasks } = setup();
    const a = open('a');
    const taskId = String(((await answered(a, request(a, 'tools/call', { name: 'approve', task: {} }).id)).result as { task: { taskId: string } }).task.taskId);
    await store.update(taskId, { status: 'input_required', inputRequests: { e1: { method: 'elicitation/create' } } });
    await store.update(taskId, { status: 'working', inputResponses: { e1: { action: 'accept' } } });
    await store.update(taskId, { inputResponses: {} });
    await store.update(taskId, { statusMessage: 'Half way' });
    await store.update(taskId, { statusMessage: 'Half way' });
    await store.update(taskId, { status: 'completed', result: { content: [] } });
    const status = a.sent.filter((s) => 'method' in s.message && s.message.method === 'notifications/tasks/status').map((s) => (s.message as unknown as { params: { status: string; statusMessage?: string } }).params);
    assert.deepEqual(status.map((p) => `${p.status} ${p.statusMessage ?? ''}`.trim()), ['input_required', 'working', 'working Half way', 'completed']);
    tasks.close();
  });

  it('forgets the session of a task once the task ends, or once its TTL has passed when it never ends', async () => {
    const { store, open, request, answered, tasks } = setup();
    const a = open('a');
    const ended = String(((await answered(a, request(a, 'tools/call', { name: 'approve', task: { ttl: 60_000 } }).id)).result as { task: { taskId: string } }).task.taskId);
    const forgotten = String(((await answered(a, request(a, 'tools/call', { name: 'approve', task: { ttl: 150 } }).id)).result as { task: { taskId: string } }).task.taskId);
    assert.equal(tasks.followed, 2);
    await store.update(ended, { status: 'completed', result: { content: [] } });
    assert.equal(tasks.followed, 1, 'the ended task is forgotten at once');
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(await store.get(forgotten), undefined, 'expired in the store');
    assert.equal(tasks.followed, 0, 'the task that expired without ending is forgotten too');
    tasks.close();
  });
});

describe('2025-11-25 tasks/list paging with either store', () => {
  let redis: RunningRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  const stores: Array<[string, () => TaskStore]> = [
    ['memory', () => new MemoryTaskStore()],
    ['redis', () => new RedisTaskStore({ link: new RedisLink({ url: redis.url }), ownsLink: true, keys: new ClusterKeys('t:', `list-${newTaskId()}`), instanceId: 'A' })],
  ];
  for (const [kind, make] of stores) {
    it(`(${kind}) pages to the end past the owner's 2026-07-28 tasks, never failing; a malformed cursor is -32602`, async () => {
      const store = make();
      const { open, request, answered, tasks } = setup(undefined, store);
      try {
        const a = open('a');
        const made = new Set<string>();
        for (let i = 0; i < 55; i++) made.add(String(((await answered(a, request(a, 'tools/call', { name: 'approve', task: {} }).id)).result as { task: { taskId: string } }).task.taskId));
        // The same owner's 2026-07-28 tasks (one OAuth subject owns both eras): 60 newer, so page 1 ends on one, and 10 older.
        const now = Date.now();
        for (let i = 0; i < 70; i++) {
          const createdAt = i < 60 ? now + 1000 + i : now - 60_000 - i;
          await store.create({ taskId: newTaskId(), owner: 'session:a', era: '2026-07-28', method: 'tools/call', name: 'approve', status: 'completed', createdAt, lastUpdatedAt: createdAt, ttlMs: 3_600_000, pollIntervalMs: 1000 }, 1000);
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const answer = await answered(a, request(a, 'tasks/list', cursor === undefined ? {} : { cursor }).id);
          assert.equal(answer.error, undefined, `page ${pages + 1} answers`);
          const page = answer.result as { tasks: Array<{ taskId: string }>; nextCursor?: string };
          seen.push(...page.tasks.map((t) => t.taskId));
          cursor = page.nextCursor;
          if (cursor === undefined) break;
        }
        assert.equal(cursor, undefined, 'the last page has no nextCursor');
        assert.equal(seen.length, 55, 'each 2025 task once');
        assert.deepEqual(new Set(seen), made);
        for (const bad of ['nope', 42, '']) {
          assert.equal(((await answered(a, request(a, 'tasks/list', { cursor: bad }).id)).error as { code: number } | undefined)?.code, -32602, `cursor ${JSON.stringify(bad)}`);
        }
      } finally {
        tasks.close();
        await store.close();
      }
    });
  }
});
