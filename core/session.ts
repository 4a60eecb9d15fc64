/**
 * An MCP session: its id, the streams its messages go out on, the replay ring and its own timers
 * (MCP 2024-11-05 "Transports > HTTP with SSE": one stream per session; 2025-03-26 onwards
 * "Transports > Streamable HTTP": a response stream per POST that carries requests, and an
 * optional standalone GET stream).
 *
 * Which stream a message takes is decided here, from the message alone: a response goes on the
 * stream of the POST that carried its request; a message about a request (`related`) goes there
 * too while that stream is open; everything else goes on the session's own stream (channel 0). A
 * POST's stream closes once every request it carried is answered.
 *
 * Never imports Node-RED.
 */
import type { JsonRpcMessage, RequestId } from './jsonrpc';
import type { QueueLimits, SseStream, StreamOwner } from './sse';
import type { ResponseWriter, SharedMessage, SseEvent } from './response-writer';
import { SessionEvents } from './event-log';
import { Channels } from './channel';
import type { ReplyDestination, TransportKind } from './reply-destination';

/** Why a session ended, as reported to listeners and flows. */
export type CloseReason = 'client-disconnected' | 'server-closed' | 'endpoint-closed' | 'queue-overflow' | 'idle-timeout' | 'client-deleted' | 'evicted';

export type { TransportKind } from './reply-destination';

/** The facts about a session that are safe to show and copy: no sockets. */
export interface SessionInfo {
  id: string;
  /** The endpoint (in Node-RED, the config node id) the session belongs to. */
  endpointId: string;
  transport: TransportKind;
  /** Epoch ms when the session opened. */
  createdAt: number;
  /** Messages sent to the client so far. */
  sent: number;
  /** Messages waiting for the socket to drain. */
  queued: number;
  /** Bytes of the frames waiting for the socket to drain. */
  queuedBytes: number;
}

/** What a session needs from whoever opened it. */
export interface SessionOptions {
  transport: TransportKind;
  /** Bounds of each stream's push queue. */
  queueLimits: QueueLimits;
  /** Ms the session outlives a dropped stream, for the client to resume; 0 turns resumption off. */
  resumeGraceMs: number;
  /** Message events kept for replay while resumption is on. */
  replayEvents: number;
  /** HTTP+SSE: the session ends with its stream (after the grace period when resumable). */
  endsWithStream: boolean;
  /** Called once when the session ends, with the reason. */
  onClose(session: Session, reason: CloseReason): void;
  /** Hears why the session closed on its own (queue overflow, idle): a sentence to log. */
  onWarning(text: string): void;
  /**
   * Hears that the session may have nothing open any more: a stream of it ended, or a POST's
   * last response went out, and no stream of it is open now (see `idle-sessions.ts`).
   */
  onQuiet?(session: Session): void;
}

/**
 * One client session. Pushing is event-driven: a message is serialised once and handed at once to
 * the writer of its stream ({@link ResponseWriter}: an {@link SseStream} or a JSON reply); there
 * is no timer on the push path.
 */
export class Session implements StreamOwner, ReplyDestination {
  /** Epoch ms when the session was created. */
  readonly createdAt = Date.now();
  readonly transport: TransportKind;
  /**
   * The protocol version the client speaks: the one its `initialize` asked for, if this server
   * speaks it, until the answer to `initialize` names the one agreed.
   */
  protocolVersion?: string;
  /** The id of the client's `initialize` while it waits for its answer (see {@link protocolVersion}). */
  initializeId?: RequestId;
  private lastActivity = Date.now();
  private closedReason: CloseReason | undefined;
  /** Unnumbered events sent (the HTTP+SSE `endpoint` event). */
  private framesSent = 0;
  private readonly events: SessionEvents;
  private readonly channels = new Channels();
  private graceTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * @param id cryptographically random session id (a v4 UUID).
   * @param endpointId the endpoint the session belongs to.
   */
  constructor(readonly id: string, readonly endpointId: string, private readonly options: SessionOptions) {
    this.transport = options.transport;
    this.events = new SessionEvents(id, options.resumeGraceMs > 0 ? options.replayEvents : 0, this.transport === 'sse');
  }

  /** True once the session has ended; sending to it then throws. */
  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** True while the session's own stream (channel 0) is open. */
  get attached(): boolean {
    return this.channels.get(0)?.writer !== undefined;
  }

  /** The queue bounds every stream of this session gets. */
  get queueLimits(): QueueLimits {
    return this.options.queueLimits;
  }

  /** Makes `stream` the session's own stream: the HTTP+SSE stream, or the standalone GET stream. */
  attach(stream: SseStream): void {
    this.channels.ensure(0).writer = stream;
    this.stopGrace();
  }

  /**
   * Streamable HTTP: opens the channel of a POST that carries requests; their responses, and what
   * the flow sends about them (unless `writer` carries responses only: a JSON reply), go on
   * `writer`, which ends once every one is answered.
   * @param primeRetryMs when set, the session is resumable and `writer` carries more than
   *   responses, the stream starts with a priming event (an event id and empty data, 2025-11-25
   *   "Resumability and Redelivery"), so a client cut off before any message can resume; `retry:`
   *   is sent with it when above 0.
   */
  openRequestChannel(writer: ResponseWriter, requestIds: RequestId[], primeRetryMs?: number): void {
    const channel = this.channels.openRequest(writer, requestIds);
    if (primeRetryMs !== undefined && !writer.responsesOnly) this.events.prime(channel.key, writer, primeRetryMs);
  }

  /**
   * Serialises one JSON-RPC message and sends it on its stream (see the module comment), or keeps
   * it in the replay ring while that stream waits for its client to reconnect.
   * @param related the client request the message is about (progress, logging, a server request).
   * @returns false when it has no stream to go on (the client closed it and cannot resume).
   * @throws SessionClosedError when the session has ended.
   * @throws TypeError when the message cannot be serialised as JSON (a cycle, a BigInt).
   */
  send(message: JsonRpcMessage, related?: RequestId): boolean {
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    const json = JSON.stringify(message);
    const isResponse = !('method' in message) && message.id !== null;
    const route = this.channels.route(isResponse, isResponse ? message.id as RequestId : related, this.transport === 'sse');
    if (route === undefined) return false;
    const { channel, answers } = route;
    const writer = channel.writer;
    // A writer that carries responses only (a JSON reply) is no event stream: no event id, no replay.
    if (writer !== undefined && writer.responsesOnly) writer.writeMessage(json);
    else this.events.emit(channel.key, json, writer);
    this.touch();
    if (answers !== undefined) {
      this.channels.answered(channel, answers);
      this.quiet();
    }
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    return true;
  }

  /**
   * Sends a notification serialised once for many sessions (a broadcast) on the session's own
   * stream, numbered and kept for replay like any message: its stream writes it after this
   * session's own `id:` line, and every stream writes the same frame, by reference, never copied
   * (see {@link SharedMessage}).
   * @returns false when the session has no stream of its own.
   * @throws SessionClosedError when the session has ended.
   */
  sendShared(message: SharedMessage): boolean {
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    const channel = this.channels.get(0);
    if (channel === undefined) return false;
    this.events.emit(channel.key, message, channel.writer);
    return true;
  }

  /**
   * Sends an event that is no JSON-RPC message (the HTTP+SSE `endpoint` event) on the session's
   * own stream, unnumbered and not kept for replay.
   * @throws SessionClosedError when the session has ended; TypeError when a field of `event`
   *   would forge others (see `formatEvent` in sse.ts).
   */
  sendEvent(event: SseEvent): void {
    if (this.closedReason !== undefined) throw new SessionClosedError(this.id);
    this.channels.get(0)?.writer?.writeEvent(event);
    this.framesSent++;
  }

  /**
   * True when the session can be resumed after event `lastSeq`: it is open, resumable, and its
   * replay ring still holds every event after `lastSeq` and knows the stream it belongs to.
   */
  canResume(lastSeq: number): boolean {
    return this.closedReason === undefined && this.events.missed(lastSeq) !== undefined;
  }

  /**
   * Resumes the stream that event `lastSeq` went out on, on a new `stream`: `first` (the HTTP+SSE
   * `endpoint` event) first, then every message event of that stream after `lastSeq`, in order,
   * then live messages. A POST stream that has answered everything closes after the replay.
   * @returns false, changing nothing, when the session cannot be resumed there ({@link canResume}).
   */
  resume(stream: SseStream, lastSeq: number, first?: SseEvent): boolean {
    const missed = this.closedReason === undefined ? this.events.missed(lastSeq) : undefined;
    if (missed === undefined) return false;
    const channel = this.channels.get(missed.stream);
    const previous = channel?.writer;
    if (channel !== undefined) channel.writer = stream;
    if (previous !== undefined && previous !== stream) previous.close();
    this.stopGrace();
    if (first !== undefined) stream.writeEvent(first);
    for (const event of missed.events) this.events.write(stream, event);
    if (channel === undefined) stream.close();
    return true;
  }

  /** {@link StreamOwner}: a stream ended. The session may end with it, or wait for a resume. */
  onStreamClosed(stream: SseStream): void {
    if (this.closedReason !== undefined) return;
    const channel = this.channels.release(stream, this.events.resumable);
    if (channel?.key === 0 && this.options.endsWithStream) {
      if (!this.events.resumable) {
        this.close('client-disconnected');
        return;
      }
      this.startGrace();
    }
    this.quiet();
  }

  /** Tells the owner when no stream of the session is open ({@link SessionOptions.onQuiet}). */
  private quiet(): void {
    if (this.options.onQuiet !== undefined && this.closedReason === undefined && !this.channels.streaming) this.options.onQuiet(this);
  }

  /** {@link StreamOwner}: a client that does not read its stream has made the queue overflow. */
  onQueueOverflow(_stream: SseStream, detail: string): void {
    this.options.onWarning(`MCP session ${this.id} closed: ${detail}`);
    this.close('queue-overflow');
  }

  /** Writes a keep-alive comment on every open stream of the session. */
  keepAlive(): void {
    for (const channel of this.channels.values()) channel.writer?.keepAlive();
  }

  /** Records activity (a message either way), which restarts the idle clock. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Ms since the last message either way (or since the session opened). */
  idleFor(now = Date.now()): number {
    return now - this.lastActivity;
  }

  /** True while any stream of the session is open. */
  get streaming(): boolean {
    return this.channels.streaming;
  }

  /**
   * Closes the session with `idle-timeout` once no message went either way for `idleMs` (an
   * explicit limit: logged as a warning), or for `streamlessMs` while it has no open stream (the
   * normal end of a Streamable HTTP session whose client left without DELETE: not logged). 0 turns
   * either off. One timer, re-armed only when it fires.
   */
  expireWhenIdle(idleMs: number, streamlessMs: number): void {
    const idleLimit = idleMs > 0 ? idleMs : Infinity;
    const streamlessLimit = streamlessMs > 0 ? streamlessMs : Infinity;
    if (idleLimit === Infinity && streamlessLimit === Infinity) return;
    const check = (): void => {
      const idle = this.idleFor();
      if (idle >= idleLimit) {
        this.options.onWarning(`MCP session ${this.id} closed: no message either way for ${idleMs / 1000} s`);
        this.close('idle-timeout');
      } else if (idle >= streamlessLimit && !this.streaming) {
        this.close('idle-timeout');
      } else {
        // The next moment a limit can be due; while a stream keeps the session, one period on.
        const next = Math.min(idleLimit, streamlessLimit) - idle;
        this.idleTimer = setTimeout(check, next > 0 ? next : streamlessLimit);
        this.idleTimer.unref();
      }
    };
    this.idleTimer = setTimeout(check, Math.min(idleLimit, streamlessLimit));
    this.idleTimer.unref();
  }

  private startGrace(): void {
    this.stopGrace();
    this.graceTimer = setTimeout(() => this.close('client-disconnected'), this.options.resumeGraceMs);
    this.graceTimer.unref();
  }

  private stopGrace(): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  /**
   * Ends the session: closes its streams cleanly and drops what was still queued. Idempotent; the
   * `onClose` callback runs once, with the first reason given.
   */
  close(reason: CloseReason): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.stopGrace();
    clearTimeout(this.idleTimer);
    this.events.clear();
    this.channels.closeAll(`Connection closed: the MCP session ended (${reason}) before the request was answered`);
    this.options.onClose(this, reason);
  }

  /** A copy of the session's public facts, safe to put in a msg. */
  info(): SessionInfo {
    let queued = 0;
    let queuedBytes = 0;
    for (const channel of this.channels.values()) {
      queued += channel.writer?.queued ?? 0;
      queuedBytes += channel.writer?.queuedBytes ?? 0;
    }
    return { id: this.id, endpointId: this.endpointId, transport: this.transport, createdAt: this.createdAt, sent: this.framesSent + this.events.written, queued, queuedBytes };
  }

  /** What the Node-RED Context sidebar and `JSON.stringify` show: the public facts, no socket. */
  toJSON(): SessionInfo {
    return this.info();
  }
}

/** Thrown when a message is sent to a session that has ended. */
export class SessionClosedError extends Error {
  constructor(readonly sessionId: string) {
    super(`MCP session ${sessionId} is closed`);
    this.name = 'SessionClosedError';
  }
}

/** Thrown by `McpEndpoint.send` for a session that is not open on its endpoint (nor, several instances serving it, on any). */
export class SessionNotFoundError extends Error {
  constructor(readonly sessionId: string) {
    super(`MCP session ${sessionId} is closed or unknown: the client has disconnected`);
    this.name = 'SessionNotFoundError';
  }
}
