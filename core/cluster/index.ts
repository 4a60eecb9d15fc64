/**
 * Several instances serving one endpoint through Redis. Loaded by the endpoint only when it is
 * given a cluster (`EndpointOptions.cluster`): a single instance never loads this or the client.
 */
export { Cluster, type ClusterChange, type ClusterHost } from './cluster';
export { joinCluster, type ClusteredEndpoint } from './join';
export { DEFAULT_KEY_PREFIX, DEFAULT_OWNERSHIP_TTL_MS, DEFAULT_RELAY_TIMEOUT_MS, RELAY_RETRY_AFTER_S, defaultInstanceId, type ClusterOptions } from './options';
export type { RelayRoute } from './wire';
