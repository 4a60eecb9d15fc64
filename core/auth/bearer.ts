/**
 * Reading the access token of a request: from `Authorization: Bearer <token>` only (RFC 6750
 * section 2.1). MCP 2025-06-18 onwards "Authorization > Access Token Usage": tokens MUST NOT be
 * taken from the query string, so a request that carries one there is refused, whatever else it
 * carries.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage } from 'node:http';
import { AuthError } from './challenge';

/** RFC 6750 section 2.1 `b64token`, after `Bearer` and spaces, with optional spaces after. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** True when the URL's query string has an `access_token` parameter. */
function tokenInQuery(url: string): boolean {
  const q = url.indexOf('?');
  if (q === -1) return false;
  return new URLSearchParams(url.slice(q + 1)).has('access_token');
}

/**
 * The bearer token of a request.
 * @throws AuthError 401 `invalid_request` when the query string carries `access_token` or the
 *   `Authorization` header is not `Bearer <token>`; 401 with no error code when there is no
 *   `Authorization` header or it uses another scheme (RFC 6750 section 3.1: a request without
 *   bearer credentials gets the bare challenge).
 */
export function readBearerToken(req: IncomingMessage): string {
  if (tokenInQuery(req.url ?? '')) {
    throw new AuthError(401, 'invalid_request', 'Access tokens are not accepted in the query string: send "Authorization: Bearer <token>"');
  }
  const header = req.headers.authorization;
  if (header === undefined || header === '') {
    throw new AuthError(401, undefined, 'Missing Authorization header: this MCP endpoint needs an OAuth access token, "Authorization: Bearer <token>"');
  }
  const match = BEARER.exec(header);
  if (match !== null) return match[1];
  if (/^Bearer(\s|$)/i.test(header)) {
    throw new AuthError(401, 'invalid_request', 'Malformed Authorization header: expected "Bearer <token>"');
  }
  throw new AuthError(401, undefined, 'This MCP endpoint takes only OAuth bearer tokens: "Authorization: Bearer <token>"');
}
