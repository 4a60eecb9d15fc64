/**
 * Opaque access tokens, checked by asking the authorization server (RFC 7662 "OAuth 2.0 Token
 * Introspection"): the endpoint authenticates as a client (`client_secret_basic`, RFC 6749
 * section 2.3.1) at the issuer's `introspection_endpoint`. An active answer is kept (by the
 * token's SHA-256, never the token) for up to a minute, never past the token's `exp`.
 *
 * Never imports Node-RED.
 */
import { createHash } from 'node:crypto';
import { AuthError, IssuerUnavailableError } from './challenge';
import type { IssuerMetadataCache } from './issuer-metadata';

/** The client the endpoint introspects as. */
export interface IntrospectionClient {
  clientId: string;
  clientSecret: string;
}

/** Settings of {@link TokenIntrospector}. */
interface IntrospectionOptions {
  /** The issuer whose introspection endpoint is asked. */
  issuer: string;
  client: IntrospectionClient;
  /** How long one introspection request may take, in ms. Default 5000. */
  timeoutMs?: number;
  /** How long an active answer is reused, in ms. Default 60000. */
  cacheMs?: number;
  /** Most answers kept. Default 1000. */
  cacheSize?: number;
  /** Told when the server refuses the endpoint's own credentials (a configuration error). */
  onWarning?: (text: string) => void;
}

/** RFC 6749 appendix B: client credentials are form-urlencoded before they are base64-encoded. */
function basicAuth({ clientId, clientSecret }: IntrospectionClient): string {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** Asks one issuer about opaque tokens. */
export class TokenIntrospector {
  private readonly cache = new Map<string, { claims: Record<string, unknown>; until: number }>();

  constructor(private readonly options: IntrospectionOptions, private readonly metadata: IssuerMetadataCache) {}

  /**
   * The introspection answer for an active token: its fields (`active`, `scope`, `client_id`,
   * `sub`, `aud`, `exp`, `iss`, ...), to be checked by the caller like a JWT's claims.
   * @throws AuthError 401 `invalid_token` when the server says the token is not active (unknown,
   *   expired, revoked). IssuerUnavailableError (503) when it cannot be asked, has no
   *   introspection endpoint, refuses the endpoint's client credentials, or answers nonsense.
   */
  async introspect(token: string): Promise<Record<string, unknown>> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.until > now) return cached.claims;
    this.cache.delete(key);
    const { issuer } = this.options;
    const metadata = await this.metadata.get(issuer);
    const url = metadata.introspection_endpoint;
    if (typeof url !== 'string') throw new IssuerUnavailableError(`The authorization server ${issuer} publishes no introspection_endpoint: opaque access tokens cannot be checked`);
    let answer: Response;
    try {
      answer = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', Authorization: basicAuth(this.options.client) },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch {
      throw new IssuerUnavailableError(`The introspection endpoint of ${issuer} is unreachable`);
    }
    if (answer.status === 401 || answer.status === 403) {
      await answer.body?.cancel();
      this.options.onWarning?.(`The authorization server ${issuer} refused this endpoint's introspection client (${answer.status}): check the introspection client id and secret`);
      throw new IssuerUnavailableError('The authorization server refused this endpoint\'s introspection credentials');
    }
    let claims: unknown;
    try {
      claims = answer.ok ? await answer.json() : undefined;
    } catch {
      claims = undefined;
    }
    if (typeof claims !== 'object' || claims === null || typeof (claims as { active?: unknown }).active !== 'boolean') {
      throw new IssuerUnavailableError(`The introspection endpoint of ${issuer} answered ${answer.status} without an introspection response`);
    }
    const fields = claims as Record<string, unknown>;
    if (fields.active !== true) throw new AuthError(401, 'invalid_token', 'The access token is not active: unknown, expired or revoked');
    this.remember(key, fields, now);
    return fields;
  }

  private remember(key: string, claims: Record<string, unknown>, now: number): void {
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Infinity;
    const until = Math.min(now + (this.options.cacheMs ?? 60_000), exp);
    if (until <= now) return;
    if (this.cache.size >= (this.options.cacheSize ?? 1000)) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { claims, until });
  }
}
