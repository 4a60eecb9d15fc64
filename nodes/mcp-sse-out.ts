/**
 * `mcp-sse-out`: sends the flow's JSON-RPC response, notification or server-initiated request to
 * the msg's session as an SSE `event: message` (MCP 2024-11-05 "Transports > HTTP with SSE"), or
 * broadcasts a notification to every session of an endpoint.
 *
 * A msg whose payload is only `{ result }` or `{ error }` answers the request it came from: the id
 * comes from `msg.mcp.requestId`. A msg answering a request a declaration node (`mcp sse tool`,
 * `resource`, `prompt`) handed to the flow is shaped by the endpoint (any payload; a Catch node's
 * `msg.error` makes it an error). Progress and log notifications about that request get its
 * progress token and are dropped, with a node warning, when the protocol forbids sending them.
 * A server-initiated request (any method not under `notifications/`) waits for the client's
 * answer, which leaves on the node's output with the original msg's properties (see
 * {@link answerMsg}). A msg for a session that has gone fails with a node error a Catch node
 * receives.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { DEFAULT_REQUEST_TIMEOUT_MS, ProtocolError, SessionClosedError, SessionNotFoundError, type McpEndpoint, type PendingOutcome, type RequestId } from '../core';
import { sessionRegistry } from './lib/registry-context';
import type { EndpointNode, McpMsgContext, OutNodeDef } from './lib/types';

type InMsg = NodeMessageInFlow & { mcp?: Partial<McpMsgContext>; error?: unknown };

/** A Catch node's `msg.error` as text, or `undefined` when the msg carries none. */
function failureOf(msg: InMsg): string | undefined {
  const error = msg.error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return undefined;
}

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

/**
 * A flow's answer to `initialize` (`{ result }`, or a whole JSON-RPC response) with the endpoint's
 * `serverInfo` (its Server setting, else its name) put in when the result has none, so that a
 * hand-written flow names the server as the endpoint names it to 2026-07-28 clients (in every
 * result's `_meta`, `server/discover`'s too), where no `initialize` is sent.
 * @returns the payload to send, and the name the flow gave itself, if it gave one.
 */
function withServerInfo(payload: unknown, serverInfo: { name: string; version: string }): { payload: unknown; named?: unknown } {
  if (typeof payload !== 'object' || payload === null) return { payload };
  const result = (payload as { result?: unknown }).result;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return { payload };
  const own = (result as { serverInfo?: { name?: unknown } }).serverInfo;
  if (own !== undefined) return { payload, named: own?.name };
  return { payload: { ...payload, result: { ...result, serverInfo: { ...serverInfo } } } };
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
    const usedEndpoints = new Set<McpEndpoint>();
    /** Endpoints this node has warned about a flow's `initialize` naming the server otherwise (once each). */
    const namedOtherwise = new Set<McpEndpoint>();
    let closed = false;

    /** `payload`, and when it answers `initialize`, with the endpoint's `serverInfo` (see {@link withServerInfo}). */
    const answerOf = (msg: InMsg, endpoint: McpEndpoint): unknown => {
      if (msg.mcp?.method !== 'initialize' || msg.mcp.requestId === undefined) return msg.payload;
      const serverInfo = endpoint.features.serverInfo;
      const { payload, named } = withServerInfo(msg.payload, serverInfo);
      if (named !== undefined && named !== serverInfo.name && !namedOtherwise.has(endpoint)) {
        namedOtherwise.add(endpoint);
        this.warn(RED._('mcp-sse-out.warnings.serverName', { flow: String(named), endpoint: serverInfo.name }));
      }
      return payload;
    };

    const endpointOf = (id: unknown): McpEndpoint | undefined => {
      if (typeof id !== 'string' || id === '') return undefined;
      const endpointNode = RED.nodes.getNode(id) as EndpointNode | null;
      return endpointNode?.endpoint;
    };

    /** The core's refusals, in the node's words, as errors a Catch node receives. */
    const nodeError = (error: unknown): Error => {
      if (error instanceof ProtocolError) return new Error(RED._('mcp-sse-out.errors.notificationsOnly'));
      if (error instanceof SessionNotFoundError || error instanceof SessionClosedError) {
        return new Error(RED._('mcp-sse-out.errors.sessionGone', { sessionId: error.sessionId }));
      }
      return error as Error;
    };

    this.on('input', (msg: InMsg, send: (msg: InMsg) => void, done: (error?: Error) => void) => {
      try {
        if (target === 'endpoint') {
          const endpoint = endpointOf(def.endpoint) ?? endpointOf(msg.mcp?.endpoint);
          if (endpoint === undefined) {
            done(new Error(RED._('mcp-sse-out.errors.noEndpoint')));
            return;
          }
          const n = endpoint.broadcast(msg.payload);
          this.status({ fill: 'green', shape: 'dot', text: RED._('mcp-sse-out.status.sentTo', { count: n }) });
          done();
          return;
        }
        // A 2026-07-28 request has no session: its exchange (the POST being answered) stands in.
        const sessionId = msg.mcp?.sessionId ?? msg.mcp?.exchangeId;
        if (typeof sessionId !== 'string' || sessionId === '') {
          done(new Error(RED._('mcp-sse-out.errors.noSessionId')));
          return;
        }
        // msg.mcp.endpoint names the session's endpoint; a msg that lost it finds it by the session.
        const endpoint = endpointOf(msg.mcp?.endpoint) ?? endpointOf(registry.get(sessionId)?.endpointId);
        if (endpoint === undefined) throw new SessionNotFoundError(sessionId);
        usedEndpoints.add(endpoint);
        if (typeof msg.mcp?.taskStatus === 'string') {
          // A task's status update, not an answer: the task's status message changes, nothing is sent.
          if (!endpoint.setTaskStatus(sessionId, msg.mcp.taskStatus)) this.warn(RED._('mcp-sse-out.errors.noTask'));
          // Used up: the msg ends here, but a flow may keep this very object (flow context keeps it
          // by reference) to answer the call with later; that answer must not read as a status again.
          delete msg.mcp.taskStatus;
          done();
          return;
        }
        const result = endpoint.send(sessionId, answerOf(msg, endpoint), {
          requestId: msg.mcp?.requestId,
          failure: failureOf(msg),
          state: msg.mcp?.state,
          // Several instances: a session held by another instance hears of a failure later.
          onRelayFailure: (failure) => {
            if (closed) return;
            if (typeof failure === 'string') this.warn(failure);
            else this.error(nodeError(failure), msg);
          },
          request: {
            timeoutMs,
            owner: this,
            settle: (outcome, request) => {
              if (!closed) send(answerMsg(msg, outcome, request));
            },
          },
        });
        if (!result.sent && result.filtered !== true) this.warn(result.reason);
        done();
      } catch (error) {
        done(nodeError(error));
      }
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      for (const endpoint of usedEndpoints) endpoint.forgetRequests(this);
      usedEndpoints.clear();
      namedOtherwise.clear();
      done();
    });
  }
  RED.nodes.registerType('mcp-sse-out', McpSseOutNode);
};
