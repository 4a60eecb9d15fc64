/**
 * core/channel.ts on its own, with real HTTP responses (test/support/server-streams.ts): where a
 * message goes among a session's channels, when a POST's channel ends (after its last answer, and
 * only once what waits for drain has gone out, in order), what a stream that drops leaves behind,
 * and the one-body answer of JSON response mode.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Channels, idKey } from '../../core/channel';
import { JsonReply } from '../../core/json-reply';
import { SseStream, type StreamOwner } from '../../core/sse';
import { bodyOf, eventsOf, startResponseServer, type ResponsePair, type ResponseServer } from '../support/server-streams';
import type { EventStream } from '../support/sse-client';
import { waitFor } from '../support/core-server';

let server: ResponseServer;
before(async () => {
  server = await startResponseServer();
});
after(() => server.close());

/** An owner that only notes what its streams told it. */
function owner(): StreamOwner & { closed: SseStream[]; overflows: string[] } {
  const closed: SseStream[] = [];
  const overflows: string[] = [];
  return { closed, overflows, onStreamClosed: (stream) => closed.push(stream), onQueueOverflow: (_stream, detail) => overflows.push(detail) };
}

/** A new SSE response, and what its client receives. */
async function sse(streamOwner: StreamOwner = owner()): Promise<{ pair: ResponsePair; stream: SseStream; events: EventStream }> {
  const pair = await server.open();
  const stream = new SseStream(pair.res, streamOwner);
  return { pair, stream, events: await eventsOf(pair) };
}

const frame = (n: number): string => `event: message\ndata: ${JSON.stringify({ n, pad: 'x'.repeat(16 * 1024) })}\n\n`;

describe('channels', { timeout: 30_000 }, () => {
  it('tell a number id 1 from a string id "1"', () => {
    assert.notEqual(idKey(1), idKey('1'));
    assert.equal(idKey('a'), idKey('a'));
  });

  it('route a response to the POST of its request, a message about a request to that POST\'s stream, and the rest to the session\'s own stream', async () => {
    const channels = new Channels();
    const own = channels.ensure(0);
    own.writer = (await sse()).stream;
    const post = channels.openRequest((await sse()).stream, [1, 'a']);
    assert.notEqual(post.key, 0);
    assert.deepEqual(channels.route(true, 1, false), { channel: post, answers: idKey(1) });
    assert.deepEqual(channels.route(true, 'a', false), { channel: post, answers: idKey('a') });
    assert.deepEqual(channels.route(false, 1, false), { channel: post }, 'progress about request 1');
    assert.deepEqual(channels.route(false, undefined, false), { channel: own }, 'a notification about nothing');
    assert.deepEqual(channels.route(false, '1', false), { channel: own }, 'about a request no POST carries');
    assert.equal(channels.route(true, 2, false), undefined, 'Streamable HTTP: a response never goes on the standalone stream');
    assert.deepEqual(channels.route(true, 2, true), { channel: own }, 'HTTP+SSE: every response goes on the one stream');
    channels.closeAll();
  });

  it('send nothing but responses to a POST answered in JSON response mode', async () => {
    const channels = new Channels();
    const own = channels.ensure(0);
    own.writer = (await sse()).stream;
    const pair = await server.open();
    const json = channels.openRequest(new JsonReply(pair.res, false), [7]);
    assert.equal(json.writer?.responsesOnly, true);
    assert.deepEqual(channels.route(false, 7, false), { channel: own }, 'a message about request 7 takes the session\'s own stream');
    assert.deepEqual(channels.route(true, 7, false), { channel: json, answers: idKey(7) });
    channels.closeAll();
  });

  it('end a POST\'s channel after its last answer, not before, and forget it', async () => {
    const channels = new Channels();
    const { stream, events } = await sse();
    const post = channels.openRequest(stream, [1, 2]);
    stream.send(frame(1));
    channels.answered(post, idKey(1));
    assert.equal(channels.get(post.key), post, 'request 2 is still to be answered');
    assert.equal(stream.closed, false);
    stream.send(frame(2));
    channels.answered(post, idKey(2));
    assert.equal(channels.get(post.key), undefined);
    assert.equal(await events.ended, true, 'the client sees the stream end cleanly');
    assert.deepEqual(events.events.map((e) => JSON.parse(e.data).n), [1, 2]);
    assert.equal(channels.route(true, 2, false), undefined, 'an answer to it again has nowhere to go');
  });

  it('end a finished POST stream only once the frames waiting for drain have gone out, in order; nothing sent after finish goes out', async () => {
    const channels = new Channels();
    const { pair, stream, events } = await sse();
    const post = channels.openRequest(stream, [1]);
    const reply = await pair.reply;
    reply.pause();
    let sent = 0;
    while (stream.queued === 0 && sent < 20_000) stream.send(frame(++sent));
    for (let i = 0; i < 10; i++) stream.send(frame(++sent));
    assert.ok(stream.queued >= 10, 'frames wait for drain');
    post.finish();
    assert.equal(post.writer, undefined);
    stream.send(frame(sent + 1));
    assert.equal(stream.closed, false, 'not ended while frames wait');
    reply.resume();
    assert.equal(await events.ended, true, 'ended cleanly once drained');
    assert.deepEqual(events.events.map((e) => JSON.parse(e.data).n), Array.from({ length: sent }, (_, i) => i + 1), 'every frame, in order, and not the one sent after finish');
    channels.closeAll();
  });

  it('lose a dropped stream\'s channel, and its requests, unless the session can be resumed', async () => {
    const channels = new Channels();
    const kept = await sse();
    const dropped = await sse();
    const resumable = channels.openRequest(kept.stream, [1]);
    const gone = channels.openRequest(dropped.stream, [2]);
    assert.equal(channels.streaming, true);
    assert.equal(channels.release(kept.stream, true), resumable);
    assert.equal(resumable.writer, undefined);
    assert.equal(channels.get(resumable.key), resumable, 'kept for the client to resume');
    assert.deepEqual(channels.route(true, 1, false), { channel: resumable, answers: idKey(1) }, 'its answer still goes there (to the replay ring)');
    assert.equal(channels.release(dropped.stream, false), gone);
    assert.equal(channels.get(gone.key), undefined);
    assert.equal(channels.route(true, 2, false), undefined, 'its answer has nowhere to go');
    assert.equal(channels.release(dropped.stream, false), undefined, 'a stream it no longer has');
    assert.equal(channels.streaming, false, 'no channel has an open writer');
    kept.stream.close();
    dropped.stream.close();
  });

  it('closeAll ends every writer and forgets every channel', async () => {
    const channels = new Channels();
    const a = await sse();
    const b = await sse();
    channels.ensure(0).writer = a.stream;
    channels.openRequest(b.stream, [1]);
    channels.closeAll();
    assert.deepEqual(await Promise.all([a.events.ended, b.events.ended]), [true, true]);
    assert.equal(channels.get(0), undefined);
    assert.equal(channels.route(true, 1, true), undefined);
    assert.equal(channels.streaming, false);
  });
});

describe('a JSON reply (JSON response mode)', { timeout: 30_000 }, () => {
  it('answers one request with one object, with its headers and its length', async () => {
    const pair = await server.open();
    const reply = new JsonReply(pair.res, false, { 'Mcp-Session-Id': 's-1' });
    reply.writeMessage('{"jsonrpc":"2.0","id":1,"result":{}}');
    assert.equal(reply.closed, false);
    reply.close();
    reply.close();
    assert.equal(reply.closed, true);
    const answer = await bodyOf(pair);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['mcp-session-id'], 's-1');
    assert.equal(answer.headers['content-length'], String(answer.body.length));
    assert.deepEqual(JSON.parse(answer.body), { jsonrpc: '2.0', id: 1, result: {} });
  });

  it('answers a batch with an array, even of one, and takes the status of a single answer from statusOf', async () => {
    const batch = await server.open();
    const inBatch = new JsonReply(batch.res, true, {}, () => 404);
    inBatch.writeMessage('{"jsonrpc":"2.0","id":1,"result":{}}');
    inBatch.close();
    const batchAnswer = await bodyOf(batch);
    assert.equal(batchAnswer.status, 200, 'statusOf is for a single answer');
    assert.deepEqual(JSON.parse(batchAnswer.body), [{ jsonrpc: '2.0', id: 1, result: {} }]);

    const single = await server.open();
    const notFound = new JsonReply(single.res, false, {}, (json) => (JSON.parse(json).error?.code === -32601 ? 404 : 200));
    notFound.writeMessage('{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}');
    notFound.close();
    assert.equal((await bodyOf(single)).status, 404);
  });

  it('is closed once its client has gone', async () => {
    const pair = await server.open();
    const reply = new JsonReply(pair.res, false);
    pair.cut();
    await waitFor(() => reply.closed, 2000, 'the reply to see its client gone');
    reply.writeMessage('{"jsonrpc":"2.0","id":1,"result":{}}');
    reply.close();
  });
});
