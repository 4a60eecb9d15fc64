/**
 * The lease of one Redis task store: the proof, renewed in Redis, that the store whose flows run
 * some tasks is still alive. The key `<prefix>ep:<endpoint>:tasks:lease:<instance id>:<run id>`
 * lives `ttlMs` (default 15 000 ms, the cluster's `ownershipTtlMs`) and is written again every
 * third of that (5 000 ms). The run id is random per store, so a Node-RED restarted under the same
 * instance id never passes for the process that died.
 *
 * Each renewal also looks for orphans: unfinished tasks whose store's lease has expired (its
 * process was killed, froze, or lost Redis for longer than the TTL). They are handed to the store,
 * which marks them `failed`. Every {@link OWN_CHECK_EVERY}th renewal it hands over this store's
 * own unfinished tasks too, so that those that expired while their flow still ran leave the list. An owner that dies is therefore noticed within `ttlMs` by a reader and
 * within `ttlMs + ttlMs / 3` (20 s by default) by the sweep of any living instance.
 *
 * Never imports Node-RED.
 */
import { randomBytes } from 'node:crypto';
import type { ClusterKeys } from '../cluster/options';
import type { RedisLink } from '../cluster/redis-link';

/** Every how many renewals this store's own unfinished tasks are checked (once a minute by default). */
const OWN_CHECK_EVERY = 12;

/** The lease of one task store; see the module comment. */
export class TaskLease {
  /** `<instance id>:<random run id>`: the value stored with each task this store runs. */
  readonly id: string;
  private readonly renewMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;
  private beating = false;
  private beats = 0;

  /**
   * @param link the Redis link (started by whoever owns it).
   * @param keys the endpoint's key names.
   * @param instanceId this instance's id.
   * @param ttlMs how long the lease lives unless renewed, in ms.
   * @param orphaned called with the ids of unfinished tasks whose store's lease is gone (and now
   *   and then with this store's own: see the module comment).
   */
  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    instanceId: string,
    readonly ttlMs: number,
    private readonly orphaned: (taskIds: string[]) => Promise<void>,
  ) {
    this.id = `${instanceId}:${randomBytes(6).toString('base64url')}`;
    this.renewMs = Math.max(100, Math.floor(ttlMs / 3));
  }

  /** Renews the lease now (when Redis is up), every third of the TTL, and at once after each reconnect. */
  start(): void {
    this.stopListening = this.link.changed.add((change) => {
      if (change.up) void this.beat();
    });
    this.timer = setInterval(() => void this.beat(), this.renewMs);
    this.timer.unref();
    void this.beat();
  }

  /** Renews the lease and hands over the orphans found; never throws (a Redis error waits for the next beat). */
  async beat(): Promise<void> {
    if (!this.link.up || this.beating) return;
    this.beating = true;
    try {
      const commands = this.link.commands;
      await commands.set(this.keys.taskLease(this.id), '1', { expiration: { type: 'PX', value: this.ttlMs } });
      const unfinished = await commands.hGetAll(this.keys.tasksUnfinished);
      const byLease = new Map<string, string[]>();
      for (const [taskId, lease] of Object.entries(unfinished)) byLease.set(lease, [...(byLease.get(lease) ?? []), taskId]);
      const own = byLease.get(this.id) ?? [];
      byLease.delete(this.id);
      const leases = [...byLease.keys()];
      const alive = await Promise.all(leases.map((lease) => commands.get(this.keys.taskLease(lease))));
      const dead = leases.filter((_, i) => alive[i] === null).flatMap((lease) => byLease.get(lease) ?? []);
      if (++this.beats % OWN_CHECK_EVERY === 0) dead.push(...own);
      if (dead.length > 0) await this.orphaned(dead);
    } catch {
      // Redis went away mid-beat: the next beat after the reconnect does it again.
    } finally {
      this.beating = false;
    }
  }

  /** Stops renewing and removes the lease (its tasks were ended first), when Redis is up. */
  async end(): Promise<void> {
    clearInterval(this.timer);
    this.stopListening?.();
    if (this.link.up) await this.link.commands.del(this.keys.taskLease(this.id)).catch(() => {});
  }
}
