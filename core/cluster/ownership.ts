/**
 * Which instance owns which session: one Redis key per session, `<prefix>ep:<endpoint>:session:<id>`
 * = the owning instance's id, with a TTL that the owner refreshes. An instance that stops
 * refreshing (it died, or lost Redis for good) loses its sessions within the TTL.
 *
 * Never imports Node-RED.
 */
import type { RedisLink } from './redis-link';
import type { ClusterKeys } from './options';

/** Deletes a key only while it still names the given owner (so a late delete never removes a newer claim). */
const DELETE_IF_OWNER = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Most owners remembered for {@link SessionOwnership.owner}; past it the oldest is forgotten. */
const KNOWN_OWNERS_MAX = 10_000;

/**
 * The ownership records of one instance's sessions of one endpoint. A session never changes owner,
 * so the owners looked up are remembered for a TTL (saving a Redis round trip per relayed request):
 * a session that ended meanwhile is answered 404 by its owner, and an owner found gone is forgotten.
 */
export class SessionOwnership {
  private readonly owned = new Set<string>();
  private readonly known = new Map<string, { owner: string; until: number }>();

  /**
   * @param link the endpoint's Redis link.
   * @param keys the endpoint's key names.
   * @param instanceId this instance's id, the value of its records.
   * @param ttlMs each record's time to live, in ms; {@link refresh} must run more often than that.
   */
  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly instanceId: string,
    private readonly ttlMs: number,
  ) {}

  /** The number of sessions this instance owns. */
  get size(): number {
    return this.owned.size;
  }

  /** Records that this instance owns session `id` (at once when Redis is up, else at the next {@link refresh}). */
  claim(id: string): void {
    this.owned.add(id);
    if (this.link.up) this.link.commands.set(this.keys.session(id), this.instanceId, { expiration: { type: 'PX', value: this.ttlMs } }).catch(() => {});
  }

  /** Session `id` has ended here: its record goes (if it still names this instance). */
  release(id: string): void {
    if (!this.owned.delete(id)) return;
    if (this.link.up) this.forget(id, this.instanceId).catch(() => {});
  }

  /**
   * The instance that owns session `id`, or `undefined` when no instance does (it ended, never
   * existed, or its owner stopped refreshing it).
   * @throws when Redis is unreachable.
   */
  async owner(id: string): Promise<string | undefined> {
    const now = Date.now();
    const known = this.known.get(id);
    if (known !== undefined && known.until > now) return known.owner;
    const owner = (await this.link.commands.get(this.keys.session(id))) ?? undefined;
    this.known.delete(id);
    if (owner !== undefined) {
      this.known.set(id, { owner, until: now + this.ttlMs });
      if (this.known.size > KNOWN_OWNERS_MAX) this.known.delete(this.known.keys().next().value as string);
    }
    return owner;
  }

  /** Removes session `id`'s record if it still names `owner` (an owner found gone). */
  async forget(id: string, owner: string): Promise<void> {
    this.known.delete(id);
    await this.link.commands.eval(DELETE_IF_OWNER, { keys: [this.keys.session(id)], arguments: [owner] });
  }

  /** Forgets the owner looked up for session `id` (it did not answer: look again next time). */
  forgetKnownOwner(id: string): void {
    this.known.delete(id);
  }

  /** Forgets every owner looked up (Redis was lost: what it held may be gone). */
  forgetKnown(): void {
    this.known.clear();
  }

  /**
   * Writes every record of this instance again with a fresh TTL, in one round trip: run every
   * third of the TTL, and at once after a reconnect (a Redis that restarted empty gets them back).
   */
  async refresh(): Promise<void> {
    if (!this.link.up || this.owned.size === 0) return;
    const multi = this.link.commands.multi();
    for (const id of this.owned) multi.set(this.keys.session(id), this.instanceId, { expiration: { type: 'PX', value: this.ttlMs } });
    await multi.exec();
  }
}
