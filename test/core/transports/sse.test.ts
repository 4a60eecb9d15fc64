/**
 * The HTTP+SSE transport (core/transports/sse.ts) over plain node:http: streams, POSTs, bad
 * requests, and resumable streams (event ids, Last-Event-ID, grace period).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, waitFor, type CoreServer } from '../../support/core-server';
import { openSse, postJson, request, type SseConnection } from '../../support/sse-client';

describe('HTTP+SSE transport over plain node:http', () => {
  let server: CoreServer;
  before(async () => {
    server = await startCoreServer({ keepAliveMs: 50 });
  });
  after(() => server.close());

  it('opens a stream with the SSE headers and announces the message URL with the session id first', async () => {
    const sse = await openSse(`${server.url}/sse`);
    try {
      assert.equal(sse.status, 200);
      assert.equal(sse.headers['content-type'], 'text/event-stream');
      assert.equal(sse.headers['cache-control'], 'no-cache, no-transform');
      assert.equal(sse.headers['connection'], 'keep-alive');
      assert.equal(sse.headers['x-accel-buffering'], 'no');
      assert.equal(sse.events[0].event, 'endpoint');
      assert.match(sse.endpoint, /^\/message\?sessionId=[0-9a-f-]{36}$/);
      assert.ok(server.registry.get(sse.sessionId), 'the session is in the registry');
    } finally {
      sse.close();
    }
  });

  it('gives every session a different random id', async () => {
    const streams = await Promise.all(Array.from({ length: 20 }, () => openSse(`${server.url}/sse`)));
    assert.equal(new Set(streams.map((s) => s.sessionId)).size, 20);
    for (const s of streams) s.close();
  });

  it('accepts a valid POST with 202 and hands the message to the listeners, tagged with its session', async () => {
    const sse = await openSse(`${server.url}/sse`);
    try {
      const before = server.received.length;
      const answer = await postJson(`${server.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 7, method: 'tools/list' });
      assert.equal(answer.status, 202);
      assert.equal(answer.body, 'Accepted');
      assert.equal(server.received.length, before + 1);
      const got = server.received[before];
      assert.equal(got.session.id, sse.sessionId);
      assert.equal(got.kind, 'request');
      assert.deepEqual(got.message, { jsonrpc: '2.0', id: 7, method: 'tools/list' });
    } finally {
      sse.close();
    }
  });

  it('writes a pushed message to the stream at once, in order, as event: message', async () => {
    const sse = await openSse(`${server.url}/sse`);
    try {
      const session = server.registry.get(sse.sessionId)!;
      for (let i = 0; i < 100; i++) session.send({ jsonrpc: '2.0', id: i, result: { i } });
      for (let i = 0; i < 100; i++) {
        const ev = await sse.nextEvent();
        assert.equal(ev.event, 'message');
        assert.deepEqual(JSON.parse(ev.data), { jsonrpc: '2.0', id: i, result: { i } });
      }
    } finally {
      sse.close();
    }
  });

  it('removes the session as soon as the client disconnects, and its id then answers 404', async () => {
    const sse = await openSse(`${server.url}/sse`);
    const closed: string[] = [];
    const remove = server.endpoint.sessionClosed.add((e) => closed.push(`${e.session.id}:${e.reason}`));
    sse.close();
    await waitFor(() => server.registry.get(sse.sessionId) === undefined, 2000, 'session removal');
    remove();
    assert.deepEqual(closed, [`${sse.sessionId}:client-disconnected`]);
    const answer = await postJson(`${server.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'ping' });
    assert.equal(answer.status, 404);
    assert.deepEqual((answer.json as { error: { code: number } }).error.code, -32001);
  });

  it('sends keep-alive comments while a stream is open', async () => {
    const sse = await openSse(`${server.url}/sse`);
    try {
      await waitFor(() => sse.comments.length >= 2, 2000, 'two keep-alives');
      assert.equal(sse.comments[0], 'ping');
    } finally {
      sse.close();
    }
  });

  describe('answers bad POSTs precisely, and nothing reaches the listeners', () => {
    const cases: Array<{ name: string; query?: (sid: string) => string; headers?: Record<string, string>; body?: string; status: number; code: number; id?: unknown }> = [
      { name: 'missing sessionId', query: () => '', status: 400, code: -32000 },
      { name: 'empty sessionId', query: () => '?sessionId=', status: 400, code: -32000 },
      { name: 'malformed sessionId (a control character)', query: () => '?sessionId=abc%0A', status: 400, code: -32000 },
      { name: "another server's sessionId", query: () => '?sessionId=abc', status: 404, code: -32001 },
      { name: 'unknown sessionId', query: () => '?sessionId=00000000-0000-4000-8000-000000000000', status: 404, code: -32001 },
      { name: 'text/plain content type', headers: { 'Content-Type': 'text/plain' }, body: '{}', status: 415, code: -32000 },
      { name: 'no content type', headers: {}, body: '{}', status: 415, code: -32000 },
      { name: 'malformed JSON', body: '{"jsonrpc":', status: 400, code: -32700, id: null },
      { name: 'JSON that is not JSON-RPC', body: '{"hello":"world"}', status: 400, code: -32600, id: null },
      { name: 'an empty batch', body: '[]', status: 400, code: -32600, id: null },
      { name: 'a null id', body: '{"jsonrpc":"2.0","id":null,"method":"ping"}', status: 400, code: -32600, id: null },
      { name: 'wrong jsonrpc version, id kept', body: '{"jsonrpc":"1.0","id":5,"method":"ping"}', status: 400, code: -32600, id: 5 },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.status} ${c.code}`, async () => {
        const sse = await openSse(`${server.url}/sse`);
        try {
          const before = server.received.length;
          const query = c.query ? c.query(sse.sessionId) : `?sessionId=${sse.sessionId}`;
          const answer = await request(`${server.url}/message${query}`, {
            headers: c.headers ?? { 'Content-Type': 'application/json' },
            body: c.body ?? '{"jsonrpc":"2.0","id":1,"method":"ping"}',
          });
          assert.equal(answer.status, c.status, answer.body);
          assert.equal(answer.headers['content-type'], 'application/json');
          const body = answer.json as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
          assert.equal(body.jsonrpc, '2.0');
          assert.equal(body.error.code, c.code);
          assert.equal(body.id, c.id ?? null);
          assert.ok(body.error.message.length > 10, 'the message says what was wrong');
          assert.equal(server.received.length, before, 'nothing reached the flow');
        } finally {
          sse.close();
        }
      });
    }

    it('a body over the limit: 413', async () => {
      const small = await startCoreServer({ maxBodyBytes: 1024 });
      const sse = await openSse(`${small.url}/sse`);
      try {
        const answer = await postJson(`${small.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'x', params: { pad: 'x'.repeat(2000) } });
        assert.equal(answer.status, 413);
        assert.equal((answer.json as { error: { code: number } }).error.code, -32000);
        assert.equal(small.received.length, 0);
      } finally {
        sse.close();
        await small.close();
      }
    });
  });

  it('ends every stream cleanly when the endpoint closes, and refuses new streams with 503', async () => {
    const local = await startCoreServer();
    const a = await openSse(`${local.url}/sse`);
    const b = await openSse(`${local.url}/sse`);
    local.endpoint.close();
    await Promise.all([a.ended, b.ended]);
    assert.equal(local.registry.count(), 0);
    await assert.rejects(openSse(`${local.url}/sse`), (e: { status?: number }) => e.status === 503);
    await local.close();
  });
});

const message = (i: number | string) => ({ jsonrpc: '2.0' as const, method: 'notifications/message', params: { level: 'info', data: i } });

async function dataOf(sse: SseConnection, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push((JSON.parse((await sse.nextEvent()).data) as { params: { data: unknown } }).params.data);
  return out;
}

describe('resumable streams: event ids, Last-Event-ID, grace period', () => {
  let server: CoreServer;
  before(async () => {
    server = await startCoreServer({ resumeGraceMs: 60_000, replayEvents: 5, retryMs: 250, keepAliveMs: 0 });
  });
  after(() => server.close());

  it('numbers every message event <sessionId>:<n> and sends retry with the endpoint event', async () => {
    const sse = await openSse(`${server.url}/sse`);
    try {
      assert.equal(sse.events[0].id, `${sse.sessionId}:0`);
      assert.equal(sse.events[0].retry, 250);
      const session = server.registry.get(sse.sessionId)!;
      for (let i = 1; i <= 3; i++) session.send(message(i));
      const ids = [];
      for (let i = 1; i <= 3; i++) ids.push((await sse.nextEvent()).id);
      assert.deepEqual(ids, [1, 2, 3].map((n) => `${sse.sessionId}:${n}`));
    } finally {
      sse.close();
    }
  });

  it('keeps a session whose stream dropped, and gives it back with every missed event, in order, then live ones', async () => {
    const sse = await openSse(`${server.url}/sse`);
    const session = server.registry.get(sse.sessionId)!;
    session.send(message(1));
    session.send(message(2));
    assert.deepEqual(await dataOf(sse, 2), [1, 2]);
    sse.close();
    await waitFor(() => !session.attached, 2000, 'the server to see the stream drop');
    assert.equal(session.closed, false);
    // The session still takes POSTs while its client reconnects.
    assert.equal((await postJson(`${server.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'ping' })).status, 202);
    session.send(message(3));
    session.send(message(4));
    const again = await openSse(`${server.url}/sse`, { 'Last-Event-ID': `${sse.sessionId}:2` });
    try {
      assert.equal(again.sessionId, sse.sessionId, 'the same session comes back');
      assert.equal(again.events[0].id, undefined, 'the endpoint event of a resumed stream leaves Last-Event-ID alone');
      session.send(message(5));
      const events = [await again.nextEvent(), await again.nextEvent(), await again.nextEvent()];
      assert.deepEqual(events.map((e) => (JSON.parse(e.data) as { params: { data: number } }).params.data), [3, 4, 5]);
      assert.deepEqual(events.map((e) => e.id), [3, 4, 5].map((n) => `${sse.sessionId}:${n}`));
    } finally {
      again.close();
    }
  });

  it('replays events the client never received even when the server had not noticed the drop', async () => {
    const sse = await openSse(`${server.url}/sse`);
    const session = server.registry.get(sse.sessionId)!;
    session.send(message('a'));
    session.send(message('b'));
    await dataOf(sse, 2);
    // The client claims it saw only the first message: the second is replayed on the new stream,
    // and the old stream is closed.
    const again = await openSse(`${server.url}/sse`, { 'Last-Event-ID': `${sse.sessionId}:1` });
    try {
      assert.deepEqual(await dataOf(again, 1), ['b']);
      await sse.ended;
    } finally {
      again.close();
      sse.close();
    }
  });

  it('answers a Last-Event-ID it did not issue with 400, and an unknown session with 404', async () => {
    await assert.rejects(openSse(`${server.url}/sse`, { 'Last-Event-ID': 'banana' }), (e: { status: number }) => e.status === 400);
    await assert.rejects(openSse(`${server.url}/sse`, { 'Last-Event-ID': '4c0ffee0-0000-4000-8000-000000000000:3' }),
      (e: { status: number; body: string }) => e.status === 404 && JSON.parse(e.body).error.code === -32001);
  });

  it('refuses to resume a session opened with other credentials, and the session stays open for its client', async () => {
    const sse = await openSse(`${server.url}/sse`, { Authorization: 'Bearer alice' });
    const session = server.registry.get(sse.sessionId)!;
    sse.close();
    await waitFor(() => !session.attached, 2000, 'the server to see the stream drop');
    const lastId = { 'Last-Event-ID': `${sse.sessionId}:0` };
    await assert.rejects(openSse(`${server.url}/sse`, lastId), (e: { status: number }) => e.status === 404);
    await assert.rejects(openSse(`${server.url}/sse`, { ...lastId, Authorization: 'Bearer mallory' }), (e: { status: number }) => e.status === 404);
    const back = await openSse(`${server.url}/sse`, { ...lastId, Authorization: 'Bearer alice' });
    assert.equal(back.sessionId, sse.sessionId);
    back.close();
  });

  it('closes a session that missed more events than its replay ring holds, and answers 404', async () => {
    const sse = await openSse(`${server.url}/sse`);
    const session = server.registry.get(sse.sessionId)!;
    sse.close();
    await waitFor(() => !session.attached, 2000, 'the server to see the stream drop');
    for (let i = 1; i <= 6; i++) session.send(message(i));
    await assert.rejects(openSse(`${server.url}/sse`, { 'Last-Event-ID': `${sse.sessionId}:0` }), (e: { status: number }) => e.status === 404);
    assert.equal(session.closed, true);
    assert.equal(server.registry.get(sse.sessionId), undefined);
  });

  it('resumes from the endpoint event when the stream dropped before any message', async () => {
    const sse = await openSse(`${server.url}/sse`);
    const session = server.registry.get(sse.sessionId)!;
    sse.close();
    await waitFor(() => !session.attached, 2000, 'the server to see the stream drop');
    session.send(message('late'));
    const again = await openSse(`${server.url}/sse`, { 'Last-Event-ID': sse.events[0].id! });
    try {
      assert.deepEqual(await dataOf(again, 1), ['late']);
    } finally {
      again.close();
    }
  });
});

describe('the grace period', () => {
  let server: CoreServer;
  before(async () => {
    server = await startCoreServer({ resumeGraceMs: 100, keepAliveMs: 0 });
  });
  after(() => server.close());

  it('ends the session once the grace period passes; its id then answers 404 on POST and on resume', async () => {
    const closed: string[] = [];
    const remove = server.endpoint.sessionClosed.add((e) => closed.push(e.reason ?? ''));
    const sse = await openSse(`${server.url}/sse`);
    sse.close();
    await waitFor(() => server.registry.get(sse.sessionId) === undefined, 5000, 'the grace period to end');
    remove();
    assert.deepEqual(closed, ['client-disconnected']);
    assert.equal((await postJson(`${server.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'ping' })).status, 404);
    await assert.rejects(openSse(`${server.url}/sse`, { 'Last-Event-ID': `${sse.sessionId}:0` }), (e: { status: number }) => e.status === 404);
  });
});

