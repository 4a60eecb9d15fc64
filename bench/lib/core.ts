/**
 * The package's transport core, as the benchmark uses it. Every bench file that needs the core
 * imports it from here, so that moving the core's sources changes one file.
 */
export { SseEndpoint, DEFAULT_MAX_SESSIONS, type SseEndpointOptions } from '../../src/core/sse-endpoint';
export { SessionRegistry } from '../../src/core/registry';
export type { JsonRpcMessage } from '../../src/core/jsonrpc';
