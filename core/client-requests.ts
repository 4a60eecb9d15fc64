/**
 * The client's requests a flow is still working on, per session, so that what the server sends
 * about them follows the protocol (MCP 2024-11-05 "Utilities"):
 *
 * - "Progress": `notifications/progress` carries the `progressToken` the client put in the
 *   request's `params._meta`, only while the request runs, and `progress` must increase;
 * - "Cancellation": after the client's `notifications/cancelled`, the server should not send a
 *   response to that request;
 * - "Logging": a `notifications/message` about a request is only sent while it runs.
 *
 * A request is in flight from the moment the client POSTs it until the flow's response is sent
 * (or dropped because it was cancelled), or its session closes.
 *
 * Never imports Node-RED.
 */
import type { JsonRpcRequest, RequestId } from './jsonrpc';

/** A progress token as MCP allows it. */
type ProgressToken = string | number;

interface InFlight {
  /** The request's id, as the client sent it. */
  id: RequestId;
  progressToken: ProgressToken | undefined;
  /** The last progress value sent, or `undefined` before the first. */
  lastProgress: number | undefined;
  cancelled: boolean;
  /** The reason the client gave for cancelling, if any. */
  cancelReason?: string;
}

/** What a flow may send about a request now: `ok`, or why not (for a node warning). */
type Verdict<T extends object = object> = ({ ok: true } & T) | { ok: false; reason: string };

/** Default most requests remembered per session; beyond it the oldest is forgotten. */
const DEFAULT_MAX_IN_FLIGHT = 10_000;

function idKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}

function readProgressToken(request: JsonRpcRequest): ProgressToken | undefined {
  const meta = request.params?._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const token = (meta as { progressToken?: unknown }).progressToken;
  return typeof token === 'string' || (typeof token === 'number' && Number.isFinite(token)) ? token : undefined;
}

/** The in-flight client requests of every session of an endpoint. */
export class ClientRequests {
  private readonly sessions = new Map<string, Map<string, InFlight>>();

  /** @param maxPerSession most requests remembered per session (the oldest is forgotten). */
  constructor(private readonly maxPerSession = DEFAULT_MAX_IN_FLIGHT) {}

  /** Records a request the client POSTed, with its `params._meta.progressToken`. */
  received(sessionId: string, request: JsonRpcRequest): void {
    let requests = this.sessions.get(sessionId);
    if (requests === undefined) {
      requests = new Map();
      this.sessions.set(sessionId, requests);
    }
    const k = idKey(request.id);
    requests.delete(k);
    if (requests.size >= this.maxPerSession) requests.delete(requests.keys().next().value as string);
    requests.set(k, { id: request.id, progressToken: readProgressToken(request), lastProgress: undefined, cancelled: false });
  }

  /**
   * Marks a request cancelled by the client's `notifications/cancelled`.
   * @returns true when the request was in flight (false: unknown or already answered, which the
   *   spec says to ignore).
   */
  cancel(sessionId: string, requestId: RequestId, reason?: string): boolean {
    const entry = this.sessions.get(sessionId)?.get(idKey(requestId));
    if (entry === undefined || entry.cancelled) return false;
    entry.cancelled = true;
    if (reason !== undefined) entry.cancelReason = reason;
    return true;
  }

  /**
   * The flow answers a request: it leaves the in-flight table. A request the client cancelled is
   * not to be answered: `{ ok: false }`, and the caller drops the response. A request not in the
   * table (answered before, or never seen) is `ok`: the response is the flow's to send.
   */
  respond(sessionId: string, requestId: RequestId): Verdict {
    const requests = this.sessions.get(sessionId);
    const k = idKey(requestId);
    const entry = requests?.get(k);
    if (entry === undefined) return { ok: true };
    requests?.delete(k);
    if (entry.cancelled) {
      return { ok: false, reason: `the client cancelled request ${JSON.stringify(requestId)}${entry.cancelReason ? ` (${entry.cancelReason})` : ''}` };
    }
    return { ok: true };
  }

  /**
   * A flow reports progress on a request. `ok` gives the request's `progressToken` and records
   * `progress` as the last value; otherwise the reason to drop the notification: the request has
   * been answered or is unknown, was cancelled, asked for no progress (no token), or `progress`
   * is not a number greater than the last one sent.
   */
  progress(sessionId: string, requestId: RequestId, progress: unknown): Verdict<{ progressToken: ProgressToken }> {
    const entry = this.sessions.get(sessionId)?.get(idKey(requestId));
    if (entry === undefined) return { ok: false, reason: `request ${JSON.stringify(requestId)} has been answered or is unknown` };
    if (entry.cancelled) return { ok: false, reason: `the client cancelled request ${JSON.stringify(requestId)}` };
    if (entry.progressToken === undefined) {
      return { ok: false, reason: `request ${JSON.stringify(requestId)} asked for no progress (no params._meta.progressToken)` };
    }
    if (typeof progress !== 'number' || !Number.isFinite(progress)) return { ok: false, reason: 'params.progress must be a number' };
    if (entry.lastProgress !== undefined && progress <= entry.lastProgress) {
      return { ok: false, reason: `progress must increase: ${progress} is not above ${entry.lastProgress}` };
    }
    entry.lastProgress = progress;
    return { ok: true, progressToken: entry.progressToken };
  }

  /**
   * A flow sends a notification about a request (`notifications/message`): `ok` while the request
   * runs and was not cancelled.
   */
  related(sessionId: string, requestId: RequestId): Verdict {
    const entry = this.sessions.get(sessionId)?.get(idKey(requestId));
    if (entry === undefined) return { ok: false, reason: `request ${JSON.stringify(requestId)} has been answered or is unknown` };
    if (entry.cancelled) return { ok: false, reason: `the client cancelled request ${JSON.stringify(requestId)}` };
    return { ok: true };
  }

  /**
   * Takes a session's requests in flight out of the table: the flow that was working on them has
   * gone (a deploy), and the endpoint answers them itself. `spare(id)` true leaves one in flight
   * (it has not reached a flow yet).
   * @returns the requests taken, in the order they came, each with whether the client cancelled it.
   */
  take(sessionId: string, spare?: (id: RequestId) => boolean): Array<{ id: RequestId; cancelled: boolean }> {
    const requests = this.sessions.get(sessionId);
    if (requests === undefined) return [];
    const taken: Array<{ id: RequestId; cancelled: boolean }> = [];
    for (const [k, entry] of requests) {
      if (spare?.(entry.id) === true) continue;
      requests.delete(k);
      taken.push({ id: entry.id, cancelled: entry.cancelled });
    }
    if (requests.size === 0) this.sessions.delete(sessionId);
    return taken;
  }

  /** The number of requests in flight in a session. */
  count(sessionId: string): number {
    return this.sessions.get(sessionId)?.size ?? 0;
  }

  /** Forgets a session that closed. */
  closeSession(sessionId: string): void {
    this.sessions.delete(sessionId);
  }
}
