/**
 * JWT access tokens (RFC 9068), checked with `jose` against the signing keys of the issuer that
 * the token names, when that issuer is one this endpoint trusts (OAuth 2.1 section 5.2; MCP
 * 2025-06-18 onwards "Authorization > Token Handling"): signature against the issuer's JWKS
 * (found through its metadata, cached, fetched again when a token names an unknown `kid`), `iss`,
 * `exp`/`nbf` with the allowed clock skew, and an algorithm allow-list, so `alg: none` and HMAC
 * keyed with a public key are never accepted. The audience is checked by the caller.
 *
 * Never imports Node-RED.
 */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError, IssuerUnavailableError } from './challenge';
import { withoutTrailingSlash } from './claims';
import type { IssuerMetadataCache } from './issuer-metadata';

/** The asymmetric JWS algorithms accepted unless told otherwise: never `none`, never HS*. */
const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Settings of {@link JwtValidator}. */
interface JwtValidatorOptions {
  /** The issuers whose tokens are accepted, as configured. */
  issuers: readonly string[];
  /** Accepted `alg` values; `none` and `HS*` are removed whatever is given. Default {@link DEFAULT_ALGORITHMS}. */
  algorithms?: readonly string[];
  /** Allowed clock skew for `exp` and `nbf`, in seconds. */
  clockSkewS: number;
  /** How long one JWKS request may take, in ms. Default 5000. */
  timeoutMs?: number;
  /** After a JWKS fetch, how long an unknown `kid` does not fetch it again, in ms. Default 30000. */
  jwksCooldownMs?: number;
}

/** Cheap to tell apart from an opaque token: three base64url parts, the first a JSON object with `alg`. */
export function looksLikeJwt(token: string): boolean {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return false;
  try {
    return typeof decodeProtectedHeader(token).alg === 'string';
  } catch {
    return false;
  }
}

/** Validates JWT access tokens of trusted issuers. */
export class JwtValidator {
  private readonly algorithms: string[];
  private readonly keySets = new Map<string, { jwksUri: string; keys: JWTVerifyGetKey }>();

  constructor(private readonly options: JwtValidatorOptions, private readonly metadata: IssuerMetadataCache) {
    this.algorithms = (options.algorithms ?? DEFAULT_ALGORITHMS).filter((alg) => alg !== 'none' && !/^HS/i.test(alg));
    if (this.algorithms.length === 0) throw new TypeError('No JWS algorithm left to accept: none and HS* are never accepted');
  }

  /**
   * Verifies `token` and returns its claims and issuer (as the issuer's metadata writes it).
   * @throws AuthError 401 `invalid_token`: not a JWT, an algorithm not allowed, an issuer not
   *   trusted, a key id the issuer does not publish, a bad signature, expired, not valid yet, no
   *   `exp`. IssuerUnavailableError (503): the issuer's metadata or keys could not be fetched.
   */
  async validate(token: string): Promise<{ claims: JWTPayload; issuer: string }> {
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch {
      throw invalid('The access token is not a well-formed JWT');
    }
    if (typeof alg !== 'string' || !this.algorithms.includes(alg)) {
      throw invalid(`The access token's algorithm ${JSON.stringify(String(alg).slice(0, 20))} is not accepted (allowed: ${this.algorithms.join(', ')})`);
    }
    const configured = typeof iss === 'string'
      ? this.options.issuers.find((issuer) => withoutTrailingSlash(issuer) === withoutTrailingSlash(iss as string))
      : undefined;
    if (configured === undefined) throw invalid('The access token was issued by an authorization server this endpoint does not trust (iss)');
    const metadata = await this.metadata.get(configured);
    if (metadata.jwks_uri === undefined) throw new IssuerUnavailableError(`The authorization server ${configured} publishes no jwks_uri: its JWT access tokens cannot be checked`);
    const keys = this.keysOf(metadata.issuer, metadata.jwks_uri);
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: metadata.issuer,
        algorithms: this.algorithms,
        clockTolerance: this.options.clockSkewS,
        requiredClaims: ['exp'],
      });
      return { claims: payload, issuer: metadata.issuer };
    } catch (error) {
      throw describe(error, configured);
    }
  }

  /** The key set of an issuer, made once per `jwks_uri`; key fetch failures become 503s. */
  private keysOf(issuer: string, jwksUri: string): JWTVerifyGetKey {
    const known = this.keySets.get(issuer);
    if (known !== undefined && known.jwksUri === jwksUri) return known.keys;
    const remote = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: this.options.timeoutMs ?? 5000,
      cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
    });
    const keys: JWTVerifyGetKey = async (header, input) => {
      try {
        return await remote(header, input);
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported) throw error;
        throw new IssuerUnavailableError(`The signing keys of ${issuer} could not be fetched from its jwks_uri`);
      }
    };
    this.keySets.set(issuer, { jwksUri, keys });
    return keys;
  }
}

function invalid(message: string): AuthError {
  return new AuthError(401, 'invalid_token', message);
}

/** A jose failure as what the client is told. */
function describe(error: unknown, issuer: string): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) return invalid('The access token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return invalid('The access token is not valid yet (nbf)');
    if (error.claim === 'iss') return invalid(`The access token's issuer does not match ${issuer}`);
    if (error.claim === 'exp') return invalid('The access token has no valid expiry (exp)');
    return invalid(`The access token's ${error.claim} claim is not valid`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return invalid(`The access token is signed with a key (kid) that ${issuer} does not publish`);
  if (error instanceof errors.JWKSMultipleMatchingKeys) return invalid('The access token does not say which signing key (kid) it was signed with');
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('The access token\'s signature is not valid');
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('The access token\'s algorithm is not accepted');
  return invalid('The access token is not a valid JWT');
}
