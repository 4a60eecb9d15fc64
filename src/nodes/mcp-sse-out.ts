/**
 * `mcp-sse-out`: sends the flow's JSON-RPC response, notification or server-initiated request to
 * the msg's session as an SSE `event: message` (MCP 2024-11-05 "Transports > HTTP with SSE"), or
 * broadcasts a notification to every session of an endpoint.
 *
 * A msg whose payload is only `{ result }` or `{ error }` answers the request it came from: the id
 * comes from `msg.mcp.requestId`. Progress and log notifications about that request get its
 * progress token and are dropped, with a node warning, when the protocol forbids sending them.
 * A server-initiated request (any method not under `notifications/`) waits for the client's
 * answer, which leaves on the node's output with the original msg's properties (see
 * {@link answerMsg}). A msg for a session that has gone fails with a node error a Catch node
 * receives.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { toOutboundMessage, type RequestId } from '../core/jsonrpc';
import type { SseEndpoint } from '../core/sse-endpoint';
import { pushToSession } from '../core/server-push';
import { DEFAULT_REQUEST_TIMEOUT_MS, type PendingOutcome } from '../core/pending-requests';
import { sessionRegistry } from './lib/registry-context';
import type { EndpointNode, McpMsgContext, OutNodeDef } from './lib/types';

type InMsg = NodeMessageInFlow & { mcp?: Partial<McpMsgContext> };

/**
 * The msg sent on the output when a server-initiated request ends: the msg that sent the request,
 * with `payload` = the client's `result`, or `{ error: { code, message, data? } }` when the client
 * answered with a JSON-RPC error, the wait timed out or the session closed; and `mcp.request` =
 * `{ id, method, outcome }`, outcome being `result`, `error`, `timeout` or `session-closed`.
 */
function answerMsg(msg: InMsg, outcome: PendingOutcome, request: { id: RequestId; method: string }): InMsg {
  const payload = outcome.status === 'result' ? outcome.result : { error: outcome.error };
  return { ...msg, payload, mcp: { ...msg.mcp, request: { id: request.id, method: request.method, outcome: outcome.status } } } as InMsg;
}

/** A number setting, or `fallback` when blank or not a non-negative number. */
function seconds(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : Number.parseFloat(String(value ?? ''));
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export = function register(RED: NodeAPI): void {
  function McpSseOutNode(this: Node, def: OutNodeDef): void {
    RED.nodes.createNode(this, def);
    const registry = sessionRegistry(RED, this);
    const target = def.target === 'endpoint' ? 'endpoint' : 'session';
    const timeoutMs = seconds(def.timeout, DEFAULT_REQUEST_TIMEOUT_MS / 1000) * 1000;
    /** Endpoints this node has requests waiting on, so that a redeploy can forget them. */
    const usedEndpoints = new Set<SseEndpoint>();
    let closed = false;

    const endpointOf = (id: unknown): SseEndpoint | undefined => {
      if (typeof id !== 'string' || id === '') return undefined;
      const node = RED.nodes.getNode(id) as EndpointNode | null;
      return node?.endpoint;
    };

    const broadcast = (msg: InMsg, done: (error?: Error) => void): void => {
      const endpoint = endpointOf(def.endpoint) ?? endpointOf(msg.mcp?.endpoint);
      if (endpoint === undefined) {
        done(new Error('No MCP endpoint to broadcast to: choose one in the node, or keep msg.mcp.endpoint from an mcp node'));
        return;
      }
      const message = toOutboundMessage(msg.payload, undefined);
      if (!('method' in message) || 'id' in message || !message.method.startsWith('notifications/')) {
        done(new Error('A broadcast sends notifications only: msg.payload must be { method: "notifications/...", params } without an id'));
        return;
      }
      const n = endpoint.broadcast(message);
      this.status({ fill: 'green', shape: 'dot', text: `sent to ${n}` });
      done();
    };

    this.on('input', (msg: InMsg, send: (msg: InMsg) => void, done: (error?: Error) => void) => {
      if (target === 'endpoint') {
        try {
          broadcast(msg, done);
        } catch (error) {
          done(error as Error);
        }
        return;
      }
      const sessionId = msg.mcp?.sessionId;
      if (typeof sessionId !== 'string' || sessionId === '') {
        done(new Error('msg.mcp.sessionId is missing: keep msg.mcp from the mcp message in node, or set it to a session id'));
        return;
      }
      const session = registry.get(sessionId);
      if (session === undefined || session.closed) {
        done(new Error(`MCP session ${sessionId} is closed or unknown: the client has disconnected`));
        return;
      }
      const endpoint = endpointOf(session.endpointId);
      try {
        if (endpoint === undefined) {
          session.send(toOutboundMessage(msg.payload, msg.mcp?.requestId));
        } else {
          usedEndpoints.add(endpoint);
          const result = pushToSession(endpoint, session, msg.payload, msg.mcp?.requestId, {
            timeoutMs,
            owner: this,
            settle: (outcome, request) => {
              if (!closed) send(answerMsg(msg, outcome, request));
            },
          });
          if (!result.sent) this.warn(result.reason);
        }
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      for (const endpoint of usedEndpoints) endpoint.pending.forget(this);
      usedEndpoints.clear();
      done();
    });
  }
  RED.nodes.registerType('mcp-sse-out', McpSseOutNode);
};
