/**
 * The official SDK client (v1) doing OAuth against a protected MCP endpoint, the way an app with
 * a browser does, headless: an `OAuthClientProvider` kept in memory whose redirect to the
 * authorization server is followed by {@link followAuthorization}, then `finishAuth(code)` and a
 * new connection. Every HTTP request the client makes is recorded, so a test can assert the
 * whole dance: 401, metadata, registration, authorization, token, then MCP.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import assert from 'node:assert/strict';
import { followAuthorization } from './oidc';

export type TransportName = 'sse' | 'streamable-http';

/** One request the client made: `POST http://.../token -> 200`. */
export type Step = string;

/** An interactive app's OAuth state, in memory; its redirect URI is never served (the code is read from it). */
export class InMemoryOAuthProvider implements OAuthClientProvider {
  readonly redirectUrl = 'http://127.0.0.1:9/callback';
  /** Where the client last sent the user. */
  authorizationUrl: URL | undefined;
  private client: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = '';

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'node-red-mcp-sse OAuth test', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation(): OAuthClientInformationMixed | undefined { return this.client; }
  saveClientInformation(info: OAuthClientInformationMixed): void { this.client = info; }
  tokens(): OAuthTokens | undefined { return this.saved; }
  saveTokens(tokens: OAuthTokens): void { this.saved = tokens; }
  redirectToAuthorization(url: URL): void { this.authorizationUrl = url; }
  saveCodeVerifier(verifier: string): void { this.verifier = verifier; }
  codeVerifier(): string { return this.verifier; }
  /** The access token the client holds now. */
  get accessToken(): string | undefined { return this.saved?.access_token; }
}

/** A fetch that records `METHOD url -> status` of every request. */
export function recordingFetch(steps: Step[]): typeof fetch {
  return async (input, init) => {
    const answer = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    steps.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${url} -> ${answer.status}`);
    return answer;
  };
}

function transportFor(name: TransportName, url: URL, authProvider: OAuthClientProvider, fetchFn: typeof fetch): SSEClientTransport | StreamableHTTPClientTransport {
  if (name === 'sse') return new SSEClientTransport(url, { authProvider, fetch: fetchFn, eventSourceInit: { fetch: fetchFn } });
  return new StreamableHTTPClientTransport(url, { authProvider, fetch: fetchFn });
}

/**
 * Connects like an app a user signs in to: the first connection gets 401 and sends the user to
 * the authorization server; the test follows that headlessly, hands the code to `finishAuth`,
 * and connects again with the token.
 * @returns the connected client, the provider (tokens) and every request made.
 */
export async function connectWithOAuth(url: string, name: TransportName, provider = new InMemoryOAuthProvider()): Promise<{ client: Client; transport: SSEClientTransport | StreamableHTTPClientTransport; provider: InMemoryOAuthProvider; steps: Step[] }> {
  const steps: Step[] = [];
  const fetchFn = recordingFetch(steps);
  const first = transportFor(name, new URL(url), provider, fetchFn);
  try {
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(first);
    return { client, transport: first, provider, steps };
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || provider.authorizationUrl === undefined) throw error;
  }
  steps.push(`AUTHORIZE ${provider.authorizationUrl.origin}${provider.authorizationUrl.pathname}`);
  const code = await followAuthorization(provider.authorizationUrl, provider.redirectUrl);
  await first.finishAuth(code);
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  const transport = transportFor(name, new URL(url), provider, fetchFn);
  await client.connect(transport);
  return { client, transport, provider, steps };
}

/** Connects as a machine client (`client_credentials`, a client the authorization server knows). */
export async function connectAsMachine(url: string, name: TransportName, options: { clientId: string; clientSecret: string; issuer: string; scope: string }): Promise<{ client: Client; steps: Step[] }> {
  const steps: Step[] = [];
  const provider = new ClientCredentialsProvider({ clientId: options.clientId, clientSecret: options.clientSecret, expectedIssuer: options.issuer, scope: options.scope });
  const client = new Client({ name: 'oauth-machine-test', version: '1.0.0' });
  await client.connect(transportFor(name, new URL(url), provider, recordingFetch(steps)));
  return { client, steps };
}

/**
 * Asserts that the steps went, in this order: the MCP URL answered 401; the client read the
 * endpoint's Protected Resource Metadata and the authorization server's metadata, registered
 * (RFC 7591), sent the user to authorize, exchanged the code for a token; then the MCP URL
 * answered 200.
 */
export function assertTheDance(steps: Step[], mcpUrl: string, issuer: string): void {
  const path = new URL(mcpUrl);
  const expected = [
    new RegExp(`^(GET|POST) ${mcpUrl} -> 401$`),
    new RegExp(`^GET ${path.origin}/\\.well-known/oauth-protected-resource${path.pathname} -> 200$`),
    new RegExp(`^GET ${issuer}/\\.well-known/(oauth-authorization-server|openid-configuration) -> 200$`),
    new RegExp(`^POST ${issuer}/reg -> 201$`),
    new RegExp(`^AUTHORIZE ${issuer}/auth$`),
    new RegExp(`^POST ${issuer}/token -> 200$`),
    new RegExp(`^(GET|POST) ${mcpUrl} -> 200$`),
  ];
  let at = 0;
  for (const step of steps) if (at < expected.length && expected[at].test(step)) at++;
  assert.equal(at, expected.length, `the dance stopped before ${expected[at]}:\n${steps.join('\n')}`);
}
