/**
 * The hostile-input table: bad requests against one endpoint (token auth on), each answered with
 * a precise status and JSON-RPC error body, none reaching the listeners, and a healthy session on
 * the same endpoint answered after every one of them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startCoreServer, type CoreServer } from '../support/core-server';
import { openSse, request, type SseConnection } from '../support/sse-client';
import { rawRequest } from '../support/raw-http';

const TOKEN = 'correct-horse-battery-staple';
const AUTH = `Bearer ${TOKEN}`;
const LIMIT = 64 * 1024;
const UNKNOWN_SESSION = '0b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c';

interface Case {
  name: string;
  /** Which path: the SSE path or the message path (default). */
  target?: 'sse' | 'message';
  method?: string;
  /** The query string; `{sid}` is replaced by the healthy session's id. Default `?sessionId={sid}`. */
  query?: string;
  /** Headers on top of a valid token and `Content-Type: application/json`; `null` removes one. */
  headers?: Record<string, string | null>;
  body?: string | Buffer;
  /** A raw request head (`{sid}`, `{port}` replaced) instead of node:http's, for headers node:http refuses. */
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
  { name: 'sessionId upper-cased', query: '?sessionId={SID}', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Malformed sessionId/ },
  { name: 'sessionId path traversal', query: '?sessionId=..%2F..%2Fetc%2Fpasswd', body: msg({ jsonrpc: '2.0', id: 1, method: 'ping' }), status: 400, code: -32000, message: /Malformed sessionId/ },
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
  { name: 'bytes that are not UTF-8', body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: -32000, message: /not valid UTF-8/ },
  { name: 'UTF-16 body with a BOM', body: Buffer.from(`\ufeff${msg({ jsonrpc: '2.0', id: 1, method: 'ping' })}`, 'utf16le'), status: 400, code: -32000, message: /not valid UTF-8/ },
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
];

describe('hostile input: every bad request gets its precise answer, and a healthy session keeps working', () => {
  let server: CoreServer;
  let port: number;
  let healthy: SseConnection;
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
  });
  after(async () => {
    healthy.close();
    await server.close();
  });

  /** The healthy session posts a ping and gets its answer on its own stream. */
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
      if (data.id === id) return;
    }
  }

  it(`has at least 40 bad requests in its table (${cases.filter((c) => c.status >= 400).length})`, () => {
    assert.ok(cases.filter((c) => c.status >= 400).length >= 40);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.status}`, async () => {
      const sid = healthy.sessionId;
      const fill = (text: string): string => text.replaceAll('{sid}', sid).replaceAll('{SID}', sid.toUpperCase()).replaceAll('{port}', String(port));
      const path = c.target === 'sse' ? '/sse' : '/message';
      const query = fill(c.query ?? '?sessionId={sid}');
      const receivedBefore = server.received.length;
      let status: number;
      let headers: Record<string, string | string[] | undefined>;
      let body: string;
      if (c.raw !== undefined) {
        ({ status, headers, body } = await rawRequest(port, fill(c.raw), c.body));
      } else {
        const sent: Record<string, string> = { Authorization: AUTH, 'Content-Type': 'application/json' };
        for (const [name, value] of Object.entries(c.headers ?? {})) {
          if (value === null) delete sent[name];
          else sent[name] = value;
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
        assert.equal(body, 'Accepted');
      } else if (c.method !== 'HEAD') {
        // Node's own answer to a request it cannot parse: no body, nothing of ours.
        assert.equal(body, '');
      }
      for (const [name, pattern] of Object.entries(c.header ?? {})) assert.match(String(headers[name]), pattern, name);
      if (c.status >= 400) assert.equal(server.received.length, receivedBefore, 'nothing reached the listeners');
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
