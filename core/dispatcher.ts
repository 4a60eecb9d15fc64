/**
 * The path of a message through one endpoint, both ways, for every reply destination (a session,
 * or a 2026-07-28 exchange): what a client sent goes through the protocol layer and the server
 * features to the flow (`mcp message in`); what a flow or a feature sends goes out by the
 * protocol's rules, or by an exchange's own (`stateless/exchanges.ts`). Requests whose flow went
 * away are answered here too (`interrupted-requests.ts`).
 *
 * Never imports Node-RED.
 */
import type { AccessControl } from './auth/access-control';
import type { AuthInfo } from './auth/claims';
import type { ClientContext, InboundMessage } from './endpoint-options';
import type { JsonObject } from './features/declarations';
import { negotiateVersion } from './features/lifecycle';
import { ServerFeatures, type FeatureOptions } from './features/server-features';
import { interruptRequest, interruptWaiting, type InterruptedRequests, type InterruptHost } from './interrupted-requests';
import type { JsonRpcMessage, JsonRpcRequest, MessageKind, RequestId } from './jsonrpc';
import type { KeepAlive } from './keep-alive';
import type { HeldListeners } from './listeners';
import type { Protocol, PushResult, SendContext } from './protocol';
import type { ReplyDestination } from './reply-destination';
import type { Session } from './session';
import type { QueueLimits } from './sse';
import { Exchange } from './stateless/exchange';
import { Exchanges, type ExchangeOptions } from './stateless/exchanges';
import { EndpointTasks, type TaskOptions } from './tasks/endpoint-tasks';
import { taskOwner } from './tasks/owner';
import type { InProcess } from './tasks/runner';

/** Messages of one accepted POST, in order. */
type Messages = ReadonlyArray<{ kind: MessageKind; message: JsonRpcMessage }>;

/** The parts of its endpoint the dispatcher works with. */
interface DispatchParts {
  /** The endpoint's id. */
  readonly id: string;
  /** Bounds of each stream's push queue (an exchange's stream too). */
  readonly queueLimits: QueueLimits;
  readonly protocol: Protocol;
  /** The caller of each session and exchange. */
  readonly access: AccessControl;
  readonly keepAlive: KeepAlive;
  readonly interrupted: InterruptedRequests;
  /** The flow's ear (`mcp message in`). */
  readonly messageReceived: HeldListeners<InboundMessage>;
  /** Hears a sentence to log. */
  readonly warning: { emit(text: string): void };
  /** The endpoint's open sessions. */
  sessions(): Iterable<Session>;
  /** Opens an in-process caller (`McpEndpoint.openInProcess`): a task's. */
  openInProcess(to: ReplyDestination): InProcess;
}

/** One endpoint's message path; see the module comment. */
export class Dispatcher {
  /** What is declared on the endpoint, and the requests it answers itself. */
  readonly features: ServerFeatures;
  /** The open 2026-07-28 exchanges. */
  readonly exchanges: Exchanges;
  /** MCP tasks: the runner, the store and the era modules. */
  readonly tasks: EndpointTasks;

  constructor(private readonly parts: DispatchParts, features: FeatureOptions | undefined, exchanges: ExchangeOptions, tasks?: TaskOptions) {
    const { protocol, access } = parts;
    this.features = new ServerFeatures({
      send: (session, payload, requestId) => this.sendQuietly(session, payload, requestId),
      broadcast: (payload, since) => {
        protocol.broadcast([...parts.sessions()].filter((session) => session.createdAt <= since), payload);
        this.exchanges.notifyListeners(payload);
      },
      notifyListeners: (payload) => this.exchanges.notifyListeners(payload),
      sessions: () => parts.sessions(),
      flowListening: () => parts.messageReceived.size > 0,
      logLevels: protocol.logLevels,
      toFlow: (session, kind, message) => this.toFlow(session, kind, message, access.callerOf(session.id)),
    }, features);
    this.exchanges = new Exchanges({
      id: parts.id, queueLimits: parts.queueLimits, protocol, features: this.features, access, keepAlive: parts.keepAlive,
      warning: parts.warning, receive: (exchange, messages, auth) => this.receive(exchange, messages, auth),
      tasks: {
        listenRefusal: (version, clientCapabilities) => this.tasks.listenRefusal(version, clientCapabilities),
        listenable: (origin, taskIds) => this.tasks.listenable(origin, taskIds),
      },
    }, exchanges);
    this.tasks = new EndpointTasks({
      openInProcess: (to) => parts.openInProcess(to),
      warning: (text) => parts.warning.emit(text),
      answer: (origin, id, outcome) => this.sendQuietly(origin, { jsonrpc: '2.0', id, ...outcome }, id),
      sendOn: (origin, payload, context) => this.sendOn(origin, payload, context),
      taskSupport: (name) => {
        const tool = this.features.catalog.tool(name);
        return tool === undefined ? undefined : tool.declaration.taskSupport ?? 'never';
      },
      ownerOf: (origin) => taskOwner(origin.id, access.callerOf(origin.id), origin instanceof Exchange),
      authOf: (origin) => access.callerOf(origin.id),
      clientCapabilities: (origin) => origin instanceof Exchange ? origin.envelope.clientCapabilities : this.features.clientCapabilities(origin),
      state: (origin, id) => origin instanceof Exchange ? this.exchanges.state(origin, id) : undefined,
      taskToolsDeclared: () => this.features.catalog.hasTaskTools,
      notifyListeners: (payload) => this.exchanges.notifyListeners(payload),
    }, parts.id, tasks);
    this.features.capabilityHook = (version, capabilities, client) => {
      this.tasks.addCapabilities(version, capabilities, client);
    };
  }

  /**
   * Every open session and exchange, and the calls of the running tasks: what the keep-alive
   * writes to, and what closing the endpoint interrupts (a task's request is interrupted as a
   * client's is: the task ends failed, saying why).
   */
  *destinations(): Iterable<ReplyDestination> {
    yield* this.clientDestinations();
    yield* this.tasks.runner.destinations();
  }

  /** Every open session and exchange, without the running tasks' calls: what a deploy interrupts. */
  private *clientDestinations(): Iterable<ReplyDestination> {
    yield* this.parts.sessions();
    yield* this.exchanges.values();
  }

  /**
   * The valid messages of one accepted POST, in order, to the protocol layer, then to the server
   * features (when the endpoint answers the protocol), then to the flow.
   * @param auth with OAuth on, the caller of the POST (it becomes the session's latest).
   */
  receive(session: ReplyDestination, messages: Messages, auth?: AuthInfo): void {
    const { protocol, interrupted } = this.parts;
    this.parts.access.remember(session.id, auth);
    for (const { kind, message } of messages) {
      if (kind === 'request' && (message as JsonRpcRequest).method === 'initialize') session.protocolVersion = negotiateVersion((message as JsonRpcRequest).params?.protocolVersion);
      // A new request may reuse the id of one that was interrupted: its answer is to go out.
      if (kind === 'request' && interrupted.size > 0) interrupted.delete(session.id, (message as JsonRpcRequest).id);
      if (protocol.receive(session, kind, message)) continue;
      if (kind === 'request' && this.tasks.receive(session, message as JsonRpcRequest)) continue;
      if (!this.features.receive(session, kind, message)) this.toFlow(session, kind, message, auth);
    }
  }

  /** Hands a message to the flow (`mcp message in`), with its caller when OAuth is on. */
  private toFlow(session: ReplyDestination, kind: MessageKind, message: JsonRpcMessage, auth: AuthInfo | undefined): void {
    this.parts.messageReceived.emit(auth === undefined ? { session, kind, message } : { session, kind, message, auth });
  }

  /**
   * What a flow sent to `session` goes out: the answer to a request a declaration handed to the
   * flow is shaped by its method first (`ServerFeatures.shapeAnswer`); then as {@link sendOn}.
   */
  send(session: ReplyDestination, payload: unknown, context: SendContext): PushResult {
    const { requestId } = context;
    const answer = requestId === undefined ? undefined : this.features.shapeAnswer(session, requestId, payload, context.failure);
    return this.sendOn(session, answer ?? payload, context);
  }

  /** Sends on a session by the protocol's rules (`Protocol.send`), or on an exchange by its own (`Exchanges.send`). */
  sendOn(to: ReplyDestination, payload: unknown, context: SendContext): PushResult {
    return to instanceof Exchange ? this.exchanges.send(to, payload, context) : this.parts.protocol.send(to, payload, context);
  }

  /** The features' own answers and notifications: through the protocol layer, like a flow's; a session that went away is skipped. */
  private sendQuietly(session: ReplyDestination, payload: JsonObject, requestId?: RequestId): void {
    try {
      this.sendOn(session, payload, requestId === undefined ? {} : { requestId });
    } catch (error) {
      if (!session.closed) this.parts.warning.emit(`MCP session ${session.id}: could not send ${String(payload.method ?? 'an answer')}: ${(error as Error).message}`);
    }
  }

  /**
   * Answers every client request a flow was working on with `-32000` and `message` (see
   * {@link interruptWaiting}), on every session and exchange.
   * @param spareHeld a deploy (the endpoint stays): leave in flight the requests that have not
   *   reached a flow yet (held for the next `mcp message in`, or held back by the deploy for the
   *   declarations), and the running tasks' requests: a task outlives a deploy as a session does,
   *   and the msg its flow keeps in context answers it after the deploy. Without it (the
   *   endpoint closes), every task still running ends failed.
   * @returns the number of requests answered.
   */
  interrupt(message: string, spareHeld: boolean): number {
    const spared: Array<{ sessionId: string; id: RequestId }> = [];
    if (spareHeld) {
      for (const { session, kind, message: held } of this.parts.messageReceived.heldEvents()) {
        if (kind === 'request') spared.push({ sessionId: session.id, id: (held as JsonRpcRequest).id });
      }
      for (const { session, message: deferred } of this.features.deferredRequests()) spared.push({ sessionId: session.id, id: deferred.id });
    }
    return interruptWaiting({ ...this.interruptHost(), sessions: () => spareHeld ? this.clientDestinations() : this.destinations() }, message, spared);
  }

  /**
   * Answers client request `id` of `to`, still in flight, with `-32000` and `message` (see
   * `interruptRequest`): a request held for the flow that none took in time.
   * @returns true when it was answered.
   */
  interruptOne(to: ReplyDestination, id: RequestId, message: string): boolean {
    return interruptRequest(this.interruptHost(), to, id, message);
  }

  /** What `interrupted-requests.ts` works on. */
  private interruptHost(): InterruptHost {
    return {
      clientRequests: this.parts.protocol.clientRequests,
      calls: this.features.calls,
      interrupted: this.parts.interrupted,
      sessions: () => this.destinations(),
      send: (session, payload, context) => this.sendOn(session, payload, context),
    };
  }

  /** See `McpEndpoint.clientContext`. */
  clientContext(to: ReplyDestination, requestId?: RequestId): ClientContext {
    const exchange = to instanceof Exchange ? to : undefined;
    const context: ClientContext = { kind: exchange === undefined ? 'session' : 'exchange', id: to.id, transport: to.transport };
    if (to.protocolVersion !== undefined) context.protocolVersion = to.protocolVersion;
    const auth = this.parts.access.callerOf(to.id);
    if (auth !== undefined) context.auth = auth;
    const task = this.tasks.callOf(to.id);
    const capabilities = task !== undefined ? task.clientCapabilities : exchange === undefined ? this.features.clientCapabilities(to) : exchange.envelope.clientCapabilities;
    if (capabilities !== undefined) context.clientCapabilities = capabilities;
    if (exchange?.envelope.clientInfo !== undefined) context.clientInfo = exchange.envelope.clientInfo;
    const state = task !== undefined ? task.state : exchange === undefined || requestId === undefined ? undefined : this.exchanges.state(exchange, requestId);
    if (state !== undefined) context.state = state;
    if (task !== undefined) context.taskId = task.taskId;
    return context;
  }
}
