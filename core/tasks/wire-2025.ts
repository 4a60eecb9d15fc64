/**
 * The 2025-11-25 wire of MCP tasks ("Basic > Utilities > Tasks", experimental in that revision):
 * how a {@link TaskRecord} looks to a client of a session that agreed `2025-11-25`, the
 * capability that session's `initialize` answer carries, and the errors the
 * revision names. Pure functions; `era-2025.ts` uses them.
 *
 * Never imports Node-RED.
 */
import { ErrorCode, isObject, type JsonRpcErrorObject } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import type { TaskRecord, TaskStatus } from './task';

/** The protocol version whose sessions get these methods and this capability. */
export const TASKS_2025_VERSION = '2025-11-25';

/** `_meta` key that ties a message to its task ("Related Task Metadata"). */
export const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/**
 * `capabilities.tasks` of the `initialize` answer: `tasks/list`, `tasks/cancel` and task-augmented
 * `tools/call` ("Capabilities > Server Capabilities"). Listing is safe to declare: every session
 * or OAuth subject lists only its own tasks.
 */
export function tasksCapability2025(): Record<string, unknown> {
  return { list: {}, cancel: {}, requests: { tools: { call: {} } } };
}

/** True when `to` is a session that agreed `2025-11-25` (the only version with these methods). */
export function speaks2025(to: ReplyDestination): boolean {
  return to.protocolVersion === TASKS_2025_VERSION;
}

/** True for a `tools/call` result that is a tool error (`isError: true`). */
function isToolError(result: unknown): boolean {
  return isObject(result) && result.isError === true;
}

/** The first text block of a tool result, for a failed task's `statusMessage`. */
function firstText(result: unknown): string | undefined {
  const content = isObject(result) && Array.isArray(result.content) ? result.content : [];
  const block = content.find((c) => isObject(c) && c.type === 'text' && typeof c.text === 'string') as { text: string } | undefined;
  return block?.text;
}

/**
 * The status a 2025-11-25 client sees. The record keeps a tool error as `completed` with
 * `isError` (as 2026-07-28 wants); 2025-11-25 says such a task reaches `failed` ("Task Status",
 * "Task Execution Errors"), so it is shown `failed`; `tasks/result` still returns the result.
 */
export function wireStatus(record: TaskRecord): TaskStatus {
  return record.status === 'completed' && isToolError(record.result) ? 'failed' : record.status;
}

/**
 * The `Task` object (`tasks/get`, `tasks/list`, `tasks/cancel`, `notifications/tasks/status`,
 * and inside `CreateTaskResult`): times as ISO 8601, `ttl` and `pollInterval` in ms. A failed
 * task without a message of the flow's says why it failed.
 */
export function wireTask(record: TaskRecord): Record<string, unknown> {
  const status = wireStatus(record);
  const task: Record<string, unknown> = { taskId: record.taskId, status };
  const message = record.statusMessage ?? (status === 'failed' ? record.error?.message ?? firstText(record.result) : undefined);
  if (message !== undefined) task.statusMessage = message;
  task.createdAt = new Date(record.createdAt).toISOString();
  task.lastUpdatedAt = new Date(record.lastUpdatedAt).toISOString();
  task.ttl = record.ttlMs;
  task.pollInterval = record.pollIntervalMs;
  return task;
}

/**
 * What `tasks/result` answers for a task that has ended: the request's own result or error,
 * exactly ("Result Retrieval"), the result with the related-task `_meta`; a cancelled task, that
 * has neither, an error saying it was cancelled.
 */
export function finalAnswer(record: TaskRecord): { result: Record<string, unknown> } | { error: JsonRpcErrorObject } {
  if (record.error !== undefined) return { error: record.error };
  if (record.status === 'cancelled' || record.result === undefined) {
    return { error: { code: ErrorCode.InvalidRequest, message: `Task ${record.taskId} was cancelled: it has no result`, data: { taskId: record.taskId, status: record.status } } };
  }
  const result = isObject(record.result) ? record.result : { content: [], structuredContent: record.result };
  const meta = isObject(result._meta) ? result._meta : {};
  return { result: { ...result, _meta: { ...meta, [RELATED_TASK]: { taskId: record.taskId } } } };
}

/** `-32602` for a task that is unknown, expired, or someone else's ("Error Handling > Protocol Errors"). */
export function taskNotFound(taskId: unknown): JsonRpcErrorObject {
  return { code: ErrorCode.InvalidParams, message: 'Failed to retrieve task: Task not found', data: { taskId } };
}

/** `-32602` for `tasks/cancel` of a task that has ended. */
export function alreadyEnded(record: TaskRecord): JsonRpcErrorObject {
  return { code: ErrorCode.InvalidParams, message: `Cannot cancel task: already in terminal status '${wireStatus(record)}'` };
}

/**
 * `-32601` for a `tools/call` of a tool whose Task setting is `always` without `params.task`
 * ("Tool-Level Negotiation": `required` tools MUST be called as tasks), and for `params.task` on a
 * tool that never runs as a task (`forbidden`: SHOULD be `-32601`).
 */
export function taskSupportError(tool: string, required: boolean): JsonRpcErrorObject {
  return required
    ? { code: ErrorCode.MethodNotFound, message: `Task augmentation required for tools/call requests: tool ${tool} runs as a task (call it with params.task)`, data: { tool, taskSupport: 'required' } }
    : { code: ErrorCode.MethodNotFound, message: `Tool ${tool} does not run as a task: call it without params.task`, data: { tool, taskSupport: 'forbidden' } };
}

/**
 * The task's lifetime: the client's `params.task.ttl` (ms), capped by the endpoint's most; the
 * most when it asks for none.
 * @returns the ttl in ms, or an error text for a `ttl` that is not a non-negative integer.
 */
export function ttlOf(task: Record<string, unknown>, maxTtlMs: number): number | string {
  const asked = task.ttl;
  if (asked === undefined || asked === null) return maxTtlMs;
  if (typeof asked !== 'number' || !Number.isSafeInteger(asked) || asked < 0) return 'Invalid params: task.ttl must be a non-negative integer (ms)';
  return Math.min(asked, maxTtlMs);
}
