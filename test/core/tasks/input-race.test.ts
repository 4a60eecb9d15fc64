/**
 * Input requests added and answered at once on two instances (issue 21 hardening): instance B
 * records a client's answer (removing the answered key from `inputRequests`) while instance A's
 * flow asks a new question (adding a key). Both changes must survive, or the task waits forever
 * on a request nobody is shown (or shows an answered one again). Checked at two levels, on two
 * Redis stores (two instances on a real redis-server) and on one memory store:
 * - the store contract: `update(taskId, change)` with a function, adds against removes, many rounds;
 * - the runner: B's `provideInput` racing A's flow asking, many rounds; the task lists exactly the
 *   new question, and completes once it is answered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { McpEndpoint } from '../../../core/endpoint';
import { SessionRegistry } from '../../../core/registry';
import { newTaskId, type TaskRecord, type TaskStore } from '../../../core/tasks/task';
import { EditorCall } from '../../../core/workbench/editor-call';
import { startRedis, type RunningRedis } from '../../support/redis';
import { waitFor } from '../../support/core-server';
import { sharedMemoryStore, twoRedisStores } from '../../support/task-stores';

let redis: RunningRedis;
const closers: Array<() => Promise<void>> = [];

let rounds = 0;
const redisStores = (): [TaskStore, TaskStore] => {
  rounds++;
  return twoRedisStores(redis.url, 'race:', closers);
};
const memoryStores = (): [TaskStore, TaskStore] => sharedMemoryStore(closers);

const ROUNDS = 30;
const question = { method: 'elicitation/create', params: { message: 'Sure?' } };

/** The task once `done` says so (polled, as a client would). */
async function until(store: TaskStore, taskId: string, done: (record: TaskRecord) => boolean): Promise<TaskRecord> {
  for (let i = 0; i < 300; i++) {
    const record = await store.get(taskId);
    if (record !== undefined && done(record)) return record;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the task did not get there: ${JSON.stringify(await store.get(taskId))}`);
}

describe('MCP tasks: an input request added on one instance while another removes an answered one', () => {
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const close of closers) await close().catch(() => {});
    await redis.stop();
  });

  for (const [kind, stores] of [['two Redis stores', redisStores], ['one memory store', memoryStores]] as const) {
    it(`${kind}: update(taskId, change) applies each change to the current task, so an added and a removed key both survive, ${ROUNDS} rounds`, async () => {
      const [a, b] = stores();
      for (let round = 0; round < ROUNDS; round++) {
        const now = Date.now();
        const record: TaskRecord = { taskId: newTaskId(), owner: 'anyone', era: '2026-07-28', method: 'tools/call', status: 'input_required', createdAt: now, lastUpdatedAt: now, ttlMs: 60_000, pollIntervalMs: 1000, inputRequests: { old: question } };
        await a.create(record, 1000);
        const add = a.update(record.taskId, (current) => ({ status: 'input_required', inputRequests: { ...(current.inputRequests ?? {}), added: question } }));
        const remove = b.update(record.taskId, (current) => {
          const left = { ...(current.inputRequests ?? {}) };
          delete left.old;
          return Object.keys(left).length > 0 ? { inputRequests: left } : { status: 'working' };
        });
        await Promise.all([add, remove]);
        const after = await b.get(record.taskId);
        assert.equal(after?.status, 'input_required', `round ${round}`);
        assert.deepEqual(Object.keys(after?.inputRequests ?? {}), ['added'], `round ${round}: the added key kept, the removed one gone`);
      }
    });

    it(`${kind}: a change that returns undefined writes nothing and is not heard; a task that ended is never passed to it`, async () => {
      const [a, b] = stores();
      const now = Date.now();
      const record: TaskRecord = { taskId: newTaskId(), owner: 'anyone', era: '2026-07-28', method: 'tools/call', status: 'working', createdAt: now, lastUpdatedAt: now - 5, ttlMs: 60_000, pollIntervalMs: 1000 };
      const heard: TaskRecord[] = [];
      b.onChange((changed) => heard.push(changed));
      await a.create(record, 10);
      const same = await a.update(record.taskId, () => undefined);
      assert.equal(same?.lastUpdatedAt, record.lastUpdatedAt, 'not written');
      await a.update(record.taskId, { status: 'cancelled' });
      let called = false;
      const ended = await b.update(record.taskId, () => {
        called = true;
        return { status: 'completed' };
      });
      assert.equal(ended?.status, 'cancelled');
      assert.equal(called, false);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(heard.map((r) => r.status), ['working', 'cancelled'], 'the creation and the real change only');
      assert.equal(await a.update(newTaskId(), () => ({ status: 'working' })), undefined, 'unknown task');
    });

    it(`${kind}: B records an answer while A's flow asks a new question: the task lists exactly the new one and completes once it is answered, ${ROUNDS} rounds`, async () => {
      const [storeA, storeB] = stores();
      const asks = new Map<string, () => void>();
      const answered = new Map<string, string[]>();
      const a = new McpEndpoint({ id: `race-a-${rounds}-${kind}`, registry: new SessionRegistry(), keepAliveMs: 0, tasks: { store: storeA } });
      const b = new McpEndpoint({ id: `race-b-${rounds}-${kind}`, registry: new SessionRegistry(), keepAliveMs: 0, tasks: { store: storeB } });
      closers.unshift(() => a.close(), () => b.close());
      a.features.declare({
        kind: 'tool', owner: 'n', taskSupport: 'always', definition: { name: 'job', inputSchema: { type: 'object' } },
        onRequest: (request) => {
          const taskId = a.clientContext(request.session, request.requestId).taskId as string;
          const got: string[] = [];
          answered.set(taskId, got);
          let n = 0;
          const ask = (): void => {
            const key = `input-${++n}`;
            a.send(request.session.id, { method: 'elicitation/create', params: { message: `Question ${n}?` } }, {
              requestId: request.requestId,
              request: {
                timeoutMs: 0,
                settle: (outcome) => {
                  got.push(key);
                  if (got.length === 2) a.send(request.session.id, `answered ${got.join(' ')}`, { requestId: request.requestId });
                  void outcome;
                },
              },
            });
          };
          asks.set(taskId, ask);
          ask();
        },
      });
      b.features.declare({ kind: 'tool', owner: 'n', taskSupport: 'always', definition: { name: 'job', inputSchema: { type: 'object' } }, onRequest: () => assert.fail('B runs no flow') });
      const origin = new EditorCall(() => {}, () => {});
      for (let round = 0; round < ROUNDS; round++) {
        const record = await a.tasks.runner.start({ origin, request: { jsonrpc: '2.0', id: round, method: 'tools/call', params: { name: 'job', arguments: {} } }, owner: 'anyone', era: '2026-07-28' });
        await until(storeB, record.taskId, (r) => r.inputRequests?.['input-1'] !== undefined);
        // Each order in turn: the answer's write first, or the new question's.
        const ask = asks.get(record.taskId) as () => void;
        if (round % 2 === 1) ask();
        const answer = b.tasks.runner.provideInput(record.taskId, { 'input-1': { action: 'accept' } });
        if (round % 2 === 0) ask();
        await answer;
        await waitFor(() => answered.get(record.taskId)?.length === 1, 2000, `round ${round}: A's flow to get the first answer`);
        const waiting = await until(storeB, record.taskId, (r) => r.inputResponses === undefined && r.inputRequests?.['input-2'] !== undefined);
        assert.equal(waiting.status, 'input_required', `round ${round}`);
        assert.deepEqual(Object.keys(waiting.inputRequests ?? {}), ['input-2'], `round ${round}: the new question listed, the answered one gone`);
        await b.tasks.runner.provideInput(record.taskId, { 'input-2': { action: 'accept' } });
        const done = await until(storeB, record.taskId, (r) => r.status === 'completed');
        assert.deepEqual(done.result, { content: [{ type: 'text', text: 'answered input-1 input-2' }] });
      }
      assert.equal(a.tasks.runner.size, 0, 'every call freed');
    });
  }
});
