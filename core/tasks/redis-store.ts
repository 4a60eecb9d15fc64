/**
 * Tasks in Redis, for an endpoint served by several instances (`EndpointOptions.cluster`): a
 * `tasks/get` or `tasks/result` on any instance finds a task that another instance's flow runs.
 *
 * Keys (see {@link ClusterKeys}): each task is a hash (`json`, version `v`, `lease`) that expires
 * at `createdAt + ttlMs` (PEXPIREAT); each owner has a sorted set of its unfinished tasks (the
 * limit), one of all its tasks (`tasks/list`, newest first) and one of all its tasks by expiry
 * (creating a task trims the expired ones off the others); a hash lists every unfinished
 * task with the lease of the store running it. Changes are atomic Lua scripts (redis-scripts.ts);
 * every change is published on the endpoint's task channel for the other instances' listeners.
 *
 * The store that creates a task runs it (its flow answers there) and holds a {@link TaskLease}.
 * A task whose store's lease has expired reads `failed` (whoever reads it, or the sweep of a
 * living instance, marks it so); a store that closes marks its unfinished tasks `failed` first.
 *
 * Never imports Node-RED.
 */
import { randomBytes } from 'node:crypto';
import { CONNECTION_CLOSED } from '../jsonrpc';
import { ClusterKeys, DEFAULT_KEY_PREFIX, DEFAULT_OWNERSHIP_TTL_MS, defaultInstanceId, type ClusterOptions } from '../cluster/options';
import { RedisLink } from '../cluster/redis-link';
import { TaskLease } from './redis-lease';
import { CREATE_TASK, LIST_PAGE, UPDATE_TASK } from './redis-scripts';
import { cursorAfter, isTerminal, parseCursor, patchedTask, TaskLimitError, type TaskChange, type TaskPage, type TaskPatch, type TaskRecord, type TaskStore } from './task';

/** How a {@link RedisTaskStore} is made. */
export interface RedisTaskStoreOptions {
  /** The Redis link; started by the store when it owns it. */
  link: RedisLink;
  /** True when the store closes the link on close. */
  ownsLink: boolean;
  keys: ClusterKeys;
  /** This instance's id, set on the tasks it creates. */
  instanceId: string;
  /** The lease's TTL in ms (a dead owner's tasks fail within it). Default 15 000. */
  leaseTtlMs?: number;
  /** How long a call waits for Redis to be reachable before it throws, in ms. Default 2000. */
  readyTimeoutMs?: number;
  /** The clock, ms since the epoch. */
  now?: () => number;
}

/** The `failed` a task gets when the store running it is gone. */
function ownerGone(instanceId: string | undefined, how: string): TaskPatch {
  const message = `The Node-RED instance running this task (${instanceId ?? 'unknown'}) ${how} before the task finished: send the request again`;
  return { status: 'failed', statusMessage: message, error: { code: CONNECTION_CLOSED, message } };
}

/** A task and the fields it is stored with. */
interface Stored {
  record: TaskRecord;
  version: string;
  lease: string;
}

/** Most version conflicts one update retries before it gives up. */
const MAX_CONFLICTS = 20;

/** {@link TaskStore} in Redis; see the module comment. */
export class RedisTaskStore implements TaskStore {
  private readonly link: RedisLink;
  private readonly keys: ClusterKeys;
  private readonly instanceId: string;
  private readonly lease: TaskLease;
  private readonly listeners = new Set<(record: TaskRecord) => void>();
  /** Tells this store's own messages on the channel from the others'. */
  private readonly from = randomBytes(6).toString('base64url');
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: RedisTaskStoreOptions) {
    ({ link: this.link, keys: this.keys, instanceId: this.instanceId } = options);
    this.now = options.now ?? Date.now;
    this.lease = new TaskLease(this.link, this.keys, this.instanceId, options.leaseTtlMs ?? DEFAULT_OWNERSHIP_TTL_MS, (ids) => this.failOrphans(ids));
    this.link.subscribe(this.keys.tasksChanged, (text) => this.heard(text));
    if (options.ownsLink) this.link.start();
    this.lease.start();
  }

  /** This store's lease id, `<instance id>:<run id>` (stored with each task it runs). */
  get leaseId(): string {
    return this.lease.id;
  }

  /** @throws TaskLimitError at the owner's limit; an Error when Redis is unreachable or the id is taken. */
  async create(record: TaskRecord, maxPerOwner: number): Promise<void> {
    await this.ready();
    const stored: TaskRecord = { ...record, instanceId: record.instanceId ?? this.instanceId };
    const expireAt = stored.createdAt + stored.ttlMs;
    const done = await this.link.commands.eval(CREATE_TASK, {
      keys: [this.keys.task(stored.taskId), this.keys.tasksOpen(stored.owner), this.keys.tasksList(stored.owner), this.keys.tasksUnfinished, this.keys.tasksExpiry(stored.owner)],
      arguments: [JSON.stringify(stored), String(this.now()), String(expireAt), String(maxPerOwner), stored.taskId, String(stored.createdAt), this.lease.id],
    });
    if (done === 0) throw new TaskLimitError(maxPerOwner);
    if (done !== 1) throw new Error(`Task id ${stored.taskId} is taken`);
    this.changed(stored);
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    await this.ready();
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      const stored = await this.read(taskId);
      if (stored === undefined || isTerminal(stored.record.status) || stored.lease === this.lease.id) return stored?.record;
      // Another store runs it: fail it if that store's lease is gone (atomically, in the script).
      const next = this.patched(stored.record, ownerGone(stored.record.instanceId, 'stopped'));
      const code = await this.swap(stored, next, this.keys.taskLease(stored.lease));
      if (code === 2) return stored.record;
      if (code === 1) return next;
      if (code === -1) return undefined;
    }
    throw new Error(`Task ${taskId} kept changing: try again`);
  }

  /**
   * Compare-and-swap on the task's version: on a conflict (another instance wrote in between) the
   * task is read again and `change`, when a function, is applied again to the fresh record, at
   * most {@link MAX_CONFLICTS} times.
   */
  async update(taskId: string, change: TaskPatch | TaskChange): Promise<TaskRecord | undefined> {
    await this.ready();
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      const stored = await this.read(taskId);
      if (stored === undefined || isTerminal(stored.record.status)) return stored?.record;
      const patch = typeof change === 'function' ? change({ ...stored.record }) : change;
      if (patch === undefined) return stored.record;
      const next = this.patched(stored.record, patch);
      const code = await this.swap(stored, next);
      if (code === 1) return next;
      if (code === -1) return undefined;
    }
    throw new Error(`Task ${taskId} kept changing: try again`);
  }

  /**
   * Newest first; the cursor is `<createdAt>.<taskId>` of the last task of the page before ({@link cursorAfter}).
   * @throws InvalidCursorError for a malformed cursor.
   */
  async list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    await this.ready();
    const key = this.keys.tasksList(owner);
    const at = cursor === undefined ? undefined : parseCursor(cursor);
    let after = at === undefined ? undefined : { score: String(at.createdAt), id: at.taskId };
    const found: TaskRecord[] = [];
    while (found.length <= limit) {
      const want = limit + 1 - found.length;
      const flat = (await this.link.commands.eval(LIST_PAGE, { keys: [key], arguments: [after?.score ?? '', after?.id ?? '', String(want)] })) as string[];
      const ids = flat.filter((_, i) => i % 2 === 0);
      if (ids.length === 0) break;
      const records = await Promise.all(ids.map((id) => this.get(id)));
      const gone = ids.filter((_, i) => records[i] === undefined);
      if (gone.length > 0) await Promise.all([this.link.commands.zRem(key, gone), this.link.commands.zRem(this.keys.tasksExpiry(owner), gone)]);
      found.push(...records.filter((r): r is TaskRecord => r !== undefined));
      after = { score: flat[flat.length - 1], id: ids[ids.length - 1] };
      if (ids.length < want) break;
    }
    const page: TaskPage = { tasks: found.slice(0, limit) };
    const last = page.tasks[page.tasks.length - 1];
    if (found.length > limit && last !== undefined) page.nextCursor = cursorAfter(last);
    return page;
  }

  onChange(listener: (record: TaskRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The endpoint closed: this store's unfinished tasks are marked `failed` (their flows' answers
   * can no longer arrive), the lease goes, and the link closes when the store owns it. Tasks stay
   * in Redis until they expire.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.link.up) {
      const unfinished = await this.link.commands.hGetAll(this.keys.tasksUnfinished).catch(() => ({}));
      const mine = Object.entries(unfinished).filter(([, lease]) => lease === this.lease.id).map(([id]) => id);
      await Promise.all(mine.map(async (id) => {
        const ended = await this.update(id, ownerGone(this.instanceId, 'closed its endpoint (a redeploy removed it, or Node-RED stopped)')).catch(() => undefined);
        if (ended === undefined) await this.link.commands.hDel(this.keys.tasksUnfinished, id).catch(() => {});
      }));
    }
    this.closed = true;
    await this.lease.end();
    this.listeners.clear();
    if (this.options.ownsLink) await this.link.close();
  }

  /** Waits up to `readyTimeoutMs` for Redis. @throws when it stays unreachable, or the store is closed. */
  private async ready(): Promise<void> {
    if (this.closed) throw new Error('The task store is closed');
    await this.link.whenUp(this.options.readyTimeoutMs ?? 2000).catch(() => {
      throw new Error('Redis is unreachable, so the task cannot be read or stored: try again shortly');
    });
  }

  private async read(taskId: string): Promise<Stored | undefined> {
    const fields = await this.link.commands.hGetAll(this.keys.task(taskId));
    if (typeof fields.json !== 'string') return undefined;
    return { record: JSON.parse(fields.json) as TaskRecord, version: fields.v, lease: fields.lease };
  }

  /** `record` with `patch` applied, as the memory store does it ({@link patchedTask}); the script stores the whole JSON. */
  private patched(record: TaskRecord, patch: TaskPatch): TaskRecord {
    return patchedTask(record, patch, this.now());
  }

  /** Stores `next` if `stored` is still current; see UPDATE_TASK for the codes. Publishes the change. */
  private async swap(stored: Stored, next: TaskRecord, leaseKey?: string): Promise<number> {
    const { taskId, owner } = stored.record;
    const keys = [this.keys.task(taskId), this.keys.tasksOpen(owner), this.keys.tasksUnfinished];
    const code = Number(await this.link.commands.eval(UPDATE_TASK, {
      keys: leaseKey === undefined ? keys : [...keys, leaseKey],
      arguments: [stored.version, JSON.stringify(next), isTerminal(next.status) ? '1' : '0', taskId],
    }));
    if (code === 1) this.changed(next);
    return code;
  }

  /** The lease's sweep found tasks whose store died: reading them fails them; gone (expired) ones leave the hash. */
  private async failOrphans(taskIds: string[]): Promise<void> {
    await Promise.all(taskIds.map(async (id) => {
      const record = await this.get(id);
      if (record === undefined) await this.link.commands.hDel(this.keys.tasksUnfinished, id);
    }));
  }

  private changed(record: TaskRecord): void {
    this.emit(record);
    if (this.link.up) this.link.publish(this.keys.tasksChanged, JSON.stringify({ from: this.from, record })).catch(() => {});
  }

  private heard(text: string): void {
    if (this.closed) return;
    try {
      const message = JSON.parse(text) as { from?: string; record?: TaskRecord };
      if (message.from !== this.from && typeof message.record?.taskId === 'string') this.emit(message.record);
    } catch {
      // Not ours: ignored.
    }
  }

  private emit(record: TaskRecord): void {
    for (const listener of this.listeners) listener({ ...record });
  }
}

/**
 * The task store of an endpoint with a cluster: its own Redis link (so it lives as long as the
 * endpoint's tasks, not its sessions' relays), the cluster's key prefix and instance id, and a
 * lease as long as the cluster's `ownershipTtlMs`.
 */
export function openRedisTaskStore(endpointId: string, cluster: ClusterOptions): RedisTaskStore {
  return new RedisTaskStore({
    link: new RedisLink({ url: cluster.url, password: cluster.password, tls: cluster.tls }),
    ownsLink: true,
    keys: new ClusterKeys(cluster.keyPrefix ?? DEFAULT_KEY_PREFIX, endpointId),
    instanceId: cluster.instanceId?.trim() || defaultInstanceId(),
    leaseTtlMs: cluster.ownershipTtlMs,
  });
}
