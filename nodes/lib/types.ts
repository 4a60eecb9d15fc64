/**
 * The msg properties and node configurations this package's nodes share (types only: `msg.mcp`
 * is filled in by `msg-context.ts`).
 */
import type { NodeDef, Node } from 'node-red';
import type { McpEndpoint, MessageKind, RequestId, TransportKind } from '../../core';

/**
 * `msg.mcp`: where a msg came from and where its answer goes. Set by `mcp message in` and
 * `mcp sse in`; read by `mcp sse out`. Plain strings and numbers, so it survives the deep copy
 * Node-RED makes when a wire fans out.
 */
export interface McpMsgContext {
  /** The session the msg belongs to; absent on a 2026-07-28 (stateless) request, which has `exchangeId`. */
  sessionId?: string;
  /**
   * 2026-07-28 (stateless) requests: the id of the POST being answered, valid while it is open;
   * `mcp sse out` sends there as it sends to a session.
   */
  exchangeId?: string;
  /** The protocol version the client speaks (its `initialize`'s, or its request's `_meta`). */
  protocolVersion?: string;
  /**
   * The client's capabilities: a 2026-07-28 request's `_meta`, else what the session's
   * `initialize` declared (when the endpoint answered it: something declared, or Answer protocol
   * on). MCP Apps: `extensions["io.modelcontextprotocol/ui"].mimeTypes` lists
   * `text/html;profile=mcp-app` when the client renders views.
   */
  clientCapabilities?: Record<string, unknown>;
  /** 2026-07-28: the client's `clientInfo`, when the request carried it. */
  clientInfo?: Record<string, unknown>;
  /**
   * 2026-07-28: the flow's state across an `input_required` round trip: set it on the msg that
   * asks the client (elicitation, sampling, roots); the client's retry brings it back here, sealed.
   */
  state?: unknown;
  /** MCP tasks: the task this request runs as, while it runs (a tool whose Task setting made the call a task). */
  taskId?: string;
  /**
   * MCP tasks: set on a msg into `mcp sse out` (with the task msg's `msg.mcp`), a line for people
   * that becomes the task's status message; the msg sends nothing else, and `mcp sse out` deletes
   * it from this `msg.mcp` (so a kept msg it was set on answers the call when sent again).
   */
  taskStatus?: string;
  /** The id of the `mcp-sse-endpoint` config node that owns the session. */
  endpoint: string;
  /** The transport the session uses: `sse` (HTTP+SSE) or `streamable-http`. */
  transport?: TransportKind;
  /** What the client sent: `request`, `notification` or `response` (absent on session events). */
  kind?: MessageKind;
  /** The client request's id: the id a response to it must carry. */
  requestId?: RequestId;
  /** The client request's or notification's method. */
  method?: string;
  /** `mcp sse tool`: the tool called. */
  tool?: string;
  /** `mcp sse resource`: the URI read. */
  uri?: string;
  /** `mcp sse prompt`: the prompt asked for or completed. */
  prompt?: string;
  /**
   * With the endpoint in OAuth 2.1 mode: the caller, as its access token describes it (the token
   * itself never reaches the flow). On every msg of a session: `mcp message in` gives the caller
   * of the POST that carried the message, `mcp sse in` the caller of the session.
   */
  auth?: McpAuth;
  /**
   * Set by `mcp sse out` on the msg it sends when a server-initiated request ends: the request's
   * id and method, and how it ended (`result`, `error`, `timeout` or `session-closed`).
   */
  request?: { id: RequestId; method: string; outcome: 'result' | 'error' | 'timeout' | 'session-closed' };
}

/** `msg.mcp.auth`: the caller of an OAuth 2.1 endpoint. */
export interface McpAuth {
  /** The token's `sub`: the user (for a client credentials token, usually the client). */
  subject: string | undefined;
  /** The client the user signed in with (`client_id`, or `azp`, `appid`, `cid`). */
  clientId: string | undefined;
  /** The scopes granted. */
  scopes: string[];
  /** Every claim of the token (or field of its introspection answer). */
  claims: Record<string, unknown>;
  /** When the token expires, in epoch ms. */
  expiresAt: number | undefined;
}

/** `msg.payload` of the msgs `mcp sse in` sends. */
export interface SessionEventPayload {
  event: 'open' | 'close';
  sessionId: string;
  /** `sse` or `streamable-http`. */
  transport: TransportKind;
  /** The headers of the request that opened the session (the SSE GET, or the `initialize` POST). */
  headers: Record<string, string | string[] | undefined>;
  /**
   * Why the session closed: `client-disconnected`, `client-deleted` (Streamable HTTP DELETE),
   * `server-closed`, `endpoint-closed`, `queue-overflow`, `idle-timeout` or `evicted` (the
   * endpoint was full, or its client past its cap, and it was the least recently active idle one).
   */
  reason?: string;
  /** Open sessions of the endpoint after this event, on this instance. */
  sessions: number;
  /** Several instances, Redis reachable: open sessions of the endpoint on every instance (as last counted). */
  clusterSessions?: number;
}

/** Settings of the `mcp-sse-endpoint` config node, as the editor saves them. */
export interface EndpointNodeDef extends NodeDef {
  ssePath: string;
  messagePath: string;
  /** Seconds between keep-alive comments; 0 turns them off. */
  keepAlive: number | string;
  /** Largest POST body, in bytes. */
  maxBodySize: number | string;
  /** Most messages in one JSON-RPC batch (2024-11-05, 2025-03-26); default 100. */
  maxBatchSize?: number | string;
  /** Seconds a session outlives a dropped stream, waiting for a reconnect with Last-Event-ID; 0 turns resumption off. */
  resumeGrace?: number | string;
  /** Message events kept per session for replay on resumption. */
  replayEvents?: number | string;
  /** `retry:` sent to clients: ms before they reconnect. */
  retry?: number | string;
  /** Origins accepted besides same-host ones: comma- or space-separated, `*` for any. */
  allowedOrigins?: string;
  /** Hosts accepted besides loopback names: comma- or space-separated, `*` for any. */
  allowedHosts?: string;
  /** Header carrying the key instead of `Authorization: Bearer`; blank for a bearer token. */
  authHeader?: string;
  /** Most open sessions; default 1000 (full: the least recently active idle one is evicted). */
  maxSessions?: number | string;
  /** Most sessions without a stream per client address; default 100, 0 no cap. */
  maxIdlePerClient?: number | string;
  /** 2026-07-28: most open listen streams; default 1000. */
  maxListenStreams?: number | string;
  /** MCP tasks: the longest a task is kept, in seconds; default 3600. */
  maxTaskTtl?: number | string;
  /** MCP tasks: most unfinished tasks per session or OAuth subject; default 100. */
  maxTasks?: number | string;
  /** Most messages waiting for one slow client; default 1000. */
  queueMessages?: number | string;
  /** Most bytes waiting for one slow client; default 8388608. */
  queueBytes?: number | string;
  /** Seconds without a message either way before a session is closed; 0 (default) never. */
  idleTimeout?: number | string;
  /** HTTP+SSE on (`ssePath` and `messagePath`); absent counts as on. */
  sse?: boolean;
  /** Streamable HTTP on (`streamablePath`); absent counts as off, as in flows saved before it existed. */
  streamable?: boolean;
  /** The Streamable HTTP path (POST, GET, DELETE); default `/mcp`. */
  streamablePath?: string;
  /** Seconds a Streamable HTTP session lasts with no open stream and no message; default 900, 0 never. */
  sessionTimeout?: number | string;
  /** Streamable HTTP: answer POSTs with one JSON body instead of an SSE stream. */
  jsonResponse?: boolean;
  /**
   * `none`, `token` (the credential `authToken`) or `oauth` (OAuth 2.1 resource server). Absent
   * (flows saved before it existed): `token` when a token is set, else `none`.
   */
  authMode?: 'none' | 'token' | 'oauth';
  /** OAuth: issuer URLs of the authorization servers, separated by spaces, commas or new lines. */
  issuers?: string;
  /** OAuth: the resource identifier; blank: the URL the client connected to. */
  resource?: string;
  /** OAuth: more accepted `aud` values, separated by spaces, commas or new lines. */
  audiences?: string;
  /** OAuth: scopes every request needs, separated by spaces or commas. */
  requiredScopes?: string;
  /** OAuth: per-tool scopes, one `tool: scope1 scope2` a line. */
  toolScopes?: string;
  /** OAuth: allowed clock skew for `exp`/`nbf`, in seconds; default 60. */
  clockSkew?: number | string;
  /**
   * Answer `initialize`, `ping`, `logging/setLevel` and the lists even with no tool, resource or
   * prompt node declared on the endpoint (they switch it on by themselves).
   */
  answerProtocol?: boolean;
  /** 2026-07-28: `ttlMs` of list results and `resources/read`, in ms; default 0. */
  cacheTtlMs?: number | string;
  /** 2026-07-28: `cacheScope` of those results: `private` (default) or `public`. */
  cacheScope?: 'public' | 'private';
  /** `serverInfo.name` in the `initialize` answer; blank: the endpoint's name, else `node-red`. */
  serverName?: string;
  /** `serverInfo.version`; blank: `1.0.0`. */
  serverVersion?: string;
  /** `instructions` in the `initialize` answer: how to use this server, for the model. */
  instructions?: string;
  /**
   * Several instances: the Redis URL (`redis://` or `rediss://`), or `${MCP_REDIS_URL}`-style
   * environment substitution; blank, or a variable that is not set, keeps this instance alone.
   */
  redisUrl?: string;
  /** The id of a core `tls-config` node with the CA, certificate and key for Redis over TLS. */
  redisTls?: string;
  /** Prefix of every Redis key and channel; default `mcp:`. */
  redisPrefix?: string;
  /** This instance's name among the instances; default host name and process id. */
  redisInstance?: string;
  /** Entries the endpoint's activity list keeps (the MCP sidebar, the admin API); default 500. */
  activitySize?: number | string;
  /** Keep the params and results of the activity list's entries (they may hold personal data); default off. */
  recordPayloads?: boolean;
}

/** Credentials of the `mcp-sse-endpoint` config node: kept out of exported flows. */
export interface EndpointCredentials {
  /** The bearer token or header value clients must send; blank turns authentication off. */
  authToken?: string;
  /** The Redis password (several instances), when not in the URL. */
  redisPassword?: string;
  /** OAuth: the client id the endpoint introspects opaque tokens as (RFC 7662); blank: JWTs only. */
  introspectionClientId?: string;
  /** OAuth: that client's secret. */
  introspectionSecret?: string;
  /**
   * 2026-07-28: the secret that seals `requestState`; instances behind one load balancer must
   * share it. Blank: the `MCP_STATE_SECRET` environment variable, else random per process.
   */
  stateSecret?: string;
}

/** The running `mcp-sse-endpoint` config node. */
export interface EndpointNode extends Node {
  ssePath: string;
  messagePath: string;
  /** False when HTTP+SSE is switched off. */
  sseEnabled: boolean;
  /** The Streamable HTTP path, or `undefined` when that transport is switched off. */
  streamablePath: string | undefined;
  /** The transport core serving this endpoint's sessions. */
  endpoint: McpEndpoint;
  /** How clients authenticate: `none`, `token` or `oauth`. */
  authMode: 'none' | 'token' | 'oauth';
}

/** Settings of `mcp-sse-in` and `mcp-message-in`. */
export interface InNodeDef extends NodeDef {
  /** The id of the `mcp-sse-endpoint` config node. */
  endpoint: string;
}

/** Settings of `mcp-sse-out`. */
export interface OutNodeDef extends NodeDef {
  /** `session` (default): the msg's session; `endpoint`: broadcast to every session of an endpoint. */
  target?: 'session' | 'endpoint';
  /** For `endpoint`: the `mcp-sse-endpoint` config node id; empty uses `msg.mcp.endpoint`. */
  endpoint?: string;
  /** Seconds a server-initiated request waits for the client's answer; 0 waits until the session closes. */
  timeout?: number | string;
}

/** Settings of `mcp-sse-tool`. */
export interface ToolNodeDef extends NodeDef {
  endpoint: string;
  /** The tool's name, as the model calls it. */
  name: string;
  title?: string;
  description?: string;
  /** JSON text of the input schema. */
  inputSchema?: string;
  /** JSON text of the output schema; blank for none. */
  outputSchema?: string;
  /** Annotations: `''` (not sent), `'true'` or `'false'`. */
  readOnlyHint?: string;
  destructiveHint?: string;
  idempotentHint?: string;
  openWorldHint?: string;
  /** MCP Apps: the `ui://` URI of the view shown with the tool's result; blank for none. */
  view?: string;
  /** MCP Apps: who may call the tool: `both` (default), `model`, or `app` (only its view, through the host). */
  visibility?: 'both' | 'model' | 'app';
  /** MCP tasks: `never` (default), `optional`, or `always` (see `TaskSupport`). */
  taskSupport?: 'never' | 'optional' | 'always';
}

/** Settings of `mcp-sse-resource`. */
export interface ResourceNodeDef extends NodeDef {
  endpoint: string;
  /** A URI, or an RFC 6570 URI template (it has a `{`). */
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  /** `static`: `content` typed in the dialog; `flow`: a msg per `resources/read`. */
  source?: 'static' | 'flow';
  /** Static content as `text`, or as `base64` bytes. */
  contentType?: 'text' | 'base64';
  content?: string;
}

/** Settings of `mcp-sse-view` (MCP Apps). */
export interface ViewNodeDef extends NodeDef {
  endpoint: string;
  /** The view's `ui://` URI. */
  uri: string;
  name: string;
  title?: string;
  description?: string;
  /** `template`: the Mustache `template` (HTML); `flow`: a msg per `resources/read`. */
  source?: 'template' | 'flow';
  template?: string;
  /** CSP origins, separated by spaces, commas or new lines. */
  connectDomains?: string;
  resourceDomains?: string;
  frameDomains?: string;
  baseUriDomains?: string;
  /** Sandbox permissions asked for. */
  camera?: boolean;
  microphone?: boolean;
  geolocation?: boolean;
  clipboardWrite?: boolean;
  /** `''` (the host decides), `'true'` or `'false'`. */
  prefersBorder?: string;
  /** A dedicated sandbox origin, in the host's format. */
  domain?: string;
}

/** One argument row of `mcp-sse-prompt`. */
export interface PromptArgumentDef {
  name: string;
  description?: string;
  required?: boolean;
  /** Completion values, one per line or comma-separated. */
  values?: string;
}

/** Settings of `mcp-sse-prompt`. */
export interface PromptNodeDef extends NodeDef {
  endpoint: string;
  name: string;
  title?: string;
  description?: string;
  arguments?: PromptArgumentDef[];
  /** `template`: the Mustache `template`; `flow`: a msg per `prompts/get`. */
  source?: 'template' | 'flow';
  role?: 'user' | 'assistant';
  template?: string;
  /** `list`: each argument's values; `flow`: a msg per `completion/complete`. */
  complete?: 'list' | 'flow';
}
