/**
 * The response writer: what a channel of a session writes its messages to (see channel.ts). Two
 * kinds implement it: `SseStream` (sse.ts), a `text/event-stream` response that carries any
 * JSON-RPC message as numbered events (WHATWG HTML "Server-sent events" 9.2; MCP "Transports"),
 * and `JsonReply` (json-reply.ts), the one `application/json` body that answers a POST in JSON
 * response mode (MCP 2025-03-26 onwards "Transports > Streamable HTTP > Sending Messages to the
 * Server"), which carries the responses to the POST's requests and nothing else.
 *
 * A leaf module: it imports nothing, so the writers, the channels, the session, the event log and
 * the protocol layer can all import it without a cycle.
 *
 * Never imports Node-RED.
 */

/**
 * One SSE event as its fields; sse.ts frames it (`formatEvent`). The writers take one for an event
 * that is no JSON-RPC message: the `endpoint` event, a priming event. `data` may hold any text:
 * each line of it becomes its own `data:` field.
 */
export interface SseEvent {
  /** Event type (`endpoint`, `message`); omitted means the client's default, `message`. */
  event?: string;
  /** Event id, which a reconnecting client echoes back in `Last-Event-ID`. */
  id?: string;
  /** Reconnection delay the client should use, in ms. */
  retry?: number;
  data: string;
}

/**
 * One notification sent to many sessions at once (a broadcast), serialised once. Every session's
 * replay ring keeps this object by reference, and every SSE stream writes the same bytes of it:
 * {@link sseFrame} is built by the first stream that writes it (sse.ts, the one place that frames
 * SSE), and then shared, never copied, by all the others.
 */
export class SharedMessage {
  /**
   * Its `event: message` frame as UTF-8 bytes; `undefined` until the first SSE stream writes it.
   * Only sse.ts sets it.
   */
  sseFrame: Buffer | undefined = undefined;

  /** @param json the notification as JSON text (from `JSON.stringify`: one line). */
  constructor(readonly json: string) {}
}

/**
 * Where a channel's messages go: one HTTP response, written by the session (see session.ts). It
 * says what it can carry ({@link responsesOnly}) and how it ends ({@link end} after what waits has
 * gone out, {@link close} now); nothing asks which class it is.
 */
export interface ResponseWriter {
  /**
   * What it carries. `false` (an SSE stream): any JSON-RPC message, as an event with an id when the
   * session numbers its events, and events that are no message (the priming event, the `endpoint`
   * event) and keep-alives. `true` (a JSON reply): the responses to the requests of its POST and
   * nothing else; they get no event id and no place in the replay ring, and whatever else is about
   * those requests takes the session's own stream.
   */
  readonly responsesOnly: boolean;
  /** True once the response has ended or its client has gone: writes are then dropped. */
  readonly closed: boolean;
  /** Messages waiting for the socket to drain (always 0 for a JSON reply). */
  readonly queued: number;
  /** Bytes (UTF-8) of the messages waiting for the socket to drain (always 0 for a JSON reply). */
  readonly queuedBytes: number;

  /**
   * Writes one JSON-RPC message: JSON text (from `JSON.stringify`, so one line), or a broadcast's
   * {@link SharedMessage}. An SSE stream sends it at once as `event: message`, preceded by
   * `id: <eventId>` when `eventId` is given (event ids are this package's own, `<sessionId>:<n>`:
   * never checked for line breaks), or queues it while the socket drains; a JSON reply adds it to
   * its body.
   * @throws TypeError from a JSON reply given a broadcast or an event id: it carries responses only.
   */
  writeMessage(message: string | SharedMessage, eventId?: string): void;

  /**
   * Writes an event that is no JSON-RPC message: the priming event (an id, empty data, `retry:`)
   * or the HTTP+SSE `endpoint` event.
   * @throws TypeError from a JSON reply: it carries responses only; from an SSE stream, when a
   *   field would forge others (see `formatEvent` in sse.ts).
   */
  writeEvent(event: SseEvent): void;

  /** Writes a keep-alive comment when the socket is idle; a JSON reply has nothing to keep alive. */
  keepAlive(): void;

  /**
   * The graceful end, once everything is said: an SSE stream ends once what waits for drain has
   * gone out, so a slow client still gets all of it; a JSON reply sends its body now. Writes after
   * it are dropped. Idempotent.
   */
  end(): void;

  /**
   * Ends now: an SSE stream drops what waits for drain and ends (its client sees the stream close,
   * not a reset); a JSON reply sends what it holds. Idempotent.
   */
  close(): void;
}
