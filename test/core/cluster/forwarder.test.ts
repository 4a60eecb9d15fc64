/**
 * The relaying side (core/cluster/forwarder.ts) against a real redis-server, with owners that
 * misbehave: one that never answers (hung: 503 with Retry-After after the relay timeout, and it is
 * told the client is gone), one whose inbox nobody listens to (dead: 404, its record forgotten),
 * and no owner at all (404, or 503 right after Redis came back).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { RedisLink } from '../../../core/cluster/redis-link';
import { ClusterKeys } from '../../../core/cluster/options';
import { SessionOwnership } from '../../../core/cluster/ownership';
import { Forwarder } from '../../../core/cluster/forwarder';
import { decode, type ClusterMessage } from '../../../core/cluster/wire';
import { sendJsonRpcError } from '../../../core/http';
import { listenOnLoopback, waitFor } from '../../support/core-server';
import { startRedisLink } from '../../support/redis';
import { streamableRequest, POST_ACCEPT } from '../../support/streamable-client';

const SESSIONS = { unknown: '0b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c', hung: '1b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c', dead: '2b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c' };

describe('forwarder', () => {
  let link: RedisLink;
  let stopRedis: () => Promise<void>;
  let url: string;
  let close: () => Promise<void>;
  let settling = false;
  const keys = new ClusterKeys('fwd:', 'ep');
  const heardByHung: ClusterMessage[] = [];
  before(async () => {
    ({ link, stop: stopRedis } = await startRedisLink((l) => l.subscribe(keys.inbox('hung'), (text) => heardByHung.push(decode(text) as ClusterMessage))));
    const ownership = new SessionOwnership(link, keys, 'me', 5000);
    const forwarder = new Forwarder({ link, keys, instanceId: 'me', ownership, relayTimeoutMs: 300, settling: () => settling }, 1024, 1 << 20);
    const server = http.createServer((req, res) => forwarder.forward(req, res, String(req.headers['mcp-session-id']), 'streamable',
      () => sendJsonRpcError(res, 404, -32001, 'Session not found'), req.method === 'POST' ? '{"jsonrpc":"2.0","id":1,"method":"ping"}' : undefined));
    ({ url, close } = await listenOnLoopback(server));
  });
  after(async () => {
    await close();
    await stopRedis();
  });

  const post = (session: string) => streamableRequest(`${url}/mcp`, 'POST', { Accept: POST_ACCEPT, 'Content-Type': 'application/json', 'Mcp-Session-Id': session }, '{}');

  it('answers 404 when no instance owns the session, and 503 instead right after Redis came back', async () => {
    assert.equal((await post(SESSIONS.unknown)).status, 404);
    settling = true;
    const answer = await post(SESSIONS.unknown);
    settling = false;
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '2');
  });

  it('answers 503 with Retry-After when the owner does not answer in time, and tells it the client is gone', async () => {
    new SessionOwnership(link, keys, 'hung', 5000).claim(SESSIONS.hung);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const answer = await post(SESSIONS.hung);
    assert.equal(answer.status, 503);
    assert.ok(Date.now() - started >= 290, 'after the relay timeout');
    assert.match((answer.json as { error: { message: string } }).error.message, /did not answer in time/);
    await waitFor(() => heardByHung.some((m) => m.t === 'gone'), 2000, 'the gone message');
    assert.deepEqual(heardByHung.map((m) => m.t), ['req', 'gone']);
  });

  it('answers 404 when nobody listens in the owner inbox (it died), and forgets its record', async () => {
    const dead = new SessionOwnership(link, keys, 'dead', 5000);
    dead.claim(SESSIONS.dead);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await post(SESSIONS.dead)).status, 404);
    assert.equal(await new SessionOwnership(link, keys, 'other', 5000).owner(SESSIONS.dead), undefined);
  });
});
