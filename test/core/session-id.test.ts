/**
 * Session ids (core/session-id.ts): random lower-case v4 UUIDs, and the shape check that turns a
 * malformed id into a 400 before any lookup.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWellFormedSessionId, newSessionId } from '../../core/session-id';

describe('session ids', () => {
  it('issues lower-case v4 UUIDs, never the same twice in 10,000', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = newSessionId();
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    assert.equal(ids.size, 10_000);
  });

  it('accepts only the shape it issues', () => {
    const id = newSessionId();
    assert.equal(isWellFormedSessionId(id), true);
    for (const bad of [
      '', id.toUpperCase(), `${id} `, ` ${id}`, `${id}0`, id.slice(1),
      '00000000-0000-1000-8000-000000000000', // v1
      '00000000-0000-4000-c000-000000000000', // not the RFC variant
      '00000000-0000-0000-0000-000000000000', // nil
      `${id.slice(0, 8)}_${id.slice(9)}`, '../../etc/passwd', 'a'.repeat(36),
    ]) {
      assert.equal(isWellFormedSessionId(bad), false, JSON.stringify(bad));
    }
  });
});
