/**
 * A real OAuth 2.1 / OpenID authorization server for the tests: panva's `oidc-provider` on
 * 127.0.0.1, with dynamic client registration, PKCE (required), RFC 8707 resource indicators (JWT
 * access tokens bound to the requested resource), client credentials, introspection and refresh
 * tokens. Logging in is headless: the server's own `/interaction/:uid` handler logs the user in
 * as {@link TEST_USER} and approves every consent, and {@link followAuthorization}
 * follows the redirects with a cookie jar the way a browser would, up to the client's
 * `redirect_uri?code=...`.
 *
 * It also mints tokens the server never issued (expired, for another audience, `alg: none`, ...)
 * with its own signing key, for the hostile-token tables.
 */
import { createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

/** The account every headless login signs in as: the `sub` of user tokens. */
export const TEST_USER = 'alice@example.test';

/** A client the server knows from the start. */
export interface StaticClient {
  clientId: string;
  clientSecret: string;
}

export interface AuthorizationServerOptions {
  /** The scopes every resource may be granted (resource servers' `scope`). Default `mcp:tools`. */
  resourceScopes?: string;
  /** Format of the access tokens issued to `clientId` for a resource: default `jwt`. */
  tokenFormat?: (clientId: string) => 'jwt' | 'opaque';
  /** Access token lifetime, in seconds. Default 300. */
  accessTokenTtlS?: number;
}

export interface TestAuthorizationServer {
  /** The issuer URL, e.g. `http://127.0.0.1:4567`. */
  issuer: string;
  /** A `client_credentials` client (its tokens carry `sub` = its client id). */
  machine: StaticClient;
  /** A client that may call the introspection endpoint. */
  introspector: StaticClient;
  /** The signing key's id (`kid`) as published in the JWKS. */
  kid: string;
  /** Signs a JWT with the server's own key (RS256, its `kid`), unless told otherwise (`alg` must fit `key`). */
  sign(claims: Record<string, unknown>, header?: { kid?: string; key?: KeyObject; alg?: string }): Promise<string>;
  /** A token the server itself issues to the machine client for `resource` (client credentials). */
  clientCredentialsToken(resource: string, scope?: string): Promise<string>;
  /** A token signed with HS256 whose secret is the server's public key (the key-confusion attack). */
  hs256WithPublicKey(claims: Record<string, unknown>): string;
  /** An unsigned token (`alg: none`). */
  unsigned(claims: Record<string, unknown>): string;
  close(): Promise<void>;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

let rsaKeys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
/** One RSA key pair per test process: making one takes seconds on a small machine. */
function signingKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  rsaKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return rsaKeys;
}

/**
 * Starts the authorization server on 127.0.0.1 and a free port.
 */
export async function startAuthorizationServer(options: AuthorizationServerOptions = {}): Promise<TestAuthorizationServer> {
  const resourceScopes = options.resourceScopes ?? 'mcp:tools';
  const { privateKey, publicKey } = signingKeys();
  const kid = `test-key-${randomUUID().slice(0, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } as JWK;
  const machine = { clientId: 'machine-client', clientSecret: `machine-secret-${randomUUID()}` };
  const introspector = { clientId: 'node-red-introspector', clientSecret: `introspector-secret-${randomUUID()}` };

  let provider: Provider | undefined;
  const server = http.createServer((req, res) => {
    const interaction = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
    if (interaction !== null && provider !== undefined) {
      void loginHeadless(provider, req, res);
      return;
    }
    if (provider === undefined) {
      res.writeHead(503).end();
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  provider = new Provider(issuer, {
    clients: [
      {
        client_id: machine.clientId,
        client_secret: machine.clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: introspector.clientId,
        client_secret: introspector.clientSecret,
        grant_types: [],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [privateJwk] },
    scopes: ['openid', 'offline_access', ...resourceScopes.split(' ')],
    pkce: { required: () => true },
    cookies: { keys: [randomUUID()] },
    ttl: { AccessToken: options.accessTokenTtlS ?? 300, ClientCredentials: options.accessTokenTtlS ?? 300, Interaction: 600, Grant: 600, Session: 600, RefreshToken: 3600 },
    // MCP clients never ask for offline_access, but refresh on a mid-session 401.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string, client: { clientId: string }) => ({
          scope: resourceScopes,
          audience: resource,
          accessTokenFormat: options.tokenFormat?.(client.clientId) ?? 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });

  const sign = async (claims: Record<string, unknown>, header: { kid?: string; key?: KeyObject; alg?: string } = {}): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: header.alg ?? 'RS256', typ: 'at+jwt', kid: header.kid ?? kid }).sign(header.key ?? privateKey);

  return {
    issuer,
    machine,
    introspector,
    kid,
    sign,
    async clientCredentialsToken(resource: string, scope = resourceScopes): Promise<string> {
      const answer = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Basic ${Buffer.from(`${machine.clientId}:${machine.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }).toString(),
      });
      const body = await answer.json() as { access_token?: string };
      if (!answer.ok || body.access_token === undefined) throw new Error(`client_credentials: ${answer.status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    hs256WithPublicKey(claims: Record<string, unknown>): string {
      const secret = publicKey.export({ type: 'spki', format: 'pem' });
      const input = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }))}.${base64url(JSON.stringify(claims))}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    },
    unsigned(claims: Record<string, unknown>): string {
      return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}.`;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The login and consent pages, headless: log the user in as {@link TEST_USER}, and approve whatever the client asked for. */
async function loginHeadless(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const { prompt, params, session, grantId } = await provider.interactionDetails(req, res);
    if (prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: TEST_USER } }, { mergeWithLastSubmission: false });
      return;
    }
    // Consent: every scope asked for, for every resource asked for.
    const grant = grantId === undefined
      ? new provider.Grant({ accountId: session?.accountId as string, clientId: params.client_id as string })
      : await provider.Grant.find(grantId);
    if (grant === undefined) throw new Error('consent: the grant is gone');
    const details = prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (details.missingOIDCScope !== undefined) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  } catch (error) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
  }
}

/**
 * Follows an authorization URL as a browser would (cookies kept, redirects followed by hand),
 * through the server's login, until it redirects to `redirectUri`.
 * @returns the authorization code.
 * @throws when the server answers anything but a redirect, or redirects with an error.
 */
export async function followAuthorization(authorizationUrl: URL, redirectUri: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl.href;
  for (let hop = 0; hop < 10; hop++) {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const answer = await fetch(url, { redirect: 'manual', headers: cookie === '' ? {} : { Cookie: cookie } });
    for (const line of answer.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = answer.headers.get('location');
    if (answer.status < 300 || answer.status >= 400 || location === null) {
      throw new Error(`authorization stopped at ${url}: ${answer.status} ${await answer.text()}`);
    }
    const next = new URL(location, url);
    if (next.href.startsWith(redirectUri)) {
      const code = next.searchParams.get('code');
      if (code === null) throw new Error(`authorization refused: ${next.search}`);
      return code;
    }
    url = next.href;
  }
  throw new Error('authorization: too many redirects');
}
