/**
 * The messages instances exchange over Redis pub/sub (core/cluster/wire.ts): what is read back is
 * what was sent, and anything else on a channel is ignored, never thrown.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, type ClusterMessage } from '../../../core/cluster/wire';

describe('cluster wire messages', () => {
  it('reads back every kind as it was sent', () => {
    const messages: ClusterMessage[] = [
      { t: 'req', r: 1, from: 'a', route: 'streamable', method: 'POST', url: '/mcp', headers: { 'mcp-session-id': 'x' }, body: '{"jsonrpc":"2.0"}', localAddress: '127.0.0.1', encrypted: false },
      { t: 'res', r: 1, status: 202, headers: { 'Content-Length': 0 }, chunks: ['a', 'b'], end: true },
      { t: 'gone', r: 1, from: 'b' },
      { t: 'send', r: 2, from: 'b', sessionId: 's', payload: { method: 'ping' }, requestId: 7, request: { timeoutMs: 1000 } },
      { t: 'settled', r: 2, outcome: { status: 'result', result: {} }, request: { id: 0, method: 'ping' } },
      { t: 'failed', r: 2, error: { name: 'SessionNotFoundError', message: 'gone' } },
      { t: 'broadcast', from: 'a', payload: { method: 'notifications/tools/list_changed' } },
      { t: 'updated', from: 'a', uri: 'test://w' },
      { t: 'count', from: 'a', n: 3 },
    ];
    for (const message of messages) assert.deepEqual(decode(encode(message)), message);
  });

  it('ignores what is not a cluster message: not JSON, an unknown kind, a relay message without its relay id or sender, an update without its URI', () => {
    for (const text of ['', 'nope', '[]', 'null', '{"t":"other","r":1}', '{"t":"res"}', '{"t":"req","r":1}', '{"t":"count","n":1}', '{"t":"gone","r":"1","from":"a"}', '{"t":"updated","from":"a"}']) {
      assert.equal(decode(text), undefined, text);
    }
  });
});
