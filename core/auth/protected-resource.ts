/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), as MCP 2025-06-18 onwards requires of a
 * server ("Authorization > Authorization Server Location"): where the document of each path is,
 * which resource identifier it names, and the document itself.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TransportKind } from '../session';

/** RFC 9728 section 3: the well-known prefix, inserted before the resource's path. */
const WELL_KNOWN_PROTECTED_RESOURCE = '/.well-known/oauth-protected-resource';

/** The path of the metadata document of `path` (`/mcp` gives `/.well-known/oauth-protected-resource/mcp`). */
export function metadataPathFor(path: string): string {
  return `${WELL_KNOWN_PROTECTED_RESOURCE}${path === '/' ? '' : path}`;
}

/** A path that opens sessions, as clients request it, and where its metadata document is served. */
export interface ProtectedPath {
  transport: TransportKind;
  /** The public path (with any mount prefix such as Node-RED's `httpNodeRoot`), e.g. `/mcp`. */
  path: string;
  /** The public path of its metadata document, e.g. `/.well-known/oauth-protected-resource/mcp`. */
  metadataPath: string;
}

/**
 * The `scheme://host[:port]` a client used to reach this server: `X-Forwarded-Proto` (`http` or
 * `https`, as a TLS-terminating proxy sets it) or the connection's own scheme, and the `Host`
 * header (which the endpoint's `Host` check has accepted).
 */
export function requestOrigin(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim().toLowerCase();
  const encrypted = Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted);
  const scheme = first === 'https' || first === 'http' ? first : encrypted ? 'https' : 'http';
  return `${scheme}://${req.headers.host ?? 'localhost'}`;
}

/** The fields of a Protected Resource Metadata document this package publishes (RFC 9728 section 2). */
interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: ['header'];
}

/** The document: `scopes_supported` only when there are scopes; bearer tokens in the header only. */
export function metadataDocument(resource: string, authorizationServers: readonly string[], scopes: readonly string[]): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [...authorizationServers],
    ...(scopes.length > 0 ? { scopes_supported: [...scopes] } : {}),
    bearer_methods_supported: ['header'],
  };
}

/**
 * Sends a metadata document: 200 `application/json`, readable from any origin (browser-based
 * clients such as the Inspector fetch it cross-origin), revalidated on every use (it follows the
 * endpoint's settings, which a deploy changes). Answers `HEAD`
 * without the body.
 */
export function sendMetadata(req: IncomingMessage, res: ServerResponse, document: ProtectedResourceMetadata): void {
  const body = JSON.stringify(document);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
    'Access-Control-Allow-Origin': '*',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
