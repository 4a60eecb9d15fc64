/**
 * The body of a POST that carries JSON-RPC messages, read and validated the same way for both
 * transports (MCP "Transports": HTTP+SSE's message endpoint and Streamable HTTP's POST): JSON
 * only, uncompressed, size- and depth-limited, one message or a non-empty batch, every message
 * valid. Nothing is handed on unless the whole body is valid.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { classifyMessage, ErrorCode, isValidId, type JsonRpcMessage, type MessageKind, type RequestId } from '../jsonrpc';
import { BodyError, isJsonContentType, jsonDepthExceeds, MAX_JSON_DEPTH, readBodyText, sendJsonRpcError, TransportErrorCode, valueDepthExceeds } from '../http';

/** One valid message of a POST. */
export interface PostedMessage {
  kind: MessageKind;
  message: JsonRpcMessage;
}

/** A valid POST body: its messages in order, and whether it was a JSON array. */
export interface PostedBody {
  messages: PostedMessage[];
  batch: boolean;
}

/**
 * The protocol revisions that have JSON-RPC batches: `2025-06-18` removed them ("Changelog"), and
 * `2026-07-28` has none.
 */
const BATCH_REVISIONS: readonly string[] = ['2024-11-05', '2025-03-26'];

/**
 * Why a POST body may not be taken under protocol revision `revision`, or `undefined` when it may:
 * an `initialize` in a batch (never allowed: "Lifecycle > Initialization", even alone in an
 * array); a batch under a revision without batches (see {@link BATCH_REVISIONS}); a batch of
 * more than `maxBatchSize` messages. A single message is always fine. Each reason is the message
 * of a `-32600` answer.
 */
function batchRefusal(revision: string, body: PostedBody, maxBatchSize: number): string | undefined {
  if (!body.batch) return undefined;
  if (body.messages.some(({ message }) => 'method' in message && message.method === 'initialize')) {
    return 'Invalid Request: initialize must be sent alone, not in a batch';
  }
  if (!BATCH_REVISIONS.includes(revision)) {
    return `Invalid Request: batching is not supported in protocol version ${revision.slice(0, 40)}`;
  }
  if (body.messages.length > maxBatchSize) {
    return `Invalid Request: a batch of ${body.messages.length} messages; this endpoint takes at most ${maxBatchSize} in one batch`;
  }
  return undefined;
}

/**
 * Answers 400 with `-32600` (`"id": null`) and returns true when {@link batchRefusal} refuses the
 * body under `revision`; nothing of the body reaches the endpoint then.
 */
export function refuseBatch(res: ServerResponse, revision: string, body: PostedBody, maxBatchSize: number): boolean {
  const reason = batchRefusal(revision, body, maxBatchSize);
  if (reason === undefined) return false;
  sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, reason);
  return true;
}

/** A valid POST body as JSON text again (an array for a batch), to relay to another instance. */
export function postedText(body: PostedBody): string {
  return JSON.stringify(body.batch ? body.messages.map((m) => m.message) : body.messages[0].message);
}

/** Called with a valid body; `context` is what the caller passed in, so the callback can be a fixed function. */
type PostCallback<C> = (context: C, body: PostedBody) => void;

/** What a POST carries while its body is read. */
interface Reading<C> {
  res: ServerResponse;
  callback: PostCallback<C>;
  context: C;
}

/**
 * Answers 415 and returns false unless the POST says its body is uncompressed JSON
 * (`Content-Type: application/json`, no `Content-Encoding` but `identity`).
 */
export function checkJsonHeaders(req: IncomingMessage, res: ServerResponse): boolean {
  if (!isJsonContentType(req.headers['content-type'])) {
    sendJsonRpcError(res, 415, TransportErrorCode.BadRequest,
      `Content-Type must be application/json, not ${req.headers['content-type'] ?? 'missing'}`);
    return false;
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    sendJsonRpcError(res, 415, TransportErrorCode.BadRequest,
      `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported: send the JSON body uncompressed`);
    return false;
  }
  return true;
}

/**
 * Reads the body of a POST whose headers passed {@link checkJsonHeaders}, and calls
 * `callback(context, body)` once when it is valid. Otherwise answers, each with a JSON-RPC error
 * body (`"id": null` unless the message's id was readable): 413 over `maxBodyBytes`; 400 with
 * `-32600` JSON nested deeper than {@link MAX_JSON_DEPTH} levels; 400 with `-32700` a body that is
 * not JSON or not UTF-8; 400 with `-32000` a body cut short; 400 with `-32600` an empty batch or
 * JSON that is not a JSON-RPC message. A body a parser in front already read (Express middleware)
 * is used as it is. Batches are not checked here: see {@link refuseBatch}.
 */
export function readPostBody<C>(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number, callback: PostCallback<C>, context: C): void {
  const preParsed = (req as IncomingMessage & { body?: unknown }).body;
  if (req.readableEnded && preParsed !== undefined) {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      sendJsonRpcError(res, 413, TransportErrorCode.BadRequest, `Request body is ${declared} bytes; the limit is ${maxBodyBytes} bytes`);
    } else if (valueDepthExceeds(preParsed, MAX_JSON_DEPTH)) {
      sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else {
      accept(preParsed, { res, callback, context });
    }
    return;
  }
  readBodyText(req, maxBodyBytes, onBodyText as (reading: Reading<C>, error: BodyError | undefined, text: string | undefined) => void, { res, callback, context });
}

/** Where a body goes once read: a fixed function, so a POST allocates no closures. */
function onBodyText(reading: Reading<unknown>, error: BodyError | undefined, text: string | undefined): void {
  if (error !== undefined) {
    sendJsonRpcError(reading.res, error.status, error.code, error.message, null,
      error.status === 413 ? { Connection: 'close' } : {});
    return;
  }
  if (jsonDepthExceeds(text as string, MAX_JSON_DEPTH)) {
    sendJsonRpcError(reading.res, 400, ErrorCode.InvalidRequest, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text as string);
  } catch (e) {
    sendJsonRpcError(reading.res, 400, ErrorCode.ParseError, `Parse error: ${(e as Error).message}`);
    return;
  }
  accept(parsed, reading);
}

/** Validates a parsed body (its depth already checked) and hands it on, or answers 400. */
function accept<C>(parsed: unknown, reading: Reading<C>): void {
  const batch = Array.isArray(parsed);
  const items = batch ? parsed : [parsed];
  if (items.length === 0) {
    sendJsonRpcError(reading.res, 400, ErrorCode.InvalidRequest, 'Invalid Request: an empty batch');
    return;
  }
  const messages: PostedMessage[] = [];
  for (const item of items) {
    const result = classifyMessage(item);
    if (!result.ok) {
      sendJsonRpcError(reading.res, 400, ErrorCode.InvalidRequest, `Invalid Request: ${result.reason}`, readableId(item));
      return;
    }
    messages.push({ kind: result.kind, message: result.message });
  }
  reading.callback(reading.context, { messages, batch });
}

function readableId(item: unknown): RequestId | null {
  if (typeof item !== 'object' || item === null) return null;
  const id = (item as { id?: unknown }).id;
  return isValidId(id) ? id : null;
}
