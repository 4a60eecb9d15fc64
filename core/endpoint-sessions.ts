/**
 * The open sessions of one endpoint, of both transports: opening one, finding it by id with the
 * headers of the request that opened it, and telling the endpoint's listeners when one opens or
 * closes. 2026-07-28 exchanges are not sessions a client opened and are not kept here (see
 * `stateless/exchanges.ts`).
 *
 * No lock-out: when the endpoint is full, a new session takes the place of the least recently
 * active one that has no open stream (see `idle-sessions.ts`; with resumption on, a request in
 * flight keeps a session too, while its client may still come back for the answer within the
 * resume grace); its client gets 404 on its next request and starts a new session, as MCP
 * "Session Management" intends. Only when every session is active does a new client get 503 with
 * `Retry-After`. Each client address (`client-address.ts`) keeps at most `maxIdlePerClient`
 * Streamable HTTP sessions without a stream: past that its own least recently active one makes
 * room, so a client that opens sessions and abandons them churns its own and nobody else's.
 * HTTP+SSE sessions count against no client (one waiting in its resume grace can still be evicted
 * when the endpoint is full).
 *
 * Never imports Node-RED.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AccessControl } from './auth/access-control';
import type { AuthInfo } from './auth/claims';
import { clientKey, forwardedButUntrusted } from './client-address';
import { DEFAULT_MAX_IDLE_SESSIONS_PER_CLIENT, DEFAULT_MAX_SESSIONS, DEFAULT_REPLAY_EVENTS, DEFAULT_SESSION_TIMEOUT_MS, type EndpointOptions, type SessionEvent } from './endpoint-options';
import { sendRetryLater } from './http';
import { IdleOrder, type IdleState } from './idle-sessions';
import { Listeners } from './listeners';
import type { SessionRegistry } from './registry';
import type { CloseReason, Session, SessionOptions, TransportKind } from './session';
import type { QueueLimits } from './sse';

/** Settings of the sessions an endpoint opens, defaults applied (see {@link EndpointOptions}). */
interface SessionSettings extends Pick<SessionOptions, 'queueLimits' | 'resumeGraceMs' | 'replayEvents'> {
  /** Most open sessions; past it the least recently active idle one is evicted, or, all active, 503. */
  maxSessions: number;
  /** Most sessions without a stream per client address; past it the client's own oldest idle one is evicted. 0: no cap. */
  maxIdlePerClient: number;
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
    maxIdlePerClient: options.maxIdleSessionsPerClient ?? DEFAULT_MAX_IDLE_SESSIONS_PER_CLIENT,
    idleTimeoutMs: options.idleTimeoutMs ?? 0,
    sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
  };
}

/** What the table needs from its endpoint. */
interface SessionsHost {
  /** The endpoint's id. */
  readonly id: string;
  readonly registry: SessionRegistry;
  /** The caller of each session (OAuth), and the headers without credentials. */
  readonly access: AccessControl;
  /** Hears a sentence to log. */
  readonly warning: { emit(text: string): void };
  /** Hears a sentence to log at debug level (an evicted session). */
  readonly debug: { emit(text: string): void };
  /** True while the session has a request in flight either way (the client's, or a server-initiated one). */
  inFlight(session: Session): boolean;
  /** A session was set up: before the listeners hear of it. */
  sessionStarted(session: Session): void;
  /** A session closed (for good: its id is gone) and why: what it left elsewhere is to be forgotten, before the listeners hear of it. */
  sessionEnded(session: Session, reason: CloseReason): void;
}

/** One endpoint's open sessions; see the module comment. */
export class EndpointSessions {
  /** Hears of every session that opens. */
  readonly opened = new Listeners<SessionEvent>();
  /** Hears of every session that closes, with the reason. */
  readonly closed = new Listeners<SessionEvent>();
  private readonly byId = new Map<string, { session: Session; headers: IncomingHttpHeaders; client: string | undefined }>();
  /** Sessions that may be idle, least recently active first: whom to evict. */
  private readonly idle = new IdleOrder();
  private evictions = 0;
  /** Whether the warning about an untrusted proxy was given (once per endpoint). */
  private warnedProxy = false;
  private readonly stateOf = (session: Session): IdleState => this.idleState(session);

  constructor(private readonly host: SessionsHost, private readonly settings: SessionSettings) {}

  /** The number of open sessions. */
  get size(): number {
    return this.byId.size;
  }

  /** Sessions evicted since the endpoint started, to make room for new ones. */
  get evicted(): number {
    return this.evictions;
  }

  /**
   * For the transports, before `req` opens a session of `transport`: makes room for it. A
   * Streamable HTTP session has no stream once its `initialize` is answered: past the client's cap
   * on sessions without a stream, its own least recently active idle session is evicted (an
   * HTTP+SSE session holds its stream, and is not counted). With
   * `maxSessions` open, the least recently active idle one of any client. When every session is
   * active, answers 503 with `Retry-After: 5` and a JSON-RPC error body (`sendRetryLater`).
   * @returns the client key to open the session with ({@link open}), or `undefined` when refused.
   */
  makeRoom(req: IncomingMessage, res: ServerResponse, transport: TransportKind): string | undefined {
    const client = clientKey(req);
    const cap = transport === 'streamable-http' ? this.settings.maxIdlePerClient : 0;
    // Candidates that opened a stream since they were counted are dropped first: only sessions
    // that have none count against the cap (a client opening many sessions that each open their
    // stream right after initialize is never cut short).
    if (cap > 0 && this.idle.count(client) >= cap && this.idle.prune(this.stateOf, client) >= cap) {
      this.warnUntrustedProxy(req, client);
      do {
        const oldest = this.idle.oldestIdle(this.stateOf, client);
        if (oldest === undefined) break;
        this.evict(oldest, `its client ${client} has ${cap} sessions without a stream`);
      } while (this.idle.count(client) >= cap);
    }
    if (this.byId.size < this.settings.maxSessions) return client;
    const oldest = this.idle.oldestIdle(this.stateOf);
    if (oldest !== undefined) {
      this.evict(oldest, `the endpoint has its maximum of ${this.settings.maxSessions} sessions`);
      return client;
    }
    sendRetryLater(res, `This MCP endpoint has its maximum of ${this.settings.maxSessions} open sessions; try again later`);
    return undefined;
  }

  /**
   * For the transports: the client sent something on `session` (a POST, a GET, a DELETE): while
   * it has no stream, it becomes the most recently active of the sessions that may be evicted.
   */
  touched(session: Session): void {
    const entry = this.byId.get(session.id);
    if (entry !== undefined && this.idle.has(session)) this.idle.touch(session, entry.client);
  }

  /**
   * For the transports: opens a session (the caller checked `AccessControl.admit` and
   * {@link makeRoom}, which gave `client`) in the registry, bound to its caller (`auth`, OAuth
   * on: see `AccessControl.sameCaller`), with its idle timers; `setUp` attaches its first stream;
   * then the endpoint and the listeners hear of it.
   */
  open(transport: TransportKind, headers: IncomingHttpHeaders, setUp: (session: Session) => void, auth?: AuthInfo, client = ''): Session {
    const { settings } = this;
    // An HTTP+SSE session holds its stream: it counts against no client's cap, even in its resume grace.
    const key = transport === 'sse' ? undefined : client;
    const session = this.host.registry.create(this.host.id, {
      transport,
      queueLimits: settings.queueLimits,
      resumeGraceMs: settings.resumeGraceMs,
      replayEvents: settings.replayEvents,
      endsWithStream: transport === 'sse',
      onClose: (ended, reason) => this.onClosed(ended, reason),
      onWarning: (text) => this.host.warning.emit(text),
      onQuiet: (quiet) => this.idle.touch(quiet, key),
    });
    this.byId.set(session.id, { session, headers, client: key });
    this.idle.touch(session, key);
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

  /**
   * What `session` is to the eviction order: `streaming` while a stream is open; `busy` while,
   * with resumption on, a request is in flight and its client may still come back for the answer
   * (within the grace period since the last message); else `idle`.
   */
  private idleState(session: Session): IdleState {
    if (session.streaming) return 'streaming';
    const grace = this.settings.resumeGraceMs;
    return grace > 0 && session.idleFor() < grace && this.host.inFlight(session) ? 'busy' : 'idle';
  }

  /**
   * Once per endpoint, when the per-client cap evicts for a request that came through a proxy the
   * HTTP server does not trust: every client behind it counts as one address.
   */
  private warnUntrustedProxy(req: IncomingMessage, client: string): void {
    if (this.warnedProxy || !forwardedButUntrusted(req)) return;
    this.warnedProxy = true;
    this.host.warning.emit(`MCP clients behind a proxy share one address (${client}) for the per-client cap on sessions without a stream: requests carry X-Forwarded-For, but the HTTP server does not trust the proxy. In Node-RED, set httpServerOptions: { "trust proxy": <the proxy's address> } in settings.js`);
  }

  /** Closes an idle session to make room (reason `evicted`), and logs it at debug level. */
  private evict(session: Session, why: string): void {
    this.evictions++;
    this.host.debug.emit(`MCP session ${session.id} evicted (no stream, idle for ${Math.round(session.idleFor() / 1000)} s): ${why}`);
    session.close('evicted');
    // (Closing takes it out of the order; so that the loops that make room always move on.)
    this.idle.remove(session);
  }

  private onClosed(session: Session, reason: CloseReason): void {
    const headers = this.byId.get(session.id)?.headers ?? {};
    this.byId.delete(session.id);
    this.idle.remove(session);
    this.host.sessionEnded(session, reason);
    const event = this.event(session, headers, reason);
    this.host.access.forget(session.id);
    this.closed.emit(event);
  }
}
