/**
 * Tasks in this process: the default store. A task is kept until `createdAt + ttlMs`, then
 * forgotten (a `get` after that finds nothing); an unref'd sweep removes expired tasks once a
 * minute so memory stays flat. Lost when Node-RED restarts.
 *
 * Never imports Node-RED.
 */
import { comesAfter, cursorAfter, isTerminal, parseCursor, patchedTask, TaskLimitError, type TaskChange, type TaskPage, type TaskPatch, type TaskRecord, type TaskStore } from './task';

/** How often expired tasks are swept, in ms. */
const SWEEP_MS = 60_000;

/** {@link TaskStore} in a Map; see the module comment. */
export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly listeners = new Set<(record: TaskRecord) => void>();
  private readonly sweep: NodeJS.Timeout;

  /** @param now the clock, ms since the epoch (tests pass their own). */
  constructor(private readonly now: () => number = Date.now) {
    this.sweep = setInterval(() => this.removeExpired(), SWEEP_MS);
    this.sweep.unref();
  }

  async create(record: TaskRecord, maxPerOwner: number): Promise<void> {
    let unfinished = 0;
    for (const task of this.tasks.values()) if (task.owner === record.owner && !isTerminal(task.status) && !this.expired(task)) unfinished++;
    if (unfinished >= maxPerOwner) throw new TaskLimitError(maxPerOwner);
    this.tasks.set(record.taskId, { ...record });
    this.emit(record);
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    const task = this.tasks.get(taskId);
    if (task === undefined) return undefined;
    if (this.expired(task)) {
      this.tasks.delete(taskId);
      return undefined;
    }
    return { ...task };
  }

  /** Atomic as it is: nothing else runs between reading the task, `change` and the write. */
  async update(taskId: string, change: TaskPatch | TaskChange): Promise<TaskRecord | undefined> {
    const task = this.tasks.get(taskId);
    if (task === undefined || this.expired(task)) return undefined;
    if (isTerminal(task.status)) return { ...task };
    const patch = typeof change === 'function' ? change({ ...task }) : change;
    if (patch === undefined) return { ...task };
    const next = patchedTask(task, patch, this.now());
    this.tasks.set(taskId, next);
    this.emit(next);
    return { ...next };
  }

  /** @throws InvalidCursorError for a malformed cursor (see {@link TaskStore.list}). */
  async list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    const at = cursor === undefined ? undefined : parseCursor(cursor);
    const mine = [...this.tasks.values()]
      .filter((task) => task.owner === owner && !this.expired(task) && (at === undefined || comesAfter(task, at)))
      .sort((a, b) => b.createdAt - a.createdAt || (a.taskId < b.taskId ? 1 : -1));
    const page = mine.slice(0, limit);
    const result: TaskPage = { tasks: page.map((task) => ({ ...task })) };
    if (limit < mine.length && page.length > 0) result.nextCursor = cursorAfter(page[page.length - 1]);
    return result;
  }

  onChange(listener: (record: TaskRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.tasks.clear();
    this.listeners.clear();
  }

  private expired(task: TaskRecord): boolean {
    return this.now() >= task.createdAt + task.ttlMs;
  }

  private removeExpired(): void {
    for (const [taskId, task] of this.tasks) if (this.expired(task)) this.tasks.delete(taskId);
  }

  private emit(record: TaskRecord): void {
    if (this.listeners.size === 0) return;
    const copy = { ...record };
    for (const listener of this.listeners) listener(copy);
  }
}
