import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import path from 'node:path';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { resumingFetch } from '../support/resuming-fetch';

const SERVER_PUSH_EXAMPLE = path.join(PACKAGE_ROOT as string, 'examples', 'server-push.json');
const text = (result: { content?: unknown }) => (result.content as Array<{ text: string }>)[0].text;

describe('a stream cut mid-call, in the real node-red, with the official SDK client', () => {
  let nodeRed: RunningNodeRed;
  let proxy: TcpProxy;
  before(async () => {
    nodeRed = await startNodeRedWith(SERVER_PUSH_EXAMPLE);
    proxy = await startTcpProxy(nodeRed.url);
  });
  after(async () => {
    await proxy.close();
    await nodeRed.stop();
  });

  it('the client reconnects with Last-Event-ID, gets its session back, and still receives the progress and the response', async () => {
    const client = new Client({ name: 'resume-e2e', version: '1.0.0' });
    const transportErrors: string[] = [];
    client.onerror = (error) => transportErrors.push(error.message);
    const transport = new SSEClientTransport(new URL(`${proxy.url}/push/sse`), { fetch: resumingFetch() });
    await client.connect(transport);
    // Everything the client's transport receives, in order (the SDK's onprogress loses progress
    // that arrives in the same chunk as the response, as a replay does; see the README).
    const received: Array<{ method?: string; id?: unknown; params?: { progress?: number } }> = [];
    const deliver = transport.onmessage!;
    transport.onmessage = (message, extra) => {
      received.push(message as never);
      deliver(message, extra);
    };
    try {
      let cuts = 0;
      const result = await client.callTool({ name: 'count', arguments: { steps: 4, delayMs: 300 } }, undefined, {
        onprogress: (p) => {
          // Cut the live stream as soon as the first progress arrives: the rest of the call's
          // events are sent while the client is away or reconnecting.
          if (p.progress === 1) cuts += proxy.cut('GET /push/sse');
        },
      });
      assert.equal(cuts, 1, 'one live SSE connection was cut');
      assert.equal(text(result), 'counted to 4');
      const progress = received.filter((m) => m.method === 'notifications/progress').map((m) => m.params?.progress);
      assert.deepEqual(progress, [1, 2, 3, 4], 'every progress notification arrived once, in order');
      const responses = received.filter((m) => m.method === undefined);
      assert.equal(responses.length, 1, 'one response');
      assert.equal(received.at(-1), responses[0], 'after every progress notification');
      assert.ok(transportErrors.length >= 1, 'the client noticed the stream drop');
      const streams = proxy.connections.filter((c) => c.sent.includes('GET /push/sse'));
      assert.equal(streams.length, 2, 'the client opened the stream again');
      const resumedFrom = /last-event-id: *([^\r\n]+)/i.exec(streams[1].sent)?.[1];
      assert.match(resumedFrom ?? '', /^[0-9a-f-]{36}:[1-9][0-9]*$/, 'the reconnect named the last event it had');
      // Same session: it keeps working over the resumed stream.
      assert.equal(text(await client.callTool({ name: 'count', arguments: { steps: 1, delayMs: 0 } })), 'counted to 1');
      assert.equal(proxy.connections.filter((c) => c.sent.includes('GET /push/sse')).length, 2, 'no further new stream');
    } finally {
      await client.close();
    }
  });
});
