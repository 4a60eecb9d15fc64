/**
 * The Streamable HTTP transport of MCP 2025-03-26, 2025-06-18 and 2025-11-25 ("Transports >
 * Streamable HTTP"), server side, on one path: POST takes the client's messages (a POST carrying
 * requests is answered with an SSE stream, or one JSON body, that ends with their responses), GET
 * opens the standalone stream for server-initiated messages, DELETE ends the session. It only
 * moves messages: the endpoint and its protocol layer decide what they mean, behind its
 * {@link TransportHost}. A POST of the stateless 2026-07-28 revision is handed to the endpoint's
 * stateless handler ({@link TransportHost.answerStateless}).
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonRpcRequest, RequestId } from '../jsonrpc';
import { sendJsonRpcError, sendMethodNotAllowed, TransportErrorCode } from '../http';
import { SseStream } from '../sse';
import type { Session } from '../session';
import { JsonReply } from '../json-reply';
import { parseEventId } from '../event-log';
import { MAX_SESSION_ID_LENGTH, sessionIdShape } from '../session-id';
import { checkJsonHeaders, readPostBody, refuseBatch, type PostedBody } from './post-body';
import type { AuthInfo } from '../auth/claims';
import { isModernPost } from '../stateless/envelope';
import type { TransportHost } from './host';

/** The protocol versions a client may name in `MCP-Protocol-Version` on this transport's requests. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

/** The protocol revision that defined Streamable HTTP, and that a request without `MCP-Protocol-Version` speaks. */
const STREAMABLE_HTTP_VERSION = '2025-03-26';

/** The session header, as clients send it and as this transport answers it. */
export const SESSION_HEADER = 'Mcp-Session-Id';

/**
 * An HTTP request on its way through admission (`TransportHost.admit`) and the body reading: the
 * one object its steps share, so a request allocates no closure.
 */
interface AdmittedRequest {
  transport: StreamableHttpTransport;
  req: IncomingMessage;
  res: ServerResponse;
  /** With OAuth on: the caller. */
  auth?: AuthInfo;
}

/** True when an `Accept` header lists `type` (or `*\/*`). */
function accepts(req: IncomingMessage, type: string): boolean {
  const header = req.headers.accept;
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const media = part.split(';')[0].trim().toLowerCase();
    return media === type || media === '*/*';
  });
}

/** Streamable HTTP on one endpoint: `handle` serves POST, GET and DELETE on its path. */
export class StreamableHttpTransport {
  /**
   * @param host the endpoint whose sessions this transport opens, as transports see it.
   * @param jsonResponse answer POSTs that carry requests with one `application/json` body instead
   *   of an SSE stream (progress, logging and server requests about them then go on the
   *   standalone stream, when the client has one open).
   */
  constructor(private readonly host: TransportHost, private readonly jsonResponse: boolean) {}

  /**
   * Serves the Streamable HTTP path. Every refusal carries a JSON-RPC error body: 405 (with
   * `Allow`) any method but POST, GET and DELETE; 403, 401 and 503 from the endpoint's security
   * and OAuth checks (see `TransportHost.admit`: never with `Mcp-Session-Id`); 503 a closed
   * endpoint, or on `initialize` a full one whose sessions are all active (with `Retry-After`; see
   * `TransportHost.openSession`), or a 2026-07-28 `subscriptions/listen` past the endpoint's most
   * listen streams (with `Retry-After`); then as {@link handlePost},
   * {@link handleGet} and {@link handleDelete}. With OAuth on, a session is bound to the caller
   * that initialized it: another caller's requests get the unknown-session 404.
   */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method;
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      sendMethodNotAllowed(res, method, ['GET', 'POST', 'DELETE']);
      return;
    }
    this.host.admit(req, res, 'streamable-http', StreamableHttpTransport.onAdmitted, { transport: this, req, res });
  };

  /** A request that passed the checks, to its method's handler. */
  private static onAdmitted(admitted: AdmittedRequest, auth: AuthInfo | undefined): void {
    const { transport, req, res } = admitted;
    admitted.auth = auth;
    if (req.method === 'POST') transport.handlePost(admitted);
    else if (req.method === 'GET') transport.handleGet(req, res, auth);
    else transport.handleDelete(req, res, auth);
  }

  /**
   * POST: one JSON-RPC message, or a non-empty batch on the revisions that have batches (see
   * {@link refuseBatch}). `initialize` opens a session, whose id the answer carries in
   * `Mcp-Session-Id`; every other POST names its session in that header. A POST
   * of notifications and responses only gets 202; one with requests gets a `text/event-stream`
   * that carries what the flow sends about them and ends after their responses (or, in JSON
   * response mode, one `application/json` body with the responses).
   *
   * Refused: 406 an `Accept` without both `application/json` and `text/event-stream`; 415 a
   * non-JSON `Content-Type` or a `Content-Encoding`; the body's answers (413, 400 `-32700`, 400
   * `-32600`: see {@link readPostBody}); 400 `-32600` an `initialize` batched with other messages;
   * 400 a missing or malformed `Mcp-Session-Id` (see `sessionIdShape`); 404 a session that is
   * unknown (whatever its shape: another server's id too) or has ended; 400
   * an unsupported `MCP-Protocol-Version`; 403 `insufficient_scope` a `tools/call` without its
   * tool's scopes.
   * Batches ({@link refuseBatch}): 400 `-32600` an `initialize` in any array, even alone; a batch
   * on a session that agreed 2025-06-18 or later; one over the endpoint's `maxBatchSize`.
   * A POST that speaks 2026-07-28 ({@link isModernPost}) goes to `TransportHost.answerStateless`
   * once its body is read.
   */
  private handlePost(post: AdmittedRequest): void {
    const { req, res } = post;
    if (!accepts(req, 'application/json') || !accepts(req, 'text/event-stream')) {
      sendJsonRpcError(res, 406, TransportErrorCode.BadRequest, 'Not Acceptable: the client must accept both application/json and text/event-stream');
      return;
    }
    if (!checkJsonHeaders(req, res)) return;
    readPostBody(req, res, this.host.maxBodyBytes, StreamableHttpTransport.onBody, post);
  }

  /** A valid body: open the session or find it, then answer. A fixed function, so a POST allocates no closure. */
  private static onBody(post: AdmittedRequest, body: PostedBody): void {
    const { transport, req, res, auth } = post;
    const { host } = transport;
    if (isModernPost(req, body.messages.map(({ message }) => message), SUPPORTED_PROTOCOL_VERSIONS)) {
      host.answerStateless(body, req, res, auth);
      return;
    }
    const { maxBatchSize } = host;
    const initialize = body.messages.some(({ message }) => 'method' in message && message.method === 'initialize');
    // An initialize in a batch is refused whatever the revision.
    if (initialize && refuseBatch(res, STREAMABLE_HTTP_VERSION, body, maxBatchSize)) return;
    const requestIds: RequestId[] = [];
    for (const { kind, message } of body.messages) if (kind === 'request') requestIds.push((message as JsonRpcRequest).id);
    if (initialize) {
      host.openSession(req, res, 'streamable-http', auth, (session) => transport.answer(session, body, requestIds, req, res, auth));
      return;
    }
    const session = transport.sessionFor(req, res, auth, body);
    if (session === undefined || !transport.versionSupported(req, res)) return;
    if (refuseBatch(res, revisionOf(session, req), body, maxBatchSize)) return;
    if (host.refuseToolCalls(req, res, 'streamable-http', auth, body.messages)) return;
    transport.answer(session, body, requestIds, req, res, auth);
  }

  /** Opens the POST's answer (202, an SSE stream, or a JSON reply), then hands the messages on. */
  private answer(session: Session, body: PostedBody, requestIds: RequestId[], req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined): void {
    const headers = { [SESSION_HEADER]: session.id };
    if (requestIds.length === 0) {
      // "Sending Messages to the Server": 202 Accepted with no body.
      res.writeHead(202, { ...headers, 'Content-Length': 0 });
      res.end();
    } else if (this.jsonResponse) {
      session.openRequestChannel(new JsonReply(res, body.batch, headers), requestIds);
    } else {
      const version = req.headers['mcp-protocol-version'];
      // Clients before 2025-11-25 read an event with empty data as a message, and fail on it.
      const prime = typeof version === 'string' && version >= '2025-11-25' ? this.host.retryMs : undefined;
      session.openRequestChannel(new SseStream(res, session, session.queueLimits, headers), requestIds, prime);
    }
    this.host.receive(session, body.messages, auth);
  }

  /**
   * GET: opens the session's standalone `text/event-stream`, for server-initiated requests,
   * notifications and broadcasts; with `Last-Event-ID` (resumption on), resumes the stream that
   * event went out on instead, replaying what the client missed.
   *
   * Refused: 406 an `Accept` without `text/event-stream`; 400, 404 and 400 as for a POST's session
   * and version; 409 a second standalone stream on the session; 400 a `Last-Event-ID` that is not
   * of this session, or whose events are no longer kept.
   */
  private handleGet(req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined): void {
    if (!accepts(req, 'text/event-stream')) {
      sendJsonRpcError(res, 406, TransportErrorCode.BadRequest, 'Not Acceptable: the client must accept text/event-stream');
      return;
    }
    const session = this.sessionFor(req, res, auth);
    if (session === undefined || !this.versionSupported(req, res)) return;
    const headers = { [SESSION_HEADER]: session.id };
    const lastEventId = req.headers['last-event-id'];
    if (this.host.resumeGraceMs > 0 && typeof lastEventId === 'string' && lastEventId !== '') {
      const eventId = parseEventId(lastEventId);
      if (eventId === undefined || eventId.sessionId !== session.id || !this.host.mayResume(session, req, auth) || !session.canResume(eventId.seq)) {
        sendJsonRpcError(res, 400, TransportErrorCode.BadRequest,
          'Last-Event-ID cannot be resumed: it is not an event of this session, or the events after it are no longer kept');
        return;
      }
      session.resume(new SseStream(res, session, session.queueLimits, headers), eventId.seq);
      return;
    }
    if (session.attached) {
      sendJsonRpcError(res, 409, TransportErrorCode.BadRequest, 'Conflict: this session already has its standalone SSE stream open');
      return;
    }
    session.attach(new SseStream(res, session, session.queueLimits, headers));
  }

  /** DELETE: ends the session (200); afterwards its id gets 404. Refused as a POST's session. */
  private handleDelete(req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined): void {
    const session = this.sessionFor(req, res, auth);
    if (session === undefined) return;
    session.close('client-deleted');
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
  }

  /**
   * Finds the request's session by `Mcp-Session-Id` (of this caller, with OAuth on), or answers
   * and returns `undefined`: 400 a missing or malformed id (see `sessionIdShape`: not visible
   * ASCII, or too long); 404 an id no open session has, whatever its shape ("Session Management":
   * the client then sends a new `initialize`), another server's id too. A session that is not
   * open here may be open on another instance: the request (with `body`, when a POST's has been
   * read) is then relayed there (`Cluster.relay`), and this returns `undefined` too.
   */
  private sessionFor(req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined, body?: PostedBody): Session | undefined {
    const id = req.headers['mcp-session-id'];
    if (id === undefined || id === '') {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, 'Bad Request: Mcp-Session-Id header is required (send initialize first to open a session)');
      return undefined;
    }
    if (typeof id !== 'string' || sessionIdShape(id) === 'malformed') {
      sendJsonRpcError(res, 400, TransportErrorCode.BadRequest, `Bad Request: malformed Mcp-Session-Id: expected visible ASCII, at most ${MAX_SESSION_ID_LENGTH} characters`);
      return undefined;
    }
    const session = this.host.findSession(id, 'streamable-http', auth);
    if (session === undefined) {
      const notFound = (): void => sendJsonRpcError(res, 404, TransportErrorCode.SessionNotFound, 'Session not found: it has ended or never existed; send initialize to open a new session');
      // Open on another instance: the request is relayed there, and answered from there.
      if (!this.host.relay(req, res, id, 'streamable', notFound, body)) notFound();
      return undefined;
    }
    return session;
  }

  /** Answers 400 and returns false for an `MCP-Protocol-Version` this transport does not speak (absent is fine: 2025-03-26). */
  private versionSupported(req: IncomingMessage, res: ServerResponse): boolean {
    const version = req.headers['mcp-protocol-version'];
    if (version === undefined || (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version))) return true;
    sendJsonRpcError(res, 400, TransportErrorCode.BadRequest,
      `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(String(version).slice(0, 40))} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
    return false;
  }
}

/**
 * The protocol revision a POST on a session speaks: the one its `initialize` agreed; else its
 * `MCP-Protocol-Version` (already checked to be supported), else 2025-03-26 (the revision a
 * request without the header is taken to speak: "Protocol Version Header").
 */
function revisionOf(session: Session, req: IncomingMessage): string {
  if (session.protocolVersion !== undefined) return session.protocolVersion;
  const header = req.headers['mcp-protocol-version'];
  return typeof header === 'string' ? header : STREAMABLE_HTTP_VERSION;
}
