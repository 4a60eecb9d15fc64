/**
 * Settings of an endpoint served by several instances (several Node-RED processes behind one load
 * balancer) that share its sessions through Redis, and the names of the Redis keys and pub/sub
 * channels they use.
 *
 * Never imports Node-RED.
 */
import os from 'node:os';
import type { ConnectionOptions } from 'node:tls';

/** How an endpoint reaches Redis and names itself among the instances. */
export interface ClusterOptions {
  /** `redis://[user[:password]@]host[:port][/db]` or `rediss://...` (TLS). */
  url: string;
  /** The password (Redis `AUTH`), when not in the URL. */
  password?: string;
  /** TLS options (CA, client certificate and key, `servername`, `rejectUnauthorized`); turns TLS on. */
  tls?: ConnectionOptions;
  /** Prepended to every key and channel, so that several deployments can share one Redis. Default `mcp:`. */
  keyPrefix?: string;
  /** This instance's name among the instances; unique per process. Default `<host name>-<pid>`. */
  instanceId?: string;
  /**
   * How long a session's ownership record lives unless its owner refreshes it, in ms: the bound
   * on how long a session of an instance that stopped answering (a network partition, a frozen
   * process) is still taken for alive. The owner refreshes every third of it. Default 15000.
   */
  ownershipTtlMs?: number;
  /** How long a relayed request waits for the owner's answer to start, in ms; then 503. Default 10000. */
  relayTimeoutMs?: number;
}

export const DEFAULT_KEY_PREFIX = 'mcp:';
export const DEFAULT_OWNERSHIP_TTL_MS = 15_000;
export const DEFAULT_RELAY_TIMEOUT_MS = 10_000;
/** Seconds a client is told to wait (`Retry-After`) when a request cannot be relayed now (Redis is unreachable). */
export const RELAY_RETRY_AFTER_S = 2;

/** The default instance id: host name and process id, e.g. `node-red-7f9c-1`. */
export function defaultInstanceId(): string {
  return `${os.hostname()}-${process.pid}`;
}

/**
 * The Redis keys and channels of one endpoint. Every name starts with the key prefix and the
 * endpoint id, so that endpoints and deployments sharing a Redis never see each other's sessions.
 */
export class ClusterKeys {
  private readonly base: string;

  /** @param prefix the key prefix; @param endpointId the endpoint's id (the same on every instance). */
  constructor(prefix: string, endpointId: string) {
    this.base = `${prefix}ep:${endpointId}:`;
  }

  /** String key: the id of the instance that owns session `sessionId` (with a TTL). */
  session(sessionId: string): string {
    return `${this.base}session:${sessionId}`;
  }

  /** Hash key: instance id -> `<open sessions>:<expiry epoch ms>`. */
  get counts(): string {
    return `${this.base}counts`;
  }

  /** Channel: what is addressed to one instance (relayed requests, their answers, relayed sends). */
  inbox(instanceId: string): string {
    return `${this.base}to:${instanceId}`;
  }

  /** Channel: what every instance hears (broadcasts, session counts). */
  get all(): string {
    return `${this.base}all`;
  }

  /** Hash key: one MCP task (`json` = the record, `v` = its version, `lease` = the lease of the store that runs it), expiring with the task. */
  task(taskId: string): string {
    return `${this.base}task:${taskId}`;
  }

  /** Sorted-set key: an owner's unfinished tasks, scored by their expiry (epoch ms): the per-owner limit counts it. */
  tasksOpen(owner: string): string {
    return `${this.base}tasks:open:${owner}`;
  }

  /** Sorted-set key: all of an owner's tasks, scored by `createdAt` (epoch ms): `tasks/list` pages through it. */
  tasksList(owner: string): string {
    return `${this.base}tasks:list:${owner}`;
  }

  /** Sorted-set key: all of an owner's tasks, scored by their expiry (epoch ms): creating a task trims expired ones off {@link tasksList} by it. */
  tasksExpiry(owner: string): string {
    return `${this.base}tasks:expiry:${owner}`;
  }

  /** Hash key: task id -> the lease id of the store running it, for every unfinished task: swept for tasks whose store died. */
  get tasksUnfinished(): string {
    return `${this.base}tasks:unfinished`;
  }

  /** String key: the lease of one task store (`<instance id>:<random run id>`), with a TTL its store refreshes. */
  taskLease(leaseId: string): string {
    return `${this.base}tasks:lease:${leaseId}`;
  }

  /** Channel: every change of a task, for the other instances' `onChange` listeners. */
  get tasksChanged(): string {
    return `${this.base}tasks:changed`;
  }
}
