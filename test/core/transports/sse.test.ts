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
    const cases: Array<{ name: string; query?: (sid: string) => string; headers?: Record<string, string>; body?: string | Buffer; status: number; code: number; id?: unknown }> = [
      { name: 'missing sessionId', query: () => '', status: 400, code: -32000 },
      { name: 'empty sessionId', query: () => '?sessionId=', status: 400, code: -32000 },
      { name: 'malformed sessionId (a control character)', query: () => '?sessionId=abc%0A', status: 400, code: -32000 },
      { name: "another server's sessionId", query: () => '?sessionId=abc', status: 404, code: -32001 },
      { name: 'unknown sessionId', query: () => '?sessionId=00000000-0000-4000-8000-000000000000', status: 404, code: -32001 },
      { name: 'text/plain content type', headers: { 'Content-Type': 'text/plain' }, body: '{}', status: 415, code: -32000 },
      { name: 'no content type', headers: {}, body: '{}', status: 415, code: -32000 },
      { name: 'malformed JSON', body: '{"jsonrpc":', status: 400, code: -32700, id: null },
      { name: 'bytes that are not UTF-8 (a parse error, as the SDK answers)', body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: -32700, id: null },
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

describe('HTTP+SSE: batches by the protocol version the session agreed', () => {
  let server: CoreServer;
  const streams: SseConnection[] = [];
  before(async () => {
    server = await startCoreServer({ keepAliveMs: 0 });
  });
  after(async () => {
    for (const s of streams) s.close();
    await server.close();
  });

  const ping = (id: string | number) => ({ jsonrpc: '2.0', id, method: 'ping' });
  const notification = (i: number) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: i } });

  /** Opens a session; with `version`, initializes it, the flow agreeing to `agreed` (default: the same). */
  async function session(version?: string, agreed = version): Promise<SseConnection> {
    const sse = await openSse(`${server.url}/sse`);
    streams.push(sse);
    if (version === undefined) return sse;
    const init = await postJson(`${server.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    assert.equal(init.status, 202, init.body);
    server.endpoint.send(sse.sessionId, { result: { protocolVersion: agreed, capabilities: {}, serverInfo: { name: 'core-test', version: '1' } } }, { requestId: 'init' });
    assert.equal(JSON.parse((await sse.nextEvent()).data).result.protocolVersion, agreed);
    return sse;
  }

  /** POSTs `body` on the session; asserts a refusal 400 -32600 matching `message`, with nothing reaching the flow. */
  async function refused(sse: SseConnection, body: unknown, message: RegExp): Promise<void> {
    const before = server.received.length;
    const answer = await postJson(`${server.url}${sse.endpoint}`, body);
    assert.equal(answer.status, 400, answer.body);
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.deepEqual((answer.json as { id: unknown }).id, null);
    const error = (answer.json as { error: { code: number; message: string } }).error;
    assert.equal(error.code, -32600);
    assert.match(error.message, message);
    assert.equal(server.received.length, before, 'nothing reached the flow');
  }

  /** POSTs `body` on the session; asserts 202 and that its messages reached the flow, in order. */
  async function accepted(sse: SseConnection, body: unknown[]): Promise<void> {
    const before = server.received.length;
    const answer = await postJson(`${server.url}${sse.endpoint}`, body);
    assert.equal(answer.status, 202, answer.body);
    assert.deepEqual(server.received.slice(before).map((m) => m.message), body);
  }

  for (const version of [undefined, '2024-11-05', '2025-03-26']) {
    it(`takes a batch on a session of ${version ?? 'HTTP+SSE before initialize (2024-11-05)'}, and answers each request on the stream`, async () => {
      const sse = await session(version);
      await accepted(sse, [ping('a'), notification(1), ping('b')]);
      server.endpoint.send(sse.sessionId, { result: {} }, { requestId: 'a' });
      server.endpoint.send(sse.sessionId, { result: {} }, { requestId: 'b' });
      assert.deepEqual([JSON.parse((await sse.nextEvent()).data).id, JSON.parse((await sse.nextEvent()).data).id], ['a', 'b']);
    });
  }

  for (const version of ['2025-06-18', '2025-11-25']) {
    it(`refuses a batch on a session that agreed ${version} with 400 -32600 naming the version; single messages go on`, async () => {
      const sse = await session(version);
      await refused(sse, [ping('a'), ping('b')], new RegExp(`^Invalid Request: batching is not supported in protocol version ${version}$`));
      await refused(sse, [ping('alone')], /batching is not supported/);
      assert.equal((await postJson(`${server.url}${sse.endpoint}`, ping('single'))).status, 202);
      server.endpoint.send(sse.sessionId, { result: {} }, { requestId: 'single' });
      assert.equal(JSON.parse((await sse.nextEvent()).data).id, 'single');
    });
  }

  it('goes by the version the initialize answer agreed, not the one asked for', async () => {
    await accepted(await session('2025-11-25', '2024-11-05'), [ping('x'), ping('y')]);
    await refused(await session('2025-03-26', '2025-06-18'), [ping('x'), ping('y')], /protocol version 2025-06-18/);
  });

  it('takes at most 100 messages in a batch by default: 101 get 400 -32600', async () => {
    const sse = await session('2024-11-05');
    await accepted(sse, Array.from({ length: 100 }, (_, i) => notification(i)));
    await refused(sse, Array.from({ length: 101 }, (_, i) => notification(i)), /^Invalid Request: a batch of 101 messages; this endpoint takes at most 100 in one batch$/);
  });

  it('takes at most maxBatchSize messages in a batch when it is set', async () => {
    const small = await startCoreServer({ keepAliveMs: 0, maxBatchSize: 2 });
    const sse = await openSse(`${small.url}/sse`);
    try {
      assert.equal((await postJson(`${small.url}${sse.endpoint}`, [notification(1), notification(2)])).status, 202);
      const over = await postJson(`${small.url}${sse.endpoint}`, [notification(1), notification(2), notification(3)]);
      assert.equal(over.status, 400);
      assert.deepEqual((over.json as { error: unknown }).error, { code: -32600, message: 'Invalid Request: a batch of 3 messages; this endpoint takes at most 2 in one batch' });
      assert.equal(small.received.length, 2);
    } finally {
      sse.close();
      await small.close();
    }
  });

  it('never takes initialize in a batch, even alone in an array', async () => {
    const sse = await session();
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    await refused(sse, [initialize, { jsonrpc: '2.0', method: 'notifications/initialized' }], /^Invalid Request: initialize must be sent alone, not in a batch$/);
    await refused(sse, [initialize], /initialize must be sent alone/);
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

