/**
 * The wire shapes of the 2026-07-28 `io.modelcontextprotocol/tasks` extension (SEP-2663): the
 * flat CreateTaskResult, the DetailedTask of `tasks/get`, and the errors of the task methods.
 * Times are ISO 8601 strings; `ttlMs` and `pollIntervalMs` integer ms. There is no
 * `requestState` on this wire, and no `io.modelcontextprotocol/related-task` `_meta`.
 *
 * Never imports Node-RED.
 */
import type { JsonObject } from '../features/declarations';
import { ErrorCode, isObject, type JsonRpcErrorObject } from '../jsonrpc';
import { ModernErrorCode } from '../stateless/envelope';
import type { TaskRecord } from './task';

/** The extension's id, under `capabilities.extensions`. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** True when client capabilities declare the tasks extension. */
export function declaresTasks(capabilities: JsonObject | undefined): boolean {
  const extensions = capabilities?.extensions;
  return isObject(extensions) && extensions[TASKS_EXTENSION] !== undefined && extensions[TASKS_EXTENSION] !== null;
}

/** The fields every task shape has (`Task`). */
function taskFields(record: TaskRecord): JsonObject {
  const task: JsonObject = {
    taskId: record.taskId, status: record.status,
    createdAt: new Date(record.createdAt).toISOString(), lastUpdatedAt: new Date(record.lastUpdatedAt).toISOString(),
    ttlMs: record.ttlMs, pollIntervalMs: record.pollIntervalMs,
  };
  if (record.statusMessage !== undefined) task.statusMessage = record.statusMessage;
  return task;
}

/** `CreateTaskResult`: `resultType: "task"` and the task's fields at the top level (no `task` wrapper, no result). */
export function createTaskResult(record: TaskRecord): JsonObject {
  return { resultType: 'task', ...taskFields(record) };
}

/**
 * `tasks/get`'s DetailedTask: the task's fields, and by status its `result` (completed, a tool
 * error included), `error` (failed) or `inputRequests` (input_required). The inline result is a
 * 2026-07-28 CallToolResult, as the call would have been answered: with `resultType: "complete"`
 * (ext-tasks' requester rejects a tool result without it).
 */
export function detailedTask(record: TaskRecord): JsonObject {
  const task: JsonObject = { resultType: 'complete', ...taskFields(record) };
  if (record.status === 'completed' && record.result !== undefined) task.result = isObject(record.result) ? { resultType: 'complete', ...record.result } : record.result;
  if (record.status === 'failed') task.error = record.error ?? { code: ErrorCode.InternalError, message: record.statusMessage ?? 'The task failed' };
  if (record.status === 'input_required') task.inputRequests = record.inputRequests ?? {};
  return task;
}

/** `notifications/tasks` params: the DetailedTask without `resultType`. */
export function taskNotification(record: TaskRecord): JsonObject {
  const { resultType: _resultType, ...params } = detailedTask(record);
  return params;
}

/**
 * What a client sees of a task in its `notifications/tasks`, as one string: its status, status
 * message and the keys of its input requests. The result and error are not in it: they are set
 * only by the write that ends a task, which changes the status. `lastUpdatedAt` is not either: a
 * write nobody sees (the owner clearing answers it handed to its flow) moves only that.
 */
export function clientView(record: TaskRecord): string {
  return JSON.stringify([record.status, record.statusMessage ?? null, Object.keys(record.inputRequests ?? {}).sort()]);
}

/** `-32021`: the request needs the tasks extension the client did not declare (HTTP 400). */
export function missingExtension(what: string): JsonRpcErrorObject {
  return { code: ModernErrorCode.MissingRequiredClientCapability, message: `Missing required client capability: ${what} needs the ${TASKS_EXTENSION} extension in _meta clientCapabilities.extensions`, data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } } };
}

/** `-32602` for a task that does not exist, has expired, or is not the caller's (never someone else's task). */
export function unknownTask(taskId: unknown): JsonRpcErrorObject {
  return { code: ErrorCode.InvalidParams, message: `Unknown task: ${JSON.stringify(String(taskId).slice(0, 100))} (it does not exist, has expired, or is not yours)` };
}

/** `-32601` for the methods SEP-2663 removed (`tasks/result`, `tasks/list`). */
export function removedMethod(method: string): JsonRpcErrorObject {
  return { code: ErrorCode.MethodNotFound, message: `Method not found: ${method} is not part of the ${TASKS_EXTENSION} extension (tasks/get carries the result)` };
}
