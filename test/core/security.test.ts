/**
 * The request checks every endpoint runs first (core/security.ts): `Host` and `Origin` against DNS
 * rebinding (403), then the shared secret (401 with `WWW-Authenticate`), for both transports. The
 * HTTP behaviour is in test/hardening/hostile-input.test.ts; these are the rules' edges.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { checkRequest, isLoopbackHost, parseHost, type SecurityOptions } from '../../core/security';

/** A request as node:http hands it over: headers, and the local address the connection reached. */
function req(headers: Record<string, string>, localAddress = '127.0.0.1'): IncomingMessage {
  return { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), socket: { localAddress } } as unknown as IncomingMessage;
}

const status = (headers: Record<string, string>, options: SecurityOptions = {}, localAddress?: string): number | undefined =>
  checkRequest(req(headers, localAddress), options)?.status;

describe('security checks', () => {
  it('knows loopback hosts and reads Host headers', () => {
    for (const name of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.9.9.9', '::1', '[::1]']) assert.equal(isLoopbackHost(name), true, name);
    for (const name of ['example.com', '128.0.0.1', 'localhost.example.com', '10.0.0.1']) assert.equal(isLoopbackHost(name), false, name);
    assert.deepEqual(parseHost('Example.COM:8080'), { hostname: 'example.com', port: '8080' });
    assert.deepEqual(parseHost('[::1]:1880'), { hostname: '[::1]', port: '1880' });
    for (const bad of ['', 'a b', 'a@b', 'host:123456', 'host:']) assert.equal(parseHost(bad), undefined, bad);
  });

  it('on loopback, takes only loopback Host names unless listed; elsewhere any Host', () => {
    assert.equal(status({ Host: 'localhost:1880' }), undefined);
    assert.equal(status({ Host: '127.0.0.1' }), undefined);
    assert.equal(status({ Host: 'rebind.attacker.test' }), 403);
    assert.equal(status({ Host: 'mcp.example.com' }, { allowedHosts: ['mcp.example.com'] }), undefined);
    assert.equal(status({ Host: 'mcp.example.com:8443' }, { allowedHosts: ['mcp.example.com:8443'] }), undefined);
    assert.equal(status({ Host: 'mcp.example.com:9999' }, { allowedHosts: ['mcp.example.com:8443'] }), 403);
    assert.equal(status({ Host: 'anything.test' }, { allowedHosts: ['*'] }), undefined);
    assert.equal(status({ Host: 'mcp.example.com' }, {}, '10.0.0.5'), undefined);
    assert.equal(status({ Host: 'other.example.com' }, { allowedHosts: ['mcp.example.com'] }, '10.0.0.5'), 403);
    assert.equal(status({}), 403, 'no Host');
  });

  it('takes no Origin, a same-host Origin and listed ones; refuses the rest, null included', () => {
    assert.equal(status({ Host: 'localhost:1880', Origin: 'http://localhost:1880' }), undefined);
    assert.equal(status({ Host: 'localhost', Origin: 'http://localhost:80' }), undefined, 'default port');
    assert.equal(status({ Host: 'localhost:1880', Origin: 'http://localhost:1881' }), 403);
    assert.equal(status({ Host: 'localhost:1880', Origin: 'null' }), 403);
    assert.equal(status({ Host: 'localhost:1880', Origin: 'https://app.example' }), 403);
    assert.equal(status({ Host: 'localhost:1880', Origin: 'https://app.example' }, { allowedOrigins: ['https://app.example/'] }), undefined);
    assert.equal(status({ Host: 'localhost:1880', Origin: 'https://evil.example' }, { allowedOrigins: ['*'] }), undefined);
  });

  it('asks for the bearer token (or the named header), answers 401 with a challenge, and never echoes the secret', () => {
    const options = { authToken: 's3cret' };
    const missing = checkRequest(req({ Host: 'localhost' }), options);
    assert.equal(missing?.status, 401);
    assert.equal(missing?.headers['WWW-Authenticate'], 'Bearer realm="MCP"');
    assert.equal(status({ Host: 'localhost', Authorization: 'Bearer s3cret' }, options), undefined);
    assert.equal(status({ Host: 'localhost', Authorization: 'bearer s3cret ' }, options), undefined, 'the scheme is case-insensitive');
    for (const wrong of ['Bearer s3cre', 'Bearer s3cret2', 'Basic czNjcmV0', 's3cret', 'Bearer s3cret x']) {
      const failure = checkRequest(req({ Host: 'localhost', Authorization: wrong }), options);
      assert.equal(failure?.status, 401, wrong);
      assert.doesNotMatch(failure?.message ?? '', /s3cret/);
    }
    const apiKey = { authToken: 'k', authHeader: 'X-API-Key' };
    assert.equal(status({ Host: 'localhost', 'X-API-Key': 'k' }, apiKey), undefined);
    assert.equal(status({ Host: 'localhost', Authorization: 'Bearer k' }, apiKey), 401);
    assert.match(String(checkRequest(req({ Host: 'localhost' }), apiKey)?.headers['WWW-Authenticate']), /ApiKey realm="MCP", header="X-API-Key"/);
  });

  it('checks Host and Origin before the token: a foreign page learns nothing about the secret', () => {
    assert.equal(status({ Host: 'localhost', Origin: 'https://evil.example', Authorization: 'Bearer wrong' }, { authToken: 's3cret' }), 403);
  });
});
