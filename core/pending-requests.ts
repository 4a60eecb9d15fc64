/**
 * Server-initiated requests waiting for the client's answer (MCP 2024-11-05 "Base Protocol >
 * Messages": the server may send requests such as `sampling/createMessage`, `roots/list`, `ping`,
 * and since 2025-06-18 `elicitation/create`; the client POSTs the response, which carries the
 * request's id and a `result` or an `error`, and no `method`).
 *
 * Requests are keyed by session AND id, so two sessions that happen to use the same ids never see
 * each other's answers. Every request ends exactly once: with the client's result, the client's
 * JSON-RPC error, a timeout, or its session closing.
 *
 * Never imports Node-RED.
 */
import type { JsonRpcErrorObject, JsonRpcRequest, JsonRpcResponse, RequestId } from './jsonrpc';

/** Default time a server-initiated request waits for its answer, in ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** JSON-RPC error codes of requests that ended without an answer from the client. */
export const PendingErrorCode = {
  /** No answer within the timeout (the SDK's `RequestTimeout`). */
  Timeout: -32001,
  /** The session closed before the client answered (the SDK's `ConnectionClosed`). */
  SessionClosed: -32000,
} as const;

/** How a server-initiated request ended. */
export type PendingOutcome =
  | { status: 'result'; result: unknown }
  | { status: 'error' | 'timeout' | 'session-closed'; error: JsonRpcErrorObject };

/** One server-initiated request waiting for its answer: what is remembered of it until it ends. */
interface PendingRequest {
  sessionId: string;
  id: RequestId;
  method: string;
  owner: unknown;
  timer: NodeJS.Timeout | undefined;
  settle: (outcome: PendingOutcome) => void;
}

/** Options of {@link PendingRequests.create}. */
interface PendingOptions {
  /** How long to wait for the answer, in ms; 0 waits until the session closes. Default 60000. */
  timeoutMs?: number;
  /** Whoever sent the request (a node): {@link PendingRequests.forget} drops all of one owner's requests. */
  owner?: unknown;
  /** Called once when the request ends, however it ends. */
  settle: (outcome: PendingOutcome) => void;
}

function key(sessionId: string, id: RequestId): string {
  // A number id 1 and a string id "1" are different ids.
  return `${sessionId}\u0000${typeof id}\u0000${id}`;
}

/**
 * The table of server-initiated requests still waiting for an answer. Ids are issued per session:
 * 1, 2, 3, ... (integers, as the SDKs issue theirs), skipping any id still pending.
 */
export class PendingRequests {
  private readonly pending = new Map<string, PendingRequest>();
  private readonly nextId = new Map<string, number>();

  /** The number of requests waiting, of one session or of all. */
  count(sessionId?: string): number {
    if (sessionId === undefined) return this.pending.size;
    let n = 0;
    for (const p of this.pending.values()) if (p.sessionId === sessionId) n++;
    return n;
  }

  /**
   * Registers a request to a session and gives it its id. The caller sends the returned message.
   * @param id an id the caller chose; by default the next free integer of the session.
   * @throws RangeError when `id` is already waiting in this session.
   */
  create(sessionId: string, method: string, params: Record<string, unknown> | undefined, options: PendingOptions, id?: RequestId): JsonRpcRequest {
    let requestId: RequestId;
    if (id !== undefined) {
      if (this.pending.has(key(sessionId, id))) throw new RangeError(`Request id ${JSON.stringify(id)} is already waiting for an answer in this session`);
      requestId = id;
    } else {
      let next = this.nextId.get(sessionId) ?? 1;
      while (this.pending.has(key(sessionId, next))) next++;
      requestId = next;
      this.nextId.set(sessionId, next + 1);
    }
    const entry: PendingRequest = { sessionId, id: requestId, method, owner: options.owner, timer: undefined, settle: options.settle };
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (timeoutMs > 0) {
      entry.timer = setTimeout(() => {
        this.end(entry, {
          status: 'timeout',
          error: { code: PendingErrorCode.Timeout, message: `No answer to ${method} within ${timeoutMs} ms`, data: { timeout: timeoutMs } },
        });
      }, timeoutMs);
      entry.timer.unref();
    }
    this.pending.set(key(sessionId, requestId), entry);
    return params === undefined ? { jsonrpc: '2.0', id: requestId, method } : { jsonrpc: '2.0', id: requestId, method, params };
  }

  /**
   * Hands a client's response to the request it answers.
   * @returns true when a request of this session with this id was waiting (it has now ended);
   *   false when none was, and the response is someone else's to handle.
   */
  answer(sessionId: string, response: JsonRpcResponse): boolean {
    if (response.id === null) return false;
    const entry = this.pending.get(key(sessionId, response.id));
    if (entry === undefined) return false;
    if (response.error !== undefined) this.end(entry, { status: 'error', error: response.error });
    else this.end(entry, { status: 'result', result: response.result });
    return true;
  }

  /** Ends every request of a session that closed, with a `session-closed` outcome. */
  closeSession(sessionId: string): void {
    for (const entry of [...this.pending.values()]) {
      if (entry.sessionId !== sessionId) continue;
      this.end(entry, {
        status: 'session-closed',
        error: { code: PendingErrorCode.SessionClosed, message: `The session closed before the client answered ${entry.method}` },
      });
    }
    this.nextId.delete(sessionId);
  }

  /** Drops one request without settling it (it could not be sent). */
  drop(sessionId: string, id: RequestId): void {
    const entry = this.pending.get(key(sessionId, id));
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(key(sessionId, id));
  }

  /** Drops, without settling, every request an owner sent (the node is gone; nobody is listening). */
  forget(owner: unknown): void {
    for (const [k, entry] of [...this.pending]) {
      if (entry.owner !== owner) continue;
      clearTimeout(entry.timer);
      this.pending.delete(k);
    }
  }

  private end(entry: PendingRequest, outcome: PendingOutcome): void {
    const k = key(entry.sessionId, entry.id);
    if (this.pending.get(k) !== entry) return;
    this.pending.delete(k);
    clearTimeout(entry.timer);
    entry.settle(outcome);
  }
}
