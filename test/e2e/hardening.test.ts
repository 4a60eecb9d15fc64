/**
 * Hardening in the real node-red with the tutorial example and the official SDK client: a token
 * kept in credentials, a foreign Origin, a malformed body, a flow that throws or never answers,
 * redeploys under load; batches as each protocol revision defines them (and the endpoint's Max
 * batch size), bodies that are not UTF-8, an unknown protocol version on initialize; and `httpNodeAuth`,
 * `httpNodeMiddleware` and `httpNodeCors` honoured as core `http in` honours them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { messagesOf, StreamableClient } from '../support/streamable-client';
import bcrypt from 'bcryptjs';
import { packedTarball, startNodeRedWith, TUTORIAL_EXAMPLE, type RunningNodeRed } from '../support/node-red';
import { openSse, request } from '../support/sse-client';
import { prepareUserDir, startNodeRed } from '../../scripts/node-red-runner.mjs';

type FlowNode = Record<string, unknown> & { id: string; type: string };

const TOKEN = 'e2e-secret-token-0123456789';

/** The tutorial flow, with the config node's settings changed and an add tool that can fail. */
function tutorialFlow(endpoint: Record<string, unknown> = {}): FlowNode[] {
  const flow = JSON.parse(readFileSync(TUTORIAL_EXAMPLE, 'utf8')) as FlowNode[];
  for (const node of flow) {
    if (node.type === 'mcp-sse-endpoint') Object.assign(node, endpoint);
    if (node.id === 'mcp_fn_add') {
      node.func = [
        "const given = (msg.payload.params && msg.payload.params.arguments) || {};",
        "if (given.a === 666) throw new Error('boom: the add tool failed');",
        "if (given.a === 777) return null; // never answers",
        node.func,
      ].join('\n');
    }
  }
  return flow;
}

function writeFlowFile(flow: FlowNode[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcp-flow-')), 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

/** Deploys `flow` through the admin API, as the editor does, and waits until it has started. */
async function deploy(nodeRed: RunningNodeRed, flow: unknown[], type: 'full' | 'nodes' | 'flows' = 'full'): Promise<void> {
  const started = (): number => (nodeRed.output().match(/Started (flows|modified nodes|modified flows)/g) ?? []).length;
  const before = started();
  const answer = await request(`${nodeRed.url}/flows`, {
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': type },
    body: JSON.stringify(flow),
  });
  assert.ok(answer.status === 200 || answer.status === 204, `deploy: ${answer.status} ${answer.body}`);
  const start = Date.now();
  while (started() === before) {
    if (Date.now() - start > 30_000) throw new Error(`deploy did not start:\n${nodeRed.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function connect(sseUrl: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'hardening-e2e', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(sseUrl), { requestInit: { headers } }));
  return client;
}

async function add(client: Client, a: number, b: number): Promise<string> {
  const result = await client.callTool({ name: 'add', arguments: { a, b } });
  return (result.content as Array<{ text: string }>)[0].text;
}

describe('hardening in the real node-red: token, Origin, bad bodies, failing flows, deploys', () => {
  let nodeRed: RunningNodeRed;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  let flow: FlowNode[];

  before(async () => {
    flow = tutorialFlow();
    nodeRed = await startNodeRedWith(writeFlowFile(flow));
    // The editor sends a credential with the node when it is deployed.
    const withToken = flow.map((n) => (n.type === 'mcp-sse-endpoint' ? { ...n, credentials: { authToken: TOKEN } } : n));
    await deploy(nodeRed, withToken);
  });
  after(() => nodeRed.stop());

  it('keeps the token out of the exported flow', async () => {
    const exported = await request(`${nodeRed.url}/flows`, { method: 'GET' });
    assert.equal(exported.status, 200);
    assert.ok(!exported.body.includes(TOKEN), 'the token is not in the flow');
  });

  it('refuses the SDK client without the token, and serves it with the token', async () => {
    await assert.rejects(connect(`${nodeRed.url}/sse`), /401/);
    await assert.rejects(connect(`${nodeRed.url}/sse`, { Authorization: 'Bearer wrong' }), /401/);
    const client = await connect(`${nodeRed.url}/sse`, auth);
    try {
      assert.equal(await add(client, 2, 3), '5');
    } finally {
      await client.close();
    }
  });

  it('tells a new user exactly what was wrong, while the example\'s other clients never notice', async () => {
    const others = await Promise.all([connect(`${nodeRed.url}/sse`, auth), connect(`${nodeRed.url}/sse`, auth)]);
    let stop = false;
    const answered: string[] = [];
    const load = others.map(async (client, c) => {
      for (let i = 0; !stop; i++) {
        const got = await add(client, c * 1000, i);
        assert.equal(got, String(c * 1000 + i));
        answered.push(got);
      }
    });
    try {
      const sse = await openSse(`${nodeRed.url}/sse`, auth);
      const messageUrl = new URL(sse.endpoint, nodeRed.url).href;
      const wrongToken = await request(`${nodeRed.url}/sse`, { method: 'GET', headers: { Authorization: 'Bearer not-the-token' } });
      assert.equal(wrongToken.status, 401);
      assert.equal(wrongToken.headers['www-authenticate'], 'Bearer realm="MCP", error="invalid_token"');
      assert.deepEqual(wrongToken.json, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Wrong bearer token' } });

      const foreign = await request(messageUrl, { headers: { ...auth, 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
      assert.equal(foreign.status, 403);
      assert.deepEqual(foreign.json, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Origin "https://evil.example" is not allowed on this MCP endpoint (DNS rebinding protection): add it to the endpoint\'s allowed origins' } });

      const malformed = await request(messageUrl, { headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":' });
      assert.equal(malformed.status, 400);
      const error = (malformed.json as { error: { code: number; message: string } }).error;
      assert.equal(error.code, -32700);
      assert.match(error.message, /^Parse error: /);

      const put = await request(messageUrl, { method: 'PUT', headers: auth, body: '{}' });
      assert.equal(put.status, 405);
      assert.equal(put.headers.allow, 'POST');
      sse.close();
    } finally {
      stop = true;
      await Promise.all(load);
      await Promise.all(others.map((c) => c.close()));
    }
    assert.ok(answered.length >= 2, 'the other clients were answered throughout');
  });

  it('a tool whose flow throws or never answers times out in the client; the session and the others go on', async () => {
    const client = await connect(`${nodeRed.url}/sse`, auth);
    const other = await connect(`${nodeRed.url}/sse`, auth);
    try {
      await assert.rejects(client.callTool({ name: 'add', arguments: { a: 666, b: 1 } }, undefined, { timeout: 1500 }), /Request timed out/);
      await assert.rejects(client.callTool({ name: 'add', arguments: { a: 777, b: 1 } }, undefined, { timeout: 1500 }), /Request timed out/);
      assert.equal(await add(client, 4, 5), '9');
      assert.equal(await add(other, 6, 7), '13');
    } finally {
      await client.close();
      await other.close();
    }
  });

  it('survives repeated deploys under load: unchanged sessions keep answering, each request exactly once', async () => {
    const clients = await Promise.all(Array.from({ length: 3 }, () => connect(`${nodeRed.url}/sse`, auth)));
    const sse = await openSse(`${nodeRed.url}/sse`, auth);
    let stop = false;
    const load = clients.map(async (client, c) => {
      for (let i = 0; !stop; i++) assert.equal(await add(client, c, i), String(c + i));
    });
    try {
      for (let d = 0; d < 6; d++) {
        // Change the sessions debug node (a "modified nodes" deploy) and the message-in node's name.
        const changed = flow.map((n) => {
          if (n.id === 'mcp_sessions_debug') return { ...n, name: `sessions ${d}` };
          if (n.id === 'mcp_msg_in' && d % 2 === 1) return { ...n, name: `in ${d}` };
          return n;
        });
        await deploy(nodeRed, changed, 'nodes');
      }
    } finally {
      stop = true;
      await Promise.all(load);
    }
    // After all those deploys, one request still gets exactly one answer.
    const messageUrl = new URL(sse.endpoint, nodeRed.url).href;
    for (const id of ['after-1', 'after-2']) {
      const posted = await request(messageUrl, { headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }) });
      assert.equal(posted.status, 202);
    }
    const ids = [JSON.parse((await sse.nextEvent()).data).id, JSON.parse((await sse.nextEvent()).data).id];
    assert.deepEqual(ids, ['after-1', 'after-2']);
    sse.close();
    await Promise.all(clients.map((c) => c.close()));
  });

});

describe('batches, bodies and versions as each revision defines them, in the real node-red', () => {
  let nodeRed: RunningNodeRed;
  const streamables: StreamableClient[] = [];
  const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const call = (id: number, a: number, b: number): Record<string, unknown> => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'add', arguments: { a, b } } });

  before(async () => {
    // The tutorial flow, its endpoint's Max batch size set to 3 in the editor.
    nodeRed = await startNodeRedWith(writeFlowFile(tutorialFlow({ maxBatchSize: 3 })), { install: 'link' });
  });
  after(async () => {
    for (const c of streamables) c.closeAll();
    await nodeRed.stop();
  });

  /** A raw client of /mcp with a session of `version`, which the tutorial flow agreed to. */
  async function session(version: string): Promise<StreamableClient> {
    const c = new StreamableClient(`${nodeRed.url}/mcp`);
    streamables.push(c);
    const init = await c.initialize('init', {}, version);
    assert.equal(init.status, 200, init.body);
    assert.equal(await init.stream?.ended, true);
    assert.equal((messagesOf(init.stream!)[0] as { result: { protocolVersion: string } }).result.protocolVersion, version);
    c.protocolVersion = version;
    assert.equal((await c.post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
    return c;
  }

  function refusal(answer: { status: number; body: string; json: unknown }): { code: number; message: string } {
    assert.equal(answer.status, 400, answer.body);
    return (answer.json as { error: { code: number; message: string } }).error;
  }

  it('runs a batch of add calls on 2024-11-05 and 2025-03-26 up to Max batch size; refuses one past it, and every batch on 2025-11-25 and 2026-07-28', async () => {
    const old = await session('2025-03-26');
    const answered = await old.post([call(1, 1, 2), call(2, 2, 3), call(3, 3, 4)]);
    assert.equal(answered.status, 200, answered.body);
    assert.equal(await answered.stream?.ended, true);
    const texts = (messagesOf(answered.stream!) as Array<{ id: number; result: { content: Array<{ text: string }> } }>)
      .sort((x, y) => x.id - y.id).map((m) => m.result.content[0].text);
    assert.deepEqual(texts, ['3', '5', '7']);
    assert.deepEqual(refusal(await old.post([call(4, 1, 1), call(5, 1, 1), call(6, 1, 1), call(7, 1, 1)])),
      { code: -32600, message: 'Invalid Request: a batch of 4 messages; this endpoint takes at most 3 in one batch' });

    const sse = await openSse(`${nodeRed.url}/sse`);
    try {
      const messageUrl = new URL(sse.endpoint, nodeRed.url).href;
      const post = (body: unknown): Promise<{ status: number; body: string; json: unknown }> => request(messageUrl, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await post({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })).status, 202);
      assert.equal(JSON.parse((await sse.nextEvent()).data).result.protocolVersion, '2024-11-05');
      assert.equal((await post([call(1, 10, 1), call(2, 20, 2)])).status, 202);
      const got = [JSON.parse((await sse.nextEvent()).data), JSON.parse((await sse.nextEvent()).data)] as Array<{ id: number; result: { content: Array<{ text: string }> } }>;
      assert.deepEqual(got.sort((x, y) => x.id - y.id).map((m) => m.result.content[0].text), ['11', '22']);
      assert.equal(refusal(await post([call(3, 1, 1), call(4, 1, 1), call(5, 1, 1), call(6, 1, 1)])).code, -32600);
    } finally {
      sse.close();
    }

    const recent = await session('2025-11-25');
    assert.deepEqual(refusal(await recent.post([call(1, 1, 2), call(2, 2, 3)])),
      { code: -32600, message: 'Invalid Request: batching is not supported in protocol version 2025-11-25' });
    const stateless = new StreamableClient(`${nodeRed.url}/mcp`);
    streamables.push(stateless);
    const modern = [1, 2].map((id) => ({ ...call(id, 1, 1), params: { name: 'add', arguments: { a: 1, b: 1 }, _meta: ENVELOPE } }));
    assert.deepEqual(refusal(await stateless.post(modern, { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'add' })),
      { code: -32600, message: 'Invalid Request: batching is not supported in protocol version 2026-07-28' });
    // A batched initialize opens no session.
    assert.equal(refusal(await new StreamableClient(`${nodeRed.url}/mcp`).post([{ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26' } }], { 'MCP-Protocol-Version': null })).code, -32600);
  });

  it('answers a body that is not UTF-8 with 400 -32700 on the message path, a /mcp session and a 2026-07-28 POST', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const sse = await openSse(`${nodeRed.url}/sse`);
    try {
      const onMessage = await request(new URL(sse.endpoint, nodeRed.url).href, { headers: { 'Content-Type': 'application/json' }, body: bytes });
      assert.equal(refusal(onMessage).code, -32700);
    } finally {
      sse.close();
    }
    assert.equal(refusal(await (await session('2025-06-18')).post(bytes)).code, -32700);
    const modern = await new StreamableClient(`${nodeRed.url}/mcp`).post(bytes, { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/list' });
    assert.deepEqual(refusal(modern), { code: -32700, message: 'Parse error: the request body is not valid UTF-8' });
  });

  it('tells initialize with an MCP-Protocol-Version that does not exist which versions there are; SDK v1 and v2 (auto) clients connect as before', async () => {
    const unknown = await new StreamableClient(`${nodeRed.url}/mcp`).initialize('init', { 'MCP-Protocol-Version': '1999-01-01' });
    const error = refusal(unknown) as { code: number; message: string; data?: unknown };
    assert.equal(error.code, -32022);
    assert.doesNotMatch(error.message, /_meta with/);
    assert.deepEqual(error.data, { supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], requested: '1999-01-01' });

    const v1 = new Client({ name: 'v1', version: '1.0.0' });
    await v1.connect(new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/mcp`)));
    const v2 = new ClientV2({ name: 'v2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } } as never);
    await v2.connect(new StreamableV2(new URL(`${nodeRed.url}/mcp`)));
    const sse = await connect(`${nodeRed.url}/sse`);
    try {
      assert.equal(await add(v1, 2, 3), '5');
      assert.equal(((await v2.callTool({ name: 'add', arguments: { a: 4, b: 5 } })).content as Array<{ text: string }>)[0].text, '9');
      assert.equal(await add(sse, 6, 7), '13');
    } finally {
      await Promise.all([v1.close(), v2.close(), sse.close()]);
    }
  });
});

describe('httpNodeAuth, httpNodeMiddleware and httpNodeCors in the real node-red', () => {
  let running: { url: string; stop(): Promise<void>; output(): string };
  let userDir: string;
  const basic = { Authorization: `Basic ${Buffer.from('mcp:pa55word').toString('base64')}` };

  before(async () => {
    userDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-nr-auth-'));
    const flowFile = writeFlowFile(tutorialFlow({ allowedOrigins: 'https://app.example' }));
    prepareUserDir({
      userDir,
      flowsFile: flowFile,
      install: packedTarball(),
      settings: {
        // With the editor at /, its own CORS handler (origin *) would answer every preflight first.
        httpAdminRoot: '/admin',
        httpNodeAuth: { user: 'mcp', pass: bcrypt.hashSync('pa55word', 8) },
        httpNodeCors: { origin: 'https://app.example', methods: 'GET,POST', allowedHeaders: 'Content-Type,Authorization' },
      },
    });
    // A function cannot go through JSON: add the middleware to settings.js as a user would.
    appendFileSync(path.join(userDir, 'settings.js'),
      "module.exports.httpNodeMiddleware = function (req, res, next) { res.setHeader('X-Middleware', 'ran'); next(); };\n");
    running = await startNodeRed({ userDir });
  });
  after(async () => {
    await running.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('asks for httpNodeAuth credentials on both paths, and serves the SDK client that sends them', async () => {
    const noAuth = await request(`${running.url}/sse`, { method: 'GET' });
    assert.equal(noAuth.status, 401);
    assert.match(String(noAuth.headers['www-authenticate']), /^Basic/);
    const post = await request(`${running.url}/sse/message?sessionId=0b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c`, { headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(post.status, 401);
    const client = await connect(`${running.url}/sse`, basic);
    try {
      assert.equal(await add(client, 20, 22), '42');
    } finally {
      await client.close();
    }
  });

  it('runs httpNodeMiddleware before both paths', async () => {
    const sse = await openSse(`${running.url}/sse`, basic);
    try {
      assert.equal(sse.headers['x-middleware'], 'ran');
      const posted = await request(new URL(sse.endpoint, running.url).href, { headers: { ...basic, 'Content-Type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
      assert.equal(posted.status, 202);
      assert.equal(posted.headers['x-middleware'], 'ran');
    } finally {
      sse.close();
    }
  });

  it('answers a CORS preflight and adds CORS headers for the configured origin, which the endpoint also allows', async () => {
    const preflight = await request(`${running.url}/sse/message?sessionId=x`, {
      method: 'OPTIONS',
      headers: { ...basic, Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    const sse = await openSse(`${running.url}/sse`, { ...basic, Origin: 'https://app.example' });
    try {
      assert.equal(sse.headers['access-control-allow-origin'], 'https://app.example');
    } finally {
      sse.close();
    }
    const foreign = await request(`${running.url}/sse`, { method: 'GET', headers: { ...basic, Origin: 'https://other.example' } });
    assert.equal(foreign.status, 403);
  });

});
