/**
 * core/session.ts on its own, with real HTTP responses (test/support/server-streams.ts) and no
 * endpoint or transport around it: numbered events on the session's own stream and what info()
 * counts, the idle clock, close and its reasons (the client left, the grace period ran out, a
 * stalled client overflowed the queue, idle limits), resumption with the events a client missed,
 * and which stream a Streamable HTTP message takes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session, SessionClosedError, type CloseReason, type SessionOptions } from '../../core/session';
import { SseStream } from '../../core/sse';
import { JsonReply } from '../../core/json-reply';
import { SharedMessage } from '../../core/response-writer';
import type { JsonRpcMessage } from '../../core/jsonrpc';
import { bodyOf, eventsOf, startResponseServer, type ResponsePair, type ResponseServer } from '../support/server-streams';
import { messagesOf } from '../support/streamable-client';
import type { EventStream } from '../support/sse-client';
import { waitFor } from '../support/core-server';

let server: ResponseServer;
before(async () => {
  server = await startResponseServer();
});
after(() => server.close());

/** A session, and what it told whoever opened it. */
function newSession(options: Partial<SessionOptions> = {}): { session: Session; closes: CloseReason[]; warnings: string[] } {
  const closes: CloseReason[] = [];
  const warnings: string[] = [];
  const session = new Session(randomUUID(), 'ep1', {
    transport: 'sse',
    queueLimits: { messages: 1000, bytes: 8 * 1024 * 1024 },
    resumeGraceMs: 0,
    replayEvents: 100,
    endsWithStream: true,
    onClose: (_session, reason) => closes.push(reason),
    onWarning: (text) => warnings.push(text),
    ...options,
  });
  return { session, closes, warnings };
}

/** A new SSE response whose owner is `session`. */
async function streamOf(session: Session): Promise<{ pair: ResponsePair; stream: SseStream; events: EventStream }> {
  const pair = await server.open();
  const stream = new SseStream(pair.res, session, session.queueLimits);
  return { pair, stream, events: await eventsOf(pair) };
}

/** A new SSE response attached as the session's own stream. */
async function attached(session: Session): Promise<{ pair: ResponsePair; stream: SseStream; events: EventStream }> {
  const opened = await streamOf(session);
  session.attach(opened.stream);
  return opened;
}

const note = (n: number): JsonRpcMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: n } });

describe('a session', { timeout: 30_000 }, () => {
  it('sends each message as a numbered `message` event on its own stream, and counts what it sent', async () => {
    const { session } = newSession();
    const { events } = await attached(session);
    session.sendEvent({ event: 'endpoint', data: '/message?sessionId=x' });
    assert.equal(session.send(note(1)), true);
    assert.equal(session.send(note(2)), true);
    await waitFor(() => events.events.length === 3, 2000, 'three events');
    assert.deepEqual(events.events, [
      { event: 'endpoint', data: '/message?sessionId=x' },
      { event: 'message', id: `${session.id}:1`, data: JSON.stringify(note(1)) },
      { event: 'message', id: `${session.id}:2`, data: JSON.stringify(note(2)) },
    ]);
    const info = session.info();
    assert.deepEqual({ ...info, createdAt: 0 }, { id: session.id, endpointId: 'ep1', transport: 'sse', createdAt: 0, sent: 3, queued: 0, queuedBytes: 0 });
    assert.ok(Math.abs(info.createdAt - Date.now()) < 60_000);
    assert.deepEqual(JSON.parse(JSON.stringify(session)), info, 'what JSON shows: the facts, no socket');
    session.close('server-closed');
  });

  it('over Streamable HTTP, numbers its events only when a client can resume them', async () => {
    const plain = newSession({ transport: 'streamable-http', endsWithStream: false }).session;
    const resumable = newSession({ transport: 'streamable-http', endsWithStream: false, resumeGraceMs: 1000 }).session;
    const a = await attached(plain);
    const b = await attached(resumable);
    plain.send(note(1));
    resumable.send(note(1));
    await waitFor(() => a.events.events.length === 1 && b.events.events.length === 1, 2000, 'one event each');
    assert.equal(a.events.events[0].id, undefined, 'no id a client would try to resume with in vain');
    assert.equal(b.events.events[0].id, `${resumable.id}:1`);
    plain.close('server-closed');
    resumable.close('server-closed');
  });

  it('restarts its idle clock with touch() and with every message it sends', async () => {
    const { session } = newSession();
    await sleep(30);
    const idle = session.idleFor();
    assert.ok(idle >= 25, `idle for ${idle} ms`);
    session.touch();
    assert.ok(session.idleFor() < idle);
    await sleep(30);
    assert.equal(session.send(note(1)), false, 'no stream yet: the message has nowhere to go');
    assert.ok(session.idleFor() >= 25, 'a message that went nowhere is no activity');
    await attached(session);
    assert.equal(session.send(note(2)), true);
    assert.ok(session.idleFor() < 25);
    session.close('server-closed');
  });

  it('close(reason) ends its streams cleanly, tells its opener once with the first reason, and refuses to send afterwards', async () => {
    const { session, closes } = newSession();
    const { events } = await attached(session);
    session.close('server-closed');
    session.close('idle-timeout');
    assert.equal(await events.ended, true, 'the client sees the stream end, not a reset');
    assert.deepEqual(closes, ['server-closed']);
    assert.equal(session.closed, true);
    assert.equal(session.streaming, false);
    assert.throws(() => session.send(note(1)), (error: unknown) => error instanceof SessionClosedError && error.sessionId === session.id);
    assert.throws(() => session.sendShared(new SharedMessage('{}')), SessionClosedError);
    assert.throws(() => session.sendEvent({ event: 'endpoint', data: 'x' }), SessionClosedError);
  });

  it('over HTTP+SSE without resumption, ends with its stream: client-disconnected', async () => {
    const { session, closes } = newSession();
    const { pair } = await attached(session);
    pair.cut();
    await waitFor(() => closes.length === 1, 2000, 'the session to close');
    assert.deepEqual(closes, ['client-disconnected']);
  });

  it('when resumable, waits the grace period for its client: resumed in time, it replays what the client missed, in order, then goes on', async () => {
    const { session, closes } = newSession({ resumeGraceMs: 200 });
    const first = await attached(session);
    session.send(note(1));
    await first.events.nextEvent();
    first.pair.cut();
    await waitFor(() => !session.attached, 2000, 'the stream to drop');
    // While the client is away, messages wait in the replay ring.
    assert.equal(session.send(note(2)), true);
    assert.equal(session.send(note(3)), true);
    assert.equal(session.canResume(99), false, 'an event it never sent');
    assert.equal(session.canResume(1), true);
    const second = await streamOf(session);
    assert.equal(session.resume(second.stream, 1, { event: 'endpoint', data: '/again' }), true);
    session.send(note(4));
    await waitFor(() => second.events.events.length === 4, 2000, 'the replay and the live message');
    assert.deepEqual(second.events.events.map((e) => [e.event, e.id, e.data]), [
      ['endpoint', undefined, '/again'],
      ['message', `${session.id}:2`, JSON.stringify(note(2))],
      ['message', `${session.id}:3`, JSON.stringify(note(3))],
      ['message', `${session.id}:4`, JSON.stringify(note(4))],
    ]);
    await sleep(300);
    assert.deepEqual(closes, [], 'resumed within the grace period: still open');
    // Cut again and not resumed: it ends once the grace period is over.
    second.pair.cut();
    await waitFor(() => closes.length === 1, 2000, 'the session to end after its grace period');
    assert.deepEqual(closes, ['client-disconnected']);
    assert.equal(session.resume((await streamOf(session)).stream, 4), false, 'an ended session cannot be resumed');
  });

  it('numbers a broadcast like any message, keeps it while its client is away, and replays it with its own id on resume', async () => {
    const a = newSession({ resumeGraceMs: 1000 });
    const b = newSession({ resumeGraceMs: 1000 });
    const first = await attached(a.session);
    const other = await attached(b.session);
    a.session.send(note(1));
    await first.events.nextEvent();
    first.pair.cut();
    await waitFor(() => !a.session.attached, 2000, 'the stream to drop');
    const listChanged = { jsonrpc: '2.0', method: 'notifications/tools/list_changed' };
    const shared = new SharedMessage(JSON.stringify(listChanged));
    assert.equal(a.session.sendShared(shared), true, 'kept for its client to resume');
    assert.equal(b.session.sendShared(shared), true);
    await waitFor(() => other.events.events.length === 1, 2000, 'the broadcast on the other session');
    assert.deepEqual(other.events.events, [{ event: 'message', id: `${b.session.id}:1`, data: JSON.stringify(listChanged) }]);
    const second = await streamOf(a.session);
    assert.equal(a.session.resume(second.stream, 1), true);
    await waitFor(() => second.events.events.length === 1, 2000, 'the replayed broadcast');
    assert.deepEqual(second.events.events, [{ event: 'message', id: `${a.session.id}:2`, data: JSON.stringify(listChanged) }]);
    a.session.close('server-closed');
    b.session.close('server-closed');
  });

  it('closes with queue-overflow when its client does not read its stream, and says why', async () => {
    const { session, closes, warnings } = newSession({ queueLimits: { messages: 5, bytes: Infinity } });
    const { pair } = await attached(session);
    (await pair.reply).pause();
    const big = 'x'.repeat(64 * 1024);
    let mostQueued = 0;
    let refused: unknown;
    for (let i = 0; i < 5000 && refused === undefined; i++) {
      try {
        session.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: big } });
        mostQueued = Math.max(mostQueued, session.info().queued);
      } catch (error) {
        refused = error;
      }
    }
    assert.ok(refused instanceof SessionClosedError, 'the message that overflowed the queue is refused');
    assert.equal(mostQueued, 5, 'up to the bound waited for drain');
    assert.deepEqual(closes, ['queue-overflow']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`^MCP session ${session.id} closed: more than 5 messages waiting for a client that does not read its stream$`));
  });

  it('closes with idle-timeout after idleMs with no message either way (a warning), or after streamlessMs with no open stream (none)', async () => {
    const idle = newSession();
    idle.session.expireWhenIdle(50, 0);
    await waitFor(() => idle.closes.length === 1, 2000, 'the idle session to close');
    assert.deepEqual(idle.closes, ['idle-timeout']);
    assert.deepEqual(idle.warnings, [`MCP session ${idle.session.id} closed: no message either way for 0.05 s`]);

    const streamless = newSession({ transport: 'streamable-http', endsWithStream: false });
    const { pair } = await attached(streamless.session);
    streamless.session.expireWhenIdle(0, 50);
    await sleep(200);
    assert.deepEqual(streamless.closes, [], 'an open stream keeps it');
    pair.cut();
    await waitFor(() => streamless.closes.length === 1, 2000, 'the streamless session to close');
    assert.deepEqual(streamless.closes, ['idle-timeout']);
    assert.deepEqual(streamless.warnings, [], 'the normal end of a client that left without DELETE');
  });

  describe('over Streamable HTTP', () => {
    it('sends a response, and what is about its request, on the stream of the POST that carried it, which ends with the last answer; the rest on the GET stream', async () => {
      const { session } = newSession({ transport: 'streamable-http', endsWithStream: false });
      const get = await attached(session);
      const post = await streamOf(session);
      session.openRequestChannel(post.stream, [1, 'two']);
      session.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } }, 1);
      session.send(note(1));
      session.send({ jsonrpc: '2.0', id: 1, result: { one: true } });
      assert.equal(post.stream.closed, false, 'request "two" is still to be answered');
      session.send({ jsonrpc: '2.0', id: 'two', result: { two: true } });
      assert.equal(await post.events.ended, true, 'the POST stream ends cleanly after its last answer');
      assert.deepEqual(messagesOf(post.events), [
        { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } },
        { jsonrpc: '2.0', id: 1, result: { one: true } },
        { jsonrpc: '2.0', id: 'two', result: { two: true } },
      ]);
      await waitFor(() => get.events.events.length === 1, 2000, 'the notification on the GET stream');
      assert.deepEqual(messagesOf(get.events), [note(1)]);
      // A response with no POST stream to go on never goes on the GET stream.
      assert.equal(session.send({ jsonrpc: '2.0', id: 3, result: {} }), false);
      assert.equal(session.attached, true);
      session.close('client-deleted');
      assert.equal(await get.events.ended, true);
    });

    it('answers a POST in JSON response mode with one body, once every request it carried is answered', async () => {
      const { session } = newSession({ transport: 'streamable-http', endsWithStream: false });
      const get = await attached(session);
      const pair = await server.open();
      session.openRequestChannel(new JsonReply(pair.res, true, { 'Mcp-Session-Id': session.id }), [1, 2]);
      // Nothing but responses goes in a JSON body: a message about request 1 takes the GET stream.
      session.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } }, 1);
      session.send({ jsonrpc: '2.0', id: 2, result: { second: true } });
      session.send({ jsonrpc: '2.0', id: 1, result: { first: true } });
      const answer = await bodyOf(pair);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.equal(answer.headers['mcp-session-id'], session.id);
      assert.deepEqual(JSON.parse(answer.body), [{ jsonrpc: '2.0', id: 2, result: { second: true } }, { jsonrpc: '2.0', id: 1, result: { first: true } }]);
      await waitFor(() => get.events.events.length === 1, 2000, 'the progress on the GET stream');
      assert.deepEqual(messagesOf(get.events), [{ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: 1 } }]);
      session.close('client-deleted');
    });
  });
});
