/**
 * One MCP endpoint: its sessions, whichever transport opened them, the protocol layer between
 * them and the flow, and the two transports that move messages (MCP 2024-11-05 "Transports > HTTP
 * with SSE" in `transports/sse.ts`; 2025-03-26 onwards "Transports > Streamable HTTP" in
 * `transports/streamable-http.ts`, which also serves the stateless 2026-07-28 requests as
 * exchanges, see `exchanges.ts`).
 *
 * The flow side is three calls: hear {@link McpEndpoint.messageReceived}, answer with
 * {@link McpEndpoint.send}, or {@link McpEndpoint.broadcast}.
 *
 * Never imports Node-RED: usable with plain `node:http` (see the tests) and with Express.
 */
import type { JsonRpcMessage, JsonRpcRequest, MessageKind, RequestId } from './jsonrpc';
import type { SessionRegistry } from './registry';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './sse';
import { SessionNotFoundError, type Session } from './session';
import { Protocol, type PushResult, type SendContext } from './protocol';
import { DEFAULT_HOLD_MAX, DEFAULT_HOLD_MS, HeldListeners, Listeners } from './listeners';
import { SseTransport } from './transports/sse';
import { StreamableHttpTransport } from './transports/streamable-http';
import type { Cluster, ClusterOptions } from './cluster';
import { AccessControl } from './auth/access-control';
import type { AuthInfo } from './auth/claims';
import { ServerFeatures } from './features/server-features';
import type { JsonObject } from './features/declarations';
import { negotiateVersion } from './features/lifecycle';
import { Exchanges } from './exchanges';
import { KeepAlive } from './keep-alive';
import { EndpointSessions, sessionSettings } from './endpoint-sessions';
import { CLOSED_MESSAGE, interruptRequest, interruptWaiting, processInterrupted, RESTARTING_MESSAGE, type InterruptedRequests, type InterruptHost } from './interrupted-requests';
import { DEFAULT_KEEP_ALIVE_MS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BODY_BYTES, DEFAULT_RETRY_MS, type EndpointOptions, type InboundMessage, type SessionEvent } from './endpoint-options';

/** Messages of one accepted POST, in order. */
type Messages = Array<{ kind: MessageKind; message: JsonRpcMessage }>;

/** One MCP endpoint; see the module comment. */
export class McpEndpoint {
  /** Endpoint id; in Node-RED, the config node's id. */
  readonly id: string;
  /** The registry the endpoint's sessions live in. */
  readonly registry: SessionRegistry;
  /** Largest POST body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Most messages in one JSON-RPC batch, where the revision has batches. */
  readonly maxBatchSize: number;
  /** The most open sessions (of both transports); past it a new one evicts an idle one, and gets 503 with `Retry-After` only when all are active. */
  readonly maxSessions: number;
  /** Ms a session outlives a dropped stream for its client to resume; 0: resumption off. */
  readonly resumeGraceMs: number;
  /** The `retry:` sent to clients, in ms; 0 sends none. */
  readonly retryMs: number;
  /** Bounds of each stream's push queue. */
  readonly queueLimits: QueueLimits;
  /** The protocol layer: server-initiated requests and client requests in flight. */
  readonly protocol = new Protocol();
  /** What is declared on the endpoint (tools, resources, prompts), and the requests it answers itself. */
  readonly features: ServerFeatures;
  /**
   * This instance's part of the cluster, when several instances serve the endpoint through Redis:
   * the transports relay a request for a session another instance owns with `cluster.relay`.
   */
  readonly cluster: Cluster | undefined;
  /** HTTP+SSE (2024-11-05): `sse.handleGet` on the SSE path, `sse.handlePost` on the message path. */
  readonly sse: SseTransport;
  /** Streamable HTTP (2025-03-26 onwards): `streamableHttp.handle` on the one path, for POST, GET and DELETE. */
  readonly streamableHttp: StreamableHttpTransport;
  /** The open 2026-07-28 exchanges (stateless POSTs being answered). */
  readonly exchanges: Exchanges;
  /**
   * Who may use the endpoint: the transports run `access.admit` on every request (`Host`/`Origin`,
   * the token or OAuth 2.1, 503 once the endpoint has closed); the resource server is
   * `access.oauth`, its per-tool scopes `access.toolScopes`; and the caller of each session.
   */
  readonly access: AccessControl;
  /** One timer for every open stream of the endpoint (sessions and exchanges). */
  readonly keepAlive: KeepAlive;
  /** This endpoint's open sessions, of both transports: the transports open them here. */
  readonly sessions: EndpointSessions;
  /** Requests answered with `-32000` because their flow went away: a later answer to one is dropped. */
  readonly interrupted: InterruptedRequests;
  private closed = false;

  /** Hears of every session that opens. */
  readonly sessionOpened: Listeners<SessionEvent>;
  /** Hears of every session that closes, with the reason. */
  readonly sessionClosed: Listeners<SessionEvent>;
  /**
   * Hears of every valid JSON-RPC message a client sends, in the order they arrive. A message
   * accepted while no listener is there (a redeploy of the consumer) is held for the next: up to
   * 3 s, or while a deploy is under way (`messageReceived.holdLonger`, `endHold`). A request
   * nothing took in time is answered `-32000` ({@link unheard}).
   */
  readonly messageReceived = new HeldListeners<InboundMessage>(DEFAULT_HOLD_MS, DEFAULT_HOLD_MAX, (event) => this.unheard(event));
  /** Hears why the endpoint closed a session on its own (queue overflow, idle timeout): a sentence to log. */
  readonly warning = new Listeners<string>();
  /** Hears what is worth a line at debug level: a session evicted to make room for a new one. */
  readonly debug = new Listeners<string>();

  /** @throws TypeError for a token header name or OAuth settings that cannot work (see {@link AccessControl}). */
  constructor(options: EndpointOptions) {
    this.id = options.id;
    this.registry = options.registry;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.interrupted = options.interrupted ?? processInterrupted;
    this.queueLimits = { ...DEFAULT_QUEUE_LIMITS, ...options.queueLimits };
    const settings = sessionSettings(options, this.queueLimits);
    this.maxSessions = settings.maxSessions;
    this.resumeGraceMs = settings.resumeGraceMs;
    this.access = new AccessControl(options.security ?? {}, options.oauth, (text) => this.warning.emit(text));
    this.sessions = new EndpointSessions({
      id: this.id, registry: this.registry, access: this.access, warning: this.warning, debug: this.debug,
      inFlight: (session) => this.protocol.clientRequests.count(session.id) > 0 || this.protocol.pending.count(session.id) > 0,
      sessionStarted: (session) => {
        this.cluster?.sessionOpened(session.id);
        this.keepAlive.start();
      },
      sessionEnded: (session) => this.sessionEnded(session),
    }, settings);
    this.sessionOpened = this.sessions.opened;
    this.sessionClosed = this.sessions.closed;
    this.keepAlive = new KeepAlive(options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS, () => this.everySession());
    this.exchanges = new Exchanges(this, { caching: options.caching, stateSecret: options.stateSecret, maxListenStreams: options.maxListenStreams });
    this.sse = new SseTransport(this, options.messageUrl ?? '/message');
    this.streamableHttp = new StreamableHttpTransport(this, options.jsonResponse ?? false);
    this.features = new ServerFeatures({
      send: (session, payload, requestId) => this.sendQuietly(session, payload, requestId),
      broadcast: (payload, since) => {
        this.protocol.broadcast([...this.sessions.values()].filter((session) => session.createdAt <= since), payload);
        this.exchanges.notifyListeners(payload);
      },
      notifyListeners: (payload) => this.exchanges.notifyListeners(payload),
      sessions: () => this.sessions.values(),
      flowListening: () => this.messageReceived.size > 0,
      logLevels: this.protocol.logLevels,
      toFlow: (session, kind, message) => this.toFlow(session, kind, message, this.access.callerOf(session.id)),
    }, options.features);
    if (options.cluster !== undefined) this.cluster = McpEndpoint.joinCluster(this, options.cluster);
  }

  /** Loads the cluster module only when asked for (an endpoint without Redis never loads it or the Redis client). */
  private static joinCluster(endpoint: McpEndpoint, options: ClusterOptions): Cluster {
    const { joinCluster } = require('./cluster') as typeof import('./cluster');
    return joinCluster(endpoint, options);
  }

  /** The number of open sessions of this endpoint, of both transports. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The open session (or 2026-07-28 exchange) `id` of this endpoint, or `undefined`. */
  session(id: string): Session | undefined {
    return this.sessions.get(id) ?? this.exchanges.get(id);
  }

  /**
   * For the transports: the valid messages of one accepted POST, in order, to the protocol layer,
   * then to the server features (when the endpoint answers the protocol), then to the flow.
   * @param auth with OAuth on, the caller of the POST (it becomes the session's latest).
   */
  receive(session: Session, messages: Messages, auth?: AuthInfo): void {
    session.touch();
    this.access.remember(session.id, auth);
    for (const { kind, message } of messages) {
      if (kind === 'request' && (message as JsonRpcRequest).method === 'initialize') session.protocolVersion = negotiateVersion((message as JsonRpcRequest).params?.protocolVersion);
      // A new request may reuse the id of one that was interrupted: its answer is to go out.
      if (kind === 'request' && this.interrupted.size > 0) this.interrupted.delete(session.id, (message as JsonRpcRequest).id);
      if (!this.protocol.receive(session, kind, message)) continue;
      if (!this.features.receive(session, kind, message)) this.toFlow(session, kind, message, auth);
    }
  }

  /** A message no flow took in time: a warning; a request is answered `-32000`, so that its client does not wait for its timeout. */
  private unheard({ session, kind, message }: InboundMessage): void {
    const answered = kind === 'request' && interruptRequest(this.interruptHost, session, (message as JsonRpcRequest).id, RESTARTING_MESSAGE);
    this.warning.emit(`MCP message ${'method' in message ? message.method : 'response'} of session ${session.id} dropped: no flow took it in time${answered ? '; the client was answered with an error (-32000)' : ''}`);
  }

  /** Hands a message to the flow (`mcp message in`), with its caller when OAuth is on. */
  private toFlow(session: Session, kind: MessageKind, message: JsonRpcMessage, auth: AuthInfo | undefined): void {
    this.messageReceived.emit(auth === undefined ? { session, kind, message } : { session, kind, message, auth });
  }

  /**
   * Sends what a flow produced to one session of this endpoint, by the protocol's rules (see
   * {@link Protocol.send}); on Streamable HTTP, messages about a request go on its POST's stream;
   * on a 2026-07-28 exchange, as {@link Exchanges.send} says.
   * A session another instance owns (several instances) gets it through that instance: the result
   * is then `{ sent: true, relayed: true }`, and a later failure reaches `context.onRelayFailure`.
   * Anything about a request that was already answered with `-32000` because its flow went away
   * ({@link flowStopped}, {@link close}) is dropped: `{ sent: false, reason }`, for a warning.
   * @throws SessionNotFoundError when the session is not open on this endpoint (nor, several
   *   instances serving it, anywhere: that failure then reaches `context.onRelayFailure`).
   * @throws TypeError, SessionClosedError, RangeError as {@link Protocol.send}.
   */
  send(sessionId: string, payload: unknown, context: SendContext = {}): PushResult {
    if (context.requestId !== undefined && this.interrupted.size > 0 && this.interrupted.has(sessionId, context.requestId)) {
      return { sent: false, reason: `message about request ${JSON.stringify(context.requestId)} dropped: the MCP endpoint restarted while the flow worked on it, and the client was answered with an error (-32000) then` };
    }
    const session = this.session(sessionId);
    if (session === undefined) {
      if (this.cluster !== undefined && !this.closed) return this.cluster.send(sessionId, payload, context);
      throw new SessionNotFoundError(sessionId);
    }
    const { requestId } = context;
    // The answer to a request a declaration handed to the flow is shaped by its method.
    const answer = requestId === undefined ? undefined : this.features.shapeAnswer(session, requestId, payload, context.failure);
    return this.sendOn(session, answer ?? payload, context);
  }

  /** Sends on a session by the protocol's rules, or on an exchange by its own. */
  private sendOn(session: Session, payload: unknown, context: SendContext): PushResult {
    return session.exchange === undefined ? this.protocol.send(session, payload, context) : this.exchanges.send(session, payload, context);
  }

  /** The features' own answers and notifications: through the protocol layer, like a flow's; a session that went away is skipped. */
  private sendQuietly(session: Session, payload: JsonObject, requestId?: RequestId): void {
    try {
      this.sendOn(session, payload, requestId === undefined ? {} : { requestId });
    } catch (error) {
      if (!session.closed) this.warning.emit(`MCP session ${session.id}: could not send ${String(payload.method ?? 'an answer')}: ${(error as Error).message}`);
    }
  }

  /**
   * Sends one notification to every open session of this endpoint that has a stream of its own
   * (those waiting for their client to reconnect get it in their replay ring; see
   * {@link Protocol.broadcast}), and to every 2026-07-28 `subscriptions/listen` stream that
   * opted in to it ({@link Exchanges.notifyListeners}: a list-changed notification it names, or
   * `notifications/resources/updated` for one of its URIs; nothing else, as the spec wants).
   * Several instances serving the endpoint, every other instance sends it to its own too.
   * @returns the number of sessions and listen streams of this instance it was sent to.
   * @throws ProtocolError when the payload is not a notification; TypeError when it is no JSON-RPC message.
   */
  broadcast(payload: unknown): number {
    const sent = this.broadcastHere(payload);
    this.cluster?.broadcast(payload);
    return sent;
  }

  /** {@link broadcast} on this instance only (what another instance's broadcast comes to here). */
  broadcastHere(payload: unknown): number {
    return this.protocol.broadcast(this.sessions.values(), payload) + this.exchanges.notifyListeners(payload as JsonObject);
  }

  /**
   * A resource changed: sends `notifications/resources/updated` for `uri` to every open session
   * subscribed to it (`resources/subscribe`) and every 2026-07-28 `subscriptions/listen` stream
   * that named it in `resourceSubscriptions` (see {@link ServerFeatures.resourceUpdated}).
   * Several instances serving the endpoint, every other instance does the same for its own.
   * @returns the number of sessions and listen streams of this instance it was sent to.
   */
  resourceUpdated(uri: string): number {
    const sent = this.resourceUpdatedHere(uri);
    this.cluster?.resourceUpdated(uri);
    return sent;
  }

  /** {@link resourceUpdated} on this instance only (what another instance's update comes to here). */
  resourceUpdatedHere(uri: string): number {
    return this.features.resourceUpdated(uri);
  }

  /**
   * Forgets, without settling, every server-initiated request `owner` (a node) sent: the node is
   * gone (a redeploy), and nobody is listening for the answers any more.
   */
  forgetRequests(owner: unknown): void {
    this.protocol.pending.forget(owner);
  }

  /** Sessions and exchanges: what the keep-alive writes to. */
  private *everySession(): Iterable<Session> {
    yield* this.sessions.values();
    yield* this.exchanges.values();
  }

  /** Ends what a closed session left in the cluster, the protocol layer and the features. */
  private sessionEnded(session: Session): void {
    this.cluster?.sessionClosed(session.id);
    this.protocol.closeSession(session.id);
    this.features.closeSession(session.id);
    this.keepAlive.stopWhenIdle();
  }

  /** What {@link interruptWaiting} works on. */
  private get interruptHost(): InterruptHost {
    return {
      clientRequests: this.protocol.clientRequests,
      calls: this.features.calls,
      interrupted: this.interrupted,
      sessions: () => this.everySession(),
      send: (session, payload, context) => this.sendOn(session, payload, context),
    };
  }

  /**
   * The flows that answer this endpoint have stopped (a deploy), and the endpoint waits for the
   * next ones: every client request a flow was working on is answered `-32000` "the MCP endpoint
   * is restarting" (see `interrupted-requests.ts`), on the stream or reply it waits on. Sessions,
   * their streams and 2026-07-28 listen streams stay open; requests that have not reached a flow
   * yet (held for the next `mcp message in`, or held back by the deploy for the declarations)
   * stay in flight for the next flows.
   * @returns the number of requests answered.
   */
  flowStopped(): number {
    const spared: Array<{ sessionId: string; id: RequestId }> = [];
    for (const { session, kind, message } of this.messageReceived.heldEvents()) {
      if (kind === 'request') spared.push({ sessionId: session.id, id: (message as JsonRpcRequest).id });
    }
    for (const { session, message } of this.features.deferredRequests()) spared.push({ sessionId: session.id, id: message.id });
    return interruptWaiting(this.interruptHost, RESTARTING_MESSAGE, spared);
  }

  /**
   * Closes the endpoint: every client request still in flight is answered `-32000` (see
   * `interrupted-requests.ts`), every open stream of it ends cleanly, its sessions leave the
   * registry (their clients get 404 and start new ones), and later requests get 503. Idempotent.
   * Resolves once the connection to Redis (several instances) has closed; at once otherwise.
   */
  close(): Promise<void> {
    if (!this.closed) interruptWaiting(this.interruptHost, CLOSED_MESSAGE);
    this.closed = true;
    this.access.close();
    this.features.close();
    this.sessions.closeAll('endpoint-closed');
    this.exchanges.closeAll();
    this.keepAlive.stop();
    this.registry.setClusterCount(this.id, undefined);
    return this.cluster?.close() ?? Promise.resolve();
  }
}
