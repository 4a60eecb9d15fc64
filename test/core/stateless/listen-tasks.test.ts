/**
 * 2026-07-28 task status notifications (SEP-2663 "Task Status Notifications") over plain
 * node:http, as a raw client meets them: a `subscriptions/listen` stream that names `taskIds`
 * gets `notifications/tasks` (the DetailedTask, the result inline once completed) for those tasks
 * only, each frame with the listen request's id as `_meta["io.modelcontextprotocol/subscriptionId"]`;
 * the acknowledgement lists only the task ids the caller could `tasks/get`; without the tasks
 * extension the listen request is refused `-32021`.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, type CoreServer } from '../../support/core-server';
import type { EventStream } from '../../support/sse-client';
import { StreamableClient, type HeaderChanges } from '../../support/streamable-client';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const TASKS = 'io.modelcontextprotocol/tasks';
const WITH_TASKS = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS]: {} } } };
const WITHOUT_TASKS = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

type Message = { method?: string; id?: unknown; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: number } };

let server: CoreServer | undefined;
const clients: StreamableClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.closeAll();
  await server?.close();
  server = undefined;
});

/** A server with tool `job` (Task: always, or never) whose flow answers when the test says `finish(text)` (or errs). */
async function start(taskSupport: 'always' | 'never' = 'always'): Promise<{ finish: (outcome: string | { code: number; message: string }) => void }> {
  server = await startCoreServer({ keepAliveMs: 0, features: { listChangedDelayMs: 0 } });
  const endpoint = server.endpoint;
  const waiting: Array<(outcome: string | { code: number; message: string }) => void> = [];
  endpoint.features.declare({
    kind: 'tool', owner: 't', taskSupport, definition: { name: 'job', inputSchema: { type: 'object' } },
    onRequest: ({ session, requestId }) => waiting.push((outcome) => endpoint.send(session.id, typeof outcome === 'string' ? outcome : { jsonrpc: '2.0', error: outcome }, { requestId })),
  });
  await new Promise((r) => setTimeout(r, 20));
  return { finish: (outcome) => (waiting.shift() as (o: typeof outcome) => void)(outcome) };
}

/** POSTs one 2026-07-28 request with the headers the v2 client sends. */
function modern(id: string, method: string, params: Record<string, unknown>, meta: Record<string, unknown> = WITH_TASKS): ReturnType<StreamableClient['post']> {
  const c = new StreamableClient(`${(server as CoreServer).url}/mcp`);
  clients.push(c);
  const named = params.name ?? params.taskId;
  const name: HeaderChanges = typeof named === 'string' ? { 'Mcp-Name': named } : {};
  return c.post({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } }, { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method, ...name });
}

/** Calls `job`; the flow does not answer within the inline window, so the answer is a CreateTaskResult. */
async function startTask(id: string): Promise<string> {
  const answer = await modern(id, 'tools/call', { name: 'job', arguments: {} });
  const body = answer.stream === undefined ? answer.json as Message : JSON.parse((await answer.stream.nextEvent()).data) as Message;
  assert.equal(body.result?.resultType, 'task', JSON.stringify(body));
  return body.result?.taskId as string;
}

/** Opens a listen stream and returns it with its acknowledgement. */
async function listen(id: string, notifications: Record<string, unknown>, meta: Record<string, unknown> = WITH_TASKS): Promise<{ stream: EventStream; ack: Message }> {
  const answer = await modern(id, 'subscriptions/listen', { notifications }, meta);
  assert.equal(answer.status, 200, answer.body);
  const stream = answer.stream as EventStream;
  return { stream, ack: JSON.parse((await stream.nextEvent()).data) as Message };
}

/** The next message on `stream`. */
async function next(stream: EventStream, timeoutMs = 2000): Promise<Message> {
  return JSON.parse((await stream.nextEvent(timeoutMs)).data) as Message;
}

/** Resolves when `stream` gets nothing more within `ms`. */
async function quiet(stream: EventStream, ms = 150): Promise<void> {
  await assert.rejects(stream.nextEvent(ms), 'the stream got a message it did not ask for');
}

describe('notifications/tasks on subscriptions/listen (2026-07-28, SEP-2663)', () => {
  it('acknowledges the task ids it named, sends their state now, then each change, the result inline once completed; another stream gets nothing', async () => {
    const { finish } = await start();
    const taskId = await startTask('C1');
    const { stream, ack } = await listen('L1', { taskIds: [taskId, taskId], toolsListChanged: true });
    assert.equal(ack.method, 'notifications/subscriptions/acknowledged');
    assert.deepEqual(ack.params?.notifications, { toolsListChanged: true, taskIds: [taskId] });
    assert.deepEqual(ack.params?._meta, { [SUBSCRIPTION_ID]: 'L1' });
    const other = await listen('L2', { toolsListChanged: true });
    assert.deepEqual(other.ack.params?.notifications, { toolsListChanged: true }, 'no taskIds asked: none acknowledged');

    const now = await next(stream);
    assert.equal(now.method, 'notifications/tasks');
    assert.equal(now.params?.taskId, taskId);
    assert.equal(now.params?.status, 'working');
    assert.deepEqual(now.params?._meta, { [SUBSCRIPTION_ID]: 'L1' });

    finish('all done');
    const done = await next(stream);
    assert.equal(done.method, 'notifications/tasks');
    assert.equal(done.params?.status, 'completed');
    assert.deepEqual(done.params?.result, { resultType: 'complete', content: [{ type: 'text', text: 'all done' }] }, 'the tool result inline, as a 2026-07-28 CallToolResult');
    assert.equal(typeof done.params?.createdAt, 'string');
    assert.equal(done.params?.resultType, undefined, 'a notification carries the DetailedTask without resultType');
    assert.deepEqual(done.params?._meta, { [SUBSCRIPTION_ID]: 'L1' });
    await quiet(other.stream);
  });

  it('a failed task is notified with its JSON-RPC error inline', async () => {
    const { finish } = await start();
    const taskId = await startTask('C1');
    const { stream } = await listen('L1', { taskIds: [taskId] });
    assert.equal((await next(stream)).params?.status, 'working');
    finish({ code: -32603, message: 'the printer is on fire' });
    const failed = await next(stream);
    assert.equal(failed.params?.status, 'failed');
    assert.deepEqual(failed.params?.error, { code: -32603, message: 'the printer is on fire' });
  });

  it('a task that ended before the stream opened is sent as it ended, once', async () => {
    const { finish } = await start();
    const taskId = await startTask('C1');
    finish('early');
    await new Promise((r) => setTimeout(r, 50));
    const { stream, ack } = await listen('L1', { taskIds: [taskId] });
    assert.deepEqual(ack.params?.notifications, { taskIds: [taskId] });
    const ended = await next(stream);
    assert.equal(ended.params?.status, 'completed');
    assert.deepEqual(ended.params?.result, { resultType: 'complete', content: [{ type: 'text', text: 'early' }] });
    await quiet(stream);
  });

  it('leaves out, silently, task ids the caller could not tasks/get: unknown ones, another subject\'s, a 2025-11-25 task', async () => {
    await start();
    const taskId = await startTask('C1');
    const store = (server as CoreServer).endpoint.tasks.store;
    const base = { method: 'tools/call', status: 'working' as const, createdAt: Date.now(), lastUpdatedAt: Date.now(), ttlMs: 60_000, pollIntervalMs: 1000 };
    await store.create({ ...base, taskId: 'someone-elses', owner: 'subject:alice', era: '2026-07-28' }, 100);
    await store.create({ ...base, taskId: 'a-2025-task', owner: 'anyone', era: '2025-11-25' }, 100);
    const { stream, ack } = await listen('L1', { taskIds: ['no-such-task', 'someone-elses', taskId, 'a-2025-task', 7] });
    assert.deepEqual(ack.params?.notifications, { taskIds: [taskId] });
    assert.equal((await next(stream)).params?.taskId, taskId);
    await store.update('someone-elses', { status: 'completed', result: { content: [] } });
    await quiet(stream);
  });

  it('refuses taskIds without the tasks extension: 400 -32021 naming the extension, no stream', async () => {
    await start();
    const answer = await modern('L1', 'subscriptions/listen', { notifications: { taskIds: ['x'] } }, WITHOUT_TASKS);
    assert.equal(answer.status, 400);
    const body = answer.json as Message & { error: { code: number; data: unknown } };
    assert.equal(body.id, 'L1');
    assert.equal(body.error.code, -32021);
    assert.deepEqual(body.error.data, { requiredCapabilities: { extensions: { [TASKS]: {} } } });
    const plain = await listen('L2', { toolsListChanged: true }, WITHOUT_TASKS);
    assert.deepEqual(plain.ack.params?.notifications, { toolsListChanged: true }, 'a listen without taskIds is not refused');
  });

  it('an endpoint without task tools does not acknowledge taskIds, and refuses nothing', async () => {
    await start('never');
    const { ack } = await listen('L1', { taskIds: ['x'], toolsListChanged: true }, WITHOUT_TASKS);
    assert.deepEqual(ack.params?.notifications, { toolsListChanged: true });
    const declared = await listen('L2', { taskIds: ['x'] });
    assert.deepEqual(declared.ack.params?.notifications, {});
  });
});
