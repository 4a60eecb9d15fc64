/**
 * The settings of an endpoint's tasks, and the one in-memory task store per endpoint id per
 * process (it outlives the endpoint object: a redeploy or a deploy hand-over finds the tasks its
 * predecessor made; a Node-RED restart loses them).
 *
 * Never imports Node-RED.
 */
import { MemoryTaskStore } from './memory-store';
import type { TaskStore } from './task';

/** Default cap of a task's TTL, in ms (1 h). */
export const DEFAULT_MAX_TASK_TTL_MS = 3_600_000;
/** Default most unfinished tasks per session or OAuth subject. */
export const DEFAULT_MAX_TASKS_PER_OWNER = 100;
/** Default poll interval suggested to clients, in ms. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;

/** An endpoint's task settings. */
export interface TaskSettings {
  /** The longest TTL a task gets, in ms; a client's larger ask (or none) gets this. */
  maxTtlMs: number;
  /** Most unfinished tasks per owner (session or OAuth subject); past it `TaskLimitError`. */
  maxPerOwner: number;
  /** `pollIntervalMs` told to clients, in ms. */
  pollIntervalMs: number;
}

/** The settings with defaults filled in; non-positive or non-finite values get the default. */
export function taskSettings(options: Partial<TaskSettings> = {}): TaskSettings {
  const positive = (value: number | undefined, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback);
  return {
    maxTtlMs: positive(options.maxTtlMs, DEFAULT_MAX_TASK_TTL_MS),
    maxPerOwner: positive(options.maxPerOwner, DEFAULT_MAX_TASKS_PER_OWNER),
    pollIntervalMs: positive(options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS),
  };
}

/** The TTL a task gets, in ms: the client's ask (a positive integer) capped by `maxTtlMs`, else `maxTtlMs`. */
export function grantedTtl(requested: unknown, maxTtlMs: number): number {
  return typeof requested === 'number' && Number.isFinite(requested) && requested > 0 ? Math.min(Math.floor(requested), maxTtlMs) : maxTtlMs;
}

/** The memory stores of this process, by endpoint id. */
const stores = new Map<string, MemoryTaskStore>();

/**
 * The in-memory task store of endpoint `endpointId` in this process, made the first time it is
 * asked for and kept as long as the process (an endpoint made again with the same id, a redeploy,
 * finds its predecessor's tasks).
 */
export function memoryStoreFor(endpointId: string): TaskStore {
  let store = stores.get(endpointId);
  if (store === undefined) {
    store = new MemoryTaskStore();
    stores.set(endpointId, store);
  }
  return store;
}
