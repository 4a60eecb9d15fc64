/**
 * `mcp-sse-in`: serves the endpoint's SSE path (GET, default `/sse`). Each GET opens a session's
 * `text/event-stream`, whose first event is `endpoint` with the message URL
 * (MCP 2024-11-05 "Transports > HTTP with SSE"). Sends a msg when a session of its endpoint opens
 * and when it closes, on either transport (a Streamable HTTP session opens with its `initialize`
 * POST); its status shows the number of open sessions. With the endpoint in OAuth 2.1 mode it also
 * serves the SSE path's Protected Resource Metadata (RFC 9728), and `msg.mcp.auth` carries the
 * session's caller.
 */
import type { Node, NodeAPI } from 'node-red';
import { metadataPathFor, type SessionEvent } from '../core';
import { msgAuth } from './lib/msg-auth';
import { serveEndpointRoutes, type EndpointRoute } from './lib/serve-endpoint';
import type { InNodeDef, McpMsgContext, SessionEventPayload } from './lib/types';

export = function register(RED: NodeAPI): void {
  function McpSseInNode(this: Node, def: InNodeDef): void {
    RED.nodes.createNode(this, def);
    const endpointNode = serveEndpointRoutes(RED, this, def.endpoint, (cfg) => {
      if (!cfg.sseEnabled) return [];
      const routes: EndpointRoute[] = [{ method: 'get', path: cfg.ssePath, handler: (req, res) => cfg.endpoint.sse.handleGet(req, res) }];
      const oauth = cfg.endpoint.access.oauth;
      if (oauth !== undefined) routes.push({ method: 'get', path: metadataPathFor(cfg.ssePath), handler: (req, res) => oauth.serveMetadata(req, res, 'sse') });
      return routes;
    });
    if (endpointNode === undefined) return;
    const endpoint = endpointNode.endpoint;

    let statusPending = false;
    const showStatus = (): void => {
      statusPending = false;
      const n = endpoint.sessionCount;
      const text = n === 1 ? RED._('mcp-sse-in.status.oneSession') : RED._('mcp-sse-in.status.sessions', { count: n });
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
      if (reason !== undefined) payload.reason = reason;
      this.send({ topic: event, payload, mcp } as never);
      scheduleStatus();
    };
    const removeOpen = endpoint.sessionOpened.add(emit('open'));
    const removeClose = endpoint.sessionClosed.add(emit('close'));
    showStatus();

    this.on('close', (_removed: boolean, done: () => void) => {
      removeOpen();
      removeClose();
      done();
    });
  }
  RED.nodes.registerType('mcp-sse-in', McpSseInNode);
};
