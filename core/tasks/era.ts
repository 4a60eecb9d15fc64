/**
 * The seam between an endpoint's tasks (`endpoint-tasks.ts`, the runner) and the wire of each
 * era of MCP tasks: `era-2025.ts` (2025-11-25, experimental tasks in the core spec) and
 * `era-2026.ts` (2026-07-28, the `io.modelcontextprotocol/tasks` extension). The endpoint routes
 * each client request to the era module of the protocol version it speaks; the module answers
 * `tasks/*`, decides whether a `tools/call` becomes a task, and adds its capability.
 *
 * Never imports Node-RED.
 */
import type { AuthInfo } from '../auth/claims';
import type { JsonObject, TaskSupport } from '../features/declarations';
import type { JsonRpcErrorObject, JsonRpcRequest, RequestId } from '../jsonrpc';
import type { PushResult, SendContext } from '../protocol';
import type { ReplyDestination } from '../reply-destination';
import type { TaskRunner } from './runner';
import type { TaskSettings } from './settings';
import type { TaskStore } from './task';

/** What an era module works with (one per endpoint). */
export interface TaskEraContext {
  readonly runner: TaskRunner;
  readonly store: TaskStore;
  readonly settings: TaskSettings;
  /** Answers client request `id` of `origin` with a result or a JSON-RPC error (through the protocol layer; an exchange decorates results). */
  answer(origin: ReplyDestination, id: RequestId, outcome: { result: JsonObject } | { error: JsonRpcErrorObject }): void;
  /** Sends on `origin` as a flow's payload goes (`Dispatcher.sendOn`). */
  sendOn(origin: ReplyDestination, payload: unknown, context: SendContext): PushResult;
  /** The Task setting of declared tool `name`, or undefined when no tool of that name is declared. */
  taskSupport(name: unknown): TaskSupport | undefined;
  /** Who owns the tasks `origin` makes: `subject:<sub or client_id>` (OAuth), else `session:<id>` for a session, `anyone` for a 2026-07-28 exchange. */
  ownerOf(origin: ReplyDestination): string;
  /** The caller of `origin` (OAuth on). */
  authOf(origin: ReplyDestination): AuthInfo | undefined;
  /** The client capabilities of `origin` (a session's `initialize`, an exchange's envelope). */
  clientCapabilities(origin: ReplyDestination): JsonObject | undefined;
  /** A 2026-07-28 retry's carried flow state for request `id` (`msg.mcp.state`). */
  state(origin: ReplyDestination, id: RequestId): unknown;
  /** Hears a sentence to log. */
  warning(text: string): void;
  /**
   * Sends a notification to the 2026-07-28 listen streams that opted in to it
   * (`Exchanges.notifyListeners`: `notifications/tasks` to those naming its `taskId`).
   * @returns how many it went to.
   */
  notifyListeners(payload: JsonObject): number;
}

/** The wire of one era of tasks; see the module comment. */
export interface TaskEraModule {
  /** The protocol versions whose requests it takes. */
  readonly versions: readonly string[];
  /**
   * A client request of one of {@link versions}: `tasks/*`, or a `tools/call` that may become a
   * task. @returns true when the module answers it (now or later); false: it goes on as usual.
   */
  receive(origin: ReplyDestination, request: JsonRpcRequest): boolean;
  /**
   * Adds the era's tasks capability to `capabilities` (the `initialize` result's, or
   * `server/discover`'s), given what the client declared.
   */
  addCapabilities(capabilities: JsonObject, clientCapabilities: JsonObject | undefined): void;
  /** Hears every change of a task (any instance): status notifications, each sent only when what a client sees changed. */
  changed?(record: import('./task').TaskRecord): void;
  /** The endpoint closed: in-process state about tasks goes. */
  close?(): void;
  /**
   * A listen stream's `taskIds` without the era's tasks capability in `clientCapabilities`: the
   * error its request gets (see `stateless/listen.ts` `ListenTasks`); undefined: accepted.
   */
  listenRefusal?(clientCapabilities: JsonObject): JsonRpcErrorObject | undefined;
  /**
   * Of `taskIds`, the tasks the caller of `origin` could `tasks/get`, each as its status
   * notification's params now; undefined when the request did not negotiate tasks.
   */
  listenable?(origin: ReplyDestination, taskIds: readonly string[]): Promise<JsonObject[] | undefined>;
}

/** Makes an era module for one endpoint. */
export type TaskEraFactory = (context: TaskEraContext) => TaskEraModule;
