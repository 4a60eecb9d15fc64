/**
 * What an endpoint offers its transports (`sse.ts`, `streamable-http.ts`): the transports only
 * move messages and reach the rest of the endpoint through this narrow host, never through
 * `McpEndpoint` itself (which builds one for them: see `endpoint-host.ts`). Admission, the session
 * table, the cluster, the protocol layer and the 2026-07-28 revision all stay behind it.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admitted } from '../auth/access-control';
import type { AuthInfo } from '../auth/claims';
import type { RelayRoute } from '../cluster/wire';
import type { Session, TransportKind } from '../session';
import type { PostedBody, PostedMessage } from './post-body';

/** An endpoint, as its transports see it. */
export interface TransportHost {
  /** Largest POST body accepted, in bytes (413 above). */
  readonly maxBodyBytes: number;
  /** Most messages in one JSON-RPC batch, on the revisions that have batches. */
  readonly maxBatchSize: number;
  /** The `retry:` sent to clients, in ms; 0 sends none. */
  readonly retryMs: number;
  /** Ms a session outlives a dropped stream for its client to resume; 0: resumption off (`Last-Event-ID` ignored). */
  readonly resumeGraceMs: number;

  /**
   * Admission: checks `Host`/`Origin`, the token or OAuth 2.1 access token, and that the endpoint
   * is open, then calls `then(context, auth)`; otherwise answers (403, 401 with
   * `WWW-Authenticate`, 503) and calls nothing. See `AccessControl.admit`.
   */
  admit<C>(req: IncomingMessage, res: ServerResponse, transport: TransportKind, then: Admitted<C>, context: C): void;

  /**
   * With OAuth on: answers 403 `insufficient_scope` and returns true when a `tools/call` among
   * `messages` lacks its tool's scopes; nothing of the POST may then be handed on.
   */
  refuseToolCalls(req: IncomingMessage, res: ServerResponse, transport: TransportKind, auth: AuthInfo | undefined, messages: readonly PostedMessage[]): boolean;

  /**
   * Opens a session of `transport` for the caller of `req` (`auth`, OAuth on: the session is bound
   * to it): makes room first (an idle session may be evicted; when every session is active,
   * answers 503 with `Retry-After` and returns `undefined`); `setUp` attaches the session's first
   * stream or answer before the endpoint's listeners hear of it.
   */
  openSession(req: IncomingMessage, res: ServerResponse, transport: TransportKind, auth: AuthInfo | undefined, setUp: (session: Session) => void): Session | undefined;

  /**
   * The open session `id` of `transport` whose caller is `auth` (always, with OAuth off), now the
   * most recently active of those that may be evicted; `undefined` when there is none (the
   * transport answers 404, or {@link relay}s the request).
   */
  findSession(id: string, transport: TransportKind, auth: AuthInfo | undefined): Session | undefined;

  /**
   * True when `req` may resume a stream of `session` (`Last-Event-ID`): the same `Cookie`, and
   * the same caller with OAuth on, else the same `Authorization` header as the request that opened it.
   */
  mayResume(session: Session, req: IncomingMessage, auth: AuthInfo | undefined): boolean;

  /**
   * Several instances (Redis): relays a request for session `id`, which is open nowhere on this
   * instance, to the instance that owns it, which answers it (404 through `notFound` when none
   * does), and returns true. Returns false, answering nothing, when the endpoint is not clustered,
   * the id is not one this package issues (another server's), a session or exchange of this
   * instance has it, or the request was itself relayed here.
   * @param body the POST body, when the transport has read it.
   */
  relay(req: IncomingMessage, res: ServerResponse, id: string, route: RelayRoute, notFound: () => void, body?: PostedBody): boolean;

  /**
   * Hands the valid messages of one accepted POST on, in order: to the protocol layer, the server
   * features and the flow.
   * @param auth with OAuth on, the caller of the POST (it becomes the session's latest).
   */
  receive(session: Session, messages: readonly PostedMessage[], auth: AuthInfo | undefined): void;

  /**
   * The 2026-07-28 hand-off: serves a POST that speaks the stateless revision (no session),
   * after the transport's own header checks (`Accept`, `Content-Type`) and the body's. See
   * `stateless/handler.ts` for its answers.
   */
  answerStateless(body: PostedBody, req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined): void;
}
