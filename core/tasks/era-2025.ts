/**
 * MCP tasks as 2025-11-25 defines them (experimental; "Basic > Utilities > Tasks"), for sessions
 * that agreed that version: a `tools/call` with `params.task` of a tool whose Task setting is
 * `optional` or `always` becomes a task (answered at once with a `CreateTaskResult`), and
 * `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel` answer about the caller's own tasks;
 * `notifications/tasks/status` goes to the session that made the task when its status changes.
 *
 * The task runs through the endpoint's task runner ({@link TaskRunnerApi}); this module only
 * speaks the wire. While a task is `input_required`, the flow's server-initiated requests go to
 * the client as `inputs-2025.ts` says (on a waiting `tasks/result`'s stream, else the session's).
 *
 * Never imports Node-RED.
 */
import { ErrorCode, isObject, type JsonRpcErrorObject, type JsonRpcRequest, type RequestId } from '../jsonrpc';
import type { TaskSupport } from '../features/declarations';
import type { PushResult, SendContext } from '../protocol';
import type { ReplyDestination } from '../reply-destination';
import type { TaskEraContext, TaskEraModule } from './era';
import { TASK_LIMIT_CODE } from './era-2026';
import { PerTask } from './expiry';
import { TaskInputs2025 } from './inputs-2025';
import { TaskResultWaiters } from './result-waiters';
import { InvalidCursorError, isTerminal, TaskLimitError, type TaskEra, type TaskPage, type TaskRecord, type TaskStore } from './task';
import { alreadyEnded, finalAnswer, speaks2025, taskNotFound, taskSupportError, tasksCapability2025, ttlOf, wireTask } from './wire-2025';

/** The `-32602` of a `tasks/list` cursor no store handed out. */
function invalidCursor(): JsonRpcErrorObject {
  return { code: ErrorCode.InvalidParams, message: 'Invalid params: unknown cursor' };
}

/** Tasks per `tasks/list` page. */
const LIST_PAGE_SIZE = 50;

/** What the 2025-11-25 methods need of their endpoint's task runner. */
export interface TaskRunnerApi {
  readonly store: TaskStore;
  /** `maxTtlMs` caps the client's ttl; `maxTasksPerOwner` is the store's limit; `pollIntervalMs` the hint to clients. */
  readonly settings: { maxTtlMs: number; maxTasksPerOwner: number; pollIntervalMs: number };
  /**
   * Runs `request` (a `tools/call`) as a task: stored `working`, then handed to the flow.
   * @throws TaskLimitError when the owner has too many unfinished tasks.
   */
  start(from: ReplyDestination, request: JsonRpcRequest, task: { owner: string; era: TaskEra; ttlMs: number }): Promise<TaskRecord>;
  /** Cancels a task (the flow hears it); resolves the task as it is after that. */
  cancel(taskId: string, reason: string): Promise<TaskRecord | undefined>;
  /** The client's answer to input request `key` of a task. */
  respond(taskId: string, key: string, answer: { result: unknown } | { error: JsonRpcErrorObject }): Promise<void>;
}

/** What the 2025-11-25 methods need of their endpoint. */
export interface Era2025Host {
  runner: TaskRunnerApi;
  /** Sends through the protocol layer (`Dispatcher.sendOn`). */
  send(to: ReplyDestination, payload: Record<string, unknown>, context: SendContext): PushResult;
  /** The Task setting of a declared tool; undefined when no tool node declares it. */
  taskSupport(tool: string): TaskSupport | undefined;
  /** Who owns a task made on `origin` (`taskOwner` of owner.ts with the session's OAuth caller). */
  ownerOf(origin: ReplyDestination): string;
  /** False when the caller hands every store change to {@link Tasks2025.changed} itself; default true (it listens to the store). */
  listen?: boolean;
  /** Hears a sentence to log. */
  warn(text: string): void;
}

/** The 2025-11-25 task methods of one endpoint; see the module comment. */
export class Tasks2025 {
  private readonly waiters = new TaskResultWaiters();
  /**
   * The session that made each task (status notifications, input requests without a waiting
   * `tasks/result`) and the status and message last sent to it (only a change is sent, creation
   * is not). Gone when the task ends or expires (a flow that never answers).
   */
  private readonly madeOn = new PerTask<{ session: ReplyDestination; sent: string }>();
  private readonly inputs: TaskInputs2025;
  private readonly unsubscribe: () => void;

  constructor(private readonly host: Era2025Host) {
    this.inputs = new TaskInputs2025({
      streamFor: (taskId) => {
        const waiter = this.waiters.first(taskId);
        const session = waiter?.session ?? this.madeOn.get(taskId)?.session;
        return session === undefined ? undefined : { session, ...(waiter === undefined ? {} : { requestId: waiter.requestId }) };
      },
      send: (to, payload, context) => this.sendQuietly(to, payload, context),
      respond: (taskId, key, answer) => host.runner.respond(taskId, key, answer),
      warn: (text) => host.warn(text),
    });
    this.unsubscribe = host.listen === false ? () => undefined : host.runner.store.onChange((record) => this.changed(record));
  }

  /** Adds `capabilities.tasks` to the `initialize` answer of a session that agreed `2025-11-25`. */
  addCapabilities(capabilities: Record<string, unknown>): void {
    capabilities.tasks = tasksCapability2025();
  }

  /**
   * A request of a session: handled here when it is one of ours on a `2025-11-25` session.
   * @returns true when taken (it is answered here, maybe later); false when it goes on as before.
   */
  receive(session: ReplyDestination, request: JsonRpcRequest): boolean {
    if (!speaks2025(session)) return false;
    const params = isObject(request.params) ? request.params : {};
    const owner = this.host.ownerOf(session);
    switch (request.method) {
      case 'tools/call': return this.call(session, request, params, owner);
      case 'tasks/get': this.answerLater(session, request, this.mine(params.taskId, owner).then((r) => (r === undefined ? { error: taskNotFound(params.taskId) } : { result: wireTask(r) }))); return true;
      case 'tasks/result': this.answerLater(session, request, this.result(session, request, params.taskId, owner)); return true;
      case 'tasks/list': this.answerLater(session, request, this.list(params.cursor, owner)); return true;
      case 'tasks/cancel': this.answerLater(session, request, this.cancel(params.taskId, owner)); return true;
      default: return false;
    }
  }

  /** Stops hearing the store; waiting `tasks/result` requests are left to their sessions. */
  close(): void {
    this.unsubscribe();
    this.waiters.clear();
    this.madeOn.clear();
  }

  /** How many tasks this module keeps a session for (tests, measurements). */
  get followed(): number {
    return this.madeOn.size;
  }

  /** `tools/call`: a task when `params.task` is there and the tool allows it; an error when it must be one and is not. */
  private call(session: ReplyDestination, request: JsonRpcRequest, params: Record<string, unknown>, owner: string): boolean {
    const name = String(params.name);
    const support = this.host.taskSupport(name);
    if (support === undefined) return false;
    const asked = isObject(params.task);
    if (!asked) {
      if (support !== 'always') return false;
      this.reply(session, request.id, { error: taskSupportError(name, true) });
      return true;
    }
    if (support === 'never') {
      this.reply(session, request.id, { error: taskSupportError(name, false) });
      return true;
    }
    const ttlMs = ttlOf(params.task as Record<string, unknown>, this.host.runner.settings.maxTtlMs);
    if (typeof ttlMs === 'string') {
      this.reply(session, request.id, { error: { code: ErrorCode.InvalidParams, message: ttlMs } });
      return true;
    }
    this.answerLater(session, request, this.host.runner.start(session, request, { owner, era: '2025-11-25', ttlMs }).then((record) => {
      this.madeOn.set(record, { session, sent: statusSeen(record) });
      return { result: { task: wireTask(record) } };
    }, (error: unknown) => {
      if (error instanceof TaskLimitError) return { error: { code: TASK_LIMIT_CODE, message: error.message, data: { limit: error.limit } } };
      throw error;
    }));
    return true;
  }

  /** The task when `owner` may see it. */
  private async mine(taskId: unknown, owner: string): Promise<TaskRecord | undefined> {
    if (typeof taskId !== 'string') return undefined;
    const record = await this.host.runner.store.get(taskId);
    return record !== undefined && record.owner === owner && record.era === '2025-11-25' ? record : undefined;
  }

  /** `tasks/result`: the final answer now, or once the task ends; input requests meanwhile go on its stream. */
  private async result(session: ReplyDestination, request: JsonRpcRequest, taskId: unknown, owner: string): Promise<Answer | undefined> {
    const record = await this.mine(taskId, owner);
    if (record === undefined) return { error: taskNotFound(taskId) };
    if (isTerminal(record.status)) return finalAnswer(record);
    this.waiters.add(record, session, request.id, (answer) => this.reply(session, request.id, answer));
    if (record.status === 'input_required') this.inputs.deliver(record);
    return undefined;
  }

  /**
   * `tasks/list`: the caller's own 2025-11-25 tasks, newest first, a page at a time; a cursor the
   * store did not hand out `-32602`. The store's cursor goes through as it is: its page may hold
   * the owner's 2026-07-28 tasks too (one OAuth subject owns both), which are left out, so a page
   * may be short (even empty) with a `nextCursor`; paging on never fails.
   */
  private async list(cursor: unknown, owner: string): Promise<Answer> {
    if (cursor !== undefined && typeof cursor !== 'string') return { error: invalidCursor() };
    let page: TaskPage;
    try {
      page = await this.host.runner.store.list(owner, cursor, LIST_PAGE_SIZE);
    } catch (error) {
      if (error instanceof InvalidCursorError) return { error: invalidCursor() };
      throw error;
    }
    const result: Record<string, unknown> = { tasks: page.tasks.filter((t) => t.era === '2025-11-25').map(wireTask) };
    if (page.nextCursor !== undefined) result.nextCursor = page.nextCursor;
    return { result };
  }

  /** `tasks/cancel`: the task, `cancelled` before the answer goes; one that has ended `-32602`. */
  private async cancel(taskId: unknown, owner: string): Promise<Answer> {
    const record = await this.mine(taskId, owner);
    if (record === undefined) return { error: taskNotFound(taskId) };
    if (isTerminal(record.status)) return { error: alreadyEnded(record) };
    const after = await this.host.runner.cancel(record.taskId, 'The task was cancelled by request (tasks/cancel).');
    if (after === undefined) return { error: taskNotFound(taskId) };
    if (after.status !== 'cancelled') return { error: alreadyEnded(after) };
    return { result: wireTask(after) };
  }

  /** A task changed (on any instance): waiting `tasks/result` answered, input requests sent, the status notified. */
  changed(record: TaskRecord): void {
    if (record.era !== '2025-11-25') return;
    if (isTerminal(record.status)) this.waiters.settle(record, finalAnswer(record));
    else if (record.status === 'input_required') this.inputs.deliver(record);
    this.notify(record);
    if (isTerminal(record.status)) this.madeOn.delete(record.taskId);
  }

  /** `notifications/tasks/status` to the session that made the task, when its status or message changed. */
  private notify(record: TaskRecord): void {
    const made = this.madeOn.get(record.taskId);
    const seen = statusSeen(record);
    if (made === undefined || made.session.closed || made.sent === seen) return;
    made.sent = seen;
    this.sendQuietly(made.session, { method: 'notifications/tasks/status', params: wireTask(record) }, {});
  }

  /** Answers `request` when `answer` resolves (undefined: it answers itself later); a failure is a `-32603`. */
  private answerLater(session: ReplyDestination, request: JsonRpcRequest, answer: Promise<Answer | undefined>): void {
    answer.then((a) => {
      if (a !== undefined) this.reply(session, request.id, a);
    }, (error: unknown) => this.reply(session, request.id, { error: { code: ErrorCode.InternalError, message: `${request.method} failed: ${(error as Error).message}` } }));
  }

  private reply(session: ReplyDestination, id: RequestId, answer: Answer): void {
    if (!session.closed) this.sendQuietly(session, { ...answer }, { requestId: id });
  }

  /** Sends; a session that went away is no error. @returns true when it went out. */
  private sendQuietly(to: ReplyDestination, payload: Record<string, unknown>, context: SendContext): boolean {
    try {
      return this.host.send(to, payload, context).sent;
    } catch (error) {
      if (!to.closed) this.host.warn(`MCP session ${to.id}: could not send ${String(payload.method ?? 'an answer')}: ${(error as Error).message}`);
      return false;
    }
  }
}

/**
 * What a 2025-11-25 status notification shows that can change: the status and the status message
 * (the wire task has no input requests; its result and error come with the ending status).
 */
function statusSeen(record: TaskRecord): string {
  return `${record.status}|${record.statusMessage ?? ''}`;
}

/** An answer to a client request. */
type Answer = { result: unknown } | { error: JsonRpcErrorObject };

/**
 * The 2025-11-25 era module of one endpoint (the seam of `era.ts`): {@link Tasks2025} over the
 * endpoint's runner. The endpoint hands it every store change (`changed`).
 */
export function era2025(context: TaskEraContext): TaskEraModule {
  const { runner } = context;
  const api: TaskRunnerApi = {
    store: context.store,
    settings: { maxTtlMs: context.settings.maxTtlMs, maxTasksPerOwner: context.settings.maxPerOwner, pollIntervalMs: context.settings.pollIntervalMs },
    start: (origin, request, task) => runner.start({ origin, request, owner: task.owner, era: task.era, ttlMs: task.ttlMs, auth: context.authOf(origin), clientCapabilities: context.clientCapabilities(origin) }),
    cancel: (taskId, reason) => runner.cancel(taskId, reason),
    respond: async (taskId, key, answer) => void (await ('result' in answer ? runner.provideInput(taskId, { [key]: answer.result }) : runner.provideInput(taskId, {}, { [key]: answer.error }))),
  };
  const tasks = new Tasks2025({
    runner: api, listen: false, send: (to, payload, ctx) => context.sendOn(to, payload, ctx),
    taskSupport: (tool) => context.taskSupport(tool), ownerOf: (origin) => context.ownerOf(origin), warn: (text) => context.warning(text),
  });
  return {
    versions: ['2025-11-25'],
    receive: (origin, request) => tasks.receive(origin, request),
    addCapabilities: (capabilities) => tasks.addCapabilities(capabilities),
    changed: (record) => tasks.changed(record),
    close: () => tasks.close(),
  };
}
