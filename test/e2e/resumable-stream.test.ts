import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { Client as ClientV2, SSEClientTransport as SSEClientTransportV2 } from '@modelcontextprotocol/client';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { resumingFetch } from '../support/resuming-fetch';

const SERVER_PUSH_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'server-push.json');

const text = (result: unknown) => (result as { content: Array<{ text: string }> }).content[0].text;

type Received = { method?: string; id?: unknown; params?: { progress?: number } };

/** What the scenario needs of a client, whichever SDK generation it comes from. */
interface SdkClient {
  /** Everything the client's transport received since connecting, in order. */
  received: Received[];
  /** Errors the client reported (a dropped stream is one). */
  errors: string[];
  count(steps: number, delayMs: number, onprogress: (progress: number) => void): Promise<unknown>;
  close(): Promise<void>;
}

interface WrappableTransport {
  onmessage?: (message: never, extra?: never) => void;
}

/** Records what `transport` delivers to its client (call after connect). */
function record(transport: WrappableTransport): Received[] {
  const received: Received[] = [];
  const deliver = transport.onmessage!;
  transport.onmessage = (message, extra) => {
    received.push(message as Received);
    deliver(message, extra);
  };
  return received;
}

for (const version of NODE_RED_VERSIONS) describe(`a stream cut mid-call, in the real node-red, with the official SDK clients, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  let proxy: TcpProxy;
  before(async () => {
    nodeRed = await startNodeRedWith(SERVER_PUSH_EXAMPLE, { node: version.node, bin: version.bin });
    assertRunsOn(version, nodeRed.output());
    proxy = await startTcpProxy(nodeRed.url);
  });
  after(async () => {
    await proxy.close();
    await nodeRed.stop();
  });

  /**
   * Calls the `count` tool, cuts the live SSE connection (both sockets, as a network would) as
   * soon as the first progress arrives, and checks that the client still gets every progress
   * notification and the response, over a stream it reopened with `Last-Event-ID`, in the same
   * session.
   */
  async function cutMidCall(client: SdkClient): Promise<void> {
    const streamsBefore = proxy.connections.filter((c) => c.sent.includes('GET /push/sse')).length;
    let cuts = 0;
    const result = await client.count(4, 300, (progress) => {
      // The rest of the call's events are sent while the client is away or reconnecting.
      if (progress === 1) cuts += proxy.cut('GET /push/sse');
    });
    assert.equal(cuts, 1, 'one live SSE connection was cut');
    assert.equal(text(result), 'counted to 4');
    const progress = client.received.filter((m) => m.method === 'notifications/progress').map((m) => m.params?.progress);
    assert.deepEqual(progress, [1, 2, 3, 4], 'every progress notification arrived once, in order');
    const responses = client.received.filter((m) => m.method === undefined);
    assert.equal(responses.length, 1, 'one response');
    assert.equal(client.received.at(-1), responses[0], 'after every progress notification');
    assert.ok(client.errors.length >= 1, 'the client noticed the stream drop');
    const streams = proxy.connections.filter((c) => c.sent.includes('GET /push/sse')).slice(streamsBefore);
    assert.equal(streams.length, 1, 'the client opened the stream again, once');
    const resumedFrom = /last-event-id: *([^\r\n]+)/i.exec(streams[0].sent)?.[1];
    assert.match(resumedFrom ?? '', /^[0-9a-f-]{36}:[1-9][0-9]*$/, 'the reconnect named the last event it had');
    // Same session: it keeps working over the resumed stream, with no further new stream.
    assert.equal(text(await client.count(1, 0, () => {})), 'counted to 1');
    assert.equal(proxy.connections.filter((c) => c.sent.includes('GET /push/sse')).length, streamsBefore + 1);
  }

  it('@modelcontextprotocol/sdk 1.32: reconnects with Last-Event-ID, gets its session back and every missed event', async () => {
    const client = new Client({ name: 'resume-e2e', version: '1.0.0' });
    const errors: string[] = [];
    client.onerror = (error) => errors.push(error.message);
    const transport = new SSEClientTransport(new URL(`${proxy.url}/push/sse`), { fetch: resumingFetch() });
    await client.connect(transport);
    const received = record(transport as unknown as WrappableTransport);
    try {
      await cutMidCall({
        received,
        errors,
        count: (steps, delayMs, onprogress) => client.callTool({ name: 'count', arguments: { steps, delayMs } }, undefined, { onprogress: (p) => onprogress(p.progress) }),
        close: () => client.close(),
      });
    } finally {
      await client.close();
    }
  });

  it('@modelcontextprotocol/client 2.4: the same', async () => {
    const client = new ClientV2({ name: 'resume-e2e-v2', version: '1.0.0' });
    const errors: string[] = [];
    client.onerror = (error) => errors.push(error.message);
    const transport = new SSEClientTransportV2(new URL(`${proxy.url}/push/sse`), { fetch: resumingFetch() });
    await client.connect(transport);
    const received = record(transport as unknown as WrappableTransport);
    try {
      await cutMidCall({
        received,
        errors,
        count: (steps, delayMs, onprogress) => client.callTool({ name: 'count', arguments: { steps, delayMs } }, { onprogress: (p) => onprogress(p.progress) }),
        close: () => client.close(),
      });
    } finally {
      await client.close();
    }
  });
});
