/**
 * Finding an authorization server's metadata (core/auth/issuer-metadata.ts) the way MCP clients
 * do: RFC 8414 and OpenID discovery, path insertion then appending, cached; an unreachable or
 * misconfigured server is a 503 that is remembered for a few seconds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { discoveryUrls, IssuerMetadataCache } from '../../../core/auth/issuer-metadata';
import { IssuerUnavailableError } from '../../../core/auth/challenge';
import { listenOnLoopback } from '../../support/core-server';
import { startAuthorizationServer } from '../../support/oidc';

describe('authorization server metadata discovery', () => {
  let url: string;
  let close: () => Promise<void>;
  const asked: string[] = [];
  /** Documents by path; a function makes the answer. */
  const documents = new Map<string, (base: string) => { status: number; body?: unknown }>();

  before(async () => {
    const server = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      const make = documents.get(req.url ?? '');
      const answer = make === undefined ? { status: 404 } : make(url);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
    ({ url, close } = await listenOnLoopback(server));
  });
  after(() => close());

  it('tries the spec\'s URLs in order, for issuers with and without a path', () => {
    assert.deepEqual(discoveryUrls('https://as.example/tenant1/'), [
      'https://as.example/.well-known/oauth-authorization-server/tenant1',
      'https://as.example/.well-known/openid-configuration/tenant1',
      'https://as.example/tenant1/.well-known/openid-configuration',
    ]);
    assert.deepEqual(discoveryUrls('https://as.example'), ['https://as.example/.well-known/oauth-authorization-server', 'https://as.example/.well-known/openid-configuration']);
  });

  it('finds a Keycloak-style issuer by appending, and asks only once while the metadata is fresh', async () => {
    documents.set('/realms/mcp/.well-known/openid-configuration', (base) => ({ status: 200, body: { issuer: `${base}/realms/mcp`, jwks_uri: `${base}/certs` } }));
    const cache = new IssuerMetadataCache();
    asked.length = 0;
    const [a, b] = await Promise.all([cache.get(`${url}/realms/mcp`), cache.get(`${url}/realms/mcp`)]);
    assert.equal(a.jwks_uri, `${url}/certs`);
    assert.equal(b, a);
    await cache.get(`${url}/realms/mcp`);
    assert.deepEqual(asked, ['/.well-known/oauth-authorization-server/realms/mcp', '/.well-known/openid-configuration/realms/mcp', '/realms/mcp/.well-known/openid-configuration']);
  });

  it('accepts an issuer written with or without its trailing slash, and keeps the server\'s spelling', async () => {
    documents.set('/.well-known/oauth-authorization-server/auth0', (base) => ({ status: 200, body: { issuer: `${base}/auth0/` } }));
    const metadata = await new IssuerMetadataCache().get(`${url}/auth0`);
    assert.equal(metadata.issuer, `${url}/auth0/`);
  });

  it('refuses metadata for another issuer, with a 503 that names the setting to check', async () => {
    documents.set('/.well-known/oauth-authorization-server/mixup', () => ({ status: 200, body: { issuer: 'https://evil.example' } }));
    await assert.rejects(new IssuerMetadataCache().get(`${url}/mixup`), (error: unknown) =>
      error instanceof IssuerUnavailableError && error.status === 503 && /is for issuer "https:\/\/evil\.example"/.test(error.message));
  });

  it('reports an issuer with no metadata anywhere, or a server error, as 503', async () => {
    await assert.rejects(new IssuerMetadataCache().get(`${url}/nothing`), /No authorization server metadata found/);
    documents.set('/.well-known/oauth-authorization-server/broken', () => ({ status: 502 }));
    await assert.rejects(new IssuerMetadataCache().get(`${url}/broken`), /answered its metadata request with 502/);
  });

  it('remembers an unreachable server for a while instead of asking it on every request', async () => {
    const cache = new IssuerMetadataCache({ retryAfterMs: 60_000, timeoutMs: 500 });
    await assert.rejects(cache.get('http://127.0.0.1:9'), /is unreachable/);
    const started = Date.now();
    await assert.rejects(cache.get('http://127.0.0.1:9'), /is unreachable/);
    assert.ok(Date.now() - started < 20, 'answered from memory');
  });

  it('asks again once the failure is older than retryAfterMs', async () => {
    const cache = new IssuerMetadataCache({ retryAfterMs: 0 });
    await assert.rejects(cache.get(`${url}/later`), /No authorization server metadata found/);
    documents.set('/.well-known/oauth-authorization-server/later', (base) => ({ status: 200, body: { issuer: `${base}/later` } }));
    assert.equal((await cache.get(`${url}/later`)).issuer, `${url}/later`);
  });

  it('finds oidc-provider\'s metadata (RFC 8414 at the root)', async () => {
    const as = await startAuthorizationServer();
    try {
      const metadata = await new IssuerMetadataCache().get(as.issuer);
      assert.equal(metadata.jwks_uri, `${as.issuer}/jwks`);
      assert.equal(metadata.introspection_endpoint, `${as.issuer}/token/introspection`);
    } finally {
      await as.close();
    }
  });
});
