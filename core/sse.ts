/**
 * Server-Sent Events: the one module that frames `text/event-stream` (WHATWG HTML "Server-sent
 * events", section 9.2), and the stream that carries the frames with its push queue. Both MCP
 * transports use it: HTTP+SSE (2024-11-05) for the session's stream, Streamable HTTP (2025-03-26
 * onwards) for POST response streams and the standalone GET stream. The stream is a
 * {@link ResponseWriter}: the session, the event log and the transports hand it messages and
 * events, never frames.
 *
 * Never imports Node-RED.
 */
import type { ServerResponse } from 'node:http';
import type { ResponseWriter, SharedMessage, SseEvent } from './response-writer';

export type { SseEvent } from './response-writer';

const LINE_BREAK = /\r\n|\r|\n/;

/** A field value that would end its line early, and so forge or split fields, is refused. */
function checkFieldValue(field: string, value: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw new TypeError(`SSE field "${field}" must not contain CR, LF or NUL`);
  }
}

/**
 * Frames one event as `text/event-stream` text, ending with the blank line that dispatches it.
 *
 * `data` is split on CR, LF and CRLF into one `data:` line each, which a client joins back with
 * LF, so no content of `data` can start a new field or event. JSON from `JSON.stringify` has no raw
 * line breaks and always gives one `data:` line.
 * @throws TypeError when `event` or `id` contains CR, LF or NUL, or `retry` is not a
 *   non-negative integer: such a value would forge fields.
 */
export function formatEvent(event: SseEvent): string {
  let out = '';
  if (event.event !== undefined) {
    checkFieldValue('event', event.event);
    out += `event: ${event.event}\n`;
  }
  if (event.id !== undefined) {
    checkFieldValue('id', event.id);
    out += `id: ${event.id}\n`;
  }
  if (event.retry !== undefined) {
    if (!Number.isSafeInteger(event.retry) || event.retry < 0) {
      throw new TypeError('SSE field "retry" must be a non-negative integer (ms)');
    }
    out += `retry: ${event.retry}\n`;
  }
  const data = event.data;
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) {
    out += `data: ${data}\n\n`;
  } else {
    for (const line of data.split(LINE_BREAK)) out += `data: ${line}\n`;
    out += '\n';
  }
  return out;
}

/**
 * Frames one JSON text (from `JSON.stringify`) as `event: message`, after `id: <eventId>` when an
 * event id is given: the hot path of every pushed message. `JSON.stringify` escapes CR and LF
 * inside strings and, without indentation, emits no line breaks, so the text is always one `data:`
 * line and needs none of {@link formatEvent}'s checks or scans; event ids are this package's own
 * (`<sessionId>:<n>`, see event-log.ts) and have no line break either. Only for JSON text and such
 * ids: anything else goes through {@link formatEvent}.
 */
export function formatMessageEvent(json: string, eventId?: string): string {
  return eventId === undefined ? 'event: message\ndata: ' + json + '\n\n' : 'id: ' + eventId + '\nevent: message\ndata: ' + json + '\n\n';
}

/**
 * The `event: message` frame of a broadcast as UTF-8 bytes: built once, by the first stream that
 * writes it, and kept on the message for every other stream (and every replay) to write by
 * reference.
 */
function sharedFrame(message: SharedMessage): Buffer {
  return message.sseFrame ??= Buffer.from(formatMessageEvent(message.json), 'utf8');
}

/**
 * Frames a comment line, which clients ignore: the keep-alive that stops proxies closing a quiet
 * stream. Line breaks in `text` are replaced by spaces.
 */
export function formatComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
}

/** The keep-alive comment, framed once for every stream. */
const KEEP_ALIVE = formatComment('ping');

/** Response headers of every SSE stream this package opens. */
const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/**
 * Bounds of a stream's push queue: the frames waiting for the socket's `drain`. Past either, the
 * stream's owner is told (the session then closes with `queue-overflow`), so a client that stalls
 * cannot make the server's memory grow without limit. `Infinity` turns a bound off.
 */
export interface QueueLimits {
  /** Most frames waiting for drain. */
  messages: number;
  /** Most bytes (UTF-8) of frames waiting for drain. */
  bytes: number;
}

/** Defaults of {@link QueueLimits}: 1000 frames, 8 MiB. */
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = { messages: 1000, bytes: 8 * 1024 * 1024 };

/** Who hears of a stream's end and of its queue overflowing. */
export interface StreamOwner {
  /** Called once when the stream ends, by either side. */
  onStreamClosed(stream: SseStream): void;
  /** Called once when the queue passes a bound, with a sentence for the log; the stream is then closed. */
  onQueueOverflow(stream: SseStream, detail: string): void;
}

/**
 * One open `text/event-stream` response and its push queue: the {@link ResponseWriter} that carries
 * every kind of message.
 *
 * Pushing is event-driven: a frame is written to the socket at once. Only while the socket reports
 * backpressure (`write` returned `false`) do frames wait in the queue, and the socket's `drain`
 * event writes them out, in order. There is no timer.
 */
export class SseStream implements ResponseWriter {
  /** {@link ResponseWriter.responsesOnly}: a stream carries every kind of message and event. */
  readonly responsesOnly = false;
  private ended = false;
  /** Set by {@link end}: the response ends once the queue has drained, and takes nothing more. */
  private ending = false;
  private readonly queue: string[] = [];
  /** Index of the next frame to write in `queue` (so taking one is O(1), not `shift()`'s O(n)). */
  private queueHead = 0;
  private bytesQueued = 0;
  private waitingForDrain = false;
  /** Frames written to the socket so far. */
  sent = 0;

  /**
   * Sends the status line (200), {@link SSE_HEADERS} and `headers` at once, so the client sees the
   * stream open before any event.
   * @param res the response the stream is written to.
   * @param owner hears of the stream's end and of a queue overflow.
   * @param limits the queue's bounds.
   * @param headers extra response headers (`Mcp-Session-Id`).
   */
  constructor(
    private readonly res: ServerResponse,
    private readonly owner: StreamOwner,
    private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
    headers?: Record<string, string>,
  ) {
    res.writeHead(200, headers === undefined ? SSE_HEADERS : { ...SSE_HEADERS, ...headers });
    res.flushHeaders();
    // No Nagle delay: every event is sent the moment it is written.
    res.socket?.setNoDelay(true);
    res.on('drain', () => {
      this.waitingForDrain = false;
      this.flush();
    });
    res.once('close', () => {
      this.ended = true;
      this.clearQueue();
      owner.onStreamClosed(this);
    });
  }

  /** True once the stream has ended or the client has gone. */
  get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded;
  }

  /** Frames waiting for the socket to drain. */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Bytes of the frames waiting for the socket to drain. */
  get queuedBytes(): number {
    return this.bytesQueued;
  }

  /**
   * {@link ResponseWriter.writeMessage}: one JSON-RPC message as `event: message`, after its
   * `id:` line when `eventId` is given. A broadcast's frame is built once for every stream (see
   * {@link SharedMessage}) and written after this stream's own `id:` line by reference, never
   * copied (but into the queue while the socket drains).
   */
  writeMessage(message: string | SharedMessage, eventId?: string): void {
    if (typeof message === 'string') this.send(formatMessageEvent(message, eventId));
    else if (eventId === undefined) this.send(sharedFrame(message));
    else this.sendParts('id: ' + eventId + '\n', sharedFrame(message));
  }

  /**
   * {@link ResponseWriter.writeEvent}: an event that is no JSON-RPC message (the priming event,
   * the `endpoint` event), framed by {@link formatEvent}.
   * @throws TypeError when a field would forge others (see {@link formatEvent}).
   */
  writeEvent(event: SseEvent): void {
    this.send(formatEvent(event));
  }

  /**
   * Sends framed SSE text (or its bytes) at once, or queues it behind earlier frames while the
   * socket drains. The frame must be whole events from this module's functions; the session and
   * the transports use {@link writeMessage} and {@link writeEvent}.
   */
  send(frame: string | Buffer): void {
    if (this.closed || this.ending) return;
    if (this.waitingForDrain) {
      this.enqueue(typeof frame === 'string' ? frame : frame.toString('utf8'));
      return;
    }
    this.sent++;
    if (!this.res.write(frame)) this.waitingForDrain = true;
  }

  /**
   * Sends an event in two parts, its own `id:` line and a body shared with other streams (a
   * broadcast), in one corked socket write without concatenating them; while the socket drains the
   * event is queued as one frame (that copy of a shared body is the price of backpressure).
   */
  private sendParts(head: string, body: Buffer): void {
    if (this.closed || this.ending) return;
    if (this.waitingForDrain) {
      this.enqueue(head + body.toString('utf8'));
      return;
    }
    // Cork the socket, not the response: from Node 22 a corked chunked response collects its
    // writes and on uncork sends the chunk's length line, each part and the CRLF as separate
    // socket writes (four syscalls per stream, the bulk of a broadcast's CPU in the profile). The
    // response's own writes into a corked socket leave as one writev on uncork, on Node 20 and 22.
    const socket = this.res.socket;
    socket?.cork();
    this.res.write(head);
    const ok = this.res.write(body);
    socket?.uncork();
    this.sent++;
    if (!ok) this.waitingForDrain = true;
  }

  /** Writes a keep-alive comment, unless frames are waiting (then the socket is busy anyway). */
  keepAlive(): void {
    if (this.closed || this.ending || this.waitingForDrain) return;
    this.res.write(KEEP_ALIVE);
  }

  /**
   * Ends the response once the frames waiting for drain have been written: the graceful end of a
   * stream that has said everything (a POST stream after its last response, a listen stream after
   * its result), so a slow client still gets all of it. Frames sent after this are dropped.
   * Idempotent; {@link close} still ends at once.
   */
  end(): void {
    if (this.ended) return;
    this.ending = true;
    if (this.queued === 0) this.close();
  }

  /** Ends the response now, dropping what waits for drain (the client sees the stream close, not a reset). Idempotent. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.clearQueue();
    if (!this.res.writableEnded) this.res.end();
  }

  private flush(): void {
    while (this.queueHead < this.queue.length && !this.waitingForDrain && !this.closed) {
      const frame = this.queue[this.queueHead];
      this.queue[this.queueHead++] = '';
      this.bytesQueued -= Buffer.byteLength(frame, 'utf8');
      this.sent++;
      if (!this.res.write(frame)) this.waitingForDrain = true;
    }
    if (this.queueHead === this.queue.length) {
      this.clearQueue();
      if (this.ending) this.close();
    } else if (this.queueHead >= 1024 && this.queueHead * 2 >= this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private clearQueue(): void {
    this.queue.length = 0;
    this.queueHead = 0;
    this.bytesQueued = 0;
  }

  /** Queues a frame behind the others, or tells the owner and closes past a bound. */
  private enqueue(frame: string): void {
    const bytes = Buffer.byteLength(frame, 'utf8');
    const count = this.queued + 1;
    const total = this.bytesQueued + bytes;
    if (count > this.limits.messages || total > this.limits.bytes) {
      const detail = count > this.limits.messages
        ? `more than ${this.limits.messages} messages waiting for a client that does not read its stream`
        : `more than ${this.limits.bytes} bytes waiting for a client that does not read its stream`;
      this.owner.onQueueOverflow(this, detail);
      this.close();
      return;
    }
    this.queue.push(frame);
    this.bytesQueued = total;
  }
}
