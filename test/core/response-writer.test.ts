/**
 * The two response writers (core/response-writer.ts) through their common interface, with real
 * HTTP responses (test/support/server-streams.ts): what an SSE stream sends for a message, an event
 * and a broadcast (one frame for every stream, written by reference, and intact behind
 * backpressure), and what a JSON reply refuses to carry without losing what it holds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { SseStream, type StreamOwner } from '../../core/sse';
import { JsonReply } from '../../core/json-reply';
import { SharedMessage, type ResponseWriter } from '../../core/response-writer';
import { bodyOf, eventsOf, startResponseServer, type ResponsePair, type ResponseServer } from '../support/server-streams';
import { waitFor } from '../support/core-server';

let server: ResponseServer;
before(async () => {
  server = await startResponseServer();
});
after(() => server.close());

const owner: StreamOwner = { onStreamClosed: () => {}, onQueueOverflow: () => {} };

/** Records every chunk the response is given, by reference, before it goes out. */
function recordWrites(res: http.ServerResponse): unknown[] {
  const chunks: unknown[] = [];
  const write = res.write.bind(res) as (chunk: unknown) => boolean;
  res.write = ((chunk: unknown) => {
    chunks.push(chunk);
    return write(chunk);
  }) as typeof res.write;
  return chunks;
}

const notification = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });

describe('an SSE stream, as a response writer', { timeout: 30_000 }, () => {
  it('carries every kind of message: events with and without an id, and events that are no message', async () => {
    const pair = await server.open();
    const stream: ResponseWriter = new SseStream(pair.res, owner);
    const events = await eventsOf(pair);
    assert.equal(stream.responsesOnly, false);
    stream.writeEvent({ event: 'endpoint', id: 's:0', retry: 500, data: '/message?sessionId=s' });
    stream.writeMessage('{"jsonrpc":"2.0","id":1,"result":{}}', 's:1');
    stream.writeMessage(notification);
    stream.keepAlive();
    stream.end();
    assert.equal(await events.ended, true, 'end() ends it cleanly');
    assert.deepEqual(events.events, [
      { event: 'endpoint', id: 's:0', retry: 500, data: '/message?sessionId=s' },
      { event: 'message', id: 's:1', data: '{"jsonrpc":"2.0","id":1,"result":{}}' },
      { event: 'message', data: notification },
    ]);
    assert.deepEqual(events.comments, ['ping']);
  });

  it('refuses an event whose fields would forge others, and sends nothing of it', async () => {
    const pair = await server.open();
    const stream = new SseStream(pair.res, owner);
    const events = await eventsOf(pair);
    assert.throws(() => stream.writeEvent({ event: 'endpoint\ndata: forged', data: '/x' }), TypeError);
    stream.writeMessage(notification);
    stream.end();
    await events.ended;
    assert.deepEqual(events.events, [{ event: 'message', data: notification }]);
  });

  it('frames a broadcast once and writes that same frame, by reference, to every stream after its own id', async () => {
    const shared = new SharedMessage(notification);
    const pairs: ResponsePair[] = [];
    for (let i = 0; i < 3; i++) pairs.push(await server.open());
    const writes = pairs.map((pair) => recordWrites(pair.res));
    const streams = pairs.map((pair) => new SseStream(pair.res, owner));
    const clients = await Promise.all(pairs.map((pair) => eventsOf(pair)));
    streams.forEach((stream, i) => stream.writeMessage(shared, `s${i}:7`));
    const frame = shared.sseFrame;
    assert.ok(Buffer.isBuffer(frame), 'the frame is built by the first stream that writes it');
    assert.equal(frame.toString('utf8'), `event: message\ndata: ${notification}\n\n`);
    writes.forEach((chunks, i) => {
      assert.equal(chunks[0], `id: s${i}:7\n`, 'its own id line first');
      assert.equal(chunks[1], frame, 'then the one shared frame, not a copy');
    });
    streams.forEach((stream) => stream.end());
    await Promise.all(clients.map((client) => client.ended));
    assert.deepEqual(clients.map((client) => client.events), [0, 1, 2].map((i) => [{ event: 'message', id: `s${i}:7`, data: notification }]));
  });

  it('queues a broadcast behind the frames waiting for drain, and delivers it whole and in order', async () => {
    const pair = await server.open();
    const stream = new SseStream(pair.res, owner);
    const events = await eventsOf(pair);
    const reply = await pair.reply;
    reply.pause();
    const big = (n: number): string => JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { n, pad: 'x'.repeat(16 * 1024) } });
    let sent = 0;
    while (stream.queued === 0 && sent < 20_000) stream.writeMessage(big(++sent), `s:${sent}`);
    stream.writeMessage(new SharedMessage(notification), `s:${sent + 1}`);
    stream.writeMessage(big(sent + 2), `s:${sent + 2}`);
    assert.ok(stream.queued >= 3, 'the broadcast waits with the others');
    reply.resume();
    stream.end();
    assert.equal(await events.ended, true);
    assert.equal(events.events.length, sent + 2);
    assert.deepEqual(events.events.map((event) => event.id), Array.from({ length: sent + 2 }, (_, i) => `s:${i + 1}`));
    assert.deepEqual(events.events[sent], { event: 'message', id: `s:${sent + 1}`, data: notification });
  });
});

describe('a JSON reply, as a response writer', { timeout: 30_000 }, () => {
  it('carries responses only: refuses a broadcast notification, an event id and an SSE event, and loses none of its responses', async () => {
    const pair = await server.open();
    const reply: ResponseWriter = new JsonReply(pair.res, true);
    assert.equal(reply.responsesOnly, true);
    reply.writeMessage('{"jsonrpc":"2.0","id":1,"result":{}}');
    assert.throws(() => reply.writeMessage(new SharedMessage(notification)), TypeError, 'a broadcast is a notification');
    assert.throws(() => reply.writeMessage('{"jsonrpc":"2.0","id":2,"result":{}}', 's:1'), TypeError, 'a JSON body has no event ids');
    assert.throws(() => reply.writeEvent({ id: 's:1', data: '' }), TypeError, 'no priming event');
    assert.throws(() => reply.writeEvent({ event: 'endpoint', data: '/message' }), TypeError, 'no endpoint event');
    reply.keepAlive();
    assert.equal(reply.queued, 0);
    assert.equal(reply.queuedBytes, 0);
    reply.writeMessage('{"jsonrpc":"2.0","id":3,"result":{}}');
    reply.end();
    reply.close();
    assert.equal(reply.closed, true);
    const answer = await bodyOf(pair);
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), [{ jsonrpc: '2.0', id: 1, result: {} }, { jsonrpc: '2.0', id: 3, result: {} }]);
  });

  it('is closed, and sends nothing, once its client has gone', async () => {
    const pair = await server.open();
    const reply = new JsonReply(pair.res, false);
    pair.cut();
    await waitFor(() => reply.closed, 2000, 'the reply to see its client gone');
    reply.writeMessage('{"jsonrpc":"2.0","id":1,"result":{}}');
    reply.end();
    assert.equal(pair.res.headersSent, false);
  });
});
