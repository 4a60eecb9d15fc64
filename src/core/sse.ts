/**
 * Server-Sent Events framing and the stream that carries it (WHATWG HTML, "Server-sent events",
 * section 9.2: the `text/event-stream` format), as MCP 2024-11-05 "Transports > HTTP with SSE" uses it.
 *
 * Never imports Node-RED.
 */
import type { ServerResponse } from 'node:http';

/** One SSE event. `data` may hold any text: each line of it becomes its own `data:` field. */
export interface SseEvent {
  /** Event type (`endpoint`, `message`); omitted means the client's default, `message`. */
  event?: string;
  /** Event id, which a reconnecting client echoes back in `Last-Event-ID`. */
  id?: string;
  /** Reconnection delay the client should use, in ms. */
  retry?: number;
  data: string;
}

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
 * Frames one JSON text (from `JSON.stringify`) as `event: message`: the hot path of every pushed
 * message. `JSON.stringify` escapes CR and LF inside strings and, without indentation, emits no
 * line breaks, so the text is always one `data:` line and needs none of {@link formatEvent}'s
 * checks or scans. Only for JSON text: anything else goes through {@link formatEvent}.
 */
export function formatMessageEvent(json: string): string {
  return 'event: message\ndata: ' + json + '\n\n';
}

/**
 * Frames a comment line, which clients ignore: the keep-alive that stops proxies closing a quiet
 * stream. Line breaks in `text` are replaced by spaces.
 */
export function formatComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
}

/** Response headers of every SSE stream this package opens. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/**
 * One open `text/event-stream` response. It writes framed text straight to the socket: no
 * buffering of its own beyond what the socket does, no timers.
 *
 * `write` returns what `ServerResponse.write` returns: `false` means the socket's buffer is over
 * its high-water mark and the writer should wait for the `onDrain` callback before writing more.
 */
export class SseStream {
  private ended = false;

  /**
   * Sends the status line and {@link SSE_HEADERS} at once (200), so the client sees the stream open
   * before any event.
   * @param res the response of the GET that opened the stream.
   * @param onClose called once when the stream ends, by either side.
   * @param onDrain called when the socket can take more after `write` returned `false`.
   */
  constructor(
    private readonly res: ServerResponse,
    onClose: () => void,
    onDrain: () => void,
  ) {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    // No Nagle delay: every event is sent the moment it is written.
    res.socket?.setNoDelay(true);
    res.on('drain', onDrain);
    res.once('close', () => {
      this.ended = true;
      onClose();
    });
  }

  /** True once the stream has ended or the client has gone. */
  get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded;
  }

  /**
   * Writes framed SSE text (from {@link formatEvent} or {@link formatComment}), or framed bytes.
   * @returns `false` when the stream is closed or the socket asks the writer to wait for drain.
   */
  write(chunk: string | Buffer): boolean {
    if (this.closed) return false;
    return this.res.write(chunk);
  }

  /**
   * Writes an event in two parts (its own `id:` line, then a body shared with other streams)
   * corked, so both leave in one socket write without being concatenated.
   * @returns as {@link write}.
   */
  writeParts(head: string, body: Buffer): boolean {
    if (this.closed) return false;
    // Cork the socket, not the response: from Node 22 a corked chunked response collects its
    // writes and on uncork sends the chunk's length line, each part and the CRLF as separate
    // socket writes (four syscalls per stream, the bulk of a broadcast's CPU in the profile). The
    // response's own writes into a corked socket leave as one writev on uncork, on Node 20 and 22.
    const socket = this.res.socket;
    socket?.cork();
    this.res.write(head);
    const ok = this.res.write(body);
    socket?.uncork();
    return ok;
  }

  /** Ends the response cleanly (the client sees the stream close, not a reset). Idempotent. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.res.writableEnded) this.res.end();
  }
}
