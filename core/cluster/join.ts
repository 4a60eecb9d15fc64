/**
 * How an endpoint joins the instances that serve it through Redis: the {@link ClusterHost} built
 * from the endpoint's transports, sessions and sends, the registry told the cluster-wide session
 * count, and the link started. Loaded, like the rest of this folder, only when an endpoint is
 * given a cluster.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PushResult, SendContext } from '../protocol';
import { SessionNotFoundError } from '../session';
import type { QueueLimits } from '../sse';
import { Cluster } from './cluster';
import type { ClusterOptions } from './options';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a clustered endpoint offers (`McpEndpoint` is one). */
interface ClusteredEndpoint {
  readonly id: string;
  /** Largest POST body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Bounds of each stream's push queue: `bytes` bounds what a relayed stream buffers too. */
  readonly queueLimits: QueueLimits;
  /** Open sessions of the endpoint on this instance. */
  readonly sessionCount: number;
  /** Where the cluster-wide session count goes (`undefined`: this instance's count stands). */
  readonly registry: { setClusterCount(endpointId: string, count: number | undefined): void };
  /** HTTP+SSE: the handler of the SSE path (GET). */
  handleSseGet: Handler;
  /** HTTP+SSE: the handler of the message path (POST). */
  handleSsePost: Handler;
  /** Streamable HTTP: the handler of its path. */
  handleStreamableHttp: Handler;
  /** Sends to a session (of this instance, or relayed to its owner). */
  send(sessionId: string, payload: unknown, context: SendContext): PushResult;
  /** Broadcasts to this instance's sessions only. @returns how many it reached. */
  broadcastHere(payload: unknown): number;
  /** `notifications/resources/updated` for `uri` to this instance's subscribers only. @returns how many it reached. */
  resourceUpdatedHere(uri: string): number;
}

/**
 * Starts this instance's part of the cluster for `endpoint`: relayed requests are served by the
 * endpoint's transports, and the registry hears the cluster-wide count while Redis is reachable.
 */
export function joinCluster(endpoint: ClusteredEndpoint, options: ClusterOptions): Cluster {
  const cluster = new Cluster({
    id: endpoint.id,
    maxBodyBytes: endpoint.maxBodyBytes,
    maxBufferedBytes: endpoint.queueLimits.bytes,
    localCount: () => endpoint.sessionCount,
    serve: (route, req, res) => {
      if (route === 'sse-get') endpoint.handleSseGet(req, res);
      else if (route === 'sse-post') endpoint.handleSsePost(req, res);
      else endpoint.handleStreamableHttp(req, res);
    },
    sendLocal: (sessionId, payload, context) => endpoint.send(sessionId, payload, context),
    broadcastLocal: (payload) => endpoint.broadcastHere(payload),
    resourceUpdatedLocal: (uri) => endpoint.resourceUpdatedHere(uri),
    notFound: (sessionId) => new SessionNotFoundError(sessionId),
  }, options);
  cluster.changed.add(() => endpoint.registry.setClusterCount(endpoint.id, cluster.up ? cluster.total : undefined));
  cluster.start();
  return cluster;
}
