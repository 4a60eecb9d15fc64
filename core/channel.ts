/**
 * The streams of a session as the protocol sees them (MCP 2025-03-26 onwards "Transports >
 * Streamable HTTP > Sending Messages to the Server"): channel 0 is the session's own stream (the
 * HTTP+SSE stream, or the standalone GET stream); every POST that carries requests gets a channel
 * of its own, answered as an SSE stream or, in JSON response mode, as one `application/json` body.
 * A channel keeps its key while its HTTP response is gone, so a client can resume it.
 *
 * Never imports Node-RED.
 */
import { CONNECTION_CLOSED, type RequestId } from './jsonrpc';
import type { ResponseWriter } from './response-writer';

/** The key of a request id in maps: a number id 1 and a string id "1" are different ids. */
export function idKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}

/** One stream of a session: where its messages go, and the requests it still has to answer. */
class Channel {
  /** The HTTP response it writes to now (an SSE stream, or a JSON reply); `undefined` while the client is away. */
  writer: ResponseWriter | undefined;
  /** POST channels: the requests still to be answered on it, by key ({@link idKey}). */
  readonly awaiting = new Map<string, RequestId>();

  /** @param key 0 for the session's own stream, 1, 2, ... for POST streams. */
  constructor(readonly key: number) {}

  /**
   * Every request is answered: the POST's response ends gracefully (an SSE stream once what waits
   * for drain has gone out, so the last response is never dropped; a JSON reply sends its body).
   */
  finish(): void {
    this.writer?.end();
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
  openRequest(writer: ResponseWriter, requestIds: RequestId[]): Channel {
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
   * unless its writer carries responses only (a JSON reply); anything else to channel 0, but for a
   * response when `responsesOnOwnStream` is false (Streamable HTTP: never on the standalone GET
   * stream).
   * @returns the channel, and for a response the request key it answers; `undefined` for nowhere.
   */
  route(isResponse: boolean, id: RequestId | undefined, responsesOnOwnStream: boolean): { channel: Channel; answers?: string } | undefined {
    // HTTP+SSE has no POST channels: the lookup is skipped on its hot path.
    if (id !== undefined && this.byRequest.size > 0) {
      const key = idKey(id);
      const channel = this.byRequest.get(key);
      if (channel !== undefined && isResponse) return { channel, answers: key };
      if (channel !== undefined && channel.writer?.responsesOnly !== true) return { channel };
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
  release(stream: ResponseWriter, keep: boolean): Channel | undefined {
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
   * Ends every channel's HTTP response now and forgets them all. A writer that carries responses
   * only (a JSON reply) still waiting for some of its responses first gets `{ code: -32000,
   * message: unanswered }` (the SDK's `ConnectionClosed`) for each, so that its body answers what
   * the POST carried (never `[]`); an SSE stream just ends, which its client sees.
   */
  closeAll(unanswered = 'Connection closed: the MCP session ended before the request was answered'): void {
    for (const channel of this.map.values()) {
      const writer = channel.writer;
      if (writer === undefined) continue;
      if (writer.responsesOnly) {
        for (const id of channel.awaiting.values()) writer.writeMessage(JSON.stringify({ jsonrpc: '2.0', id, error: { code: CONNECTION_CLOSED, message: unanswered } }));
      }
      writer.close();
    }
    this.map.clear();
    this.byRequest.clear();
  }
}
