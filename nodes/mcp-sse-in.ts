/**
 * `mcp-sse-in`: serves the endpoint's SSE path (GET, default `/sse`). Each GET opens a session's
 * `text/event-stream`, whose first event is `endpoint` with the message URL
 * (MCP 2024-11-05 "Transports > HTTP with SSE"). Sends a msg when a session of its endpoint opens
 * and when it closes, on either transport (a Streamable HTTP session opens with its `initialize`
 * POST); its status shows the number of open sessions, and how many were evicted to make room for
 * new ones (see `EndpointSessions.makeRoom`) once any was. With the endpoint in OAuth 2.1 mode it also
 * serves the SSE path's Protected Resource Metadata (RFC 9728), and `msg.mcp.auth` carries the
 * session's caller.
 */
import type { Node, NodeAPI } from 'node-red';
import type { SessionEvent } from '../core';
import { msgAuth } from './lib/msg-context';
import { serveEndpointRoutes } from './lib/serve-endpoint';
import { endpointRoutes } from './lib/route-table';
import type { InNodeDef, McpMsgContext, SessionEventPayload } from './lib/types';

export = function register(RED: NodeAPI): void {
  function McpSseInNode(this: Node, def: InNodeDef): void {
    RED.nodes.createNode(this, def);
    const endpointNode = serveEndpointRoutes(RED, this, def.endpoint, (cfg) => endpointRoutes(cfg, 'mcp-sse-in'));
    if (endpointNode === undefined) return;
    const endpoint = endpointNode.endpoint;

    let statusPending = false;
    let shownCluster = '';
    const showStatus = (): void => {
      statusPending = false;
      const n = endpoint.sessionCount;
      const cluster = endpoint.cluster;
      const evicted = endpoint.sessionsEvicted;
      const evictedText = evicted > 0 ? RED._('mcp-sse-in.status.evicted', { count: evicted }) : '';
      if (cluster !== undefined) {
        // Several instances: this instance's sessions and every instance's, or that Redis is lost.
        const text = (cluster.up
          ? RED._('mcp-sse-in.status.cluster', { count: n, total: cluster.total })
          : RED._('mcp-sse-in.status.redisDown', { count: n })) + evictedText;
        // The heartbeat re-counts every few seconds: the editor hears only of a change.
        const status = { fill: cluster.up ? (n > 0 ? 'green' : 'grey') : 'yellow', shape: cluster.up && n > 0 ? 'dot' : 'ring', text } as const;
        const key = `${status.fill}|${status.shape}|${text}`;
        if (key !== shownCluster) this.status(status);
        shownCluster = key;
        return;
      }
      const text = (n === 1 ? RED._('mcp-sse-in.status.oneSession') : RED._('mcp-sse-in.status.sessions', { count: n })) + evictedText;
      this.status({ fill: n > 0 ? 'green' : 'red', shape: n > 0 ? 'dot' : 'ring', text });
    };
    // Many sessions opening at once update the status once.
    const scheduleStatus = (): void => {
      if (statusPending) return;
      statusPending = true;
      setImmediate(showStatus);
    };

    const emit = (event: 'open' | 'close') => ({ session, headers, reason, auth }: SessionEvent): void => {
      const mcp: McpMsgContext = { sessionId: session.id, endpoint: endpoint.id, transport: session.transport };
      if (auth !== undefined) mcp.auth = msgAuth(auth);
      const payload: SessionEventPayload = { event, sessionId: session.id, transport: session.transport, headers: { ...headers }, sessions: endpoint.sessionCount };
      if (endpoint.cluster?.up === true) payload.clusterSessions = endpoint.cluster.total;
      if (reason !== undefined) payload.reason = reason;
      this.send({ topic: event, payload, mcp } as never);
      scheduleStatus();
    };
    const removeOpen = endpoint.sessionOpened.add(emit('open'));
    const removeClose = endpoint.sessionClosed.add(emit('close'));
    const removeCluster = endpoint.cluster?.changed.add(scheduleStatus);
    showStatus();

    this.on('close', (_removed: boolean, done: () => void) => {
      removeOpen();
      removeClose();
      removeCluster?.();
      done();
    });
  }
  RED.nodes.registerType('mcp-sse-in', McpSseInNode);
};
