/**
 * Small HTTP helpers for the transports: JSON error answers and a size-limited body reader.
 *
 * Never imports Node-RED; works on plain `node:http` requests and responses (and Express's, which
 * extend them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, type RequestId } from './jsonrpc';

/** JSON-RPC error codes the transports use for HTTP-level failures (the SDK's choices). */
export const TransportErrorCode = {
  /** Generic transport error: bad or missing session id, wrong content type, body too large. */
  BadRequest: -32000,
  /** The session id is unknown, closed or belongs to another endpoint. */
  SessionNotFound: -32001,
} as const;

/**
 * Answers with `status` and a JSON-RPC error body (`{"jsonrpc":"2.0","id":null,"error":{...}}`),
 * which a machine client can read whatever the status.
 */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  id: RequestId | null = null,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(errorResponse(id, code, message));
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
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

/** Why {@link readBody} refused a body: the HTTP status to answer and the reason. */
export class BodyError extends Error {
  constructor(readonly status: 400 | 413, message: string) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * Reads a request body of at most `limitBytes` bytes as UTF-8 text.
 *
 * A `Content-Length` over the limit is refused before anything is read; a body that grows past
 * the limit is refused as soon as it does (the rest is not buffered). Bytes that are not valid
 * UTF-8 are refused too.
 * @throws BodyError 413 over the limit, 400 for invalid UTF-8 or a body cut short by the client.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    return Promise.reject(new BodyError(413, `Request body is ${declared} bytes; the limit is ${limitBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: BodyError | undefined, text?: string): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onAborted);
      if (error) {
        // Discard whatever else arrives without buffering it.
        req.resume();
        reject(error);
      } else {
        resolve(text as string);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        finish(new BodyError(413, `Request body is over the limit of ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      try {
        const text = utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
        finish(undefined, text);
      } catch {
        finish(new BodyError(400, 'Request body is not valid UTF-8'));
      }
    };
    const onAborted = (): void => finish(new BodyError(400, 'Request body was cut short'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onAborted);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * True when a `Content-Type` header names JSON (`application/json`, optionally with
 * `charset=utf-8`), the only body MCP clients POST.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  for (const param of params) {
    const [name, value] = param.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}
