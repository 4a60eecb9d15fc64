/**
 * The session registry: every open MCP session of the process, by id, whatever transport or
 * endpoint opened it (MCP "Transports": a session id identifies one client's session; on
 * Streamable HTTP it is the `Mcp-Session-Id`, on HTTP+SSE the `sessionId` query parameter).
 *
 * Never imports Node-RED. The Node-RED nodes publish one registry in global context.
 */
import { newSessionId } from './session-id';
import { Session, type SessionInfo, type SessionOptions } from './session';

/**
 * All open sessions by id. A session is added when it opens and removed the moment it closes, for
 * whatever reason, so the registry never holds a dead session.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  /** Open sessions on every instance, by endpoint, for endpoints that several instances serve. */
  private readonly clusterCounts = new Map<string, number>();

  /**
   * Creates and registers a session with a fresh id ({@link newSessionId}).
   * @param endpointId the endpoint that owns the session.
   * @param options the session's settings; its `onClose` runs after the session left the registry.
   */
  create(endpointId: string, options: SessionOptions): Session {
    const session = new Session(newSessionId(), endpointId, {
      ...options,
      onClose: (closed, reason) => {
        this.sessions.delete(closed.id);
        options.onClose(closed, reason);
      },
    });
    this.sessions.set(session.id, session);
    return session;
  }

  /** The open session with this id, or `undefined`. */
  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** The number of open sessions, of one endpoint or of all. */
  count(endpointId?: string): number {
    if (endpointId === undefined) return this.sessions.size;
    let n = 0;
    for (const session of this.sessions.values()) if (session.endpointId === endpointId) n++;
    return n;
  }

  /**
   * Several instances serving an endpoint: records its open sessions on every instance
   * (`undefined`: this instance's alone, as when Redis is unreachable or the endpoint closed).
   */
  setClusterCount(endpointId: string, count: number | undefined): void {
    if (count === undefined) this.clusterCounts.delete(endpointId);
    else this.clusterCounts.set(endpointId, count);
  }

  /**
   * The number of open sessions on every instance, of one endpoint or of all: an endpoint that
   * several instances serve counts theirs too (as of the last heartbeat or announcement, within
   * a few seconds); any other counts this instance's.
   */
  clusterCount(endpointId?: string): number {
    if (endpointId !== undefined) return this.clusterCounts.get(endpointId) ?? this.count(endpointId);
    let n = 0;
    for (const session of this.sessions.values()) if (!this.clusterCounts.has(session.endpointId)) n++;
    for (const count of this.clusterCounts.values()) n += count;
    return n;
  }

  /** `{ local, cluster }`: open sessions on this instance and on every instance ({@link clusterCount}). */
  counts(endpointId?: string): { local: number; cluster: number } {
    return { local: this.count(endpointId), cluster: this.clusterCount(endpointId) };
  }

  /** The open sessions of one endpoint, or of all, in the order they opened. */
  list(endpointId?: string): Session[] {
    const all = [...this.sessions.values()];
    return endpointId === undefined ? all : all.filter((s) => s.endpointId === endpointId);
  }

  /** What `JSON.stringify` shows: each session's public facts, by id. */
  toJSON(): Record<string, SessionInfo> {
    const out: Record<string, SessionInfo> = {};
    for (const [id, session] of this.sessions) out[id] = session.info();
    return out;
  }

  /**
   * What the Node-RED Context sidebar shows: it writes any object that is not a plain `Object`
   * with `toString()` (@node-red/util `encodeObject`), so this is {@link toJSON} as JSON text.
   * While several instances serve an endpoint, it is `{ "local": n, "cluster": m, "sessions": {...} }`
   * instead: this instance's open sessions, every instance's, and this instance's sessions.
   */
  toString(): string {
    if (this.clusterCounts.size === 0) return JSON.stringify(this.toJSON());
    return JSON.stringify({ ...this.counts(), sessions: this.toJSON() });
  }
}
