/**
 * Keeping in-process state about a task no longer than the task (its TTL, `createdAt + ttlMs`):
 * {@link callAt}, a timer at an epoch time that also works past Node's longest delay, and
 * {@link PerTask}, a map whose entries go when the task ends (the owner deletes them) or at its
 * expiry, whichever comes first. One unref'd timer per entry rather than a periodic sweep: the
 * bound is exact (nothing lingers past the TTL), an idle endpoint never wakes up, and entries are
 * few (unfinished tasks are limited per owner; ended ones are deleted at once).
 *
 * Never imports Node-RED.
 */
import type { TaskRecord } from './task';

/** Node's longest timer delay, in ms (about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fn` at `at` (ms since the epoch) on an unref'd timer (it never keeps the process up). A
 * time further away than {@link MAX_TIMER_MS} (a Task TTL may be 30 days) is reached in steps; a
 * time already past calls `fn` on the next turn of the event loop.
 * @returns the cancel (harmless after `fn` ran).
 */
export function callAt(at: number, fn: () => void, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const delay = Math.max(0, at - now());
    timer = setTimeout(delay > MAX_TIMER_MS ? arm : fn, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/** The fields of a task that say when it expires. */
export type TaskLifetime = Pick<TaskRecord, 'taskId' | 'createdAt' | 'ttlMs'>;

/** In-process values by task, each kept until deleted or until its task expires; see the module comment. */
export class PerTask<V> {
  private readonly entries = new Map<string, { value: V; cancel: () => void }>();

  /** Sets the value of `task`; a task already expired is not kept. The expiry of an entry already there stays. */
  set(task: TaskLifetime, value: V): void {
    const known = this.entries.get(task.taskId);
    if (known !== undefined) {
      known.value = value;
      return;
    }
    const expiresAt = task.createdAt + task.ttlMs;
    if (expiresAt <= Date.now()) return;
    const entry = { value, cancel: (): void => undefined };
    entry.cancel = callAt(expiresAt, () => {
      if (this.entries.get(task.taskId) === entry) this.entries.delete(task.taskId);
    });
    this.entries.set(task.taskId, entry);
  }

  get(taskId: string): V | undefined {
    return this.entries.get(taskId)?.value;
  }

  /** Forgets task `taskId` (it ended). */
  delete(taskId: string): void {
    this.entries.get(taskId)?.cancel();
    this.entries.delete(taskId);
  }

  /** How many tasks have a value (tests, measurements). */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets every task (the endpoint closed). */
  clear(): void {
    for (const entry of this.entries.values()) entry.cancel();
    this.entries.clear();
  }
}
