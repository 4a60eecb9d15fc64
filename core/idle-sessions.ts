/**
 * The order in which an endpoint gives up sessions when it is full: the sessions that may have
 * nothing open (no stream; with resumption on, no request in flight that their client may still
 * collect), least recently active first, overall and per client (see `client-address.ts`; a
 * session joins without a client key when it counts against no client's cap). It is kept by
 * events, not by scanning every session: a session joins (or moves to the back) when it opens,
 * when one of its streams ends or its POST's last response goes out, and when its client sends
 * it something while it has no stream. What is found open (or closed) when the order is read
 * leaves it, until the next such event. So finding the session to evict is O(1) when the oldest
 * is idle, and never more than one pass over the candidates.
 *
 * Never imports Node-RED.
 */
import type { Session } from './session';

/**
 * What a candidate is found to be when the order is read: `idle` (no stream, nothing in flight:
 * it may be evicted), `streaming` (a stream is open: it leaves the order until it is quiet again),
 * or `busy` (no stream, but a request in flight that its client may still collect: it stays, and
 * is passed over).
 */
export type IdleState = 'idle' | 'streaming' | 'busy';

/** Candidates for eviction, least recently active first; see the module comment. */
export class IdleOrder {
  /** Every candidate with its client key (none: counted against no client), least recently active first (a Map keeps insertion order). */
  private readonly all = new Map<Session, string | undefined>();
  /** The candidates of each client, least recently active first. */
  private readonly byClient = new Map<string, Set<Session>>();

  /** True when `session` is a candidate. */
  has(session: Session): boolean {
    return this.all.has(session);
  }

  /** The number of candidates of `client`. */
  count(client: string): number {
    return this.byClient.get(client)?.size ?? 0;
  }

  /**
   * `session` of `client` may have nothing open now, or was just active: it goes to the back.
   * Without `client` it is a candidate overall only, counted against no client.
   */
  touch(session: Session, client: string | undefined): void {
    this.all.delete(session);
    this.all.set(session, client);
    if (client === undefined) return;
    let sessions = this.byClient.get(client);
    if (sessions === undefined) {
      sessions = new Set();
      this.byClient.set(client, sessions);
    }
    sessions.delete(session);
    sessions.add(session);
  }

  /** `session` is no candidate any more (it closed, or a stream of it is open). */
  remove(session: Session): void {
    if (!this.all.has(session)) return;
    const client = this.all.get(session);
    this.all.delete(session);
    if (client === undefined) return;
    const sessions = this.byClient.get(client);
    sessions?.delete(session);
    if (sessions?.size === 0) this.byClient.delete(client);
  }

  /**
   * Drops the candidates of `client` that `stateOf` finds `streaming`, and any that has closed.
   * @returns the number of its candidates left: sessions without a stream.
   */
  prune(stateOf: (session: Session) => IdleState, client: string): number {
    const sessions = this.byClient.get(client);
    if (sessions === undefined) return 0;
    for (const session of sessions) if (session.closed || stateOf(session) === 'streaming') this.remove(session);
    return this.count(client);
  }

  /**
   * The least recently active candidate (of `client`, when given) that `stateOf` finds `idle`;
   * candidates found `streaming` or closed on the way leave the order, `busy` ones are passed over.
   * @returns the session to evict, or `undefined` when every candidate is active.
   */
  oldestIdle(stateOf: (session: Session) => IdleState, client?: string): Session | undefined {
    const candidates = client === undefined ? this.all.keys() : this.byClient.get(client)?.values();
    if (candidates === undefined) return undefined;
    // Deleting the entry being visited is safe while iterating a Map or a Set.
    for (const session of candidates) {
      // A closed session is never handed out (closing it again would not take it out of the order).
      if (session.closed) {
        this.remove(session);
        continue;
      }
      const state = stateOf(session);
      if (state === 'idle') return session;
      if (state === 'streaming') this.remove(session);
    }
    return undefined;
  }
}
