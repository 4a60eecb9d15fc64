/**
 * The tasks of one endpoint (MCP tasks, issue 21): the store (one per endpoint id per process by
 * default, `settings.ts`), the runner (`runner.ts`), and the era modules, to which the endpoint's
 * dispatcher hands each client request before the server features see it. Only once a tool with
 * a Task setting other than `never` is declared (or a task exists) does an era module take
 * anything: until then an endpoint behaves as it always did.
 *
 * Never imports Node-RED.
 */
import type { JsonObject, TaskSupport } from '../features/declarations';
import type { JsonRpcRequest } from '../jsonrpc';
import type { JsonRpcErrorObject } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import type { CloseReason } from '../session';
import type { ListenTasks } from '../stateless/listen';
import type { TaskEraContext, TaskEraFactory, TaskEraModule } from './era';
import { era2025 } from './era-2025';
import { era2026 } from './era-2026';
import { sessionOwner } from './owner';
import { TaskRunner, type RunnerHost } from './runner';
import { memoryStoreFor, taskSettings, type TaskSettings } from './settings';
import { isTerminal, type TaskRecord, type TaskStore } from './task';
import type { TaskCall } from './task-call';
import { TASKS_2025_VERSION } from './wire-2025';

/** Settings of an endpoint's tasks. */
export interface TaskOptions extends Partial<TaskSettings> {
  /** Where tasks live; default the endpoint id's in-memory store ({@link memoryStoreFor}). */
  store?: TaskStore;
}

/** What the endpoint's tasks need besides the runner's host. */
export type TasksHost = RunnerHost & Omit<TaskEraContext, 'runner' | 'store' | 'settings' | 'warning'> & {
  /** True when some declared tool has a Task setting other than `never`. */
  taskToolsDeclared(): boolean;
};

/** Why a session ended, in a cancelled task's `statusMessage`. */
const SESSION_END: Record<Exclude<CloseReason, 'endpoint-closed'>, string> = {
  'client-deleted': 'the client deleted it',
  'idle-timeout': 'it was idle too long',
  evicted: 'it was evicted to make room for others',
  'client-disconnected': 'its client disconnected',
  'server-closed': 'the server closed it',
  'queue-overflow': 'its client did not keep up with its messages',
};

/** The era modules every endpoint has. */
const ERAS: readonly TaskEraFactory[] = [era2025, era2026];

/** One endpoint's tasks; see the module comment. */
export class EndpointTasks implements ListenTasks {
  readonly runner: TaskRunner;
  readonly store: TaskStore;
  private readonly eras: TaskEraModule[];
  private readonly unsubscribe: () => void;
  /** Who hears each change of a task of this endpoint (the workbench's activity list). */
  private readonly observers = new Set<(record: TaskRecord) => void>();
  /** True once a task was started here: `tasks/*` are answered even if the task tools went away. */
  private used = false;

  constructor(private readonly host: TasksHost, endpointId: string, options: TaskOptions = {}) {
    this.store = options.store ?? memoryStoreFor(endpointId);
    const settings = taskSettings(options);
    this.runner = new TaskRunner(this.store, settings, host);
    const context: TaskEraContext = {
      runner: this.runner, store: this.store, settings, warning: (text) => host.warning(text),
      answer: (origin, id, outcome) => host.answer(origin, id, outcome),
      sendOn: (origin, payload, sendContext) => host.sendOn(origin, payload, sendContext),
      taskSupport: (name) => host.taskSupport(name),
      ownerOf: (origin) => host.ownerOf(origin),
      authOf: (origin) => host.authOf(origin),
      clientCapabilities: (origin) => host.clientCapabilities(origin),
      state: (origin, id) => host.state(origin, id),
      notifyListeners: (payload) => host.notifyListeners(payload),
    };
    this.eras = ERAS.map((make) => make(context));
    this.unsubscribe = this.store.onChange((record) => {
      this.runHere(record);
      for (const era of this.eras) era.changed?.(record);
      for (const observer of this.observers) observer(record);
    });
  }

  /** True when tasks are on: a task tool is declared, or a task was started on this endpoint. */
  get enabled(): boolean {
    return this.used || this.host.taskToolsDeclared();
  }

  /**
   * A client request, before the server features: the era module of its protocol version takes
   * `tasks/*` and the `tools/call`s that become tasks. A task's own re-issued request is never
   * taken again. @returns true when taken.
   */
  receive(origin: ReplyDestination, request: JsonRpcRequest): boolean {
    if (!this.enabled || this.runner.callOf(origin.id) !== undefined) return false;
    const era = this.eraOf(origin.protocolVersion);
    if (era === undefined || !era.receive(origin, request)) return false;
    if (request.method === 'tools/call') this.used = true;
    return true;
  }

  /** Adds the tasks capability of `version`'s era to `capabilities`, when tasks are on. */
  addCapabilities(version: string | undefined, capabilities: JsonObject, clientCapabilities: JsonObject | undefined): JsonObject {
    if (this.enabled) this.eraOf(version)?.addCapabilities(capabilities, clientCapabilities);
    return capabilities;
  }

  /**
   * Hears every change of a task in the store (any instance, with Redis) while this endpoint is
   * open. @returns the unsubscribe.
   */
  onChange(observer: (record: TaskRecord) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** {@link ListenTasks.listenRefusal}: the era of `protocolVersion`'s, once tasks are on. */
  listenRefusal(protocolVersion: string, clientCapabilities: JsonObject): JsonRpcErrorObject | undefined {
    return this.enabled ? this.eraOf(protocolVersion)?.listenRefusal?.(clientCapabilities) : undefined;
  }

  /** {@link ListenTasks.listenable}: the era of `origin`'s version's, once tasks are on. */
  async listenable(origin: ReplyDestination, taskIds: readonly string[]): Promise<JsonObject[] | undefined> {
    const era = this.enabled ? this.eraOf(origin.protocolVersion) : undefined;
    return era?.listenable === undefined ? undefined : era.listenable(origin, taskIds);
  }

  /** The task call of destination `id` (a running task's `msg.mcp.sessionId`), if one runs here. */
  callOf(id: string): TaskCall | undefined {
    return this.runner.callOf(id);
  }

  /**
   * `mcp sse out` with `msg.mcp.taskStatus`: sets the status message of the task running on
   * destination `id`. @returns false when no task runs there.
   */
  setStatus(id: string, text: string): boolean {
    const call = this.runner.callOf(id);
    if (call === undefined) return false;
    this.runner.setStatusMessage(call.taskId, text).catch((error) => this.host.warning(`MCP task ${call.taskId}: could not store its status: ${(error as Error).message}`));
    return true;
  }

  /**
   * Session `session` ended for good (its id is gone: a DELETE, the idle timeout, an eviction; not
   * a stream that drops and may resume). A 2025-11-25 task made without OAuth belongs to that
   * session, and nobody can reach it any more: each unfinished one is cancelled as a client's
   * `tasks/cancel` does (its flow gets `notifications/cancelled`), with a reason that says the
   * session ended. A subject's tasks (OAuth) stay: the subject may come back on another session.
   * When the endpoint closes (`endpoint-closed`) its interrupt has failed the tasks already.
   */
  sessionEnded(session: ReplyDestination, reason: CloseReason): void {
    if (reason === 'endpoint-closed' || session.protocolVersion !== TASKS_2025_VERSION || !this.enabled) return;
    this.cancelOwned(sessionOwner(session.id), `Cancelled: the session that made the task ended (${SESSION_END[reason]})`)
      .catch((error) => this.host.warning(`MCP session ${session.id} ended: could not cancel its tasks: ${(error as Error).message}`));
  }

  /** Cancels every unfinished task of `owner`, with `reason`. */
  private async cancelOwned(owner: string, reason: string): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.store.list(owner, cursor, 100);
      for (const task of page.tasks) if (!isTerminal(task.status)) await this.runner.cancel(task.taskId, reason);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** The endpoint closed: stop running tasks (they were failed by its interrupt) and stop listening to the store, which stays. */
  close(): void {
    this.runner.close();
    this.unsubscribe();
    for (const era of this.eras) era.close?.();
    this.observers.clear();
  }

  /**
   * A change of a task this endpoint's flow runs, made here or by another instance (Redis): a
   * `cancelled` tells the flow (once), answers recorded by a `tasks/update` elsewhere reach it.
   */
  private runHere(record: TaskRecord): void {
    if (!this.runner.isRunning(record.taskId)) return;
    if (record.status === 'cancelled') this.runner.cancelFlow(record.taskId, record.statusMessage);
    else if (record.inputResponses !== undefined || record.inputErrors !== undefined) {
      this.runner.deliverRecorded(record).catch((error) => this.host.warning(`MCP task ${record.taskId}: could not hand the client's answers to its flow: ${(error as Error).message}`));
    }
  }

  private eraOf(version: string | undefined): TaskEraModule | undefined {
    return version === undefined ? undefined : this.eras.find((era) => era.versions.includes(version));
  }
}

export type { TaskSupport };
