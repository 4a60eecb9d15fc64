/**
 * The streams of a session as the protocol sees them (MCP 2025-03-26 onwards "Transports >
 * Streamable HTTP > Sending Messages to the Server"): channel 0 is the session's own stream (the
 * HTTP+SSE stream, or the standalone GET stream); every POST that carries requests gets a channel
 * of its own, answered as an SSE stream or, in JSON response mode, as one `application/json` body.
 * A channel keeps its key while its HTTP response is gone, so a client can resume it.
 *
 * Never imports Node-RED.
 */
import type { ServerResponse } from 'node:http';
import type { RequestId } from './jsonrpc';
import { SseStream } from './sse';

/** The key of a request id in maps: a number id 1 and a string id "1" are different ids. */
export function idKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}

/**
 * A POST's answer in JSON response mode: the responses to the requests it carried, sent as one
 * `200 application/json` body (an object, or an array when the POST was a batch) once the last is in.
 */
export class JsonReply {
  private readonly parts: string[] = [];
  private ended = false;

  /**
   * @param res the POST's response.
   * @param batch true when the POST was a JSON array: the answer is an array too.
   * @param headers extra response headers (`Mcp-Session-Id`).
   */
  constructor(private readonly res: ServerResponse, private readonly batch: boolean, private readonly headers: Record<string, string> = {}) {
    res.once('close', () => {
      this.ended = true;
    });
  }

  /** True once the answer went out or the client has gone. */
  get closed(): boolean {
    return this.ended || this.res.destroyed;
  }

  /** Adds one response (JSON text). */
  add(json: string): void {
    this.parts.push(json);
  }

  /** Sends what was added. Idempotent. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.res.writableEnded || this.res.destroyed) return;
    const body = this.batch || this.parts.length !== 1 ? `[${this.parts.join(',')}]` : this.parts[0];
    this.res.writeHead(200, { ...this.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    this.res.end(body);
  }
}

/** One stream of a session: where its messages go, and the requests it still has to answer. */
export class Channel {
  /** The HTTP response it writes to now; `undefined` while the client is away. */
  writer: SseStream | JsonReply | undefined;
  /** POST channels: the keys ({@link idKey}) of the requests still to be answered on it. */
  readonly awaiting = new Set<string>();

  /** @param key 0 for the session's own stream, 1, 2, ... for POST streams. */
  constructor(readonly key: number) {}

  /** The writer when it is an SSE stream. */
  get sseWriter(): SseStream | undefined {
    return this.writer instanceof SseStream ? this.writer : undefined;
  }

  /** The writer when the POST is answered with one JSON body. */
  get jsonReply(): JsonReply | undefined {
    return this.writer instanceof JsonReply ? this.writer : undefined;
  }

  /** True for a POST answered in JSON response mode: only responses can go on it. */
  get isJson(): boolean {
    return this.writer instanceof JsonReply;
  }

  /** Every request is answered: the POST's response ends (the SSE stream closes, the JSON is sent). */
  finish(): void {
    this.writer?.close();
    this.writer = undefined;
  }
}
