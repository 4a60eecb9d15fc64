/**
 * Reading the bearer token (core/auth/bearer.ts): only from `Authorization: Bearer`, never from
 * the query string, with the RFC 6750 error code a client can act on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { readBearerToken } from '../../../core/auth/bearer';
import { AuthError } from '../../../core/auth/challenge';

function req(url: string, authorization?: string): IncomingMessage {
  return { url, headers: authorization === undefined ? {} : { authorization } } as IncomingMessage;
}

function refusal(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AuthError);
    return error;
  }
  throw new Error('expected a refusal');
}

describe('reading the bearer token of a request', () => {
  it('takes the token of "Authorization: Bearer <token>", whatever the case of Bearer', () => {
    assert.equal(readBearerToken(req('/mcp', 'Bearer abc.def-ghi_jkl~+/=')), 'abc.def-ghi_jkl~+/=');
    assert.equal(readBearerToken(req('/mcp', 'bearer   abc  ')), 'abc');
  });

  it('refuses a token in the query string, even next to a good header', () => {
    for (const url of ['/mcp?access_token=abc', '/message?sessionId=x&access_token=abc']) {
      const error = refusal(() => readBearerToken(req(url, 'Bearer abc')));
      assert.equal(error.status, 401);
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, /not accepted in the query string/);
    }
  });

  it('answers a missing header, or another scheme, with the bare challenge (no error code)', () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwYXNz']) {
      const error = refusal(() => readBearerToken(req('/mcp', header)));
      assert.equal(error.status, 401);
      assert.equal(error.code, undefined);
    }
  });

  it('answers a malformed bearer header with invalid_request, never echoing it', () => {
    for (const header of ['Bearer', 'Bearer ', 'Bearer two tokens', 'Bearer bad"quote', 'Bearer\tx']) {
      const error = refusal(() => readBearerToken(req('/mcp', header)));
      assert.equal(error.code, 'invalid_request', header);
      assert.ok(!error.message.includes('two tokens') && !error.message.includes('bad"quote'));
    }
  });
});
