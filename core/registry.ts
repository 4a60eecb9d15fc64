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
   */
  toString(): string {
    return JSON.stringify(this.toJSON());
  }
}
