/**
 * Listener sets (core/listeners.ts): a client message accepted while no consumer listens (a
 * redeploy of `mcp message in`) is held for the next one, for a short while or until the deploy
 * is done, and dropped with a word, when it happens, once too old or too many.
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

  it('tells onDrop when an event expires, without waiting for the next event or listener', async () => {
    const dropped: number[] = [];
    const held = new HeldListeners<number>(40, 10, (n) => dropped.push(n));
    held.emit(1);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(dropped, [1]);
    assert.equal(held.heldCount, 0);
  });

  it('holds events past the hold time while a longer wait is on (a deploy), and hands them to the listener that comes', async () => {
    const dropped: number[] = [];
    const held = new HeldListeners<number>(30, 10, (n) => dropped.push(n));
    held.holdLonger(10_000);
    held.emit(1);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(dropped, [], 'still held');
    const got: number[] = [];
    held.add((n) => got.push(n));
    held.endHold();
    await tick();
    assert.deepEqual(got, [1]);
    assert.deepEqual(dropped, []);
  });

  it('drops what waited longer than the hold time as soon as the longer wait ends with nobody listening, and at its bound at the latest', async () => {
    const dropped: number[] = [];
    const held = new HeldListeners<number>(300, 10, (n) => dropped.push(n));
    held.holdLonger(10_000);
    held.emit(1);
    const removeListener = held.add(() => {});
    removeListener();
    await new Promise((r) => setTimeout(r, 350));
    held.emit(2);
    assert.deepEqual(dropped, []);
    held.endHold();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(dropped, [1], 'the old one at once; the new one waits its own hold time');
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(dropped, [1, 2]);
  });

  it('bounds a longer wait that never ends', async () => {
    const dropped: number[] = [];
    const held = new HeldListeners<number>(20, 10, (n) => dropped.push(n));
    held.holdLonger(150);
    held.emit(1);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(dropped, [], 'past its hold time, within the longer wait');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(dropped, [1]);
  });
});
