/**
 * The server-push example (examples/server-push.json: `/push/sse` and `/push/mcp`, resumption on)
 * in the real node-red, on each Node-RED version, with the official SDK clients: one suite run over
 * both transports, HTTP+SSE and Streamable HTTP. Progress and logging while a tool works, progress
 * nobody asked for, elicitation (accepted, declined, impossible), concurrent sessions kept apart,
 * cancellation, a tools/list_changed broadcast, and a stream cut mid-call that the SDK clients
 * (v1 and v2) resume by themselves with `Last-Event-ID`. Then one scenario mixing both transports.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ClientV2, SSEClientTransport as SSEClientTransportV2, StreamableHTTPClientTransport as StreamableHTTPClientTransportV2 } from '@modelcontextprotocol/client';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { request } from '../support/sse-client';
import { waitFor } from '../support/core-server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { resumingFetch } from '../support/resuming-fetch';
import { connectPushClient, recordDelivered, text, type ElicitHandler, type PushClient, type Received } from '../support/push-client';

const SERVER_PUSH_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'server-push.json');

/** How long the stream-cut calls wait for their response (the SDK's default is 60 s): a client that could not resume fails fast. */
const CALL_TIMEOUT_MS = 15_000;

type TransportKind = 'sse' | 'streamable-http';

/** Each transport of the example, and how a client of it resumes a cut stream. */
interface TransportCase {
  kind: TransportKind;
  name: string;
  /** The path the SDK client is given. */
  path: string;
  /** Whether the connection whose requests are `sent` carries the stream of a running `count` call of 4 steps (the one to cut). */
  carriesCall(sent: string): boolean;
  /** Whether the request `head` reopens a stream after the cut. */
  reopens(head: string): boolean;
}

const TRANSPORTS: TransportCase[] = [
  {
    kind: 'sse',
    name: 'HTTP+SSE',
    path: '/push/sse',
    // The session's one stream carries everything.
    carriesCall: (sent) => requests(sent).at(-1)?.startsWith('GET /push/sse ') === true,
    // The client opens the stream again (with Last-Event-ID).
    reopens: (head) => head.startsWith('GET /push/sse '),
  },
  {
    kind: 'streamable-http',
    name: 'Streamable HTTP',
    path: '/push/mcp',
    // The stream of the POST that carried the call (an earlier test's connection may still be open, idle).
    carriesCall: (sent) => /^POST \/push\/mcp [^]*"tools\/call".*"steps":4\b/.test(requests(sent).at(-1) ?? ''),
    // The client resumes the POST's stream with a GET carrying Last-Event-ID (its standalone GET carries none).
    reopens: (head) => /^GET \/push\/mcp [^]*^last-event-id:/im.test(head),
  },
];

/** The requests a client sent on one connection (head and body each), in order. */
function requests(sent: string): string[] {
  return sent.split(/(?=(?:GET|POST|DELETE) \/\S* HTTP\/1\.1\r\n)/).filter((r) => r !== '');
}

/** What the stream-cut scenario needs of a client, whichever SDK generation and transport it uses. */
interface ResumingClient {
  /** Everything the client's transport delivered since connecting, in order. */
  received: Received[];
  /** Errors the client reported (a dropped stream is one). */
  errors: string[];
  /** The client's session id. */
  sessionId(): string | undefined;
  count(steps: number, delayMs: number, onprogress: (progress: number) => void): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The `fetch` an HTTP+SSE client of either SDK generation gets: it resumes the stream after a cut
 * (see resumingFetch) and notes the session id from the POSTs' `?sessionId=`, which the SDK keeps
 * private.
 */
function sseFetch(session: { id?: string }): typeof fetch {
  return resumingFetch((async (input: string | URL | Request, init?: RequestInit) => {
    if (init?.method === 'POST') session.id = new URL(input instanceof Request ? input.url : input).searchParams.get('sessionId') ?? undefined;
    return fetch(input, init);
  }) as typeof fetch);
}

/** Connects an SDK v1 (`@modelcontextprotocol/sdk` 1.32) client over `transport` to `url`. */
async function resumingClientV1(transport: TransportKind, url: string): Promise<ResumingClient> {
  const client = new Client({ name: 'resume-e2e', version: '1.0.0' });
  const errors: string[] = [];
  client.onerror = (error) => errors.push(error.message);
  const session: { id?: string } = {};
  const streamable = transport === 'streamable-http' ? new StreamableHTTPClientTransport(new URL(url)) : undefined;
  const wire = streamable ?? new SSEClientTransport(new URL(url), { fetch: sseFetch(session) });
  await client.connect(wire);
  return {
    received: recordDelivered(wire),
    errors,
    sessionId: () => streamable?.sessionId ?? session.id,
    count: (steps, delayMs, onprogress) => client.callTool({ name: 'count', arguments: { steps, delayMs } }, undefined, { onprogress: (p) => onprogress(p.progress), timeout: CALL_TIMEOUT_MS }),
    close: () => client.close(),
  };
}

/** Connects an SDK v2 (`@modelcontextprotocol/client` 2.4) client over `transport` to `url`. */
async function resumingClientV2(transport: TransportKind, url: string): Promise<ResumingClient> {
  const client = new ClientV2({ name: 'resume-e2e-v2', version: '1.0.0' });
  const errors: string[] = [];
  client.onerror = (error) => errors.push(error.message);
  const session: { id?: string } = {};
  const streamable = transport === 'streamable-http' ? new StreamableHTTPClientTransportV2(new URL(url)) : undefined;
  const wire = streamable ?? new SSEClientTransportV2(new URL(url), { fetch: sseFetch(session) });
  await client.connect(wire);
  return {
    received: recordDelivered(wire),
    errors,
    sessionId: () => streamable?.sessionId ?? session.id,
    count: (steps, delayMs, onprogress) => client.callTool({ name: 'count', arguments: { steps, delayMs } }, { onprogress: (p) => onprogress(p.progress), timeout: CALL_TIMEOUT_MS }),
    close: () => client.close(),
  };
}

for (const version of NODE_RED_VERSIONS) describe(`server push in the real node-red, with the official SDK clients, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  before(async () => {
    nodeRed = await startNodeRedWith(SERVER_PUSH_EXAMPLE, { node: version.node, bin: version.bin });
    assertRunsOn(version, nodeRed.output());
  });
  after(() => nodeRed.stop());

  /** Waits for node-red to log a line matching `pattern` after `from` (an earlier length of its output). */
  const logged = (pattern: RegExp, from: number, what: string): Promise<void> =>
    waitFor(() => pattern.test(nodeRed.output().slice(from)), 10_000, what);

  for (const transport of TRANSPORTS) describe(`over ${transport.name} (${transport.path})`, () => {
    /** A proxy of this transport's own, so that cutting a connection can never touch another transport's. */
    let proxy: TcpProxy;
    before(async () => {
      proxy = await startTcpProxy(nodeRed.url);
    });
    after(() => proxy.close());

    const connect = (options: { elicit?: ElicitHandler } = {}): Promise<PushClient> =>
      connectPushClient(`${nodeRed.url}${transport.path}`, { ...options, transport: transport.kind });

    it('a tool reports progress and logs while it works, with the client\'s progress token, then answers', async () => {
      const client = await connect();
      try {
        const logs: unknown[] = [];
        client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
          logs.push(n.params.data);
        });
        const progress: unknown[] = [];
        const result = await client.callTool({ name: 'count', arguments: { steps: 3, delayMs: 100 } }, undefined, {
          onprogress: (p) => progress.push(p),
        });
        assert.equal(text(result), 'counted to 3');
        const expected = [1, 2, 3].map((n) => ({ progress: n, total: 3, message: `step ${n} of 3` }));
        // On the wire: every step, in order, with the token the SDK put in the request.
        const onTheWire = client.received.filter((m) => m.method === 'notifications/progress').map((m) => m.params);
        assert.equal(onTheWire.length, 3);
        const token = onTheWire[0]?.progressToken;
        assert.ok(token !== undefined);
        assert.deepEqual(onTheWire, expected.map((p) => ({ ...p, progressToken: token })));
        // The response comes last, after every notification about the request (on Streamable HTTP it ends the POST's stream).
        assert.equal(client.received.at(-1)?.method, undefined);
        // Through onprogress: the SDK hands a progress notification to onprogress a microtask after
        // it arrives, and forgets the handler as soon as the response arrives, so one that reaches it
        // in the same read as the response is lost (SDK 1.32). The flow waits a step before
        // answering; on a very loaded machine the last steps may still share a read.
        assert.ok(progress.length >= 1, 'onprogress was called');
        assert.deepEqual(progress, expected.slice(0, progress.length));
        assert.deepEqual(logs, ['counting to 3']);
      } finally {
        await client.close();
      }
    });

    it('drops progress the client did not ask for, with a node warning, and still answers', async () => {
      const from = nodeRed.output().length;
      const client = await connect();
      try {
        // No onprogress: the SDK sends no progressToken.
        const result = await client.callTool({ name: 'count', arguments: { steps: 2, delayMs: 0 } });
        assert.equal(text(result), 'counted to 2');
        await logged(/progress dropped: request .* asked for no progress/, from, 'the node warning');
      } finally {
        await client.close();
      }
    });

    it('a tool asks the user for input through elicitation/create and answers with what came back', async () => {
      const asked: string[] = [];
      const client = await connect({
        elicit: async ({ message }) => {
          asked.push(message);
          return { action: 'accept', content: { name: 'Ada' } };
        },
      });
      try {
        assert.equal(text(await client.callTool({ name: 'ask_name', arguments: {} })), 'Hello, Ada!');
        assert.deepEqual(asked, ['What is your name?']);
      } finally {
        await client.close();
      }
    });

    it('passes the user declining, and a client that cannot elicit, back to the flow as outcomes it handles', async () => {
      const declining = await connect({ elicit: async () => ({ action: 'decline' }) });
      try {
        assert.equal(text(await declining.callTool({ name: 'ask_name', arguments: {} })), 'No name given (decline)');
      } finally {
        await declining.close();
      }
      // Without the elicitation capability the SDK answers the request with a JSON-RPC error.
      const unable = await connect();
      try {
        const result = await unable.callTool({ name: 'ask_name', arguments: {} });
        assert.equal(result.isError, true);
        assert.match(text(result), /^Could not ask for a name: /);
      } finally {
        await unable.close();
      }
    });

    it('keeps concurrent elicitations of several sessions apart', async () => {
      const names = ['Ada', 'Grace', 'Edsger', 'Barbara'];
      const clients = await Promise.all(names.map((name) => connect({
        elicit: async () => ({ action: 'accept', content: { name } }),
      })));
      try {
        const answers = await Promise.all(clients.flatMap((client) => [0, 1, 2].map(() => client.callTool({ name: 'ask_name', arguments: {} }))));
        assert.deepEqual(answers.map(text), names.flatMap((name) => [0, 1, 2].map(() => `Hello, ${name}!`)));
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    });

    it('drops the response to a request the client cancelled, and sends nothing for it', async () => {
      const from = nodeRed.output().length;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let asked!: () => void;
      const wasAsked = new Promise<void>((resolve) => (asked = resolve));
      const client = await connect({
        elicit: async () => {
          asked();
          await held;
          return { action: 'accept', content: { name: 'Too late' } };
        },
      });
      const errors: string[] = [];
      client.onerror = (error) => errors.push(error.message);
      try {
        const abort = new AbortController();
        const call = client.callTool({ name: 'ask_name', arguments: {} }, undefined, { signal: abort.signal });
        await wasAsked;
        abort.abort('the user pressed stop');
        await assert.rejects(call);
        // Once the server has accepted the client's notifications/cancelled, the user answers and
        // the flow responds to the cancelled tools/call.
        await client.sent.get('notifications/cancelled');
        release();
        await logged(/response dropped: the client cancelled request/, from, 'the node warning');
        // Anything sent for the cancelled request would arrive before this ping's response.
        assert.deepEqual(await client.ping(), {});
        assert.deepEqual(errors.filter((e) => /unknown message ID/i.test(e)), []);
      } finally {
        await client.close();
      }
    });

    it('broadcasts tools/list_changed to every client when a tool is enabled, and they see the new tool', async () => {
      const clients = await Promise.all([0, 1, 2].map(() => connect()));
      try {
        for (const client of clients) assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['count', 'ask_name']);
        // The notification travels on each session's own stream (on Streamable HTTP, the GET stream the SDK opens).
        await Promise.all(clients.map((client) => client.ownStream));
        const changed = clients.map((client) => new Promise<string[]>((resolve) => {
          client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
            resolve((await client.listTools()).tools.map((t) => t.name));
          });
        }));
        // Press the "enable bonus" inject button, as a user in the editor would.
        const pressed = await request(`${nodeRed.url}/inject/mcp_push_enable`, { method: 'POST' });
        assert.equal(pressed.status, 200);
        for (const tools of await Promise.all(changed)) assert.deepEqual(tools, ['count', 'ask_name', 'bonus']);
        assert.equal(text(await clients[0].callTool({ name: 'bonus', arguments: {} })), 'bonus!');
      } finally {
        await request(`${nodeRed.url}/inject/mcp_push_disable`, { method: 'POST' });
        await Promise.all(clients.map((c) => c.close()));
      }
    });

    /**
     * Calls the `count` tool through the proxy, cuts the connection that carries the call's
     * stream (both sockets, as a network would) as soon as the first progress arrives, and checks
     * that the client, by itself, reopened the stream once with `Last-Event-ID` naming the last
     * event it had, and got every progress notification and the response, in the same session.
     */
    async function cutMidCall(client: ResumingClient): Promise<void> {
      const reopened = (): string[] => proxy.connections.flatMap((c) => requests(c.sent)).filter(transport.reopens);
      const reopenedBefore = reopened().length;
      const sessionId = client.sessionId();
      assert.ok(sessionId !== undefined, 'the client has a session');
      let cuts = 0;
      const result = await client.count(4, 300, (progress) => {
        // The rest of the call's events are sent while the client is away or reconnecting.
        if (progress === 1) cuts += proxy.cut((sent) => transport.carriesCall(sent));
      });
      assert.equal(cuts, 1, 'one live connection was cut');
      assert.equal(text(result), 'counted to 4');
      const progress = client.received.filter((m) => m.method === 'notifications/progress').map((m) => m.params?.progress);
      assert.deepEqual(progress, [1, 2, 3, 4], 'every progress notification arrived once, in order');
      const responses = client.received.filter((m) => m.method === undefined);
      assert.equal(responses.length, 1, 'one response');
      assert.equal(client.received.at(-1), responses[0], 'after every progress notification');
      assert.ok(client.errors.length >= 1, 'the client noticed the stream drop');
      const resumed = reopened().slice(reopenedBefore);
      assert.equal(resumed.length, 1, 'the client reopened the stream once');
      const lastEventId = /^last-event-id: *([^\r\n]+)/im.exec(resumed[0])?.[1];
      assert.match(lastEventId ?? '', new RegExp(`^${sessionId}:[1-9][0-9]*$`), 'naming the last event it had, of its session');
      // Same session: it keeps working, with no further resumption.
      assert.equal(text(await client.count(1, 0, () => {})), 'counted to 1');
      assert.equal(client.sessionId(), sessionId);
      assert.equal(reopened().length, reopenedBefore + 1);
    }

    it('@modelcontextprotocol/sdk 1.32: a stream cut mid-call is resumed by the client\'s own reconnection, with every missed event', async () => {
      const client = await resumingClientV1(transport.kind, `${proxy.url}${transport.path}`);
      try {
        await cutMidCall(client);
      } finally {
        await client.close();
      }
    });

    it('@modelcontextprotocol/client 2.4: the same', async () => {
      const client = await resumingClientV2(transport.kind, `${proxy.url}${transport.path}`);
      try {
        await cutMidCall(client);
      } finally {
        await client.close();
      }
    });
  });

  it('keeps concurrent elicitations of sessions of both transports apart', async () => {
    const names = ['Ada', 'Grace', 'Edsger', 'Barbara'];
    const clients = await Promise.all(names.map((name, i) => {
      const transport = TRANSPORTS[i % 2];
      return connectPushClient(`${nodeRed.url}${transport.path}`, { transport: transport.kind, elicit: async () => ({ action: 'accept', content: { name } }) });
    }));
    try {
      const answers = await Promise.all(clients.flatMap((client) => [0, 1, 2].map(() => client.callTool({ name: 'ask_name', arguments: {} }))));
      assert.deepEqual(answers.map(text), names.flatMap((name) => [0, 1, 2].map(() => `Hello, ${name}!`)));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
