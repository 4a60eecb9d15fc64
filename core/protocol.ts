/**
 * The protocol layer of one endpoint, in both directions and for every transport (MCP "Base
 * Protocol > Messages", "Utilities > Progress / Cancellation", "Server Features > Logging",
 * "Client Features"). It knows nothing of HTTP: transports hand it what a client sent, and the
 * endpoint hands it what a flow sends; it decides what reaches the flow and what may go out.
 *
 * Inbound: a response that answers a server-initiated request ends that request and reaches no
 * flow; a request is recorded as in flight (progress token, cancellation); a
 * `notifications/cancelled` marks its request cancelled.
 *
 * Outbound: see {@link Protocol.send}.
 *
 * Never imports Node-RED.
 */
import { SharedMessage } from './response-writer';
import { isObject, toOutboundMessage, type JsonRpcMessage, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse, type MessageKind, type RequestId } from './jsonrpc';
import type { ReplyDestination } from './reply-destination';
import type { Session } from './session';
import { PendingRequests, type PendingOutcome } from './pending-requests';
import { ClientRequests } from './client-requests';
import { isLogLevel, LogLevels } from './features/logging';
import type { ProtocolObserver } from './protocol-observer';

/** What happened to a flow's payload: sent (with the message as it went out; `relayed` when it went to another instance), or dropped and why. */
export type PushResult =
  | { sent: true; message: JsonRpcMessage; relayed?: boolean }
  | { sent: false; reason: string; filtered?: boolean };

/** Options for a server-initiated request. */
interface RequestOptions {
  /** Ms to wait for the client's answer; 0 waits until the session closes. */
  timeoutMs: number;
  /** Whoever sent it (a node), for {@link PendingRequests.forget}. */
  owner?: unknown;
  /** Called once with how the request ended. */
  settle: (outcome: PendingOutcome, request: { id: RequestId; method: string }) => void;
}

/** What a flow's payload is about, for {@link Protocol.send}. */
export interface SendContext {
  /** The id of the client request the flow is working on (`msg.mcp.requestId`). */
  requestId?: RequestId;
  /** Present when a method without `notifications/` may be sent as a server-initiated request. */
  request?: RequestOptions;
  /**
   * The flow failed on the request (a Catch node's `msg.error.message`): the answer to a request
   * a declaration handed to the flow becomes an error (see `ServerFeatures.shapeAnswer`).
   */
  failure?: string;
  /**
   * 2026-07-28: the flow's state (`msg.mcp.state`) to seal into `requestState` with an input
   * request, handed back on the client's retry.
   */
  state?: unknown;
  /**
   * Several instances (see cluster/): a send to a session another instance owns returns
   * `{ sent: true, relayed: true }` at once; this hears later that it failed (an Error: the
   * session is gone, Redis is unreachable) or that the owner's protocol dropped it (the reason).
   */
  onRelayFailure?: (failure: Error | string) => void;
}

/** A payload a flow sent that the protocol refuses; `code` names the rule, for translated texts. */
export class ProtocolError extends TypeError {
  constructor(readonly code: 'notifications-only', message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** The protocol state of one endpoint's sessions: server-initiated requests and client requests in flight. */
export class Protocol {
  /** Server-initiated requests waiting for the client's response. */
  readonly pending = new PendingRequests();
  /** Client requests that flows are working on (progress, cancellation). */
  readonly clientRequests = new ClientRequests();
  /** The level each session asked for with `logging/setLevel`, whoever answers it. */
  readonly logLevels = new LogLevels();
  /** Hears what passes either way (the activity log); none by default. */
  observer: ProtocolObserver | undefined;

  /**
   * A valid message a client sent on a session.
   * @returns true when the protocol layer dealt with it (a response that ended a server-initiated
   *   request); false when it goes on (to the server features, then the flow).
   */
  receive(session: ReplyDestination, kind: MessageKind, message: JsonRpcMessage): boolean {
    if (kind === 'response') return this.pending.answer(session.id, message as JsonRpcResponse);
    this.observer?.received(session, kind, message);
    if (kind === 'request') {
      const request = message as JsonRpcRequest;
      this.clientRequests.received(session.id, request);
      if (request.method === 'logging/setLevel' && isLogLevel(request.params?.level)) this.logLevels.set(session.id, request.params.level);
      // Its answer names the protocol version agreed (see agreeVersion).
      if (request.method === 'initialize') session.initializeId = request.id;
    } else if ((message as JsonRpcNotification).method === 'notifications/cancelled') {
      const params = (message as JsonRpcNotification).params ?? {};
      const requestId = params.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') {
        this.clientRequests.cancel(session.id, requestId, typeof params.reason === 'string' ? params.reason : undefined);
      }
    }
    return false;
  }

  /**
   * Sends what a flow produced to one session, following the protocol's rules on what may be sent
   * when. `payload` is read as {@link toOutboundMessage} reads it, and then:
   *
   * - a response (`result`/`error`) to a request the client cancelled is dropped;
   * - `notifications/progress` without `params.progressToken` is about the request `requestId`: its
   *   token is filled in from that request's `params._meta.progressToken`; it is dropped when the
   *   request has been answered, was cancelled, asked for no progress, or `progress` does not
   *   increase;
   * - `notifications/message` below the level the client set with `logging/setLevel` is dropped
   *   (`filtered`); with a `requestId` it is dropped once that request has been answered or was
   *   cancelled (without one it is session-wide);
   * - any other `notifications/*` is sent as it is;
   * - any other method is a server-initiated request: it gets an id unique in the session (the
   *   payload's own `id` if it has one) and waits for the client's answer, which `request.settle`
   *   receives. On timeout the client is sent `notifications/cancelled` for it (MCP "Lifecycle >
   *   Timeouts"). Without `request`, a method without id is sent as a notification.
   *
   * Messages about a request travel with it (on Streamable HTTP, on that POST's stream).
   * @throws TypeError when the payload is not a JSON-RPC message (see {@link toOutboundMessage}).
   * @throws SessionClosedError when the session has ended.
   * @throws RangeError when a request's own id is already waiting in this session.
   */
  send(session: ReplyDestination, payload: unknown, context: SendContext = {}): PushResult {
    const { requestId, request } = context;
    const message = toOutboundMessage(payload, requestId) as unknown as Record<string, unknown>;
    const method = message.method;
    if (typeof method !== 'string') {
      const id = message.id as RequestId | null;
      if (id !== null) {
        const verdict = this.clientRequests.respond(session.id, id);
        if (!verdict.ok) return { sent: false, reason: `response dropped: ${verdict.reason}` };
        if (id === session.initializeId) agreeVersion(session, message.result);
      }
      return deliver(session, message as unknown as JsonRpcMessage, undefined, 'response', this.observer);
    }
    const params = isObject(message.params) ? message.params : undefined;
    if (method === 'notifications/progress' && !('id' in message) && (params === undefined || params.progressToken === undefined)) {
      if (requestId === undefined) return { sent: false, reason: 'progress dropped: no progressToken and no msg.mcp.requestId to take it from' };
      const verdict = this.clientRequests.progress(session.id, requestId, params?.progress);
      if (!verdict.ok) return { sent: false, reason: `progress dropped: ${verdict.reason}` };
      return deliver(session, { jsonrpc: '2.0', method, params: { ...params, progressToken: verdict.progressToken } }, requestId, 'progress', this.observer);
    }
    if (method === 'notifications/message' && !('id' in message) && !this.logLevels.allows(session.id, params?.level)) {
      return { sent: false, reason: `log message dropped: its level ${String(params?.level)} is below ${this.logLevels.get(session.id)}, the level the client set`, filtered: true };
    }
    if (method === 'notifications/message' && requestId !== undefined && !('id' in message)) {
      const verdict = this.clientRequests.related(session.id, requestId);
      if (!verdict.ok) return { sent: false, reason: `log message dropped: ${verdict.reason}` };
    }
    if (method.startsWith('notifications/') || request === undefined) {
      return deliver(session, message as unknown as JsonRpcMessage, requestId, method, this.observer);
    }
    let sentId: RequestId = 0;
    const out = this.pending.create(session.id, method, params, {
      timeoutMs: request.timeoutMs,
      owner: request.owner,
      settle: (outcome) => {
        // "Lifecycle > Timeouts": a sender that stops waiting SHOULD tell the receiver.
        if (outcome.status === 'timeout' && !session.closed) {
          session.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: sentId, reason: outcome.error.message } }, requestId);
        }
        this.observer?.settled(session, { id: sentId, method }, outcome);
        request.settle(outcome, { id: sentId, method });
      },
    }, message.id as RequestId | undefined);
    sentId = out.id;
    let result: PushResult;
    try {
      result = deliver(session, out, requestId, method, this.observer);
    } catch (error) {
      this.pending.drop(session.id, out.id);
      throw error;
    }
    if (!result.sent) this.pending.drop(session.id, out.id);
    return result;
  }

  /**
   * Sends one notification to many sessions. It is serialised once (`JSON.stringify`) into one
   * {@link SharedMessage} that every session gets by reference (its stream frames it once for all:
   * see sse.ts). Closed sessions, and Streamable HTTP sessions without a standalone stream, are
   * skipped, and so is a session whose log level is above a `notifications/message`'s.
   * @returns the number of sessions it was sent to.
   * @throws ProtocolError when `payload` is not a notification; TypeError when it is not a
   *   JSON-RPC message or cannot be serialised.
   */
  broadcast(sessions: Iterable<Session>, payload: unknown): number {
    const message = toOutboundMessage(payload, undefined);
    if (!('method' in message) || 'id' in message || !message.method.startsWith('notifications/')) {
      throw new ProtocolError('notifications-only', 'A broadcast sends notifications only: msg.payload must be { method: "notifications/...", params } without an id');
    }
    const shared = new SharedMessage(JSON.stringify(message));
    const level = message.method === 'notifications/message' ? message.params?.level : undefined;
    let sent = 0;
    for (const session of sessions) {
      if (level !== undefined && !this.logLevels.allows(session.id, level)) continue;
      if (!session.closed && session.sendShared(shared)) sent++;
    }
    this.observer?.broadcast(message, sent);
    return sent;
  }

  /** Ends what a closed session left: its server-initiated requests settle with `session-closed`. */
  closeSession(sessionId: string): void {
    this.pending.closeSession(sessionId);
    this.clientRequests.closeSession(sessionId);
    this.logLevels.closeSession(sessionId);
    this.observer?.closed(sessionId);
  }
}

/** Sends one message on a session, and says so (to `observer` too), or why it had nowhere to go. */
function deliver(session: ReplyDestination, message: JsonRpcMessage, related: RequestId | undefined, what: string, observer: ProtocolObserver | undefined): PushResult {
  if (session.send(message, related)) {
    observer?.sent(session, message);
    return { sent: true, message };
  }
  return { sent: false, reason: `${what} dropped: the client closed the stream it would go on` };
}

/**
 * The answer to a session's `initialize` goes out: the `protocolVersion` it names is the version
 * agreed ("Lifecycle > Version Negotiation"), which a flow that answers `initialize` itself may
 * have chosen differently from the one asked for; the session speaks it from now on.
 */
function agreeVersion(session: ReplyDestination, result: unknown): void {
  session.initializeId = undefined;
  const agreed = isObject(result) ? result.protocolVersion : undefined;
  if (typeof agreed === 'string') session.protocolVersion = agreed;
}
