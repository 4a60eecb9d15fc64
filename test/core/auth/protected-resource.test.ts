/**
 * Protected Resource Metadata (core/auth/protected-resource.ts): where each path's document is,
 * the origin a client used (behind a TLS proxy too), and the document itself.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { metadataDocument, metadataPathFor, requestOrigin } from '../../../core/auth/protected-resource';

function req(headers: Record<string, string | string[]>, encrypted = false): IncomingMessage {
  return { headers, socket: { encrypted } } as unknown as IncomingMessage;
}

describe('Protected Resource Metadata', () => {
  it('inserts the well-known prefix before the path (RFC 9728 section 3.1)', () => {
    assert.equal(metadataPathFor('/mcp'), '/.well-known/oauth-protected-resource/mcp');
    assert.equal(metadataPathFor('/api/sse'), '/.well-known/oauth-protected-resource/api/sse');
    assert.equal(metadataPathFor('/'), '/.well-known/oauth-protected-resource');
  });

  it('takes the origin from Host, and the scheme from the connection or X-Forwarded-Proto', () => {
    assert.equal(requestOrigin(req({ host: 'localhost:1880' })), 'http://localhost:1880');
    assert.equal(requestOrigin(req({ host: 'mcp.example' }, true)), 'https://mcp.example');
    assert.equal(requestOrigin(req({ host: 'mcp.example', 'x-forwarded-proto': 'https' })), 'https://mcp.example');
    assert.equal(requestOrigin(req({ host: 'mcp.example', 'x-forwarded-proto': 'HTTPS, http' })), 'https://mcp.example');
    assert.equal(requestOrigin(req({ host: 'mcp.example', 'x-forwarded-proto': 'javascript' })), 'http://mcp.example', 'only http or https');
  });

  it('lists scopes only when there are some, and bearer tokens in the header only', () => {
    assert.deepEqual(metadataDocument('https://m/mcp', ['https://as'], []), { resource: 'https://m/mcp', authorization_servers: ['https://as'], bearer_methods_supported: ['header'] });
    assert.deepEqual(metadataDocument('https://m/', ['a', 'b'], ['s']).scopes_supported, ['s']);
  });
});
