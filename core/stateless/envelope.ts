/**
 * The request envelope of MCP 2026-07-28, the stateless revision (SEP-2575, SEP-2243), on the
 * Streamable HTTP path: no `initialize` and no session; every request carries its protocol version
 * and client capabilities in `_meta`, and the `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`
 * headers repeat what the body says. Here: the revision's constants, telling a 2026-07-28 POST
 * from a session's, and checking its envelope.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage } from 'node:http';
import { isObject, type JsonRpcMessage, type JsonRpcRequest } from '../jsonrpc';

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

/** The task methods whose `Mcp-Name` header carries `params.taskId` (SEP-2663). */
const TASK_NAMED: ReadonlySet<string> = new Set(['tasks/get', 'tasks/update', 'tasks/cancel']);

/** The `_meta` of a message's params, if it is an object. */
function metaOf(message: JsonRpcMessage): Record<string, unknown> | undefined {
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
 * (or URI), for `tasks/get`, `tasks/update` and `tasks/cancel` its `taskId` (SEP-2663
 * "Streamable HTTP: Routing Headers"): a missing header is refused like a mismatched one (400 `-32020`; SEP-2243 "Server
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
    const named = message.method === 'tools/call' || message.method === 'prompts/get' ? params.name : message.method === 'resources/read' ? params.uri : TASK_NAMED.has(message.method) ? params.taskId : undefined;
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
