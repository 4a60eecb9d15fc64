/**
 * Several instances serving one endpoint through Redis. Loaded by the endpoint only when it is
 * given a cluster (`EndpointOptions.cluster`): a single instance never loads this or the client.
 */
export { Cluster } from './cluster';
export { joinCluster } from './join';
export type { ClusterOptions } from './options';
