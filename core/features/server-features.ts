/**
 * The server side of MCP that an endpoint answers itself (MCP 2025-11-25 "Basic > Lifecycle",
 * "Server Features"), once something is declared on it or its "Answer protocol" option is on:
 * `initialize`, `ping`, `logging/setLevel`, the lists, `tools/call`, `resources/read`,
 * `resources/(un)subscribe`, `prompts/get` and `completion/complete`; list-changed notifications
 * after a deploy changes what is declared; `notifications/resources/updated` to subscribers.
 *
 * Requests about a declaration answered by a flow go to it ({@link Declaration.onRequest}), and
 * the flow's answer comes back through the endpoint's `send` ({@link ServerFeatures.shapeAnswer}).
 * Whatever no declaration handles goes on to the flow (`mcp message in`), unchanged.
 *
 * Never imports Node-RED.
 */
import type { JsonRpcMessage, JsonRpcRequest, MessageKind, RequestId } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import type { Session } from '../session';
import type { LogLevels } from './logging';
import { Catalog, type ListName } from './catalog';
import type { Declaration, JsonObject, ToolDeclaration } from './declarations';
import { FlowCalls, type FlowCall } from './flow-calls';
import type { ServerIdentity } from './lifecycle';
import { DEFAULT_PAGE_SIZE } from './pagination';
import { completionResult, promptResult } from './prompts';
import { readResult, Subscriptions } from './resources';
import { declared, fallback, handleRequest, type RequestContext } from './requests';
import { toolResult } from './tools';
import { capabilities } from './lifecycle';
import { ErrorCode, isObject } from '../jsonrpc';

/** Ms after a declaration comes or goes before list-changed notifications are decided: a redeploy removes and re-adds. */
const DEFAULT_LIST_CHANGED_DELAY_MS = 250;
/** Longest a deploy may hold list-changed notifications back ({@link ServerFeatures.holdListChanged}), in ms. */
const MAX_LIST_CHANGED_HOLD_MS = 30_000;

/** Settings of an endpoint's server features. */
export interface FeatureOptions {
  /** Answer the protocol even with nothing declared. Default false. */
  answerProtocol?: boolean;
  /** `serverInfo` and `instructions` of `initialize`. */
  identity?: ServerIdentity;
  /** Items per page of the lists. Default 100. */
  pageSize?: number;
  /** See {@link DEFAULT_LIST_CHANGED_DELAY_MS}. */
  listChangedDelayMs?: number;
}

/** What the features need from their endpoint. */
interface FeatureHost {
  /** Sends a message to a session or exchange through the protocol layer (`requestId`: what it answers or is about). */
  send(session: ReplyDestination, payload: JsonObject, requestId?: RequestId): void;
  /**
   * Sends a notification to the own stream of every open session opened before `since` (epoch
   * ms), and to every 2026-07-28 `subscriptions/listen` stream that opted in to it.
   */
  broadcast(payload: JsonObject, since: number): void;
  /**
   * Sends a notification to every 2026-07-28 `subscriptions/listen` stream that opted in to it.
   * @returns how many it went to.
   */
  notifyListeners(payload: JsonObject): number;
  /** The endpoint's open sessions. */
  sessions(): Iterable<Session>;
  /** True while a flow (`mcp message in`) hears what no declaration handles. */
  flowListening(): boolean;
  /** The protocol layer's per-session log levels. */
  logLevels: LogLevels;
  /** Hands a message to the flow (`mcp message in`), as the endpoint does with what the features leave. */
  toFlow(session: ReplyDestination, kind: MessageKind, message: JsonRpcMessage): void;
}

/** Most requests kept back during a deploy; past it they are handled at once. */
const MAX_DEFERRED_REQUESTS = 1000;

const LISTS: ListName[] = ['tools', 'resources', 'prompts'];

/** One endpoint's declarations and the requests it answers about them. */
export class ServerFeatures {
  readonly catalog = new Catalog();
  readonly calls = new FlowCalls();
  readonly subscriptions = new Subscriptions();
  private readonly context: RequestContext;
  /** What each session's client declared in `initialize` (see {@link clientCapabilities}). */
  private readonly clients = new Map<string, JsonObject>();
  private readonly announced = new Map<ListName, string>();
  private readonly listChangedDelayMs: number;
  private listChangedTimer: NodeJS.Timeout | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  /** Requests that arrived while a deploy restarted the declarations, handled once it is done. */
  private deferred: Array<{ session: ReplyDestination; message: JsonRpcRequest }> = [];
  private activeAtHold = false;
  /** When the oldest change not yet announced happened (epoch ms): sessions opened later saw it already. */
  private changedSince: number | undefined;

  constructor(private readonly host: FeatureHost, options: FeatureOptions = {}) {
    this.listChangedDelayMs = options.listChangedDelayMs ?? DEFAULT_LIST_CHANGED_DELAY_MS;
    this.context = {
      catalog: this.catalog,
      calls: this.calls,
      subscriptions: this.subscriptions,
      logLevels: host.logLevels,
      identity: options.identity ?? { serverInfo: { name: 'node-red-contrib-mcp-sse', version: '1.0.0' } },
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
      answerProtocol: options.answerProtocol === true,
      flowListening: () => host.flowListening(),
      clientCapabilities: this.clients,
    };
    for (const list of LISTS) this.announced.set(list, this.catalog.signature(list));
  }

  /** True when the endpoint answers the protocol: something is declared, or "Answer protocol" is on. */
  get active(): boolean {
    return this.context.answerProtocol || this.catalog.count('tool') + this.catalog.count('resource') + this.catalog.count('prompt') > 0;
  }

  /** `serverInfo` of the endpoint (the `initialize` answer's, and 2026-07-28 results' `_meta`). */
  get serverInfo(): ServerIdentity['serverInfo'] {
    return this.context.identity.serverInfo;
  }

  /**
   * The capabilities `server/discover` reports (2026-07-28): those `initialize` reports when the
   * endpoint answers the protocol (`resources.subscribe` then says a `subscriptions/listen`
   * stream may name resources in `resourceSubscriptions`, as the SDK's server reads it); for a
   * flow that answers everything itself, `tools` with `listChanged` (the flow's answers are not
   * known in advance, and it may broadcast `notifications/tools/list_changed` at any time).
   * A listen stream is acknowledged only the notification kinds these capabilities announce.
   */
  discoverCapabilities(version?: string, clientCapabilities?: JsonObject): JsonObject {
    // Nothing declared: a flow answers the protocol itself, and it may announce a changed tool list
    // at any time (`notifications/tools/list_changed` through `mcp sse out`), which listen streams get.
    if (!this.active) return { tools: { listChanged: true } };
    const found = capabilities(declared(this.context));
    if (version !== undefined) this.context.addCapabilities?.(version, found, clientCapabilities);
    return found;
  }

  /** Sets what adds capabilities beyond the declarations' (the endpoint's tasks): see `RequestContext.addCapabilities`. */
  set capabilityHook(hook: RequestContext['addCapabilities']) {
    this.context.addCapabilities = hook;
  }

  /**
   * The capabilities the client of `session` declared in its `initialize` (when the endpoint
   * answered it; a 2026-07-28 exchange's are in its envelope). A flow reads them as
   * `msg.mcp.clientCapabilities`, e.g. whether the client renders MCP Apps views
   * (`extensions["io.modelcontextprotocol/ui"].mimeTypes`).
   */
  clientCapabilities(session: ReplyDestination): JsonObject | undefined {
    return this.clients.get(session.id);
  }

  /**
   * Declares a tool, resource (template) or prompt on the endpoint. Open sessions are told of the
   * change (`notifications/<list>/list_changed`) once the deploy settles, when their list differs.
   * @returns the function that removes the declaration again (call it when its node closes).
   * @throws DeclarationError when it cannot be served (see {@link Catalog.add}).
   */
  declare(declaration: Declaration): () => void {
    const { remove } = this.catalog.add(declaration);
    this.scheduleListChanged();
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      remove();
      this.scheduleListChanged();
    };
  }

  /**
   * A valid message a client sent (after the protocol layer took what it consumes).
   * @returns true when the features dealt with it; false when it goes on to the flow.
   */
  receive(session: ReplyDestination, kind: MessageKind, message: JsonRpcMessage): boolean {
    // A deploy is restarting the declarations: requests wait for it to finish, so that a call of a
    // tool being redeployed finds the tool, and lists are not answered halfway.
    if (kind === 'request' && this.holdTimer !== undefined && this.activeAtHold && this.deferred.length < MAX_DEFERRED_REQUESTS) {
      this.deferred.push({ session, message: message as JsonRpcRequest });
      return true;
    }
    if (!this.active) return false;
    if (kind !== 'request') return !this.host.flowListening();
    const request = message as JsonRpcRequest;
    let handled = handleRequest(this.context, session, request);
    if (handled === undefined && !this.host.flowListening()) handled = fallback(request, (request.params ?? {}) as JsonObject);
    if (handled === undefined) return false;
    if (handled !== 'flow') this.host.send(session, handled as JsonObject, request.id);
    return true;
  }

  /**
   * What a flow sent about a request a declaration handed it, shaped into the answer the method
   * needs (see {@link toolResult}, {@link readResult}, {@link promptResult}, {@link completionResult});
   * `failure` (a Catch node's error) becomes a tool error result, or a `-32603` error for the
   * other methods. A payload with a `method` (progress, logging, a request to the client) is not
   * an answer; one with `jsonrpc: "2.0"` is sent as it is.
   * @returns the `{ result }` or `{ error }` to send, or `undefined` when the payload is not an
   *   answer to such a request (it is sent as it is).
   */
  shapeAnswer(session: ReplyDestination, requestId: RequestId, payload: unknown, failure?: string): JsonObject | undefined {
    const call = this.calls.get(session.id, requestId);
    if (call === undefined) return undefined;
    if (isObject(payload) && 'method' in payload) return undefined;
    this.calls.delete(session.id, requestId);
    if (isObject(payload) && payload.jsonrpc === '2.0') return undefined;
    const answer = ServerFeatures.shape(call, payload, failure);
    const result = answer.result as JsonObject | undefined;
    const isError = result === undefined || result.isError === true;
    const message = isError ? (answer.error as { message?: string } | undefined)?.message ?? ((result?.content as Array<{ text?: string }>)?.[0]?.text) : undefined;
    call.declaration.onOutcome?.({ method: call.method, isError, ...(message !== undefined ? { message } : {}) });
    return answer;
  }

  private static shape(call: FlowCall, payload: unknown, failure: string | undefined): JsonObject {
    if (call.method === 'tools/call') return { result: toolResult(payload, call.validators, failure) };
    if (failure !== undefined) return { error: { code: ErrorCode.InternalError, message: failure } };
    if (call.method === 'resources/read' && call.declaration.kind === 'resource') return { result: readResult(payload, call.uri ?? '', call.declaration.definition) };
    if (call.method === 'completion/complete') return { result: completionResult(payload, call.prefix ?? '') };
    if (call.declaration.kind === 'prompt') return { result: promptResult(payload, call.declaration) };
    return { error: { code: ErrorCode.InternalError, message: `Cannot answer ${call.method}` } };
  }

  /**
   * Sends `notifications/resources/updated` for `uri` to every open session subscribed to it
   * (`resources/subscribe`), and to every 2026-07-28 `subscriptions/listen` stream that named it
   * in `resourceSubscriptions`.
   * @returns the number of sessions and listen streams it went to.
   */
  resourceUpdated(uri: string): number {
    let sent = 0;
    for (const session of this.host.sessions()) {
      if (session.closed || !this.subscriptions.has(session.id, uri)) continue;
      this.host.send(session, { method: 'notifications/resources/updated', params: { uri } });
      sent++;
    }
    return sent + this.host.notifyListeners({ method: 'notifications/resources/updated', params: { uri } });
  }

  /**
   * A deploy begins: list-changed notifications, and the requests that arrive meanwhile (when
   * something was declared), wait for {@link releaseListChanged} (at most
   * {@link MAX_LIST_CHANGED_HOLD_MS}), so that nodes that stop and start again are seen as the
   * deploy leaves them, not halfway.
   */
  holdListChanged(): void {
    if (this.holdTimer === undefined) this.activeAtHold = this.active;
    clearTimeout(this.listChangedTimer);
    this.listChangedTimer = undefined;
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.releaseListChanged(), MAX_LIST_CHANGED_HOLD_MS);
    this.holdTimer.unref();
  }

  /**
   * True while a deploy holds requests back ({@link holdListChanged} on an endpoint that had
   * something declared): they wait for the restarted declarations rather than for nothing.
   */
  get deferring(): boolean {
    return this.holdTimer !== undefined && this.activeAtHold;
  }

  /** The requests held back until the deploy is done (they have reached no flow yet). */
  deferredRequests(): ReadonlyArray<{ session: ReplyDestination; message: JsonRpcRequest }> {
    return this.deferred;
  }

  /** The deploy is done: every list that differs from what was last announced is announced now. */
  releaseListChanged(): void {
    if (this.holdTimer === undefined) return;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    // Each tool that links a view hears whether it is declared, now that every node has started.
    this.checkViewLinks();
    this.announceListChanges();
    for (const { session, message } of this.deferred.splice(0)) {
      if (session.closed) continue;
      if (!this.receive(session, 'request', message)) this.host.toFlow(session, 'request', message);
    }
  }

  /** MCP Apps: tells each tool that links a view whether it is declared ({@link ToolDeclaration.onViewChecked}), now that the deploy is done. */
  private checkViewLinks(): void {
    for (const { declaration, uri, declared: found } of this.catalog.viewLinks()) declaration.onViewChecked?.(found ? undefined : uri);
  }

  private scheduleListChanged(): void {
    this.changedSince ??= Date.now();
    if (this.holdTimer !== undefined) return;
    clearTimeout(this.listChangedTimer);
    this.listChangedTimer = setTimeout(() => this.announceListChanges(), this.listChangedDelayMs);
    this.listChangedTimer.unref();
  }

  /** Sends `notifications/<list>/list_changed` for every list that differs from what was last announced. */
  private announceListChanges(): void {
    clearTimeout(this.listChangedTimer);
    this.listChangedTimer = undefined;
    const since = this.changedSince ?? Date.now();
    this.changedSince = undefined;
    for (const list of LISTS) {
      const signature = this.catalog.signature(list);
      if (signature === this.announced.get(list)) continue;
      this.announced.set(list, signature);
      this.host.broadcast({ method: `notifications/${list}/list_changed` }, since);
    }
  }

  /** Forgets what a closed session left (subscriptions, calls waiting for a flow). */
  closeSession(sessionId: string): void {
    this.clients.delete(sessionId);
    this.calls.closeSession(sessionId);
    this.subscriptions.closeSession(sessionId);
  }

  /** Stops the list-changed timer (the endpoint closed). */
  close(): void {
    this.deferred = [];
    clearTimeout(this.listChangedTimer);
    clearTimeout(this.holdTimer);
    this.listChangedTimer = undefined;
    this.holdTimer = undefined;
  }
}
