/**
 * Who may use an endpoint, checked on every request of both transports before anything else:
 * `Host` and `Origin` (DNS rebinding), then the endpoint's authentication: none, a shared token
 * (see `../security.ts`), or OAuth 2.1 (MCP 2025-06-18 onwards "Authorization", see
 * `resource-server.ts`). With OAuth, each session is bound to the caller that opened it, and
 * each `tools/call` to its tool's scopes.
 *
 * Never imports Node-RED.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonRpcError, TransportErrorCode } from '../http';
import type { JsonRpcMessage, MessageKind } from '../jsonrpc';
import { checkRequest, type SecurityOptions } from '../security';
import type { TransportKind } from '../session';
import { AuthError, IssuerUnavailableError } from './challenge';
import type { AuthInfo } from './claims';
import { OAuthResourceServer, type OAuthOptions } from './resource-server';
import { ToolScopes } from './tool-scopes';

/** Where {@link AccessControl.admit} hands an admitted request, with its caller when OAuth is on. */
export type Admitted<C> = (context: C, auth: AuthInfo | undefined) => void;

/**
 * True when a resuming request carries the same `Authorization` and `Cookie` headers as the
 * request that opened the session (both absent counts as the same).
 */
function sameCredentials(opened: IncomingHttpHeaders, resuming: IncomingHttpHeaders): boolean {
  return opened.authorization === resuming.authorization && opened.cookie === resuming.cookie;
}

/** One endpoint's request checks, and (OAuth) the caller of each of its sessions. */
export class AccessControl {
  /**
   * The scopes each tool needs, with OAuth on. Sources of tools (the endpoint's list, nodes that
   * declare tools) declare theirs with `toolScopes.declare(tool, scopes)`.
   */
  readonly toolScopes = new ToolScopes();
  /** With OAuth on: the resource server (token checks, its metadata for `serveMetadata`). */
  readonly oauth: OAuthResourceServer | undefined;
  private readonly security: SecurityOptions;
  private readonly callers = new Map<string, AuthInfo>();
  private closed = false;

  /**
   * @param security `Host`/`Origin` lists and the shared token (ignored when `oauth` is given).
   * @param oauth OAuth 2.1 settings, or `undefined` to leave it off.
   * @param onWarning told of problems found at run time (a configuration the server refuses).
   * @throws TypeError for an issuer or resource that is not an http(s) URL, or a token header
   *   name (`security.authHeader`) that is not a valid HTTP header name.
   */
  constructor(security: SecurityOptions, oauth: OAuthOptions | undefined, onWarning: (text: string) => void) {
    const header = security.authHeader?.trim() ?? '';
    if (header !== '' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
      throw new TypeError(`The authentication header name ${JSON.stringify(header)} is not a valid HTTP header name`);
    }
    this.security = oauth === undefined ? { ...security } : { ...security, authToken: '' };
    this.oauth = oauth === undefined ? undefined : new OAuthResourceServer(oauth, this.toolScopes, onWarning);
  }

  /**
   * Runs `Host`, `Origin` and authentication checks, and calls `then(context, auth)` when the
   * request may go on: at once without OAuth, once its access token is checked with it.
   * Otherwise answers 403, 401 (with `WWW-Authenticate`) or 503 (the issuer is unreachable, or
   * the endpoint has closed, see {@link close}), and `then` is not called.
   * @param transport the transport asking: a 401 points to its metadata.
   */
  admit<C>(req: IncomingMessage, res: ServerResponse, transport: TransportKind, then: Admitted<C>, context: C): void {
    const failure = checkRequest(req, this.security);
    if (failure !== undefined) {
      sendJsonRpcError(res, failure.status, TransportErrorCode.BadRequest, failure.message, null, failure.headers);
      return;
    }
    if (this.refuseClosed(res)) return;
    const oauth = this.oauth;
    if (oauth === undefined) {
      then(context, undefined);
      return;
    }
    oauth.authenticate(req).then((auth) => {
      if (res.writableEnded || res.destroyed || this.refuseClosed(res)) return;
      then(context, auth);
    }, (error: unknown) => {
      oauth.refuse(req, res, transport, error instanceof AuthError ? error : new IssuerUnavailableError('The access token could not be checked'));
    }).catch((error: unknown) => {
      sendJsonRpcError(res, 500, TransportErrorCode.BadRequest, `Internal error: ${(error as Error)?.name ?? 'error'}`);
    });
  }

  /** The endpoint closed: every later request, and one whose token is being checked, gets 503. */
  close(): void {
    this.closed = true;
  }

  private refuseClosed(res: ServerResponse): boolean {
    if (!this.closed) return false;
    sendJsonRpcError(res, 503, TransportErrorCode.BadRequest, 'This MCP endpoint is shutting down');
    return true;
  }

  /**
   * With OAuth on: answers 403 `insufficient_scope` and returns true when a `tools/call` of the
   * POST lacks its tool's scopes ({@link OAuthResourceServer.checkToolCalls}); nothing of the POST
   * reaches the flow then.
   */
  refuseToolCalls(req: IncomingMessage, res: ServerResponse, transport: TransportKind, auth: AuthInfo | undefined, messages: ReadonlyArray<{ kind: MessageKind; message: JsonRpcMessage }>): boolean {
    if (this.oauth === undefined || auth === undefined) return false;
    const failure = this.oauth.checkToolCalls(auth, messages);
    if (failure === undefined) return false;
    this.oauth.refuse(req, res, transport, failure);
    return true;
  }

  /** Records the caller of a session (when it opens, and with every POST's newer token). */
  remember(sessionId: string, auth: AuthInfo | undefined): void {
    if (auth !== undefined) this.callers.set(sessionId, auth);
  }

  /** Forgets a session that closed. */
  forget(sessionId: string): void {
    this.callers.delete(sessionId);
  }

  /** The caller of a session, as its latest access token describes it (OAuth on). */
  callerOf(sessionId: string): AuthInfo | undefined {
    return this.callers.get(sessionId);
  }

  /**
   * True when `auth` is the caller that opened the session: the same issuer, subject and client
   * id, not the same token (clients refresh it and retry on the same session). Always true with
   * OAuth off. Another caller gets the answer an unknown session gets.
   */
  sameCaller(sessionId: string, auth: AuthInfo | undefined): boolean {
    if (this.oauth === undefined) return true;
    const caller = this.callers.get(sessionId);
    return caller !== undefined && auth !== undefined && caller.issuer === auth.issuer
      && caller.subject === auth.subject && caller.clientId === auth.clientId;
  }

  /**
   * True when a request may resume a stream of the session (`Last-Event-ID`): the same `Cookie`,
   * and the same caller with OAuth on, else the same `Authorization` header.
   * @param opened the headers of the request that opened the session.
   */
  mayResume(sessionId: string, opened: IncomingHttpHeaders, resuming: IncomingHttpHeaders, auth: AuthInfo | undefined): boolean {
    if (this.oauth === undefined) return sameCredentials(opened, resuming);
    return this.sameCaller(sessionId, auth) && opened.cookie === resuming.cookie;
  }

  /**
   * The headers without the credential authentication reads (`Authorization`, or the token
   * header), when authentication is on: for flows and logs, which never see a token.
   */
  withoutCredentials(headers: IncomingHttpHeaders): IncomingHttpHeaders {
    if (this.oauth === undefined && (this.security.authToken ?? '') === '') return headers;
    const { authorization: _authorization, ...rest } = headers;
    const tokenHeader = (this.security.authHeader ?? '').trim().toLowerCase();
    if (this.oauth === undefined && tokenHeader !== '') delete rest[tokenHeader];
    return rest;
  }
}
