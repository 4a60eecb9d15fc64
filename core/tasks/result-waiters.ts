/**
 * The 2025-11-25 `tasks/result` requests waiting for their task to end ("Result Retrieval": the
 * receiver MUST block the response until the task reaches a terminal status), by task id. Each is
 * answered once: when the task ends ({@link TaskResultWaiters.settle}), or with not-found when its
 * TTL runs out first (the task is gone then).
 *
 * Never imports Node-RED.
 */
import type { JsonRpcErrorObject, RequestId } from '../jsonrpc';
import type { ReplyDestination } from '../reply-destination';
import { callAt } from './expiry';
import type { TaskRecord } from './task';
import { taskNotFound } from './wire-2025';

type Answer = { result: unknown } | { error: JsonRpcErrorObject };

/** One waiting `tasks/result`. */
export interface Waiter {
  session: ReplyDestination;
  requestId: RequestId;
  answer(answer: Answer): void;
  /** Cancels its timer at the task's expiry. */
  forget: () => void;
}

/** See the module comment. */
export class TaskResultWaiters {
  private readonly byTask = new Map<string, Waiter[]>();

  /** A `tasks/result` for `record` (not ended) waits; answered with not-found if the task expires first. */
  add(record: TaskRecord, session: ReplyDestination, requestId: RequestId, answer: (answer: Answer) => void): void {
    const waiter: Waiter = { session, requestId, answer, forget: () => undefined };
    waiter.forget = callAt(record.createdAt + record.ttlMs, () => this.expire(record.taskId, waiter));
    const list = this.byTask.get(record.taskId);
    if (list === undefined) this.byTask.set(record.taskId, [waiter]);
    else list.push(waiter);
  }

  /** The oldest waiter of a task whose session is still open (where input requests go). */
  first(taskId: string): Waiter | undefined {
    const list = this.byTask.get(taskId)?.filter((w) => !w.session.closed);
    return list?.[0];
  }

  /** The task ended: every waiter of it gets `answer`. */
  settle(record: TaskRecord, answer: Answer): void {
    const list = this.byTask.get(record.taskId);
    if (list === undefined) return;
    this.byTask.delete(record.taskId);
    for (const waiter of list) {
      waiter.forget();
      if (!waiter.session.closed) waiter.answer(answer);
    }
  }

  /** The number of waiting requests (tests, measurements). */
  get size(): number {
    let n = 0;
    for (const list of this.byTask.values()) n += list.length;
    return n;
  }

  /** Forgets every waiter (the endpoint closed). */
  clear(): void {
    for (const list of this.byTask.values()) for (const waiter of list) waiter.forget();
    this.byTask.clear();
  }

  private expire(taskId: string, waiter: Waiter): void {
    const list = this.byTask.get(taskId);
    if (list === undefined) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length === 0) this.byTask.delete(taskId);
    else this.byTask.set(taskId, rest);
    if (!waiter.session.closed) waiter.answer({ error: taskNotFound(taskId) });
  }
}
