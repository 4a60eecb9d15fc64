/**
 * `msg.mcp` from what the core tells of a client: where a msg came from and where its answer goes,
 * and `msg.mcp.auth`, the fields a flow may use to act per user. Plain data, so it survives
 * Node-RED's deep copy of a msg; never the token.
 */
import type { AuthInfo, McpEndpoint, ReplyDestination } from '../../core';
import type { McpAuth, McpMsgContext } from './types';

/** The caller as `msg.mcp.auth`, or `undefined` when the endpoint is not in OAuth mode. */
export function msgAuth(auth: AuthInfo | undefined): McpAuth | undefined {
  if (auth === undefined) return undefined;
  return { subject: auth.subject, clientId: auth.clientId, scopes: [...auth.scopes], claims: { ...auth.claims }, expiresAt: auth.expiresAt };
}

/**
 * `msg.mcp` of a client message: the session's id (or, for a 2026-07-28 request, the exchange's
 * id, client info and carried state), endpoint, transport and protocol version, the client's
 * capabilities, the caller (OAuth 2.1: `auth`, from the latest access token of the session or
 * exchange), the task's id when the request runs as an MCP task (`taskId`), plus `extra`. See `McpEndpoint.clientContext`.
 */
export function mcpContext(endpoint: McpEndpoint, to: ReplyDestination, extra: Partial<McpMsgContext>): McpMsgContext {
  const client = endpoint.clientContext(to, extra.requestId);
  const mcp: McpMsgContext = client.kind === 'session'
    ? { sessionId: client.id, endpoint: endpoint.id, transport: client.transport }
    : { exchangeId: client.id, endpoint: endpoint.id, transport: client.transport };
  if (client.protocolVersion !== undefined) mcp.protocolVersion = client.protocolVersion;
  const auth = msgAuth(client.auth);
  if (auth !== undefined) mcp.auth = auth;
  if (client.clientCapabilities !== undefined) mcp.clientCapabilities = client.clientCapabilities;
  if (client.clientInfo !== undefined) mcp.clientInfo = client.clientInfo;
  if (client.state !== undefined) mcp.state = client.state;
  if (client.taskId !== undefined) mcp.taskId = client.taskId;
  return Object.assign(mcp, extra);
}
