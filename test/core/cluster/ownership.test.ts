/**
 * Session ownership records in a real redis-server (core/cluster/ownership.ts): one key per
 * session naming its owner, with a TTL that lapses unless the owner refreshes it, written again
 * after Redis lost its data, and removed only by (or for) the owner it names.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisLink } from '../../../core/cluster/redis-link';
import { ClusterKeys } from '../../../core/cluster/options';
import { SessionOwnership } from '../../../core/cluster/ownership';
import { startRedisLink } from '../../support/redis';
import { waitFor } from '../../support/core-server';

describe('session ownership', () => {
  let link: RedisLink;
  let stop: () => Promise<void>;
  const keys = new ClusterKeys('own:', 'ep');
  before(async () => {
    ({ link, stop } = await startRedisLink());
  });
  after(() => stop());

  it('names the owner of a claimed session, and nobody once it is released', async () => {
    const a = new SessionOwnership(link, keys, 'a', 5000);
    a.claim('s1');
    await waitFor(() => a.size === 1);
    assert.equal(await a.owner('s1'), 'a');
    a.release('s1');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await a.owner('s1'), undefined);
  });

  it('lets a record lapse within its TTL unless refreshed, and refreshing writes back what Redis lost', async () => {
    const a = new SessionOwnership(link, keys, 'a', 300);
    a.claim('s2');
    a.claim('s3');
    await new Promise((r) => setTimeout(r, 150));
    await a.refresh();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await a.owner('s2'), 'a', 'refreshed before the TTL ran out');
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(await a.owner('s2'), undefined, 'lapsed 300 ms after the last refresh');
    await a.refresh();
    assert.deepEqual([await a.owner('s2'), await a.owner('s3')], ['a', 'a']);
  });

  it('forgets a record only while it still names the owner found gone', async () => {
    const b = new SessionOwnership(link, keys, 'b', 5000);
    b.claim('s4');
    await new Promise((r) => setTimeout(r, 50));
    await b.forget('s4', 'someone-else');
    assert.equal(await b.owner('s4'), 'b');
    await b.forget('s4', 'b');
    assert.equal(await b.owner('s4'), undefined);
  });
});
