/**
 * MCP 2026-07-28, the stateless revision (SEP-2575, SEP-2567, SEP-2322, SEP-2549), on the
 * Streamable HTTP path: no `initialize`, no session; every request carries its protocol version
 * and client capabilities in `_meta` (and the `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`
 * headers), and is answered on its own POST.
 *
 * An *exchange* is one such POST while it is answered: the endpoint gives it an id (a v4 UUID,
 * `msg.mcp.exchangeId` in a flow) that `mcp sse out` addresses like a session id, for the POST's
 * lifetime only. Nothing about it outlives the POST: a flow's elicitation, sampling or roots
 * request becomes an `input_required` result whose sealed `requestState` (AES-256-GCM, so it is
 * both secret and tamper-proof) carries the answers of earlier rounds and the flow's own
 * `msg.mcp.state`; the client's retry, on any instance that shares the secret, re-runs the flow,
 * which finds each answer at once.
 *
 * Never imports Node-RED.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { JsonRpcMessage, JsonRpcRequest, RequestId } from './jsonrpc';

/** The protocol version of the stateless revision. */
export const MODERN_VERSION = '2026-07-28';
/** The versions answered statelessly (`server/discover`'s `supportedVersions`). */
export const MODERN_VERSIONS: readonly string[] = [MODERN_VERSION];

/** The `_meta` keys of the request envelope and of results. */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** JSON-RPC error codes of 2026-07-28. */
export const ModernErrorCode = {
  /** A missing or mismatched `MCP-Protocol-Version`, `Mcp-Method` or `Mcp-Name` header (HTTP 400). */
  HeaderMismatch: -32020,
  /** The request needs a client capability the client did not declare (HTTP 400). */
  MissingRequiredClientCapability: -32021,
  /** An unknown protocol version (HTTP 400, `data.supported`, `data.requested`). */
  UnsupportedProtocolVersion: -32022,
} as const;

/** Methods 2026-07-28 removed: answered `-32601` with HTTP 404. */
export const REMOVED_METHODS: ReadonlySet<string> = new Set(['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe', 'notifications/initialized']);

/** Methods whose results carry `ttlMs` and `cacheScope` (SEP-2549). */
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read', 'server/discover']);

/** Methods that may answer `input_required` (SEP-2322). */
export const INPUT_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** The client capability each input request needs. */
export const INPUT_CAPABILITY: Readonly<Record<string, string>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/** Caching hints of an endpoint's results. */
export interface CachingOptions {
  /** `ttlMs` of list results and `resources/read`, integer ms >= 0. Default 0 (re-fetch every time). */
  ttlMs?: number;
  /** `cacheScope`: `private` (default) or `public`. */
  cacheScope?: 'public' | 'private';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `_meta` of a message's params, if it is an object. */
export function metaOf(message: JsonRpcMessage): Record<string, unknown> | undefined {
  const params = 'params' in message ? (message as JsonRpcRequest).params : undefined;
  return isObject(params) && isObject(params._meta) ? params._meta : undefined;
}

/**
 * True when a POST speaks 2026-07-28: its `MCP-Protocol-Version` header is not a 2025-era
 * version while it names no session, or a message carries the envelope's protocol version.
 */
export function isModernPost(req: IncomingMessage, messages: JsonRpcMessage[], legacyVersions: readonly string[]): boolean {
  if (req.headers['mcp-session-id'] !== undefined) return false;
  const header = req.headers['mcp-protocol-version'];
  if (typeof header === 'string' && !legacyVersions.includes(header)) return true;
  return messages.some((message) => metaOf(message)?.[META.protocolVersion] !== undefined);
}

/** An envelope refused: the HTTP status and the JSON-RPC error. */
export interface EnvelopeError {
  status: number;
  code: number;
  message: string;
  data?: unknown;
}

/**
 * The answer to a POST that names, in its `MCP-Protocol-Version` header, a version this server
 * speaks in neither era, while no message carries the envelope's version (for example `initialize`
 * with `MCP-Protocol-Version: 1999-01-01`): 400 `-32022` with every version the endpoint speaks,
 * this revision's and those negotiated by `initialize` (`legacyVersions`), in `data.supported`,
 * and the header's value in `data.requested`, the shape 2026-07-28 gives an unknown version, which
 * the SDK v2 client reads to pick one. `undefined` for any other POST.
 */
export function unknownVersion(req: IncomingMessage, messages: JsonRpcMessage[], legacyVersions: readonly string[]): EnvelopeError | undefined {
  const header = req.headers['mcp-protocol-version'];
  if (typeof header !== 'string') return undefined;
  const requested = header.trim();
  if (MODERN_VERSIONS.includes(requested) || legacyVersions.includes(requested)) return undefined;
  if (messages.some((message) => metaOf(message)?.[META.protocolVersion] !== undefined)) return undefined;
  const supported = [...MODERN_VERSIONS, ...legacyVersions];
  return {
    status: 400,
    code: ModernErrorCode.UnsupportedProtocolVersion,
    message: `Unsupported protocol version ${JSON.stringify(requested.slice(0, 40))} in MCP-Protocol-Version. Supported: ${MODERN_VERSIONS.join(', ')} (params._meta on every request); ${legacyVersions.join(', ')} (negotiated by initialize)`,
    data: { supported, requested: requested.slice(0, 100) },
  };
}

/** What a valid envelope says. */
export interface Envelope {
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
  clientInfo?: Record<string, unknown>;
  logLevel?: string;
}

/** Compares a header value with a string; HTTP header values may carry surrounding blanks. */
function headerIs(value: string | string[] | undefined, expected: string): boolean {
  return typeof value === 'string' && value.trim() === expected;
}

/**
 * Checks one message of a 2026-07-28 POST against its headers (SEP-2575, SEP-2243): the `_meta`
 * keys `protocolVersion` and `clientCapabilities` must be there (400 `-32602`); the version must
 * be one this server speaks (400 `-32022` with `data.supported` and `data.requested`); the
 * `MCP-Protocol-Version` header must match it, and the `Mcp-Method` header the body's method,
 * and for `tools/call`, `prompts/get` and `resources/read` the `Mcp-Name` header the body's name
 * (or URI): a missing header is refused like a mismatched one (400 `-32020`; SEP-2243 "Server
 * validation": a standard header omitted while its value is in the body MUST be rejected).
 */
export function checkEnvelope(req: IncomingMessage, message: JsonRpcMessage): Envelope | EnvelopeError {
  const meta = metaOf(message);
  const version = meta?.[META.protocolVersion];
  const header = req.headers['mcp-protocol-version'];
  if (meta === undefined || version === undefined || !isObject(meta[META.clientCapabilities])) {
    return { status: 400, code: -32602, message: `Invalid params: a ${MODERN_VERSION} request needs params._meta with ${META.protocolVersion} and ${META.clientCapabilities}` };
  }
  if (typeof version !== 'string' || !MODERN_VERSIONS.includes(version)) {
    if (header === undefined || headerIs(header, String(version))) {
      return { status: 400, code: ModernErrorCode.UnsupportedProtocolVersion, message: `Unsupported protocol version: ${String(version).slice(0, 40)}`, data: { supported: [...MODERN_VERSIONS], requested: version } };
    }
  }
  if (!headerIs(header, String(version))) {
    return { status: 400, code: ModernErrorCode.HeaderMismatch, message: 'Header mismatch: the MCP-Protocol-Version header must be sent and equal params._meta protocolVersion' };
  }
  if ('method' in message) {
    const method = req.headers['mcp-method'];
    if (!headerIs(method, message.method)) {
      const problem = method === undefined ? 'the Mcp-Method header is missing' : 'Mcp-Method does not equal the body\'s method';
      return { status: 400, code: ModernErrorCode.HeaderMismatch, message: `Header mismatch: ${problem}` };
    }
    const params = (message as JsonRpcRequest).params ?? {};
    const named = message.method === 'tools/call' || message.method === 'prompts/get' ? params.name : message.method === 'resources/read' ? params.uri : undefined;
    const name = req.headers['mcp-name'];
    if (named !== undefined && !headerIs(name, String(named))) {
      const problem = name === undefined ? 'the Mcp-Name header is missing' : 'Mcp-Name does not equal the body\'s name';
      return { status: 400, code: ModernErrorCode.HeaderMismatch, message: `Header mismatch: ${problem}` };
    }
  }
  const envelope: Envelope = { protocolVersion: version as string, clientCapabilities: meta[META.clientCapabilities] as Record<string, unknown> };
  if (isObject(meta[META.clientInfo])) envelope.clientInfo = meta[META.clientInfo] as Record<string, unknown>;
  if (typeof meta[META.logLevel] === 'string') envelope.logLevel = meta[META.logLevel] as string;
  return envelope;
}

/** What a sealed `requestState` holds. */
export interface RequestState {
  /** The method and name (tool, prompt, URI) it was issued for: a retry of another request is refused. */
  method: string;
  name?: string;
  /** Every input response of the earlier rounds, by key. */
  responses: Record<string, unknown>;
  /** The flow's own `msg.mcp.state` at the last input request. */
  state?: unknown;
  /** Expiry, epoch ms. */
  exp: number;
}

/** How long a `requestState` stays valid, in ms. */
export const REQUEST_STATE_TTL_MS = 60 * 60_000;

/**
 * Seals and opens `requestState` (SEP-2322) with AES-256-GCM: the client can neither read nor
 * change it, and it differs each round (a random IV). Instances that share the secret open each
 * other's states.
 */
export class StateSeal {
  private readonly key: Buffer;

  /** @param secret any text; instances behind one load balancer must share it. */
  constructor(secret: string) {
    this.key = createHash('sha256').update(`mcp-request-state:${secret}`).digest();
  }

  /** The sealed text (base64url). */
  seal(state: RequestState): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The state, or `undefined` when it was tampered with, sealed with another secret, or has expired. */
  open(text: unknown): RequestState | undefined {
    if (typeof text !== 'string' || text.length < 40 || text.length > 1_000_000 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
    try {
      const raw = Buffer.from(text, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const state = JSON.parse(json) as RequestState;
      if (typeof state.exp !== 'number' || state.exp < Date.now() || !isObject(state.responses)) return undefined;
      return state;
    } catch {
      return undefined;
    }
  }
}

/** One request of an exchange: what it is, and its input rounds. */
export interface ExchangeRequest {
  method: string;
  /** The tool or prompt name, or the resource URI. */
  name?: string;
  /** Input responses known: the sealed earlier rounds' and this retry's `params.inputResponses`. */
  responses: Record<string, unknown>;
  /** The flow's state carried in `requestState`. */
  state?: unknown;
  /** Input requests asked in this round, by key, waiting to be sent as one `input_required` result. */
  asked: Record<string, { method: string; params?: unknown }>;
  /** Input requests made so far in this run of the flow: the next key when the flow names none. */
  inputCount: number;
  /** The timer that sends `asked`. */
  timer?: NodeJS.Timeout;
}

/** The stateless facts of one exchange (a 2026-07-28 POST being answered). */
export class Exchange {
  readonly requests = new Map<string, ExchangeRequest>();
  /** Set on a `subscriptions/listen` exchange: the listen request's id and the honoured filter. */
  listen?: { id: RequestId; filter: ListenFilter };

  constructor(readonly envelope: Envelope) {}

  /** True when the client declared `capability` in its envelope. */
  declares(capability: string): boolean {
    return isObject(this.envelope.clientCapabilities[capability]);
  }
}

/** The key of a request id in an exchange's map. */
export function requestKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}

/**
 * Adds what a 2026-07-28 result needs: `resultType` (`complete` unless set), the server's
 * identity in `_meta`, and for {@link CACHEABLE_METHODS} `ttlMs` and `cacheScope` (unless set).
 */
export function decorateResult(result: Record<string, unknown>, method: string | undefined, serverInfo: unknown, caching: Required<CachingOptions>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...result };
  if (out.resultType === undefined) out.resultType = 'complete';
  const meta = isObject(out._meta) ? { ...out._meta } : {};
  if (meta[META.serverInfo] === undefined) meta[META.serverInfo] = serverInfo;
  out._meta = meta;
  if (method !== undefined && CACHEABLE_METHODS.has(method) && out.resultType === 'complete') {
    if (typeof out.ttlMs !== 'number') out.ttlMs = caching.ttlMs;
    if (out.cacheScope !== 'public' && out.cacheScope !== 'private') out.cacheScope = caching.cacheScope;
  }
  return out;
}

/** The `subscriptions/listen` filter keys and the notification each lets through. */
export const LISTEN_FILTERS: Readonly<Record<string, string>> = {
  toolsListChanged: 'notifications/tools/list_changed',
  promptsListChanged: 'notifications/prompts/list_changed',
  resourcesListChanged: 'notifications/resources/list_changed',
};

/**
 * What a `subscriptions/listen` stream opted in to (2026-07-28 `SubscriptionFilter`): the
 * list-changed notifications of {@link LISTEN_FILTERS}, and `notifications/resources/updated`
 * for the URIs of `resourceSubscriptions` (which replaces `resources/subscribe`).
 */
export interface ListenFilter {
  toolsListChanged?: true;
  promptsListChanged?: true;
  resourcesListChanged?: true;
  /** Resource URIs whose `notifications/resources/updated` the stream gets (exact match). */
  resourceSubscriptions?: string[];
}

/** The capability (as `server/discover` reports it) each {@link LISTEN_FILTERS} key needs: `<capability>.listChanged`. */
const LISTEN_CAPABILITY: Readonly<Record<string, string>> = {
  toolsListChanged: 'tools',
  promptsListChanged: 'prompts',
  resourcesListChanged: 'resources',
};

/**
 * The filter of a `subscriptions/listen` request (`params.notifications`) as it is honoured and
 * acknowledged (2026-07-28 `notifications/subscriptions/acknowledged`: the filter the server
 * agreed to, leaving out what it does not support): each list-changed key that is `true` and
 * whose list the server announces changes of (`capabilities.<tools|prompts|resources>.listChanged`),
 * and the strings of `resourceSubscriptions` (an array; other entries and duplicates dropped)
 * when `capabilities.resources.subscribe` is set. Anything else is ignored.
 * @param capabilities the capabilities `server/discover` reports; absent: nothing is left out
 *   for want of a capability.
 */
export function listenFilter(notifications: unknown, capabilities?: Record<string, unknown>): ListenFilter {
  const asked = isObject(notifications) ? notifications : {};
  const supports = (capability: string, flag: string): boolean => {
    if (capabilities === undefined) return true;
    const entry = capabilities[capability];
    return isObject(entry) && entry[flag] === true;
  };
  const filter: Record<string, unknown> = {};
  for (const key of Object.keys(LISTEN_FILTERS)) if (asked[key] === true && supports(LISTEN_CAPABILITY[key], 'listChanged')) filter[key] = true;
  if (Array.isArray(asked.resourceSubscriptions) && supports('resources', 'subscribe')) {
    filter.resourceSubscriptions = [...new Set(asked.resourceSubscriptions.filter((uri): uri is string => typeof uri === 'string'))];
  }
  return filter as ListenFilter;
}

/**
 * True when a listen stream with `filter` is to be sent notification `method` with `params`: a
 * list-changed notification its filter names, or `notifications/resources/updated` for one of its
 * URIs. Nothing else: a server must not send a listen stream what its client did not opt in to.
 */
export function listenWants(filter: ListenFilter, method: unknown, params: unknown): boolean {
  if (method === 'notifications/resources/updated') {
    const uri = isObject(params) ? params.uri : undefined;
    return typeof uri === 'string' && (filter.resourceSubscriptions?.includes(uri) ?? false);
  }
  return Object.keys(LISTEN_FILTERS).some((key) => LISTEN_FILTERS[key] === method && (filter as Record<string, unknown>)[key] === true);
}
