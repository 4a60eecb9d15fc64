/**
 * An MCP session and its push queue (MCP 2024-11-05 "Transports > HTTP with SSE": every
 * server-to-client message of a session travels as an `event: message` on its SSE stream).
 *
 * Never imports Node-RED.
 */
import type { JsonRpcMessage } from './jsonrpc';
import { formatComment, formatMessageEvent, type SseStream } from './sse';

/** The keep-alive comment, framed once for every session. */
const KEEP_ALIVE = formatComment('ping');

/** Why a session ended, as reported to listeners and flows. */
export type CloseReason = 'client-disconnected' | 'server-closed' | 'endpoint-closed';

/** The facts about a session that are safe to show and copy: no sockets. */
export interface SessionInfo {
  id: string;
  /** The endpoint (in Node-RED, the config node id) the session belongs to. */
  endpointId: string;
  /** Epoch ms when the stream opened. */
  createdAt: number;
  /** Messages sent to the client so far. */
  sent: number;
  /** Messages waiting for the socket to drain. */
  queued: number;
}

/**
 * One client session: an id, the SSE stream its messages go out on, and a push queue.
 *
 * Pushing is event-driven: a message is serialised once and written to the socket at once, in
 * order. Only while the socket reports backpressure (`write` returned `false`) do messages wait in
 * the queue, and the socket's `drain` event writes them out, still in order. There is no timer.
 */
export class Session {
  /** Epoch ms when the session was created. */
  readonly createdAt = Date.now();
  private readonly queue: string[] = [];
  private waitingForDrain = false;
  private sentCount = 0;
  private closedReason: CloseReason | undefined;
  private stream: SseStream | undefined;

  /**
   * @param id cryptographically random session id (visible ASCII only).
   * @param endpointId the endpoint the session belongs to.
   * @param onClose called once when the session ends, with the reason.
   */
  constructor(
    readonly id: string,
    readonly endpointId: string,
    private readonly onClose: (session: Session, reason: CloseReason) => void,
  ) {}

  /** Attaches the stream the session's messages go out on; the session ends when it closes. */
  attach(stream: SseStream): void {
    this.stream = stream;
  }

  /** Hook for {@link SseStream}'s drain callback: writes what waited, in order. */
  drain(): void {
    this.waitingForDrain = false;
    this.flush();
  }

  /** True once the session has ended; pushing to it then throws. */
  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /**
   * Serialises one JSON-RPC message and sends it as `event: message`, or queues it behind earlier
   * messages while the socket drains.
   * @throws SessionClosedError when the session has ended.
   * @throws TypeError when the message cannot be serialised as JSON (a cycle, a BigInt).
   */
  send(message: JsonRpcMessage): void {
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    this.push(formatMessageEvent(JSON.stringify(message)));
  }

  /** Sends an already framed event (an `endpoint` event, say). Same ordering as {@link send}. */
  sendFrame(frame: string): void {
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    this.push(frame);
  }

  /** Writes a keep-alive comment, unless messages are waiting (then the socket is busy anyway). */
  keepAlive(): void {
    if (this.closedReason !== undefined || this.waitingForDrain || this.stream === undefined) return;
    this.stream.write(KEEP_ALIVE);
  }

  private push(frame: string): void {
    if (this.waitingForDrain || this.stream === undefined) {
      this.queue.push(frame);
      return;
    }
    this.sentCount++;
    if (!this.stream.write(frame)) this.waitingForDrain = true;
  }

  private flush(): void {
    const stream = this.stream;
    if (stream === undefined) return;
    while (this.queue.length > 0 && !this.waitingForDrain) {
      const frame = this.queue.shift() as string;
      this.sentCount++;
      if (!stream.write(frame)) this.waitingForDrain = true;
    }
  }

  /**
   * Ends the session: closes its stream cleanly and drops what was still queued. Idempotent; the
   * `onClose` callback runs once, with the first reason given.
   */
  close(reason: CloseReason): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.queue.length = 0;
    this.stream?.close();
    this.onClose(this, reason);
  }

  /** A copy of the session's public facts, safe to put in a msg. */
  info(): SessionInfo {
    return {
      id: this.id,
      endpointId: this.endpointId,
      createdAt: this.createdAt,
      sent: this.sentCount,
      queued: this.queue.length,
    };
  }

  /** What the Node-RED Context sidebar and `JSON.stringify` show: the public facts, no socket. */
  toJSON(): SessionInfo {
    return this.info();
  }
}

/** Thrown when a message is pushed to a session that has ended. */
export class SessionClosedError extends Error {
  constructor(readonly sessionId: string) {
    super(`MCP session ${sessionId} is closed`);
    this.name = 'SessionClosedError';
  }
}
