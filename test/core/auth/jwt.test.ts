/**
 * JWT access tokens (core/auth/jwt.ts) against the keys of a real authorization server
 * (oidc-provider): what is accepted, and each kind of forged or stale token with its reason; the
 * key set fetched again for an unknown `kid` (after the cooldown), and a 503 when it cannot be.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { AuthError, IssuerUnavailableError } from '../../../core/auth/challenge';
import { IssuerMetadataCache } from '../../../core/auth/issuer-metadata';
import { JwtValidator, looksLikeJwt } from '../../../core/auth/jwt';
import { listenOnLoopback } from '../../support/core-server';
import { startAuthorizationServer, type TestAuthorizationServer } from '../../support/oidc';

const now = (): number => Math.floor(Date.now() / 1000);

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.code, 'invalid_token');
    return error.message;
  }
  throw new Error('expected the token to be refused');
}

describe('JWT access tokens, against oidc-provider\'s keys', () => {
  let as: TestAuthorizationServer;
  let validator: JwtValidator;
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: as.issuer, sub: 'alice', aud: 'https://mcp.example/mcp', iat: now(), exp: now() + 300, ...extra });

  before(async () => {
    as = await startAuthorizationServer();
    validator = new JwtValidator({ issuers: [`${as.issuer}/`], clockSkewS: 60 }, new IssuerMetadataCache());
  });
  after(() => as.close());

  it('accepts a token the server signed, and one it issued itself', async () => {
    const { claims: got, issuer } = await validator.validate(await as.sign(claims()));
    assert.equal(got.sub, 'alice');
    assert.equal(issuer, as.issuer, 'the issuer as the server spells it, though configured with a trailing slash');
    const issued = await as.clientCredentialsToken('https://mcp.example/mcp');
    assert.equal((await validator.validate(issued)).claims.client_id, as.machine.clientId);
  });

  it('tells a JWT from an opaque token', async () => {
    assert.equal(looksLikeJwt(await as.sign(claims())), true);
    assert.equal(looksLikeJwt('2YotnFZFEjr1zCsicMWpAA'), false);
    assert.equal(looksLikeJwt('a.b.c'), false);
  });

  it('refuses each forged or stale token with its reason', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const valid = await as.sign(claims());
    const [head, body, signature] = valid.split('.');
    const cases: Array<[string, string, RegExp]> = [
      ['expired beyond the skew', await as.sign(claims({ exp: now() - 61 })), /has expired/],
      ['not valid yet', await as.sign(claims({ nbf: now() + 120 })), /not valid yet/],
      ['without exp', await as.sign({ iss: as.issuer, sub: 'alice' }), /exp/],
      ['from an issuer not trusted', await as.sign(claims({ iss: 'https://evil.example' })), /does not trust \(iss\)/],
      ['without an issuer', await as.sign(claims({ iss: undefined })), /does not trust \(iss\)/],
      ['alg: none', as.unsigned(claims()), /algorithm "none" is not accepted/],
      ['HS256 keyed with the public key', as.hs256WithPublicKey(claims()), /algorithm "HS256" is not accepted/],
      ['a bad signature', `${head}.${body}.${signature.slice(0, -4)}AAAA`, /signature is not valid/],
      ['claims changed after signing', `${head}.${Buffer.from(JSON.stringify(claims({ sub: 'root' }))).toString('base64url')}.${signature}`, /signature is not valid/],
      ['a key the server does not publish', await as.sign(claims(), { kid: 'rotated-away', key: stranger, alg: 'ES256' }), /key \(kid\) that .* does not publish/],
      ['garbage', 'not.a.jwt', /not a well-formed JWT/],
    ];
    for (const [name, token, expected] of cases) assert.match(await reason(validator.validate(token)), expected, name);
  });

  it('allows the configured clock skew', async () => {
    await validator.validate(await as.sign(claims({ exp: now() - 30, nbf: now() + 30 })));
    const strict = new JwtValidator({ issuers: [as.issuer], clockSkewS: 0 }, new IssuerMetadataCache());
    assert.match(await reason(strict.validate(await as.sign(claims({ exp: now() - 30 })))), /expired/);
  });

  it('never accepts none or HS* whatever the allow-list says', () => {
    assert.throws(() => new JwtValidator({ issuers: [as.issuer], clockSkewS: 0, algorithms: ['none', 'HS256', 'hs512'] }, new IssuerMetadataCache()), /never accepted/);
  });
});

describe('the issuer\'s key set', () => {
  it('is fetched again when a token names a kid it has not seen, once the cooldown has passed', async () => {
    const keys = [generateKeyPairSync('ec', { namedCurve: 'P-256' }), generateKeyPairSync('ec', { namedCurve: 'P-256' })];
    const jwks: JWK[] = [{ ...(await exportJWK(keys[0].publicKey)), kid: 'k1', alg: 'ES256' }];
    let jwksRequests = 0;
    let base = '';
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url === '/jwks') jwksRequests++;
      res.end(JSON.stringify(req.url === '/jwks' ? { keys: jwks } : { issuer: base, jwks_uri: `${base}/jwks` }));
    });
    const listening = await listenOnLoopback(server);
    base = listening.url;
    try {
      const sign = (kid: string, key: (typeof keys)[number]) => new SignJWT({ iss: base, exp: now() + 60 }).setProtectedHeader({ alg: 'ES256', kid }).sign(key.privateKey);
      const patient = new JwtValidator({ issuers: [base], clockSkewS: 0, jwksCooldownMs: 60_000 }, new IssuerMetadataCache());
      const eager = new JwtValidator({ issuers: [base], clockSkewS: 0, jwksCooldownMs: 0 }, new IssuerMetadataCache());
      await patient.validate(await sign('k1', keys[0]));
      await eager.validate(await sign('k1', keys[0]));
      assert.equal(jwksRequests, 2);
      jwks.push({ ...(await exportJWK(keys[1].publicKey)), kid: 'k2', alg: 'ES256' });
      const rotated = await sign('k2', keys[1]);
      assert.match(await reason(patient.validate(rotated)), /does not publish/, 'within the cooldown the key set is not fetched again');
      assert.equal(jwksRequests, 2);
      await eager.validate(rotated);
      assert.equal(jwksRequests, 3, 'fetched once more, for the new kid');
      await eager.validate(await sign('k1', keys[0]));
      assert.equal(jwksRequests, 3, 'known kids need no fetch');
    } finally {
      await listening.close();
    }
  });

  it('answers 503 when the keys cannot be fetched', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/jwks') {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    });
    const listening = await listenOnLoopback(server);
    const base = listening.url;
    try {
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const token = await new SignJWT({ iss: base, exp: now() + 60 }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).sign(key);
      await assert.rejects(new JwtValidator({ issuers: [base], clockSkewS: 0 }, new IssuerMetadataCache()).validate(token),
        (error: unknown) => error instanceof IssuerUnavailableError && /could not be fetched/.test(error.message));
    } finally {
      await listening.close();
    }
  });
});
