/**
 * An MCP endpoint as an OAuth 2.1 resource server (MCP 2025-06-18 onwards "Authorization"): it
 * publishes Protected Resource Metadata (RFC 9728) for each path that opens sessions, accepts
 * access tokens of the authorization servers it names (JWTs checked against their keys, opaque
 * tokens by introspection), bound to this resource (RFC 8707 `aud`), with the scopes it
 * requires, and answers everything else with the spec's 401/403/503.
 *
 * The authorization server is the user's own (Keycloak, Auth0, Entra ID, ...): nothing here
 * issues tokens.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonRpcMessage, MessageKind } from '../jsonrpc';
import type { TransportKind } from '../session';
import { sendJsonRpcError, sendMethodNotAllowed, TransportErrorCode } from '../http';
import { readBearerToken } from './bearer';
import { AuthError, IssuerUnavailableError, sendAuthError } from './challenge';
import { audienceMatches, authInfoOf, missingScopes, timeProblem, withoutTrailingSlash, type AuthInfo } from './claims';
import { IssuerMetadataCache } from './issuer-metadata';
import { JwtValidator, looksLikeJwt } from './jwt';
import { TokenIntrospector, type IntrospectionClient } from './introspection';
import { metadataDocument, metadataPathFor, requestOrigin, sendMetadata, type ProtectedPath } from './protected-resource';
import type { ToolScopes } from './tool-scopes';

/** Default allowed clock skew for `exp` and `nbf`, in seconds. */
export const DEFAULT_CLOCK_SKEW_S = 60;

/** Settings of an endpoint's OAuth 2.1 mode. */
export interface OAuthOptions {
  /** Issuer URLs of the authorization servers whose tokens are accepted (the first is asked for introspection). */
  issuers: string[];
  /**
   * The resource identifier published in the metadata and expected in `aud`. Default: the URL
   * the client connected to (scheme and host of the request, the path that opens sessions).
   */
  resource?: string;
  /** More `aud` values accepted besides the resource (Entra ID's `api://...`, Auth0's API identifier). */
  audiences?: string[];
  /** Scopes every request needs; missing ones get 403 `insufficient_scope`. */
  requiredScopes?: string[];
  /** Allowed clock skew for `exp` and `nbf`, in seconds. Default {@link DEFAULT_CLOCK_SKEW_S}. */
  clockSkewS?: number;
  /** The client the endpoint introspects opaque tokens as; without it only JWTs are accepted. */
  introspection?: IntrospectionClient;
  /** Accepted JWS algorithms; `none` and `HS*` are never accepted. Default: the RSA, ECDSA and EdDSA ones. */
  algorithms?: string[];
  /** The paths that open sessions, with where their metadata is served. */
  paths: ProtectedPath[];
  /** How long one request to the authorization server may take, in ms. Default 5000. */
  timeoutMs?: number;
  /** After a JWKS fetch, how long an unknown `kid` does not fetch it again, in ms. Default 30000. */
  jwksCooldownMs?: number;
  /**
   * Why these settings cannot be used (found when they were read, e.g. a tool scope list with a
   * syntax error): every request and the metadata then get 503 with this sentence. Fails closed.
   */
  unavailable?: string;
}

/** A URL setting: absolute `http:` or `https:`, no fragment. */
function checkUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`The ${what} ${JSON.stringify(value.slice(0, 200))} is not an absolute URL`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash !== '') {
    throw new TypeError(`The ${what} ${JSON.stringify(value.slice(0, 200))} must be an http(s) URL without a fragment`);
  }
  return value;
}

/**
 * Checks OAuth settings before an endpoint is made with them.
 * @throws TypeError for an issuer or a resource that is not an absolute http(s) URL without a fragment.
 */
export function checkOAuthOptions(options: OAuthOptions): void {
  for (const issuer of options.issuers) checkUrl(issuer, 'issuer URL');
  if (options.resource !== undefined && options.resource !== '') checkUrl(options.resource, 'resource');
}

/** One endpoint's resource server. */
export class OAuthResourceServer {
  private readonly issuers: string[];
  private readonly resource: string | undefined;
  private readonly required: string[];
  private readonly skewS: number;
  private readonly jwt: JwtValidator;
  private readonly introspector: TokenIntrospector | undefined;
  /** Why no request can be served (503), or `undefined`. */
  private readonly unavailable: string | undefined;

  /**
   * @param toolScopes the endpoint's per-tool scopes, read on every `tools/call` and metadata request.
   * @param onWarning told of configuration problems found at run time (refused introspection credentials).
   * @throws TypeError for an issuer or resource that is not an http(s) URL.
   */
  constructor(private readonly options: OAuthOptions, private readonly toolScopes: ToolScopes, onWarning?: (text: string) => void) {
    if (options.unavailable === undefined) checkOAuthOptions(options);
    this.issuers = options.unavailable === undefined ? [...options.issuers] : [];
    this.resource = options.resource === undefined || options.resource === '' || options.unavailable !== undefined ? undefined : options.resource;
    this.unavailable = options.unavailable ?? (this.issuers.length === 0 ? 'OAuth 2.1 is on, but this endpoint names no authorization server (issuer URL)' : undefined);
    this.required = [...(options.requiredScopes ?? [])];
    this.skewS = options.clockSkewS ?? DEFAULT_CLOCK_SKEW_S;
    const metadata = new IssuerMetadataCache({ timeoutMs: options.timeoutMs });
    this.jwt = new JwtValidator({ issuers: this.issuers, algorithms: options.algorithms, clockSkewS: this.skewS, timeoutMs: options.timeoutMs, jwksCooldownMs: options.jwksCooldownMs }, metadata);
    this.introspector = options.introspection === undefined || this.issuers.length === 0 ? undefined
      : new TokenIntrospector({ issuer: this.issuers[0], client: options.introspection, timeoutMs: options.timeoutMs, onWarning }, metadata);
  }

  /** Every scope a client may need here: the required ones, then every tool's (`scopes_supported`). */
  scopesSupported(): string[] {
    return [...new Set([...this.required, ...this.toolScopes.all()])];
  }

  /** The resource identifier for a client of `transport`: the configured one, or the URL it connected to. */
  resourceFor(req: IncomingMessage, transport: TransportKind): string {
    return this.resource ?? `${requestOrigin(req)}${this.pathOf(transport)?.path ?? '/'}`;
  }

  /** The absolute URL of the metadata document for clients of `transport` (the challenge's `resource_metadata`). */
  metadataUrl(req: IncomingMessage, transport: TransportKind): string {
    return `${requestOrigin(req)}${this.pathOf(transport)?.metadataPath ?? metadataPathFor('/')}`;
  }

  /**
   * Checks the request's access token.
   * @returns the caller.
   * @throws AuthError: 401 no token, a token in the query string, a malformed header, or a token
   *   that is not valid here (see {@link JwtValidator.validate}; inactive on introspection; an
   *   `aud` that is not this resource); 403 `insufficient_scope` when it lacks a required scope;
   *   503 ({@link IssuerUnavailableError}) when no issuer is configured, the settings are
   *   `unavailable`, or the issuer cannot be asked.
   */
  async authenticate(req: IncomingMessage): Promise<AuthInfo> {
    if (this.unavailable !== undefined) throw new IssuerUnavailableError(this.unavailable);
    const token = readBearerToken(req);
    let claims: Record<string, unknown>;
    let issuer: string;
    if (looksLikeJwt(token)) {
      ({ claims, issuer } = await this.jwt.validate(token));
    } else if (this.introspector !== undefined) {
      claims = await this.introspector.introspect(token);
      issuer = this.issuers[0];
      const problem = typeof claims.iss === 'string' && withoutTrailingSlash(claims.iss) !== withoutTrailingSlash(issuer)
        ? 'The access token was issued by another authorization server (iss)'
        : claims.token_type === 'refresh_token' ? 'A refresh token is not an access token' : timeProblem(claims, this.skewS, false);
      if (problem !== undefined) throw new AuthError(401, 'invalid_token', problem);
    } else {
      throw new AuthError(401, 'invalid_token', 'The access token is not a JWT, and this endpoint has no introspection client to check opaque tokens');
    }
    if (!audienceMatches(claims.aud, this.acceptedAudiences(req))) {
      throw new AuthError(401, 'invalid_token', 'The access token is for another resource (aud): get one for this MCP server (RFC 8707 resource)');
    }
    const info = authInfoOf(claims, issuer);
    const missing = missingScopes(this.required, info.scopes);
    if (missing.length > 0) {
      throw new AuthError(403, 'insufficient_scope', `The access token lacks the scope ${missing.join(' ')} this MCP server requires`, this.challengeScopes(info, this.required));
    }
    return info;
  }

  /**
   * The per-tool scope check of one POST: every `tools/call` request must carry the scopes of its
   * tool ({@link ToolScopes}).
   * @returns the 403 `insufficient_scope` to answer (naming every scope the POST needs), or
   *   `undefined` when the POST may go on.
   */
  checkToolCalls(auth: AuthInfo, messages: ReadonlyArray<{ kind: MessageKind; message: JsonRpcMessage }>): AuthError | undefined {
    const needed = new Set<string>();
    const tools: string[] = [];
    for (const { kind, message } of messages) {
      if (kind !== 'request' || !('method' in message) || message.method !== 'tools/call') continue;
      const name = message.params?.name;
      if (typeof name !== 'string') continue;
      const missing = missingScopes(this.toolScopes.required(name), auth.scopes);
      if (missing.length === 0) continue;
      tools.push(JSON.stringify(name.slice(0, 100)));
      for (const scope of this.toolScopes.required(name)) needed.add(scope);
    }
    if (tools.length === 0) return undefined;
    return new AuthError(403, 'insufficient_scope', `Calling the tool ${tools.join(', ')} needs the scope ${[...needed].join(' ')}`,
      this.challengeScopes(auth, [...this.required, ...needed]));
  }

  /** Answers a refused request (see {@link sendAuthError}); a 401 names `scopes_supported`. */
  refuse(req: IncomingMessage, res: ServerResponse, transport: TransportKind, error: AuthError): void {
    sendAuthError(res, error, this.metadataUrl(req, transport), this.scopesSupported());
  }

  /**
   * Serves the metadata document for clients of `transport` (GET or HEAD; other methods 405; 503
   * while no issuer is configured or the settings are `unavailable`). Needs no token.
   */
  serveMetadata(req: IncomingMessage, res: ServerResponse, transport: TransportKind): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendMethodNotAllowed(res, req.method, ['GET', 'HEAD']);
      return;
    }
    if (this.unavailable !== undefined) {
      sendJsonRpcError(res, 503, TransportErrorCode.BadRequest, this.unavailable);
      return;
    }
    sendMetadata(req, res, metadataDocument(this.resourceFor(req, transport), this.issuers, this.scopesSupported()));
  }

  /** `aud` values accepted: the configured resource (or the URL of each path, on the request's origin) and the extra audiences. */
  private acceptedAudiences(req: IncomingMessage): string[] {
    const own = this.resource !== undefined ? [this.resource] : this.options.paths.map(({ path }) => `${requestOrigin(req)}${path}`);
    return [...own, ...(this.options.audiences ?? [])];
  }

  /** The scopes of a 403: those granted that this server knows of, then those `needed` (MCP 2025-11-25 "Scope Challenge Handling", recommended approach). */
  private challengeScopes(auth: AuthInfo, needed: readonly string[]): string[] {
    const known = new Set(this.scopesSupported());
    return [...new Set([...auth.scopes.filter((scope) => known.has(scope)), ...needed])];
  }

  private pathOf(transport: TransportKind): ProtectedPath | undefined {
    return this.options.paths.find((p) => p.transport === transport);
  }
}
