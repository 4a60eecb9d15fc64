/**
 * Authorization server metadata, found the way MCP clients find it (MCP 2025-11-25
 * "Authorization > Authorization Server Metadata Discovery"): RFC 8414 `oauth-authorization-server`
 * and OpenID Connect Discovery `openid-configuration`, with path insertion and appending, in the
 * spec's order. Cached per issuer; a failure is remembered for a few seconds, so an unreachable
 * server is asked once per interval, not once per request.
 *
 * Never imports Node-RED.
 */
import { IssuerUnavailableError } from './challenge';
import { withoutTrailingSlash } from './claims';

/** The parts of an authorization server's metadata (RFC 8414 section 2) a resource server uses. */
interface AuthorizationServerMetadata {
  /** The issuer, exactly as the server writes it (and as its tokens' `iss` must read). */
  issuer: string;
  /** Where its signing keys are (JWKS). */
  jwks_uri?: string;
  /** RFC 7662 token introspection. */
  introspection_endpoint?: string;
  [field: string]: unknown;
}

/** Settings of {@link IssuerMetadataCache}. */
interface IssuerMetadataOptions {
  /** How long one metadata request may take, in ms. Default 5000. */
  timeoutMs?: number;
  /** How long metadata is kept, in ms. Default one hour. */
  ttlMs?: number;
  /** How long a failure is remembered before the server is asked again, in ms. Default 5000. */
  retryAfterMs?: number;
}

/**
 * The metadata URLs to try for an issuer, in order: for `https://a.example/t1`,
 * `/.well-known/oauth-authorization-server/t1`, `/.well-known/openid-configuration/t1`, then
 * `/t1/.well-known/openid-configuration`; for `https://a.example`, the first two without a path.
 */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = withoutTrailingSlash(url.pathname);
  const origin = url.origin;
  if (path === '') return [`${origin}/.well-known/oauth-authorization-server`, `${origin}/.well-known/openid-configuration`];
  return [
    `${origin}/.well-known/oauth-authorization-server${path}`,
    `${origin}/.well-known/openid-configuration${path}`,
    `${origin}${path}/.well-known/openid-configuration`,
  ];
}

interface Entry {
  /** The metadata, or the failure, once known. */
  settled?: { metadata?: AuthorizationServerMetadata; error?: IssuerUnavailableError; until: number };
  pending?: Promise<AuthorizationServerMetadata>;
}

/** Authorization server metadata by issuer, fetched once and kept. */
export class IssuerMetadataCache {
  private readonly entries = new Map<string, Entry>();
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly retryAfterMs: number;

  constructor(options: IssuerMetadataOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.retryAfterMs = options.retryAfterMs ?? 5000;
  }

  /**
   * The metadata of `issuer`, from the cache when it is fresh. Concurrent callers share one fetch.
   * @throws IssuerUnavailableError (503) when no discovery URL answers with metadata for this
   *   issuer: unreachable, a timeout, a 5xx, no document at any URL, or a document whose
   *   `issuer` is not this one (RFC 8414 section 3.3). Remembered for `retryAfterMs`.
   */
  async get(issuer: string): Promise<AuthorizationServerMetadata> {
    const entry = this.entries.get(issuer) ?? {};
    this.entries.set(issuer, entry);
    const now = Date.now();
    if (entry.settled !== undefined && entry.settled.until > now) {
      if (entry.settled.error !== undefined) throw entry.settled.error;
      return entry.settled.metadata as AuthorizationServerMetadata;
    }
    entry.pending ??= this.discover(issuer).then(
      (metadata) => {
        entry.settled = { metadata, until: Date.now() + this.ttlMs };
        entry.pending = undefined;
        return metadata;
      },
      (error: unknown) => {
        const failure = error instanceof IssuerUnavailableError ? error : new IssuerUnavailableError(`The authorization server ${issuer} could not be asked`);
        entry.settled = { error: failure, until: Date.now() + this.retryAfterMs };
        entry.pending = undefined;
        throw failure;
      });
    return entry.pending;
  }

  private async discover(issuer: string): Promise<AuthorizationServerMetadata> {
    for (const url of discoveryUrls(issuer)) {
      let answer: Response;
      try {
        answer = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch {
        throw new IssuerUnavailableError(`The authorization server ${issuer} is unreachable: its metadata could not be fetched`);
      }
      if (answer.status >= 500) {
        await answer.body?.cancel();
        throw new IssuerUnavailableError(`The authorization server ${issuer} answered its metadata request with ${answer.status}`);
      }
      if (!answer.ok) {
        await answer.body?.cancel();
        continue;
      }
      let document: unknown;
      try {
        document = await answer.json();
      } catch {
        continue;
      }
      const found = document as Partial<AuthorizationServerMetadata> | null;
      if (typeof found !== 'object' || found === null || typeof found.issuer !== 'string') continue;
      if (withoutTrailingSlash(found.issuer) !== withoutTrailingSlash(issuer)) {
        throw new IssuerUnavailableError(`The metadata at ${url} is for issuer ${JSON.stringify(found.issuer.slice(0, 200))}, not ${issuer}: check the endpoint's issuer URL`);
      }
      return found as AuthorizationServerMetadata;
    }
    throw new IssuerUnavailableError(`No authorization server metadata found for ${issuer} (tried RFC 8414 and OpenID discovery): check the endpoint's issuer URL`);
  }
}
