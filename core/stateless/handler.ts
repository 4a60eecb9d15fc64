/**
 * The handler of a 2026-07-28 POST (MCP 2026-07-28, SEP-2575: the stateless revision on the
 * Streamable HTTP path): the Streamable HTTP transport reads the body, sees that it speaks this
 * revision (`isModernPost`), and hands it here (`TransportHost.answerStateless`). Here the whole
 * POST is checked (its version, no batch, every message's envelope), and then answered as one
 * exchange: a reply destination that lives as long as the POST, as the SDK v2's
 * `createMcpHandler` gives each request a transport of its own.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '../auth/claims';
import { JsonReply } from '../json-reply';
import { sendJsonRpcError } from '../http';
import { ErrorCode, type JsonRpcRequest, type RequestId } from '../jsonrpc';
import { SseStream } from '../sse';
import { refuseBatch, type PostedBody, type PostedMessage } from '../transports/post-body';
import { checkEnvelope, MODERN_VERSION, REMOVED_METHODS, unknownVersion, type Envelope } from './envelope';
import type { Exchanges } from './exchanges';

/** What the handler needs from its endpoint besides the exchanges. */
interface StatelessOptions {
  /** Most messages in one JSON-RPC batch (this revision has none: any batch is refused). */
  readonly maxBatchSize: number;
  /** The endpoint answers with one JSON body where it could stream (a listen stream streams anyway). */
  readonly jsonResponse: boolean;
  /** The versions `initialize` negotiates on the same path, named in a `-32022` answer beside this revision's. */
  readonly legacyVersions: readonly string[];
  /** With OAuth on: answers 403 `insufficient_scope` and returns true when a `tools/call` lacks its tool's scopes. */
  refuseToolCalls(req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined, messages: readonly PostedMessage[]): boolean;
}

/** The HTTP status of a 2026-07-28 JSON answer: 404 for `-32601`, 400 for `-32021`, else 200. */
function statusOfAnswer(json: string): number {
  if (!json.includes('"error"')) return 200;
  const code = (JSON.parse(json) as { error?: { code?: unknown } }).error?.code;
  return code === -32601 ? 404 : code === -32021 ? 400 : 200;
}

/** Serves the 2026-07-28 POSTs of one endpoint, each as one exchange. */
export class StatelessHandler {
  constructor(private readonly exchanges: Exchanges, private readonly options: StatelessOptions) {}

  /**
   * Answers one 2026-07-28 POST whose body is valid JSON-RPC. Refused as a whole first
   * ({@link refuseModernBody}); then every message's envelope is checked ({@link checkEnvelope}:
   * 400 `-32602`, `-32022`, `-32020`); a removed method (`initialize`, `ping`,
   * `logging/setLevel`, `resources/(un)subscribe`) gets 404 `-32601`. Then the POST is served
   * statelessly as one exchange, with no `Mcp-Session-Id`: notifications and responses only get
   * 202; requests get one `application/json` answer (404 for `-32601`, 400 for `-32021`), or an
   * SSE stream when a request asked for progress or a log level (unless JSON response mode is
   * on), and always for `subscriptions/listen` (its stream stays open; past the endpoint's most
   * listen streams, 503 with `Retry-After` and a JSON-RPC error for its id; `taskIds` without the
   * tasks extension, 400 `-32021`). With OAuth on, a
   * `tools/call` without its tool's scopes gets 403 `insufficient_scope` first, and the
   * exchange's messages carry the caller. The exchange ends when the POST's response closes.
   */
  answer(body: PostedBody, req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined): void {
    if (refuseModernBody(req, res, body, this.options)) return;
    let envelope: Envelope | undefined;
    let sse = false;
    let listen: JsonRpcRequest | undefined;
    const requestIds: RequestId[] = [];
    for (const { kind, message } of body.messages) {
      const id = kind === 'request' ? (message as JsonRpcRequest).id : null;
      const checked = checkEnvelope(req, message);
      if ('status' in checked) {
        sendJsonRpcError(res, checked.status, checked.code, checked.message, id, {}, checked.data);
        return;
      }
      envelope ??= checked;
      if (kind !== 'request') continue;
      const request = message as JsonRpcRequest;
      if (REMOVED_METHODS.has(request.method)) {
        sendJsonRpcError(res, 404, ErrorCode.MethodNotFound, `Method not found: ${request.method} is not part of MCP ${MODERN_VERSION}`, id);
        return;
      }
      requestIds.push(request.id);
      const meta = (request.params?._meta ?? {}) as Record<string, unknown>;
      if (request.method === 'subscriptions/listen') listen = request;
      if (meta.progressToken !== undefined || checked.logLevel !== undefined) sse = true;
    }
    if (this.options.refuseToolCalls(req, res, auth, body.messages)) return;
    if (requestIds.length === 0) {
      res.writeHead(202, { 'Content-Length': 0 });
      res.end();
      return;
    }
    if (listen !== undefined && this.exchanges.refuseListen(res, listen, envelope as Envelope)) return;
    const exchange = this.exchanges.open(envelope as Envelope, (exchange) => {
      // A listen stream is a stream whatever the JSON response setting: a JSON reply would never complete.
      if (listen !== undefined || (sse && !this.options.jsonResponse)) {
        exchange.openRequestChannel(new SseStream(res, exchange, exchange.queueLimits, {}), requestIds);
      } else {
        exchange.openRequestChannel(new JsonReply(res, body.batch, {}, statusOfAnswer), requestIds);
      }
    }, listen !== undefined);
    res.once('close', () => exchange.close('client-disconnected'));
    this.exchanges.receive(exchange, body.messages, auth);
  }
}

/**
 * Answers and returns true when a 2026-07-28 POST is refused as a whole, before its envelopes are
 * read: an `MCP-Protocol-Version` this server speaks in neither era, with no envelope, gets 400
 * `-32022` with every supported version ({@link unknownVersion}); a batch gets 400 `-32600`, since
 * this revision has none ({@link refuseBatch}).
 */
function refuseModernBody(req: IncomingMessage, res: ServerResponse, body: PostedBody, options: StatelessOptions): boolean {
  const unknown = unknownVersion(req, body.messages.map(({ message }) => message), options.legacyVersions);
  if (unknown === undefined) return refuseBatch(res, MODERN_VERSION, body, options.maxBatchSize);
  const first = body.messages[0];
  const id = !body.batch && first.kind === 'request' ? (first.message as JsonRpcRequest).id : null;
  sendJsonRpcError(res, unknown.status, unknown.code, unknown.message, id, {}, unknown.data);
  return true;
}
