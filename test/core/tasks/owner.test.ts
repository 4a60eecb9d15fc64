/**
 * core/tasks/owner: who owns a task. With OAuth the subject (`sub`, else `client_id`); a token
 * that names neither must not make its holder one owner with every other such token (they could
 * read and cancel each other's tasks): it owns as a caller without OAuth does, its session, or
 * `anyone` on a 2026-07-28 exchange. The dispatcher names the owner of every task with it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthInfo } from '../../../core/auth/claims';
import { ANYONE, taskOwner } from '../../../core/tasks/owner';

function caller(claims: { sub?: string; client_id?: string }): AuthInfo {
  return { subject: claims.sub, clientId: claims.client_id, scopes: [], claims, expiresAt: undefined, issuer: 'https://as.example' };
}

describe('taskOwner', () => {
  it('is the OAuth subject, else the client id, from any session', () => {
    assert.equal(taskOwner('s1', caller({ sub: 'anna', client_id: 'app' }), false), 'subject:anna');
    assert.equal(taskOwner('s2', caller({ sub: 'anna' }), false), 'subject:anna');
    assert.equal(taskOwner('x1', caller({ client_id: 'app' }), true), 'subject:app');
  });

  it('without OAuth: the session (2025-11-25), or anyone with the id (2026-07-28 exchange)', () => {
    assert.equal(taskOwner('s1', undefined, false), 'session:s1');
    assert.equal(taskOwner('x1', undefined, true), ANYONE);
  });

  it('gives two tokens without sub and client_id on two sessions two owners, not one shared "unknown"', () => {
    const first = taskOwner('s1', caller({}), false);
    const second = taskOwner('s2', caller({}), false);
    assert.notEqual(first, second);
    assert.deepEqual([first, second], ['session:s1', 'session:s2']);
    assert.equal(taskOwner('x1', caller({}), true), ANYONE);
  });
});
