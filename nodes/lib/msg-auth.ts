/**
 * `msg.mcp.auth` from the core's caller: the fields a flow may use to act per user, as plain data
 * (it survives Node-RED's deep copy of a msg). Never the token.
 */
import type { AuthInfo } from '../../core';
import type { McpAuth } from './types';

/** The caller as `msg.mcp.auth`, or `undefined` when the endpoint is not in OAuth mode. */
export function msgAuth(auth: AuthInfo | undefined): McpAuth | undefined {
  if (auth === undefined) return undefined;
  return { subject: auth.subject, clientId: auth.clientId, scopes: [...auth.scopes], claims: { ...auth.claims }, expiresAt: auth.expiresAt };
}
