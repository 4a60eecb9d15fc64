/**
 * The Redis link (core/cluster/redis-link.ts) against a real redis-server: up once both
 * connections and the subscriptions are ready, down once per outage (and once when Redis cannot
 * be reached at the start), back up on its own, subscriptions and all.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reconnectDelay, RedisLink, type LinkChange } from '../../../core/cluster/redis-link';
import { readFileSync } from 'node:fs';
import { freePort, makeTlsFiles, startRedis } from '../../support/redis';
import { waitFor } from '../../support/core-server';

describe('redis link', () => {
  it('publishes to its subscribers, goes down once when Redis dies, and comes back with its subscriptions', async () => {
    const redis = await startRedis();
    const link = new RedisLink({ url: redis.url });
    const changes: LinkChange[] = [];
    const heard: string[] = [];
    link.changed.add((c) => changes.push(c));
    link.subscribe('ch', (m) => heard.push(m));
    link.start();
    try {
      await waitFor(() => link.up, 5000, 'up');
      assert.equal(await link.publish('ch', 'one'), 1);
      await waitFor(() => heard.length === 1);
      await redis.stop();
      await waitFor(() => !link.up, 3000, 'down');
      await assert.rejects(link.publish('ch', 'lost'));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(changes.filter((c) => !c.up).length, 1, 'one down, however many reconnect attempts fail');
      await redis.start();
      await waitFor(() => link.up, 5000, 'up again');
      assert.equal(await link.publish('ch', 'two'), 1, 'subscribed again');
      await waitFor(() => heard.length === 2);
      assert.deepEqual(heard, ['one', 'two']);
      assert.deepEqual(changes.map((c) => c.up), [true, false, true]);
    } finally {
      await link.close();
      await redis.stop();
    }
  });

  it('reports once that Redis cannot be reached at the start, and keeps trying', async () => {
    const link = new RedisLink({ url: `redis://127.0.0.1:${await freePort()}` });
    const changes: LinkChange[] = [];
    link.changed.add((c) => changes.push(c));
    link.start();
    await new Promise((r) => setTimeout(r, 600));
    await link.close();
    assert.equal(changes.length, 1);
    assert.equal(changes[0].up, false);
    assert.match(changes[0].reason ?? '', /ECONNREFUSED|connect/i);
  });

  it('reaches a Redis that speaks TLS only, with the CA it is given (rediss://)', async () => {
    const files = makeTlsFiles();
    const redis = await startRedis([], files);
    const link = new RedisLink({ url: redis.url, tls: { ca: readFileSync(files.ca) } });
    const heard: string[] = [];
    link.subscribe('ch', (m) => heard.push(m));
    link.start();
    try {
      assert.match(redis.url, /^rediss:/);
      await waitFor(() => link.up, 5000, 'up over TLS');
      assert.equal(await link.publish('ch', 'secret'), 1);
      await waitFor(() => heard.length === 1);
    } finally {
      await link.close();
      await redis.stop();
    }
  });

  it('waits longer between reconnect attempts, up to 2 s', () => {
    assert.deepEqual([0, 1, 4, 19, 100].map(reconnectDelay), [100, 200, 500, 2000, 2000]);
  });
});
