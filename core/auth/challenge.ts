/**
 * How a protected MCP endpoint refuses a request (MCP 2025-06-18 onwards "Authorization > Error
 * Handling"): 401 with a `WWW-Authenticate: Bearer` challenge that points to the endpoint's
 * Protected Resource Metadata (RFC 9728 section 5.1) on any token problem, 403
 * `insufficient_scope` with the scopes needed (RFC 6750 section 3.1), and 503 with
 * `Retry-After` when the authorization server cannot be asked. Each with a JSON-RPC error body
 * saying what was wrong, never echoing the token.
 *
 * Never imports Node-RED.
 */
import type { ServerResponse } from 'node:http';
import { sendJsonRpcError, sendRetryLater, TransportErrorCode } from '../http';

/** RFC 6750 section 3.1 error codes. */
type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/**
 * Why a request was refused by the OAuth checks. `status` 401 (no token, or a token that is not
 * valid here), 403 (`insufficient_scope`) or 503 (the authorization server could not be asked).
 */
export class AuthError extends Error {
  /**
   * @param status the HTTP status to answer.
   * @param code the RFC 6750 error code; none when the request carried no token at all.
   * @param message what was wrong, for the client and the log; never contains the token.
   * @param scope for 403: the scopes the request needs (the challenge's `scope`).
   */
  constructor(readonly status: 401 | 403 | 503, readonly code: BearerErrorCode | undefined, message: string, readonly scope: readonly string[] = []) {
    super(message);
    this.name = 'AuthError';
  }
}

/** The authorization server could not be asked (discovery, JWKS or introspection): 503. */
export class IssuerUnavailableError extends AuthError {
  constructor(message: string) {
    super(503, undefined, message);
    this.name = 'IssuerUnavailableError';
  }
}

/** A quoted-string for an auth-param (RFC 9110 section 5.6.4): `"` and `\` escaped, control characters dropped. */
function quoted(value: string): string {
  return `"${value.replace(/[\x00-\x1f\x7f]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The `WWW-Authenticate` value of a refusal: `Bearer resource_metadata="<url>"`, then
 * `scope="..."` when there are scopes to name, then `error` and `error_description` when the
 * request carried a token (or a malformed attempt at one).
 * @param resourceMetadataUrl the absolute URL of the Protected Resource Metadata (a relative one is ignored by clients).
 * @param scope the scopes to name: those the endpoint asks for (401), or those the request needs (403).
 */
export function bearerChallenge(resourceMetadataUrl: string, scope: readonly string[], code?: BearerErrorCode, description?: string): string {
  const params = [`resource_metadata=${quoted(resourceMetadataUrl)}`];
  if (scope.length > 0) params.push(`scope=${quoted(scope.join(' '))}`);
  if (code !== undefined) params.push(`error=${quoted(code)}`);
  if (code !== undefined && description !== undefined) params.push(`error_description=${quoted(description.slice(0, 200))}`);
  return `Bearer ${params.join(', ')}`;
}

/**
 * Answers a refused request: 401/403 with the challenge (`scope` of a 401 is `challengeScope`, of
 * a 403 the error's own), 503 with `Retry-After`. The body is a JSON-RPC error with the reason.
 * Never sets `Mcp-Session-Id`: a client must not keep a session id from a refusal.
 */
export function sendAuthError(res: ServerResponse, error: AuthError, resourceMetadataUrl: string, challengeScope: readonly string[]): void {
  if (error.status === 503) {
    sendRetryLater(res, error.message);
    return;
  }
  const scope = error.status === 403 ? error.scope : challengeScope;
  sendJsonRpcError(res, error.status, TransportErrorCode.BadRequest, error.message, null, {
    'WWW-Authenticate': bearerChallenge(resourceMetadataUrl, scope, error.code, error.code === undefined ? undefined : error.message),
  });
}
