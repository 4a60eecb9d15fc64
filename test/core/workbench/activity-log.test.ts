/**
 * The workbench's activity list and session list (core/workbench/), attached to a plain
 * node:http endpoint with declared tools, and the official SDK client on it: the entries of a good
 * call, a tool error, refused arguments, an unknown tool, a server-initiated elicitation and a
 * cancelled request (outcome, duration, name; no payloads unless recorded); recorded payloads cut
 * at 16 KiB and without Authorization values; the ring keeps the newest; the session list with the
 * client's name before and after it leaves. What the client receives is the same with the log on.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { CallToolResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { McpEndpoint } from '../../../core/endpoint';
import { SessionRegistry } from '../../../core/registry';
import { callFromEditor, EditorCallTimeout, MAX_RECORDED_BYTES, REDACTED, sessionList, watchEndpoint, type ActivityEntryJson, type ActivityLog, type ActivityOptions } from '../../../core/workbench';
import { listenOnLoopback, waitFor } from '../../support/core-server';

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** An endpoint with `add`, `fail` (a tool error) and `ask` (elicits a name) declared, and its activity log. */
async function serve(options: ActivityOptions = {}): Promise<{ endpoint: McpEndpoint; log: ActivityLog; url: string }> {
  const endpoint = new McpEndpoint({ id: 'ep', registry: new SessionRegistry(), messageUrl: '/message', keepAliveMs: 0 });
  const log = watchEndpoint(endpoint, options);
  const schema = { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] };
  endpoint.features.declare({
    kind: 'tool', owner: 'add', definition: { name: 'add', inputSchema: schema },
    onRequest: ({ session, requestId, payload }) => {
      const { a, b } = payload as { a: number; b: number };
      endpoint.send(session.id, a + b, { requestId });
    },
  });
  endpoint.features.declare({
    kind: 'tool', owner: 'fail', definition: { name: 'fail', inputSchema: { type: 'object' } },
    onRequest: ({ session, requestId }) => endpoint.send(session.id, 'ignored', { requestId, failure: 'the flow failed' }),
  });
  endpoint.features.declare({
    kind: 'tool', owner: 'ask', definition: { name: 'ask', inputSchema: { type: 'object' } },
    onRequest: ({ session, requestId }) => endpoint.send(session.id, { method: 'elicitation/create', params: { message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } } }, {
      requestId,
      request: { timeoutMs: 5000, settle: (outcome) => endpoint.send(session.id, `Hello ${(outcome as { result: { content: { name: string } } }).result.content.name}`, { requestId }) },
    }),
  });
  endpoint.features.declare({ kind: 'tool', owner: 'slow', definition: { name: 'slow', inputSchema: { type: 'object' } }, onRequest: () => {} });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/sse') endpoint.handleSseGet(req, res);
    else if (path === '/message') endpoint.handleSsePost(req, res);
    else endpoint.handleStreamableHttp(req, res);
  });
  const listening = await listenOnLoopback(server);
  closers.push(async () => {
    await endpoint.close();
    await listening.close();
  });
  return { endpoint, log, url: listening.url };
}

async function connect(url: string, transport: 'sse' | 'streamable' = 'streamable'): Promise<Client> {
  const client = new Client({ name: 'workbench-test', version: '2.3.4' }, { capabilities: { elicitation: {} } });
  await client.connect(transport === 'sse' ? new SSEClientTransport(new URL(`${url}/sse`)) : new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  closers.push(() => client.close());
  return client;
}

/**
 * The entries of `log` as JSON, without those of the session's opening (initialize and
 * notifications/initialized) and the tools list_changed broadcast of the declarations.
 */
function calls(log: ActivityLog): ActivityEntryJson[] {
  return log.since(0).map((e) => e.view(true)).filter((e) => e.method !== 'initialize' && e.method !== 'notifications/initialized' && e.sessions === undefined);
}

describe('the activity list', () => {
  for (const transport of ['streamable', 'sse'] as const) it(`lists a good call, a tool error, refused arguments and an unknown tool, each with its outcome and duration, over ${transport}`, async () => {
    const { log, url } = await serve();
    const client = await connect(url, transport);
    assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
    assert.equal((await client.callTool({ name: 'fail', arguments: {} })).isError, true);
    assert.equal((await client.callTool({ name: 'add', arguments: { a: 'x' } })).isError, true);
    await assert.rejects(client.callTool({ name: 'nothing', arguments: {} }), /Unknown tool/);
    const entries = calls(log);
    assert.deepEqual(entries.map((e) => [e.method, e.name, e.outcome, e.code, e.from, e.source]), [
      ['tools/call', 'add', 'result', undefined, 'client', 'client'],
      ['tools/call', 'fail', 'tool-error', undefined, 'client', 'client'],
      ['tools/call', 'add', 'tool-error', undefined, 'client', 'client'],
      ['tools/call', 'nothing', 'error', -32602, 'client', 'client'],
    ]);
    assert.match(entries[3].message ?? '', /Unknown tool: nothing/);
    for (const entry of entries) {
      assert.equal(typeof entry.durationMs, 'number');
      assert.ok((entry.durationMs as number) >= 0);
      assert.equal(entry.sessionId, client.transport?.sessionId ?? entry.sessionId);
      assert.equal(entry.params, undefined, 'no payloads unless recorded');
      assert.equal(entry.result, undefined);
    }
    const seqs = log.since(0).map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'numbered 1, 2, 3, ...');
    assert.deepEqual(log.since(log.seq - 1).map((e) => e.seq), [log.seq], 'since gives the entries after a seq');
  });

  it('lists a server-initiated elicitation the client answered, and a request the client cancelled', async () => {
    const { log, url } = await serve();
    const client = await connect(url);
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
    assert.deepEqual((await client.callTool({ name: 'ask', arguments: {} })).content, [{ type: 'text', text: 'Hello Ada' }]);
    const abort = new AbortController();
    const slow = client.request({ method: 'tools/call', params: { name: 'slow', arguments: {} } }, CallToolResultSchema, { signal: abort.signal });
    await waitFor(() => log.sessions.list(() => 0).length === 1, 2000, 'the session');
    await new Promise((r) => setTimeout(r, 50));
    abort.abort('no longer needed');
    await assert.rejects(slow);
    await waitFor(() => calls(log).some((e) => e.outcome === 'cancelled'), 2000, 'the cancelled entry');
    const entries = calls(log);
    assert.deepEqual(entries.map((e) => [e.from, e.kind, e.method, e.name, e.outcome]), [
      ['server', 'request', 'elicitation/create', undefined, 'result'],
      ['client', 'request', 'tools/call', 'ask', 'result'],
      ['client', 'request', 'tools/call', 'slow', 'cancelled'],
      ['client', 'notification', 'notifications/cancelled', undefined, undefined],
    ]);
    assert.ok((entries[1].durationMs as number) >= (entries[0].durationMs as number), 'the call lasted while the client answered');
  });

  it('keeps params and results when recording, as JSON cut at 16 KiB, never an Authorization value', async () => {
    const { log, url } = await serve({ recordPayloads: true });
    const client = await connect(url);
    await client.callTool({ name: 'fail', arguments: { headers: { Authorization: 'Bearer secret-token' }, note: 'x'.repeat(20_000) } });
    const [entry] = calls(log);
    assert.ok(entry.params !== undefined && entry.result !== undefined);
    assert.ok(Buffer.byteLength(entry.params) <= MAX_RECORDED_BYTES);
    assert.ok(Buffer.byteLength(entry.params) > MAX_RECORDED_BYTES - 4);
    assert.deepEqual(entry.truncated, ['params']);
    assert.ok(!entry.params.includes('secret-token'));
    assert.ok(entry.params.includes(`"Authorization":"${REDACTED}"`));
    assert.deepEqual(JSON.parse(entry.result), { content: [{ type: 'text', text: 'the flow failed' }], isError: true });
  });

  it('keeps the newest entries only, as many as its size', async () => {
    const { log, url } = await serve({ size: 3 });
    const client = await connect(url);
    for (let i = 0; i < 4; i++) await client.callTool({ name: 'add', arguments: { a: i, b: 0 } });
    const kept = log.since(0);
    assert.equal(kept.length, 3);
    assert.deepEqual(kept.map((e) => e.seq), [log.seq - 2, log.seq - 1, log.seq]);
    assert.deepEqual(log.since(0, 1).map((e) => e.seq), [log.seq - 2]);
  });
});

describe('the session list', () => {
  it('lists each open session with its client, transport and version, and forgets it when the client leaves', async () => {
    const { endpoint, log, url } = await serve();
    const before = Date.now();
    const streamable = await connect(url);
    const sse = await connect(url, 'sse');
    await waitFor(() => sessionList(endpoint, log).length === 2 && sessionList(endpoint, log).every((s) => s.clientInfo !== undefined), 2000, 'two sessions');
    const sessions = sessionList(endpoint, log);
    assert.deepEqual(sessions.map((s) => [s.transport, s.protocolVersion, s.clientInfo, s.inFlight]), [
      ['streamable-http', '2025-11-25', { name: 'workbench-test', version: '2.3.4' }, 0],
      ['sse', '2025-11-25', { name: 'workbench-test', version: '2.3.4' }, 0],
    ]);
    assert.equal(sessions[0].id, streamable.transport?.sessionId);
    assert.deepEqual(sessions[0].clientCapabilities, { elicitation: {} });
    assert.ok(sessions[0].openedAt >= before && sessions[0].lastActivityAt >= sessions[0].openedAt);
    await sse.close();
    await waitFor(() => sessionList(endpoint, log).length === 1, 2000, 'the HTTP+SSE session to end');
    assert.equal(sessionList(endpoint, log)[0].transport, 'streamable-http');
  });
});

describe("the editor's call", () => {
  it('goes through the declaration and its schema like a client\'s, opens no session, and is listed as the editor\'s', async () => {
    const { endpoint, log } = await serve();
    assert.deepEqual((await callFromEditor(endpoint, { method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 } } }, log)).result, { content: [{ type: 'text', text: '5' }] });
    const refused = await callFromEditor(endpoint, { method: 'tools/call', params: { name: 'add', arguments: { a: 'x' } } }, log);
    assert.equal((refused.result as { isError: boolean }).isError, true);
    assert.equal((await callFromEditor(endpoint, { method: 'tools/call', params: { name: 'nothing' } }, log)).error?.code, -32602);
    assert.equal(endpoint.sessionCount, 0);
    assert.deepEqual(calls(log).map((e) => [e.name, e.outcome, e.source, e.sessionId]), [
      ['add', 'result', 'editor', undefined], ['add', 'tool-error', 'editor', undefined], ['nothing', 'error', 'editor', undefined],
    ]);
  });

  it("brings back the flow's progress, refuses its server-initiated request with an error the flow hears, and times out", async () => {
    const { endpoint, log } = await serve();
    const heard: string[] = [];
    endpoint.features.declare({
      kind: 'tool', owner: 'busy', definition: { name: 'busy', inputSchema: { type: 'object' } },
      onRequest: ({ session, requestId }) => {
        endpoint.send(session.id, { method: 'notifications/progress', params: { progress: 1, total: 2 } }, { requestId });
        endpoint.send(session.id, { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } }, {
          requestId,
          request: { timeoutMs: 5000, settle: (outcome) => {
            heard.push(outcome.status === 'error' ? outcome.error.message : outcome.status);
            endpoint.send(session.id, 'done', { requestId });
          } },
        });
      },
    });
    const answer = await callFromEditor(endpoint, { method: 'tools/call', params: { name: 'busy' } }, log);
    assert.deepEqual(answer.result, { content: [{ type: 'text', text: 'done' }] });
    assert.deepEqual(answer.progress, [{ progress: 1, total: 2, progressToken: 'editor' }]);
    assert.deepEqual(answer.serverRequests, [{ method: 'sampling/createMessage' }]);
    assert.match(heard[0], /The Node-RED editor cannot answer sampling\/createMessage/);
    await assert.rejects(callFromEditor(endpoint, { method: 'tools/call', params: { name: 'slow' } }, log, 50), EditorCallTimeout);
    assert.deepEqual(calls(log).filter((e) => e.from === 'client').map((e) => [e.name, e.outcome]), [['busy', 'result'], ['slow', 'timeout']]);
  });
});
