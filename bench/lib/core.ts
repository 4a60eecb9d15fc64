/**
 * The package's core, as the benchmark uses it. Every bench file that needs the core imports it
 * from here, so that moving the core's sources changes one file.
 */
export { McpEndpoint, DEFAULT_MAX_SESSIONS, SessionRegistry, type EndpointOptions, type ReplyDestination } from '../../core';
export type { JsonRpcMessage } from '../../core/jsonrpc';
export { ActivityLog, DEFAULT_ACTIVITY_ENTRIES, MAX_RECORDED_BYTES } from '../../core/workbench';
