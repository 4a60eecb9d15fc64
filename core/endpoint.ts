/**
 * One MCP endpoint: its sessions, whichever transport opened them, the protocol layer between
 * them and the flow, and the two transports that move messages (MCP 2024-11-05 "Transports > HTTP
 * with SSE" in `transports/sse.ts`; 2025-03-26 onwards "Transports > Streamable HTTP" in
 * `transports/streamable-http.ts`, which hands the stateless 2026-07-28 requests to
 * `stateless/handler.ts`). The transports see the endpoint only through its
 * {@link TransportHost} (`endpoint-host.ts`).
 *
 * The HTTP side is four handlers: {@link McpEndpoint.handleSseGet}, {@link McpEndpoint.handleSsePost},
 * {@link McpEndpoint.handleStreamableHttp} and, with OAuth on, {@link McpEndpoint.serveResourceMetadata}.
 * The flow side is three calls: hear {@link McpEndpoint.messageReceived}, answer with
 * {@link McpEndpoint.send}, or {@link McpEndpoint.broadcast}.
 *
 * Never imports Node-RED: usable with plain `node:http` (see the tests) and with Express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonRpcMessage, JsonRpcRequest, MessageKind, RequestId } from './jsonrpc';
import type { SessionRegistry } from './registry';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './sse';
import { SessionNotFoundError, type CloseReason, type Session, type TransportKind } from './session';
import type { ReplyDestination } from './reply-destination';
import { Protocol, type PushResult, type SendContext } from './protocol';
import { DEFAULT_HOLD_MAX, DEFAULT_HOLD_MS, HeldListeners, Listeners } from './listeners';
import { sendJsonRpcError, TransportErrorCode } from './http';
import { SseTransport } from './transports/sse';
import { StreamableHttpTransport } from './transports/streamable-http';
import { transportHost } from './endpoint-host';
import type { Cluster, ClusterOptions } from './cluster';
import { AccessControl } from './auth/access-control';
import type { ServerFeatures } from './features/server-features';
import type { JsonObject } from './features/declarations';
import { Dispatcher } from './dispatcher';
import type { AuthInfo } from './auth/claims';
import type { EndpointTasks } from './tasks/endpoint-tasks';
import type { TaskStore } from './tasks/task';
import { KeepAlive } from './keep-alive';
import { EndpointSessions, sessionSettings } from './endpoint-sessions';
import { CLOSED_MESSAGE, processInterrupted, RESTARTING_MESSAGE, type InterruptedRequests } from './interrupted-requests';
import { DEFAULT_KEEP_ALIVE_MS, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BODY_BYTES, DEFAULT_RETRY_MS, type ClientContext, type EndpointOptions, type InboundMessage, type SessionEvent } from './endpoint-options';

/** Serves one HTTP request (any method: the wrong ones get 405); bound, so it can be handed on as it is. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

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
  /** This instance's part of the cluster, when several instances serve the endpoint through Redis. */
  readonly cluster: Cluster | undefined;
  /** Requests answered with `-32000` because their flow went away: a later answer to one is dropped. */
  readonly interrupted: InterruptedRequests;
  /** Who may use the endpoint (the transports admit every request through it), and the caller of each session. */
  private readonly access: AccessControl;
  /** This endpoint's open sessions, of both transports. */
  private readonly sessions: EndpointSessions;
  /** The message path, both ways; the 2026-07-28 exchanges are its. */
  private readonly dispatcher: Dispatcher;
  /** One timer for every open stream of the endpoint (sessions and exchanges). */
  private readonly keepAlive: KeepAlive;
  /** In-process callers (the editor's Try it), by id: {@link send} finds them as it finds sessions. */
  private readonly inProcess = new Map<string, ReplyDestination>();
  private closed = false;
  /** With a cluster, the endpoint's tasks live in Redis, in this store (closed with the endpoint). */
  private readonly redisTasks: TaskStore | undefined;

  /** HTTP+SSE (2024-11-05), the SSE path: GET opens a session and its stream (see `SseTransport.handleGet`). */
  readonly handleSseGet: HttpHandler;
  /** HTTP+SSE (2024-11-05), the message path: POST of a session's messages (see `SseTransport.handlePost`). */
  readonly handleSsePost: HttpHandler;
  /** Streamable HTTP (2025-03-26 onwards, and 2026-07-28): POST, GET and DELETE on its one path (see `StreamableHttpTransport.handle`). */
  readonly handleStreamableHttp: HttpHandler;

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
    const access = this.access = new AccessControl(options.security ?? {}, options.oauth, (text) => this.warning.emit(text));
    this.sessions = new EndpointSessions({
      id: this.id, registry: this.registry, access, warning: this.warning, debug: this.debug,
      inFlight: (session) => this.protocol.clientRequests.count(session.id) > 0 || this.protocol.pending.count(session.id) > 0,
      sessionStarted: (session) => {
        this.cluster?.sessionOpened(session.id);
        this.keepAlive.start();
      },
      sessionEnded: (session, reason) => this.sessionEnded(session, reason),
    }, settings);
    this.sessionOpened = this.sessions.opened;
    this.sessionClosed = this.sessions.closed;
    this.keepAlive = new KeepAlive(options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS, () => this.dispatcher.destinations());
    if (options.cluster !== undefined && options.tasks?.store === undefined) this.redisTasks = McpEndpoint.openRedisTasks(this.id, options.cluster);
    const tasks = this.redisTasks === undefined ? options.tasks : { ...options.tasks, store: this.redisTasks };
    const dispatcher = this.dispatcher = new Dispatcher({
      id: this.id, queueLimits: this.queueLimits, protocol: this.protocol, access, keepAlive: this.keepAlive, interrupted: this.interrupted,
      messageReceived: this.messageReceived, warning: this.warning, sessions: () => this.sessions.values(),
      openInProcess: (to) => this.openInProcess(to),
    }, options.features, { caching: options.caching, stateSecret: options.stateSecret, maxListenStreams: options.maxListenStreams }, tasks);
    this.features = dispatcher.features;
    const jsonResponse = options.jsonResponse ?? false;
    const host = transportHost({
      maxBodyBytes: this.maxBodyBytes, maxBatchSize: this.maxBatchSize, retryMs: this.retryMs, resumeGraceMs: this.resumeGraceMs,
      access, sessions: this.sessions, exchanges: dispatcher.exchanges, jsonResponse, cluster: () => this.cluster,
      receive: (session, messages, auth) => dispatcher.receive(session, messages, auth),
    });
    const sse = new SseTransport(host, options.messageUrl ?? '/message');
    this.handleSseGet = sse.handleGet;
    this.handleSsePost = sse.handlePost;
    this.handleStreamableHttp = new StreamableHttpTransport(host, jsonResponse).handle;
    if (options.cluster !== undefined) this.cluster = McpEndpoint.joinCluster(this, options.cluster);
  }

  /** Loads the cluster module only when asked for (an endpoint without Redis never loads it or the Redis client). */
  private static joinCluster(endpoint: McpEndpoint, options: ClusterOptions): Cluster {
    const { joinCluster } = require('./cluster') as typeof import('./cluster');
    return joinCluster(endpoint, options);
  }

  /** The Redis task store of a clustered endpoint, loaded only then (see tasks/redis-store.ts). */
  private static openRedisTasks(id: string, options: ClusterOptions): TaskStore {
    const { openRedisTaskStore } = require('./tasks/redis-store') as typeof import('./tasks/redis-store');
    return openRedisTaskStore(id, options);
  }

  /** True when the endpoint is an OAuth 2.1 resource server: each path has Protected Resource Metadata ({@link serveResourceMetadata}). */
  get usesOAuth(): boolean {
    return this.access.oauth !== undefined;
  }

  /**
   * OAuth 2.1 on: serves the Protected Resource Metadata (RFC 9728) of the path of `transport`
   * (GET or HEAD; 405 otherwise; 503 while the settings cannot work). With OAuth off: 404.
   */
  serveResourceMetadata(req: IncomingMessage, res: ServerResponse, transport: TransportKind): void {
    if (this.access.oauth !== undefined) this.access.oauth.serveMetadata(req, res, transport);
    else sendJsonRpcError(res, 404, TransportErrorCode.BadRequest, 'Not found: this MCP endpoint does not use OAuth');
  }

  /**
   * OAuth 2.1: the scopes a `tools/call` of each tool needs besides the endpoint's (tool name to
   * scopes); a call without them gets 403 `insufficient_scope`. @returns what takes them back.
   */
  declareToolScopes(table: ReadonlyMap<string, readonly string[]>): () => void {
    return this.access.toolScopes.declareAll(table);
  }

  /** The number of open sessions of this endpoint, of both transports. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Sessions evicted since the endpoint started, to make room for new ones. */
  get sessionsEvicted(): number {
    return this.sessions.evicted;
  }

  /** The number of open 2026-07-28 exchanges (stateless POSTs being answered, listen streams among them). */
  get exchangeCount(): number {
    return this.dispatcher.exchanges.size;
  }

  /** The number of open 2026-07-28 `subscriptions/listen` streams. */
  get listenStreamCount(): number {
    return this.dispatcher.exchanges.listenStreams;
  }

  /** The open session `id` of this endpoint (of either transport), or `undefined`. */
  session(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /**
   * What a flow is told about the client behind `to` (a session, or a 2026-07-28 exchange, as
   * `InboundMessage.session` and `FlowRequest.session` name it): see {@link ClientContext}.
   * `requestId`: the client request the flow works on, whose carried 2026-07-28 state
   * (`requestState`) comes back in `state`.
   */
  clientContext(to: ReplyDestination, requestId?: RequestId): ClientContext {
    return this.dispatcher.clientContext(to, requestId);
  }

  /**
   * Sends what a flow produced to one session of this endpoint, by the protocol's rules (see
   * {@link Protocol.send}); on Streamable HTTP, messages about a request go on its POST's stream;
   * on a 2026-07-28 exchange, as `Exchanges.send` says.
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
    const to: ReplyDestination | undefined = this.sessions.get(sessionId) ?? this.dispatcher.exchanges.get(sessionId) ?? this.inProcess.get(sessionId);
    if (to === undefined) {
      if (this.cluster !== undefined && !this.closed) return this.cluster.send(sessionId, payload, context);
      throw new SessionNotFoundError(sessionId);
    }
    return this.dispatcher.send(to, payload, context);
  }

  /**
   * Opens an in-process caller: `to`, a reply destination of the caller's own (the editor's Try
   * it, `workbench/editor-call.ts`), whose messages go through the endpoint exactly as a client's
   * do (protocol layer, declarations and their schemas, the flow), and which {@link send} finds by
   * its id as it finds a session. It opens no HTTP session, and no token or OAuth applies: whoever
   * opens it has admitted its caller (in Node-RED, the admin auth). Broadcasts do not reach it.
   * @returns `receive` hands it the caller's messages (`auth`: the caller a flow sees, when OAuth
   *   is on); `close` forgets it, and what it left in the protocol layer and the features, as
   *   when a session closes.
   */
  openInProcess(to: ReplyDestination): { receive(messages: ReadonlyArray<{ kind: MessageKind; message: JsonRpcMessage }>, auth?: AuthInfo): void; close(): void } {
    this.inProcess.set(to.id, to);
    return {
      receive: (messages, auth) => this.dispatcher.receive(to, messages, auth),
      close: () => {
        if (this.inProcess.get(to.id) !== to) return;
        this.inProcess.delete(to.id);
        this.protocol.closeSession(to.id);
        this.features.closeSession(to.id);
        this.access.forget(to.id);
      },
    };
  }

  /** MCP tasks of this endpoint: the runner, the store (`tasks.store`) and the era modules. */
  get tasks(): EndpointTasks {
    return this.dispatcher.tasks;
  }

  /**
   * `mcp sse out` with `msg.mcp.taskStatus`: sets the status message of the task whose request
   * the flow works on (`msg.mcp.sessionId` of a task's msg), which tells its client
   * (`notifications/tasks/status` or `notifications/tasks`, by era).
   * @returns false when no task of this endpoint runs there (the task has ended, or the msg is not a task's).
   */
  setTaskStatus(destinationId: string, text: string): boolean {
    return this.dispatcher.tasks.setStatus(destinationId, text);
  }

  /**
   * Sends one notification to every open session of this endpoint that has a stream of its own
   * (those waiting for their client to reconnect get it in their replay ring; see
   * {@link Protocol.broadcast}), and to every 2026-07-28 `subscriptions/listen` stream that
   * opted in to it (`Exchanges.notifyListeners`: a list-changed notification it names, or
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
    return this.protocol.broadcast(this.sessions.values(), payload) + this.dispatcher.exchanges.notifyListeners(payload as JsonObject);
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

  /** Ends what a closed session left in the cluster, the protocol layer, the features and its tasks. */
  private sessionEnded(session: Session, reason: CloseReason): void {
    this.cluster?.sessionClosed(session.id);
    this.dispatcher.tasks.sessionEnded(session, reason);
    this.protocol.closeSession(session.id);
    this.features.closeSession(session.id);
    this.keepAlive.stopWhenIdle();
  }

  /** A message no flow took in time: a warning; a request is answered `-32000`, so that its client does not wait for its timeout. */
  private unheard({ session, kind, message }: InboundMessage): void {
    const answered = kind === 'request' && this.dispatcher.interruptOne(session, (message as JsonRpcRequest).id, RESTARTING_MESSAGE);
    this.warning.emit(`MCP message ${'method' in message ? message.method : 'response'} of session ${session.id} dropped: no flow took it in time${answered ? '; the client was answered with an error (-32000)' : ''}`);
  }

  /**
   * The flows that answer this endpoint have stopped (a deploy), and the endpoint waits for the
   * next ones: every client request a flow was working on is answered `-32000` "the MCP endpoint
   * is restarting" (see `interrupted-requests.ts`), on the stream or reply it waits on. Sessions,
   * their streams and 2026-07-28 listen streams stay open; requests that have not reached a flow
   * yet (held for the next `mcp message in`, or held back by the deploy for the declarations)
   * stay in flight for the next flows; running tasks keep running (a msg kept in flow context
   * answers them after the deploy).
   * @returns the number of requests answered.
   */
  flowStopped(): number {
    return this.dispatcher.interrupt(RESTARTING_MESSAGE, true);
  }

  /**
   * Closes the endpoint: every client request still in flight is answered `-32000` (see
   * `interrupted-requests.ts`), every open stream of it ends cleanly, its sessions leave the
   * registry (their clients get 404 and start new ones), and later requests get 503. Idempotent.
   * Resolves once the connection to Redis (several instances) has closed; at once otherwise.
   */
  close(): Promise<void> {
    if (!this.closed) this.dispatcher.interrupt(CLOSED_MESSAGE, false);
    this.closed = true;
    this.access.close();
    this.features.close();
    this.sessions.closeAll('endpoint-closed');
    this.dispatcher.exchanges.closeAll();
    this.dispatcher.tasks.close();
    this.keepAlive.stop();
    this.registry.setClusterCount(this.id, undefined);
    // The Redis task store fails this instance's unfinished tasks, then lets go of its lease.
    return Promise.all([this.cluster?.close(), this.redisTasks?.close().catch(() => {})]).then(() => undefined);
  }
}
