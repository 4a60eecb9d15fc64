/**
 * The editor's Try it (`POST /mcp-sse/endpoints/:id/call`): one request made in-process, through
 * the endpoint exactly as a client's goes (the protocol layer, a declaration's schema and its
 * node, the flow, `mcp sse out`), with a reply destination of its own ({@link EditorCall}) that
 * the endpoint finds by its id as it finds a session (`McpEndpoint.openInProcess`). It opens no
 * HTTP session; its entries in the activity list say `source: "editor"`.
 *
 * The request asks for progress (`_meta.progressToken`): the flow's progress notifications come
 * back in the answer. A server-initiated request the flow sends meanwhile (elicitation, sampling,
 * roots) is answered at once with a JSON-RPC error (`-32601`) saying that the editor cannot
 * answer it, so the flow goes on (its `mcp sse out` hears an `error` outcome).
 *
 * Never imports Node-RED.
 */
import { performance } from 'node:perf_hooks';
import type { McpEndpoint } from '../endpoint';
import { ErrorCode, type JsonRpcErrorObject, type JsonRpcMessage, type JsonRpcRequest, type JsonRpcResponse, type RequestId } from '../jsonrpc';
import type { ReplyDestination, TransportKind } from '../reply-destination';
import { newSessionId } from '../session-id';
import type { ActivityLog } from './activity-log';

/** How long the editor waits for the flow's answer, unless told otherwise, in ms. */
export const DEFAULT_EDITOR_CALL_TIMEOUT_MS = 30_000;
/** The methods the editor may call: the three that run a declaration or a flow, and the lists (a hand-written flow's tools come from its own `tools/list`). */
export const EDITOR_METHODS: readonly string[] = ['tools/call', 'resources/read', 'prompts/get', 'tools/list', 'resources/list', 'prompts/list'];
/** The protocol version the editor's requests speak. */
const EDITOR_PROTOCOL_VERSION = '2025-11-25';
/** The id of the editor's one request, and its progress token. */
const REQUEST_ID = 1;
const PROGRESS_TOKEN = 'editor';

/** What the editor gets back. */
export interface EditorCallAnswer {
  /** The JSON-RPC result, as the flow (or the declaration) gave it; or the error. */
  result?: unknown;
  error?: JsonRpcErrorObject;
  /** Request made until its response, in ms (to 0.1 ms). */
  durationMs: number;
  /** The `params` of each `notifications/progress` the flow sent, in order. */
  progress: Array<Record<string, unknown>>;
  /** The server-initiated requests the flow sent, each answered with an error. */
  serverRequests: Array<{ method: string }>;
}

/** No answer within the timeout. */
export class EditorCallTimeout extends Error {
  constructor(readonly timeoutMs: number, readonly progress: Array<Record<string, unknown>>) {
    super(`No answer within ${timeoutMs / 1000} s: the flow did not answer (is an mcp sse out wired after it?)`);
    this.name = 'EditorCallTimeout';
  }
}

/** The editor as a reply destination of its own: it takes the answer, the progress, and refuses server-initiated requests. */
export class EditorCall implements ReplyDestination {
  readonly id = newSessionId();
  /** The flow sees the editor's request as a Streamable HTTP one (`msg.mcp.transport`). */
  readonly transport: TransportKind = 'streamable-http';
  protocolVersion?: string = EDITOR_PROTOCOL_VERSION;
  initializeId?: RequestId;
  readonly progress: Array<Record<string, unknown>> = [];
  readonly serverRequests: Array<{ method: string }> = [];
  private ended = false;

  /**
   * @param onResponse hears the response to the editor's request.
   * @param answerClient hands the endpoint what the editor answers, as a client's message.
   */
  constructor(private readonly onResponse: (response: JsonRpcResponse) => void, private readonly answerClient: (message: JsonRpcMessage) => void) {}

  get closed(): boolean {
    return this.ended;
  }

  send(message: JsonRpcMessage, _related?: RequestId): boolean {
    if (this.ended) return false;
    if (!('method' in message)) {
      if (message.id === REQUEST_ID) this.onResponse(message);
      return true;
    }
    const { method, params } = message as JsonRpcRequest;
    const id = (message as JsonRpcRequest).id as RequestId | undefined;
    if (id !== undefined) {
      this.serverRequests.push({ method });
      const refusal: JsonRpcResponse = { jsonrpc: '2.0', id, error: { code: ErrorCode.MethodNotFound, message: `The Node-RED editor cannot answer ${method}: try this from an MCP client that supports it` } };
      // After this send returns: the request is registered and delivered by then.
      setImmediate(() => {
        if (!this.ended) this.answerClient(refusal);
      });
    } else if (method === 'notifications/progress' && params !== undefined) {
      this.progress.push(params);
    }
    return true;
  }

  keepAlive(): void {
    // No stream to keep alive.
  }

  /** The call is over: later messages have nowhere to go. */
  end(): void {
    this.ended = true;
  }
}

/**
 * Makes one request on `endpoint` as the editor, and waits for its answer.
 * @param request `method` one of {@link EDITOR_METHODS}; `params` its params.
 * @param log the endpoint's activity list: the entries say `source: "editor"`.
 * @throws EditorCallTimeout when no answer comes within `timeoutMs`.
 */
export function callFromEditor(endpoint: McpEndpoint, request: { method: string; params: Record<string, unknown> }, log?: ActivityLog, timeoutMs = DEFAULT_EDITOR_CALL_TIMEOUT_MS): Promise<EditorCallAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let settle: (response: JsonRpcResponse) => void = () => {};
    const call = new EditorCall((response) => settle(response), (message) => inProcess.receive([{ kind: 'response', message }]));
    log?.markEditor(call.id);
    const inProcess = endpoint.openInProcess(call);
    const finish = (): void => {
      clearTimeout(timer);
      call.end();
      // Once the protocol layer is done with the response it is delivering (the activity list's entry).
      setImmediate(() => inProcess.close());
    };
    const timer = setTimeout(() => {
      log?.timedOut(call, REQUEST_ID, `No answer within ${timeoutMs / 1000} s`);
      finish();
      reject(new EditorCallTimeout(timeoutMs, call.progress));
    }, timeoutMs);
    timer.unref();
    settle = (response) => {
      finish();
      const answer: EditorCallAnswer = { durationMs: Math.round((performance.now() - started) * 10) / 10, progress: call.progress, serverRequests: call.serverRequests };
      if (response.error !== undefined) answer.error = response.error;
      else answer.result = response.result;
      resolve(answer);
    };
    const meta = typeof request.params._meta === 'object' && request.params._meta !== null ? request.params._meta : {};
    const message: JsonRpcRequest = { jsonrpc: '2.0', id: REQUEST_ID, method: request.method, params: { ...request.params, _meta: { ...meta, progressToken: PROGRESS_TOKEN } } };
    try {
      inProcess.receive([{ kind: 'request', message }]);
    } catch (error) {
      finish();
      reject(error);
    }
  });
}
