/**
 * What a validated access token says about its caller, read the same way from a JWT's claims
 * (RFC 9068 "JWT Profile for OAuth 2.0 Access Tokens") and from an introspection response (RFC
 * 7662 section 2.2), plus the checks both need: audience (RFC 8707 resource indicators), scopes
 * and validity times.
 *
 * Never imports Node-RED.
 */

/** The caller of an MCP request, as its validated access token describes it. Never the token itself. */
export interface AuthInfo {
  /** `sub`: the user (or, for a client credentials token, usually the client). */
  subject: string | undefined;
  /** `client_id` (RFC 9068), else `azp` (Keycloak, Entra ID v2), `appid` (Entra ID v1) or `cid` (Okta). */
  clientId: string | undefined;
  /** The granted scopes: `scope` (space-separated), else `scp` (Entra ID, Okta: a string or a list). */
  scopes: string[];
  /** Every claim of the token (or field of the introspection response). */
  claims: Record<string, unknown>;
  /** When the token expires, in epoch ms (from `exp`), or `undefined` when it does not say. */
  expiresAt: number | undefined;
  /** The issuer that vouched for the token. */
  issuer: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Splits a list setting or claim (spaces, commas or new lines) into its non-empty entries. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}

/** The scopes a token grants: `scope` (RFC 9068, RFC 7662), else `scp` as a string or a list. */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const scope = claims.scope ?? claims.scp;
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string' && s !== '');
  return typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];
}

/** The {@link AuthInfo} of validated claims. */
export function authInfoOf(claims: Record<string, unknown>, issuer: string): AuthInfo {
  const exp = claims.exp;
  return {
    subject: text(claims.sub),
    clientId: text(claims.client_id) ?? text(claims.azp) ?? text(claims.appid) ?? text(claims.cid),
    scopes: scopesOf(claims),
    claims,
    expiresAt: typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined,
    issuer,
  };
}

/** A URL or other identifier without one trailing slash: `https://a.example/mcp/` and `https://a.example/mcp` compare equal. */
export function withoutTrailingSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}

/**
 * True when the token's `aud` (a string or a list) names one of `accepted` exactly, one
 * trailing slash tolerated on either side (RFC 8707 section 2; RFC 7519 section 4.1.3: the
 * recipient must identify itself with one of the values). An absent `aud` never matches.
 */
export function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  const given = Array.isArray(aud) ? aud : [aud];
  const wanted = new Set(accepted.map(withoutTrailingSlash));
  return given.some((entry) => typeof entry === 'string' && entry !== '' && wanted.has(withoutTrailingSlash(entry)));
}

/**
 * The entries of `required` that `granted` lacks, in order. A required scope written as a URI
 * (`api://node-red-mcp/mcp.tools`, how a client must ask Entra ID for it) is also satisfied by its
 * last segment (`mcp.tools`, how Entra ID writes it in `scp`): the token's audience, checked
 * before, says whose scope it is.
 */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted);
  return required.filter((scope) => !have.has(scope) && !(scope.includes('://') && have.has(scope.slice(scope.lastIndexOf('/') + 1))));
}

/**
 * Checks `exp` and `nbf` (numbers of epoch seconds) against the clock, allowing `skewS` seconds
 * either way.
 * @param requireExp refuse claims without `exp` (a JWT access token must have one, RFC 9068
 *   section 2.2; an introspection answer may leave it out, RFC 7662 section 2.2).
 * @returns why the token is not valid now, or `undefined` when it is.
 */
export function timeProblem(claims: Record<string, unknown>, skewS: number, requireExp: boolean, nowS = Date.now() / 1000): string | undefined {
  const { exp, nbf } = claims;
  if (typeof exp === 'number') {
    if (exp + skewS <= nowS) return 'The access token has expired';
  } else if (exp !== undefined || requireExp) {
    return 'The access token has no valid expiry (exp)';
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - skewS > nowS)) return 'The access token is not valid yet (nbf)';
  return undefined;
}
