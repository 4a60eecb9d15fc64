/**
 * The open sessions of one endpoint, of both transports: opening one (503 with `Retry-After`
 * when the endpoint is full), finding it by id with the headers of the request that opened it,
 * and telling the endpoint's listeners when one opens or closes. 2026-07-28 exchanges are not
 * sessions a client opened and are not kept here (see `exchanges.ts`).
 *
 * Never imports Node-RED.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AccessControl } from './auth/access-control';
import type { AuthInfo } from './auth/claims';
import { DEFAULT_MAX_SESSIONS, DEFAULT_REPLAY_EVENTS, DEFAULT_SESSION_TIMEOUT_MS, type EndpointOptions, type SessionEvent } from './endpoint-options';
import { sendJsonRpcError, TransportErrorCode } from './http';
import { Listeners } from './listeners';
import type { SessionRegistry } from './registry';
import type { CloseReason, Session, SessionOptions, TransportKind } from './session';
import type { QueueLimits } from './sse';

/** Seconds a client is told to wait (`Retry-After`) when the endpoint is full. */
export const RETRY_AFTER_S = 5;

/** Settings of the sessions an endpoint opens, defaults applied (see {@link EndpointOptions}). */
export interface SessionSettings extends Pick<SessionOptions, 'queueLimits' | 'resumeGraceMs' | 'replayEvents'> {
  /** Most open sessions; one more gets 503. */
  maxSessions: number;
  /** A session with no message either way for this long (ms) closes with `idle-timeout`; 0 never. */
  idleTimeoutMs: number;
  /** Streamable HTTP: a session with no open stream and no message either way for this long (ms) ends; 0 never. */
  sessionTimeoutMs: number;
}

/** {@link SessionSettings} from an endpoint's options and its queue limits. */
export function sessionSettings(options: EndpointOptions, queueLimits: QueueLimits): SessionSettings {
  return {
    queueLimits,
    resumeGraceMs: options.resumeGraceMs ?? 0,
    replayEvents: options.replayEvents ?? DEFAULT_REPLAY_EVENTS,
    maxSessions: options.maxSessions ?? DEFAULT_MAX_SESSIONS,
    idleTimeoutMs: options.idleTimeoutMs ?? 0,
    sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
  };
}

/** What the table needs from its endpoint. */
export interface SessionsHost {
  /** The endpoint's id. */
  readonly id: string;
  readonly registry: SessionRegistry;
  /** The caller of each session (OAuth), and the headers without credentials. */
  readonly access: AccessControl;
  /** Hears a sentence to log. */
  readonly warning: { emit(text: string): void };
  /** A session was set up: before the listeners hear of it. */
  sessionStarted(session: Session): void;
  /** A session closed: what it left elsewhere is to be forgotten, before the listeners hear of it. */
  sessionEnded(session: Session): void;
}

/** One endpoint's open sessions; see the module comment. */
export class EndpointSessions {
  /** Hears of every session that opens. */
  readonly opened = new Listeners<SessionEvent>();
  /** Hears of every session that closes, with the reason. */
  readonly closed = new Listeners<SessionEvent>();
  private readonly byId = new Map<string, { session: Session; headers: IncomingHttpHeaders }>();

  constructor(private readonly host: SessionsHost, private readonly settings: SessionSettings) {}

  /** The number of open sessions. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * For the transports, before a request opens a session: answers 503 with `Retry-After`
   * ({@link RETRY_AFTER_S}) and returns true when `maxSessions` sessions are open.
   */
  refuseWhenFull(res: ServerResponse): boolean {
    if (this.byId.size < this.settings.maxSessions) return false;
    sendJsonRpcError(res, 503, TransportErrorCode.BadRequest,
      `This MCP endpoint has its maximum of ${this.settings.maxSessions} open sessions; try again later`, null,
      { 'Retry-After': String(RETRY_AFTER_S) });
    return true;
  }

  /**
   * For the transports: opens a session (the caller checked `AccessControl.admit` and
   * {@link refuseWhenFull}) in the registry, bound to its caller (`auth`, OAuth on: see
   * `AccessControl.sameCaller`), with its idle timers; `setUp` attaches its first stream; then
   * the endpoint and the listeners hear of it.
   */
  open(transport: TransportKind, headers: IncomingHttpHeaders, setUp: (session: Session) => void, auth?: AuthInfo): Session {
    const { settings } = this;
    const session = this.host.registry.create(this.host.id, {
      transport,
      queueLimits: settings.queueLimits,
      resumeGraceMs: settings.resumeGraceMs,
      replayEvents: settings.replayEvents,
      endsWithStream: transport === 'sse',
      onClose: (ended, reason) => this.onClosed(ended, reason),
      onWarning: (text) => this.host.warning.emit(text),
    });
    this.byId.set(session.id, { session, headers });
    this.host.access.remember(session.id, auth);
    session.expireWhenIdle(settings.idleTimeoutMs, transport === 'streamable-http' ? settings.sessionTimeoutMs : 0);
    setUp(session);
    this.host.sessionStarted(session);
    this.opened.emit(this.event(session, headers));
    return session;
  }

  /** The open session `id`, or `undefined`. */
  get(id: string): Session | undefined {
    const session = this.byId.get(id)?.session;
    return session === undefined || session.closed ? undefined : session;
  }

  /** The headers of the request that opened a session. */
  headersOf(session: Session): IncomingHttpHeaders | undefined {
    return this.byId.get(session.id)?.headers;
  }

  /** Every session not yet forgotten. */
  *values(): Iterable<Session> {
    for (const { session } of this.byId.values()) yield session;
  }

  /** Closes every session (the endpoint closed). */
  closeAll(reason: CloseReason): void {
    for (const { session } of [...this.byId.values()]) session.close(reason);
  }

  /** What the listeners hear: the headers without credentials, and the caller (OAuth). */
  private event(session: Session, headers: IncomingHttpHeaders, reason?: CloseReason): SessionEvent {
    const event: SessionEvent = { session, headers: this.host.access.withoutCredentials(headers) };
    const auth = this.host.access.callerOf(session.id);
    if (auth !== undefined) event.auth = auth;
    if (reason !== undefined) event.reason = reason;
    return event;
  }

  private onClosed(session: Session, reason: CloseReason): void {
    const headers = this.byId.get(session.id)?.headers ?? {};
    this.byId.delete(session.id);
    this.host.sessionEnded(session);
    const event = this.event(session, headers, reason);
    this.host.access.forget(session.id);
    this.closed.emit(event);
  }
}
