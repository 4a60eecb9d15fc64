/**
 * One MCP endpoint: its sessions, whichever transport opened them, the protocol layer between
 * them and the flow, and the two transports that move messages (MCP 2024-11-05 "Transports > HTTP
 * with SSE" in `transports/sse.ts`; 2025-03-26 onwards "Transports > Streamable HTTP" in
 * `transports/streamable-http.ts`).
 *
 * The flow side is three calls: hear {@link McpEndpoint.messageReceived}, answer with
 * {@link McpEndpoint.send}, or {@link McpEndpoint.broadcast}.
 *
 * Never imports Node-RED: usable with plain `node:http` (see the tests) and with Express.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { JsonRpcMessage, MessageKind, RequestId } from './jsonrpc';
import { sendJsonRpcError, TransportErrorCode } from './http';
import type { SessionRegistry } from './registry';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './sse';
import type { CloseReason, Session, TransportKind } from './session';
import { Protocol, type PushResult, type SendContext } from './protocol';
import type { SecurityOptions } from './security';
import { DEFAULT_HOLD_MAX, DEFAULT_HOLD_MS, HeldListeners, Listeners } from './listeners';
import { SseTransport } from './transports/sse';
import { StreamableHttpTransport } from './transports/streamable-http';
import type { Cluster, ClusterOptions, RelayRoute } from './cluster';
import { AccessControl, type Admitted } from './auth/access-control';
import type { AuthInfo } from './auth/claims';
import type { OAuthOptions } from './auth/resource-server';
import { ServerFeatures, type FeatureOptions } from './features/server-features';
import type { JsonObject } from './features/declarations';
import { Session as SessionClass } from './session';
import { newSessionId } from './session-id';
import { toOutboundMessage, type JsonRpcRequest } from './jsonrpc';
import { negotiateVersion } from './features/lifecycle';
import { isLogLevel } from './features/logging';
import { randomBytes } from 'node:crypto';
import {
  decorateResult, Exchange, INPUT_CAPABILITY, INPUT_METHODS, LISTEN_FILTERS, META, MODERN_VERSIONS, ModernErrorCode,
  REQUEST_STATE_TTL_MS, requestKey, StateSeal, type CachingOptions, type Envelope, type ExchangeRequest,
} from './stateless';

/** Settings of one endpoint. */
export interface EndpointOptions {
  /** Endpoint id; in Node-RED, the config node's id. */
  id: string;
  /** The registry the endpoint's sessions live in. */
  registry: SessionRegistry;
  /**
   * HTTP+SSE: the URL announced in the `endpoint` event, before `?sessionId=`: normally an
   * absolute path that includes any mount prefix (Node-RED's `httpNodeRoot`), e.g. `/sse/message`.
   */
  messageUrl?: string;
  /** Interval between keep-alive comments on every open stream, in ms; 0 turns them off. Default 15000. */
  keepAliveMs?: number;
  /** Largest POST body accepted, in bytes; larger gets 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /**
   * How long a session outlives a dropped stream, waiting for the client to reconnect with
   * `Last-Event-ID`, in ms; 0 (the default) turns resumption off.
   */
  resumeGraceMs?: number;
  /** Message events kept per session for replay on resumption. Default 256. */
  replayEvents?: number;
  /** The `retry:` sent to clients: how soon a client reconnects, in ms. Default 1000; 0 sends none. */
  retryMs?: number;
  /** `Host`/`Origin` allow-lists and authentication, checked on every route. Default: see {@link SecurityOptions}. */
  security?: SecurityOptions;
  /**
   * OAuth 2.1: the endpoint becomes a resource server (MCP 2025-06-18 onwards "Authorization"),
   * and `security.authToken` is ignored. Default: off.
   */
  oauth?: OAuthOptions;
  /** Most open sessions, of both transports; one more gets 503 with `Retry-After`. Default 1000. */
  maxSessions?: number;
  /** Bounds of each stream's push queue. Default 1000 messages, 8 MiB. */
  queueLimits?: Partial<QueueLimits>;
  /** A session with no message either way for this long (ms) is closed with `idle-timeout`; 0 (default) never. */
  idleTimeoutMs?: number;
  /**
   * Streamable HTTP: a session with no open stream and no message either way for this long (ms)
   * ends (clients rarely send DELETE). Default 15 minutes; 0 never.
   */
  sessionTimeoutMs?: number;
  /** Streamable HTTP: answer POSTs with one `application/json` body instead of an SSE stream. Default false. */
  jsonResponse?: boolean;
  /**
   * The server features the endpoint answers itself once something is declared on it or
   * `answerProtocol` is on: `serverInfo`, `instructions`, page size (see {@link ServerFeatures}).
   */
  features?: FeatureOptions;
  /** 2026-07-28: `ttlMs` and `cacheScope` of list results and `resources/read`. Default 0 ms, `private`. */
  caching?: CachingOptions;
  /**
   * 2026-07-28: the secret that seals `requestState`. Instances behind one load balancer must
   * share it; default: random per process (a retry must then reach the same instance).
   */
  stateSecret?: string;
  /** Several instances serve this endpoint, sharing its sessions through Redis (see cluster/). Default: this instance alone. */
  cluster?: ClusterOptions;
}

/** Ms an exchange waits after a flow's input request for more, before answering `input_required`. */
export const INPUT_BATCH_MS = 25;
const ErrorCodeInvalidParams = -32602;

/** One client message handed to the endpoint's listeners after the POST was accepted. */
export interface InboundMessage {
  session: Session;
  kind: MessageKind;
  message: JsonRpcMessage;
  /** With OAuth on: the caller, as the access token of the POST that carried the message describes it. */
  auth?: AuthInfo;
}

/** A session that opened or closed, for the endpoint's listeners. */
export interface SessionEvent {
  session: Session;
  /**
   * The headers of the request that opened the session; with authentication on, without the
   * credential (`Authorization`, or the token header): tokens never reach a flow or a log.
   */
  headers: IncomingHttpHeaders;
  /** With OAuth on: the caller, as the latest access token of the session describes it. */
  auth?: AuthInfo;
  /** Set on close. */
  reason?: CloseReason;
}

export const DEFAULT_KEEP_ALIVE_MS = 15_000;
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_REPLAY_EVENTS = 256;
export const DEFAULT_RETRY_MS = 1000;
export const DEFAULT_MAX_SESSIONS = 1000;
export const DEFAULT_SESSION_TIMEOUT_MS = 15 * 60_000;
/** Seconds a client is told to wait (`Retry-After`) when the endpoint is full. */
export const RETRY_AFTER_S = 5;

/** Thrown by {@link McpEndpoint.send} for a session that is not open on this endpoint. */
export class SessionNotFoundError extends Error {
  constructor(readonly sessionId: string) {
    super(`MCP session ${sessionId} is closed or unknown: the client has disconnected`);
    this.name = 'SessionNotFoundError';
  }
}

/**
 * One MCP endpoint. Keep-alive: one timer per endpoint, running only while it has open sessions,
 * writes a `: ping` comment to every open stream each `keepAliveMs` (one timer for all sessions is
 * cheaper than one each). Idle and resumption timers belong to each session.
 */
export class McpEndpoint {
  readonly id: string;
  readonly registry: SessionRegistry;
  readonly maxBodyBytes: number;
  readonly maxSessions: number;
  readonly resumeGraceMs: number;
  readonly retryMs: number;
  /** The protocol layer: server-initiated requests and client requests in flight. */
  readonly protocol = new Protocol();
  /** What is declared on the endpoint (tools, resources, prompts), and the requests it answers itself. */
  readonly features: ServerFeatures;
  /** This instance's part of the cluster, when several instances serve the endpoint through Redis. */
  readonly cluster: Cluster | undefined;
  /** HTTP+SSE (2024-11-05): `sse.handleGet` on the SSE path, `sse.handlePost` on the message path. */
  readonly sse: SseTransport;
  /** Streamable HTTP (2025-03-26 onwards): `streamableHttp.handle` on the one path, for POST, GET and DELETE. */
  readonly streamableHttp: StreamableHttpTransport;
  /**
   * Who may use the endpoint: `Host`/`Origin`, the token or OAuth 2.1 (its resource server is
   * `access.oauth`, its per-tool scopes `access.toolScopes`), and the caller of each session.
   */
  readonly access: AccessControl;
  private readonly keepAliveMs: number;
  private readonly replayEvents: number;
  private readonly queueLimits: QueueLimits;
  private readonly idleTimeoutMs: number;
  private readonly sessionTimeoutMs: number;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  /** This endpoint's open sessions, with the headers of the request that opened each. */
  private readonly open = new Map<string, { session: Session; headers: IncomingHttpHeaders }>();
  private closed = false;
  /** Open 2026-07-28 exchanges (stateless POSTs being answered), by id. */
  private readonly exchanges = new Map<string, Session>();
  private readonly caching: Required<CachingOptions>;
  private readonly seal: StateSeal;

  /** Hears of every session that opens. */
  readonly sessionOpened = new Listeners<SessionEvent>();
  /** Hears of every session that closes, with the reason. */
  readonly sessionClosed = new Listeners<SessionEvent>();
  /**
   * Hears of every valid JSON-RPC message a client sends, in the order they arrive. A message
   * accepted while no listener is there (a redeploy of the consumer) is held up to 3 s for the next.
   */
  readonly messageReceived = new HeldListeners<InboundMessage>(DEFAULT_HOLD_MS, DEFAULT_HOLD_MAX, ({ session, message }) =>
    this.warning.emit(`MCP message ${'method' in message ? message.method : 'response'} of session ${session.id} dropped: nothing consumed it within ${DEFAULT_HOLD_MS / 1000} s`));
  /** Hears why the endpoint closed a session on its own (queue overflow, idle timeout): a sentence to log. */
  readonly warning = new Listeners<string>();

  constructor(options: EndpointOptions) {
    this.id = options.id;
    this.registry = options.registry;
    this.keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.resumeGraceMs = options.resumeGraceMs ?? 0;
    this.replayEvents = options.replayEvents ?? DEFAULT_REPLAY_EVENTS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    const header = options.security?.authHeader?.trim() ?? '';
    if (header !== '' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
      throw new TypeError(`The authentication header name ${JSON.stringify(header)} is not a valid HTTP header name`);
    }
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.queueLimits = { ...DEFAULT_QUEUE_LIMITS, ...options.queueLimits };
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.caching = { ttlMs: Math.max(0, Math.floor(options.caching?.ttlMs ?? 0)), cacheScope: options.caching?.cacheScope === 'public' ? 'public' : 'private' };
    this.seal = new StateSeal(options.stateSecret !== undefined && options.stateSecret !== '' ? options.stateSecret : randomBytes(32).toString('hex'));
    this.sse = new SseTransport(this, options.messageUrl ?? '/message');
    this.streamableHttp = new StreamableHttpTransport(this, options.jsonResponse ?? false);
    this.access = new AccessControl(options.security ?? {}, options.oauth, (text) => this.warning.emit(text));
    this.features = new ServerFeatures({
      send: (session, payload, requestId) => this.sendQuietly(session, payload, requestId),
      broadcast: (payload, since) => {
        this.protocol.broadcast([...this.sessions()].filter((session) => session.createdAt <= since), payload);
        this.notifyListeners(payload);
      },
      sessions: () => this.sessions(),
      flowListening: () => this.messageReceived.size > 0,
      logLevels: this.protocol.logLevels,
      toFlow: (session, kind, message) => this.toFlow(session, kind, message, this.access.callerOf(session.id)),
    }, options.features);
    if (options.cluster !== undefined) this.cluster = this.startCluster(options.cluster);
  }

  /** Loads the cluster module only when asked for (an endpoint without Redis never loads it or the Redis client). */
  private startCluster(options: ClusterOptions): Cluster {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Cluster: ClusterClass } = require('./cluster') as typeof import('./cluster');
    const cluster = new ClusterClass({
      id: this.id,
      maxBodyBytes: this.maxBodyBytes,
      maxBufferedBytes: this.queueLimits.bytes,
      localCount: () => this.open.size,
      serve: (route, req, res) => {
        if (route === 'sse-get') this.sse.handleGet(req, res);
        else if (route === 'sse-post') this.sse.handlePost(req, res);
        else this.streamableHttp.handle(req, res);
      },
      sendLocal: (sessionId, payload, context) => this.send(sessionId, payload, context),
      broadcastLocal: (payload) => this.protocol.broadcast(this.sessions(), payload),
      notFound: (sessionId) => new SessionNotFoundError(sessionId),
    }, options);
    cluster.changed.add(() => this.registry.setClusterCount(this.id, cluster.up ? cluster.total : undefined));
    cluster.start();
    return cluster;
  }

  /** The number of open sessions of this endpoint, of both transports. */
  get sessionCount(): number {
    return this.open.size;
  }

  /**
   * For the transports: runs the `Host`, `Origin` and authentication checks (see
   * {@link AccessControl.admit}) and refuses a closed endpoint (503), then calls
   * `then(context, auth)`: at once without OAuth, once the access token is checked with it.
   * @param transport the transport asking: a 401 points to its Protected Resource Metadata.
   * @param then a fixed function, so a request allocates no closure; `context` is handed to it.
   */
  admit<C>(req: IncomingMessage, res: ServerResponse, transport: TransportKind, then: Admitted<C>, context: C): void {
    this.access.admit(req, res, transport, then, context, this.refuseClosed);
  }

  private readonly refuseClosed = (res: ServerResponse): boolean => {
    if (!this.closed) return false;
    sendJsonRpcError(res, 503, TransportErrorCode.BadRequest, 'This MCP endpoint is shutting down');
    return true;
  };

  /**
   * For the transports, before a request opens a session: answers 503 with `Retry-After` and
   * returns true when the endpoint has `maxSessions` open sessions.
   */
  refuseWhenFull(res: ServerResponse): boolean {
    if (this.open.size < this.maxSessions) return false;
    sendJsonRpcError(res, 503, TransportErrorCode.BadRequest,
      `This MCP endpoint has its maximum of ${this.maxSessions} open sessions; try again later`, null,
      { 'Retry-After': String(RETRY_AFTER_S) });
    return true;
  }

  /**
   * For the transports: opens a session (the caller checked {@link admit} and
   * {@link refuseWhenFull}) and tells the listeners once it is set up.
   * @param auth with OAuth on, the caller: the session is bound to it ({@link AccessControl.sameCaller}).
   */
  openSession(transport: TransportKind, headers: IncomingHttpHeaders, setUp: (session: Session) => void, auth?: AuthInfo): Session {
    const session = this.registry.create(this.id, {
      transport,
      queueLimits: this.queueLimits,
      resumeGraceMs: this.resumeGraceMs,
      replayEvents: this.replayEvents,
      endsWithStream: transport === 'sse',
      onClose: (ended, reason) => this.onSessionClosed(ended, reason),
      onWarning: (text) => this.warning.emit(text),
    });
    this.open.set(session.id, { session, headers });
    this.cluster?.sessionOpened(session.id);
    this.access.remember(session.id, auth);
    session.expireWhenIdle(this.idleTimeoutMs, transport === 'streamable-http' ? this.sessionTimeoutMs : 0);
    setUp(session);
    this.startKeepAlive();
    this.sessionOpened.emit(this.sessionEvent(session, headers));
    return session;
  }

  /** The open session `id` of this endpoint, or `undefined`. */
  session(id: string): Session | undefined {
    const session = this.open.get(id)?.session ?? this.exchanges.get(id);
    return session === undefined || session.closed ? undefined : session;
  }

  /**
   * For the transports: a request names session `sessionId`, which is not open here. When several
   * instances serve the endpoint, the request is relayed to the instance that owns the session,
   * which answers it as a local request (see cluster/forwarder.ts: 404 through `notFound` when no
   * instance owns it, 503 with `Retry-After` when Redis is unreachable), and this returns true.
   * Returns false, answering nothing, on a single instance: the transport answers 404 itself.
   * @param body the POST body, when the transport has read it.
   */
  relayed(req: IncomingMessage, res: ServerResponse, sessionId: string, route: RelayRoute, notFound: () => void, body?: string): boolean {
    return this.cluster?.relay(req, res, sessionId, route, notFound, body) ?? false;
  }

  /** The headers of the request that opened a session of this endpoint. */
  openedWith(session: Session): IncomingHttpHeaders | undefined {
    return this.open.get(session.id)?.headers;
  }

  /**
   * For the transports: the valid messages of one accepted POST, in order, to the protocol layer,
   * then to the server features (when the endpoint answers the protocol), then to the flow.
   * @param auth with OAuth on, the caller of the POST (it becomes the session's latest).
   */
  receive(session: Session, messages: Array<{ kind: MessageKind; message: JsonRpcMessage }>, auth?: AuthInfo): void {
    session.touch();
    this.access.remember(session.id, auth);
    for (const { kind, message } of messages) {
      if (kind === 'request' && (message as JsonRpcRequest).method === 'initialize') session.protocolVersion = negotiateVersion((message as JsonRpcRequest).params?.protocolVersion);
      if (!this.protocol.receive(session, kind, message)) continue;
      if (!this.features.receive(session, kind, message)) this.toFlow(session, kind, message, auth);
    }
  }

  /** Hands a message to the flow (`mcp message in`), with its caller when OAuth is on. */
  private toFlow(session: Session, kind: MessageKind, message: JsonRpcMessage, auth: AuthInfo | undefined): void {
    this.messageReceived.emit(auth === undefined ? { session, kind, message } : { session, kind, message, auth });
  }

  /** What the session listeners hear: the headers without credentials, and the caller (OAuth). */
  private sessionEvent(session: Session, headers: IncomingHttpHeaders, reason?: CloseReason): SessionEvent {
    const event: SessionEvent = { session, headers: this.access.withoutCredentials(headers) };
    const auth = this.access.callerOf(session.id);
    if (auth !== undefined) event.auth = auth;
    if (reason !== undefined) event.reason = reason;
    return event;
  }

  /**
   * Sends what a flow produced to one session of this endpoint, by the protocol's rules (see
   * {@link Protocol.send}); on Streamable HTTP, messages about a request go on its POST's stream.
   * A session another instance owns (several instances) gets it through that instance: the result
   * is then `{ sent: true, relayed: true }`, and a later failure reaches `context.onRelayFailure`.
   * @throws SessionNotFoundError when the session is not open on this endpoint (nor, several
   *   instances serving it, anywhere: that failure then reaches `context.onRelayFailure`).
   * @throws TypeError, SessionClosedError, RangeError as {@link Protocol.send}.
   */
  send(sessionId: string, payload: unknown, context: SendContext = {}): PushResult {
    const session = this.session(sessionId);
    if (session === undefined) {
      if (this.cluster !== undefined && !this.closed) return this.cluster.send(sessionId, payload, context);
      throw new SessionNotFoundError(sessionId);
    }
    const { requestId } = context;
    // The answer to a request a declaration handed to the flow is shaped by its method.
    const answer = requestId === undefined ? undefined : this.features.shapeAnswer(session, requestId, payload, context.failure);
    if (session.exchange !== undefined) return this.sendOnExchange(session, session.exchange, answer ?? payload, context);
    return this.protocol.send(session, answer ?? payload, context);
  }

  /** The features' own answers and notifications: through the protocol layer, like a flow's; a session that went away is skipped. */
  private sendQuietly(session: Session, payload: JsonObject, requestId?: RequestId): void {
    try {
      const context = requestId === undefined ? {} : { requestId };
      if (session.exchange !== undefined) this.sendOnExchange(session, session.exchange, payload, context);
      else this.protocol.send(session, payload, context);
    } catch (error) {
      if (!session.closed) this.warning.emit(`MCP session ${session.id}: could not send ${String(payload.method ?? 'an answer')}: ${(error as Error).message}`);
    }
  }

  /**
   * Sends one notification to every open session of this endpoint that has a stream of its own
   * (those waiting for their client to reconnect get it in their replay ring); see
   * {@link Protocol.broadcast}. Several instances serving the endpoint, every other instance
   * sends it to its sessions too.
   * @returns the number of sessions of this instance it was sent to.
   */
  broadcast(payload: unknown): number {
    const sent = this.protocol.broadcast(this.sessions(), payload);
    this.cluster?.broadcast(payload);
    return sent;
  }

  /**
   * For the Streamable HTTP transport: opens the exchange of one 2026-07-28 POST (see
   * `stateless.ts`). It is never in the registry and no listener hears it open; `setUp` attaches
   * the POST's answer, and the exchange ends when the POST's response closes.
   */
  openExchange(envelope: Envelope, setUp: (session: Session) => void): Session {
    const session = new SessionClass(newSessionId(), this.id, {
      transport: 'streamable-http',
      queueLimits: this.queueLimits,
      resumeGraceMs: 0,
      replayEvents: 0,
      endsWithStream: false,
      onClose: (closed) => this.onExchangeClosed(closed),
      onWarning: (text) => this.warning.emit(text),
    });
    session.exchange = new Exchange(envelope);
    session.protocolVersion = envelope.protocolVersion;
    if (envelope.logLevel !== undefined && isLogLevel(envelope.logLevel)) this.protocol.logLevels.set(session.id, envelope.logLevel);
    this.exchanges.set(session.id, session);
    setUp(session);
    this.startKeepAlive();
    return session;
  }

  /** The number of open 2026-07-28 exchanges. */
  get exchangeCount(): number {
    return this.exchanges.size;
  }

  /**
   * For the transport: the requests of one exchange. `server/discover` and `subscriptions/listen`
   * are answered here; a retry's `requestState` is opened (a tampered, expired or foreign one is
   * answered `-32602`); everything else goes on as a session's messages do ({@link receive}).
   * @param auth with OAuth on, the caller of the POST.
   */
  receiveOnExchange(session: Session, messages: Array<{ kind: MessageKind; message: JsonRpcMessage }>, auth?: AuthInfo): void {
    const exchange = session.exchange as Exchange;
    const rest: Array<{ kind: MessageKind; message: JsonRpcMessage }> = [];
    for (const entry of messages) {
      if (entry.kind !== 'request') {
        rest.push(entry);
        continue;
      }
      const request = entry.message as JsonRpcRequest;
      const params = (request.params ?? {}) as Record<string, unknown>;
      if (request.method === 'server/discover') {
        this.protocol.clientRequests.received(session.id, request);
        this.sendOnExchange(session, exchange, { jsonrpc: '2.0', id: request.id, result: this.discoverResult() }, { requestId: request.id });
        continue;
      }
      if (request.method === 'subscriptions/listen') {
        const asked = (typeof params.notifications === 'object' && params.notifications !== null ? params.notifications : {}) as Record<string, unknown>;
        const filter: Record<string, boolean> = {};
        for (const key of Object.keys(LISTEN_FILTERS)) if (asked[key] === true) filter[key] = true;
        exchange.listen = { id: request.id, filter };
        session.send({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { notifications: filter, _meta: { [META.subscriptionId]: request.id } } } as JsonRpcMessage, request.id);
        continue;
      }
      const name = request.method === 'resources/read' ? params.uri : params.name;
      const entryOf: ExchangeRequest = { method: request.method, name: typeof name === 'string' ? name : undefined, responses: {}, asked: {}, inputCount: 0 };
      if (params.requestState !== undefined) {
        const state = this.seal.open(params.requestState);
        if (state === undefined || state.method !== request.method || state.name !== entryOf.name) {
          this.protocol.clientRequests.received(session.id, request);
          exchange.requests.set(requestKey(request.id), entryOf);
          this.sendOnExchange(session, exchange, { jsonrpc: '2.0', id: request.id, error: { code: ErrorCodeInvalidParams, message: 'Invalid or expired requestState' } }, { requestId: request.id });
          continue;
        }
        entryOf.responses = { ...state.responses };
        entryOf.state = state.state;
      }
      if (typeof params.inputResponses === 'object' && params.inputResponses !== null && !Array.isArray(params.inputResponses)) {
        Object.assign(entryOf.responses, params.inputResponses);
      }
      exchange.requests.set(requestKey(request.id), entryOf);
      rest.push(entry);
    }
    if (rest.length > 0) this.receive(session, rest, auth);
  }

  /** The flow state a retry carried for request `id` of an exchange (`msg.mcp.state`). */
  exchangeState(session: Session, id: RequestId): unknown {
    return session.exchange?.requests.get(requestKey(id))?.state;
  }

  /** The `server/discover` result (2026-07-28). */
  private discoverResult(): Record<string, unknown> {
    return { supportedVersions: [...MODERN_VERSIONS], capabilities: this.features.discoverCapabilities() };
  }

  /**
   * Sends on an exchange: responses get `resultType`, `_meta` serverInfo and caching hints (an
   * unknown resource's `-32002` becomes `-32602`, as 2026-07-28 wants); `notifications/message`
   * goes only when the request set `_meta` logLevel; a flow's elicitation, sampling or roots
   * request becomes part of an `input_required` result (see {@link askInput}).
   */
  private sendOnExchange(session: Session, exchange: Exchange, payload: unknown, context: SendContext): PushResult {
    const message = toOutboundMessage(payload, context.requestId) as unknown as Record<string, unknown>;
    const method = message.method;
    if (typeof method === 'string') {
      if (method === 'notifications/message' && exchange.envelope.logLevel === undefined) {
        return { sent: false, reason: 'log message dropped: the request set no _meta logLevel', filtered: true };
      }
      if (!method.startsWith('notifications/') && context.request !== undefined) return this.askInput(session, exchange, message, context);
      return this.protocol.send(session, message, context);
    }
    const id = message.id as RequestId | null;
    const entry = id === null ? undefined : exchange.requests.get(requestKey(id));
    if (entry?.timer !== undefined) clearTimeout(entry.timer);
    if (entry !== undefined) entry.asked = {};
    const out: Record<string, unknown> = { ...message };
    if (typeof message.result === 'object' && message.result !== null) {
      out.result = decorateResult(message.result as Record<string, unknown>, entry?.method, this.features.serverInfo, this.caching);
    } else if (typeof message.error === 'object' && message.error !== null) {
      const error = message.error as { code?: number; data?: unknown };
      if (error.code === -32002) out.error = { ...error, code: ErrorCodeInvalidParams, data: error.data ?? { uri: entry?.name } };
    }
    return this.protocol.send(session, out, context);
  }

  /**
   * A flow's request to the client on an exchange (MCP 2026-07-28 "input_required", SEP-2322).
   * Its key is the payload's own `id`, else `input-<n>` (the n-th input request of this run of
   * the flow, the same on each retry). When the retry already carries the answer, the request
   * settles at once with it; otherwise it joins the `input_required` result sent
   * {@link INPUT_BATCH_MS} after the flow's last one, with the sealed `requestState`. A request
   * the client has no capability for answers the client's request `-32021` (HTTP 400).
   */
  private askInput(session: Session, exchange: Exchange, message: Record<string, unknown>, context: SendContext): PushResult {
    const method = message.method as string;
    const requestId = context.requestId;
    const entry = requestId === undefined ? undefined : exchange.requests.get(requestKey(requestId));
    if (requestId === undefined || entry === undefined || !INPUT_METHODS.has(entry.method) || INPUT_CAPABILITY[method] === undefined) {
      return { sent: false, reason: `${method} dropped: a ${MODERN_VERSIONS[0]} request can only ask the client for elicitation, sampling or roots, while answering tools/call, prompts/get or resources/read` };
    }
    const capability = INPUT_CAPABILITY[method];
    if (!exchange.declares(capability)) {
      this.sendOnExchange(session, exchange, { jsonrpc: '2.0', id: requestId, error: { code: ModernErrorCode.MissingRequiredClientCapability, message: `Missing required client capability: ${capability}`, data: { requiredCapabilities: { [capability]: {} } } } }, { requestId });
      return { sent: false, reason: `${method} dropped: the client did not declare the ${capability} capability` };
    }
    entry.inputCount++;
    const key = typeof message.id === 'string' || typeof message.id === 'number' ? String(message.id) : `input-${entry.inputCount}`;
    const settle = context.request?.settle;
    if (Object.prototype.hasOwnProperty.call(entry.responses, key)) {
      const result = entry.responses[key];
      setImmediate(() => settle?.({ status: 'result', result }, { id: key, method }));
      return { sent: true, message: message as unknown as JsonRpcMessage };
    }
    entry.asked[key] = message.params === undefined ? { method } : { method, params: message.params };
    if (context.state !== undefined) entry.state = context.state;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (session.closed || Object.keys(entry.asked).length === 0) return;
      const requestState = this.seal.seal({ method: entry.method, name: entry.name, responses: entry.responses, state: entry.state, exp: Date.now() + REQUEST_STATE_TTL_MS });
      const result = { resultType: 'input_required', inputRequests: entry.asked, requestState };
      entry.asked = {};
      try {
        this.sendOnExchange(session, exchange, { jsonrpc: '2.0', id: requestId, result }, { requestId });
      } catch (error) {
        if (!session.closed) this.warning.emit(`MCP exchange ${session.id}: could not send input_required: ${(error as Error).message}`);
      }
    }, INPUT_BATCH_MS);
    entry.timer.unref();
    return { sent: true, message: message as unknown as JsonRpcMessage };
  }

  /** Sends a list-changed notification to every `subscriptions/listen` exchange that asked for it. */
  private notifyListeners(payload: JsonObject): void {
    const method = payload.method;
    for (const session of this.exchanges.values()) {
      const listen = session.exchange?.listen;
      if (listen === undefined || session.closed) continue;
      const wanted = Object.keys(listen.filter).some((key) => LISTEN_FILTERS[key] === method);
      if (!wanted) continue;
      const params = { ...(payload.params as Record<string, unknown> | undefined), _meta: { [META.subscriptionId]: listen.id } };
      try {
        session.send({ jsonrpc: '2.0', method: method as string, params } as JsonRpcMessage, listen.id);
      } catch {
        // the listener has gone
      }
    }
  }

  private onExchangeClosed(session: Session): void {
    this.exchanges.delete(session.id);
    this.access.forget(session.id);
    for (const entry of session.exchange?.requests.values() ?? []) if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.protocol.closeSession(session.id);
    this.features.closeSession(session.id);
    if (this.open.size === 0 && this.exchanges.size === 0) this.stopKeepAlive();
  }

  /**
   * Forgets, without settling, every server-initiated request `owner` (a node) sent: the node is
   * gone (a redeploy), and nobody is listening for the answers any more.
   */
  forgetRequests(owner: unknown): void {
    this.protocol.pending.forget(owner);
  }

  private *sessions(): Iterable<Session> {
    for (const { session } of this.open.values()) yield session;
  }

  private onSessionClosed(session: Session, reason: CloseReason): void {
    const headers = this.open.get(session.id)?.headers ?? {};
    this.open.delete(session.id);
    this.cluster?.sessionClosed(session.id);
    this.protocol.closeSession(session.id);
    this.features.closeSession(session.id);
    if (this.open.size === 0 && this.exchanges.size === 0) this.stopKeepAlive();
    const event = this.sessionEvent(session, headers, reason);
    this.access.forget(session.id);
    this.sessionClosed.emit(event);
  }

  private startKeepAlive(): void {
    if (this.keepAliveTimer !== undefined || this.keepAliveMs <= 0) return;
    this.keepAliveTimer = setInterval(() => {
      for (const { session } of this.open.values()) session.keepAlive();
      for (const session of this.exchanges.values()) session.keepAlive();
    }, this.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  private stopKeepAlive(): void {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  /**
   * Closes the endpoint: every open stream of it ends cleanly, its sessions leave the registry,
   * and later requests get 503. Idempotent. Resolves once the connection to Redis (several
   * instances) has closed; at once otherwise.
   */
  close(): Promise<void> {
    this.closed = true;
    this.features.close();
    for (const { session } of [...this.open.values()]) session.close('endpoint-closed');
    for (const session of [...this.exchanges.values()]) session.close('endpoint-closed');
    this.stopKeepAlive();
    this.registry.setClusterCount(this.id, undefined);
    return this.cluster?.close() ?? Promise.resolve();
  }
}
