/**
 * JSON-RPC 2.0 message shapes as MCP uses them (MCP 2024-11-05, "Base Protocol > Messages"),
 * and the one validator every transport in this package runs on what a client sends.
 *
 * Never imports Node-RED.
 */

/** A JSON-RPC id as MCP allows it: a string or an integer, never `null`. */
export type RequestId = string | number;

/** A JSON-RPC request: expects exactly one response with the same `id`. */
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}

/** A JSON-RPC notification: no `id`, never answered. */
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

/** The `error` member of an error response. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A JSON-RPC response: the `result` or the `error` for the request with the same `id`. */
export interface JsonRpcResponse {
  jsonrpc: '2.0';
  /** `null` only in an error answering a message whose id could not be read. */
  id: RequestId | null;
  result?: unknown;
  error?: JsonRpcErrorObject;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** What kind of message a valid JSON-RPC message is. */
export type MessageKind = 'request' | 'notification' | 'response';

/** Standard JSON-RPC 2.0 error codes (JSON-RPC 2.0 spec, section 5.1). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/**
 * The error code of a request answered because its session, its POST's response or its flow went
 * away before it was (an implementation-defined server error, JSON-RPC 2.0 section 5.1): `-32000`,
 * the SDK's `ErrorCode.ConnectionClosed`, so a client reports it as a closed connection.
 */
export const CONNECTION_CLOSED = -32000;

/**
 * Builds an error response.
 * @param id the id of the message being answered, or `null` when it could not be read.
 */
export function errorResponse(id: RequestId | null, code: number, message: string, data?: unknown): JsonRpcResponse {
  const error: JsonRpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

/** The outcome of {@link classifyMessage}: a valid message and its kind, or why it is not one. */
type Classified =
  | { ok: true; kind: MessageKind; message: JsonRpcMessage }
  | { ok: false; reason: string };

/** True for a JSON object: an object that is not `null` and not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `id` is a JSON-RPC id MCP allows: a string or a safe integer, never `null`. */
export function isValidId(id: unknown): id is RequestId {
  return (typeof id === 'string') || (typeof id === 'number' && Number.isSafeInteger(id));
}

/**
 * Checks that a parsed JSON value is one JSON-RPC 2.0 message as MCP allows it, and says which kind.
 *
 * Rules: `jsonrpc` must be `"2.0"`; a `method` must be a non-empty string; ids are strings or safe
 * integers (MCP forbids `null`); `params`, when present, is an object (MCP never uses positional
 * params); a response carries exactly one of `result` and `error`, and an error has an integer
 * `code` and a string `message`.
 *
 * Never throws: an invalid value gives `{ ok: false, reason }`, which the caller answers with
 * `-32600 Invalid Request`.
 */
export function classifyMessage(value: unknown): Classified {
  if (!isObject(value)) return { ok: false, reason: 'a JSON-RPC message must be a JSON object' };
  if (value.jsonrpc !== '2.0') return { ok: false, reason: '"jsonrpc" must be exactly "2.0"' };
  const hasId = 'id' in value;
  if (hasId && !isValidId(value.id)) {
    return { ok: false, reason: '"id" must be a string or an integer (MCP does not allow null)' };
  }
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method.length === 0) {
      return { ok: false, reason: '"method" must be a non-empty string' };
    }
    if ('params' in value && !isObject(value.params)) {
      return { ok: false, reason: '"params" must be an object' };
    }
    if ('result' in value || 'error' in value) {
      return { ok: false, reason: 'a message cannot have both "method" and "result" or "error"' };
    }
    return { ok: true, kind: hasId ? 'request' : 'notification', message: value as unknown as JsonRpcMessage };
  }
  const hasResult = 'result' in value;
  const hasError = 'error' in value;
  if (!hasResult && !hasError) {
    return { ok: false, reason: 'a JSON-RPC message needs a "method" (request or notification) or a "result" or "error" (response)' };
  }
  if (hasResult && hasError) return { ok: false, reason: 'a response cannot have both "result" and "error"' };
  if (!hasId) return { ok: false, reason: 'a response needs the "id" of the request it answers' };
  if (hasError) {
    const error = value.error;
    if (!isObject(error) || !Number.isInteger(error.code) || typeof error.message !== 'string') {
      return { ok: false, reason: '"error" must be an object with an integer "code" and a string "message"' };
    }
  }
  return { ok: true, kind: 'response', message: value as unknown as JsonRpcMessage };
}

/**
 * Turns what a flow produced into the JSON-RPC message to send, so a flow never has to copy ids:
 *
 * - an object with `method` is a notification, or a server-initiated request when it has an `id`;
 * - an object with `result` or `error` is a response; its `id` is the payload's own, or else
 *   `requestId`, the id of the client request the flow is answering;
 * - `jsonrpc: "2.0"` is added where missing.
 *
 * The payload is not modified.
 * @throws TypeError with a sentence a flow author can act on when the payload is none of these,
 *   or a response has no id to answer.
 */
export function toOutboundMessage(payload: unknown, requestId: RequestId | undefined): JsonRpcMessage {
  if (!isObject(payload)) {
    throw new TypeError('msg.payload must be an object: a JSON-RPC message, or { result } / { error } answering the request');
  }
  if (payload.jsonrpc !== undefined && payload.jsonrpc !== '2.0') {
    throw new TypeError('msg.payload.jsonrpc must be "2.0" when it is set');
  }
  let candidate: Record<string, unknown> = payload;
  const isResponse = !('method' in payload) && ('result' in payload || 'error' in payload);
  if (isResponse && !('id' in payload)) {
    if (requestId === undefined) {
      throw new TypeError('msg.payload is a response but there is no request to answer: set msg.payload.id, or keep msg.mcp from the mcp message in node');
    }
    candidate = { jsonrpc: '2.0', id: requestId, ...payload };
  } else if (payload.jsonrpc === undefined) {
    candidate = { jsonrpc: '2.0', ...payload };
  }
  const result = classifyMessage(candidate);
  if (!result.ok) throw new TypeError(`msg.payload is not a JSON-RPC message: ${result.reason}`);
  return result.message;
}
