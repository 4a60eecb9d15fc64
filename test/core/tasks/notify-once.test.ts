/**
 * 2026-07-28 `notifications/tasks` go to listen streams only when what a client sees of the task
 * changed (status, status message, input request keys; the result or error come with the ending
 * status). The case that sent a duplicate: a client's answer through instance B is recorded in the
 * task (`working`), instance A hands it to its flow and clears it: a store change that shows the
 * client nothing new. Two endpoints (A runs the flow) on two Redis stores and on one memory store;
 * what each endpoint hands its listen streams is read at `Exchanges.notifyListeners`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { McpEndpoint } from '../../../core/endpoint';
import { SessionRegistry } from '../../../core/registry';
import type { TaskRecord, TaskStore } from '../../../core/tasks/task';
import { EditorCall } from '../../../core/workbench/editor-call';
import { startRedis, type RunningRedis } from '../../support/redis';
import { waitFor } from '../../support/core-server';
import { sharedMemoryStore, twoRedisStores } from '../../support/task-stores';

let redis: RunningRedis;
const closers: Array<() => Promise<void>> = [];
let endpoints = 0;

/** An endpoint on `store` whose `notifications/tasks` to listen streams are kept in `sent` (status and statusMessage). */
function endpointOn(store: TaskStore): { endpoint: McpEndpoint; sent: string[] } {
  const endpoint = new McpEndpoint({ id: `once-${++endpoints}`, registry: new SessionRegistry(), keepAliveMs: 0, tasks: { store } });
  closers.unshift(() => endpoint.close());
  const exchanges = (endpoint as unknown as { dispatcher: { exchanges: { notifyListeners(payload: Record<string, unknown>): number } } }).dispatcher.exchanges;
  const sent: string[] = [];
  const real = exchanges.notifyListeners.bind(exchanges);
  exchanges.notifyListeners = (payload) => {
    const params = payload.params as { status?: string; statusMessage?: string; inputRequests?: object };
    if (payload.method === 'notifications/tasks') sent.push([params.status, params.statusMessage, Object.keys(params.inputRequests ?? {}).join(',')].filter(Boolean).join(' '));
    return real(payload);
  };
  return { endpoint, sent };
}

async function until(store: TaskStore, taskId: string, done: (record: TaskRecord) => boolean): Promise<TaskRecord> {
  for (let i = 0; i < 300; i++) {
    const record = await store.get(taskId);
    if (record !== undefined && done(record)) return record;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the task did not get there');
}

describe('MCP 2026-07-28 task notifications: only when what the client sees changed', () => {
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const close of closers) await close().catch(() => {});
    await redis.stop();
  });

  const kinds: Array<[string, () => [TaskStore, TaskStore]]> = [
    ['two Redis stores', () => twoRedisStores(redis.url, 'once:', closers)],
    ['one memory store', () => sharedMemoryStore(closers)],
  ];
  for (const [kind, stores] of kinds) {
    it(`${kind}: an answer through B, handed to A's flow and cleared, is one notification on each instance, not two`, async () => {
      const [storeA, storeB] = stores();
      const a = endpointOn(storeA);
      const b = endpointOn(storeB);
      let progress: ((text: string) => void) | undefined;
      let finish: (() => void) | undefined;
      a.endpoint.features.declare({
        kind: 'tool', owner: 'n', taskSupport: 'always', definition: { name: 'job', inputSchema: { type: 'object' } },
        onRequest: (request) => {
          const ep = a.endpoint;
          ep.send(request.session.id, { method: 'elicitation/create', params: { message: 'Sure?' } }, {
            requestId: request.requestId,
            request: { timeoutMs: 0, settle: () => { progress = (text) => void ep.send(request.session.id, { method: 'notifications/progress', params: { progress: 1, message: text } }, { requestId: request.requestId }); } },
          });
          finish = () => void ep.send(request.session.id, 'done', { requestId: request.requestId });
        },
      });
      const record = await a.endpoint.tasks.runner.start({ origin: new EditorCall(() => {}, () => {}), request: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'job', arguments: {} } }, owner: 'anyone', era: '2026-07-28' });
      await until(storeB, record.taskId, (r) => r.status === 'input_required');
      await b.endpoint.tasks.runner.provideInput(record.taskId, { 'input-1': { action: 'accept' } });
      await waitFor(() => progress !== undefined, 2000, "A's flow to get the answer");
      await until(storeB, record.taskId, (r) => r.inputResponses === undefined);
      (progress as (text: string) => void)('Half way');
      await until(storeB, record.taskId, (r) => r.statusMessage === 'Half way');
      (finish as () => void)();
      await until(storeB, record.taskId, (r) => r.status === 'completed');
      const expected = ['working', 'input_required input-1', 'working', 'working Half way', 'completed'];
      await waitFor(() => a.sent.length >= expected.length && b.sent.length >= expected.length, 2000, 'every notification');
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(a.sent, expected, 'A (runs the flow)');
      assert.deepEqual(b.sent, expected, 'B (recorded the answer)');
    });
  }
});
