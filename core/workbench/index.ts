/**
 * The workbench's view of an endpoint, for the editor's MCP sidebar and the admin API: its
 * activity list (`activity-log.ts`) and its open sessions (`live-sessions.ts`), attached once to
 * an endpoint by {@link watchEndpoint}; and the editor's Try it (`editor-call.ts`).
 *
 * The endpoint members the workbench uses: `protocol.observer` (set), `protocol.clientRequests.count`,
 * `sessionOpened`, `sessionClosed`, `tasks.onChange`, `sessionCount`, `listenStreamCount`, `cluster?.instanceId`
 * (here), and `openInProcess` (editor-call.ts).
 *
 * Never imports Node-RED.
 */
import type { McpEndpoint } from '../endpoint';
import { ActivityLog, type ActivityOptions } from './activity-log';
import type { SessionSummary } from './live-sessions';

export { ActivityLog, DEFAULT_ACTIVITY_ENTRIES, type ActivityOptions } from './activity-log';
export { MAX_RECORDED_BYTES, REDACTED, type ActivityEntryJson, type ActivityOutcome, type ActivitySource, type ActivityTaskStatus } from './activity-entry';
export type { SessionSummary } from './live-sessions';
export { callFromEditor, DEFAULT_EDITOR_CALL_TIMEOUT_MS, EDITOR_METHODS, EditorCallTimeout, type EditorCallAnswer } from './editor-call';

/**
 * Makes `endpoint`'s activity list and session list, and attaches them: from now on it hears
 * every message of the endpoint's protocol layer and every session that opens or closes. Call it
 * once per endpoint, before clients connect.
 */
export function watchEndpoint(endpoint: McpEndpoint, options: ActivityOptions = {}): ActivityLog {
  const log = new ActivityLog(options);
  endpoint.protocol.observer = log;
  endpoint.sessionOpened.add((event) => log.sessions.opened(event));
  endpoint.sessionClosed.add((event) => log.sessions.closed(event));
  endpoint.tasks.onChange((record) => log.taskChanged(record));
  return log;
}

/** Counts of an endpoint, for the admin API's endpoint list. */
export interface EndpointCounts {
  /** Open sessions (both transports), on this instance. */
  sessions: number;
  /** Open 2026-07-28 `subscriptions/listen` streams, on this instance. */
  listenStreams: number;
  /** Several instances (Redis): this instance's id. */
  instance?: string;
}

/** {@link EndpointCounts} of `endpoint`. */
export function endpointCounts(endpoint: McpEndpoint): EndpointCounts {
  const counts: EndpointCounts = { sessions: endpoint.sessionCount, listenStreams: endpoint.listenStreamCount };
  if (endpoint.cluster !== undefined) counts.instance = endpoint.cluster.instanceId;
  return counts;
}

/** The open sessions of `endpoint` that `log` knows, as the admin API lists them. */
export function sessionList(endpoint: McpEndpoint, log: ActivityLog): SessionSummary[] {
  return log.sessions.list((id) => endpoint.protocol.clientRequests.count(id), endpoint.cluster?.instanceId);
}
