/**
 * MCP tasks of 2026-07-28: the `io.modelcontextprotocol/tasks` extension (SEP-2663), on the
 * stateless exchanges. Gated per request: only a request whose `_meta` clientCapabilities declare
 * the extension sees tasks (`tasks/get|update|cancel` otherwise `-32021`, and so is a `tools/call`
 * of a tool whose Task setting is `always`; an `optional` tool then answers as usual).
 *
 * Creation is server-directed: a `tools/call` of a task tool runs at once as a task (see
 * `runner.ts`), and for its first {@link INLINE_WINDOW_MS} ms the client's request stays open:
 * - a flow that answers within it is answered as usual (`resultType: "complete"`; SEP-2663's
 *   immediate-result shortcut);
 * - a flow that asks the client something within it asks inline: an `input_required` round on
 *   the request itself (SEP-2322 MRTR, `stateless/input-required.ts`), without a task; the retry
 *   with the answers runs the flow again (MRTR, then task: SEP-2663 451f5e1);
 * - otherwise the request is answered with the flat CreateTaskResult, and what the flow asks
 *   later puts the task in `input_required`, answered with `tasks/update`.
 * `tasks/get` gives the DetailedTask, `tasks/cancel` an empty ack (idempotent), `tasks/result` and
 * `tasks/list` `-32601`; an unknown task, or another caller's, `-32602`.
 *
 * Never imports Node-RED.
 */
import type { JsonObject } from '../features/declarations';
import { ErrorCode, isObject, type JsonRpcRequest } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import { Exchange, requestKey } from '../stateless/exchange';
import { MODERN_VERSION } from '../stateless/envelope';
import type { TaskEraContext, TaskEraModule } from './era';
import { PerTask } from './expiry';
import type { InlineAsk } from './runner';
import { isTerminal, TaskLimitError, type TaskRecord } from './task';
import { clientView, createTaskResult, declaresTasks, detailedTask, missingExtension, removedMethod, TASKS_EXTENSION, taskNotification, unknownTask } from './wire-2026';

/** How long a task tool's call may answer, or ask inline, before it is handed over as a task, in ms. */
export const INLINE_WINDOW_MS = 200;
/** The JSON-RPC error code of a call refused because its owner has too many unfinished tasks. */
export const TASK_LIMIT_CODE = -32000;

const TASK_METHODS: ReadonlySet<string> = new Set(['tasks/get', 'tasks/update', 'tasks/cancel']);

/** The 2026-07-28 era module of one endpoint; see the module comment. */
export function era2026(context: TaskEraContext): TaskEraModule {
  const { runner, store } = context;
  /** What listen streams were last sent of each task ({@link clientView}): only a change is sent. Gone when the task ends or expires. */
  const notified = new PerTask<string>();

  /** The task `taskId` when the caller of `origin` may see it. */
  async function visible(origin: ReplyDestination, taskId: unknown): Promise<TaskRecord | undefined> {
    if (typeof taskId !== 'string') return undefined;
    const record = await store.get(taskId);
    if (record === undefined || record.era !== MODERN_VERSION) return undefined;
    return record.owner === 'anyone' || record.owner === context.ownerOf(origin) ? record : undefined;
  }

  async function taskMethod(origin: ReplyDestination, request: JsonRpcRequest): Promise<void> {
    const params = (request.params ?? {}) as JsonObject;
    const record = await visible(origin, params.taskId);
    if (record === undefined) return context.answer(origin, request.id, { error: unknownTask(params.taskId) });
    if (request.method === 'tasks/get') return context.answer(origin, request.id, { result: detailedTask(record) });
    if (request.method === 'tasks/update') {
      if (!isObject(params.inputResponses)) return context.answer(origin, request.id, { error: { code: ErrorCode.InvalidParams, message: 'Invalid params: tasks/update needs inputResponses, an object keyed by the inputRequests keys' } });
      await runner.provideInput(record.taskId, params.inputResponses);
    } else if (!isTerminal(record.status)) {
      await runner.cancel(record.taskId);
    }
    context.answer(origin, request.id, { result: { resultType: 'complete' } });
  }

  async function startTask(origin: ReplyDestination, request: JsonRpcRequest): Promise<void> {
    const params = (request.params ?? {}) as JsonObject;
    const exchange = origin instanceof Exchange ? origin : undefined;
    let phase: 'window' | 'inline' | 'task' | 'answered' = 'window';
    let taskId = '';
    const inline: InlineAsk = (key, asked, answer) => {
      if (exchange === undefined || exchange.closed || phase === 'task' || phase === 'answered') return false;
      const known = Object.prototype.hasOwnProperty.call(exchange.requests.get(requestKey(request.id))?.responses ?? {}, key);
      if (!known && phase === 'window') {
        phase = 'inline';
        exchange.whenClosed(() => void runner.abandon(taskId, 'Asked inline (input_required) before it became a task').catch(() => {}));
      }
      context.sendOn(exchange, { jsonrpc: '2.0', id: key, method: asked.method, params: asked.params }, {
        requestId: request.id,
        request: { timeoutMs: 0, settle: (outcome) => { if (outcome.status === 'result') answer(outcome.result); } },
      });
      return true;
    };
    const legacy = isObject(params.task) ? params.task : {};
    let record: TaskRecord;
    try {
      record = await runner.start({
        origin, request, owner: context.ownerOf(origin), era: MODERN_VERSION, ttlMs: legacy.ttlMs ?? legacy.ttl, auth: context.authOf(origin),
        clientCapabilities: context.clientCapabilities(origin), state: context.state(origin, request.id), inline,
      });
    } catch (error) {
      if (error instanceof TaskLimitError) return context.answer(origin, request.id, { error: { code: TASK_LIMIT_CODE, message: error.message, data: { limit: error.limit } } });
      return context.answer(origin, request.id, { error: { code: TASK_LIMIT_CODE, message: `Could not start the task: ${(error as Error).message}` } });
    }
    taskId = record.taskId;
    const settle = (latest: TaskRecord): void => {
      phase = 'answered';
      if (latest.status === 'failed') context.answer(origin, request.id, { error: latest.error ?? { code: ErrorCode.InternalError, message: latest.statusMessage ?? 'The tool failed' } });
      else context.answer(origin, request.id, { result: (latest.result ?? { content: [] }) as JsonObject });
    };
    const unsubscribe = store.onChange((changed) => {
      if (changed.taskId !== taskId || phase !== 'window' || !isTerminal(changed.status)) return;
      clearTimeout(timer);
      unsubscribe();
      settle(changed);
    });
    const timer = setTimeout(() => {
      unsubscribe();
      if (phase !== 'window') return;
      phase = 'task';
      runner.detach(taskId);
      store.get(taskId).then((latest) => context.answer(origin, request.id, { result: createTaskResult(latest ?? record) }))
        .catch((error) => context.warning(`MCP task ${taskId}: could not answer its tools/call: ${(error as Error).message}`));
    }, INLINE_WINDOW_MS);
    timer.unref();
  }

  return {
    versions: [MODERN_VERSION],
    receive(origin, request) {
      const { method } = request;
      const params = (request.params ?? {}) as JsonObject;
      const declared = declaresTasks(context.clientCapabilities(origin));
      if (method === 'tasks/result' || method === 'tasks/list') {
        context.answer(origin, request.id, { error: removedMethod(method) });
        return true;
      }
      if (TASK_METHODS.has(method)) {
        if (!declared) context.answer(origin, request.id, { error: missingExtension(method) });
        else taskMethod(origin, request).catch((error) => context.answer(origin, request.id, { error: { code: ErrorCode.InternalError, message: `Task store error: ${(error as Error).message}` } }));
        return true;
      }
      if (method !== 'tools/call') return false;
      const support = context.taskSupport(params.name);
      if (support === undefined || support === 'never') return false;
      if (!declared) {
        if (support !== 'always') return false;
        context.answer(origin, request.id, { error: missingExtension(`tool ${String(params.name)} (Task: always)`) });
        return true;
      }
      startTask(origin, request).catch((error) => context.warning(`MCP tools/call of ${String(params.name)}: ${(error as Error).message}`));
      return true;
    },
    addCapabilities(capabilities, clientCapabilities) {
      if (!declaresTasks(clientCapabilities)) return;
      const extensions = isObject(capabilities.extensions) ? capabilities.extensions : {};
      capabilities.extensions = { ...extensions, [TASKS_EXTENSION]: {} };
    },
    // SEP-2663 "Task Status Notifications": `notifications/tasks` (the DetailedTask) to the
    // listen streams that named the task, on every change a client sees (any instance, with Redis).
    changed(record) {
      if (record.era !== MODERN_VERSION) return;
      const view = clientView(record);
      if (notified.get(record.taskId) === view) return;
      if (isTerminal(record.status)) notified.delete(record.taskId);
      else notified.set(record, view);
      context.notifyListeners({ method: 'notifications/tasks', params: taskNotification(record) });
    },
    close() {
      notified.clear();
    },
    listenRefusal(clientCapabilities) {
      return declaresTasks(clientCapabilities) ? undefined : missingExtension('subscriptions/listen with notifications.taskIds');
    },
    async listenable(origin, taskIds) {
      if (!declaresTasks(context.clientCapabilities(origin))) return undefined;
      const records = await Promise.all(taskIds.map((taskId) => visible(origin, taskId)));
      return records.filter((record): record is TaskRecord => record !== undefined).map(taskNotification);
    },
  };
}
