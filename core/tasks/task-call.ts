/**
 * One running task's reply destination: the task's `tools/call` is re-issued in-process through
 * it (as the editor's Try it is, `workbench/editor-call.ts`), so the request goes through the
 * endpoint exactly as a client's does (protocol layer, the tool's schema and node, the flow,
 * `mcp sse out`), and what the flow sends back comes here instead of to a client:
 * - the response to the request: the task's outcome;
 * - a server-initiated request (elicitation, sampling, roots): an input the task waits on, under
 *   a key `input-<n>` (the n-th input request of this run), the same rule as a 2026-07-28
 *   `input_required` round (`stateless/input-required.ts`);
 * - `notifications/progress` with a `message`: the task's status message.
 * The flow sees it as a session (`msg.mcp.sessionId` is its id) and reads `msg.mcp.taskId`.
 *
 * Never imports Node-RED.
 */
import type { JsonObject } from '../features/declarations';
import type { JsonRpcMessage, JsonRpcRequest, JsonRpcResponse, RequestId } from '../jsonrpc';
import type { ReplyDestination, TransportKind } from '../reply-destination';
import { newSessionId } from '../session-id';

/** What a task call hears from the flow. */
export interface TaskCallEvents {
  /** The flow answered the task's request. */
  answered(response: JsonRpcResponse): void;
  /** The flow asked the client something: `key` names it until it is answered. */
  asked(key: string, request: { method: string; params?: Record<string, unknown> }): void;
  /** The flow reported progress: a line for people, when it gave one. */
  progressed(message: string): void;
}

/** A running task's reply destination; see the module comment. */
export class TaskCall implements ReplyDestination {
  readonly id = newSessionId();
  readonly transport: TransportKind;
  protocolVersion?: string;
  initializeId?: RequestId;
  /** The client's capabilities, as the flow reads them in `msg.mcp.clientCapabilities`. */
  readonly clientCapabilities: JsonObject | undefined;
  /** A 2026-07-28 retry's carried flow state (`msg.mcp.state`). */
  readonly state: unknown;
  /** The id of the server-initiated request waiting under each input key. */
  private readonly waiting = new Map<string, RequestId>();
  private inputs = 0;
  private ended = false;

  /**
   * @param taskId the task it runs (`msg.mcp.taskId`).
   * @param requestId the id of the re-issued request (the client's original id).
   * @param origin the session or exchange the client's request came on: its transport and version.
   */
  constructor(readonly taskId: string, readonly requestId: RequestId, origin: ReplyDestination, private readonly events: TaskCallEvents, context: { clientCapabilities?: JsonObject; state?: unknown } = {}) {
    this.transport = origin.transport;
    this.protocolVersion = origin.protocolVersion;
    this.clientCapabilities = context.clientCapabilities;
    this.state = context.state;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** {@link ReplyDestination.send}: see the module comment. */
  send(message: JsonRpcMessage, _related?: RequestId): boolean {
    if (this.ended) return false;
    if (!('method' in message)) {
      if (message.id === this.requestId) this.events.answered(message as JsonRpcResponse);
      return true;
    }
    const request = message as JsonRpcRequest;
    if (request.id !== undefined && !request.method.startsWith('notifications/')) {
      const key = `input-${++this.inputs}`;
      this.waiting.set(key, request.id);
      this.events.asked(key, request.params === undefined ? { method: request.method } : { method: request.method, params: request.params });
    } else if (request.method === 'notifications/progress') {
      const params = request.params ?? {};
      const text = typeof params.message === 'string' ? params.message : typeof params.progress === 'number' ? `${params.progress}${typeof params.total === 'number' ? ` of ${params.total}` : ''}` : undefined;
      if (text !== undefined) this.events.progressed(text);
    }
    return true;
  }

  /** The id of the server-initiated request waiting under `key`, taken (it is being answered), or undefined. */
  take(key: string): RequestId | undefined {
    const id = this.waiting.get(key);
    this.waiting.delete(key);
    return id;
  }

  /** The input keys still waiting. */
  get waitingKeys(): string[] {
    return [...this.waiting.keys()];
  }

  keepAlive(): void {
    // No stream to keep alive.
  }

  /** The task is over: later messages have nowhere to go. */
  end(): void {
    this.ended = true;
  }
}
