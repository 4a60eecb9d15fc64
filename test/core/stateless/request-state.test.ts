/**
 * `requestState` sealing (core/stateless/request-state.ts): secret, tamper-proof, expiring, and
 * opened by every instance that shares the secret.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StateSeal, type RequestState } from '../../../core/stateless/request-state';

describe('requestState sealing', () => {
  const state: RequestState = { method: 'tools/call', name: 'book', responses: { 'input-1': { action: 'accept' } }, state: { step: 2 }, exp: Date.now() + 60_000 };

  it('opens what it sealed, and the sealed text shows nothing of it and differs each time', () => {
    const seal = new StateSeal('shared');
    const text = seal.seal(state);
    assert.deepEqual(seal.open(text), state);
    assert.match(text, /^[A-Za-z0-9_-]+$/);
    assert.doesNotMatch(Buffer.from(text, 'base64url').toString('latin1'), /book|accept|step/);
    assert.notEqual(seal.seal(state), text, 'a new IV each time');
    assert.deepEqual(new StateSeal('shared').open(text), state, 'another instance with the same secret opens it');
  });

  it('refuses a tampered state, one sealed with another secret, an expired one, and anything that is not a sealed text', () => {
    const seal = new StateSeal('shared');
    const text = seal.seal(state);
    const raw = Buffer.from(text, 'base64url');
    for (const at of [0, 12, 20, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[at] ^= 1;
      assert.equal(seal.open(tampered.toString('base64url')), undefined, `byte ${at} flipped`);
    }
    assert.equal(new StateSeal('other').open(text), undefined);
    assert.equal(seal.open(seal.seal({ ...state, exp: Date.now() - 1 })), undefined);
    for (const junk of [undefined, 42, '', 'short', 'not base64url!'.repeat(4), { text }]) assert.equal(seal.open(junk), undefined);
  });
});
