import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCoreServer, waitFor, type CoreServer } from '../support/core-server';
import { openSse, postJson, type SseConnection } from '../support/sse-client';
import type { PendingOutcome } from '../../core/pending-requests';

interface Settled { outcome: PendingOutcome; id: unknown }

describe('server push over plain node:http', () => {
  let server: CoreServer;
  before(async () => {
    server = await startCoreServer({ keepAliveMs: 0, resumeGraceMs: 60_000 });
  });
  after(() => server.close());

  async function open(): Promise<SseConnection> {
    return openSse(`${server.url}/sse`);
  }
  const post = (sse: SseConnection, body: unknown) => postJson(`${server.url}${sse.endpoint}`, body);
  const next = async (sse: SseConnection) => JSON.parse((await sse.nextEvent()).data) as Record<string, unknown>;
  const session = (sse: SseConnection) => server.registry.get(sse.sessionId)!;

  function ask(sse: SseConnection, method: string, timeoutMs = 60_000): Promise<Settled> {
    return new Promise((resolve) => {
      server.endpoint.send(sse.sessionId, { method, params: { message: 'name?' } }, {
        request: { timeoutMs, settle: (outcome, request) => resolve({ outcome, id: request.id }) },
      });
    });
  }

  it('sends a server-initiated request with a fresh id and routes the POSTed response back to it, not to the flow', async () => {
    const sse = await open();
    try {
      const settled = ask(sse, 'elicitation/create');
      const request = await next(sse);
      assert.deepEqual(request, { jsonrpc: '2.0', id: 1, method: 'elicitation/create', params: { message: 'name?' } });
      const before = server.received.length;
      assert.equal((await post(sse, { jsonrpc: '2.0', id: 1, result: { action: 'accept', content: { name: 'Ada' } } })).status, 202);
      assert.deepEqual(await settled, { outcome: { status: 'result', result: { action: 'accept', content: { name: 'Ada' } } }, id: 1 });
      assert.equal(server.received.length, before, 'the response did not reach the message listeners');
      assert.equal(server.endpoint.protocol.pending.count(), 0);
    } finally {
      sse.close();
    }
  });

  it('never crosses answers between two sessions that use the same ids', async () => {
    const a = await open();
    const b = await open();
    try {
      const fromA = ask(a, 'roots/list');
      const fromB = ask(b, 'roots/list');
      assert.equal((await next(a)).id, 1);
      assert.equal((await next(b)).id, 1);
      await post(b, { jsonrpc: '2.0', id: 1, result: { roots: [{ uri: 'file:///b' }] } });
      await post(a, { jsonrpc: '2.0', id: 1, result: { roots: [{ uri: 'file:///a' }] } });
      assert.deepEqual((await fromA).outcome, { status: 'result', result: { roots: [{ uri: 'file:///a' }] } });
      assert.deepEqual((await fromB).outcome, { status: 'result', result: { roots: [{ uri: 'file:///b' }] } });
    } finally {
      a.close();
      b.close();
    }
  });

  it('ends a request with the client\'s JSON-RPC error, with a timeout, or when the session closes', async () => {
    const sse = await open();
    const failing = ask(sse, 'sampling/createMessage');
    const id = (await next(sse)).id;
    await post(sse, { jsonrpc: '2.0', id, error: { code: -1, message: 'User rejected sampling request' } });
    assert.deepEqual((await failing).outcome, { status: 'error', error: { code: -1, message: 'User rejected sampling request' } });

    const slow = await ask(sse, 'ping', 30);
    assert.equal(slow.outcome.status, 'timeout');
    assert.equal((slow.outcome as { error: { code: number } }).error.code, -32001);
    assert.deepEqual(await next(sse), { jsonrpc: '2.0', id: slow.id, method: 'ping', params: { message: 'name?' } });
    const cancelled = await next(sse);
    assert.equal(cancelled.method, 'notifications/cancelled', 'the client is told the server stopped waiting');
    assert.equal((cancelled.params as { requestId: unknown }).requestId, slow.id);

    const orphan = ask(sse, 'roots/list');
    await next(sse);
    session(sse).close('server-closed');
    assert.equal((await orphan).outcome.status, 'session-closed');
    sse.close();
  });

  it('passes a response that answers nothing pending on to the flow', async () => {
    const sse = await open();
    try {
      const before = server.received.length;
      await post(sse, { jsonrpc: '2.0', id: 99, result: {} });
      assert.equal(server.received.length, before + 1);
      assert.equal(server.received[before].kind, 'response');
    } finally {
      sse.close();
    }
  });

  it('fills the progress token, keeps progress increasing, and sends nothing after the response', async () => {
    const sse = await open();
    try {
      await post(sse, { jsonrpc: '2.0', id: 'call-1', method: 'tools/call', params: { name: 'slow', _meta: { progressToken: 'tok' } } });
      const s = session(sse);
      const progress = (p: number) => server.endpoint.send(s.id, { method: 'notifications/progress', params: { progress: p, total: 3 } }, { requestId: 'call-1' });
      assert.equal(progress(1).sent, true);
      const stale = progress(1);
      assert.equal(stale.sent, false);
      assert.match((stale as { reason: string }).reason, /must increase/);
      assert.equal(progress(2).sent, true);
      assert.equal(server.endpoint.send(s.id, { method: 'notifications/message', params: { level: 'info', data: 'half way' } }, { requestId: 'call-1' }).sent, true);
      assert.equal(server.endpoint.send(s.id, { result: { content: [] } }, { requestId: 'call-1' }).sent, true);
      assert.equal(progress(3).sent, false);
      assert.equal(server.endpoint.send(s.id, { method: 'notifications/message', params: { level: 'info', data: 'late' } }, { requestId: 'call-1' }).sent, false);
      const got = [await next(sse), await next(sse), await next(sse), await next(sse)];
      assert.deepEqual(got[0], { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1, total: 3, progressToken: 'tok' } });
      assert.deepEqual(got[1], { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 2, total: 3, progressToken: 'tok' } });
      assert.equal(got[2].method, 'notifications/message');
      assert.deepEqual(got[3], { jsonrpc: '2.0', id: 'call-1', result: { content: [] } });
    } finally {
      sse.close();
    }
  });

  it('drops progress for a request that asked for none', async () => {
    const sse = await open();
    try {
      await post(sse, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow' } });
      const result = server.endpoint.send(sse.sessionId, { method: 'notifications/progress', params: { progress: 1 } }, { requestId: 5 });
      assert.equal(result.sent, false);
      assert.match((result as { reason: string }).reason, /no progress/);
    } finally {
      sse.close();
    }
  });

  it('passes notifications/cancelled to the flow and drops the later response to that request', async () => {
    const sse = await open();
    try {
      await post(sse, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow' } });
      await post(sse, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'user pressed stop' } });
      assert.equal(server.received.at(-1)?.message && (server.received.at(-1)!.message as { method: string }).method, 'notifications/cancelled');
      const result = server.endpoint.send(sse.sessionId, { result: { content: [] } }, { requestId: 7 });
      assert.equal(result.sent, false);
      assert.match((result as { reason: string }).reason, /cancelled.*user pressed stop/);
      // The stream carries nothing for request 7: the next event is this marker.
      session(sse).send({ jsonrpc: '2.0', method: 'notifications/marker' });
      assert.equal((await next(sse)).method, 'notifications/marker');
    } finally {
      sse.close();
    }
  });

  it('broadcasts one message to every session, each with its own event ids, including one waiting to resume', async () => {
    const streams = await Promise.all([open(), open(), open()]);
    const away = streams[2];
    const awaySession = session(away);
    away.close();
    await waitFor(() => !awaySession.attached, 2000, 'the server to see the stream drop');
    const sent = server.endpoint.broadcast({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.equal(sent, server.endpoint.sessionCount);
    for (const sse of streams.slice(0, 2)) {
      const ev = await sse.nextEvent();
      assert.equal(ev.id, `${sse.sessionId}:1`);
      assert.deepEqual(JSON.parse(ev.data), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    }
    const back = await openSse(`${server.url}/sse`, { 'Last-Event-ID': `${away.sessionId}:0` });
    const ev = await back.nextEvent();
    assert.equal(ev.id, `${away.sessionId}:1`);
    assert.deepEqual(JSON.parse(ev.data), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    for (const sse of [...streams, back]) sse.close();
  });
});
