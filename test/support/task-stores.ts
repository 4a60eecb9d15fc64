/**
 * The task stores of one endpoint as two instances see them, for the tests of tasks across
 * instances: two `RedisTaskStore`s (instances A and B) on one redis-server, in a key space of their
 * own, or one `MemoryTaskStore` that both share (two endpoints in one process).
 */
import { ClusterKeys } from '../../core/cluster/options';
import { RedisLink } from '../../core/cluster/redis-link';
import { MemoryTaskStore } from '../../core/tasks/memory-store';
import { RedisTaskStore } from '../../core/tasks/redis-store';
import type { TaskStore } from '../../core/tasks/task';

/** What a test closes when it is done, in order. */
export type Closers = Array<() => Promise<void>>;

let keySpaces = 0;

/** Stores A and B on the redis-server at `redisUrl`, keys under `prefix` and a fresh endpoint key space; both are put on `closers`. */
export function twoRedisStores(redisUrl: string, prefix: string, closers: Closers): [TaskStore, TaskStore] {
  const keys = new ClusterKeys(prefix, `ep-${++keySpaces}`);
  const made = ['A', 'B'].map((instanceId) => new RedisTaskStore({ link: new RedisLink({ url: redisUrl }), ownsLink: true, keys, instanceId })) as [RedisTaskStore, RedisTaskStore];
  closers.push(...made.map((store) => () => store.close()));
  return made;
}

/** One memory store as both A and B; put on `closers`. */
export function sharedMemoryStore(closers: Closers): [TaskStore, TaskStore] {
  const store = new MemoryTaskStore();
  closers.push(() => store.close());
  return [store, store];
}
