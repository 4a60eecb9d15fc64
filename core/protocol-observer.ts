/**
 * The hook through which the protocol layer tells an observer (the activity log, `activity.ts`)
 * what went through it, either way. The protocol layer calls it after the fact and never waits
 * for it: an observer must not throw, must not change the messages it is shown, and must return
 * at once (no I/O).
 *
 * Never imports Node-RED.
 */
import type { JsonRpcMessage, JsonRpcRequest, MessageKind } from './jsonrpc';
import type { PendingOutcome } from './pending-requests';
import type { ReplyDestination } from './reply-destination';

/** Hears what the protocol layer passes; see the module comment. */
export interface ProtocolObserver {
  /** A client's request or notification reached the protocol layer (responses: see {@link settled}). */
  received(to: ReplyDestination, kind: Exclude<MessageKind, 'response'>, message: JsonRpcMessage): void;
  /**
   * A message went out to the client: a response, a notification, or a server-initiated request
   * (then {@link settled} follows once it ends).
   */
  sent(to: ReplyDestination, message: JsonRpcMessage): void;
  /** A server-initiated request ended: answered, timed out, or its session closed. */
  settled(to: ReplyDestination, request: Pick<JsonRpcRequest, 'id' | 'method'>, outcome: PendingOutcome): void;
  /** A notification went to many sessions at once (`count` of them). */
  broadcast(message: JsonRpcMessage, count: number): void;
  /** A session (or exchange) has ended: what was kept about it may go. */
  closed(sessionId: string): void;
}
