/**
 * Streamable HTTP end to end in the real node-red, on each Node-RED version: the tutorial example
 * (it serves `/sse` and `/mcp` from one flow), reached through `/mcp` by the clients users run: the
 * SDK v1 and v2 `StreamableHTTPClientTransport`, `mcp-remote` with its default strategy, and the MCP
 * Inspector's command line; both transports on one flow at once; DELETE. The server-push example
 * over Streamable HTTP (progress, elicitation, a stream cut mid-call) is in server-push.test.ts,
 * which runs each of its scenarios on both transports.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableHTTPClientTransportV2 } from '@modelcontextprotocol/client';
import { connectSdkClient, startNodeRedWith, TUTORIAL_EXAMPLE, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { runInspectorCli } from '../support/inspector';
import { request } from '../support/sse-client';
import { text } from '../support/push-client';

const require = createRequire(__filename);

type FlowNode = Record<string, unknown> & { id: string };

/**
 * The tutorial example, unchanged, plus a second tab through which the test reads the session
 * registry as a user's function node does: `GET /e2e/sessions` answers
 * `global.get('mcp_sessions').list()` as `[{ id, transport, ... }]`.
 */
function tutorialWithSessionProbe(): string {
  const flow = JSON.parse(readFileSync(TUTORIAL_EXAMPLE, 'utf8')) as FlowNode[];
  flow.push(
    { id: 'e2e_probe_tab', type: 'tab', label: 'e2e probe', disabled: false, info: '' },
    { id: 'e2e_probe_in', type: 'http in', z: 'e2e_probe_tab', name: '', url: '/e2e/sessions', method: 'get', upload: false, swaggerDoc: '', x: 120, y: 40, wires: [['e2e_probe_fn']] },
    {
      id: 'e2e_probe_fn', type: 'function', z: 'e2e_probe_tab', name: 'mcp_sessions', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [],
      func: "msg.payload = global.get('mcp_sessions').list().map((s) => s.info());\nreturn msg;",
      x: 320, y: 40, wires: [['e2e_probe_out']],
    },
    { id: 'e2e_probe_out', type: 'http response', z: 'e2e_probe_tab', name: '', statusCode: '', headers: {}, x: 500, y: 40, wires: [] },
  );
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcp-flow-')), 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

/** What a POST from a client that still holds an ended session's id gets. */
async function postWithSession(url: string, sessionId: string): Promise<{ status: number; json: unknown }> {
  const answer = await request(url, {
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'Mcp-Session-Id': sessionId,
      'MCP-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  return { status: answer.status, json: answer.json };
}

for (const version of NODE_RED_VERSIONS) describe(`Streamable HTTP: the tutorial example through /mcp in the real node-red, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  let flowDir: string;
  let mcpUrl: string;
  /** The sessions in `mcp_sessions`, as the flow's function node sees them. */
  const sessions = async (): Promise<Array<{ id: string; transport: string }>> => (await request(`${nodeRed.url}/e2e/sessions`, { method: 'GET' })).json as Array<{ id: string; transport: string }>;

  before(async () => {
    const flowFile = tutorialWithSessionProbe();
    flowDir = path.dirname(flowFile);
    nodeRed = await startNodeRedWith(flowFile, { node: version.node, bin: version.bin });
    assertRunsOn(version, nodeRed.output());
    mcpUrl = `${nodeRed.url}/mcp`;
  });
  after(async () => {
    await nodeRed.stop();
    rmSync(flowDir, { recursive: true, force: true });
  });

  it('@modelcontextprotocol/sdk 1.32 StreamableHTTPClientTransport: initializes, lists the add tool and adds 2 and 3', async () => {
    const client = new Client({ name: 'e2e-streamable-v1', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl));
    await client.connect(transport);
    try {
      assert.deepEqual(client.getServerVersion(), { name: 'tutorial', version: '1.0.0' });
      assert.match(transport.sessionId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a random (v4 UUID) Mcp-Session-Id');
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['add']);
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      assert.deepEqual(await client.ping(), {});
    } finally {
      await client.close();
    }
  });

  it('@modelcontextprotocol/client 2.4 StreamableHTTPClientTransport: the same', async () => {
    const client = new ClientV2({ name: 'e2e-streamable-v2', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransportV2(new URL(mcpUrl)));
    try {
      assert.deepEqual(client.getServerVersion(), { name: 'tutorial', version: '1.0.0' });
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['add']);
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
    } finally {
      await client.close();
    }
  });

  it('mcp-remote (the bridge Claude Desktop runs) with its default strategy connects over Streamable HTTP and adds 2 and 3', async () => {
    // mcp-remote keeps its state under MCP_REMOTE_CONFIG_DIR; use a throwaway one.
    const configDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-'));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [require.resolve('mcp-remote/dist/proxy.js'), mcpUrl],
      env: { ...process.env as Record<string, string>, MCP_REMOTE_CONFIG_DIR: configDir },
      stderr: 'pipe',
    });
    let log = '';
    transport.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const client = new Client({ name: 'e2e-mcp-remote', version: '1.0.0' });
    try {
      await client.connect(transport);
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      // Its default, http-first, falls back to SSE on a 404 or 405: it must not have needed to.
      assert.match(log, /Connected to remote server using StreamableHTTPClientTransport/);
    } finally {
      await client.close();
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('the MCP Inspector CLI (--transport http) calls add and prints the result', async () => {
    const run = await runInspectorCli([mcpUrl, '--transport', 'http', '--method', 'tools/call', '--tool-name', 'add', '--tool-arg', 'a=2', '--tool-arg', 'b=3']);
    assert.equal(run.code, 0, `exit code 0; stderr: ${run.stderr}`);
    assert.deepEqual(JSON.parse(run.stdout), { content: [{ type: 'text', text: '5' }] });
  });

  it('serves an SSE client and a Streamable HTTP client on one flow at once, each getting its own answers; mcp_sessions lists both', async () => {
    const earlier = new Set((await sessions()).map((s) => s.id));
    const sse = await connectSdkClient(`${nodeRed.url}/sse`);
    const streamableTransport = new StreamableHTTPClientTransport(new URL(mcpUrl));
    const streamable = new Client({ name: 'e2e-streamable-v1', version: '1.0.0' });
    await streamable.connect(streamableTransport);
    try {
      const opened = (await sessions()).filter((s) => !earlier.has(s.id));
      assert.deepEqual(opened.map((s) => s.transport).sort(), ['sse', 'streamable-http']);
      assert.equal(opened.find((s) => s.transport === 'streamable-http')?.id, streamableTransport.sessionId);
      // Both clients number their requests alike (1, 2, ...), so an answer delivered to the wrong
      // session would resolve the other client's request with the wrong sum.
      const calls: Array<Promise<string>> = [];
      for (let i = 0; i < 10; i++) {
        calls.push(sse.callTool({ name: 'add', arguments: { a: i, b: 1000 } }).then(text));
        calls.push(streamable.callTool({ name: 'add', arguments: { a: i, b: 2000 } }).then(text));
      }
      assert.deepEqual(await Promise.all(calls), Array.from({ length: 10 }, (_, i) => [String(i + 1000), String(i + 2000)]).flat());
    } finally {
      await sse.close();
      await streamableTransport.terminateSession();
      await streamable.close();
    }
    // The SSE session ends when the server sees its stream close; the Streamable one at the DELETE.
    for (const start = Date.now(); (await sessions()).some((s) => !earlier.has(s.id));) {
      assert.ok(Date.now() - start < 10_000, 'both sessions left mcp_sessions once their clients closed the stream and sent DELETE');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('DELETE ends the session: afterwards its id gets 404, and a client still holding it is told so', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl));
    const client = new Client({ name: 'e2e-delete', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    assert.equal(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })), '5');
    assert.ok((await sessions()).some((s) => s.id === sessionId));
    await transport.terminateSession();
    await client.close();
    assert.ok(!(await sessions()).some((s) => s.id === sessionId), 'the session left mcp_sessions');
    const posted = await postWithSession(mcpUrl, sessionId);
    assert.equal(posted.status, 404);
    assert.equal((posted.json as { error: { code: number } }).error.code, -32001);
    // A client that resumes with the ended id (as one restarted with a stored id would) gets 404 too.
    const stale = new Client({ name: 'e2e-stale', version: '1.0.0' });
    await stale.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { sessionId }));
    try {
      await assert.rejects(stale.callTool({ name: 'add', arguments: { a: 2, b: 3 } }), (error: Error & { code?: number }) => {
        assert.equal(error.code, 404);
        assert.match(error.message, /Session not found/);
        return true;
      });
    } finally {
      await stale.close();
    }
  });

  it("a client still holding another server's session id (32 hex characters, as uuid4().hex servers issue) is told 404, and starts a new session", async () => {
    const foreign = '0123456789abcdef0123456789abcdef';
    const posted = await postWithSession(mcpUrl, foreign);
    assert.equal(posted.status, 404);
    assert.equal((posted.json as { error: { code: number } }).error.code, -32001);
    // The SDK client resumes with the id it was given (no initialize), as one restarted with a stored id would.
    const stale = new Client({ name: 'e2e-foreign', version: '1.0.0' });
    await stale.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { sessionId: foreign }));
    const fresh = new Client({ name: 'e2e-fresh', version: '1.0.0' });
    try {
      await assert.rejects(stale.callTool({ name: 'add', arguments: { a: 2, b: 3 } }), (error: Error & { code?: number }) => {
        assert.equal(error.code, 404);
        assert.match(error.message, /Session not found/);
        return true;
      });
      // What "Session Management" tells a client on 404: initialize again, without the id.
      await fresh.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
      assert.equal(text(await fresh.callTool({ name: 'add', arguments: { a: 2, b: 3 } })), '5');
    } finally {
      await stale.close();
      await fresh.close();
    }
  });
});
