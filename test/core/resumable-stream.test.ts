import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, waitFor, type CoreServer } from '../support/core-server';
import { openSse, postJson, type SseConnection } from '../support/sse-client';
import { parseEventId } from '../../src/core/event-log';

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

describe('parseEventId', () => {
  it('reads only ids this package issues', () => {
    assert.deepEqual(parseEventId('4c0ffee0-0000-4000-8000-000000000000:12'), { sessionId: '4c0ffee0-0000-4000-8000-000000000000', seq: 12 });
    for (const bad of ['', '12', '4c0ffee0-0000-4000-8000-000000000000', '4c0ffee0-0000-4000-8000-000000000000:', '4c0ffee0-0000-4000-8000-000000000000:-1',
      '4c0ffee0-0000-4000-8000-000000000000:01', '4c0ffee0-0000-4000-8000-000000000000:99999999999999999', 'x:1']) {
      assert.equal(parseEventId(bad), undefined, bad);
    }
  });
});
