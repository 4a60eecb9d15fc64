/**
 * Client requests whose flow went away before answering them (MCP "Base Protocol > Messages":
 * every request gets one response): a deploy restarted the flows behind the endpoint, or the
 * endpoint closed. Each is answered at once with the error the SDK's `Protocol` reports for a
 * closed connection, `-32000` (`ErrorCode.ConnectionClosed`), so that no client waits for its
 * timeout; and remembered for a while, so that an answer the flow still sends for it later is
 * dropped with a warning, never sent a second time.
 *
 * Never imports Node-RED.
 */
import { CONNECTION_CLOSED, type RequestId } from './jsonrpc';
import type { PushResult, SendContext } from './protocol';
import type { ClientRequests } from './client-requests';
import type { ReplyDestination } from './reply-destination';

/** The error message of a request whose flow a deploy restarted; the endpoint and its sessions stay. */
export const RESTARTING_MESSAGE = 'Connection closed: the MCP endpoint is restarting; send the request again';

/** The error message of a request whose endpoint closed (removed, changed, or Node-RED stopping). */
export const CLOSED_MESSAGE = 'Connection closed: the MCP endpoint has closed';

/** How long an interrupted request is remembered, in ms. */
const INTERRUPTED_TTL_MS = 10 * 60_000;

/** The most interrupted requests remembered; past it the oldest is forgotten. */
const MAX_INTERRUPTED = 10_000;

function keyOf(sessionId: string, id: RequestId): string {
  return `${sessionId} ${typeof id}:${id}`;
}

/** Requests answered with an error because their flow went away, by session (or exchange) and id. */
export class InterruptedRequests {
  /** Key ({@link keyOf}) to the epoch ms it is forgotten at, oldest first. */
  private readonly entries = new Map<string, number>();

  /**
   * @param ttlMs how long each is remembered, in ms.
   * @param max the most remembered; past it the oldest is forgotten.
   */
  constructor(private readonly ttlMs = INTERRUPTED_TTL_MS, private readonly max = MAX_INTERRUPTED) {}

  /** The number remembered (some may have expired). */
  get size(): number {
    return this.entries.size;
  }

  /** Remembers request `id` of session `sessionId` as answered. */
  add(sessionId: string, id: RequestId): void {
    const now = Date.now();
    for (const [key, expires] of this.entries) {
      if (expires > now && this.entries.size < this.max) break;
      this.entries.delete(key);
    }
    const key = keyOf(sessionId, id);
    this.entries.delete(key);
    this.entries.set(key, now + this.ttlMs);
  }

  /** True when request `id` of session `sessionId` was interrupted (within the last {@link INTERRUPTED_TTL_MS}). */
  has(sessionId: string, id: RequestId): boolean {
    const expires = this.entries.get(keyOf(sessionId, id));
    return expires !== undefined && expires > Date.now();
  }

  /** Forgets one (the client sent a new request with the same id). */
  delete(sessionId: string, id: RequestId): void {
    this.entries.delete(keyOf(sessionId, id));
  }
}

/**
 * One record for the process: session ids are unique in it, and the record must outlive an
 * endpoint that closes, so that a late answer reaching the endpoint that replaced it (same id,
 * new settings) is recognised too.
 */
export const processInterrupted = new InterruptedRequests();

/** What {@link interruptWaiting} needs from the endpoint. */
export interface InterruptHost {
  readonly clientRequests: ClientRequests;
  /** Requests handed to a declaration's flow, waiting for its answer. */
  readonly calls: { delete(sessionId: string, requestId: RequestId): void };
  readonly interrupted: InterruptedRequests;
  /** The endpoint's sessions and 2026-07-28 exchanges. */
  sessions(): Iterable<ReplyDestination>;
  /** Sends an answer on a session or an exchange, by the protocol's rules. */
  send(session: ReplyDestination, payload: unknown, context: SendContext): PushResult;
}

/**
 * Answers every client request still in flight on the host's sessions and exchanges with
 * `{ code: -32000, message }`, on the stream or reply it is waiting on (a POST's stream or JSON
 * reply then ends, as after any last response), and remembers it in `host.interrupted`. A request
 * the client cancelled gets no answer (it is only remembered).
 * @param spared requests that have not reached a flow yet (held for the next one): left in flight.
 * @returns the number of requests answered.
 */
export function interruptWaiting(host: InterruptHost, message: string, spared: Iterable<{ sessionId: string; id: RequestId }> = []): number {
  const spare = new Set<string>();
  for (const { sessionId, id } of spared) spare.add(keyOf(sessionId, id));
  let answered = 0;
  for (const session of [...host.sessions()]) {
    const taken = host.clientRequests.take(session.id, spare.size === 0 ? undefined : (id) => spare.has(keyOf(session.id, id)));
    for (const { id, cancelled } of taken) if (answerInterrupted(host, session, id, cancelled, message)) answered++;
  }
  return answered;
}

/**
 * Answers client request `id` of `session`, when still in flight, with `{ code: -32000, message }`
 * as {@link interruptWaiting} does (a request that never reached a flow: nothing took it in time).
 * @returns true when it was answered.
 */
export function interruptRequest(host: InterruptHost, session: ReplyDestination, id: RequestId, message: string): boolean {
  const [taken] = host.clientRequests.take(session.id, (other) => other !== id);
  return taken !== undefined && answerInterrupted(host, session, taken.id, taken.cancelled, message);
}

/** Forgets the flow's part of a request taken from the client requests, remembers it, and answers it unless cancelled. */
function answerInterrupted(host: InterruptHost, session: ReplyDestination, id: RequestId, cancelled: boolean, message: string): boolean {
  host.calls.delete(session.id, id);
  host.interrupted.add(session.id, id);
  if (cancelled || session.closed) return false;
  try {
    return host.send(session, { jsonrpc: '2.0', id, error: { code: CONNECTION_CLOSED, message } }, { requestId: id }).sent;
  } catch {
    // the session went away meanwhile: nobody is waiting any more
    return false;
  }
}
