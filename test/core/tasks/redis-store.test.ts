/**
 * The Redis task store (core/tasks/redis-store.ts) on a real redis-server, with two stores standing
 * for two instances: durable create, the per-owner limit under concurrency, terminal tasks never
 * overwritten, TTL, `tasks/list` paging, changes heard across instances, and the lease: a task whose
 * store died (or closed) reads `failed`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterKeys } from '../../../core/cluster/options';
import { RedisLink } from '../../../core/cluster/redis-link';
import { RedisTaskStore } from '../../../core/tasks/redis-store';
import { InvalidCursorError, newTaskId, TaskLimitError, type TaskRecord } from '../../../core/tasks/task';
import { startRedis, type RunningRedis } from '../../support/redis';
import { waitFor } from '../../support/core-server';

let redis: RunningRedis;
const stores: RedisTaskStore[] = [];
let endpoints = 0;

/** A store on its own link, as on its own instance. */
function store(endpoint: string, instanceId: string, leaseTtlMs = 15_000): RedisTaskStore {
  const made = new RedisTaskStore({ link: new RedisLink({ url: redis.url }), ownsLink: true, keys: new ClusterKeys('t:', endpoint), instanceId, leaseTtlMs });
  stores.push(made);
  return made;
}

/** Two stores (instances A and B) of a fresh endpoint. */
function pair(leaseTtlMs?: number): [RedisTaskStore, RedisTaskStore] {
  const endpoint = `ep${++endpoints}`;
  return [store(endpoint, 'A', leaseTtlMs), store(endpoint, 'B', leaseTtlMs)];
}

function task(owner: string, fields: Partial<TaskRecord> = {}): TaskRecord {
  const now = Date.now();
  return { taskId: newTaskId(), owner, era: '2026-07-28', method: 'tools/call', name: 'slow', status: 'working', createdAt: now, lastUpdatedAt: now, ttlMs: 60_000, pollIntervalMs: 1000, ...fields };
}

describe('Redis task store', () => {
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => {})));
    await redis.stop();
  });

  it('a created task is found at once by the other instance, marked with the creating instance; an unknown id is undefined', async () => {
    const [a, b] = pair();
    const record = task('anyone', { result: { content: [] } });
    await a.create(record, 10);
    const found = await b.get(record.taskId);
    assert.deepEqual(found, { ...record, instanceId: 'A' }, 'empty arrays and every field kept');
    assert.equal(await b.get(newTaskId()), undefined);
  });

  it('enforces the per-owner limit of unfinished tasks atomically across instances, per owner; an ended task frees a place', async () => {
    const [a, b] = pair();
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).create(task('session:s1'), 5)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(refused.length, 7);
    assert.ok(refused.every((r) => r.reason instanceof TaskLimitError && /at most 5 unfinished/.test(r.reason.message)));
    await b.create(task('session:s2'), 5);
    const mine = await a.list('session:s1', undefined, 10);
    await b.update(mine.tasks[0].taskId, { status: 'completed', result: { content: [] } });
    await a.create(task('session:s1'), 5);
    await assert.rejects(a.create(task('session:s1'), 5), TaskLimitError);
  });

  it('never changes a terminal task: a late answer after cancel, and a race of cancel and answer on two instances, leave one end', async () => {
    const [a, b] = pair();
    const record = task('anyone');
    await a.create(record, 10);
    const working = await b.update(record.taskId, { status: 'input_required', inputRequests: { r1: { method: 'elicitation/create' } } });
    assert.equal(working?.status, 'input_required');
    const cancelled = await b.update(record.taskId, { status: 'cancelled', statusMessage: 'cancelled by the client' });
    assert.equal(cancelled?.status, 'cancelled');
    assert.equal(cancelled?.inputRequests, undefined, 'inputRequests go when the task leaves input_required');
    const late = await a.update(record.taskId, { status: 'completed', result: { content: [{ type: 'text', text: 'late' }] } });
    assert.equal(late?.status, 'cancelled');
    assert.equal(late?.result, undefined);

    for (let i = 0; i < 20; i++) {
      const raced = task('anyone');
      await a.create(raced, 10);
      const [x, y] = await Promise.all([
        a.update(raced.taskId, { status: 'completed', result: { n: i } }),
        b.update(raced.taskId, { status: 'cancelled' }),
      ]);
      const final = await a.get(raced.taskId);
      assert.ok(final?.status === 'completed' || final?.status === 'cancelled');
      assert.deepEqual(x, final, 'both callers see the one end');
      assert.deepEqual(y, final);
    }
    assert.equal(await a.update(newTaskId(), { status: 'completed' }), undefined);
  });

  it("clears the flow's status message when a task ends (the stored JSON drops it), keeping a failure's own message", async () => {
    const [a, b] = pair();
    const done = task('anyone');
    const gone = task('anyone');
    await a.create(done, 10);
    await a.create(gone, 10);
    await a.update(done.taskId, { statusMessage: 'Waiting for a person to approve' });
    await a.update(gone.taskId, { statusMessage: 'Waiting for a person to approve' });
    assert.equal((await b.get(done.taskId))?.statusMessage, 'Waiting for a person to approve');
    await a.update(done.taskId, { status: 'completed', result: { content: [] } });
    const read = await b.get(done.taskId);
    assert.equal(read?.status, 'completed');
    assert.equal('statusMessage' in (read ?? {}), false, 'read back from Redis without the key');
    const { json } = await (b as unknown as { link: RedisLink }).link.commands.hGetAll(new ClusterKeys('t:', `ep${endpoints}`).task(done.taskId));
    assert.match(json ?? '', /"status":"completed"/, 'the stored JSON of this task');
    assert.doesNotMatch(json ?? '', /statusMessage/);
    await a.close();
    assert.match((await b.get(gone.taskId))?.statusMessage ?? '', /closed its endpoint/);
  });

  it('forgets a task at createdAt + ttlMs, and leaves it out of tasks/list', async () => {
    const [a, b] = pair();
    const short = task('session:ttl', { ttlMs: 300 });
    const long = task('session:ttl');
    await a.create(short, 10);
    await a.create(long, 10);
    assert.equal((await b.get(short.taskId))?.taskId, short.taskId);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await b.get(short.taskId), undefined);
    assert.equal(await b.update(short.taskId, { status: 'completed' }), undefined);
    assert.deepEqual((await b.list('session:ttl', undefined, 10)).tasks.map((t) => t.taskId), [long.taskId]);
  });

  it("lists only the owner's tasks, newest first, a page at a time, ties and expired tasks included correctly", async () => {
    const [a, b] = pair();
    const base = Date.now();
    const created: TaskRecord[] = [];
    for (let i = 0; i < 9; i++) {
      // Three tasks share each createdAt: the cursor must not skip or repeat any of them.
      const record = task('subject:alice', { createdAt: base - Math.floor(i / 3) * 1000, ttlMs: i === 4 ? 200 : 60_000 });
      created.push(record);
      await (i % 2 === 0 ? a : b).create(record, 100);
    }
    await a.create(task('subject:bob'), 100);
    await new Promise((r) => setTimeout(r, 300));
    const seen: TaskRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await (pages % 2 === 0 ? b : a).list('subject:alice', cursor, 3);
      assert.ok(page.tasks.length <= 3);
      seen.push(...page.tasks);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    assert.equal(pages, 3);
    const expected = created.filter((_, i) => i !== 4);
    assert.deepEqual(seen.map((t) => t.taskId).sort(), expected.map((t) => t.taskId).sort(), 'each once, the expired one left out');
    assert.ok(seen.every((t, i) => i === 0 || t.createdAt <= seen[i - 1].createdAt), 'newest first');
    assert.ok(seen.every((t) => t.owner === 'subject:alice'));
    assert.deepEqual((await a.list('subject:nobody', undefined, 3)).tasks, []);
    await assert.rejects(a.list('subject:alice', 'not-a-cursor', 20), InvalidCursorError, 'a malformed cursor is refused, never page 1 again');
  });

  it("keeps an owner's list as long as its live tasks: creating a task trims expired ones, though tasks/list is never called", async () => {
    const [a, b] = pair();
    const keys = new ClusterKeys('t:', `ep${endpoints}`);
    const link = (a as unknown as { link: RedisLink }).link;
    const members = async (key: string) => ((await link.commands.eval("return redis.call('ZRANGE', KEYS[1], 0, -1)", { keys: [key], arguments: [] })) as string[]).sort();
    for (let i = 0; i < 40; i++) await (i % 2 === 0 ? a : b).create(task('anyone', { ttlMs: 200, status: i % 3 === 0 ? 'completed' : 'working' }), 100);
    const live = task('anyone');
    await a.create(live, 100);
    assert.equal((await members(keys.tasksList('anyone'))).length, 41);
    await new Promise((r) => setTimeout(r, 300));
    const last = task('anyone');
    await b.create(last, 100);
    assert.deepEqual(await members(keys.tasksList('anyone')), [live.taskId, last.taskId].sort(), 'only the live tasks stay listed');
    assert.deepEqual(await members(keys.tasksExpiry('anyone')), [live.taskId, last.taskId].sort());
    assert.deepEqual((await a.list('anyone', undefined, 10)).tasks.map((t) => t.taskId).sort(), [live.taskId, last.taskId].sort());
  });

  it("hears every change on the other instance, once, after it is stored; its own at once", async () => {
    const [a, b] = pair();
    const heardA: string[] = [];
    const heardB: string[] = [];
    a.onChange((r) => heardA.push(r.status));
    const stop = b.onChange((r) => heardB.push(r.status));
    const record = task('anyone');
    await a.create(record, 10);
    assert.deepEqual(heardA, ['working']);
    await a.update(record.taskId, { statusMessage: 'half way' });
    await b.update(record.taskId, { status: 'completed', result: {} });
    await a.update(record.taskId, { status: 'failed' }); // terminal: no change, nothing heard
    await waitFor(() => heardB.length >= 3 && heardA.length >= 3, 2000, 'the changes');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(heardB, ['working', 'working', 'completed']);
    assert.deepEqual(heardA, ['working', 'working', 'completed']);
    stop();
  });

  it("marks a task failed once its instance's lease expires: on read, and by the sweep with nobody reading", async () => {
    const endpoint = `ep${++endpoints}`;
    const a = store(endpoint, 'A', 600);
    const b = store(endpoint, 'B', 600);
    const read = task('anyone');
    const unread = task('anyone');
    await a.create(read, 10);
    await a.create(unread, 10);
    const heard = new Map<string, TaskRecord>();
    b.onChange((r) => heard.set(r.taskId, r));
    assert.equal((await b.get(read.taskId))?.status, 'working', 'the owner lives');
    // A's process dies: its connection goes, its lease is no longer renewed.
    const killedAt = Date.now();
    await (a as unknown as { link: RedisLink }).link.close();
    await waitFor(() => heard.get(unread.taskId)?.status === 'failed', 3000, 'the sweep to fail the unread task');
    const failedAfter = Date.now() - killedAt;
    assert.ok(failedAfter <= 600 + 200 + 150, `failed within the lease and one sweep (${failedAfter} ms)`);
    const failed = await b.get(read.taskId);
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.statusMessage ?? '', /instance running this task \(A\) stopped .*send the request again/);
    assert.equal(failed?.error?.code, -32000);
    assert.equal(failed?.instanceId, 'A');
    // A late answer from the dead owner's flow changes nothing.
    assert.equal((await b.update(read.taskId, { status: 'completed', result: {} }))?.status, 'failed');
  });

  it('a store that closes fails its unfinished tasks, not its finished ones nor the other instance\'s', async () => {
    const [a, b] = pair();
    const running = task('anyone');
    const done = task('anyone');
    const other = task('anyone');
    await a.create(running, 10);
    await a.create(done, 10);
    await b.create(other, 10);
    await a.update(done.taskId, { status: 'completed', result: { ok: true } });
    await a.close();
    const failed = await b.get(running.taskId);
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.statusMessage ?? '', /closed its endpoint/);
    assert.equal((await b.get(done.taskId))?.status, 'completed');
    assert.equal((await b.get(other.taskId))?.status, 'working');
    await assert.rejects(a.get(running.taskId), /closed/);
  });

  it('a Node-RED restarted under the same instance id does not keep the dead process\'s tasks working', async () => {
    const endpoint = `ep${++endpoints}`;
    const first = store(endpoint, 'fixed', 400);
    const record = task('anyone');
    await first.create(record, 10);
    await (first as unknown as { link: RedisLink }).link.close();
    const restarted = store(endpoint, 'fixed', 400);
    assert.equal((await restarted.get(record.taskId))?.status, 'working', 'the old lease still lives');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await restarted.get(record.taskId))?.status, 'failed');
  });

  it("forgets a task that expired while its flow still ran: the sweep takes it off the unfinished list", async () => {
    const endpoint = `ep${++endpoints}`;
    const a = store(endpoint, 'A', 150); // renewed every 100 ms (the floor): its own tasks are checked every 12th time, 1.2 s
    const record = task('anyone', { ttlMs: 200 });
    await a.create(record, 10);
    const link = (a as unknown as { link: RedisLink }).link;
    const unfinished = new ClusterKeys('t:', endpoint).tasksUnfinished;
    assert.deepEqual(Object.keys(await link.commands.hGetAll(unfinished)), [record.taskId]);
    const start = Date.now();
    for (;;) {
      if (Object.keys(await link.commands.hGetAll(unfinished)).length === 0) break;
      assert.ok(Date.now() - start < 3000, 'still listed after 3 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('refuses, with a clear error, to create a task while Redis is unreachable', async () => {
    const lonely = new RedisTaskStore({ link: new RedisLink({ url: 'redis://127.0.0.1:1' }), ownsLink: true, keys: new ClusterKeys('t:', 'x'), instanceId: 'A', readyTimeoutMs: 300 });
    await assert.rejects(lonely.create(task('anyone'), 10), /Redis is unreachable/);
    await lonely.close();
  });
});
