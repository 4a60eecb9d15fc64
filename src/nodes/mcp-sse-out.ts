/**
 * `mcp-sse-out`: sends the flow's JSON-RPC response, notification or server-initiated request to
 * the msg's session as an SSE `event: message` (MCP 2024-11-05 "Transports > HTTP with SSE").
 * A msg whose payload is only `{ result }` or `{ error }` answers the request it came from: the id
 * comes from `msg.mcp.requestId`. A msg for a session that has gone fails with a node error a
 * Catch node receives.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { toOutboundMessage } from '../core/jsonrpc';
import { sessionRegistry } from './lib/registry-context';
import type { McpMsgContext, OutNodeDef } from './lib/types';

export = function register(RED: NodeAPI): void {
  function McpSseOutNode(this: Node, def: OutNodeDef): void {
    RED.nodes.createNode(this, def);
    const registry = sessionRegistry(RED, this);

    this.on('input', (msg: NodeMessageInFlow & { mcp?: Partial<McpMsgContext> }, _send: unknown, done: (error?: Error) => void) => {
      const sessionId = msg.mcp?.sessionId;
      if (typeof sessionId !== 'string' || sessionId === '') {
        done(new Error(RED._('mcp-sse-out.errors.noSessionId')));
        return;
      }
      const session = registry.get(sessionId);
      if (session === undefined || session.closed) {
        done(new Error(RED._('mcp-sse-out.errors.sessionGone', { sessionId })));
        return;
      }
      try {
        session.send(toOutboundMessage(msg.payload, msg.mcp?.requestId));
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
    });
  }
  RED.nodes.registerType('mcp-sse-out', McpSseOutNode);
};
