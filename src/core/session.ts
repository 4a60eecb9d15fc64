/**
 * An MCP session and its push queue (MCP 2024-11-05 "Transports > HTTP with SSE": every
 * server-to-client message of a session travels as an `event: message` on its SSE stream).
 *
 * Never imports Node-RED.
 */
import type { JsonRpcMessage } from './jsonrpc';
import { formatComment, formatMessageEvent, type SseStream } from './sse';
import { EventLog, formatEventId, type LoggedEvent } from './event-log';

/** The keep-alive comment, framed once for every session. */
const KEEP_ALIVE = formatComment('ping');

/** Why a session ended, as reported to listeners and flows. */
export type CloseReason = 'client-disconnected' | 'server-closed' | 'endpoint-closed' | 'queue-overflow' | 'idle-timeout';

/**
 * Bounds of a session's push queue: the frames waiting for the socket's `drain`. Past either, the
 * session is closed with `queue-overflow` (a client that stalls cannot make the server's memory
 * grow without limit). `Infinity` turns a bound off.
 */
export interface QueueLimits {
  /** Most frames waiting for drain. */
  messages: number;
  /** Most bytes (UTF-8) of frames waiting for drain. */
  bytes: number;
}

/** Defaults of {@link QueueLimits}: 1000 frames, 8 MiB. */
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = { messages: 1000, bytes: 8 * 1024 * 1024 };

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
  /** Bytes of the frames waiting for the socket to drain. */
  queuedBytes: number;
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
  /** Index of the next frame to write in `queue` (so taking one is O(1), not `shift()`'s O(n)). */
  private queueHead = 0;
  private queuedBytes = 0;
  private queueLimits: QueueLimits = { ...DEFAULT_QUEUE_LIMITS };
  /** Called once when the queue overflows, with a sentence for the log, before the session closes. */
  private onOverflow: ((session: Session, detail: string) => void) | undefined;
  /** Epoch ms of the last message from the client (or of the stream opening). */
  private lastActivity = Date.now();
  private waitingForDrain = false;
  private sentCount = 0;
  private closedReason: CloseReason | undefined;
  private stream: SseStream | undefined;
  /** Sequence number of the last `event: message` sent (see event-log.ts); 0 before the first. */
  private eventSeq = 0;
  /** The replay ring, when the session can be resumed (see {@link keepEvents}). */
  private events: EventLog | undefined;
  /** Epoch ms when the stream dropped, while the session waits for the client to reconnect. */
  private detachedSince: number | undefined;

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
    this.sendMessageEvent(formatMessageEvent(JSON.stringify(message)));
    this.touch();
  }

  /**
   * Sends an `event: message` framed once for many sessions (a broadcast): `body` is
   * `event: message\ndata: <json>\n\n` as bytes, written to this session's stream (and kept in its
   * replay ring) by reference after this session's own `id:` line, so the payload is never copied
   * per session.
   * @throws SessionClosedError when the session has ended.
   */
  sendShared(body: Buffer): void {
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    this.sendMessageEvent(body);
  }

  /** Numbers a message event, records it for replay, and pushes `id: <sessionId>:<seq>` + body. */
  private sendMessageEvent(body: string | Buffer): void {
    const seq = ++this.eventSeq;
    this.events?.append({ seq, body });
    // While the stream is dropped the replay ring alone holds what is pushed.
    if (this.detachedSince !== undefined) return;
    this.pushEvent(seq, body);
  }

  private pushEvent(seq: number, body: string | Buffer): void {
    const head = `id: ${formatEventId(this.id, seq)}\n`;
    if (typeof body === 'string') this.push(head + body);
    else this.pushParts(head, body);
  }

  /**
   * Writes both parts of one event in one corked write, or, only while the socket drains, queues
   * the event as one frame (that copy of a shared body is the price of backpressure).
   */
  private pushParts(head: string, body: Buffer): void {
    if (this.waitingForDrain || this.stream === undefined) {
      this.enqueue(head + body.toString('utf8'));
      return;
    }
    this.sentCount++;
    if (!this.stream.writeParts(head, body)) this.waitingForDrain = true;
  }

  /**
   * Makes the session resumable: keeps its last `capacity` message events for replay to a client
   * that reconnects with `Last-Event-ID` (see event-log.ts). Call before the first message.
   */
  keepEvents(capacity: number): void {
    if (this.events === undefined && capacity > 0) this.events = new EventLog(capacity);
  }

  /** True while the session has a live stream; false while it waits for the client to reconnect. */
  get attached(): boolean {
    return this.stream !== undefined && this.detachedSince === undefined;
  }

  /** True when `stream` is the stream the session writes to now. */
  isAttachedTo(stream: SseStream): boolean {
    return this.stream === stream;
  }

  /**
   * The stream dropped but the session stays open, waiting for the client to reconnect: what was
   * queued for the dead socket is dropped (the replay ring has it) and new messages go only to the
   * ring. Only for a resumable session ({@link keepEvents}); does nothing when `stream` is not the
   * current stream.
   * @returns true when the session detached.
   */
  detach(stream: SseStream): boolean {
    if (this.closedReason !== undefined || this.stream !== stream || this.events === undefined) return false;
    this.stream = undefined;
    this.detachedSince = Date.now();
    this.clearQueue();
    this.waitingForDrain = false;
    return true;
  }

  /**
   * True when the session can be resumed after event `lastSeq`: it is open, resumable, and its
   * replay ring still holds every event after `lastSeq`.
   */
  canResume(lastSeq: number): boolean {
    return this.closedReason === undefined && this.events?.after(lastSeq, this.eventSeq) !== undefined;
  }

  /**
   * Resumes the session on a new stream: `firstFrame` (the `endpoint` event) first, then every
   * message event after `lastSeq` from the replay ring, in order, then live messages. A stream the
   * session still had is closed (the client has evidently left it).
   * @param lastSeq the sequence number from the client's `Last-Event-ID`.
   * @returns false, changing nothing, when events after `lastSeq` are no longer in the ring or
   *   `lastSeq` is ahead of the session, or the session is not resumable or closed.
   */
  resume(stream: SseStream, lastSeq: number, firstFrame: string): boolean {
    if (this.closedReason !== undefined || this.events === undefined) return false;
    const missed = this.events.after(lastSeq, this.eventSeq);
    if (missed === undefined) return false;
    const previous = this.stream;
    this.stream = stream;
    this.detachedSince = undefined;
    this.clearQueue();
    this.waitingForDrain = false;
    if (previous !== undefined && previous !== stream) previous.close();
    this.push(firstFrame);
    for (const event of missed as LoggedEvent[]) this.pushEvent(event.seq, event.body);
    return true;
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
      this.enqueue(frame);
      return;
    }
    this.sentCount++;
    if (!this.stream.write(frame)) this.waitingForDrain = true;
  }

  private flush(): void {
    const stream = this.stream;
    if (stream === undefined) return;
    while (this.queueHead < this.queue.length && !this.waitingForDrain && this.closedReason === undefined) {
      const frame = this.queue[this.queueHead];
      this.queue[this.queueHead++] = '';
      this.queuedBytes -= Buffer.byteLength(frame, 'utf8');
      this.sentCount++;
      if (!stream.write(frame)) this.waitingForDrain = true;
    }
    if (this.queueHead === this.queue.length) {
      this.clearQueue();
    } else if (this.queueHead >= 1024 && this.queueHead * 2 >= this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private clearQueue(): void {
    this.queue.length = 0;
    this.queueHead = 0;
    this.queuedBytes = 0;
  }

  /**
   * Sets the bounds of the push queue, and who hears of an overflow (the Node-RED layer logs it).
   * Applies from the next queued frame on.
   */
  limitQueue(limits: Partial<QueueLimits>, onOverflow?: (session: Session, detail: string) => void): void {
    this.queueLimits = { ...this.queueLimits, ...limits };
    this.onOverflow = onOverflow;
  }

  /** Queues a frame behind the others, or closes the session with `queue-overflow` past a bound. */
  private enqueue(frame: string): void {
    const bytes = Buffer.byteLength(frame, 'utf8');
    const count = this.queue.length - this.queueHead + 1;
    const total = this.queuedBytes + bytes;
    if (count > this.queueLimits.messages || total > this.queueLimits.bytes) {
      const detail = count > this.queueLimits.messages
        ? `more than ${this.queueLimits.messages} messages waiting for a client that does not read its stream`
        : `more than ${this.queueLimits.bytes} bytes waiting for a client that does not read its stream`;
      this.onOverflow?.(this, detail);
      this.close('queue-overflow');
      throw new SessionClosedError(this.id);
    }
    this.queue.push(frame);
    this.queuedBytes = total;
  }

  /** Records activity from the client (a POST), which restarts the idle clock. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Ms since the client last posted a message (or since the stream opened). */
  idleFor(now = Date.now()): number {
    return now - this.lastActivity;
  }

  /**
   * Ends the session: closes its stream cleanly and drops what was still queued. Idempotent; the
   * `onClose` callback runs once, with the first reason given.
   */
  close(reason: CloseReason): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.clearQueue();
    this.events?.clear();
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
      queued: this.queue.length - this.queueHead,
      queuedBytes: this.queuedBytes,
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
