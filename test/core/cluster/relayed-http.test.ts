/**
 * A relayed request and its answer as the owner's transports see them (core/cluster/relayed-http.ts):
 * the request reads like the client's, and what the transport writes in one turn of the event loop
 * leaves as one message; the answer closes when nobody receives it or the client went away.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelayed, RelayedRequest, RelayedResponse } from '../../../core/cluster/relayed-http';
import { readBodyText } from '../../../core/http';
import type { RelayResponseMessage } from '../../../core/cluster/wire';

describe('relayed request', () => {
  it('carries the method, URL, headers, connection facts and body the client sent, and is marked relayed', async () => {
    const req = new RelayedRequest({ t: 'req', r: 1, from: 'b', route: 'sse-post', method: 'POST', url: '/message?sessionId=x', headers: { host: 'h:1' }, body: '{"a":"é"}', localAddress: '127.0.0.1', encrypted: true });
    assert.equal(isRelayed(req), true);
    assert.equal(isRelayed({}), false);
    assert.deepEqual([req.method, req.url, req.headers, req.socket], ['POST', '/message?sessionId=x', { host: 'h:1' }, { localAddress: '127.0.0.1', encrypted: true }]);
    const text = await new Promise((resolve) => readBodyText(req as never, 100, (_c: undefined, _e, t) => resolve(t), undefined));
    assert.equal(text, '{"a":"é"}');
  });
});

describe('relayed response', () => {
  function capture(receivers = 1): { res: RelayedResponse; sent: RelayResponseMessage[] } {
    const sent: RelayResponseMessage[] = [];
    const res = new RelayedResponse(9, async (m) => {
      sent.push(m);
      return receivers;
    });
    return { res, sent };
  }
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  it('sends status, headers and the writes of one turn together, then later writes, then the end once', async () => {
    const { res, sent } = capture();
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write('a');
    res.write(Buffer.from('b'));
    await tick();
    res.write('c');
    res.end('d');
    await tick();
    assert.deepEqual(sent, [
      { t: 'res', r: 9, status: 200, headers: { 'Content-Type': 'text/event-stream' }, chunks: ['a', 'b'] },
      { t: 'res', r: 9, chunks: ['c', 'd'], end: true },
    ]);
    assert.equal(res.writableEnded, true);
  });

  it('closes, as a socket would, when nobody receives its answer (the relaying instance died) or the client went away', async () => {
    const dead = capture(0);
    let closed = 0;
    dead.res.on('close', () => closed++);
    dead.res.writeHead(200);
    await tick();
    await tick();
    assert.equal(dead.res.destroyed, true);
    assert.equal(dead.res.write('x'), false);
    const live = capture();
    live.res.on('close', () => closed++);
    live.res.destroy();
    live.res.destroy();
    assert.equal(closed, 2);
  });
});
