/**
 * Listener sets (core/listeners.ts): a client message accepted while no consumer listens (a
 * redeploy of `mcp message in`) is held for the next one, for a short while, and dropped with a
 * word once too old or too many.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeldListeners, Listeners } from '../../core/listeners';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('listeners', () => {
  it('hands every event to every listener in the order they were added, until removed', () => {
    const set = new Listeners<number>();
    const got: string[] = [];
    const removeA = set.add((n) => got.push(`a${n}`));
    set.add((n) => got.push(`b${n}`));
    set.emit(1);
    removeA();
    set.emit(2);
    assert.deepEqual(got, ['a1', 'b1', 'b2']);
    assert.equal(set.size, 1);
  });

  it('holds events while nobody listens and hands them, in order, to the next listener on the next turn', async () => {
    const held = new HeldListeners<number>(1000, 10);
    held.emit(1);
    held.emit(2);
    assert.equal(held.heldCount, 2);
    const got: number[] = [];
    held.add((n) => got.push(n));
    assert.deepEqual(got, [], 'not while the listener is still being set up');
    await tick();
    assert.deepEqual(got, [1, 2]);
    held.emit(3);
    assert.deepEqual(got, [1, 2, 3], 'live events go straight through');
    assert.equal(held.heldCount, 0);
  });

  it('drops the oldest past the most held, and those older than the hold time, telling onDrop each', async () => {
    const dropped: number[] = [];
    const held = new HeldListeners<number>(50, 2, (n) => dropped.push(n));
    held.emit(1);
    held.emit(2);
    held.emit(3);
    assert.deepEqual(dropped, [1]);
    await new Promise((r) => setTimeout(r, 80));
    const got: number[] = [];
    held.add((n) => got.push(n));
    await tick();
    assert.deepEqual(got, []);
    assert.deepEqual(dropped, [1, 2, 3]);
  });
});
