/**
 * Opaque access tokens (core/auth/introspection.ts), introspected at a real authorization server
 * (oidc-provider, RFC 7662): active, revoked, wrong client credentials; the short cache.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, IssuerUnavailableError } from '../../../core/auth/challenge';
import { IssuerMetadataCache } from '../../../core/auth/issuer-metadata';
import { TokenIntrospector } from '../../../core/auth/introspection';
import { startAuthorizationServer, type TestAuthorizationServer } from '../../support/oidc';

describe('opaque tokens, introspected at oidc-provider', () => {
  let as: TestAuthorizationServer;
  before(async () => {
    as = await startAuthorizationServer({ tokenFormat: () => 'opaque' });
  });
  after(() => as.close());

  const revoke = async (token: string): Promise<void> => {
    const answer = await fetch(`${as.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${as.machine.clientId}:${as.machine.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ token }).toString(),
    });
    assert.equal(answer.status, 200);
  };

  it('returns the answer for an active token, and refuses one revoked once its cached answer is stale', async () => {
    const cacheMs = 1000;
    const introspector = new TokenIntrospector({ issuer: as.issuer, client: as.introspector, cacheMs }, new IssuerMetadataCache());
    const token = await as.clientCredentialsToken('https://mcp.example/mcp');
    const checked = Date.now();
    const fields = await introspector.introspect(token);
    assert.equal(fields.active, true);
    assert.equal(fields.client_id, as.machine.clientId);
    assert.equal(fields.aud, 'https://mcp.example/mcp');
    await revoke(token);
    const cached = await introspector.introspect(token);
    if (Date.now() - checked < cacheMs - 100) assert.equal(cached.active, true, 'the cached answer, for up to cacheMs');
    await new Promise((r) => setTimeout(r, Math.max(0, checked + cacheMs + 50 - Date.now())));
    await assert.rejects(introspector.introspect(token), (error: unknown) => error instanceof AuthError && error.status === 401 && /not active/.test(error.message));
  });

  it('refuses a token the server never issued', async () => {
    const introspector = new TokenIntrospector({ issuer: as.issuer, client: as.introspector }, new IssuerMetadataCache());
    await assert.rejects(introspector.introspect('never-issued-0123456789'), /not active/);
  });

  it('answers 503 and warns when the server refuses the endpoint\'s own credentials', async () => {
    const warnings: string[] = [];
    const introspector = new TokenIntrospector({ issuer: as.issuer, client: { clientId: as.introspector.clientId, clientSecret: 'wrong' }, onWarning: (w) => warnings.push(w) }, new IssuerMetadataCache());
    const token = await as.clientCredentialsToken('https://mcp.example/mcp');
    await assert.rejects(introspector.introspect(token), (error: unknown) => error instanceof IssuerUnavailableError && /introspection credentials/.test(error.message));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /check the introspection client id and secret/);
    assert.ok(!warnings[0].includes(token) && !warnings[0].includes('wrong'), 'neither the token nor the secret is logged');
  });
});
