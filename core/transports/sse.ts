/**
 * The HTTP+SSE transport of MCP 2024-11-05 ("Transports > HTTP with SSE"), server side: a GET that
 * opens a session's SSE stream and announces where to POST (the `endpoint` event), and a POST
 * that takes the client's JSON-RPC messages for a session (`?sessionId=`). It only moves
 * messages: the endpoint and its protocol layer decide what they mean.
 *
 * Never imports Node-RED.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonRpcError, sendMethodNotAllowed, TransportErrorCode } from '../http';
import { formatEvent, SseStream } from '../sse';
import type { Session } from '../session';
import { formatEventId, parseEventId } from '../event-log';
import { isWellFormedSessionId } from '../session-id';
import type { McpEndpoint } from '../endpoint';
import { checkJsonHeaders, readPostBody, type PostedBody } from './post-body';

/** The headers of every `202 Accepted`, made once. */
export const ACCEPTED_HEADERS: Readonly<Record<string, string | number>> = Object.freeze({
  'Content-Type': 'text/plain; charset=utf-8',
  'Content-Length': 8,
});

/** Answers `202 Accepted`: a POST of messages that need no answer on this response. */
export function sendAccepted(res: ServerResponse, headers?: Record<string, string>): void {
  res.writeHead(202, headers === undefined ? ACCEPTED_HEADERS : { ...ACCEPTED_HEADERS, ...headers });
  res.end('Accepted');
}

const PLAIN_SESSION_QUERY = /^sessionId=[0-9A-Za-z-]*$/;

/** What a POST carries while its body is read. */
interface Post {
  transport: SseTransport;
  session: Session;
  res: ServerResponse;
}

/** HTTP+SSE on one endpoint: `handleGet` on the SSE path, `handlePost` on the message path. */
export class SseTransport {
  /**
   * @param endpoint the endpoint whose sessions this transport opens.
   * @param messageUrl the URL announced in the `endpoint` event, before `?sessionId=`.
   */
  constructor(private readonly endpoint: McpEndpoint, private readonly messageUrl: string) {}

  /**
   * GET on the SSE path: opens a session and its `text/event-stream` (200), and sends the
   * `endpoint` event whose data is `<messageUrl>?sessionId=<id>`. The session ends when the
   * client disconnects (after the grace period, when resumption is on) or the endpoint closes.
   * With `Last-Event-ID` and resumption on, resumes the session instead ({@link resume}).
   *
   * Refused, each with a JSON-RPC error body: 405 (with `Allow`) any method but GET; 403 a `Host`
   * or `Origin` not allowed; 401 (with `WWW-Authenticate`) a missing or wrong secret; 503 once
   * the endpoint is closed, and 503 with `Retry-After` when it has `maxSessions` open sessions.
   */
  handleGet = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') {
      sendMethodNotAllowed(res, req.method, ['GET']);
      return;
    }
    const endpoint = this.endpoint;
    if (!endpoint.admit(req, res)) return;
    const lastEventId = req.headers['last-event-id'];
    if (endpoint.resumeGraceMs > 0 && lastEventId !== undefined && lastEventId !== '') {
      this.resume(req, res);
      return;
    }
    if (endpoint.refuseWhenFull(res)) return;
    endpoint.openSession('sse', req.headers, (session) => {
      session.attach(new SseStream(res, session, session.queueLimits));
      session.sendFrame(this.endpointEvent(session, true));
    });
  };

  /**
   * POST on the message path: takes one JSON-RPC message (or a non-empty batch) for the session
   * named by the `sessionId` query parameter, answers `202 Accepted`, then hands each message to
   * the endpoint. Nothing reaches the endpoint unless the whole POST is valid.
   *
   * Errors, each with a JSON-RPC error body: 405 any method but POST; 403 and 401 as for the GET;
   * 400 missing, repeated or malformed `sessionId`; 404 no such open session on this endpoint; 415
   * a `Content-Type` other than JSON or a `Content-Encoding`; then the body's answers (413, 400
   * `-32700`, 400 `-32600`: see {@link readPostBody}).
   */
  handlePost = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') {
      sendMethodNotAllowed(res, req.method, ['POST']);
      return;
    }
    if (!this.endpoint.admit(req, res)) return;
    const session = this.sessionFor(req, res);
    if (session === undefined || !checkJsonHeaders(req, res)) return;
    readPostBody(req, res, this.endpoint.maxBodyBytes, SseTransport.onBody, { transport: this, session, res });
  };

  /** A valid body: 202, then its messages to the endpoint. A fixed function, so a POST allocates no closure. */
  private static onBody(post: Post, body: PostedBody): void {
    if (post.session.closed) {
      sendJsonRpcError(post.res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it closed while the message was sent');
      return;
    }
    sendAccepted(post.res);
    post.transport.endpoint.receive(post.session, body.messages);
  }

  /**
   * The `endpoint` event: data `<messageUrl>?sessionId=<id>`, `retry:` (when set), and on a new
   * session the id `<sessionId>:0`, so that a client cut off before any message can still resume.
   * On a resumed session it carries no id, so the client's `Last-Event-ID` stays where it was.
   */
  private endpointEvent(session: Session, withId: boolean): string {
    const separator = this.messageUrl.includes('?') ? '&' : '?';
    const retryMs = this.endpoint.retryMs;
    return formatEvent({
      event: 'endpoint',
      ...(withId ? { id: formatEventId(session.id, 0) } : {}),
      ...(retryMs > 0 ? { retry: retryMs } : {}),
      data: `${this.messageUrl}${separator}sessionId=${session.id}`,
    });
  }

  /**
   * GET with `Last-Event-ID` (resumption on): gives the client its session back on a new stream,
   * re-sends the `endpoint` event and replays every message event after the id, in order, then
   * the stream continues. 400 when the id is not one this package issued; 404 when the session is
   * gone (its grace period ended), belongs to another endpoint or transport, was opened with other
   * credentials (`Authorization`, `Cookie`: knowing a session id must not be enough to read its
   * stream), or missed more events than its replay ring holds (the session is then closed: it
   * cannot be resumed faithfully).
   */
  private resume(req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers['last-event-id'];
    const eventId = typeof header === 'string' ? parseEventId(header) : undefined;
    if (eventId === undefined) {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, 'Malformed Last-Event-ID: expected <sessionId>:<n> from an event of this server');
      return;
    }
    const session = this.endpoint.session(eventId.sessionId);
    const notFound = (): void => sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it has closed or never existed; open a new SSE stream without Last-Event-ID');
    // Open on another instance: resumed there, through this one.
    if (session === undefined && this.endpoint.relayed(req, res, eventId.sessionId, 'sse-get', notFound)) return;
    const opened = session === undefined ? undefined : this.endpoint.openedWith(session);
    if (session === undefined || session.transport !== 'sse' || opened === undefined || !sameCredentials(opened, req.headers)) {
      notFound();
      return;
    }
    if (!session.canResume(eventId.seq)) {
      session.close('server-closed');
      sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound,
        'Session cannot be resumed: it missed more events than it kept for replay, and has been closed; open a new SSE stream without Last-Event-ID');
      return;
    }
    session.resume(new SseStream(res, session, session.queueLimits), eventId.seq, this.endpointEvent(session, false));
  }

  /** Finds the POST's session, or answers 400/404 and returns `undefined`; a session open on another instance gets the POST relayed there (and `undefined` too). */
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
    const session = this.endpoint.session(id);
    if (session === undefined || session.transport !== 'sse') {
      const notFound = (): void => sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it has closed or never existed; open a new SSE stream');
      // Open on another instance: the POST is relayed there, and answered from there.
      if (session === undefined && this.endpoint.relayed(req, res, id, 'sse-post', notFound)) return undefined;
      notFound();
      return undefined;
    }
    return session;
  }
}

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
 * True when a resuming request carries the same `Authorization` and `Cookie` headers as the
 * request that opened the session (both absent counts as the same).
 */
export function sameCredentials(opened: IncomingHttpHeaders, resuming: IncomingHttpHeaders): boolean {
  return opened.authorization === resuming.authorization && opened.cookie === resuming.cookie;
}
