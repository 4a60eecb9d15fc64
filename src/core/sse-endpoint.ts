/**
 * The HTTP+SSE transport of MCP 2024-11-05 ("Transports > HTTP with SSE"), server side, for one
 * endpoint: a GET that opens a session's SSE stream and announces where to POST, and a POST that
 * takes the client's JSON-RPC messages for a session.
 *
 * Never imports Node-RED: usable with plain `node:http` (see the unit tests) and with Express.
 */
import type { IncomingMessage, IncomingHttpHeaders, ServerResponse } from 'node:http';
import { classifyMessage, ErrorCode, isValidId, type JsonRpcMessage, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse, type MessageKind, type RequestId } from './jsonrpc';
import {
  BodyError, isJsonContentType, jsonDepthExceeds, MAX_JSON_DEPTH, readBodyText, sendJsonRpcError, sendMethodNotAllowed,
  TransportErrorCode, valueDepthExceeds,
} from './http';
import { isWellFormedSessionId, type SessionRegistry } from './registry';
import { formatEvent, SseStream } from './sse';
import type { CloseReason, QueueLimits, Session } from './session';
import { formatEventId, parseEventId } from './event-log';
import { PendingRequests } from './pending-requests';
import { ClientRequests } from './client-requests';
import { broadcastMessage } from './server-push';
import { checkRequest, type SecurityOptions } from './security';
import { DEFAULT_HOLD_MAX, DEFAULT_HOLD_MS, HeldListeners } from './held-listeners';

/** Settings of one endpoint. */
export interface SseEndpointOptions {
  /** Endpoint id; in Node-RED, the config node's id. */
  id: string;
  /** The registry the endpoint's sessions live in. */
  registry: SessionRegistry;
  /**
   * The URL announced in the `endpoint` event, before `?sessionId=`: normally an absolute path
   * that includes any mount prefix (Node-RED's `httpNodeRoot`), e.g. `/sse/message`.
   */
  messageUrl: string;
  /** Interval between keep-alive comments on every open stream, in ms; 0 turns them off. Default 15000. */
  keepAliveMs?: number;
  /** Largest POST body accepted, in bytes; larger gets 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /**
   * How long a session outlives a dropped stream, waiting for the client to reconnect with
   * `Last-Event-ID`, in ms; 0 (the default) ends the session when its stream drops.
   */
  resumeGraceMs?: number;
  /** Message events kept per session for replay on resumption. Default 256. */
  replayEvents?: number;
  /** The `retry:` sent with the `endpoint` event: how soon a client reconnects, in ms. Default 1000; 0 sends none. */
  retryMs?: number;
  /** `Host`/`Origin` allow-lists and authentication, checked on both routes. Default: see {@link SecurityOptions}. */
  security?: SecurityOptions;
  /** Most open sessions; one more GET gets 503 with `Retry-After`. Default 1000. */
  maxSessions?: number;
  /** Bounds of each session's push queue. Default 1000 messages, 8 MiB. */
  queueLimits?: Partial<QueueLimits>;
  /** A session with no message either way for this long (ms) is closed with `idle-timeout`; 0 (default) never. */
  idleTimeoutMs?: number;
}

/** One client message handed to the endpoint's listeners after the POST was accepted. */
export interface InboundMessage {
  session: Session;
  kind: MessageKind;
  message: JsonRpcMessage;
}

/** A session that opened or closed, for the endpoint's listeners. */
export interface SessionEvent {
  session: Session;
  /** The headers of the GET that opened the stream. */
  headers: IncomingHttpHeaders;
  /** Set on close. */
  reason?: CloseReason;
}

type Listener<T> = (event: T) => void;

/** A set of listeners; `add` returns the function that removes the listener again. */
class Listeners<T> {
  private readonly set = new Set<Listener<T>>();
  add(listener: Listener<T>): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(event: T): void {
    for (const listener of this.set) listener(event);
  }
  get size(): number {
    return this.set.size;
  }
}

export const DEFAULT_KEEP_ALIVE_MS = 15_000;
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_REPLAY_EVENTS = 256;
export const DEFAULT_RETRY_MS = 1000;
export const DEFAULT_MAX_SESSIONS = 1000;
/** Seconds a client is told to wait (`Retry-After`) when the endpoint is full. */
export const RETRY_AFTER_S = 5;

/**
 * One HTTP+SSE endpoint. `handleSseRequest` and `handlePostMessage` are plain
 * `(req, res) => void` handlers; listeners hear of sessions opening and closing and of every
 * accepted client message.
 *
 * Keep-alive: one timer per endpoint, running only while it has open sessions, writes a `: ping`
 * comment to every stream each `keepAliveMs`.
 */
export class SseEndpoint {
  readonly id: string;
  readonly registry: SessionRegistry;
  private readonly messageUrl: string;
  private readonly keepAliveMs: number;
  readonly maxBodyBytes: number;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  /** This endpoint's open sessions, with the headers of the GET that opened each. */
  private readonly open = new Map<string, { session: Session; headers: IncomingHttpHeaders }>();
  private closed = false;
  private readonly security: SecurityOptions;
  readonly maxSessions: number;
  private readonly queueLimits: Partial<QueueLimits>;
  private readonly idleTimeoutMs: number;
  private idleTimer: NodeJS.Timeout | undefined;

  /** Hears of every session that opens. */
  readonly sessionOpened = new Listeners<SessionEvent>();
  /** Hears of every session that closes, with the reason. */
  readonly sessionClosed = new Listeners<SessionEvent>();
  /**
   * Hears of every valid JSON-RPC message a client POSTs, in the order they arrive. A message
   * accepted while no listener is there (a redeploy of the consumer) is held up to 3 s for the next.
   */
  readonly messageReceived = new HeldListeners<InboundMessage>(DEFAULT_HOLD_MS, DEFAULT_HOLD_MAX, ({ session, message }) =>
    this.warning.emit(`MCP message ${'method' in message ? message.method : 'response'} of session ${session.id} dropped: nothing consumed it within ${DEFAULT_HOLD_MS / 1000} s`));
  /** Hears of every session whose stream dropped and which now waits for the client to reconnect. */
  readonly sessionDetached = new Listeners<SessionEvent>();
  /** Hears of every session a client resumed with `Last-Event-ID` (headers: those of the new GET). */
  readonly sessionResumed = new Listeners<SessionEvent>();

  /** Server-initiated requests of this endpoint's sessions waiting for the client's response. */
  readonly pending = new PendingRequests();
  /** Client requests of this endpoint's sessions that flows are working on (progress, cancellation). */
  readonly clientRequests = new ClientRequests();
  private readonly resumeGraceMs: number;
  private readonly replayEvents: number;
  private readonly retryMs: number;
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Hears why the endpoint closed a session on its own (queue overflow, idle timeout): a sentence to log. */
  readonly warning = new Listeners<string>();

  constructor(options: SseEndpointOptions) {
    this.id = options.id;
    this.registry = options.registry;
    this.messageUrl = options.messageUrl;
    this.keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.resumeGraceMs = options.resumeGraceMs ?? 0;
    this.replayEvents = options.replayEvents ?? DEFAULT_REPLAY_EVENTS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.security = { ...options.security };
    const header = this.security.authHeader?.trim() ?? '';
    if (header !== '' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
      throw new TypeError(`The authentication header name ${JSON.stringify(header)} is not a valid HTTP header name`);
    }
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.queueLimits = { ...options.queueLimits };
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
  }

  /**
   * Runs the `Host`, `Origin` and authentication checks; answers 403 or 401 and returns false
   * when one fails.
   */
  private admitted(req: IncomingMessage, res: ServerResponse): boolean {
    const failure = checkRequest(req, this.security);
    if (failure === undefined) return true;
    sendJsonRpcError(res, failure.status, TransportErrorCode.BadRequest, failure.message, null, failure.headers);
    return false;
  }

  /** The number of open sessions of this endpoint. */
  get sessionCount(): number {
    return this.open.size;
  }

  /**
   * GET on the SSE path: opens a session and its `text/event-stream` (200), and sends the
   * `endpoint` event whose data is `<messageUrl>?sessionId=<id>`. The session ends when the
   * client disconnects or the endpoint closes.
   *
   * Refused, each with a JSON-RPC error body: 405 (with `Allow`) any method but GET; 403 a `Host`
   * or `Origin` not allowed; 401 (with `WWW-Authenticate`) a missing or wrong secret; 503 once
   * the endpoint is closed, and 503 with `Retry-After` when it has `maxSessions` open sessions.
   */
  handleSseRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') {
      sendMethodNotAllowed(res, req.method, ['GET']);
      return;
    }
    if (!this.admitted(req, res)) return;
    if (this.closed) {
      sendJsonRpcError(res, 503, TransportErrorCode.BadRequest, 'This MCP endpoint is shutting down');
      return;
    }
    const lastEventId = req.headers['last-event-id'];
    if (this.resumeGraceMs > 0 && lastEventId !== undefined && lastEventId !== '') {
      this.resumeSession(req, res);
      return;
    }
    if (this.open.size >= this.maxSessions) {
      sendJsonRpcError(res, 503, TransportErrorCode.BadRequest,
        `This MCP endpoint has its maximum of ${this.maxSessions} open sessions; try again later`, null,
        { 'Retry-After': String(RETRY_AFTER_S) });
      return;
    }
    const session = this.registry.create(this.id, (ended, reason) => this.onSessionClosed(ended, reason));
    if (this.resumeGraceMs > 0) session.keepEvents(this.replayEvents);
    const stream = new SseStream(
      res,
      () => this.onStreamClosed(session, stream),
      () => session.drain(),
    );
    session.attach(stream);
    session.limitQueue(this.queueLimits, (full, detail) =>
      this.warning.emit(`MCP session ${full.id} closed: ${detail}`));
    this.open.set(session.id, { session, headers: req.headers });
    session.sendFrame(this.endpointEvent(session, true));
    this.startKeepAlive();
    this.startIdleSweep();
    this.sessionOpened.emit({ session, headers: req.headers });
  };

  /**
   * POST on the message path: takes one JSON-RPC message (or a non-empty batch) for the session
   * named by the `sessionId` query parameter, answers `202 Accepted`, then hands each message to
   * the listeners. Nothing reaches the listeners unless the whole POST is valid.
   *
   * Errors, each with a JSON-RPC error body (`"id": null` unless the message's id was readable):
   * 405 any method but POST; 403 and 401 as for the SSE request; 415 a `Content-Encoding` (gzip...);
   * 400 with `-32600` JSON nested deeper than {@link MAX_JSON_DEPTH} levels; 400 missing or malformed `sessionId`; 404 no such open session on this endpoint; 415 a
   * `Content-Type` other than JSON; 413 a body over `maxBodyBytes`; 400 with `-32700` a body that
   * is not JSON; 400 with `-32600` JSON that is not a JSON-RPC message.
   */
  handlePostMessage = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') {
      sendMethodNotAllowed(res, req.method, ['POST']);
      return;
    }
    if (!this.admitted(req, res)) return;
    const session = this.sessionFor(req, res);
    if (session === undefined) return;
    if (!isJsonContentType(req.headers['content-type'])) {
      sendJsonRpcError(res, 415, TransportErrorCode.BadRequest,
        `Content-Type must be application/json, not ${req.headers['content-type'] ?? 'missing'}`);
      return;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      sendJsonRpcError(res, 415, TransportErrorCode.BadRequest,
        `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported: send the JSON body uncompressed`);
      return;
    }
    const preParsed = (req as IncomingMessage & { body?: unknown }).body;
    if (req.readableEnded && preParsed !== undefined) {
      // Middleware in front (a body parser) has read and parsed the body already.
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > this.maxBodyBytes) {
        sendJsonRpcError(res, 413, TransportErrorCode.BadRequest, `Request body is ${declared} bytes; the limit is ${this.maxBodyBytes} bytes`);
      } else if (valueDepthExceeds(preParsed, MAX_JSON_DEPTH)) {
        sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      } else {
        this.acceptParsed(session, preParsed, res);
      }
      return;
    }
    readBodyText(req, this.maxBodyBytes, SseEndpoint.onPostBody, { endpoint: this, session, res });
  };

  /** Where a POST's body goes once read: a fixed function, so a POST allocates no closures. */
  private static onPostBody(post: PendingPost, error: BodyError | undefined, text: string | undefined): void {
    if (error === undefined) {
      post.endpoint.acceptBody(post.session, text as string, post.res);
    } else {
      sendJsonRpcError(post.res, error.status, TransportErrorCode.BadRequest, error.message, null,
        error.status === 413 ? { Connection: 'close' } : {});
    }
  }

  /**
   * The `endpoint` event: data `<messageUrl>?sessionId=<id>`, `retry:` (when set), and on a new
   * session the id `<sessionId>:0`, so that a client cut off before any message can still resume.
   * On a resumed session it carries no id, so the client's `Last-Event-ID` stays where it was.
   */
  private endpointEvent(session: Session, withId: boolean): string {
    const separator = this.messageUrl.includes('?') ? '&' : '?';
    return formatEvent({
      event: 'endpoint',
      ...(withId ? { id: formatEventId(session.id, 0) } : {}),
      ...(this.retryMs > 0 ? { retry: this.retryMs } : {}),
      data: `${this.messageUrl}${separator}sessionId=${session.id}`,
    });
  }

  /**
   * GET with `Last-Event-ID` (resumption on): gives the client its session back on a new stream,
   * re-sends the `endpoint` event and replays every message event after the id, in order, then
   * the stream continues. 400 when the id is not one this package issued; 404 when the session is
   * gone (its grace period ended), belongs to another endpoint, was opened with other credentials
   * (`Authorization`, `Cookie`: knowing a session id must not be enough to read its stream), or
   * missed more events than its replay ring holds (the session is then closed: it cannot be
   * resumed faithfully).
   */
  private resumeSession(req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers['last-event-id'];
    const eventId = typeof header === 'string' ? parseEventId(header) : undefined;
    if (eventId === undefined) {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, 'Malformed Last-Event-ID: expected <sessionId>:<n> from an event of this server');
      return;
    }
    const session = this.registry.get(eventId.sessionId);
    const opened = session === undefined ? undefined : this.open.get(session.id);
    if (session === undefined || opened === undefined || session.closed || !sameCredentials(opened.headers, req.headers)) {
      sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it has closed or never existed; open a new SSE stream without Last-Event-ID');
      return;
    }
    if (!session.canResume(eventId.seq)) {
      session.close('server-closed');
      sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound,
        'Session cannot be resumed: it missed more events than it kept for replay, and has been closed; open a new SSE stream without Last-Event-ID');
      return;
    }
    const graceTimer = this.graceTimers.get(session.id);
    const stream = new SseStream(res, () => this.onStreamClosed(session, stream), () => session.drain());
    session.resume(stream, eventId.seq, this.endpointEvent(session, false));
    clearTimeout(graceTimer);
    this.graceTimers.delete(session.id);
    this.sessionResumed.emit({ session, headers: req.headers });
  }

  /**
   * A session's stream ended. The session ends too, unless resumption is on: then it waits
   * `resumeGraceMs` for the client to come back with `Last-Event-ID`, and ends after that.
   */
  private onStreamClosed(session: Session, stream: SseStream): void {
    if (session.closed || !session.isAttachedTo(stream)) return;
    if (this.resumeGraceMs <= 0 || this.closed || !session.detach(stream)) {
      session.close('client-disconnected');
      return;
    }
    const timer = setTimeout(() => {
      this.graceTimers.delete(session.id);
      session.close('client-disconnected');
    }, this.resumeGraceMs);
    timer.unref();
    this.graceTimers.set(session.id, timer);
    this.sessionDetached.emit({ session, headers: this.open.get(session.id)?.headers ?? {} });
  }

  /**
   * Sends one JSON-RPC message to every open session of this endpoint (including those waiting
   * for their client to reconnect: it goes to their replay ring). The message is serialised and
   * framed once; see {@link broadcastMessage}.
   * @returns the number of sessions it was sent to.
   */
  broadcast(message: JsonRpcMessage): number {
    return broadcastMessage([...this.open.values()].map((o) => o.session), message);
  }

  /**
   * Where an accepted client message goes: a response that answers a server-initiated request
   * ends that request (and reaches no listener); a request is recorded as in flight; a
   * `notifications/cancelled` marks its request cancelled. Everything else, and those two, go to
   * the `messageReceived` listeners.
   */
  private route(inbound: InboundMessage): void {
    const { session, kind, message } = inbound;
    if (kind === 'response') {
      if (this.pending.answer(session.id, message as JsonRpcResponse)) return;
    } else if (kind === 'request') {
      this.clientRequests.received(session.id, message as JsonRpcRequest);
    } else if ((message as JsonRpcNotification).method === 'notifications/cancelled') {
      const params = (message as JsonRpcNotification).params ?? {};
      const requestId = params.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') {
        this.clientRequests.cancel(session.id, requestId, typeof params.reason === 'string' ? params.reason : undefined);
      }
    }
    this.messageReceived.emit(inbound);
  }

  /** Finds the POST's session, or answers 400/404 and returns `undefined`. */
  private sessionFor(req: IncomingMessage, res: ServerResponse): Session | undefined {
    const ids = sessionIdsOf(req.url ?? '');
    if (ids.length === 0 || ids[0] === '') {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, 'Missing sessionId query parameter');
      return undefined;
    }
    if (ids.length > 1) {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, 'sessionId must be given once');
      return undefined;
    }
    const id = ids[0];
    if (!isWellFormedSessionId(id)) {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, 'Malformed sessionId: expected the UUID sent in the endpoint event');
      return undefined;
    }
    const session = this.registry.get(id);
    if (session === undefined || session.endpointId !== this.id || session.closed) {
      sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it has closed or never existed; open a new SSE stream');
      return undefined;
    }
    return session;
  }

  private acceptBody(session: Session, text: string, res: ServerResponse): void {
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      sendJsonRpcError(res, 400, ErrorCode.ParseError, `Parse error: ${(error as Error).message}`);
      return;
    }
    this.acceptParsed(session, parsed, res);
  }

  /** Validates a parsed body (its depth already checked) and accepts it, or answers 400. */
  private acceptParsed(session: Session, parsed: unknown, res: ServerResponse): void {
    const items = Array.isArray(parsed) ? parsed : [parsed];
    if (items.length === 0) {
      sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, 'Invalid Request: an empty batch');
      return;
    }
    const accepted: InboundMessage[] = [];
    for (const item of items) {
      const result = classifyMessage(item);
      if (!result.ok) {
        sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: ${result.reason}`, readableId(item));
        return;
      }
      accepted.push({ session, kind: result.kind, message: result.message });
    }
    if (session.closed) {
      sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it closed while the message was sent');
      return;
    }
    session.touch();
    res.writeHead(202, ACCEPTED_HEADERS);
    res.end('Accepted');
    for (const message of accepted) this.route(message);
  }

  private onSessionClosed(session: Session, reason: CloseReason): void {
    const headers = this.open.get(session.id)?.headers ?? {};
    this.open.delete(session.id);
    clearTimeout(this.graceTimers.get(session.id));
    this.graceTimers.delete(session.id);
    this.pending.closeSession(session.id);
    this.clientRequests.closeSession(session.id);
    if (this.open.size === 0) {
      this.stopKeepAlive();
      this.stopIdleSweep();
    }
    this.sessionClosed.emit({ session, headers, reason });
  }

  private startKeepAlive(): void {
    if (this.keepAliveTimer !== undefined || this.keepAliveMs <= 0) return;
    this.keepAliveTimer = setInterval(() => {
      for (const { session } of this.open.values()) session.keepAlive();
    }, this.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  private stopKeepAlive(): void {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  /** Checks for idle sessions every quarter of the idle timeout (at least every second). */
  private startIdleSweep(): void {
    if (this.idleTimer !== undefined || this.idleTimeoutMs <= 0) return;
    this.idleTimer = setInterval(() => {
      const now = Date.now();
      for (const { session } of [...this.open.values()]) {
        if (session.idleFor(now) >= this.idleTimeoutMs) {
          this.warning.emit(`MCP session ${session.id} closed: no message either way for ${this.idleTimeoutMs / 1000} s`);
          session.close('idle-timeout');
        }
      }
    }, Math.max(250, Math.min(this.idleTimeoutMs / 4, 60_000)));
    this.idleTimer.unref();
  }

  private stopIdleSweep(): void {
    clearInterval(this.idleTimer);
    this.idleTimer = undefined;
  }

  /**
   * Closes the endpoint: every open stream of it ends cleanly, its sessions leave the registry,
   * and later requests get 503. Idempotent.
   */
  close(): void {
    this.closed = true;
    for (const { session } of [...this.open.values()]) session.close('endpoint-closed');
    this.stopKeepAlive();
    this.stopIdleSweep();
  }
}

/** What a POST carries while its body is read. */
interface PendingPost {
  endpoint: SseEndpoint;
  session: Session;
  res: ServerResponse;
}

/** The headers of every `202 Accepted`, made once. */
const ACCEPTED_HEADERS: Readonly<Record<string, string | number>> = Object.freeze({
  'Content-Type': 'text/plain; charset=utf-8',
  'Content-Length': 8,
});

const PLAIN_SESSION_QUERY = /^sessionId=[0-9A-Za-z-]*$/;

/**
 * The `sessionId` query parameters of a request URL, in order. The query the `endpoint` event
 * announces (`sessionId=<uuid>` alone) is read without building a `URLSearchParams`; anything
 * else (other parameters, percent-encoding) goes through `URLSearchParams`.
 */
function sessionIdsOf(url: string): string[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const query = url.slice(q + 1);
  if (PLAIN_SESSION_QUERY.test(query)) return [query.slice('sessionId='.length)];
  return new URLSearchParams(query).getAll('sessionId');
}

/**
 * True when a resuming GET carries the same `Authorization` and `Cookie` headers as the GET that
 * opened the session (both absent counts as the same).
 */
function sameCredentials(opened: IncomingHttpHeaders, resuming: IncomingHttpHeaders): boolean {
  return opened.authorization === resuming.authorization && opened.cookie === resuming.cookie;
}

function readableId(item: unknown): RequestId | null {
  if (typeof item !== 'object' || item === null) return null;
  const id = (item as { id?: unknown }).id;
  return isValidId(id) ? id : null;
}
