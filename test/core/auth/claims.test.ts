/**
 * What a token says about its caller (core/auth/claims.ts): the claim names of Keycloak, Auth0,
 * Entra ID and Okta, the audience match with one trailing slash tolerated, and the clock checks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { audienceMatches, authInfoOf, missingScopes, scopesOf, splitList, timeProblem } from '../../../core/auth/claims';

describe('token claims', () => {
  it('reads subject, client, scopes and expiry from the claim names authorization servers use', () => {
    const rfc9068 = authInfoOf({ sub: 'u1', client_id: 'app', scope: 'a b', exp: 1_800_000_000 }, 'https://as');
    assert.deepEqual({ ...rfc9068, claims: undefined }, { subject: 'u1', clientId: 'app', scopes: ['a', 'b'], claims: undefined, expiresAt: 1_800_000_000_000, issuer: 'https://as' });
    assert.equal(authInfoOf({ azp: 'keycloak-client' }, 'x').clientId, 'keycloak-client');
    assert.equal(authInfoOf({ appid: 'entra-v1-app' }, 'x').clientId, 'entra-v1-app');
    assert.deepEqual(scopesOf({ scp: 'Files.Read User.Read' }), ['Files.Read', 'User.Read']);
    assert.deepEqual(scopesOf({ scp: ['okta.read', 7, ''] }), ['okta.read']);
    assert.deepEqual(authInfoOf({}, 'x'), { subject: undefined, clientId: undefined, scopes: [], claims: {}, expiresAt: undefined, issuer: 'x' });
  });

  it('matches the audience exactly, one trailing slash tolerated, any entry of a list', () => {
    assert.equal(audienceMatches('https://mcp.example/mcp', ['https://mcp.example/mcp/']), true);
    assert.equal(audienceMatches('https://mcp.example/', ['https://mcp.example']), true);
    assert.equal(audienceMatches(['api://other', 'https://mcp.example/mcp'], ['https://mcp.example/mcp']), true);
    assert.equal(audienceMatches('https://mcp.example/mcp/tools', ['https://mcp.example/mcp']), false, 'no prefix match');
    assert.equal(audienceMatches('https://MCP.example/mcp', ['https://mcp.example/mcp']), false, 'no case folding');
    assert.equal(audienceMatches('https://mcp.example/mcp//', ['https://mcp.example/mcp']), false, 'one slash only');
    assert.equal(audienceMatches(undefined, ['https://mcp.example/mcp']), false);
    assert.equal(audienceMatches('', ['']), false);
  });

  it('checks exp and nbf with the allowed skew', () => {
    const now = 1_000_000;
    assert.equal(timeProblem({ exp: now + 1 }, 0, true, now), undefined);
    assert.equal(timeProblem({ exp: now - 30 }, 60, true, now), undefined, 'within the skew');
    assert.match(timeProblem({ exp: now - 61 }, 60, true, now) ?? '', /expired/);
    assert.match(timeProblem({ exp: now + 100, nbf: now + 61 }, 60, true, now) ?? '', /not valid yet/);
    assert.match(timeProblem({}, 60, true, now) ?? '', /no valid expiry/);
    assert.equal(timeProblem({}, 60, false, now), undefined, 'introspection answers may leave exp out');
    assert.match(timeProblem({ exp: 'soon' }, 60, false, now) ?? '', /no valid expiry/);
  });

  it('splits list settings and finds missing scopes, taking Entra ID\'s short scope names for URI scopes', () => {
    assert.deepEqual(splitList(' a, b\nc  '), ['a', 'b', 'c']);
    assert.deepEqual(missingScopes(['a', 'b', 'c'], ['b']), ['a', 'c']);
    assert.deepEqual(missingScopes(['api://node-red-mcp/mcp.tools'], ['mcp.tools']), [], 'Entra ID writes the short form in scp');
    assert.deepEqual(missingScopes(['api://node-red-mcp/mcp.tools'], ['api://node-red-mcp/mcp.tools']), []);
    assert.deepEqual(missingScopes(['files/write', 'api://x/admin'], ['write', 'mcp.tools']), ['files/write', 'api://x/admin'], 'only URI scopes, only their last segment');
  });
});
