/**
 * The workbench's admin API in the real node-red, with `adminAuth` and two users (`admin`: `*`,
 * `reader`: `read`), on the tutorial, tools and server-push examples side by side: 401 without a
 * token, the reader's GETs and 403 on a write, 404 for unknown ids, 400 for a malformed query; the
 * endpoint list; the activity entries of a good call, a tool error, refused arguments, an unknown
 * tool, a 2026-07-28 call and an elicitation the client answered (payloads only where recorded);
 * a tool with Task: always called by a 2026-07-28 client with the tasks extension (created, then
 * completed, each with the task id; the client's tasks/get an ordinary entry);
 * the session list before and after a client leaves, and after DELETE (whose client then gets 404).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableV2 } from '@modelcontextprotocol/client';
import { startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { listenOnLoopback } from '../support/core-server';
import { admin, adminAuthSetting, adminToken, ENDPOINTS, workbenchFlows } from '../support/workbench';
import type { ActivityEntryJson, SessionSummary } from '../../core/workbench';
import type { EndpointInfo } from '../../nodes/lib/admin-api';

type Activity = { seq: number; entries: ActivityEntryJson[] };
type CallAnswer = { result?: unknown; error?: { code: number; message: string }; durationMs: number; progress: Array<Record<string, unknown>>; serverRequests: Array<{ method: string }> };

async function connect(url: string, name: string, transport: 'streamable' | 'sse' = 'streamable', capabilities: Record<string, unknown> = {}): Promise<{ client: Client; sessionId: () => string | undefined }> {
  const client = new Client({ name, version: '1.2.3' }, { capabilities });
  if (transport === 'sse') {
    const t = new SSEClientTransport(new URL(url));
    await client.connect(t);
    return { client, sessionId: () => undefined };
  }
  const t = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(t);
  return { client, sessionId: () => t.sessionId };
}

for (const version of NODE_RED_VERSIONS) describe(`the workbench's admin API in the real node-red, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  let flowFile: string;
  let api: { url: string; close(): Promise<void> };
  let adminTok: string;
  let readerTok: string;
  const get = <T>(p: string, token = adminTok) => admin<T>(nodeRed.url, 'GET', p, token);

  before(async () => {
    // The weather tool's HTTP API: a local stand-in that is closed, so every call of it fails (a tool error through the Catch node).
    api = await listenOnLoopback(http.createServer());
    const apiUrl = api.url;
    await api.close();
    flowFile = workbenchFlows(apiUrl, { [ENDPOINTS.push]: { recordPayloads: true } });
    // A tool whose every call is a task (Task: always): its flow answers after 0.5 s, past the 0.2 s a 2026-07-28 call is answered inline.
    const flow = JSON.parse(readFileSync(flowFile, 'utf8')) as Array<Record<string, unknown>>;
    flow.push(
      { id: 'tools_slow_job', type: 'mcp-sse-tool', z: 'tools_tab', endpoint: ENDPOINTS.tools, name: 'slow_job', description: 'Takes half a second', inputSchema: '{"type":"object"}', taskSupport: 'always', x: 140, y: 400, wires: [['tools_slow_delay']] },
      { id: 'tools_slow_delay', type: 'delay', z: 'tools_tab', name: '', pauseType: 'delay', timeout: '500', timeoutUnits: 'milliseconds', rate: '1', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1, x: 350, y: 400, wires: [['tools_out']] },
    );
    writeFileSync(flowFile, JSON.stringify(flow));
    nodeRed = await startNodeRedWith(flowFile, { node: version.node, bin: version.bin, install: 'link', settings: { adminAuth: adminAuthSetting() } });
    assertRunsOn(version, nodeRed.output());
    adminTok = await adminToken(nodeRed.url, 'admin');
    readerTok = await adminToken(nodeRed.url, 'reader');
  });
  after(async () => {
    await nodeRed.stop();
    rmSync(path.dirname(flowFile), { recursive: true, force: true });
  });

  it('answers 401 without a token, lets a read user read, and answers it 403 on a write', async () => {
    for (const [method, p] of [['GET', '/mcp-sse/endpoints'], ['GET', `/mcp-sse/endpoints/${ENDPOINTS.tools}/sessions`], ['GET', `/mcp-sse/endpoints/${ENDPOINTS.tools}/activity`], ['DELETE', `/mcp-sse/endpoints/${ENDPOINTS.tools}/sessions/x`], ['POST', `/mcp-sse/endpoints/${ENDPOINTS.tools}/call`]]) {
      assert.equal((await admin(nodeRed.url, method, p)).status, 401, `${method} ${p} without a token`);
      assert.equal((await admin(nodeRed.url, method, p, 'not-a-token')).status, 401, `${method} ${p} with a token Node-RED never issued`);
    }
    assert.equal((await get('/mcp-sse/endpoints', readerTok)).status, 200);
    assert.equal((await get(`/mcp-sse/endpoints/${ENDPOINTS.tools}/sessions`, readerTok)).status, 200);
    assert.equal((await get(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity`, readerTok)).status, 200);
    const { client, sessionId } = await connect(`${nodeRed.url}/tools/mcp`, 'reader-victim');
    try {
      const denied = await admin<{ code: string; message: string }>(nodeRed.url, 'DELETE', `/mcp-sse/endpoints/${ENDPOINTS.tools}/sessions/${sessionId()}`, readerTok);
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.body, { code: 'forbidden', message: 'This needs the permission mcp-sse.write' });
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).content, [{ type: 'text', text: '2' }], 'the session is still there');
      const call = await admin<{ code: string }>(nodeRed.url, 'POST', `/mcp-sse/endpoints/${ENDPOINTS.tools}/call`, readerTok, { method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
      assert.equal(call.status, 403);
      assert.equal(call.body.code, 'forbidden');
    } finally {
      await client.close();
    }
  });

  it('answers 404 for an unknown endpoint or session, and 400 for a malformed query', async () => {
    for (const p of ['/mcp-sse/endpoints/nope/sessions', '/mcp-sse/endpoints/nope/activity', '/mcp-sse/endpoints/tools_add/sessions']) {
      const answer = await get<{ code: string; message: string }>(p);
      assert.equal(answer.status, 404, p);
      assert.equal(answer.body.code, 'not_found');
      assert.match(answer.body.message, /No running mcp-sse-endpoint/);
    }
    const session = await admin<{ code: string }>(nodeRed.url, 'DELETE', `/mcp-sse/endpoints/${ENDPOINTS.tools}/sessions/not-a-session`, adminTok);
    assert.equal(session.status, 404);
    assert.equal(session.body.code, 'not_found');
    assert.equal((await admin(nodeRed.url, 'POST', '/mcp-sse/endpoints/nope/call', adminTok, { method: 'tools/call', params: { name: 'add' } })).status, 404);
    // A body that is not JSON: Node-RED's own parser answers it, in front of every admin route.
    const notJson = await admin<string>(nodeRed.url, 'POST', `/mcp-sse/endpoints/${ENDPOINTS.tools}/call`, adminTok, '{"method": "tools/call", ');
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /SyntaxError: .*JSON/);
    for (const [body, message] of [
      [[], /The body must be a JSON object/],
      [{ method: 'tools/delete', params: {} }, /method must be one of tools\/call, resources\/read, prompts\/get/],
      [{ method: 'tools/call', params: 'add' }, /params must be a JSON object/],
      [{ method: 'tools/call', params: {}, timeoutMs: 0 }, /timeoutMs must be a whole number/],
    ] as const) {
      const bad = await admin<{ code: string; message: string }>(nodeRed.url, 'POST', `/mcp-sse/endpoints/${ENDPOINTS.tools}/call`, adminTok, body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(bad.body.code, 'invalid_request');
      assert.match(bad.body.message, message);
    }
    for (const query of ['since=abc', 'since=-1', 'limit=0', 'since=1.5']) {
      const bad = await get<{ code: string; message: string }>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity?${query}`);
      assert.equal(bad.status, 400, query);
      assert.match(bad.body.message, /since must be a whole number/);
    }
  });

  it('lists every endpoint with its paths, transports, authentication and counts', async () => {
    const { client } = await connect(`${nodeRed.url}/tools/sse`, 'counted', 'sse');
    try {
      const { status, body } = await get<EndpointInfo[]>('/mcp-sse/endpoints');
      assert.equal(status, 200);
      const byId = Object.fromEntries(body.map((e) => [e.id, e]));
      assert.deepEqual(Object.keys(byId).sort(), Object.values(ENDPOINTS).sort());
      const tools = byId[ENDPOINTS.tools];
      // (Sessions of earlier tests' Streamable HTTP clients stay open until they time out: SDK v1 clients send no DELETE.)
      const open = (await get<SessionSummary[]>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/sessions`)).body;
      assert.ok(open.some((s) => s.clientInfo?.name === 'counted'));
      assert.equal(typeof tools.activity.epoch, 'number');
      assert.deepEqual({ ...tools, activity: { ...tools.activity, seq: 0, epoch: 0 } }, {
        id: ENDPOINTS.tools, name: 'tools', paths: { sse: '/tools/sse', message: '/tools/message', streamable: '/tools/mcp' },
        transports: ['sse', 'streamable-http'], auth: 'none', sessions: open.length, listenStreams: 0, activity: { size: 500, recordPayloads: false, seq: 0, epoch: 0 },
      });
      assert.equal(byId[ENDPOINTS.push].activity.recordPayloads, true);
      assert.deepEqual(byId[ENDPOINTS.tutorial].paths, { sse: '/sse', message: '/sse/message', streamable: '/mcp' });
      assert.equal(tools.instance, undefined, 'one instance: no instance id');
    } finally {
      await client.close();
    }
  });

  it('lists a good call, a tool error, refused arguments and an unknown tool, with outcome and duration, and no payloads', async () => {
    const { client, sessionId } = await connect(`${nodeRed.url}/tools/mcp`, 'activity-client');
    const since = (await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity`)).body.seq;
    try {
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      assert.equal((await client.callTool({ name: 'weather', arguments: { latitude: 1, longitude: 2 } })).isError, true);
      assert.equal((await client.callTool({ name: 'weather', arguments: { latitude: 200, longitude: 2 } })).isError, true);
      await assert.rejects(client.callTool({ name: 'subtract', arguments: {} }), /Unknown tool/);
      const { status, body } = await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity?since=${since}`);
      assert.equal(status, 200);
      const calls = body.entries.filter((e) => e.method === 'tools/call');
      assert.deepEqual(calls.map((e) => [e.name, e.outcome, e.code, e.sessionId, e.source, e.from]), [
        ['add', 'result', undefined, sessionId(), 'client', 'client'],
        ['weather', 'tool-error', undefined, sessionId(), 'client', 'client'],
        ['weather', 'tool-error', undefined, sessionId(), 'client', 'client'],
        ['subtract', 'error', -32602, sessionId(), 'client', 'client'],
      ]);
      assert.match(calls[3].message ?? '', /Unknown tool: subtract/);
      for (const entry of calls) {
        assert.equal(typeof entry.durationMs, 'number');
        assert.equal(typeof entry.at, 'number');
        assert.equal(entry.params, undefined, 'Record payloads is off on this endpoint');
        assert.equal(entry.result, undefined);
      }
      assert.equal(body.seq, body.entries.at(-1)?.seq, 'seq is the newest entry\'s');
      assert.deepEqual((await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity?since=${body.seq}`)).body.entries, []);
    } finally {
      await client.close();
    }
  });

  it('lists a 2026-07-28 call by its exchange, with no session', async () => {
    const since = (await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity`)).body.seq;
    const client = new ClientV2({ name: 'modern-client', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableV2(new URL(`${nodeRed.url}/tools/mcp`)));
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
      await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
      const { body } = await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity?since=${since}`);
      const call = body.entries.find((e) => e.method === 'tools/call');
      assert.equal(call?.era, '2026-07-28');
      assert.equal(call?.sessionId, undefined);
      assert.match(call?.exchangeId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(call?.outcome, 'result');
      assert.equal(call?.name, 'add');
    } finally {
      await client.close();
    }
  });

  it('lists a task: its tools/call created (working), then completed with its duration; the client\'s tasks/get an ordinary entry', async () => {
    const since = (await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity`)).body.seq;
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } } };
    const post = async (id: string, method: string, name: string, params: Record<string, unknown>) => {
      const res = await fetch(`${nodeRed.url}/tools/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method, 'Mcp-Name': name },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } }),
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as { result: Record<string, unknown> }).result;
    };
    const created = await post('T1', 'tools/call', 'slow_job', { name: 'slow_job', arguments: {} });
    assert.equal(created.resultType, 'task');
    const taskId = created.taskId as string;
    const about = async () => (await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tools}/activity?since=${since}`)).body.entries.filter((e) => e.taskId === taskId);
    let entries = await about();
    for (let i = 0; i < 100 && !entries.some((e) => e.taskStatus === 'completed'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      entries = await about();
    }
    assert.deepEqual(entries.map((e) => [e.method, e.name, e.id, e.outcome, e.taskStatus, e.era]), [
      ['tools/call', 'slow_job', 'T1', 'task', 'working', '2026-07-28'],
      ['tools/call', 'slow_job', 'T1', 'result', 'completed', '2026-07-28'],
    ]);
    assert.ok((entries[1].durationMs as number) >= 500, `the task took the flow's 0.5 s: ${entries[1].durationMs} ms`);
    assert.equal(entries[1].exchangeId, entries[0].exchangeId, 'both name the exchange of the call');
    const done = await post('G1', 'tasks/get', taskId, { taskId });
    assert.equal(done.status, 'completed');
    const get2 = (await about()).find((e) => e.method === 'tasks/get');
    assert.deepEqual([get2?.outcome, get2?.taskStatus, get2?.from], ['result', undefined, 'client']);
  });

  it('lists a server-initiated elicitation the client answered, with the payloads this endpoint records', async () => {
    const { client, sessionId } = await connect(`${nodeRed.url}/push/mcp`, 'eliciting-client', 'streamable', { elicitation: {} });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
    try {
      const since = (await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.push}/activity`)).body.seq;
      assert.deepEqual((await client.callTool({ name: 'ask_name', arguments: {} })).content, [{ type: 'text', text: 'Hello, Ada!' }]);
      const { body } = await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.push}/activity?since=${since}`);
      const entries = body.entries.map((e) => [e.from, e.kind, e.method, e.name, e.outcome, e.sessionId]);
      assert.deepEqual(entries, [
        ['server', 'request', 'elicitation/create', undefined, 'result', sessionId()],
        ['client', 'request', 'tools/call', 'ask_name', 'result', sessionId()],
      ]);
      const [elicit, call] = body.entries;
      assert.ok((call.durationMs as number) >= (elicit.durationMs as number));
      assert.deepEqual(JSON.parse(elicit.params as string).message, 'What is your name?');
      assert.deepEqual(JSON.parse(elicit.result as string), { action: 'accept', content: { name: 'Ada' } });
      assert.deepEqual(JSON.parse(call.params as string), { name: 'ask_name', arguments: {} });
      assert.deepEqual(JSON.parse(call.result as string), { content: [{ type: 'text', text: 'Hello, Ada!' }], isError: false });
    } finally {
      await client.close();
    }
  });

  it("calls add from the editor through the tutorial's hand-written flow and through the tools example's declared tool, opening no session", async () => {
    const call = (endpoint: string, body: unknown) => admin<CallAnswer>(nodeRed.url, 'POST', `/mcp-sse/endpoints/${endpoint}/call`, adminTok, body);
    const sessionsBefore = (await get<SessionSummary[]>(`/mcp-sse/endpoints/${ENDPOINTS.tutorial}/sessions`)).body.length;
    const since = (await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tutorial}/activity`)).body.seq;
    const handWritten = await call(ENDPOINTS.tutorial, { method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 } } });
    assert.equal(handWritten.status, 200);
    assert.deepEqual(handWritten.body.result, { content: [{ type: 'text', text: '5' }] });
    assert.equal(typeof handWritten.body.durationMs, 'number');
    assert.deepEqual(handWritten.body.progress, []);
    // A hand-written flow's tools, from its own tools/list answer.
    const listed = await call(ENDPOINTS.tutorial, { method: 'tools/list' });
    assert.deepEqual((listed.body.result as { tools: Array<{ name: string }> }).tools.map((t) => t.name), ['add']);
    const declared = await call(ENDPOINTS.tools, { method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 } } });
    assert.deepEqual(declared.body.result, { content: [{ type: 'text', text: '5' }] });
    // The schema refuses the arguments, as it refuses a client's: the flow is never reached.
    const refused = await call(ENDPOINTS.tools, { method: 'tools/call', params: { name: 'weather', arguments: { latitude: 200, longitude: 2 } } });
    assert.equal((refused.body.result as { isError: boolean }).isError, true);
    assert.match(JSON.stringify(refused.body.result), /arguments\/latitude must be <= 90/);
    const unknown = await call(ENDPOINTS.tools, { method: 'tools/call', params: { name: 'subtract', arguments: {} } });
    assert.equal(unknown.status, 200);
    assert.equal(unknown.body.error?.code, -32602);
    assert.equal((await get<SessionSummary[]>(`/mcp-sse/endpoints/${ENDPOINTS.tutorial}/sessions`)).body.length, sessionsBefore, 'no session opened');
    const { body } = await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.tutorial}/activity?since=${since}`);
    assert.deepEqual(body.entries.map((e) => [e.method, e.name, e.outcome, e.source, e.sessionId]), [
      ['tools/call', 'add', 'result', 'editor', undefined],
      ['tools/list', undefined, 'result', 'editor', undefined],
    ]);
  });

  it("brings the flow's progress back, answers its elicitation with an error, and gives 504 when it does not answer in time", async () => {
    const call = (body: unknown) => admin<CallAnswer & { code?: string; message?: string }>(nodeRed.url, 'POST', `/mcp-sse/endpoints/${ENDPOINTS.push}/call`, adminTok, body);
    const counted = await call({ method: 'tools/call', params: { name: 'count', arguments: { steps: 2, delayMs: 10 } } });
    assert.deepEqual(counted.body.result, { content: [{ type: 'text', text: 'counted to 2' }] });
    assert.deepEqual(counted.body.progress.map((p) => [p.progress, p.total, p.message]), [[1, 2, 'step 1 of 2'], [2, 2, 'step 2 of 2']]);
    const asked = await call({ method: 'tools/call', params: { name: 'ask_name', arguments: {} } });
    assert.deepEqual(asked.body.serverRequests, [{ method: 'elicitation/create' }]);
    const result = asked.body.result as { content: Array<{ text: string }>; isError: boolean };
    assert.equal(result.isError, true, 'the flow heard the error and answered the call with it');
    assert.match(result.content[0].text, /^Could not ask for a name: The Node-RED editor cannot answer elicitation\/create/);
    const since = (await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.push}/activity`)).body.seq;
    const slow = await call({ method: 'tools/call', params: { name: 'count', arguments: { steps: 3, delayMs: 200 } }, timeoutMs: 300 });
    assert.equal(slow.status, 504);
    assert.equal(slow.body.code, 'timeout');
    assert.match(slow.body.message ?? '', /No answer within 0\.3 s/);
    assert.ok(Array.isArray(slow.body.progress));
    const { body } = await get<Activity>(`/mcp-sse/endpoints/${ENDPOINTS.push}/activity?since=${since}`);
    const entry = body.entries.find((e) => e.method === 'tools/call');
    assert.deepEqual([entry?.name, entry?.outcome, entry?.source], ['count', 'timeout', 'editor']);
  });

  it('lists the open sessions with their clients, drops one whose client leaves, and ends one on DELETE', async () => {
    const sessions = () => get<SessionSummary[]>(`/mcp-sse/endpoints/${ENDPOINTS.tutorial}/sessions`).then((a) => a.body);
    const before = Date.now();
    const leaving = await connect(`${nodeRed.url}/sse`, 'leaving-client', 'sse');
    const deleted = await connect(`${nodeRed.url}/mcp`, 'deleted-client');
    try {
      let list = await sessions();
      assert.deepEqual(list.map((s) => [s.clientInfo?.name, s.transport, s.protocolVersion, s.inFlight]).sort(), [
        ['deleted-client', 'streamable-http', '2025-11-25', 0],
        ['leaving-client', 'sse', '2025-11-25', 0],
      ]);
      const mine = list.find((s) => s.clientInfo?.name === 'deleted-client') as SessionSummary;
      assert.equal(mine.id, deleted.sessionId());
      assert.deepEqual(mine.clientInfo, { name: 'deleted-client', version: '1.2.3' });
      assert.ok(mine.openedAt >= before && mine.lastActivityAt >= mine.openedAt && mine.lastActivityAt <= Date.now());
      assert.equal(mine.subject, undefined, 'no OAuth: no subject');

      await leaving.client.close();
      const deadline = Date.now() + 5000;
      while ((list = await sessions()).length !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(list.map((s) => s.clientInfo?.name), ['deleted-client']);

      const answer = await admin(nodeRed.url, 'DELETE', `/mcp-sse/endpoints/${ENDPOINTS.tutorial}/sessions/${deleted.sessionId()}`, adminTok);
      assert.equal(answer.status, 204);
      assert.deepEqual(await sessions(), []);
      await assert.rejects(deleted.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }), /404|Session not found/);
    } finally {
      await Promise.allSettled([leaving.client.close(), deleted.client.close()]);
    }
  });
});
