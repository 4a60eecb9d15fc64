/**
 * The workbench side of an `mcp-sse-endpoint` node: the endpoint's activity list and session list
 * (core/workbench/), made once per endpoint (a deploy that keeps the endpoint keeps them), found
 * by the admin API (`admin-api.ts`), and pushed to open editors (the MCP sidebar) with
 * `RED.comms.publish`, batched: at most one message per endpoint every {@link BATCH_MS}.
 *
 * Topic `mcp-sse/activity/<endpoint id>`, data {@link ActivityBatch}.
 */
import type { NodeAPI } from 'node-red';
import { DEFAULT_ACTIVITY_ENTRIES, watchEndpoint, type ActivityEntryJson, type ActivityLog, type McpEndpoint } from '../../core';
import type { EndpointNodeDef } from './types';

/** Ms between two messages to the editor about one endpoint: a flow under load does not flood it. */
export const BATCH_MS = 250;
/** Most entries in one message to the editor; the rest are counted in `skipped`. */
export const MAX_PUSHED_ENTRIES = 100;
/** The comms topic of an endpoint's batches (the sidebar subscribes to `mcp-sse/activity/#`). */
export const ACTIVITY_TOPIC = 'mcp-sse/activity/';
/** Most entries an endpoint may keep (the Activity list setting's upper bound). */
export const MAX_ACTIVITY_ENTRIES = 100_000;

/** What the editor is pushed about one endpoint, at most every {@link BATCH_MS}. */
export interface ActivityBatch {
  endpoint: string;
  /** The activity list's epoch: a new one (the endpoint was replaced) numbers its entries from 1 again. */
  epoch: number;
  /** The newest entry's seq. */
  seq: number;
  /** The entries since the last batch (the newest {@link MAX_PUSHED_ENTRIES}), without payloads: the sidebar asks for those. */
  entries: ActivityEntryJson[];
  /** Entries since the last batch left out (more than {@link MAX_PUSHED_ENTRIES}). */
  skipped: number;
  /** A session opened, closed or said who its client is: the sidebar reads the session list again. */
  sessionsChanged: boolean;
}

const logs = new WeakMap<McpEndpoint, ActivityLog>();

/** The Activity list setting, within 1 and {@link MAX_ACTIVITY_ENTRIES}; blank or wrong: the default. */
function sizeSetting(value: number | string | undefined): number {
  const n = typeof value === 'number' ? value : Number.parseInt(value ?? '', 10);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_ACTIVITY_ENTRIES) : DEFAULT_ACTIVITY_ENTRIES;
}

/**
 * The activity list of `endpoint`: made and attached the first time (with the node's Activity list
 * and Record payloads settings), and its batches pushed to editors from then on.
 */
export function attachWorkbench(RED: NodeAPI, endpoint: McpEndpoint, def: Pick<EndpointNodeDef, 'activitySize' | 'recordPayloads'>): ActivityLog {
  const known = logs.get(endpoint);
  if (known !== undefined) return known;
  const log = watchEndpoint(endpoint, { size: sizeSetting(def.activitySize), recordPayloads: def.recordPayloads === true });
  logs.set(endpoint, log);
  pushBatches(RED, endpoint.id, log);
  return log;
}

/** The activity list of `endpoint`, if {@link attachWorkbench} made one. */
export function workbenchOf(endpoint: McpEndpoint): ActivityLog | undefined {
  return logs.get(endpoint);
}

/** Pushes what is new in `log` to editors, at most every {@link BATCH_MS}; nothing while nothing happens. */
function pushBatches(RED: NodeAPI, endpointId: string, log: ActivityLog): void {
  let timer: NodeJS.Timeout | undefined;
  let published = log.seq;
  let sessionsChanged = false;
  const flush = (): void => {
    timer = undefined;
    const from = Math.max(published, log.seq - MAX_PUSHED_ENTRIES);
    const batch: ActivityBatch = {
      endpoint: endpointId,
      epoch: log.epoch,
      seq: log.seq,
      entries: log.since(from).map((entry) => entry.view(false)),
      skipped: from - published,
      sessionsChanged,
    };
    published = log.seq;
    sessionsChanged = false;
    RED.comms.publish(ACTIVITY_TOPIC + endpointId, batch, false);
  };
  const schedule = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(flush, BATCH_MS);
    timer.unref();
  };
  log.onEntry = schedule;
  log.sessions.onChange = () => {
    sessionsChanged = true;
    schedule();
  };
}
