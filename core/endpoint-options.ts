/**
 * What an endpoint is told and what it tells: its settings ({@link EndpointOptions}) with their
 * defaults, and what its listeners hear ({@link InboundMessage}, {@link SessionEvent}).
 *
 * Never imports Node-RED.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthInfo } from './auth/claims';
import type { InterruptedRequests } from './interrupted-requests';
import type { OAuthOptions } from './auth/resource-server';
import type { ClusterOptions } from './cluster';
import type { FeatureOptions } from './features/server-features';
import type { JsonRpcMessage, MessageKind } from './jsonrpc';
import type { SessionRegistry } from './registry';
import type { SecurityOptions } from './security';
import type { JsonObject } from './features/declarations';
import type { ReplyDestination } from './reply-destination';
import type { CloseReason, Session, TransportKind } from './session';
import type { QueueLimits } from './sse';
import type { CachingOptions } from './stateless/cache-hints';
import type { TaskOptions } from './tasks/endpoint-tasks';

/** Settings of one endpoint. */
export interface EndpointOptions {
  /** Endpoint id; in Node-RED, the config node's id. */
  id: string;
  /** The registry the endpoint's sessions live in. */
  registry: SessionRegistry;
  /**
   * HTTP+SSE: the URL announced in the `endpoint` event, before `?sessionId=`: normally an
   * absolute path that includes any mount prefix (Node-RED's `httpNodeRoot`), e.g. `/sse/message`.
   */
  messageUrl?: string;
  /** Interval between keep-alive comments on every open stream, in ms; 0 turns them off. Default 15000. */
  keepAliveMs?: number;
  /** Largest POST body accepted, in bytes; larger gets 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /**
   * Most messages in one JSON-RPC batch, on the revisions that have batches (2024-11-05,
   * 2025-03-26); a larger batch gets 400 `-32600`. Default 100. Later revisions refuse every batch.
   */
  maxBatchSize?: number;
  /**
   * How long a session outlives a dropped stream, waiting for the client to reconnect with
   * `Last-Event-ID`, in ms; 0 (the default) turns resumption off.
   */
  resumeGraceMs?: number;
  /** Message events kept per session for replay on resumption. Default 256. */
  replayEvents?: number;
  /** The `retry:` sent to clients: how soon a client reconnects, in ms. Default 1000; 0 sends none. */
  retryMs?: number;
  /** `Host`/`Origin` allow-lists and authentication, checked on every route. Default: see {@link SecurityOptions}. */
  security?: SecurityOptions;
  /**
   * OAuth 2.1: the endpoint becomes a resource server (MCP 2025-06-18 onwards "Authorization"),
   * and `security.authToken` is ignored. Default: off.
   */
  oauth?: OAuthOptions;
  /**
   * Most open sessions, of both transports. When they are all open, a new session takes the place
   * of the least recently active one that has no open stream (closed with `evicted`: its client
   * gets 404 and starts a new session); with resumption on (`resumeGraceMs`), a request in flight
   * keeps a session too, while its client may still come back for the answer within the grace.
   * Only when every one is active does a new client get 503 with `Retry-After`. Default 1000.
   */
  maxSessions?: number;
  /**
   * Most Streamable HTTP sessions without an open stream per client address (`req.ip` behind
   * Express's `trust proxy`, else the socket's; an IPv6 /64 counts as one): one more from that
   * client takes the place of its own least recently active one. HTTP+SSE sessions are not
   * counted. 0: no cap. Default 100.
   */
  maxIdleSessionsPerClient?: number;
  /** 2026-07-28: most open `subscriptions/listen` streams; one more gets 503 with `Retry-After`. Default 1000. */
  maxListenStreams?: number;
  /** Bounds of each stream's push queue. Default 1000 messages, 8 MiB. */
  queueLimits?: Partial<QueueLimits>;
  /** A session with no message either way for this long (ms) is closed with `idle-timeout`; 0 (default) never. */
  idleTimeoutMs?: number;
  /**
   * Streamable HTTP: a session with no open stream and no message either way for this long (ms)
   * ends (clients rarely send DELETE). Default 15 minutes; 0 never.
   */
  sessionTimeoutMs?: number;
  /** Streamable HTTP: answer POSTs with one `application/json` body instead of an SSE stream. Default false. */
  jsonResponse?: boolean;
  /**
   * The server features the endpoint answers itself once something is declared on it or
   * `answerProtocol` is on: `serverInfo`, `instructions`, page size (see {@link ServerFeatures}).
   */
  features?: FeatureOptions;
  /** MCP tasks: the TTL cap, the most unfinished tasks per owner, the poll interval, the store. */
  tasks?: TaskOptions;
  /** 2026-07-28: `ttlMs` and `cacheScope` of list results and `resources/read`. Default 0 ms, `private`. */
  caching?: CachingOptions;
  /**
   * 2026-07-28: the secret that seals `requestState`. Instances behind one load balancer must
   * share it; default: a random one made once per process for each endpoint id, so that a retry
   * works across a redeploy of the endpoint (but must reach the same instance).
   */
  stateSecret?: string;
  /**
   * Where requests answered with `-32000` because their flow went away are remembered (see
   * `interrupted-requests.ts`). Default: the one record of the process.
   */
  interrupted?: InterruptedRequests;
  /** Several instances serve this endpoint, sharing its sessions through Redis (see cluster/). Default: this instance alone. */
  cluster?: ClusterOptions;
}

/** One client message handed to the endpoint's listeners after the POST was accepted. */
export interface InboundMessage {
  /** The session it came on, or the 2026-07-28 exchange (a stateless POST) it came in. */
  session: ReplyDestination;
  kind: MessageKind;
  message: JsonRpcMessage;
  /** With OAuth on: the caller, as the access token of the POST that carried the message describes it. */
  auth?: AuthInfo;
}

/**
 * What a flow is told about the client behind a session or a 2026-07-28 exchange (in Node-RED,
 * `msg.mcp`): see `McpEndpoint.clientContext`.
 */
export interface ClientContext {
  /** `session`: `id` is a session's (`msg.mcp.sessionId`); `exchange`: a 2026-07-28 exchange's (`msg.mcp.exchangeId`). */
  kind: 'session' | 'exchange';
  /** The session or exchange id (a v4 UUID): `McpEndpoint.send` sends there. */
  id: string;
  transport: TransportKind;
  /** The protocol version the client speaks: its `initialize`'s, or its request's `_meta`. */
  protocolVersion?: string;
  /** With OAuth on: the caller, as the latest access token of the session or exchange describes it. */
  auth?: AuthInfo;
  /** What the client declared: a 2026-07-28 request's `_meta`, else the session's `initialize` (when the endpoint answered it). */
  clientCapabilities?: JsonObject;
  /** 2026-07-28: the request's `clientInfo`, when it carried one. */
  clientInfo?: Record<string, unknown>;
  /** 2026-07-28: the flow's state a retry carried back in its sealed `requestState`. */
  state?: unknown;
  /** MCP tasks: the task the request runs as (`msg.mcp.taskId`). */
  taskId?: string;
}

/** A session that opened or closed, for the endpoint's listeners. */
export interface SessionEvent {
  session: Session;
  /**
   * The headers of the request that opened the session; with authentication on, without the
   * credential (`Authorization`, or the token header): tokens never reach a flow or a log.
   */
  headers: IncomingHttpHeaders;
  /** With OAuth on: the caller, as the latest access token of the session describes it. */
  auth?: AuthInfo;
  /** Set on close. */
  reason?: CloseReason;
}

/** Interval between keep-alive comments, in ms. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;
/** Largest POST body accepted, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Most messages in one JSON-RPC batch (the SDK servers' cap). */
export const DEFAULT_MAX_BATCH_SIZE = 100;
/** Message events kept per session for replay on resumption. */
export const DEFAULT_REPLAY_EVENTS = 256;
/** The `retry:` sent to clients, in ms. */
export const DEFAULT_RETRY_MS = 1000;
/** Most open sessions of one endpoint. */
export const DEFAULT_MAX_SESSIONS = 1000;
/**
 * Most sessions without a stream per client address: a client process holds one session (a few for
 * a user with several assistants, plus the ones its restarts leave behind until they time out);
 * 100 leaves room for a few dozen such users behind one NAT address, while one address alone can
 * fill no more than a tenth of the default 1000 sessions.
 */
export const DEFAULT_MAX_IDLE_SESSIONS_PER_CLIENT = 100;
/** 2026-07-28: most open `subscriptions/listen` streams of one endpoint. */
export const DEFAULT_MAX_LISTEN_STREAMS = 1000;
/** Streamable HTTP: how long a session with no stream and no message lasts, in ms. */
export const DEFAULT_SESSION_TIMEOUT_MS = 15 * 60_000;
