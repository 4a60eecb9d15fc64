import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectSdkClient, startNodeRedWith, TUTORIAL_EXAMPLE, type RunningNodeRed } from '../support/node-red';
import { openSse, postJson, request } from '../support/sse-client';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { ROUTE_TABLE, ROUTES_SETTING } from '../../nodes/lib/route-table';
import { VIEW_PATTERNS_SETTING } from '../../nodes/lib/view-settings';
import { VIEW_PATTERNS } from '../../core/features/apps';

for (const version of NODE_RED_VERSIONS) describe(`the tutorial example in the real node-red, with the official SDK client, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  before(async () => {
    nodeRed = await startNodeRedWith(TUTORIAL_EXAMPLE, { node: version.node, bin: version.bin });
    assertRunsOn(version, nodeRed.output());
  });
  after(() => nodeRed.stop());

  it('initializes, lists the add tool and adds 2 and 3', async () => {
    const client = await connectSdkClient(`${nodeRed.url}/sse`);
    try {
      assert.deepEqual(client.getServerVersion(), { name: 'tutorial', version: '1.0.0' });
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), ['add']);
      const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
      assert.deepEqual(await client.ping(), {});
    } finally {
      await client.close();
    }
  });

  it('answers each request with its own id, whatever order and however many sessions', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectSdkClient(`${nodeRed.url}/sse`)));
    try {
      const results = await Promise.all(clients.flatMap((client, c) =>
        Array.from({ length: 10 }, (_, i) => client.callTool({ name: 'add', arguments: { a: c * 100, b: i } }))));
      assert.deepEqual(results.map((r) => (r.content as Array<{ text: string }>)[0].text),
        clients.flatMap((_, c) => Array.from({ length: 10 }, (_, i) => String(c * 100 + i))));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('reports a bad tool call as a tool error and an unknown method as -32601', async () => {
    const client = await connectSdkClient(`${nodeRed.url}/sse`);
    try {
      const bad = await client.callTool({ name: 'add', arguments: { a: 'two', b: 3 } });
      assert.equal(bad.isError, true);
      await assert.rejects(client.callTool({ name: 'subtract', arguments: {} }), /Unknown tool: subtract/);
    } finally {
      await client.close();
    }
    const sse = await openSse(`${nodeRed.url}/sse`);
    try {
      const posted = await postJson(new URL(sse.endpoint, nodeRed.url).href, { jsonrpc: '2.0', id: 'x-1', method: 'resources/list' });
      assert.equal(posted.status, 202);
      const reply = JSON.parse((await sse.nextEvent()).data);
      assert.deepEqual(reply, { jsonrpc: '2.0', id: 'x-1', error: { code: -32601, message: 'Method not found: resources/list' } });
    } finally {
      sse.close();
    }
  });

  it('hands the editor the route table it serves from and the view patterns it checks with (the nodes\' exported settings)', async () => {
    const settings = await (await fetch(`${nodeRed.url}/settings`)).json() as Record<string, unknown>;
    assert.deepEqual(settings[ROUTES_SETTING], JSON.parse(JSON.stringify(ROUTE_TABLE)));
    assert.deepEqual(settings[VIEW_PATTERNS_SETTING], JSON.parse(JSON.stringify(VIEW_PATTERNS)));
  });

  it('answers a malformed body sent through the default editor settings with a JSON-RPC parse error', async () => {
    const sse = await openSse(`${nodeRed.url}/sse`);
    try {
      const answer = await request(new URL(sse.endpoint, nodeRed.url).href, { headers: { 'Content-Type': 'application/json' }, body: '{"jsonrpc": "2.0", "id": 1,' });
      assert.equal(answer.status, 400);
      assert.equal((answer.json as { error: { code: number } }).error.code, -32700);
    } finally {
      sse.close();
    }
  });
});

for (const version of NODE_RED_VERSIONS) describe(`node-red stopping with open streams, on ${version.name}`, () => {
  it('ends each stream cleanly', async () => {
    const nodeRed = await startNodeRedWith(TUTORIAL_EXAMPLE, { node: version.node, bin: version.bin });
    assertRunsOn(version, nodeRed.output());
    const streams = await Promise.all([openSse(`${nodeRed.url}/sse`), openSse(`${nodeRed.url}/sse`)]);
    await nodeRed.stop();
    assert.deepEqual(await Promise.all(streams.map((s) => s.ended)), [true, true]);
  });
});
