/**
 * The HTTP+SSE transport of MCP 2024-11-05 ("Transports > HTTP with SSE"), server side: a GET that
 * opens a session's SSE stream and announces where to POST (the `endpoint` event), and a POST
 * that takes the client's JSON-RPC messages for a session (`?sessionId=`). It only moves
 * messages: the endpoint and its protocol layer decide what they mean, behind its
 * {@link TransportHost}.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonRpcError, sendMethodNotAllowed, TransportErrorCode } from '../http';
import { SseStream, type SseEvent } from '../sse';
import type { Session } from '../session';
import { formatEventId, parseEventId } from '../event-log';
import { MAX_SESSION_ID_LENGTH, sessionIdShape } from '../session-id';
import { checkJsonHeaders, readPostBody, refuseBatch, type PostedBody } from './post-body';
import type { AuthInfo } from '../auth/claims';
import type { TransportHost } from './host';

/** The headers of every `202 Accepted`, made once. */
const ACCEPTED_HEADERS: Readonly<Record<string, string | number>> = Object.freeze({
  'Content-Type': 'text/plain; charset=utf-8',
  'Content-Length': 8,
});

/** Answers `202 Accepted`: a POST of messages that need no answer on this response. */
function sendAccepted(res: ServerResponse, headers?: Record<string, string>): void {
  res.writeHead(202, headers === undefined ? ACCEPTED_HEADERS : { ...ACCEPTED_HEADERS, ...headers });
  res.end('Accepted');
}

/** The protocol revision that defined HTTP+SSE. */
const HTTP_SSE_VERSION = '2024-11-05';

const PLAIN_SESSION_QUERY = /^sessionId=[0-9A-Za-z-]*$/;

/**
 * An HTTP request on its way through admission (`TransportHost.admit`) and the body reading: the
 * one object its steps share, so a request allocates no closure.
 */
interface AdmittedRequest {
  transport: SseTransport;
  req: IncomingMessage;
  res: ServerResponse;
  /** The POST's session, once found. */
  session?: Session;
  /** With OAuth on: the caller. */
  auth?: AuthInfo;
}

/** HTTP+SSE on one endpoint: `handleGet` on the SSE path, `handlePost` on the message path. */
export class SseTransport {
  /**
   * @param host the endpoint whose sessions this transport opens, as transports see it.
   * @param messageUrl the URL announced in the `endpoint` event, before `?sessionId=`.
   */
  constructor(private readonly host: TransportHost, private readonly messageUrl: string) {}

  /**
   * GET on the SSE path: opens a session and its `text/event-stream` (200), and sends the
   * `endpoint` event whose data is `<messageUrl>?sessionId=<id>`. The session ends when the
   * client disconnects (after the grace period, when resumption is on) or the endpoint closes.
   * With `Last-Event-ID` and resumption on, resumes the session instead ({@link resume}).
   *
   * Refused, each with a JSON-RPC error body: 405 (with `Allow`) any method but GET; 403 a `Host`
   * or `Origin` not allowed; 401 (with `WWW-Authenticate`) a missing or wrong secret or access
   * token, 403 `insufficient_scope`, 503 an authorization server that cannot be asked (see
   * `TransportHost.admit`); 503 once the endpoint is closed, and 503 with `Retry-After` when it
   * has `maxSessions` open sessions and every one is active (otherwise the least recently active
   * idle one is evicted to make room: see `TransportHost.openSession`). With OAuth on, the session
   * is bound to the caller.
   */
  handleGet = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') {
      sendMethodNotAllowed(res, req.method, ['GET']);
      return;
    }
    this.host.admit(req, res, 'sse', SseTransport.onGetAdmitted, { transport: this, req, res });
  };

  /** A GET that passed the checks: resume, or open a session. */
  private static onGetAdmitted(get: AdmittedRequest, auth: AuthInfo | undefined): void {
    const { transport, req, res } = get;
    const lastEventId = req.headers['last-event-id'];
    if (transport.host.resumeGraceMs > 0 && lastEventId !== undefined && lastEventId !== '') {
      transport.resume(req, res, auth);
      return;
    }
    transport.host.openSession(req, res, 'sse', auth, (session) => {
      session.attach(new SseStream(res, session, session.queueLimits));
      session.sendEvent(transport.endpointEvent(session, true));
    });
  }

  /**
   * POST on the message path: takes one JSON-RPC message (or, on 2024-11-05 and 2025-03-26, a
   * non-empty batch) for the session named by the `sessionId` query parameter, answers `202
   * Accepted`, then hands each message to the endpoint. Nothing reaches the endpoint unless the
   * whole POST is valid.
   *
   * Errors, each with a JSON-RPC error body: 405 any method but POST; 403, 401 and 503 as for
   * the GET; 400 missing, repeated or malformed `sessionId`; 404 no such open session on this
   * endpoint (or, with OAuth on, one another caller opened: the token must keep naming the
   * subject and client that opened the stream); 415 a `Content-Type` other than JSON or a
   * `Content-Encoding`; then the body's answers (413, 400 `-32700`, 400 `-32600`: see
   * {@link readPostBody}); 400 `-32600` a batch the session's protocol version does not allow,
   * one over the endpoint's `maxBatchSize`, or one with `initialize` (see {@link refuseBatch});
   * 403 `insufficient_scope` a `tools/call` without its tool's scopes.
   */
  handlePost = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') {
      sendMethodNotAllowed(res, req.method, ['POST']);
      return;
    }
    this.host.admit(req, res, 'sse', SseTransport.onPostAdmitted, { transport: this, req, res });
  };

  /** A POST that passed the checks: find its session, then read the body. */
  private static onPostAdmitted(post: AdmittedRequest, auth: AuthInfo | undefined): void {
    const { transport, req, res } = post;
    const session = transport.sessionFor(req, res, auth);
    if (session === undefined || !checkJsonHeaders(req, res)) return;
    post.session = session;
    post.auth = auth;
    readPostBody(req, res, transport.host.maxBodyBytes, SseTransport.onBody, post);
  }

  /** A valid body: 202, then its messages to the endpoint. A fixed function, so a POST allocates no closure. */
  private static onBody(post: AdmittedRequest, body: PostedBody): void {
    const session = post.session as Session;
    if (session.closed) {
      sendJsonRpcError(post.res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it closed while the message was sent');
      return;
    }
    const host = post.transport.host;
    // Before its initialize, a session of this transport speaks its transport's revision.
    if (refuseBatch(post.res, session.protocolVersion ?? HTTP_SSE_VERSION, body, host.maxBatchSize)) return;
    if (host.refuseToolCalls(post.req, post.res, 'sse', post.auth, body.messages)) return;
    sendAccepted(post.res);
    host.receive(session, body.messages, post.auth);
  }

  /**
   * The `endpoint` event: data `<messageUrl>?sessionId=<id>`, `retry:` (when set), and on a new
   * session the id `<sessionId>:0`, so that a client cut off before any message can still resume.
   * On a resumed session it carries no id, so the client's `Last-Event-ID` stays where it was.
   */
  private endpointEvent(session: Session, withId: boolean): SseEvent {
    const separator = this.messageUrl.includes('?') ? '&' : '?';
    const retryMs = this.host.retryMs;
    return {
      event: 'endpoint',
      ...(withId ? { id: formatEventId(session.id, 0) } : {}),
      ...(retryMs > 0 ? { retry: retryMs } : {}),
      data: `${this.messageUrl}${separator}sessionId=${session.id}`,
    };
  }

  /**
   * GET with `Last-Event-ID` (resumption on): gives the client its session back on a new stream,
   * re-sends the `endpoint` event and replays every message event after the id, in order, then
   * the stream continues. 400 when the id is not one this package issued; 404 when the session is
   * gone (its grace period ended), belongs to another endpoint or transport, was opened with other
   * credentials (`Authorization` or, with OAuth, another caller; `Cookie`: knowing a session id
   * must not be enough to read its stream), or missed more events than its replay ring holds (the
   * session is then closed: it cannot be resumed faithfully).
   */
  private resume(req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined): void {
    const header = req.headers['last-event-id'];
    const eventId = typeof header === 'string' ? parseEventId(header) : undefined;
    if (eventId === undefined) {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, 'Malformed Last-Event-ID: expected <sessionId>:<n> from an event of this server');
      return;
    }
    const session = this.host.findSession(eventId.sessionId, 'sse', auth);
    if (session === undefined || !this.host.mayResume(session, req, auth)) {
      const notFound = (): void => sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it has closed or never existed; open a new SSE stream without Last-Event-ID');
      // Open on another instance: resumed there, through this one.
      if (!this.host.relay(req, res, eventId.sessionId, 'sse-get', notFound)) notFound();
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

  /**
   * Finds the POST's session (of this caller, with OAuth on), or answers and returns `undefined`:
   * 400 a missing, repeated or malformed `sessionId` (see `sessionIdShape`); 404 one no open
   * session has, whatever its shape (another server's id too). A session open on another
   * instance gets the POST relayed there (and `undefined` too).
   */
  private sessionFor(req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined): Session | undefined {
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
    if (sessionIdShape(id) === 'malformed') {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, `Malformed sessionId: expected visible ASCII, at most ${MAX_SESSION_ID_LENGTH} characters`);
      return undefined;
    }
    const session = this.host.findSession(id, 'sse', auth);
    if (session === undefined) {
      const notFound = (): void => sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it has closed or never existed; open a new SSE stream');
      // Open on another instance: the POST is relayed there, and answered from there.
      if (!this.host.relay(req, res, id, 'sse-post', notFound)) notFound();
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

