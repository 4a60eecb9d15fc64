/**
 * How many sessions an endpoint has on every instance: each instance writes its own count into a
 * Redis hash (`<prefix>ep:<endpoint>:counts`, field = instance id, value `<count>:<expiry epoch
 * ms>`) at every heartbeat, and announces changes on the endpoint's channel so the others see them
 * at once. A count whose instance stopped writing it expires after the ownership TTL.
 *
 * Never imports Node-RED.
 */
import type { RedisLink } from './redis-link';
import type { ClusterKeys } from './options';

/** The session counts of the other instances, as this instance last heard them. */
export class ClusterCensus {
  private readonly others = new Map<string, { count: number; expiresAt: number }>();

  /**
   * @param link the endpoint's Redis link.
   * @param keys the endpoint's key names.
   * @param instanceId this instance's id.
   * @param ttlMs how long a count is believed without being written again, in ms.
   */
  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly instanceId: string,
    private readonly ttlMs: number,
  ) {}

  /** Sessions on the other instances (counts not refreshed within the TTL left out). */
  othersTotal(now = Date.now()): number {
    let total = 0;
    for (const [id, entry] of this.others) {
      if (entry.expiresAt > now) total += entry.count;
      else this.others.delete(id);
    }
    return total;
  }

  /** Another instance announced its count. @returns true when that changed the total. */
  heard(instanceId: string, count: number): boolean {
    if (instanceId === this.instanceId || !Number.isSafeInteger(count) || count < 0) return false;
    const before = this.others.get(instanceId)?.count;
    this.others.set(instanceId, { count, expiresAt: Date.now() + this.ttlMs });
    return before !== count;
  }

  /** Forgets every other instance's count (Redis is lost: they cannot be known). */
  clear(): void {
    this.others.clear();
  }

  /**
   * Writes this instance's `count`, then reads everyone's: the heartbeat. Expired fields are
   * deleted. @throws when Redis is unreachable.
   */
  async sync(count: number): Promise<void> {
    const now = Date.now();
    const commands = this.link.commands;
    await commands.hSet(this.keys.counts, this.instanceId, `${count}:${now + this.ttlMs}`);
    const all = await commands.hGetAll(this.keys.counts);
    const expired: string[] = [];
    this.others.clear();
    for (const [id, value] of Object.entries(all)) {
      const [n, until] = value.split(':').map(Number);
      if (!(until > now)) expired.push(id);
      else if (id !== this.instanceId && Number.isSafeInteger(n)) this.others.set(id, { count: n, expiresAt: until });
    }
    if (expired.length > 0) await commands.hDel(this.keys.counts, expired);
  }

  /** Removes this instance's count (it is closing). */
  async leave(): Promise<void> {
    if (this.link.up) await this.link.commands.hDel(this.keys.counts, this.instanceId);
  }
}
