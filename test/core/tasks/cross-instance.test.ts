/**
 * Tasks across instances (issue 21, "With Redis"): two endpoints stand for two Node-RED instances
 * sharing one task store, either two RedisTaskStores on a real redis-server (as two processes do)
 * or one MemoryTaskStore (the same path in one process). Instance A runs a task's flow; the
 * client's `tasks/cancel` and `tasks/update` reach instance B:
 * - the cancel reaches A's flow as `notifications/cancelled`, once; the task reads `cancelled`
 *   everywhere and A's later answer changes nothing;
 * - the answers reach A's flow, each once, partial answers included (the answered key leaves
 *   `inputRequests` at once), and the flow completes the task with them; the recorded answers
 *   (`inputResponses`) are on no wire and leave the task once delivered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { McpEndpoint } from '../../../core/endpoint';
import { SessionRegistry } from '../../../core/registry';
import type { FlowRequest } from '../../../core/features/declarations';
import { newTaskId, type TaskRecord, type TaskStore } from '../../../core/tasks/task';
import { detailedTask } from '../../../core/tasks/wire-2026';
import { wireTask } from '../../../core/tasks/wire-2025';
import { EditorCall } from '../../../core/workbench/editor-call';
import { startRedis, type RunningRedis } from '../../support/redis';
import { waitFor } from '../../support/core-server';
import { sharedMemoryStore, twoRedisStores } from '../../support/task-stores';

let redis: RunningRedis;
const closers: Array<() => Promise<void>> = [];
let endpointIds = 0;

/** What instance A's flow saw. */
interface FlowLog {
  /** Methods of the notifications the endpoint received (A's: the cancellation). */
  notifications: string[];
  /** Each input key's answers, as the flow got them (settle calls). */
  answers: Map<string, unknown[]>;
  /** Answers the flow's pending request with `text` (a late answer after a cancel). */
  answer?: (text: string) => void;
}

/** An endpoint with tool `job` (Task: always) on `store`; `flow` gets its requests. */
function instance(store: TaskStore, flow: (request: FlowRequest, endpoint: McpEndpoint) => void): { endpoint: McpEndpoint; notifications: string[] } {
  const endpoint = new McpEndpoint({ id: `cross-${endpointIds}`, registry: new SessionRegistry(), keepAliveMs: 0, tasks: { store } });
  endpoint.features.declare({ kind: 'tool', owner: 'n', taskSupport: 'always', definition: { name: 'job', inputSchema: { type: 'object' } }, onRequest: (request) => flow(request, endpoint) });
  const notifications: string[] = [];
  endpoint.messageReceived.add(({ message }) => { if ('method' in message && !('id' in message)) notifications.push(message.method); });
  closers.unshift(() => endpoint.close());
  return { endpoint, notifications };
}

/**
 * Instances A and B of one endpoint over `stores` ([A's, B's]); A's flow asks `asks` elicitations
 * at once and, once all are answered, completes with the answers it got.
 */
function pair(stores: [TaskStore, TaskStore], asks: number): { a: McpEndpoint; b: McpEndpoint; log: FlowLog; bHeard: string[]; start(): Promise<TaskRecord> } {
  endpointIds++;
  const log: FlowLog = { notifications: [], answers: new Map() };
  const flow = (request: FlowRequest, ep: McpEndpoint): void => {
    const reply = (payload: unknown): void => void ep.send(request.session.id, payload, { requestId: request.requestId });
    log.answer = reply;
    const got: unknown[] = [];
    for (let n = 1; n <= asks; n++) {
      ep.send(request.session.id, { method: 'elicitation/create', params: { message: `Question ${n}?` } }, {
        requestId: request.requestId,
        request: {
          timeoutMs: 0,
          settle: (outcome) => {
            const key = `input-${n}`;
            log.answers.set(key, [...(log.answers.get(key) ?? []), outcome.status === 'result' ? outcome.result : { [outcome.status]: outcome.error.message }]);
            got.push(outcome.status === 'result' ? outcome.result : null);
            if (got.length === asks) reply(`answers: ${JSON.stringify(got)}`);
          },
        },
      });
    }
  };
  const a = instance(stores[0], flow);
  const b = instance(stores[1], () => assert.fail('B runs no flow'));
  log.notifications = a.notifications;
  const origin = new EditorCall(() => {}, () => {});
  return {
    a: a.endpoint, b: b.endpoint, log, bHeard: b.notifications,
    start: () => a.endpoint.tasks.runner.start({ origin, request: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'job', arguments: {} } }, owner: 'anyone', era: '2026-07-28' }),
  };
}

/** The task read through `endpoint` once `done` says so (polled, as a client would). */
async function until(endpoint: McpEndpoint, taskId: string, done: (record: TaskRecord) => boolean): Promise<TaskRecord> {
  for (let i = 0; i < 300; i++) {
    const record = await endpoint.tasks.store.get(taskId);
    if (record !== undefined && done(record)) return record;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the task did not get there');
}

const redisStores = (): [TaskStore, TaskStore] => twoRedisStores(redis.url, 'x:', closers);
const memoryStores = (): [TaskStore, TaskStore] => sharedMemoryStore(closers);

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 150));

describe('MCP tasks across instances: cancel and input through the instance not running the task', () => {
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const close of closers) await close().catch(() => {});
    await redis.stop();
  });

  for (const [kind, stores] of [['two Redis stores', redisStores], ['one memory store', memoryStores]] as const) {
    it(`${kind}: a cancel through B reaches A's flow once, the task reads cancelled on both, A's late answer changes nothing`, async () => {
      const { a, b, log, bHeard, start } = pair(stores(), 0);
      const record = await start();
      await waitFor(() => log.answer !== undefined, 2000, "A's flow to get the call");
      assert.equal(b.tasks.runner.isRunning(record.taskId), false);
      assert.equal((await b.tasks.runner.cancel(record.taskId))?.status, 'cancelled');
      await waitFor(() => log.notifications.includes('notifications/cancelled'), 2000, "A's flow to hear the cancel");
      await settle();
      assert.deepEqual(log.notifications, ['notifications/cancelled'], 'told once');
      assert.deepEqual(bHeard, [], 'B runs no flow and is told nothing');
      log.answer?.('late');
      await settle();
      assert.equal((await a.tasks.store.get(record.taskId))?.status, 'cancelled');
      const seenByB = await b.tasks.store.get(record.taskId);
      assert.equal(seenByB?.status, 'cancelled');
      assert.equal(seenByB?.result, undefined);
      // Cancelled again, through A this time: idempotent, and the flow is not told twice.
      assert.equal((await a.tasks.runner.cancel(record.taskId))?.status, 'cancelled');
      await settle();
      assert.deepEqual(log.notifications, ['notifications/cancelled']);
    });

    it(`${kind}: answers through B reach A's flow, each once, a partial answer first; the flow completes the task with them`, async () => {
      const { a, b, log, start } = pair(stores(), 2);
      const record = await start();
      const waiting = await until(b, record.taskId, (r) => Object.keys(r.inputRequests ?? {}).length === 2);
      assert.equal(waiting.status, 'input_required');
      assert.equal(a.tasks.runner.isRunning(record.taskId), true);
      assert.equal(b.tasks.runner.isRunning(record.taskId), false);
      assert.deepEqual(Object.keys(waiting.inputRequests ?? {}).sort(), ['input-1', 'input-2']);

      const partial = await b.tasks.runner.provideInput(record.taskId, { 'input-1': { action: 'accept', content: { n: 1 } }, 'input-9': { action: 'accept' } });
      assert.equal(partial?.status, 'input_required');
      assert.deepEqual(Object.keys(partial?.inputRequests ?? {}), ['input-2'], 'the answered key left inputRequests at once');
      assert.equal('inputResponses' in detailedTask(partial as TaskRecord), false, 'recorded answers are on no wire');
      await waitFor(() => log.answers.has('input-1'), 2000, "A's flow to get the first answer");
      // Answered again through B (a client retrying): ignored, the flow is not answered twice.
      await b.tasks.runner.provideInput(record.taskId, { 'input-1': { action: 'decline' } });
      const between = await until(b, record.taskId, (r) => r.inputResponses === undefined);
      assert.equal(between.status, 'input_required', 'still waiting for input-2');
      assert.deepEqual(Object.keys(between.inputRequests ?? {}), ['input-2']);

      const last = await b.tasks.runner.provideInput(record.taskId, { 'input-2': { action: 'accept', content: { n: 2 } } });
      assert.equal(last?.status, 'working', 'every key answered');
      const done = await until(b, record.taskId, (r) => r.status === 'completed');
      assert.deepEqual(done.result, { content: [{ type: 'text', text: 'answers: [{"action":"accept","content":{"n":1}},{"action":"accept","content":{"n":2}}]' }] });
      assert.equal(done.inputResponses, undefined);
      await settle();
      assert.deepEqual(Object.fromEntries(log.answers), { 'input-1': [{ action: 'accept', content: { n: 1 } }], 'input-2': [{ action: 'accept', content: { n: 2 } }] }, 'each answer once');
    });

    it(`${kind}: an error answer through B reaches A's flow as an error, beside a result; neither is on any wire`, async () => {
      const { a, b, log, start } = pair(stores(), 2);
      const record = await start();
      await until(b, record.taskId, (r) => Object.keys(r.inputRequests ?? {}).length === 2);
      const after = await b.tasks.runner.provideInput(record.taskId, { 'input-1': { action: 'accept', content: { n: 1 } } }, { 'input-2': { code: -32600, message: 'the user closed the form' } });
      assert.equal(after?.status, 'working', 'both keys answered');
      assert.equal('inputErrors' in detailedTask(after as TaskRecord), false, 'recorded errors are on no 2026 wire');
      assert.equal('inputErrors' in wireTask(after as TaskRecord), false, 'nor on the 2025 wire');
      const done = await until(a, record.taskId, (r) => r.status === 'completed');
      assert.deepEqual(done.result, { content: [{ type: 'text', text: 'answers: [{"action":"accept","content":{"n":1}},null]' }] });
      assert.equal(done.inputErrors, undefined);
      assert.equal(done.inputResponses, undefined);
      await settle();
      assert.deepEqual(Object.fromEntries(log.answers), { 'input-1': [{ action: 'accept', content: { n: 1 } }], 'input-2': [{ error: 'the user closed the form' }] }, 'each once, the error as an error');
    });
  }

  it('the Redis store keeps recorded answers through every change (the update script stores the whole JSON) and drops them once the task ends', async () => {
    const [a, b] = redisStores();
    const now = Date.now();
    const record: TaskRecord = { taskId: newTaskId(), owner: 'anyone', era: '2026-07-28', method: 'tools/call', status: 'input_required', createdAt: now, lastUpdatedAt: now, ttlMs: 60_000, pollIntervalMs: 1000, inputRequests: { 'input-1': { method: 'elicitation/create' } } };
    await a.create(record, 10);
    await b.update(record.taskId, { status: 'working', inputResponses: { 'input-1': { action: 'accept', content: { list: [] } } } });
    await a.update(record.taskId, { statusMessage: 'half way' });
    assert.deepEqual((await a.get(record.taskId))?.inputResponses, { 'input-1': { action: 'accept', content: { list: [] } } });
    await a.update(record.taskId, { status: 'cancelled' });
    assert.equal((await b.get(record.taskId))?.inputResponses, undefined);
  });
});
