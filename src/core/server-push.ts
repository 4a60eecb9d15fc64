/**
 * What the server pushes on its own: notifications to one session or broadcast to many,
 * progress and log notifications about a client request, responses that must respect
 * cancellation, and server-initiated requests (MCP 2024-11-05 "Base Protocol > Messages" and
 * "Utilities > Progress / Cancellation", "Server Features > Logging", "Client Features").
 *
 * This is the one place that turns a flow's payload into what goes on a session's stream; the
 * Node-RED `mcp sse out` node only translates msgs to and from these calls.
 *
 * Never imports Node-RED.
 */
import { formatEvent } from './sse';
import { toOutboundMessage, type JsonRpcMessage, type RequestId } from './jsonrpc';
import type { Session } from './session';
import type { PendingOutcome, PendingRequests } from './pending-requests';
import type { ClientRequests } from './client-requests';

/**
 * Sends one message to many sessions. It is serialised once (`JSON.stringify`), framed once as
 * `event: message\ndata: <json>\n\n` and encoded once into a Buffer; each session writes its own
 * `id: <sessionId>:<seq>` line (about 50 bytes) and then that same Buffer, by reference, and keeps
 * the same Buffer in its replay ring. Closed sessions are skipped.
 * @returns the number of sessions it was sent to.
 * @throws TypeError when the message cannot be serialised as JSON.
 */
export function broadcastMessage(sessions: Iterable<Session>, message: JsonRpcMessage): number {
  const body = Buffer.from(formatEvent({ event: 'message', data: JSON.stringify(message) }), 'utf8');
  let sent = 0;
  for (const session of sessions) {
    if (session.closed) continue;
    session.sendShared(body);
    sent++;
  }
  return sent;
}

/** The endpoint state a push needs: the server-initiated requests and the client requests in flight. */
export interface PushState {
  pending: PendingRequests;
  clientRequests: ClientRequests;
}

/** What happened to a flow's payload: sent (with the message as it went out), or dropped and why. */
export type PushResult =
  | { sent: true; message: JsonRpcMessage }
  | { sent: false; reason: string };

/** Options for a server-initiated request. */
export interface RequestOptions {
  /** Ms to wait for the client's answer; 0 waits until the session closes. */
  timeoutMs: number;
  /** Whoever sent it (a node), for {@link PendingRequests.forget}. */
  owner?: unknown;
  /** Called once with how the request ended. */
  settle: (outcome: PendingOutcome, request: { id: RequestId; method: string }) => void;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
 * - `notifications/message` with a `requestId` is dropped once that request has been answered or
 *   was cancelled (without one it is session-wide and always sent);
 * - any other `notifications/*` is sent as it is;
 * - any other method is a server-initiated request: it gets an id unique in the session (the
 *   payload's own `id` if it has one) and waits for the client's answer, which `request.settle`
 *   receives. On timeout the client is sent `notifications/cancelled` for it (MCP "Lifecycle >
 *   Timeouts"). Without `request`, a method without id is sent as a notification.
 *
 * @param requestId the id of the client request the flow is working on (`msg.mcp.requestId`).
 * @throws TypeError when the payload is not a JSON-RPC message (see {@link toOutboundMessage}).
 * @throws SessionClosedError when the session has ended.
 * @throws RangeError when a request's own id is already waiting in this session.
 */
export function pushToSession(state: PushState, session: Session, payload: unknown, requestId: RequestId | undefined, request?: RequestOptions): PushResult {
  const message = toOutboundMessage(payload, requestId) as unknown as Record<string, unknown>;
  const method = message.method;
  if (typeof method !== 'string') {
    // A response.
    const id = message.id as RequestId | null;
    if (id !== null) {
      const verdict = state.clientRequests.respond(session.id, id);
      if (!verdict.ok) return { sent: false, reason: `response dropped: ${verdict.reason}` };
    }
    session.send(message as unknown as JsonRpcMessage);
    return { sent: true, message: message as unknown as JsonRpcMessage };
  }
  const params = isObject(message.params) ? message.params : undefined;
  if (method === 'notifications/progress' && !('id' in message) && (params === undefined || params.progressToken === undefined)) {
    if (requestId === undefined) return { sent: false, reason: 'progress dropped: no progressToken and no msg.mcp.requestId to take it from' };
    const verdict = state.clientRequests.progress(session.id, requestId, params?.progress);
    if (!verdict.ok) return { sent: false, reason: `progress dropped: ${verdict.reason}` };
    const filled = { jsonrpc: '2.0' as const, method, params: { ...params, progressToken: verdict.progressToken } };
    session.send(filled);
    return { sent: true, message: filled };
  }
  if (method === 'notifications/message' && requestId !== undefined && !('id' in message)) {
    const verdict = state.clientRequests.related(session.id, requestId);
    if (!verdict.ok) return { sent: false, reason: `log message dropped: ${verdict.reason}` };
  }
  if (method.startsWith('notifications/') || request === undefined) {
    session.send(message as unknown as JsonRpcMessage);
    return { sent: true, message: message as unknown as JsonRpcMessage };
  }
  const ownId = message.id as RequestId | undefined;
  let sentId: RequestId = 0;
  const out = state.pending.create(session.id, method, params, {
    timeoutMs: request.timeoutMs,
    owner: request.owner,
    settle: (outcome) => {
      // "Lifecycle > Timeouts": a sender that stops waiting SHOULD tell the receiver.
      if (outcome.status === 'timeout' && !session.closed) {
        session.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: sentId, reason: outcome.error.message } });
      }
      request.settle(outcome, { id: sentId, method });
    },
  }, ownId);
  sentId = out.id;
  try {
    session.send(out);
  } catch (error) {
    state.pending.drop(session.id, out.id);
    throw error;
  }
  return { sent: true, message: out };
}
