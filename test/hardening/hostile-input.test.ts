/**
 * The hostile-input table: bad requests against one endpoint (token auth on), on the HTTP+SSE
 * paths and on the Streamable HTTP path, each answered with a precise status and JSON-RPC error
 * body, none reaching the listeners, and a healthy session of each transport on the same endpoint
 * answered after every one of them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startCoreServer, type CoreServer } from '../support/core-server';
import { openSse, request, type SseConnection } from '../support/sse-client';
import { rawRequest } from '../support/raw-http';
import { messagesOf, POST_ACCEPT, StreamableClient, type StreamableAnswer } from '../support/streamable-client';

const TOKEN = 'correct-horse-battery-staple';
const AUTH = `Bearer ${TOKEN}`;
const LIMIT = 64 * 1024;
const UNKNOWN_SESSION = '0b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c';

interface Case {
  name: string;
  /** Which path: the SSE path, the message path (default), or the Streamable HTTP path. */
  target?: 'sse' | 'message' | 'mcp';
  method?: string;
  /**
   * The query string; `{sid}` is replaced by the healthy HTTP+SSE session's id, `{mcpsid}` by the
   * healthy Streamable HTTP session's. Default `?sessionId={sid}`, none on the Streamable path.
   */
  query?: string;
  /**
   * Headers on top of a valid token and `Content-Type: application/json` (and on the Streamable
   * path, the healthy session's `Mcp-Session-Id` and the `Accept` a client sends); `null` removes
   * one. Placeholders as in `query`.
   */
  headers?: Record<string, string | null>;
  body?: string | Buffer;
  /** A raw request head (placeholders and `{port}` replaced) instead of node:http's, for headers node:http refuses. */
  raw?: string;
  status: number;
  /** The JSON-RPC error code of the body; `undefined` when the body is not ours (Node's own answer). */
  code?: number;
  message?: RegExp;
  /** The id the error answer carries (default `null`). */
  id?: string | number | null;
  /** Response headers that must be present, with their value. */
  header?: Record<string, RegExp>;
}

const msg = (value: unknown): string => JSON.stringify(value);
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

const cases: Case[] = [
  // Wrong methods
  { name: 'PUT on the message path', method: 'PUT', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 405, code: -32000, message: /Method PUT not allowed here: use POST/, header: { allow: /^POST$/ } },
  { name: 'DELETE on the message path', method: 'DELETE', status: 405, code: -32000, header: { allow: /^POST$/ } },
  { name: 'GET on the message path', method: 'GET', status: 405, code: -32000, message: /use POST/ },
  { name: 'PATCH on the message path', method: 'PATCH', body: '{}', status: 405, code: -32000 },
  { name: 'POST on the SSE path', target: 'sse', method: 'POST', query: '', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 405, code: -32000, message: /use GET/, header: { allow: /^GET$/ } },
  { name: 'HEAD on the SSE path (would open a session nobody reads)', target: 'sse', method: 'HEAD', query: '', status: 405, header: { allow: /^GET$/ } },
  // Session id abuse
  { name: 'no sessionId', query: '', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Missing sessionId/ },
  { name: 'empty sessionId', query: '?sessionId=', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Missing sessionId/ },
  { name: 'sessionId given twice', query: '?sessionId={sid}&sessionId={sid}', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /given once/ },
  // A visible-ASCII id this server never issued is an unknown session (404: open a new stream), whatever its shape.
  { name: 'sessionId upper-cased', query: '?sessionId={SID}', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: 'sessionId path traversal', query: '?sessionId=..%2F..%2Fetc%2Fpasswd', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: 'sessionId of 32 hex characters (another server\'s uuid4().hex)', query: '?sessionId=0123456789abcdef0123456789abcdef', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: 'sessionId 1,025 characters long', query: `?sessionId=${'a'.repeat(1025)}`, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Malformed sessionId: expected visible ASCII, at most 1024 characters/ },
  { name: 'sessionId with a space', query: '?sessionId={sid}+x', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Malformed sessionId/ },
  { name: 'sessionId 10,000 characters long', query: `?sessionId=${'a'.repeat(10_000)}`, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Malformed sessionId/ },
  { name: 'sessionId with a NUL byte', query: '?sessionId={sid}%00', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Malformed sessionId/ },
  { name: 'sessionId with CRLF and a header', query: '?sessionId={sid}%0d%0aSet-Cookie:%20a=b', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Malformed sessionId/ },
  { name: 'sessionId as an array parameter', query: '?sessionId[]={sid}', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Missing sessionId/ },
  { name: 'well-formed but unknown sessionId', query: `?sessionId=${UNKNOWN_SESSION}`, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: '1,000 query parameters', query: `?${Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&')}&sessionId={sid}`, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 202 },
  // Content types and encodings
  { name: 'no Content-Type', headers: { 'Content-Type': null }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 415, code: -32000, message: /Content-Type must be application\/json, not missing/ },
  { name: 'text/plain', headers: { 'Content-Type': 'text/plain' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 415, code: -32000, message: /not text\/plain/ },
  { name: 'form-urlencoded', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'jsonrpc=2.0&id=1&method=ping', status: 415, code: -32000 },
  { name: 'multipart/form-data', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x\r\n\r\n{}\r\n--x--', status: 415, code: -32000 },
  { name: 'JSON in Latin-1', headers: { 'Content-Type': 'application/json; charset=iso-8859-1' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 415, code: -32000 },
  { name: 'gzip-encoded body', headers: { 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(msg({ jsonrpc: '2.0', id: 1, method: 'ping' })), status: 415, code: -32000, message: /Content-Encoding "gzip" is not supported/ },
  { name: 'bytes that are not UTF-8', body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: -32700, message: /^Parse error: the request body is not valid UTF-8$/ },
  { name: 'UTF-16 body with a BOM', body: Buffer.from(`\ufeff${msg({ jsonrpc: '2.0', id: 1, method: 'ping' })}`, 'utf16le'), status: 400, code: -32700, message: /not valid UTF-8/ },
  // Sizes and truncation
  { name: 'Content-Length over the limit', raw: `POST /message?sessionId={sid} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT * 100}`, status: 413, code: -32000, message: /limit is 65536 bytes/ },
  { name: 'chunked body growing over the limit', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(LIMIT) } }), headers: { 'Transfer-Encoding': 'chunked' }, status: 413, code: -32000, message: /over the limit of 65536 bytes/ },
  { name: 'body shorter than its Content-Length, then the client closes (Node answers)', raw: `POST /message?sessionId={sid} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"jsonrpc":"2.0","id":1,`, status: 400 },
  { name: 'empty body', body: '', status: 400, code: -32700, message: /Parse error/ },
  { name: 'truncated JSON', body: '{"jsonrpc":"2.0","id":1,', status: 400, code: -32700, message: /Parse error/ },
  { name: 'not JSON at all', body: '<xml/>', status: 400, code: -32700 },
  { name: 'JSON with a trailing comma', body: '{"jsonrpc":"2.0","id":1,"method":"ping",}', status: 400, code: -32700 },
  { name: 'arrays nested 30,000 deep', body: deep(30_000), status: 400, code: -32600, message: /nested deeper than 64 levels/ },
  { name: 'params nested 65 deep', body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'{"a":'.repeat(64)}1${'}'.repeat(64)}}`, status: 400, code: -32600, message: /nested deeper than 64 levels/ },
  // JSON-RPC edge cases
  { name: 'JSON null', body: 'null', status: 400, code: -32600, message: /must be a JSON object/ },
  { name: 'a number', body: '42', status: 400, code: -32600 },
  { name: 'a string', body: '"ping"', status: 400, code: -32600 },
  { name: 'an empty batch', body: '[]', status: 400, code: -32600, message: /empty batch/ },
  { name: 'a batch with one bad message (nothing is accepted)', body: msg([{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2 }]), status: 400, code: -32600, id: 2 },
  { name: 'a batch of 101 messages (2024-11-05: at most 100)', body: msg(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'add', arguments: { a: i, b: 1 } } }))), status: 400, code: -32600, message: /a batch of 101 messages; this endpoint takes at most 100/ },
  { name: 'a batch of 500 tools/call (nothing runs)', body: msg(Array.from({ length: 500 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'add', arguments: { a: i, b: 1 } } }))), status: 400, code: -32600, message: /a batch of 500 messages/ },
  { name: 'initialize in a batch', body: msg([{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, { jsonrpc: '2.0', method: 'notifications/initialized' }]), status: 400, code: -32600, message: /initialize must be sent alone/ },
  { name: 'missing jsonrpc', body: msg({ id: 5, method: 'ping' }), status: 400, code: -32600, message: /"jsonrpc" must be exactly "2.0"/, id: 5 },
  { name: 'jsonrpc 1.0', body: msg({ jsonrpc: '1.0', id: 'a', method: 'ping' }), status: 400, code: -32600, id: 'a' },
  { name: 'null id', body: msg({ jsonrpc: '2.0', id: null, method: 'ping' }), status: 400, code: -32600, message: /does not allow null/ },
  { name: 'huge numeric id', body: '{"jsonrpc":"2.0","id":1e300,"method":"ping"}', status: 400, code: -32600, message: /string or an integer/ },
  { name: 'fractional id', body: msg({ jsonrpc: '2.0', id: 1.5, method: 'ping' }), status: 400, code: -32600 },
  { name: 'object id', body: msg({ jsonrpc: '2.0', id: { x: 1 }, method: 'ping' }), status: 400, code: -32600 },
  { name: 'empty method', body: msg({ jsonrpc: '2.0', id: 3, method: '' }), status: 400, code: -32600, id: 3 },
  { name: 'numeric method', body: msg({ jsonrpc: '2.0', id: 3, method: 7 }), status: 400, code: -32600, id: 3 },
  { name: 'positional params', body: msg({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: [1, 2] }), status: 400, code: -32600, message: /"params" must be an object/, id: 4 },
  { name: 'a response with both result and error', body: msg({ jsonrpc: '2.0', id: 4, result: {}, error: { code: 1, message: 'x' } }), status: 400, code: -32600, id: 4 },
  { name: 'a response without id', body: msg({ jsonrpc: '2.0', result: {} }), status: 400, code: -32600 },
  { name: 'an error without code', body: msg({ jsonrpc: '2.0', id: 9, error: { message: 'x' } }), status: 400, code: -32600, id: 9 },
  { name: 'duplicate jsonrpc key, the last one wrong', body: '{"jsonrpc":"2.0","jsonrpc":"1.0","id":1,"method":"ping"}', status: 400, code: -32600, id: 1 },
  // Header abuse: security checks on both paths
  { name: 'no Authorization on the message path', headers: { Authorization: null }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 401, code: -32000, message: /Missing Authorization header/, header: { 'www-authenticate': /^Bearer realm="MCP"$/ } },
  { name: 'wrong token on the message path', headers: { Authorization: 'Bearer wrong' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 401, code: -32000, message: /^Wrong bearer token$/, header: { 'www-authenticate': /invalid_token/ } },
  { name: 'the token with a character more', headers: { Authorization: `${AUTH}x` }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 401, code: -32000, message: /Wrong bearer token/ },
  { name: 'Basic instead of Bearer', headers: { Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 401, code: -32000, message: /Malformed Authorization header/ },
  { name: 'no Authorization on the SSE path', target: 'sse', method: 'GET', query: '', headers: { Authorization: null }, status: 401, code: -32000, message: /Missing Authorization header/, header: { 'www-authenticate': /Bearer/ } },
  { name: 'wrong token on the SSE path', target: 'sse', method: 'GET', query: '', headers: { Authorization: 'Bearer nope' }, status: 401, code: -32000, message: /Wrong bearer token/ },
  { name: 'foreign Origin on the message path', headers: { Origin: 'https://evil.example' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 403, code: -32000, message: /Origin "https:\/\/evil.example" is not allowed/ },
  { name: 'foreign Origin on the SSE path', target: 'sse', method: 'GET', query: '', headers: { Origin: 'http://attacker.test:8080' }, status: 403, code: -32000, message: /Origin "http:\/\/attacker.test:8080" is not allowed/ },
  { name: 'Origin null (sandboxed page)', headers: { Origin: 'null' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 403, code: -32000, message: /Origin "null"/ },
  { name: 'Origin on another port of the same host', headers: { Origin: 'http://127.0.0.1:1' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 403, code: -32000 },
  { name: 'DNS rebinding: a foreign Host with its matching Origin', raw: `POST /message?sessionId={sid} HTTP/1.1\r\nHost: rebind.attacker.test:{port}\r\nOrigin: http://rebind.attacker.test:{port}\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: 2`, body: '{}', status: 403, code: -32000, message: /Host "rebind.attacker.test:\d+" is not allowed/ },
  { name: 'a malformed Host', raw: `GET /sse HTTP/1.1\r\nHost: a b@c\r\nAuthorization: ${AUTH}`, status: 403, code: -32000, message: /Malformed Host header/ },
  { name: 'headers of 20 KB', headers: { 'X-Padding': 'x'.repeat(20_000) }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 431 },
  { name: 'Content-Length and Transfer-Encoding both (request smuggling)', raw: `POST /message?sessionId={sid} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked`, body: '0\r\n\r\n', status: 400 },
  // Accepted edge cases: valid, however odd
  { name: 'a 30 KB string id (valid: answered with the same id)', body: msg({ jsonrpc: '2.0', id: 'i'.repeat(30_000), method: 'ping' }), status: 202 },
  { name: '__proto__ in params (no prototype pollution)', body: '{"jsonrpc":"2.0","id":"proto","method":"tools/call","params":{"__proto__":{"polluted":true}}}', status: 202 },
  // The Streamable HTTP path (/mcp): wrong methods
  { name: '/mcp: PUT', target: 'mcp', method: 'PUT', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 405, code: -32000, message: /Method PUT not allowed here: use GET, POST, DELETE/, header: { allow: /^GET, POST, DELETE$/ } },
  { name: '/mcp: PATCH', target: 'mcp', method: 'PATCH', body: '{}', status: 405, code: -32000, header: { allow: /^GET, POST, DELETE$/ } },
  { name: '/mcp: OPTIONS without CORS', target: 'mcp', method: 'OPTIONS', status: 405, code: -32000, header: { allow: /^GET, POST, DELETE$/ } },
  { name: '/mcp: HEAD', target: 'mcp', method: 'HEAD', status: 405, header: { allow: /^GET, POST, DELETE$/ } },
  // /mcp: Accept
  { name: '/mcp: POST without Accept', target: 'mcp', headers: { Accept: null }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 406, code: -32000, message: /must accept both application\/json and text\/event-stream/ },
  { name: '/mcp: POST accepting only application/json', target: 'mcp', headers: { Accept: 'application/json' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 406, code: -32000 },
  { name: '/mcp: POST accepting only text/event-stream', target: 'mcp', headers: { Accept: 'text/event-stream' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 406, code: -32000 },
  { name: '/mcp: POST accepting text/html', target: 'mcp', headers: { Accept: 'text/html' }, body: msg({ jsonrpc: '2.0', method: 'notifications/initialized' }), status: 406, code: -32000 },
  { name: '/mcp: GET accepting only application/json', target: 'mcp', method: 'GET', headers: { Accept: 'application/json' }, status: 406, code: -32000, message: /must accept text\/event-stream/ },
  // /mcp: session id abuse
  { name: '/mcp: no Mcp-Session-Id', target: 'mcp', headers: { 'Mcp-Session-Id': null }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Mcp-Session-Id header is required/ },
  { name: '/mcp: empty Mcp-Session-Id', target: 'mcp', headers: { 'Mcp-Session-Id': '' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Mcp-Session-Id header is required/ },
  // A visible-ASCII id this server never issued is an unknown session (404: send initialize again), whatever its shape.
  { name: '/mcp: Mcp-Session-Id upper-cased', target: 'mcp', headers: { 'Mcp-Session-Id': '{MCPSID}' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: '/mcp: Mcp-Session-Id path traversal', target: 'mcp', headers: { 'Mcp-Session-Id': '../../etc/passwd' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: '/mcp: Mcp-Session-Id of 32 hex characters (another server\'s uuid4().hex)', target: 'mcp', headers: { 'Mcp-Session-Id': '0123456789abcdef0123456789abcdef' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: '/mcp: Mcp-Session-Id of 1,024 characters (another server\'s token)', target: 'mcp', headers: { 'Mcp-Session-Id': 'a'.repeat(1024) }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: '/mcp: Mcp-Session-Id 1,025 characters long', target: 'mcp', headers: { 'Mcp-Session-Id': 'a'.repeat(1025) }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /malformed Mcp-Session-Id: expected visible ASCII, at most 1024 characters/ },
  { name: '/mcp: Mcp-Session-Id with a space inside', target: 'mcp', headers: { 'Mcp-Session-Id': '{mcpsid} x' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /malformed Mcp-Session-Id/ },
  { name: '/mcp: Mcp-Session-Id with a byte over 0x7E', target: 'mcp', raw: `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: ${AUTH}\r\nAccept: ${POST_ACCEPT}\r\nContent-Type: application/json\r\nMcp-Session-Id: {mcpsid}\u00e9\r\nContent-Length: ${Buffer.byteLength(msg({ jsonrpc: '2.0', id: 1, method: 'ping' }))}`, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /malformed Mcp-Session-Id/ },
  { name: '/mcp: Mcp-Session-Id 10,000 characters long', target: 'mcp', headers: { 'Mcp-Session-Id': 'a'.repeat(10_000) }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /malformed Mcp-Session-Id/ },
  { name: '/mcp: Mcp-Session-Id sent twice', target: 'mcp', raw: `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: ${AUTH}\r\nAccept: ${POST_ACCEPT}\r\nContent-Type: application/json\r\nMcp-Session-Id: {mcpsid}\r\nMcp-Session-Id: {mcpsid}\r\nContent-Length: ${Buffer.byteLength(msg({ jsonrpc: '2.0', id: 1, method: 'ping' }))}`, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /malformed Mcp-Session-Id/ },
  { name: '/mcp: well-formed but unknown Mcp-Session-Id', target: 'mcp', headers: { 'Mcp-Session-Id': UNKNOWN_SESSION }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: '/mcp: the HTTP+SSE session\'s id', target: 'mcp', headers: { 'Mcp-Session-Id': '{sid}' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: 'the Streamable HTTP session\'s id on the message path', query: '?sessionId={mcpsid}', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 404, code: -32001, message: /Session not found/ },
  { name: '/mcp: GET without Mcp-Session-Id', target: 'mcp', method: 'GET', headers: { 'Mcp-Session-Id': null }, status: 400, code: -32000, message: /Mcp-Session-Id header is required/ },
  { name: '/mcp: a second standalone GET stream', target: 'mcp', method: 'GET', status: 409, code: -32000, message: /already has its standalone SSE stream open/ },
  { name: '/mcp: DELETE an unknown session', target: 'mcp', method: 'DELETE', headers: { 'Mcp-Session-Id': UNKNOWN_SESSION }, status: 404, code: -32001 },
  { name: '/mcp: DELETE a session id never issued', target: 'mcp', method: 'DELETE', headers: { 'Mcp-Session-Id': '{mcpsid}x' }, status: 404, code: -32001, message: /Session not found/ },
  { name: '/mcp: DELETE a malformed session id', target: 'mcp', method: 'DELETE', headers: { 'Mcp-Session-Id': '{mcpsid}\tx' }, status: 400, code: -32000, message: /malformed Mcp-Session-Id/ },
  // /mcp: protocol version
  { name: '/mcp: an unsupported MCP-Protocol-Version', target: 'mcp', headers: { 'MCP-Protocol-Version': '2099-01-01' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /unsupported MCP-Protocol-Version "2099-01-01"/ },
  { name: '/mcp: two MCP-Protocol-Versions in one header', target: 'mcp', headers: { 'MCP-Protocol-Version': '2025-11-25, 2025-06-18' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /unsupported MCP-Protocol-Version/ },
  { name: '/mcp: an MCP-Protocol-Version of 10,000 characters (echoed cut short)', target: 'mcp', headers: { 'MCP-Protocol-Version': '9'.repeat(10_000) }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /^Bad Request: unsupported MCP-Protocol-Version "9{40}" \(/ },
  { name: '/mcp: an unsupported MCP-Protocol-Version on GET', target: 'mcp', method: 'GET', headers: { 'MCP-Protocol-Version': 'banana' }, status: 400, code: -32000, message: /unsupported MCP-Protocol-Version "banana"/ },
  // /mcp: initialize
  { name: '/mcp: initialize in a batch', target: 'mcp', headers: { 'Mcp-Session-Id': null }, body: msg([{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, { jsonrpc: '2.0', method: 'notifications/initialized' }]), status: 400, code: -32600, message: /initialize must be sent alone/ },
  { name: '/mcp: initialize with an MCP-Protocol-Version that does not exist (the versions, not _meta)', target: 'mcp', headers: { 'Mcp-Session-Id': null, 'MCP-Protocol-Version': '1999-01-01' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }), status: 400, code: -32022, id: 1, message: /^Unsupported protocol version "1999-01-01" in MCP-Protocol-Version\. Supported: 2026-07-28 .*2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05/ },
  { name: '/mcp: initialize without the token (no session opens)', target: 'mcp', headers: { Authorization: null, 'Mcp-Session-Id': null }, body: msg({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }), status: 401, code: -32000, message: /Missing Authorization header/, header: { 'www-authenticate': /^Bearer realm="MCP"$/ } },
  // /mcp: content types, sizes, JSON
  { name: '/mcp: no Content-Type', target: 'mcp', headers: { 'Content-Type': null }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 415, code: -32000, message: /not missing/ },
  { name: '/mcp: text/plain', target: 'mcp', headers: { 'Content-Type': 'text/plain' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 415, code: -32000 },
  { name: '/mcp: gzip-encoded body', target: 'mcp', headers: { 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(msg({ jsonrpc: '2.0', id: 1, method: 'ping' })), status: 415, code: -32000, message: /Content-Encoding "gzip" is not supported/ },
  { name: '/mcp: bytes that are not UTF-8', target: 'mcp', body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: -32700, message: /^Parse error: the request body is not valid UTF-8$/ },
  { name: '/mcp: bytes that are not UTF-8 in a 2026-07-28 POST', target: 'mcp', headers: { 'Mcp-Session-Id': null, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/list' }, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: -32700, message: /not valid UTF-8/ },
  { name: '/mcp: Content-Length over the limit', target: 'mcp', raw: `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: ${AUTH}\r\nAccept: ${POST_ACCEPT}\r\nMcp-Session-Id: {mcpsid}\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT * 100}`, status: 413, code: -32000, message: /limit is 65536 bytes/ },
  { name: '/mcp: chunked body growing over the limit', target: 'mcp', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(LIMIT) } }), headers: { 'Transfer-Encoding': 'chunked' }, status: 413, code: -32000, message: /over the limit of 65536 bytes/ },
  { name: '/mcp: empty body', target: 'mcp', body: '', status: 400, code: -32700, message: /Parse error/ },
  { name: '/mcp: truncated JSON', target: 'mcp', body: '{"jsonrpc":"2.0","id":1,', status: 400, code: -32700 },
  { name: '/mcp: arrays nested 30,000 deep', target: 'mcp', body: deep(30_000), status: 400, code: -32600, message: /nested deeper than 64 levels/ },
  { name: '/mcp: JSON null', target: 'mcp', body: 'null', status: 400, code: -32600 },
  { name: '/mcp: an empty batch', target: 'mcp', body: '[]', status: 400, code: -32600, message: /empty batch/ },
  { name: '/mcp: a batch on a 2025-11-25 session', target: 'mcp', body: msg([{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2, method: 'ping' }]), status: 400, code: -32600, message: /^Invalid Request: batching is not supported in protocol version 2025-11-25$/ },
  { name: '/mcp: a batch of 500 tools/call on a 2025-11-25 session (nothing runs)', target: 'mcp', body: msg(Array.from({ length: 500 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'add', arguments: { a: i, b: 1 } } }))), status: 400, code: -32600, message: /batching is not supported in protocol version 2025-11-25/ },
  { name: '/mcp: a 2026-07-28 batch', target: 'mcp', headers: { 'Mcp-Session-Id': null, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/list' }, body: msg([0, 1].map((id) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } } }))), status: 400, code: -32600, message: /^Invalid Request: batching is not supported in protocol version 2026-07-28$/ },
  { name: '/mcp: a batch with one bad message (nothing is accepted)', target: 'mcp', body: msg([{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2 }]), status: 400, code: -32600, id: 2 },
  { name: '/mcp: null id', target: 'mcp', body: msg({ jsonrpc: '2.0', id: null, method: 'ping' }), status: 400, code: -32600, message: /does not allow null/ },
  // /mcp: security checks on every method
  { name: '/mcp: no Authorization on POST', target: 'mcp', headers: { Authorization: null }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 401, code: -32000, message: /Missing Authorization header/, header: { 'www-authenticate': /^Bearer realm="MCP"$/ } },
  { name: '/mcp: wrong token on GET', target: 'mcp', method: 'GET', headers: { Authorization: 'Bearer wrong' }, status: 401, code: -32000, message: /^Wrong bearer token$/, header: { 'www-authenticate': /invalid_token/ } },
  { name: '/mcp: DELETE without the token (the session stays)', target: 'mcp', method: 'DELETE', headers: { Authorization: null }, status: 401, code: -32000, message: /Missing Authorization header/ },
  { name: '/mcp: DELETE from a foreign Origin (the session stays)', target: 'mcp', method: 'DELETE', headers: { Origin: 'https://evil.example' }, status: 403, code: -32000, message: /Origin "https:\/\/evil.example" is not allowed/ },
  { name: '/mcp: foreign Origin on POST', target: 'mcp', headers: { Origin: 'http://attacker.test:8080' }, body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 403, code: -32000, message: /Origin "http:\/\/attacker.test:8080" is not allowed/ },
  { name: '/mcp: DNS rebinding: a foreign Host with its matching Origin', target: 'mcp', raw: `POST /mcp HTTP/1.1\r\nHost: rebind.attacker.test:{port}\r\nOrigin: http://rebind.attacker.test:{port}\r\nAuthorization: ${AUTH}\r\nAccept: ${POST_ACCEPT}\r\nMcp-Session-Id: {mcpsid}\r\nContent-Type: application/json\r\nContent-Length: 2`, body: '{}', status: 403, code: -32000, message: /Host "rebind.attacker.test:\d+" is not allowed/ },
  // /mcp: accepted edge cases
  { name: '/mcp: Accept */* with a notification', target: 'mcp', headers: { Accept: '*/*' }, body: msg({ jsonrpc: '2.0', method: 'notifications/initialized' }), status: 202 },
  { name: '/mcp: a 30 KB string id (answered on the POST stream with the same id)', target: 'mcp', body: msg({ jsonrpc: '2.0', id: 'i'.repeat(30_000), method: 'ping' }), status: 200 },
  { name: '/mcp: __proto__ in params (no prototype pollution)', target: 'mcp', body: '{"jsonrpc":"2.0","id":"proto","method":"tools/call","params":{"__proto__":{"polluted":true}}}', status: 200 },
];

describe('hostile input: every bad request gets its precise answer, and a healthy session of each transport keeps working', () => {
  let server: CoreServer;
  let port: number;
  let healthy: SseConnection;
  let healthyMcp: StreamableClient;
  let standalone: StreamableAnswer;
  let pingId = 0;

  before(async () => {
    server = await startCoreServer({ security: { authToken: TOKEN }, maxBodyBytes: LIMIT });
    port = Number(new URL(server.url).port);
    // The "flow": answers every request on its own session at once.
    server.endpoint.messageReceived.add(({ session, kind, message }) => {
      if (kind === 'request' && 'id' in message && 'method' in message) {
        session.send({ jsonrpc: '2.0', id: message.id as string | number, result: { method: message.method } });
      }
    });
    healthy = await openSse(`${server.url}/sse`, { Authorization: AUTH });
    healthyMcp = new StreamableClient(`${server.url}/mcp`, { Authorization: AUTH });
    const initialized = await healthyMcp.initialize('init');
    assert.equal(initialized.status, 200, initialized.body);
    await initialized.stream?.ended;
    standalone = await healthyMcp.get();
    assert.equal(standalone.status, 200, standalone.body);
  });
  after(async () => {
    healthy.close();
    healthyMcp.closeAll();
    await server.close();
  });

  /**
   * The healthy HTTP+SSE session posts a ping and gets its answer on its own stream; the healthy
   * Streamable HTTP session gets its answer on its POST's stream, which then ends, and its
   * standalone stream is still open.
   */
  async function healthyStillAnswered(): Promise<void> {
    const id = `healthy-${++pingId}`;
    const posted = await request(`${server.url}${healthy.endpoint}`, {
      headers: { 'Content-Type': 'application/json', Authorization: AUTH },
      body: msg({ jsonrpc: '2.0', id, method: 'ping' }),
    });
    assert.equal(posted.status, 202, `the healthy session's POST: ${posted.body}`);
    for (;;) {
      const event = await healthy.nextEvent(5000);
      const data = JSON.parse(event.data) as { id?: unknown };
      if (data.id === id) break;
    }
    const answer = await healthyMcp.post({ jsonrpc: '2.0', id, method: 'ping' });
    assert.equal(answer.status, 200, `the healthy Streamable session's POST: ${answer.body}`);
    assert.equal(await answer.stream?.ended, true);
    assert.deepEqual(messagesOf(answer.stream!), [{ jsonrpc: '2.0', id, result: { method: 'ping' } }]);
    assert.equal(standalone.stream?.isEnded, false, 'the healthy standalone stream is still open');
  }

  it(`has at least 40 bad requests in its table (${cases.filter((c) => c.status >= 400).length}), at least 40 of them on /mcp (${cases.filter((c) => c.status >= 400 && c.target === 'mcp').length})`, () => {
    assert.ok(cases.filter((c) => c.status >= 400 && c.target !== 'mcp').length >= 40);
    assert.ok(cases.filter((c) => c.status >= 400 && c.target === 'mcp').length >= 40);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.status}`, async () => {
      const sid = healthy.sessionId;
      const mcpsid = healthyMcp.sessionId as string;
      const fill = (text: string): string => text.replaceAll('{sid}', sid).replaceAll('{SID}', sid.toUpperCase())
        .replaceAll('{mcpsid}', mcpsid).replaceAll('{MCPSID}', mcpsid.toUpperCase()).replaceAll('{port}', String(port));
      const mcp = c.target === 'mcp';
      const path = c.target === 'sse' ? '/sse' : mcp ? '/mcp' : '/message';
      const query = fill(c.query ?? (mcp ? '' : '?sessionId={sid}'));
      const receivedBefore = server.received.length;
      const sessionsBefore = server.endpoint.sessionCount;
      let status: number;
      let headers: Record<string, string | string[] | undefined>;
      let body: string;
      if (c.raw !== undefined) {
        ({ status, headers, body } = await rawRequest(port, fill(c.raw), c.body));
      } else {
        const sent: Record<string, string> = { Authorization: AUTH, 'Content-Type': 'application/json' };
        if (mcp) {
          sent.Accept = c.method === 'GET' ? 'text/event-stream' : POST_ACCEPT;
          sent['Mcp-Session-Id'] = mcpsid;
        }
        for (const [name, value] of Object.entries(c.headers ?? {})) {
          if (value === null) delete sent[name];
          else sent[name] = fill(value);
        }
        if (c.body !== undefined && sent['Transfer-Encoding'] === undefined) sent['Content-Length'] = String(Buffer.byteLength(c.body));
        ({ status, headers, body } = await request(`${server.url}${path}${query}`, { method: c.method ?? 'POST', headers: sent, body: c.body }));
      }
      assert.equal(status, c.status, `status; body: ${body.slice(0, 300)}`);
      if (c.code !== undefined) {
        const json = JSON.parse(body) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
        assert.equal(json.jsonrpc, '2.0');
        assert.deepEqual(json.id, c.id ?? null);
        assert.equal(json.error.code, c.code);
        if (c.message) assert.match(json.error.message, c.message);
        assert.equal(headers['content-type'], 'application/json');
      } else if (c.status === 202) {
        // HTTP+SSE answers as the SDK does; Streamable HTTP with no body, as its spec says.
        assert.equal(body, mcp ? '' : 'Accepted');
      } else if (c.status === 200) {
        // A POST with a request, on /mcp: its stream carried the flow's response, then ended.
        assert.equal(headers['content-type'], 'text/event-stream');
        const data = body.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as unknown);
        const { id, method } = JSON.parse(String(c.body)) as { id: unknown; method: string };
        assert.deepEqual(data, [{ jsonrpc: '2.0', id, result: { method } }]);
      } else if (c.method !== 'HEAD') {
        // Node's own answer to a request it cannot parse: no body, nothing of ours.
        assert.equal(body, '');
      }
      for (const [name, pattern] of Object.entries(c.header ?? {})) assert.match(String(headers[name]), pattern, name);
      if (c.status >= 400) {
        assert.equal(server.received.length, receivedBefore, 'nothing reached the listeners');
        assert.equal(server.endpoint.sessionCount, sessionsBefore, 'no session opened or ended');
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      await healthyStillAnswered();
    });
  }

  it('answers a 30 KB string id with the same id', async () => {
    const id = 'j'.repeat(30_000);
    await request(`${server.url}${healthy.endpoint}`, { headers: { 'Content-Type': 'application/json', Authorization: AUTH }, body: msg({ jsonrpc: '2.0', id, method: 'ping' }) });
    for (;;) {
      const data = JSON.parse((await healthy.nextEvent()).data) as { id?: unknown };
      if (data.id === id) break;
    }
  });
});
