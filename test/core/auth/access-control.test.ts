/**
 * Who may use an endpoint (core/auth/access-control.ts): the token mode and OAuth mode side by
 * side, the caller a session is bound to, and credentials kept out of what flows see.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccessControl } from '../../../core/auth/access-control';
import type { AuthInfo } from '../../../core/auth/claims';

const caller = (extra: Partial<AuthInfo> = {}): AuthInfo => ({ subject: 'alice', clientId: 'app', scopes: [], claims: {}, expiresAt: undefined, issuer: 'https://as', ...extra });
const oauth = { issuers: ['https://as'], paths: [] };

describe('access control of an endpoint', () => {
  it('binds a session to issuer, subject and client, not to the token', () => {
    const access = new AccessControl({}, oauth, () => {});
    access.remember('s1', caller({ claims: { jti: 'first' } }));
    assert.equal(access.sameCaller('s1', caller({ claims: { jti: 'refreshed' }, scopes: ['more'] })), true);
    assert.equal(access.sameCaller('s1', caller({ subject: 'mallory' })), false);
    assert.equal(access.sameCaller('s1', caller({ clientId: 'other-app' })), false);
    assert.equal(access.sameCaller('s1', caller({ issuer: 'https://other-as' })), false);
    assert.equal(access.sameCaller('s1', undefined), false);
    assert.equal(access.sameCaller('unknown', caller()), false);
    access.forget('s1');
    assert.equal(access.sameCaller('s1', caller()), false);
  });

  it('resumes a stream for the same caller and cookie with OAuth, for the same Authorization header without', () => {
    const withOAuth = new AccessControl({}, oauth, () => {});
    withOAuth.remember('s1', caller());
    assert.equal(withOAuth.mayResume('s1', { authorization: 'Bearer old', cookie: 'c' }, { authorization: 'Bearer new', cookie: 'c' }, caller()), true);
    assert.equal(withOAuth.mayResume('s1', { cookie: 'c' }, { cookie: 'd' }, caller()), false);
    const withToken = new AccessControl({ authToken: 't' }, undefined, () => {});
    assert.equal(withToken.sameCaller('any', undefined), true);
    assert.equal(withToken.mayResume('s1', { authorization: 'Bearer t' }, { authorization: 'Bearer t' }, undefined), true);
    assert.equal(withToken.mayResume('s1', { authorization: 'Bearer t' }, { authorization: 'Bearer u' }, undefined), false);
  });

  it('keeps the credential out of the headers a flow sees, whenever authentication is on', () => {
    const headers = { host: 'h', authorization: 'Bearer secret', 'x-api-key': 'secret', accept: '*/*' };
    assert.deepEqual(new AccessControl({}, undefined, () => {}).withoutCredentials(headers), headers, 'nothing to hide without authentication');
    assert.deepEqual(new AccessControl({ authToken: 'secret' }, undefined, () => {}).withoutCredentials(headers), { host: 'h', 'x-api-key': 'secret', accept: '*/*' });
    assert.deepEqual(new AccessControl({ authToken: 'secret', authHeader: 'X-API-Key' }, undefined, () => {}).withoutCredentials(headers), { host: 'h', accept: '*/*' });
    assert.deepEqual(new AccessControl({}, oauth, () => {}).withoutCredentials(headers), { host: 'h', 'x-api-key': 'secret', accept: '*/*' });
  });

  it('refuses an issuer or a resource that is not an http(s) URL', () => {
    assert.throws(() => new AccessControl({}, { issuers: ['keycloak'], paths: [] }, () => {}), /not an absolute URL/);
    assert.throws(() => new AccessControl({}, { issuers: ['https://as'], resource: 'https://m/mcp#x', paths: [] }, () => {}), /without a fragment/);
  });

  it('refuses a token header name that is not a valid HTTP header name, and takes one that is', () => {
    assert.throws(() => new AccessControl({ authToken: 't', authHeader: 'X API Key' }, undefined, () => {}), /not a valid HTTP header name/);
    assert.throws(() => new AccessControl({ authToken: 't', authHeader: 'X-Key:' }, undefined, () => {}), /not a valid HTTP header name/);
    assert.doesNotThrow(() => new AccessControl({ authToken: 't', authHeader: ' X-API-Key ' }, undefined, () => {}));
  });
});
