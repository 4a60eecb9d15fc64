/**
 * `mcp-message-in`: serves the endpoint's message path (POST, default `/message`). Answers
 * `202 Accepted` to every valid JSON-RPC message for an open session and sends it into the flow,
 * one msg per message (MCP 2024-11-05 "Transports > HTTP with SSE"); bad requests are answered
 * with a precise status and a JSON-RPC error body, and nothing reaches the flow.
 */
import type { Node, NodeAPI } from 'node-red';
import type { InboundMessage } from '../core/sse-endpoint';
import { serveEndpointRoute } from './lib/serve-endpoint';
import type { InNodeDef, McpMsgContext } from './lib/types';

export = function register(RED: NodeAPI): void {
  function McpMessageInNode(this: Node, def: InNodeDef): void {
    RED.nodes.createNode(this, def);
    const endpointNode = serveEndpointRoute(RED, this, def.endpoint, 'post', (cfg) => (req, res) => cfg.endpoint.handlePostMessage(req, res));
    if (endpointNode === undefined) return;
    const endpoint = endpointNode.endpoint;

    const removeListener = endpoint.messageReceived.add(({ session, kind, message }: InboundMessage) => {
      const mcp: McpMsgContext = { sessionId: session.id, endpoint: endpoint.id, kind };
      if ('id' in message && message.id !== null) mcp.requestId = message.id;
      if ('method' in message) mcp.method = message.method;
      this.send({ topic: mcp.method, payload: message, mcp } as never);
    });
    this.status({});

    this.on('close', (_removed: boolean, done: () => void) => {
      removeListener();
      done();
    });
  }
  RED.nodes.registerType('mcp-message-in', McpMessageInNode);
};
