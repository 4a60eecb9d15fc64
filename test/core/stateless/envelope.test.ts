/**
 * The MCP 2026-07-28 envelope (core/stateless/envelope.ts): telling a 2026-07-28 POST from a
 * session's, the envelope check, and the error a client gets for each fault.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { checkEnvelope, isModernPost, META, ModernErrorCode, unknownVersion, type EnvelopeError } from '../../../core/stateless/envelope';
import type { JsonRpcMessage } from '../../../core/jsonrpc';

const ENVELOPE = { [META.protocolVersion]: '2026-07-28', [META.clientCapabilities]: { elicitation: {} }, [META.clientInfo]: { name: 'c', version: '1' } };

/** A request as node:http hands it over: only its headers are read. */
function post(headers: Record<string, string>): IncomingMessage {
  return { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) } as IncomingMessage;
}

/** A `tools/call` of `name` with `meta` as its `_meta` (`null`: none). */
function call(name: string, meta: Record<string, unknown> | null = ENVELOPE): JsonRpcMessage {
  return { jsonrpc: '2.0', id: 1, method: 'tools/call', params: meta === null ? { name } : { name, _meta: meta } } as JsonRpcMessage;
}

function refusal(result: ReturnType<typeof checkEnvelope>): EnvelopeError {
  assert.ok('status' in result, `refused, not accepted: ${JSON.stringify(result)}`);
  return result;
}

describe('the 2026-07-28 envelope', () => {
  const headers = { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'add' };

  it('accepts a request whose headers match its _meta, and reads the version, capabilities, client and log level', () => {
    const envelope = checkEnvelope(post(headers), call('add', { ...ENVELOPE, [META.logLevel]: 'info' }));
    assert.deepEqual(envelope, { protocolVersion: '2026-07-28', clientCapabilities: { elicitation: {} }, clientInfo: { name: 'c', version: '1' }, logLevel: 'info' });
    assert.ok(!('status' in checkEnvelope(post({ ...headers, 'MCP-Protocol-Version': ' 2026-07-28 ' }), call('add'))), 'blanks around a header value are fine');
  });

  it('answers a header that disagrees with the body 400 -32020: the version header missing or different, Mcp-Method, Mcp-Name', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'Mcp-Method': 'tools/call' }, /MCP-Protocol-Version/],
      [{ ...headers, 'MCP-Protocol-Version': '2025-11-25' }, /MCP-Protocol-Version/],
      [{ ...headers, 'Mcp-Method': 'tools/list' }, /Mcp-Method/],
      [{ ...headers, 'Mcp-Name': 'subtract' }, /Mcp-Name/],
      // SEP-2243: a standard header left out while its value is in the body is refused too.
      [{ 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Name': 'add' }, /Mcp-Method header is missing/],
      [{ 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call' }, /Mcp-Name header is missing/],
    ];
    for (const [sent, message] of cases) {
      const error = refusal(checkEnvelope(post(sent), call('add')));
      assert.equal(error.status, 400, JSON.stringify(sent));
      assert.equal(error.code, ModernErrorCode.HeaderMismatch);
      assert.equal(error.code, -32020);
      assert.match(error.message, message);
    }
  });

  it('answers an unknown version 400 -32022 with the supported versions and the requested one', () => {
    const error = refusal(checkEnvelope(post({ 'MCP-Protocol-Version': '2099-01-01' }), call('add', { ...ENVELOPE, [META.protocolVersion]: '2099-01-01' })));
    assert.equal(error.status, 400);
    assert.equal(error.code, -32022);
    assert.deepEqual(error.data, { supported: ['2026-07-28'], requested: '2099-01-01' });
    const noHeader = refusal(checkEnvelope(post({}), call('add', { ...ENVELOPE, [META.protocolVersion]: '2099-01-01' })));
    assert.equal(noHeader.code, -32022, 'without a header the unknown version is still the fault');
  });

  it('answers a 2026-07-28 header on a message without the envelope 400 -32602', () => {
    for (const meta of [null, {}, { [META.protocolVersion]: '2026-07-28' }, { [META.protocolVersion]: '2026-07-28', [META.clientCapabilities]: 'all' }]) {
      const error = refusal(checkEnvelope(post({ 'MCP-Protocol-Version': '2026-07-28' }), call('add', meta)));
      assert.equal(error.status, 400, JSON.stringify(meta));
      assert.equal(error.code, -32602);
      assert.match(error.message, /params\._meta/);
    }
  });

  it('answers a version header it speaks in neither era, on messages without the envelope, 400 -32022 with every supported version', () => {
    const legacy = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
    const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18' } } as JsonRpcMessage;
    const error = unknownVersion(post({ 'MCP-Protocol-Version': '1999-01-01' }), [initialize], legacy);
    assert.equal(error?.status, 400);
    assert.equal(error?.code, ModernErrorCode.UnsupportedProtocolVersion);
    assert.deepEqual(error?.data, { supported: ['2026-07-28', ...legacy], requested: '1999-01-01' });
    assert.doesNotMatch(error?.message ?? '', /_meta with/, 'not the envelope message');
    for (const known of ['2026-07-28', ...legacy]) assert.equal(unknownVersion(post({ 'MCP-Protocol-Version': known }), [initialize], legacy), undefined, known);
    assert.equal(unknownVersion(post({}), [initialize], legacy), undefined, 'no header');
    // A message with the envelope is the envelope check's to answer (-32020 or -32022 there).
    assert.equal(unknownVersion(post({ 'MCP-Protocol-Version': '1999-01-01' }), [call('add')], legacy), undefined);
  });

  it('takes a POST for 2026-07-28 by a non-2025 version header or the envelope, never with a session id', () => {
    const legacy = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
    assert.equal(isModernPost(post({ 'MCP-Protocol-Version': '2026-07-28' }), [call('add', null)], legacy), true);
    assert.equal(isModernPost(post({}), [call('add')], legacy), true);
    assert.equal(isModernPost(post({ 'MCP-Protocol-Version': '2025-11-25' }), [call('add', null)], legacy), false);
    assert.equal(isModernPost(post({ 'Mcp-Session-Id': 'x', 'MCP-Protocol-Version': '2026-07-28' }), [call('add')], legacy), false);
  });
});
