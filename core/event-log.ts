/**
 * Event ids and the replay ring of a session's streams (WHATWG HTML "Server-sent events" 9.2.4:
 * the `id` field and `Last-Event-ID`; MCP 2024-11-05 "Transports > HTTP with SSE", and 2025-03-26
 * onwards "Transports > Streamable HTTP > Resumability and Redelivery").
 *
 * Every `event: message` a session sends carries `id: <sessionId>:<seq>`: the session id (a UUID,
 * which has no `:`) and a sequence number that starts at 1 for the first message and goes up by
 * one per message, across all the session's streams, so an id is unique in its session (the
 * HTTP+SSE `endpoint` event is `<sessionId>:0`). A reconnecting client sends the id of the last
 * event it received as `Last-Event-ID`; the id alone names the session, the stream (the ring
 * remembers which stream each event went out on) and the point to replay from.
 *
 * Never imports Node-RED.
 */
import { isWellFormedSessionId } from './session-id';
import type { ResponseWriter, SharedMessage } from './response-writer';

/** The parts of an event id this package issued. */
interface EventId {
  sessionId: string;
  /** 0 for the `endpoint` event, then 1, 2, ... for each `event: message`. */
  seq: number;
}

const SEQ = /^(0|[1-9][0-9]{0,15})$/;

/** The event id of event `seq` of a session: `<sessionId>:<seq>`. */
export function formatEventId(sessionId: string, seq: number): string {
  return `${sessionId}:${seq}`;
}

/**
 * Reads a `Last-Event-ID` header value. Returns `undefined` for anything this package did not
 * issue (not a v4 UUID, a sequence number over 2^53), which the transports answer with 400.
 */
export function parseEventId(value: string): EventId | undefined {
  const text = value.trim();
  const colon = text.lastIndexOf(':');
  const sessionId = text.slice(0, colon);
  const seqText = text.slice(colon + 1);
  if (colon === -1 || !SEQ.test(seqText) || !isWellFormedSessionId(sessionId)) return undefined;
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq)) return undefined;
  return { sessionId, seq };
}

/** One recorded event: its sequence number, its stream and its message (the writer frames it). */
interface LoggedEvent {
  seq: number;
  /** The stream it went out on (0: the session's own stream; see session.ts). */
  stream: number;
  /**
   * The JSON-RPC message as JSON text; a broadcast's {@link SharedMessage}, shared by reference by
   * every session it went to; `''` for a priming event, which carries no message and is never
   * replayed.
   */
  message: string | SharedMessage;
}

/**
 * The last `capacity` message events of one session, oldest first, so that a client that
 * reconnects with `Last-Event-ID` gets every event it missed. Appending past the capacity drops the
 * oldest event. A broadcast's message is shared, not copied, by the rings of all its sessions.
 */
export class EventLog {
  private readonly ring: Array<LoggedEvent | undefined>;
  private start = 0;
  private size = 0;

  /** @param capacity the most events kept (at least 1). */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('EventLog capacity must be an integer >= 1');
    this.ring = new Array<LoggedEvent | undefined>(capacity);
  }

  /** Records an event; drops the oldest when full. */
  append(event: LoggedEvent): void {
    if (this.size < this.capacity) {
      this.ring[(this.start + this.size) % this.capacity] = event;
      this.size++;
    } else {
      this.ring[this.start] = event;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** The number of events kept. */
  get length(): number {
    return this.size;
  }

  /**
   * The events after `seq`, oldest first, or `undefined` when some of them were already dropped
   * (the client missed more than the ring holds and cannot be resumed faithfully).
   * @param seq the sequence number of the last event the client received.
   * @param lastSeq the sequence number of the last event the session sent.
   */
  after(seq: number, lastSeq: number): LoggedEvent[] | undefined {
    if (seq > lastSeq) return undefined;
    if (seq === lastSeq) return [];
    const missed = lastSeq - seq;
    if (missed > this.size) return undefined;
    const out: LoggedEvent[] = [];
    for (let i = this.size - missed; i < this.size; i++) out.push(this.ring[(this.start + i) % this.capacity] as LoggedEvent);
    return out;
  }

  /** The event with sequence number `seq`, when the ring still holds it. */
  find(seq: number): LoggedEvent | undefined {
    if (this.size === 0) return undefined;
    const first = (this.ring[this.start] as LoggedEvent).seq;
    const i = seq - first;
    return i < 0 || i >= this.size ? undefined : this.ring[(this.start + i) % this.capacity];
  }

  /** Forgets every event. */
  clear(): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.size = 0;
  }
}

/**
 * The message events of one session, across its streams: numbering, the replay ring while the
 * session is resumable, and handing each message to its stream's writer with its event id.
 */
export class SessionEvents {
  /** Sequence number of the last event numbered; 0 before the first. */
  private seq = 0;
  private readonly ring: EventLog | undefined;
  /** Events written to a stream so far. */
  written = 0;

  /**
   * @param sessionId the session the ids name.
   * @param capacity events kept for replay; 0 makes the session not resumable.
   * @param alwaysIds write `id:` lines even when not resumable (HTTP+SSE always numbers its
   *   events; Streamable HTTP only when a client can resume, so that none tries in vain).
   */
  constructor(private readonly sessionId: string, capacity: number, private readonly alwaysIds: boolean) {
    if (capacity > 0) this.ring = new EventLog(capacity);
  }

  /** True when events are kept for a client to resume. */
  get resumable(): boolean {
    return this.ring !== undefined;
  }

  /**
   * Numbers a message of stream `stream` (JSON text, or a broadcast's {@link SharedMessage}), keeps
   * it for replay, and writes it to `writer` when the stream is there.
   */
  emit(stream: number, message: string | SharedMessage, writer: ResponseWriter | undefined): void {
    const event: LoggedEvent = { seq: ++this.seq, stream, message };
    this.ring?.append(event);
    // While the stream is dropped the replay ring alone holds what is pushed.
    if (writer !== undefined) this.write(writer, event);
  }

  /**
   * Starts a resumable stream with a priming event (an event id and empty data, MCP 2025-11-25
   * "Resumability and Redelivery"), so a client cut off before any message can resume; `retry:`
   * goes with it when `retryMs` is above 0. Does nothing when the session is not resumable.
   */
  prime(stream: number, writer: ResponseWriter, retryMs: number): void {
    if (this.ring === undefined) return;
    const seq = ++this.seq;
    // Kept so that a resume from this id finds its stream; replay skips it (no message).
    this.ring.append({ seq, stream, message: '' });
    writer.writeEvent({ id: formatEventId(this.sessionId, seq), ...(retryMs > 0 ? { retry: retryMs } : {}), data: '' });
  }

  /**
   * What a client that last received event `lastSeq` missed: the stream that event went out on
   * (0 for the HTTP+SSE `endpoint` event) and its later events, oldest first; `undefined` when the
   * ring no longer holds them all, or `lastSeq` is not an event of this session.
   */
  missed(lastSeq: number): { stream: number; events: LoggedEvent[] } | undefined {
    const after = this.ring?.after(lastSeq, this.seq);
    const stream = lastSeq === 0 ? 0 : this.ring?.find(lastSeq)?.stream;
    if (after === undefined || stream === undefined) return undefined;
    return { stream, events: after.filter((event) => event.stream === stream && event.message !== '') };
  }

  /** Writes one event's message to `writer`, with its event id `<sessionId>:<seq>` unless ids are off. */
  write(writer: ResponseWriter, event: LoggedEvent): void {
    this.written++;
    writer.writeMessage(event.message, this.ring === undefined && !this.alwaysIds ? undefined : formatEventId(this.sessionId, event.seq));
  }

  /** Forgets every kept event. */
  clear(): void {
    this.ring?.clear();
  }
}

