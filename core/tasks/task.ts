/**
 * The task model shared by both eras of MCP tasks and by every task store:
 * - `2025-11-25` (experimental tasks in the core spec: `tasks/get`, `tasks/result`, `tasks/list`,
 *   `tasks/cancel`, `notifications/tasks/status`);
 * - `2026-07-28` (the `io.modelcontextprotocol/tasks` extension, SEP-2663: `tasks/get` with the
 *   result inline, `tasks/update`, `tasks/cancel`, `notifications/tasks`).
 * The wire shapes of each era are made from a {@link TaskRecord} by that era's module; the store
 * keeps one era-free record.
 *
 * Never imports Node-RED.
 */
import { randomBytes } from 'node:crypto';
import type { JsonRpcErrorObject } from '../jsonrpc';

/** A task's status, the same five words in both eras. */
export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** The statuses a task never leaves. */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['completed', 'failed', 'cancelled']);

/** True when a task in `status` has ended. */
export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** The revision whose wire a task speaks: how its results, errors and notifications are shaped. */
export type TaskEra = '2025-11-25' | '2026-07-28';

/** A server-initiated request a task waits on (elicitation, sampling, roots), keyed by a server-minted id. */
export interface TaskInputRequest {
  method: string;
  params?: Record<string, unknown>;
}

/** One task as every store keeps it (plain JSON: a Redis store serialises it as it is). */
export interface TaskRecord {
  /** Unguessable: {@link newTaskId}. */
  taskId: string;
  /**
   * Who may see it: `session:<id>` (a 2025 session), `subject:<sub or client_id>` (OAuth), or
   * `anyone` (a 2026-07-28 request without authentication: the unguessable id is the only key).
   * Anyone else gets the era's not-found error.
   */
  owner: string;
  era: TaskEra;
  /** The request that made it (`tools/call`), and the tool's name. */
  method: string;
  name?: string;
  status: TaskStatus;
  /**
   * A line for people, set by the flow (`msg.mcp.taskStatus`, progress) or by the server (why it
   * failed, a cancel's reason). The flow's line goes when the task ends ({@link patchedTask}).
   */
  statusMessage?: string;
  /** ms since the epoch. */
  createdAt: number;
  lastUpdatedAt: number;
  /** How long it is kept after it was created, in ms (the client's ask, capped by the endpoint's setting). */
  ttlMs: number;
  /** How often a client should poll, in ms. */
  pollIntervalMs: number;
  /** The request's result once `completed` (a tool error: a result with `isError: true`). */
  result?: unknown;
  /** The JSON-RPC error once `failed`. */
  error?: JsonRpcErrorObject;
  /** While `input_required`: what it waits on, by key. */
  inputRequests?: Record<string, TaskInputRequest>;
  /**
   * Answers to input requests that reached an instance not running the task (a 2026-07-28
   * `tasks/update` through another instance), by key, until the instance running it hands them to
   * its flow and clears them. Internal: never on any wire; gone once the task ends.
   */
  inputResponses?: Record<string, unknown>;
  /**
   * As {@link inputResponses}, for the client's JSON-RPC error answers to input requests (a 2025
   * session answering with an error through an instance not running the task): the running
   * instance hands each to its flow as an error. Internal: never on any wire; gone once the task ends.
   */
  inputErrors?: Record<string, JsonRpcErrorObject>;
  /** The instance whose flow runs it (several instances through Redis). */
  instanceId?: string;
}

/** The fields a running task changes; `lastUpdatedAt` is set by the store. */
export type TaskPatch = Partial<Pick<TaskRecord, 'status' | 'statusMessage' | 'result' | 'error' | 'inputRequests' | 'inputResponses' | 'inputErrors'>>;

/**
 * A change computed from the task as it is now (read-modify-write): the store calls it with the
 * current record of a task that has not ended and applies the patch it returns atomically
 * (undefined: nothing to change, nothing is written or heard). A store may call it more than
 * once (the Redis store, after another instance changed the task in between): it must only
 * compute, never act.
 */
export type TaskChange = (current: TaskRecord) => TaskPatch | undefined;

/**
 * `record` with `patch` applied, as every store changes a task: `lastUpdatedAt` is `now`;
 * `inputRequests` go once the status leaves `input_required`; `inputResponses` and `inputErrors`
 * go once the task ends or when set empty; the flow's `statusMessage` ("Waiting for approval")
 * goes once the task ends, unless the ending patch sets its own (a failure's or a cancel's reason). The key is
 * deleted, so a store that keeps the record as JSON drops it too.
 */
export function patchedTask(record: TaskRecord, patch: TaskPatch, now: number): TaskRecord {
  const next: TaskRecord = { ...record, ...patch, lastUpdatedAt: now };
  if (patch.status !== undefined && patch.status !== 'input_required') delete next.inputRequests;
  if (patch.status !== undefined && isTerminal(patch.status) && patch.statusMessage === undefined) delete next.statusMessage;
  if (isTerminal(next.status) || next.inputResponses === undefined || Object.keys(next.inputResponses).length === 0) delete next.inputResponses;
  if (isTerminal(next.status) || next.inputErrors === undefined || Object.keys(next.inputErrors).length === 0) delete next.inputErrors;
  return next;
}

/** A page of one owner's tasks, newest first. */
export interface TaskPage {
  tasks: TaskRecord[];
  nextCursor?: string;
}

/**
 * Thrown by `TaskStore.list` for a cursor that no store hands out (malformed); the era answers
 * `-32602`. A well-formed cursor is a position, `<createdAt>.<taskId>` of the last task of the page
 * before, so it stays good when that task expires or is of the other era.
 */
export class InvalidCursorError extends Error {
  constructor() {
    super('Invalid params: unknown cursor');
    this.name = 'InvalidCursorError';
  }
}

/** The `tasks/list` cursor after `record`: `<createdAt>.<taskId>` (both stores; opaque to clients and eras). */
export function cursorAfter(record: TaskRecord): string {
  return `${record.createdAt}.${record.taskId}`;
}

/**
 * The position a cursor names. @throws InvalidCursorError when malformed.
 * Pages are newest first, ties by task id descending: "after" the cursor means an older task, or
 * one as old with a lower id ({@link comesAfter}).
 */
export function parseCursor(cursor: string): { createdAt: number; taskId: string } {
  const match = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/.exec(cursor);
  if (match === null) throw new InvalidCursorError();
  return { createdAt: Number(match[1]), taskId: match[2] };
}

/** True when `record` comes after the position `at` in a page order (newest first, ties by id descending). */
export function comesAfter(record: TaskRecord, at: { createdAt: number; taskId: string }): boolean {
  return record.createdAt < at.createdAt || (record.createdAt === at.createdAt && record.taskId < at.taskId);
}

/** Thrown by `TaskStore.create` when the owner has as many unfinished tasks as allowed. */
export class TaskLimitError extends Error {
  constructor(readonly limit: number) {
    super(`Too many tasks: at most ${limit} unfinished tasks per session or client; wait for one to end or cancel one`);
    this.name = 'TaskLimitError';
  }
}

/**
 * Where tasks live: in this process ({@link MemoryTaskStore}) or in Redis (several instances).
 * Every method is async (a Redis round trip); none checks the owner (the era's methods do, and
 * answer not-found).
 */
export interface TaskStore {
  /**
   * Stores a new task; resolves once a `get` anywhere finds it (SEP-2663: durable before the
   * CreateTaskResult is sent).
   * @throws TaskLimitError when `record.owner` already has `maxPerOwner` unfinished tasks.
   */
  create(record: TaskRecord, maxPerOwner: number): Promise<void>;
  /** The task, or undefined when unknown or expired. */
  get(taskId: string): Promise<TaskRecord | undefined>;
  /**
   * Changes a task that has not ended; a task that has ended is left as it is (so a flow's late
   * answer never overwrites `cancelled`). `change` is a patch, or a {@link TaskChange} when the
   * patch depends on the task as it is (`inputRequests`, `inputResponses`: instances adding and
   * removing keys at once each keep the other's): it is applied to the current record atomically.
   * @returns the task after the change (as it is when a {@link TaskChange} returned undefined, or
   *   it had ended), or undefined when unknown or expired.
   * @throws Error (Redis) when the task kept changing under it for 20 attempts, or Redis is unreachable.
   */
  update(taskId: string, change: TaskPatch | TaskChange): Promise<TaskRecord | undefined>;
  /**
   * One owner's tasks, newest first (ties by id descending), `limit` at a time; `nextCursor`
   * ({@link cursorAfter}) while more may follow.
   * @throws InvalidCursorError for a malformed cursor (never silently page 1 again).
   */
  list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage>;
  /** Hears every change to any task (on any instance), after it is stored. Returns the unsubscribe. */
  onChange(listener: (record: TaskRecord) => void): () => void;
  /** Stops timers and connections; tasks in memory are dropped. */
  close(): Promise<void>;
}

/** A new task id: 128 random bits, URL-safe. */
export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}
