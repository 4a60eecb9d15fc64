/**
 * Cluster-wide session counts in a real redis-server (core/cluster/census.ts): each instance's
 * count, heard at once and synced at each heartbeat, forgotten when it is not written again in time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisLink } from '../../../core/cluster/redis-link';
import { ClusterKeys } from '../../../core/cluster/options';
import { ClusterCensus } from '../../../core/cluster/census';
import { startRedisLink } from '../../support/redis';

describe('cluster census', () => {
  let link: RedisLink;
  let stop: () => Promise<void>;
  const keys = new ClusterKeys('census:', 'ep');
  before(async () => {
    ({ link, stop } = await startRedisLink());
  });
  after(() => stop());

  it("sums the other instances' counts synced through Redis, not its own, and drops one that is not written again", async () => {
    const a = new ClusterCensus(link, keys, 'a', 300);
    const b = new ClusterCensus(link, keys, 'b', 300);
    await a.sync(3);
    await b.sync(5);
    assert.equal(b.othersTotal(), 3);
    await a.sync(4);
    assert.equal(a.othersTotal(), 5);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(a.othersTotal(), 0, "b's count expired");
    await a.sync(4);
    assert.equal(a.othersTotal(), 0);
    await a.leave();
  });

  it('takes an announced count at once, ignoring its own and nonsense', () => {
    const a = new ClusterCensus(link, keys, 'a', 1000);
    assert.equal(a.heard('b', 2), true);
    assert.equal(a.heard('b', 2), false, 'unchanged');
    assert.equal(a.heard('a', 9), false);
    assert.equal(a.heard('c', -1), false);
    assert.equal(a.othersTotal(), 2);
    a.clear();
    assert.equal(a.othersTotal(), 0);
  });
});
