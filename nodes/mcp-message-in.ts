/**
 * `mcp-message-in`: serves the routes that take the client's messages: the endpoint's HTTP+SSE
 * message path (POST, default `/message`; MCP 2024-11-05 "Transports > HTTP with SSE") and its
 * Streamable HTTP path (POST, GET and DELETE, default `/mcp`; 2025-03-26 onwards "Transports >
 * Streamable HTTP"). Sends every valid JSON-RPC message of an open session into the flow, one msg
 * per message, the same msg whichever transport it came on (`msg.mcp.transport` says which); bad
 * requests are answered with a precise status and a JSON-RPC error body, and nothing reaches the
 * flow. With the endpoint in OAuth 2.1 mode it also serves the Streamable path's Protected
 * Resource Metadata (RFC 9728), and `msg.mcp.auth` carries the caller.
 */
import type { Node, NodeAPI } from 'node-red';
import type { InboundMessage } from '../core';
import { serveEndpointRoutes } from './lib/serve-endpoint';
import { endpointRoutes } from './lib/route-table';
import { mcpContext, msgAuth } from './lib/msg-context';
import type { InNodeDef, McpMsgContext } from './lib/types';

export = function register(RED: NodeAPI): void {
  function McpMessageInNode(this: Node, def: InNodeDef): void {
    RED.nodes.createNode(this, def);
    const endpointNode = serveEndpointRoutes(RED, this, def.endpoint, (cfg) => endpointRoutes(cfg, 'mcp-message-in'));
    if (endpointNode === undefined) return;
    const endpoint = endpointNode.endpoint;

    const removeListener = endpoint.messageReceived.add(({ session, kind, message, auth }: InboundMessage) => {
      const extra: Partial<McpMsgContext> = { kind };
      // The caller of the POST that carried this message (OAuth 2.1).
      if (auth !== undefined) extra.auth = msgAuth(auth);
      if ('id' in message && message.id !== null) extra.requestId = message.id;
      if ('method' in message) extra.method = message.method;
      const mcp = mcpContext(endpoint, session, extra);
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
