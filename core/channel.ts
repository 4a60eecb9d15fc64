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
import { CONNECTION_CLOSED } from './interrupted-requests';

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
   * @param statusOf the HTTP status of a single response (2026-07-28: 404 for `-32601`, 400 for
   *   `-32021`); 200 when absent.
   */
  constructor(private readonly res: ServerResponse, private readonly batch: boolean, private readonly headers: Record<string, string> = {},
    private readonly statusOf?: (json: string) => number) {
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
    const status = !this.batch && this.parts.length === 1 && this.statusOf !== undefined ? this.statusOf(this.parts[0]) : 200;
    this.res.writeHead(status, { ...this.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    this.res.end(body);
  }
}

/** One stream of a session: where its messages go, and the requests it still has to answer. */
export class Channel {
  /** The HTTP response it writes to now; `undefined` while the client is away. */
  writer: SseStream | JsonReply | undefined;
  /** POST channels: the requests still to be answered on it, by key ({@link idKey}). */
  readonly awaiting = new Map<string, RequestId>();

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

  /**
   * Every request is answered: the POST's response ends (the SSE stream once what waits for drain
   * has gone out, so the last response is never dropped; the JSON is sent).
   */
  finish(): void {
    if (this.writer instanceof SseStream) this.writer.end();
    else this.writer?.close();
    this.writer = undefined;
  }
}

/**
 * A session's channels: its own stream (key 0) and one per POST that carries requests, found by
 * the requests they still have to answer.
 */
export class Channels {
  private readonly map = new Map<number, Channel>();
  /** Open POST channels by the key ({@link idKey}) of each request they still have to answer. */
  private readonly byRequest = new Map<string, Channel>();
  private next = 1;

  /** The channel `key`, if open. */
  get(key: number): Channel | undefined {
    return this.map.get(key);
  }

  /** The channel `key`, opened when missing. */
  ensure(key: number): Channel {
    let channel = this.map.get(key);
    if (channel === undefined) {
      channel = new Channel(key);
      this.map.set(key, channel);
    }
    return channel;
  }

  /** Opens the channel of a POST whose requests `requestIds` it answers on `writer`. */
  openRequest(writer: SseStream | JsonReply, requestIds: RequestId[]): Channel {
    const channel = this.ensure(this.next++);
    channel.writer = writer;
    for (const id of requestIds) {
      const key = idKey(id);
      channel.awaiting.set(key, id);
      this.byRequest.set(key, channel);
    }
    return channel;
  }

  /**
   * Where a message goes. `id` is a response's id, or the request a message is about. A response
   * goes to the POST channel of its request; a message about a request to that POST's channel
   * when it is an SSE stream; anything else to channel 0, but for a response when
   * `responsesOnOwnStream` is false (Streamable HTTP: never on the standalone GET stream).
   * @returns the channel, and for a response the request key it answers; `undefined` for nowhere.
   */
  route(isResponse: boolean, id: RequestId | undefined, responsesOnOwnStream: boolean): { channel: Channel; answers?: string } | undefined {
    // HTTP+SSE has no POST channels: the lookup is skipped on its hot path.
    if (id !== undefined && this.byRequest.size > 0) {
      const key = idKey(id);
      const channel = this.byRequest.get(key);
      if (channel !== undefined && isResponse) return { channel, answers: key };
      if (channel !== undefined && !channel.isJson) return { channel };
    }
    if (isResponse && !responsesOnOwnStream) return undefined;
    const own = this.map.get(0);
    return own === undefined ? undefined : { channel: own };
  }

  /** A response left on `channel`: a POST channel with nothing left to answer is done and ends. */
  answered(channel: Channel, key: string): void {
    this.byRequest.delete(key);
    if (!channel.awaiting.delete(key) || channel.awaiting.size > 0) return;
    this.map.delete(channel.key);
    channel.finish();
  }

  /**
   * `stream` ended: its channel loses its writer, and is forgotten when it cannot be resumed
   * (`keep` false): what would still go there has nowhere to go.
   * @returns the channel it belonged to, or `undefined`.
   */
  release(stream: SseStream, keep: boolean): Channel | undefined {
    for (const channel of this.map.values()) {
      if (channel.writer !== stream) continue;
      channel.writer = undefined;
      if (!keep) {
        this.map.delete(channel.key);
        for (const key of channel.awaiting.keys()) this.byRequest.delete(key);
      }
      return channel;
    }
    return undefined;
  }

  /** True while any channel has an open writer. */
  get streaming(): boolean {
    for (const channel of this.map.values()) if (channel.writer !== undefined) return true;
    return false;
  }

  /** Every open channel. */
  values(): IterableIterator<Channel> {
    return this.map.values();
  }

  /**
   * Ends every channel's HTTP response and forgets them all. A JSON reply still waiting for some
   * of its responses first gets `{ code: -32000, message: unanswered }` (the SDK's
   * `ConnectionClosed`) for each, so that its body answers what the POST carried (never `[]`).
   */
  closeAll(unanswered = 'Connection closed: the MCP session ended before the request was answered'): void {
    for (const channel of this.map.values()) {
      const reply = channel.jsonReply;
      if (reply !== undefined) {
        for (const id of channel.awaiting.values()) reply.add(JSON.stringify({ jsonrpc: '2.0', id, error: { code: CONNECTION_CLOSED, message: unanswered } }));
      }
      channel.writer?.close();
    }
    this.map.clear();
    this.byRequest.clear();
  }
}

