/**
 * The hot path's shortcuts give the same answers as the general code they bypass: the message
 * event framing, the sessionId query reader, and the closure-free body reader.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fc from 'fast-check';
import { formatEvent, formatMessageEvent } from '../../core/sse';
import { startCoreServer, waitFor, type CoreServer } from '../support/core-server';
import { openSse, request } from '../support/sse-client';

/** Sends a POST whose body goes out in the given pieces (chunked transfer encoding, no Content-Length). */
function postInPieces(url: string, pieces: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

describe('hot path', () => {
  it('frames any JSON-RPC message exactly as the general SSE framing does, on one data line', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
      const json = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { value, text } });
      const frame = formatMessageEvent(json);
      assert.equal(frame, formatEvent({ event: 'message', data: json }));
      assert.equal(frame.split('\n').length, 4, 'event line, one data line, blank line');
    }));
  });

  describe('POSTs', () => {
    let server: CoreServer;
    before(async () => {
      server = await startCoreServer({ maxBodyBytes: 1000 });
    });
    after(() => server.close());

    it('finds the session when the query has other parameters or a percent-encoded id, and refuses two ids', async () => {
      const sse = await openSse(`${server.url}/sse`);
      try {
        const body = '{"jsonrpc":"2.0","method":"notifications/initialized"}';
        const headers = { 'Content-Type': 'application/json' };
        const before = server.received.length;
        const extra = await request(`${server.url}/message?x=1&sessionId=${sse.sessionId}&y=2`, { headers, body });
        assert.equal(extra.status, 202, extra.body);
        const encoded = sse.sessionId.replace(/-/g, '%2D');
        const percent = await request(`${server.url}/message?sessionId=${encoded}`, { headers, body });
        assert.equal(percent.status, 202, percent.body);
        const twice = await request(`${server.url}/message?sessionId=${sse.sessionId}&sessionId=${sse.sessionId}`, { headers, body });
        assert.equal(twice.status, 400);
        assert.equal(server.received.length, before + 2);
        assert.ok(server.received.slice(before).every((m) => m.session.id === sse.sessionId));
      } finally {
        sse.close();
      }
    });

    it('reads a body that arrives in pieces, even a character split across two pieces', async () => {
      const sse = await openSse(`${server.url}/sse`);
      try {
        const bytes = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'add', note: 'grüße €' } }));
        const cut = bytes.indexOf(Buffer.from('€')) + 1;
        const answer = await postInPieces(`${server.url}${sse.endpoint}`, [bytes.subarray(0, 10), bytes.subarray(10, cut), bytes.subarray(cut)]);
        assert.equal(answer.status, 202, answer.body);
        await waitFor(() => server.received.some((m) => 'id' in m.message && m.message.id === 7), 5000, 'the message');
        const got = server.received.find((m) => 'id' in m.message && m.message.id === 7);
        assert.deepEqual((got?.message as { params: unknown }).params, { name: 'add', note: 'grüße €' });
      } finally {
        sse.close();
      }
    });

    it('refuses a body that grows past the limit without a Content-Length (413), and invalid UTF-8 (400, a parse error)', async () => {
      const sse = await openSse(`${server.url}/sse`);
      try {
        const before = server.received.length;
        const big = await postInPieces(`${server.url}${sse.endpoint}`, [Buffer.from('{"jsonrpc":"2.0","id":1,"method":"x","params":{"p":"'), Buffer.alloc(1200, 'x'), Buffer.from('"}}')]);
        assert.equal(big.status, 413);
        const invalid = await postInPieces(`${server.url}${sse.endpoint}`, [Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]);
        assert.equal(invalid.status, 400);
        assert.equal(JSON.parse(invalid.body).error.code, -32700);
        assert.equal(server.received.length, before);
        // The session still works afterwards.
        const ok = await request(`${server.url}${sse.endpoint}`, { headers: { 'Content-Type': 'application/json' }, body: '{"jsonrpc":"2.0","id":2,"method":"ping"}' });
        assert.equal(ok.status, 202);
      } finally {
        sse.close();
      }
    });
  });
});
