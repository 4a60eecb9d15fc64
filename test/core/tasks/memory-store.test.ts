/**
 * The in-memory task store (core/tasks/memory-store.ts): what a poller and a flow would notice.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryTaskStore } from '../../../core/tasks/memory-store';
import { InvalidCursorError, TaskLimitError, type TaskRecord } from '../../../core/tasks/task';

function task(taskId: string, owner: string, createdAt: number, ttlMs = 60_000): TaskRecord {
  return { taskId, owner, era: '2026-07-28', method: 'tools/call', status: 'working', createdAt, lastUpdatedAt: createdAt, ttlMs, pollIntervalMs: 1000 };
}

describe('MemoryTaskStore', () => {
  it('forgets a task once its TTL has passed, and not before', async () => {
    let now = 1_000;
    const store = new MemoryTaskStore(() => now);
    await store.create(task('a', 'anyone', now, 500), 10);
    now = 1_499;
    assert.equal((await store.get('a'))?.taskId, 'a');
    now = 1_500;
    assert.equal(await store.get('a'), undefined);
    await store.close();
  });

  it('refuses an owner past its limit of unfinished tasks, counting only unfinished ones', async () => {
    const store = new MemoryTaskStore();
    await store.create(task('a', 'session:1', Date.now()), 2);
    await store.create(task('b', 'session:1', Date.now()), 2);
    await assert.rejects(store.create(task('c', 'session:1', Date.now()), 2), TaskLimitError);
    await store.create(task('d', 'session:2', Date.now()), 2);
    await store.update('a', { status: 'completed', result: { content: [] } });
    await store.create(task('c', 'session:1', Date.now()), 2);
    await store.close();
  });

  it('never overwrites a task that has ended (a late answer after cancel)', async () => {
    const store = new MemoryTaskStore();
    await store.create(task('a', 'anyone', Date.now()), 10);
    await store.update('a', { status: 'cancelled' });
    const after = await store.update('a', { status: 'completed', result: { content: [{ type: 'text', text: 'late' }] } });
    assert.equal(after?.status, 'cancelled');
    assert.equal(after?.result, undefined);
    await store.close();
  });

  it('clears the flow\'s status message when a task ends, unless the ending sets its own', async () => {
    const store = new MemoryTaskStore();
    for (const id of ['done', 'failed', 'cancelled', 'stopped']) {
      await store.create(task(id, 'anyone', Date.now()), 10);
      await store.update(id, { statusMessage: 'Waiting for a person to approve' });
    }
    assert.equal((await store.get('done'))?.statusMessage, 'Waiting for a person to approve');
    const done = await store.update('done', { status: 'completed', result: { content: [] } });
    assert.equal(done?.statusMessage, undefined);
    assert.equal('statusMessage' in (done ?? {}), false, 'the key goes, not only its value');
    assert.equal((await store.get('done'))?.statusMessage, undefined);
    const failed = await store.update('failed', { status: 'failed', error: { code: -32603, message: 'crashed' } });
    assert.equal(failed?.statusMessage, undefined, 'a failure without a message of its own clears it too');
    assert.equal((await store.update('cancelled', { status: 'cancelled', statusMessage: 'The client cancelled the task' }))?.statusMessage, 'The client cancelled the task');
    assert.equal((await store.update('stopped', { status: 'failed', statusMessage: 'the instance stopped', error: { code: -32000, message: 'the instance stopped' } }))?.statusMessage, 'the instance stopped');
    await store.close();
  });

  it('lists one owner\'s tasks newest first, a page at a time, with a cursor to the next', async () => {
    const store = new MemoryTaskStore();
    for (let i = 0; i < 5; i++) await store.create(task(`t${i}`, 'subject:ann', Date.now() + i), 10);
    await store.create(task('other', 'subject:bob', Date.now()), 10);
    const first = await store.list('subject:ann', undefined, 2);
    assert.deepEqual(first.tasks.map((t) => t.taskId), ['t4', 't3']);
    const second = await store.list('subject:ann', first.nextCursor, 2);
    assert.deepEqual(second.tasks.map((t) => t.taskId), ['t2', 't1']);
    const last = await store.list('subject:ann', second.nextCursor, 2);
    assert.deepEqual(last.tasks.map((t) => t.taskId), ['t0']);
    assert.equal(last.nextCursor, undefined);
    await assert.rejects(store.list('subject:ann', 't3', 2), InvalidCursorError, 'a malformed cursor (a bare task id) is refused, never page 1 again');
    await store.close();
  });
});
