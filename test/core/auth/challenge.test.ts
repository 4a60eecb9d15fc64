/**
 * The refusals of a protected endpoint (core/auth/challenge.ts): the `WWW-Authenticate` value the
 * SDK client parses, 503 with `Retry-After`, a JSON-RPC error body, never `Mcp-Session-Id`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { AuthError, bearerChallenge, IssuerUnavailableError, sendAuthError } from '../../../core/auth/challenge';
import { listenOnLoopback } from '../../support/core-server';
import { request } from '../../support/sse-client';

describe('the challenge of a protected endpoint', () => {
  it('points to the metadata, names the scopes, and adds the error only for a token problem', () => {
    assert.equal(bearerChallenge('https://a.example/.well-known/oauth-protected-resource/mcp', []), 'Bearer resource_metadata="https://a.example/.well-known/oauth-protected-resource/mcp"');
    assert.equal(bearerChallenge('https://a/m', ['s1', 's2'], 'invalid_token', 'The access token has expired'),
      'Bearer resource_metadata="https://a/m", scope="s1 s2", error="invalid_token", error_description="The access token has expired"');
  });

  it('escapes quotes and backslashes and drops control characters', () => {
    assert.equal(bearerChallenge('https://a/m', [], 'invalid_request', 'say "hi" \\ \r\nthere'),
      'Bearer resource_metadata="https://a/m", error="invalid_request", error_description="say \\"hi\\" \\\\ there"');
  });

  it('answers 401 with the endpoint\'s scopes, 403 with the scopes needed, 503 with Retry-After', async () => {
    const errors: AuthError[] = [
      new AuthError(401, 'invalid_token', 'The access token has expired'),
      new AuthError(403, 'insufficient_scope', 'needs math:add', ['mcp:tools', 'math:add']),
      new IssuerUnavailableError('The authorization server is unreachable'),
    ];
    let next = 0;
    const server = http.createServer((_req, res) => sendAuthError(res, errors[next++], 'https://a/meta', ['mcp:tools']));
    const listening = await listenOnLoopback(server);
    try {
      const expired = await request(listening.url, { method: 'GET' });
      assert.equal(expired.status, 401);
      assert.equal(expired.headers['www-authenticate'], 'Bearer resource_metadata="https://a/meta", scope="mcp:tools", error="invalid_token", error_description="The access token has expired"');
      assert.deepEqual(expired.json, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'The access token has expired' } });
      const scope = await request(listening.url, { method: 'GET' });
      assert.equal(scope.status, 403);
      assert.match(scope.headers['www-authenticate'] as string, /scope="mcp:tools math:add", error="insufficient_scope"/);
      const down = await request(listening.url, { method: 'GET' });
      assert.equal(down.status, 503);
      assert.equal(down.headers['retry-after'], '5');
      assert.equal(down.headers['www-authenticate'], undefined);
      for (const answer of [expired, scope, down]) assert.equal(answer.headers['mcp-session-id'], undefined);
    } finally {
      await listening.close();
    }
  });
});
