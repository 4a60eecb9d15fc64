/**
 * The 2026-07-28 exchanges of one endpoint: each stateless POST while it is answered (MCP
 * 2026-07-28, SEP-2575), an {@link Exchange} that lives only as long as its POST (see
 * `exchange.ts`; `envelope.ts`, `request-state.ts`, `cache-hints.ts` and `listen.ts` for the
 * revision's parts).
 *
 * Answered here: `server/discover`, `subscriptions/listen`, a retry's `requestState`, and what a
 * flow sends on an exchange (results decorated, input requests turned into `input_required`).
 * Everything else goes on as a session's messages do, through the endpoint's `receive`.
 *
 * Never imports Node-RED.
 */
import type { ServerResponse } from 'node:http';
import type { AuthInfo } from '../auth/claims';
import type { AccessControl } from '../auth/access-control';
import { DEFAULT_MAX_LISTEN_STREAMS } from '../endpoint-options';
import { sendJsonRpcError, sendRetryLater } from '../http';
import type { JsonObject } from '../features/declarations';
import type { ServerFeatures } from '../features/server-features';
import { isLogLevel } from '../features/logging';
import { toOutboundMessage, type JsonRpcMessage, type JsonRpcRequest, type MessageKind, type RequestId } from '../jsonrpc';
import type { KeepAlive } from '../keep-alive';
import type { Protocol, PushResult, SendContext } from '../protocol';
import { newSessionId } from '../session-id';
import type { QueueLimits } from '../sse';
import { decorateResult, type CachingOptions } from './cache-hints';
import { META, MODERN_VERSIONS, type Envelope } from './envelope';
import { Exchange, requestKey } from './exchange';
import { InputRequired } from './input-required';
import { askedTaskIds, listenFilter, listenWants, openListenStream, type ListenTasks } from './listen';

const ErrorCodeInvalidParams = -32602;

/** Messages of one POST, as the transports hand them on. */
type Messages = Array<{ kind: MessageKind; message: JsonRpcMessage }>;

/** What the exchanges need from their endpoint (its `Dispatcher` makes one). */
interface ExchangeHost {
  /** The endpoint's id. */
  readonly id: string;
  /** Bounds of each stream's push queue. */
  readonly queueLimits: QueueLimits;
  readonly protocol: Protocol;
  readonly features: ServerFeatures;
  readonly access: AccessControl;
  readonly keepAlive: KeepAlive;
  /** Hears a sentence to log. */
  readonly warning: { emit(text: string): void };
  /** Hands messages on as a session's (protocol layer, features, flow). */
  receive(exchange: Exchange, messages: Messages, auth?: AuthInfo): void;
  /** The endpoint's tasks, for a listen stream's `taskIds` (`notifications/tasks`). */
  readonly tasks?: ListenTasks;
}

/** Settings of the exchanges of an endpoint. */
export interface ExchangeOptions {
  /** `ttlMs` and `cacheScope` of list results and `resources/read`. Default 0 ms, `private`. */
  caching?: CachingOptions;
  /** The secret that seals `requestState`; empty or absent: random, made once per process for the endpoint's id. */
  stateSecret?: string;
  /** Most open `subscriptions/listen` streams; one more gets 503 with `Retry-After`. Default 1000. */
  maxListenStreams?: number;
}

/** The open exchanges of one endpoint; see the module comment. */
export class Exchanges {
  /** Open exchanges, by id. */
  private readonly byId = new Map<string, Exchange>();
  /** The open exchanges that are `subscriptions/listen` streams. */
  private readonly listening = new Set<Exchange>();
  private readonly caching: Required<CachingOptions>;
  private readonly input: InputRequired;
  private readonly maxListenStreams: number;

  constructor(private readonly host: ExchangeHost, options: ExchangeOptions = {}) {
    this.maxListenStreams = options.maxListenStreams ?? DEFAULT_MAX_LISTEN_STREAMS;
    this.caching = { ttlMs: Math.max(0, Math.floor(options.caching?.ttlMs ?? 0)), cacheScope: options.caching?.cacheScope === 'public' ? 'public' : 'private' };
    this.input = new InputRequired(options.stateSecret, host.id, (exchange, payload, context) => this.send(exchange, payload, context), (text) => host.warning.emit(text));
  }

  /** The number of open exchanges. */
  get size(): number {
    return this.byId.size;
  }

  /** The number of open `subscriptions/listen` streams. */
  get listenStreams(): number {
    return this.listening.size;
  }

  /**
   * For the transport, before a POST opens a listen stream: answers 503 with `Retry-After: 5`
   * (`sendRetryLater`) and a JSON-RPC error for the listen request `id`, and returns
   * true, when `maxListenStreams` are open. A listen stream is long-lived and always active, so
   * none is ever closed to make room.
   */
  refuseListenWhenFull(res: ServerResponse, id: RequestId): boolean {
    if (this.listening.size < this.maxListenStreams) return false;
    sendRetryLater(res, `This MCP endpoint has its maximum of ${this.maxListenStreams} open listen streams; try again later`, id);
    return true;
  }

  /**
   * For the transport, before a POST opens the listen stream of `request`: answers and returns
   * true when it is refused. A request that names `notifications.taskIds` while the endpoint has
   * tasks and its `_meta` clientCapabilities do not declare the tasks extension gets 400 `-32021`
   * (SEP-2663 "Task Status Notifications"); then as {@link refuseListenWhenFull}.
   */
  refuseListen(res: ServerResponse, request: JsonRpcRequest, envelope: Envelope): boolean {
    const notifications = request.params?.notifications;
    const refusal = askedTaskIds(notifications) === undefined ? undefined : this.host.tasks?.listenRefusal(envelope.protocolVersion, envelope.clientCapabilities);
    if (refusal !== undefined) {
      sendJsonRpcError(res, 400, refusal.code, refusal.message, request.id, {}, refusal.data);
      return true;
    }
    return this.refuseListenWhenFull(res, request.id);
  }

  /** The open exchange `id`, or `undefined` (also once it has closed). */
  get(id: string): Exchange | undefined {
    const exchange = this.byId.get(id);
    return exchange === undefined || exchange.closed ? undefined : exchange;
  }

  /** Every exchange not yet forgotten, for the keep-alive. */
  values(): Iterable<Exchange> {
    return this.byId.values();
  }

  /**
   * For the Streamable HTTP transport: opens the exchange of one 2026-07-28 POST; `setUp`
   * attaches the POST's answer (an SSE stream or a JSON reply), and the exchange ends when the
   * POST's response closes (the transport closes it then).
   * @param listen the POST opens a `subscriptions/listen` stream: it counts against
   *   `maxListenStreams` while open (the caller checked {@link refuseListenWhenFull}).
   */
  open(envelope: Envelope, setUp: (exchange: Exchange) => void, listen = false): Exchange {
    const exchange = new Exchange(newSessionId(), envelope, {
      queueLimits: this.host.queueLimits,
      onClose: (closed) => this.onClosed(closed),
      onWarning: (text) => this.host.warning.emit(text),
    });
    if (envelope.logLevel !== undefined && isLogLevel(envelope.logLevel)) this.host.protocol.logLevels.set(exchange.id, envelope.logLevel);
    this.byId.set(exchange.id, exchange);
    if (listen) this.listening.add(exchange);
    setUp(exchange);
    this.host.keepAlive.start();
    return exchange;
  }

  /**
   * For the transport: the requests of one exchange. `server/discover` and `subscriptions/listen`
   * are answered here; a retry's `requestState` is opened (a tampered, expired or foreign one is
   * answered `-32602`); everything else goes on as a session's messages do.
   * @param auth with OAuth on, the caller of the POST.
   */
  receive(exchange: Exchange, messages: Messages, auth?: AuthInfo): void {
    const rest: Messages = [];
    for (const entry of messages) {
      if (entry.kind !== 'request') {
        rest.push(entry);
        continue;
      }
      const request = entry.message as JsonRpcRequest;
      if (request.method === 'server/discover') {
        this.host.protocol.clientRequests.received(exchange.id, request);
        // Its method decides the caching hints (`ttlMs`, `cacheScope`) its result must carry.
        exchange.requests.set(requestKey(request.id), { method: request.method, responses: {}, asked: {}, inputCount: 0 });
        this.send(exchange, { jsonrpc: '2.0', id: request.id, result: this.discoverResult(exchange) }, { requestId: request.id });
        continue;
      }
      if (request.method === 'subscriptions/listen') {
        this.listen(exchange, request, auth);
        continue;
      }
      const { entry: record, valid } = this.input.open(request);
      exchange.requests.set(requestKey(request.id), record);
      if (!valid) {
        this.host.protocol.clientRequests.received(exchange.id, request);
        this.send(exchange, { jsonrpc: '2.0', id: request.id, error: { code: ErrorCodeInvalidParams, message: 'Invalid or expired requestState' } }, { requestId: request.id });
        continue;
      }
      rest.push(entry);
    }
    if (rest.length > 0) this.host.receive(exchange, rest, auth);
  }

  /** Opens the listen stream of `request` (see {@link openListenStream}); its caller owns the tasks it may name. */
  private listen(exchange: Exchange, request: JsonRpcRequest, auth: AuthInfo | undefined): void {
    const notifications = (request.params ?? {}).notifications;
    this.host.access.remember(exchange.id, auth);
    openListenStream(exchange, request.id, notifications, listenFilter(notifications, this.host.features.discoverCapabilities()), this.host.tasks, (text) => this.host.warning.emit(text));
  }

  /** The flow state a retry carried for request `id` of an exchange (`msg.mcp.state`). */
  state(exchange: Exchange, id: RequestId): unknown {
    return exchange.requests.get(requestKey(id))?.state;
  }

  /**
   * Sends on an exchange: responses get `resultType`, `_meta` serverInfo and caching hints (an
   * unknown resource's `-32002` becomes `-32602`, as 2026-07-28 wants); `notifications/message`
   * goes only when the request set `_meta` logLevel; a flow's elicitation, sampling or roots
   * request becomes part of an `input_required` result (see {@link InputRequired.ask}).
   * @throws TypeError, SessionClosedError, RangeError as `Protocol.send`.
   */
  send(exchange: Exchange, payload: unknown, context: SendContext): PushResult {
    const message = toOutboundMessage(payload, context.requestId) as unknown as Record<string, unknown>;
    const method = message.method;
    if (typeof method === 'string') {
      if (method === 'notifications/message' && exchange.envelope.logLevel === undefined) {
        return { sent: false, reason: 'log message dropped: the request set no _meta logLevel', filtered: true };
      }
      if (!method.startsWith('notifications/') && context.request !== undefined) return this.input.ask(exchange, message, context);
      return this.host.protocol.send(exchange, message, context);
    }
    const id = message.id as RequestId | null;
    const entry = id === null ? undefined : exchange.requests.get(requestKey(id));
    if (entry?.timer !== undefined) clearTimeout(entry.timer);
    if (entry !== undefined) entry.asked = {};
    const out: Record<string, unknown> = { ...message };
    if (typeof message.result === 'object' && message.result !== null) {
      out.result = decorateResult(message.result as Record<string, unknown>, entry?.method, this.host.features.serverInfo, this.caching);
    } else if (typeof message.error === 'object' && message.error !== null) {
      const error = message.error as { code?: number; data?: unknown };
      if (error.code === -32002) out.error = { ...error, code: ErrorCodeInvalidParams, data: error.data ?? { uri: entry?.name } };
    }
    return this.host.protocol.send(exchange, out, context);
  }

  /**
   * Sends a notification to every `subscriptions/listen` stream that opted in to it (see
   * {@link listenWants}: a list-changed notification its filter names,
   * `notifications/resources/updated` for one of its URIs, or `notifications/tasks` for one of its
   * task ids), with the listen request's id as
   * `_meta["io.modelcontextprotocol/subscriptionId"]`.
   * @param payload a notification, `{ method, params }`.
   * @returns the number of listen streams it went to.
   */
  notifyListeners(payload: JsonObject): number {
    const { method } = payload;
    const params = (typeof payload.params === 'object' && payload.params !== null ? payload.params : {}) as JsonObject;
    let sent = 0;
    for (const exchange of this.byId.values()) {
      const listen = exchange.listen;
      if (listen === undefined || exchange.closed || !listenWants(listen.filter, method, params)) continue;
      const meta = typeof params._meta === 'object' && params._meta !== null ? params._meta : {};
      if (method === 'notifications/tasks') listen.heard?.add(params.taskId as string);
      try {
        if (exchange.send({ jsonrpc: '2.0', method: method as string, params: { ...params, _meta: { ...meta, [META.subscriptionId]: listen.id } } } as JsonRpcMessage, listen.id)) sent++;
      } catch {
        // the listener has gone
      }
    }
    return sent;
  }

  /**
   * Closes every exchange (the endpoint closed: a redeploy, Node-RED stopping): their POSTs'
   * responses end. A `subscriptions/listen` stream first gets its request's (empty) result,
   * `{ resultType: "complete", _meta: { "io.modelcontextprotocol/subscriptionId": <listen id>,
   * serverInfo } }`: 2026-07-28 `SubscriptionsListenResult`, which tells the client the
   * subscription ended gracefully rather than being cut off.
   */
  closeAll(): void {
    for (const exchange of [...this.byId.values()]) {
      const listen = exchange.listen;
      if (listen !== undefined && !exchange.closed) {
        const result = decorateResult({ _meta: { [META.subscriptionId]: listen.id } }, 'subscriptions/listen', this.host.features.serverInfo, this.caching);
        try {
          exchange.send({ jsonrpc: '2.0', id: listen.id, result } as JsonRpcMessage);
        } catch {
          // the listener has gone
        }
      }
      exchange.close('endpoint-closed');
    }
  }

  /** The `server/discover` result (2026-07-28). */
  private discoverResult(exchange: Exchange): Record<string, unknown> {
    return { supportedVersions: [...MODERN_VERSIONS], capabilities: this.host.features.discoverCapabilities(exchange.protocolVersion, exchange.envelope.clientCapabilities) };
  }

  private onClosed(exchange: Exchange): void {
    this.byId.delete(exchange.id);
    this.listening.delete(exchange);
    this.host.access.forget(exchange.id);
    for (const entry of exchange.requests.values()) if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.host.protocol.closeSession(exchange.id);
    this.host.features.closeSession(exchange.id);
    this.host.keepAlive.stopWhenIdle();
  }
}
