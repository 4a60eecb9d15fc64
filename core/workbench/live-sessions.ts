/**
 * An endpoint's open sessions as the editor's MCP sidebar and the admin API
 * (`GET /mcp-sse/endpoints/:id/sessions`) show them: who the client is (its `initialize`'s
 * `clientInfo` and capabilities), the caller (OAuth: `sub` or `client_id`, never a token), when it
 * opened and was last active, and how many of its requests wait for an answer. Fed by the
 * endpoint's session events and the activity log (which sees `initialize`).
 *
 * Never imports Node-RED.
 */
import type { SessionEvent } from '../endpoint-options';
import { isObject } from '../jsonrpc';
import type { Session, TransportKind } from '../session';

/** One open session, as the admin API gives it. */
export interface SessionSummary {
  id: string;
  transport: TransportKind;
  /** The protocol version agreed (or asked for, until `initialize` is answered). */
  protocolVersion?: string;
  /** The client's `initialize` `clientInfo`: `name` and `version` (and `title` when it sent one). */
  clientInfo?: { name?: string; version?: string; title?: string };
  /** The capabilities the client declared in its `initialize`. */
  clientCapabilities?: Record<string, unknown>;
  /** Epoch ms when the session opened. */
  openedAt: number;
  /** Epoch ms of the last message either way. */
  lastActivityAt: number;
  /** The client's requests not answered yet (the flow works on them, or they wait for one). */
  inFlight: number;
  /** OAuth 2.1: the caller's `sub`, else its `client_id`. Never a token. */
  subject?: string;
  /** Several instances (Redis): the instance that owns the session (this one: the list is per instance). */
  instance?: string;
}

interface Known {
  session: Session;
  clientInfo?: SessionSummary['clientInfo'];
  clientCapabilities?: Record<string, unknown>;
  subject?: string;
}

/** The `name`, `version` and `title` strings of a `clientInfo`, and nothing else. */
function clientInfoOf(value: unknown): SessionSummary['clientInfo'] | undefined {
  if (!isObject(value)) return undefined;
  const info: NonNullable<SessionSummary['clientInfo']> = {};
  for (const key of ['name', 'version', 'title'] as const) if (typeof value[key] === 'string') info[key] = (value[key] as string).slice(0, 200);
  return info;
}

/** One endpoint's open sessions; see the module comment. */
export class LiveSessions {
  /** Hears that a session opened, closed or said who its client is (with nothing: read {@link list}). */
  onChange: (() => void) | undefined;
  private readonly byId = new Map<string, Known>();

  /** The number of open sessions known. */
  get size(): number {
    return this.byId.size;
  }

  /** The endpoint's `sessionOpened`. */
  opened(event: SessionEvent): void {
    // A Streamable HTTP session's initialize is handled before the session's opening is told.
    const known: Known = this.byId.get(event.session.id) ?? { session: event.session };
    const subject = event.auth?.subject ?? event.auth?.clientId;
    if (subject !== undefined) known.subject = subject;
    this.byId.set(event.session.id, known);
    this.onChange?.();
  }

  /** The endpoint's `sessionClosed`. */
  closed(event: SessionEvent): void {
    if (this.byId.delete(event.session.id)) this.onChange?.();
  }

  /** A session's client sent `initialize` with these params (on Streamable HTTP, before {@link opened}). */
  initialized(session: Session, params: Record<string, unknown> | undefined): void {
    if (session.closed || params === undefined) return;
    let known = this.byId.get(session.id);
    if (known === undefined) {
      known = { session };
      this.byId.set(session.id, known);
    }
    known.clientInfo = clientInfoOf(params.clientInfo);
    if (isObject(params.capabilities)) known.clientCapabilities = params.capabilities;
    this.onChange?.();
  }

  /** The open session `id`, or `undefined`. */
  get(id: string): Session | undefined {
    const session = this.byId.get(id)?.session;
    return session === undefined || session.closed ? undefined : session;
  }

  /**
   * Every open session, in the order they opened.
   * @param inFlight the client requests of a session not answered yet.
   * @param instance several instances: this instance's id.
   */
  list(inFlight: (sessionId: string) => number, instance?: string): SessionSummary[] {
    const now = Date.now();
    const out: SessionSummary[] = [];
    for (const { session, clientInfo, clientCapabilities, subject } of this.byId.values()) {
      if (session.closed) continue;
      const summary: SessionSummary = { id: session.id, transport: session.transport, openedAt: session.createdAt, lastActivityAt: now - session.idleFor(now), inFlight: inFlight(session.id) };
      if (session.protocolVersion !== undefined) summary.protocolVersion = session.protocolVersion;
      if (clientInfo !== undefined) summary.clientInfo = clientInfo;
      if (clientCapabilities !== undefined) summary.clientCapabilities = clientCapabilities;
      if (subject !== undefined) summary.subject = subject;
      if (instance !== undefined) summary.instance = instance;
      out.push(summary);
    }
    return out;
  }
}
