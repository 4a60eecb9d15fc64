/**
 * The session registry: every open MCP session of the process, by id, whatever transport or
 * endpoint opened it (MCP 2024-11-05 "Transports": a session id identifies one client connection).
 *
 * Never imports Node-RED. The Node-RED nodes publish one registry in global context.
 */
import { randomUUID } from 'node:crypto';
import { Session, type CloseReason, type SessionInfo } from './session';

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * True when `id` has the shape of the ids this registry issues (a lower-case UUID v4), so that
 * a malformed `sessionId` is refused with 400 before any lookup.
 */
export function isWellFormedSessionId(id: string): boolean {
  return id.length === 36 && SESSION_ID.test(id);
}

/**
 * All open sessions by id. A session is added when its stream opens and removed the moment it
 * closes, for whatever reason, so the registry never holds a dead session.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  /**
   * Creates and registers a session with a fresh `crypto.randomUUID()` id.
   * @param endpointId the endpoint that owns the session.
   * @param onClose called once after the session closed and left the registry.
   */
  create(endpointId: string, onClose: (session: Session, reason: CloseReason) => void): Session {
    const session = new Session(randomUUID(), endpointId, (closed, reason) => {
      this.sessions.delete(closed.id);
      onClose(closed, reason);
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

  /** What the Node-RED Context sidebar and `JSON.stringify` show: each session's public facts. */
  toJSON(): Record<string, SessionInfo> {
    const out: Record<string, SessionInfo> = {};
    for (const [id, session] of this.sessions) out[id] = session.info();
    return out;
  }
}
