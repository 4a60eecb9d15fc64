/**
 * What the declaration nodes (`mcp sse tool`, `mcp sse resource`, `mcp sse prompt`) share: declare
 * on their endpoint for as long as they run, turn a request the endpoint hands them into a msg,
 * and show calls and the last error in their status.
 */
import type { Node, NodeAPI } from 'node-red';
import { DeclarationError, type Declaration, type FlowOutcome, type FlowRequest, type McpEndpoint } from '../../core';
import { mcpContext } from './msg-context';
import type { EndpointNode, McpMsgContext } from './types';

/** Message keys shared by the declaration nodes live in the tool node's catalogue. */
const NS = 'node-red-contrib-mcp-sse/mcp-sse-tool:mcp-sse-tool';

/** The longest error text shown in a status. */
const STATUS_ERROR_CHARS = 32;

/**
 * The msg a request becomes: `payload` what the flow works on, `msg.mcp` where the answer goes,
 * and (OAuth 2.1) `msg.mcp.auth` the caller of the POST that carried the request.
 */
export function requestMsg(endpoint: McpEndpoint, request: FlowRequest, extra: Partial<McpMsgContext>): { topic: string; payload: unknown; mcp: McpMsgContext } {
  const { session } = request;
  const mcp: McpMsgContext = mcpContext(endpoint, session, { kind: 'request', requestId: request.requestId, method: request.method, ...extra });
  return { topic: request.name, payload: request.payload, mcp };
}

/**
 * Counts a declaration's requests and shows them: `1 call`, `3 calls` (green dot), or the last
 * error after it (red ring) until a request succeeds again.
 */
export function callStatus(RED: NodeAPI, node: Node): { onRequest(): void; onOutcome(outcome: FlowOutcome): void } {
  let calls = 0;
  let lastError: string | undefined;
  const show = (): void => {
    const count = calls === 1 ? RED._(`${NS}.status.oneCall`) : RED._(`${NS}.status.calls`, { count: calls });
    if (lastError === undefined) {
      node.status({ fill: 'green', shape: 'dot', text: count });
    } else {
      const short = lastError.length > STATUS_ERROR_CHARS ? `${lastError.slice(0, STATUS_ERROR_CHARS - 1)}…` : lastError;
      node.status({ fill: 'red', shape: 'ring', text: `${count}; ${short}` });
    }
  };
  return {
    onRequest: () => {
      calls++;
      show();
    },
    onOutcome: (outcome) => {
      // An invalid call never reached onRequest: it counts here.
      if (outcome.rejected === true) calls++;
      lastError = outcome.isError ? outcome.message ?? RED._(`${NS}.status.error`) : undefined;
      show();
    },
  };
}

/**
 * Declares `declaration` on the node's endpoint until the node closes. Reports a missing endpoint
 * or a declaration the endpoint refuses (a duplicate name, an invalid schema) as a node error and
 * a red status.
 * @returns the endpoint, or `undefined` when nothing was declared.
 */
export function declareOnEndpoint(RED: NodeAPI, node: Node, endpointId: string, declaration: Declaration): McpEndpoint | undefined {
  const endpointNode = RED.nodes.getNode(endpointId) as EndpointNode | null;
  if (endpointNode === null || endpointNode.endpoint === undefined) {
    node.error(RED._('node-red-contrib-mcp-sse/mcp-sse-endpoint:mcp-sse-endpoint.errors.noEndpoint'));
    node.status({ fill: 'red', shape: 'ring', text: 'node-red-contrib-mcp-sse/mcp-sse-endpoint:mcp-sse-endpoint.status.noEndpoint' });
    return undefined;
  }
  let undeclare: () => void;
  try {
    undeclare = endpointNode.endpoint.features.declare(declaration);
  } catch (error) {
    if (!(error instanceof DeclarationError)) throw error;
    refuse(node, error);
    return undefined;
  }
  node.on('close', (_removed: boolean, done: () => void) => {
    undeclare();
    done();
  });
  return endpointNode.endpoint;
}

/** Reports a declaration that cannot be served: a node error with its message, and a red status naming its kind. */
export function refuse(node: Node, error: DeclarationError): void {
  node.error(error.message);
  node.status({ fill: 'red', shape: 'ring', text: `${NS}.status.${error.code}` });
}

/** JSON text typed in a dialog as an object; blank gives `fallback`. @throws Error naming the field when it is not JSON. */
export function parseJsonField(RED: NodeAPI, text: string | undefined, field: string, fallback: unknown): unknown {
  if (text === undefined || text.trim() === '') return fallback;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(RED._(`${NS}.errors.json`, { field, message: (error as Error).message }));
  }
}
