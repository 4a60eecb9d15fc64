/**
 * Session ids (core/session-id.ts): random lower-case v4 UUIDs, and the shape checks that turn a
 * malformed id into a 400 and another server's id into a 404 before any lookup.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWellFormedSessionId, MAX_SESSION_ID_LENGTH, newSessionId, sessionIdShape } from '../../core/session-id';

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

  it('takes any visible-ASCII id up to 1024 characters for another server\'s (404), anything else for malformed (400)', () => {
    assert.equal(MAX_SESSION_ID_LENGTH, 1024);
    assert.equal(sessionIdShape(newSessionId()), 'ours');
    for (const foreign of [
      '0123456789abcdef0123456789abcdef', // uuid4().hex, as Python servers issue them
      newSessionId().toUpperCase(),
      '00000000-0000-1000-8000-000000000000',
      '../../etc/passwd',
      'eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiIxIn0.c2lnbmF0dXJl', // a JWT
      '!~',
      'x'.repeat(1024),
    ]) {
      assert.equal(sessionIdShape(foreign), 'foreign', JSON.stringify(foreign));
    }
    for (const malformed of ['', 'x'.repeat(1025), 'a b', 'a\tb', 'a\u0000b', 'a\r\nSet-Cookie: x', 'caf\u00e9', 'a\u007f']) {
      assert.equal(sessionIdShape(malformed), 'malformed', JSON.stringify(malformed));
    }
  });
});
