/**
 * MCP tasks in an endpoint's activity list (issue 21 item 6). A `tools/call` answered with a task
 * (a CreateTaskResult: 2026-07-28 `resultType: "task"`, 2025-11-25 `{ task }`) is an entry with
 * outcome `task`, its `taskId` and `taskStatus`; each later change of the task's status, heard
 * from the task store (`EndpointTasks.onChange`), is a new entry for the same call: the status,
 * the time since the call arrived, and how it ended (a result, a tool error, a JSON-RPC error,
 * cancelled). A task whose call this list did not see answered (one made on another instance, or
 * answered at once without becoming a task) is not followed.
 *
 * Never imports Node-RED.
 */
import { performance } from 'node:perf_hooks';
import type { TaskRecord, TaskStatus } from '../tasks/task';
import { isObject } from '../jsonrpc';
import { ActivityEntry } from './activity-entry';

/** Tasks followed at once; past it the oldest is forgotten (a flow that never answers). */
const MAX_FOLLOWED = 1000;
/** Changes of tasks not followed yet, kept: one may land before its call's answer is written. */
const MAX_EARLY = 100;
/** Longest message kept, in characters. */
const MAX_MESSAGE_CHARS = 500;
const STATUSES: ReadonlySet<string> = new Set(['working', 'input_required', 'completed', 'failed', 'cancelled']);

/** The task a `tools/call` result hands over (a CreateTaskResult of either era), or undefined for any other result. */
export function createdTask(result: unknown): { taskId: string; status: TaskStatus } | undefined {
  if (!isObject(result)) return undefined;
  const task = result.resultType === 'task' ? result : isObject(result.task) ? result.task : undefined;
  if (task === undefined || typeof task.taskId !== 'string') return undefined;
  return { taskId: task.taskId, status: typeof task.status === 'string' && STATUSES.has(task.status) ? task.status as TaskStatus : 'working' };
}

/** The tasks an activity list follows; see the module comment. */
export class TaskActivity {
  /** The entry of each followed task's call, and the status last shown, by task id. */
  private readonly followed = new Map<string, { call: ActivityEntry; status: TaskStatus }>();
  private readonly early = new Map<string, TaskRecord>();

  /** @param append adds an entry to the list. */
  constructor(private readonly append: (entry: ActivityEntry) => void, private readonly recordPayloads: boolean) {}

  /** When `result` (of a `tools/call` entry) hands over a task: marks the entry (outcome `task`, `taskId`, `taskStatus`) and returns true. */
  mark(entry: ActivityEntry, result: unknown): boolean {
    const created = entry.method === 'tools/call' ? createdTask(result) : undefined;
    if (created === undefined) return false;
    entry.outcome = 'task';
    entry.taskId = created.taskId;
    entry.taskStatus = created.status;
    return true;
  }

  /** Follows the task of `call` (marked by {@link mark}, now in the list): its changes from now on become entries. */
  follow(call: ActivityEntry): void {
    const taskId = call.taskId as string;
    if (this.followed.size >= MAX_FOLLOWED) this.followed.delete(this.followed.keys().next().value as string);
    this.followed.set(taskId, { call, status: call.taskStatus ?? 'working' });
    const early = this.early.get(taskId);
    this.early.delete(taskId);
    if (early !== undefined) this.changed(early);
  }

  /** A task changed (any instance): an entry when it is followed and its status is new. */
  changed(record: TaskRecord): void {
    const followed = this.followed.get(record.taskId);
    if (followed === undefined) {
      this.early.delete(record.taskId);
      if (this.early.size >= MAX_EARLY) this.early.delete(this.early.keys().next().value as string);
      this.early.set(record.taskId, record);
      return;
    }
    if (record.status === followed.status) return;
    followed.status = record.status;
    if (record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled') this.followed.delete(record.taskId);
    this.append(this.entryOf(followed.call, record));
  }

  /** The entry of a change of the task of `call`: its place, method and name, the new status, the time since the call arrived. */
  private entryOf(call: ActivityEntry, record: TaskRecord): ActivityEntry {
    const entry = new ActivityEntry(Date.now(), call.started, call.place, call.exchange, call.source, call.from, call.kind, call.method, call.id);
    entry.name = call.name;
    entry.taskId = record.taskId;
    entry.taskStatus = record.status;
    entry.end(performance.now());
    let payload: unknown;
    if (record.status === 'completed') {
      entry.outcome = isObject(record.result) && record.result.isError === true ? 'tool-error' : 'result';
      payload = record.result;
    } else if (record.status === 'failed') {
      entry.outcome = 'error';
      if (typeof record.error?.code === 'number') entry.code = record.error.code;
      payload = record.error;
    } else {
      entry.outcome = record.status === 'cancelled' ? 'cancelled' : 'task';
      if (record.status === 'input_required') payload = record.inputRequests;
    }
    const message = record.status === 'completed' ? undefined : record.status === 'failed' ? record.error?.message ?? record.statusMessage : record.statusMessage;
    if (typeof message === 'string') entry.message = message.slice(0, MAX_MESSAGE_CHARS);
    if (this.recordPayloads) entry.record('result', payload);
    return entry;
  }
}
