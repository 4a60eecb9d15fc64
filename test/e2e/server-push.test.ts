import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { request } from '../support/sse-client';
import { waitFor } from '../support/core-server';
import { connectPushClient as connect, text } from '../support/push-client';

const SERVER_PUSH_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'server-push.json');

for (const version of NODE_RED_VERSIONS) describe(`server push in the real node-red, with the official SDK client, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  let sseUrl: string;
  before(async () => {
    nodeRed = await startNodeRedWith(SERVER_PUSH_EXAMPLE, { node: version.node, bin: version.bin });
    assertRunsOn(version, nodeRed.output());
    sseUrl = `${nodeRed.url}/push/sse`;
  });
  after(() => nodeRed.stop());

  it('a tool reports progress while it works, with the client\'s progress token, then answers', async () => {
    const client = await connect(sseUrl);
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
    const client = await connect(sseUrl);
    try {
      // No onprogress: the SDK sends no progressToken.
      const result = await client.callTool({ name: 'count', arguments: { steps: 2, delayMs: 0 } });
      assert.equal(text(result), 'counted to 2');
      await waitFor(() => /progress dropped: request .* asked for no progress/.test(nodeRed.output()), 10_000, 'the node warning');
    } finally {
      await client.close();
    }
  });

  it('a tool asks the user for input through elicitation/create and answers with what came back', async () => {
    const asked: string[] = [];
    const client = await connect(sseUrl, {
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

  it('keeps concurrent elicitations of several sessions apart', async () => {
    const names = ['Ada', 'Grace', 'Edsger', 'Barbara'];
    const clients = await Promise.all(names.map((name) => connect(sseUrl, {
      elicit: async () => ({ action: 'accept', content: { name } }),
    })));
    try {
      const answers = await Promise.all(clients.flatMap((client) => [0, 1, 2].map(() => client.callTool({ name: 'ask_name', arguments: {} }))));
      assert.deepEqual(answers.map(text), names.flatMap((name) => [0, 1, 2].map(() => `Hello, ${name}!`)));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('passes the user declining, and a client that cannot elicit, back to the flow as outcomes it handles', async () => {
    const declining = await connect(sseUrl, { elicit: async () => ({ action: 'decline' }) });
    try {
      assert.equal(text(await declining.callTool({ name: 'ask_name', arguments: {} })), 'No name given (decline)');
    } finally {
      await declining.close();
    }
    // Without the elicitation capability the SDK answers the request with a JSON-RPC error.
    const unable = await connect(sseUrl);
    try {
      const result = await unable.callTool({ name: 'ask_name', arguments: {} });
      assert.equal(result.isError, true);
      assert.match(text(result), /^Could not ask for a name: /);
    } finally {
      await unable.close();
    }
  });

  it('drops the response to a request the client cancelled, and sends nothing for it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked!: () => void;
    const wasAsked = new Promise<void>((resolve) => (asked = resolve));
    const client = await connect(sseUrl, {
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
      await waitFor(() => /response dropped: the client cancelled request/.test(nodeRed.output()), 10_000, 'the node warning');
      // Anything sent for the cancelled request would arrive before this ping's response.
      assert.deepEqual(await client.ping(), {});
      assert.deepEqual(errors.filter((e) => /unknown message ID/i.test(e)), []);
    } finally {
      await client.close();
    }
  });

  it('broadcasts tools/list_changed to every client when a tool is enabled, and they see the new tool', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => connect(sseUrl)));
    try {
      for (const client of clients) assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['count', 'ask_name']);
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
});
