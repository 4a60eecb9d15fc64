/**
 * The messages instances exchange over Redis pub/sub, one JSON object per pub/sub message. `t`
 * names the kind; `r` is a relay id, unique on the instance that made it (`from`).
 *
 * To an instance's inbox:
 * - `req`: an HTTP request for a session the receiver owns (`route` says which handler serves it);
 * - `res`: (part of) the owner's answer to a relayed request: status and headers first, then body
 *   chunks, and `end` last;
 * - `gone`: the client of relayed request `r` went away before its answer ended;
 * - `send`: a flow on `from` sends a message to a session the receiver owns;
 * - `settled`: how a server-initiated request sent with `send` ended; `failed`: a `send` that
 *   could not be delivered.
 *
 * To every instance: `broadcast` (a notification for every session), `updated` (a resource
 * changed: `notifications/resources/updated` for the sessions and listen streams subscribed to
 * its URI) and `count` (an instance's number of open sessions).
 *
 * Never imports Node-RED.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { RequestId } from '../jsonrpc';
import type { PendingOutcome } from '../pending-requests';

/** Which transport handler serves a relayed request. */
export type RelayRoute = 'sse-get' | 'sse-post' | 'streamable';

export interface RelayRequestMessage {
  t: 'req';
  r: number;
  from: string;
  route: RelayRoute;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The request body, for a POST. */
  body?: string;
  /** The address the client reached the relaying instance on, and whether over TLS (for the `Host` checks). */
  localAddress?: string;
  encrypted?: boolean;
}

export interface RelayResponseMessage {
  t: 'res';
  r: number;
  status?: number;
  headers?: OutgoingHttpHeaders;
  chunks?: string[];
  end?: boolean;
}

export interface RelayGoneMessage {
  t: 'gone';
  r: number;
  from: string;
}

export interface RelaySendMessage {
  t: 'send';
  from: string;
  /** Set when `from` waits for an answer: a server-initiated request (`settled`), or to hear a failure. */
  r: number;
  sessionId: string;
  payload: unknown;
  requestId?: RequestId;
  /** The flow failed on the request (`SendContext.failure`). */
  failure?: string;
  /** The flow's state to seal into `requestState` (`SendContext.state`, 2026-07-28). */
  state?: unknown;
  /** Present for a server-initiated request: how long to wait for the client, in ms. */
  request?: { timeoutMs: number };
}

export interface RelaySettledMessage {
  t: 'settled';
  r: number;
  outcome: PendingOutcome;
  request: { id: RequestId; method: string };
}

export interface RelayFailedMessage {
  t: 'failed';
  r: number;
  /** `SessionNotFoundError`, `SessionClosedError`, `TypeError`, ... or `dropped` (the protocol dropped it). */
  error: { name: string; message: string };
}

interface BroadcastMessage {
  t: 'broadcast';
  from: string;
  payload: unknown;
}

interface ResourceUpdatedMessage {
  t: 'updated';
  from: string;
  /** The resource URI that changed. */
  uri: string;
}

interface CountMessage {
  t: 'count';
  from: string;
  n: number;
}

export type ClusterMessage =
  | RelayRequestMessage | RelayResponseMessage | RelayGoneMessage | RelaySendMessage
  | RelaySettledMessage | RelayFailedMessage | BroadcastMessage | ResourceUpdatedMessage | CountMessage;

const KINDS = new Set(['req', 'res', 'gone', 'send', 'settled', 'failed', 'broadcast', 'updated', 'count']);
/** The kinds every instance hears (no relay id). */
const TO_ALL = new Set(['broadcast', 'updated', 'count']);

/** Serialises a message for `PUBLISH`. */
export function encode(message: ClusterMessage): string {
  return JSON.stringify(message);
}

/**
 * Reads a pub/sub message. @returns `undefined` for anything that is not a cluster message
 * (not JSON, no known `t`, a relay message without a numeric `r`): ignored, never thrown.
 */
export function decode(text: string): ClusterMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as { t?: unknown; r?: unknown; from?: unknown };
  if (typeof message.t !== 'string' || !KINDS.has(message.t)) return undefined;
  if (!TO_ALL.has(message.t) && typeof message.r !== 'number') return undefined;
  if ((message.t === 'req' || message.t === 'gone' || message.t === 'send' || TO_ALL.has(message.t)) && typeof message.from !== 'string') return undefined;
  if (message.t === 'updated' && typeof (value as { uri?: unknown }).uri !== 'string') return undefined;
  return value as ClusterMessage;
}
