/**
 * Small HTTP helpers for the transports: JSON error answers and a size-limited body reader.
 *
 * Never imports Node-RED; works on plain `node:http` requests and responses (and Express's, which
 * extend them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, errorResponse, type RequestId } from './jsonrpc';

/** JSON-RPC error codes the transports use for HTTP-level failures (the SDK's choices). */
export const TransportErrorCode = {
  /** Generic transport error: bad or missing session id, wrong content type, body too large. */
  BadRequest: -32000,
  /** The session id is unknown, closed or belongs to another endpoint. */
  SessionNotFound: -32001,
} as const;

/**
 * Answers with `status` and a JSON-RPC error body (`{"jsonrpc":"2.0","id":null,"error":{...}}`,
 * with `error.data` when `data` is given), which a machine client can read whatever the status.
 * Once the headers are sent it can only end the response.
 */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  id: RequestId | null = null,
  headers: Record<string, string> = {},
  data?: unknown,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(errorResponse(id, code, message, data));
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Seconds a client is told to wait (`Retry-After`) by a 503 that a moment may cure: the endpoint
 * has its most sessions or listen streams, or the authorization server cannot be reached.
 */
const RETRY_AFTER_S = 5;

/**
 * Answers 503 with `Retry-After: retryAfterS` and a JSON-RPC error (`-32000`, `message`, `id`):
 * the request cannot be served now, but may be shortly.
 */
export function sendRetryLater(res: ServerResponse, message: string, id: RequestId | null = null, retryAfterS = RETRY_AFTER_S): void {
  sendJsonRpcError(res, 503, TransportErrorCode.BadRequest, message, id, { 'Retry-After': String(retryAfterS) });
}

/**
 * Answers 405 with an `Allow` header and a JSON-RPC error body naming the methods the path takes.
 */
export function sendMethodNotAllowed(res: ServerResponse, method: string | undefined, allowed: string[]): void {
  const list = allowed.join(', ');
  sendJsonRpcError(res, 405, TransportErrorCode.BadRequest,
    `Method ${String(method ?? '').slice(0, 20)} not allowed here: use ${list}`, null, { Allow: list });
}

/** Deepest nesting of arrays and objects accepted in a message body. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when JSON text nests arrays and objects deeper than `max` levels (brackets inside strings
 * do not count). Runs before `JSON.parse`, so a hostile body never becomes a structure that
 * recursive code (Node-RED's message cloning, `JSON.stringify`) would overflow the stack on.
 * Linear in the text; does not validate it.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** True when a parsed value nests arrays and objects deeper than `max` levels. */
export function valueDepthExceeds(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max <= 0) return true;
  for (const child of Object.values(value as Record<string, unknown>)) {
    if (valueDepthExceeds(child, max - 1)) return true;
  }
  return false;
}

/**
 * Why {@link readBodyText} refused a body: the HTTP status to answer, the JSON-RPC error code of
 * the answer's body (`-32700` parse error for bytes that are not UTF-8, as for text that is not
 * JSON; `-32000` otherwise: too large, cut short), and the reason.
 */
export class BodyError extends Error {
  constructor(readonly status: 400 | 413, message: string, readonly code: number = TransportErrorCode.BadRequest) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * Called once when {@link readBodyText} is done: with the body's text, or with the reason it was
 * refused. `context` is what the caller passed in, so the callback can be a fixed function.
 */
type BodyCallback<C> = (context: C, error: BodyError | undefined, text: string | undefined) => void;

/** One body being read: the state the shared listeners below work on. */
interface BodyReading {
  limitBytes: number;
  size: number;
  chunks: Buffer[];
  callback: BodyCallback<unknown>;
  context: unknown;
}

// The readings in progress, by request. The listeners are the same four functions for every
// request (`this` is the request), so reading a body allocates no closures.
const readings = new WeakMap<IncomingMessage, BodyReading>();

function finishReading(req: IncomingMessage, error: BodyError | undefined, text?: string): void {
  const reading = readings.get(req);
  if (reading === undefined) return;
  readings.delete(req);
  req.off('data', onBodyData);
  req.off('end', onBodyEnd);
  req.off('aborted', onBodyAborted);
  req.off('error', onBodyAborted);
  reading.chunks = [];
  // Discard whatever else arrives without buffering it.
  if (error !== undefined) req.resume();
  reading.callback(reading.context, error, text);
}

function onBodyData(this: IncomingMessage, chunk: Buffer): void {
  const reading = readings.get(this);
  if (reading === undefined) return;
  reading.size += chunk.length;
  if (reading.size > reading.limitBytes) {
    finishReading(this, new BodyError(413, `Request body is over the limit of ${reading.limitBytes} bytes`));
    return;
  }
  reading.chunks.push(chunk);
}

function onBodyEnd(this: IncomingMessage): void {
  const reading = readings.get(this);
  if (reading === undefined) return;
  const { chunks, size } = reading;
  let text: string;
  try {
    text = utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  } catch {
    finishReading(this, new BodyError(400, 'Parse error: the request body is not valid UTF-8', ErrorCode.ParseError));
    return;
  }
  finishReading(this, undefined, text);
}

function onBodyAborted(this: IncomingMessage): void {
  finishReading(this, new BodyError(400, 'Request body was cut short'));
}

/**
 * Reads a request body of at most `limitBytes` bytes as UTF-8 text and calls
 * `callback(context, error, text)` once, with no promise and no
 * closures per request (the listeners are shared; `context` carries what the caller needs).
 *
 * A `Content-Length` over the limit is refused before anything is read (the callback runs
 * synchronously then); a body that grows past the limit is refused as soon as it does (the rest
 * is not buffered). Bytes that are not valid UTF-8 are refused too.
 * Errors given to the callback: BodyError 413 over the limit, 400 for invalid UTF-8 or a body cut
 * short by the client.
 */
export function readBodyText<C>(req: IncomingMessage, limitBytes: number, callback: BodyCallback<C>, context: C): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    callback(context, new BodyError(413, `Request body is ${declared} bytes; the limit is ${limitBytes} bytes`), undefined);
    return;
  }
  readings.set(req, { limitBytes, size: 0, chunks: [], callback: callback as BodyCallback<unknown>, context });
  req.on('data', onBodyData);
  req.on('end', onBodyEnd);
  req.on('aborted', onBodyAborted);
  req.on('error', onBodyAborted);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * True when a `Content-Type` header names JSON (`application/json`, optionally with
 * `charset=utf-8`), the only body MCP clients POST.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  // What the SDK clients send: decided without splitting the header.
  if (header === 'application/json') return true;
  const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  for (const param of params) {
    const [name, value] = param.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}
