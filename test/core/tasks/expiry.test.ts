/**
 * core/tasks/expiry: `callAt` reaches a time past setTimeout's longest delay (a 30-day Task TTL)
 * in steps instead of firing at once, and `PerTask` drops an entry when deleted or when its task
 * expires. Node's mock timers stand in for the days.
 */
import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { callAt, MAX_TIMER_MS, PerTask } from '../../../core/tasks/expiry';

const DAY = 24 * 3600 * 1000;

describe('task expiry timers', () => {
  afterEach(() => mock.timers.reset());

  it('callAt 30 days ahead fires then, not before (plain setTimeout would fire at once)', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    let fired = 0;
    callAt(Date.now() + 30 * DAY, () => fired++);
    mock.timers.tick(1);
    assert.equal(fired, 0);
    mock.timers.tick(MAX_TIMER_MS);
    assert.equal(fired, 0, 'past the first step');
    mock.timers.tick(30 * DAY - MAX_TIMER_MS - 2);
    assert.equal(fired, 0, '1 ms early');
    mock.timers.tick(1);
    assert.equal(fired, 1);
  });

  it('callAt can be cancelled, in any step', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    let fired = 0;
    const cancel = callAt(30 * DAY, () => fired++);
    mock.timers.tick(MAX_TIMER_MS + 5);
    cancel();
    mock.timers.tick(30 * DAY);
    assert.equal(fired, 0);
  });

  it('PerTask keeps an entry until it is deleted or its task expires; an expired task is not kept', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 10_000 });
    const map = new PerTask<string>();
    map.set({ taskId: 'a', createdAt: 10_000, ttlMs: 1000 }, 'x');
    map.set({ taskId: 'b', createdAt: 10_000, ttlMs: 5000 }, 'y');
    map.set({ taskId: 'old', createdAt: 0, ttlMs: 1000 }, 'z');
    assert.equal(map.size, 2);
    map.set({ taskId: 'a', createdAt: 10_000, ttlMs: 1000 }, 'x2');
    assert.equal(map.get('a'), 'x2');
    mock.timers.tick(1000);
    assert.equal(map.get('a'), undefined, 'expired');
    map.delete('b');
    assert.equal(map.size, 0);
    mock.timers.tick(10_000);
    assert.equal(map.size, 0);
  });
});
