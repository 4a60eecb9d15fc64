/**
 * The endpoint's lock-out limits as the nodes set them (test helper, real HTTP through the
 * runtime's Express `httpNode` app): Max sessions with eviction, Idle per client (the client
 * address is Express's `req.ip`, so `X-Forwarded-For` counts only under `trust proxy`), Listen
 * streams; an eviction is logged at debug level and counted in the `mcp sse in` status, and one
 * for requests through a proxy Express does not trust is a warning.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flowPerTest, helper, inputsOf, type LoadedFlow } from '../support/helper';
import { waitFor } from '../support/core-server';
import { openIdleSession, statusOf, StreamableClient, type StreamableAnswer } from '../support/streamable-client';

const TAB = { id: 'tab1', type: 'tab', label: 'test' };

/** An endpoint that answers the protocol itself, on /mcp only, with `settings`; an sse in node reports its sessions. */
function limitsFlow(settings: Record<string, unknown>): object[] {
  return [
    TAB,
    { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', sse: false, streamable: true, streamablePath: '/mcp', keepAlive: 15, maxBodySize: 4194304, answerProtocol: true, ...settings },
    { id: 'in', type: 'mcp-sse-in', z: 'tab1', endpoint: 'ep', wires: [['events']] },
    { id: 'events', type: 'helper', z: 'tab1' },
  ];
}

describe('the endpoint\'s limits in the Node-RED runtime', () => {
  let flow: LoadedFlow | undefined;
  const { load } = flowPerTest();
  const clients: StreamableClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.closeAll();
  });

  /** Opens a session (from `forwardedFor`, when given) and reads its initialize answer to the end. */
  function idleSession(forwardedFor?: string): Promise<StreamableClient> {
    const c = new StreamableClient(`${(flow as LoadedFlow).url}/mcp`, forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor });
    clients.push(c);
    return openIdleSession(c);
  }

  it('Max sessions: evicts the least recently active idle session, says so at debug level, and counts it in the sse in status', async () => {
    flow = await load(limitsFlow({ maxSessions: 3, maxIdlePerClient: 0 }));
    const events = inputsOf('events');
    const statuses: Array<{ text?: string }> = [];
    helper.getNode('in').on('call:status', (call: { args: Array<{ text?: string }> }) => statuses.push(call.args[0]));
    const debug: string[] = [];
    helper.getNode('ep').on('call:debug', (call: { args: string[] }) => debug.push(call.args[0]));
    const sessions: StreamableClient[] = [];
    for (let i = 0; i < 5; i++) sessions.push(await idleSession());
    await waitFor(() => statuses.at(-1)?.text === '3 sessions, 2 evicted', 2000, 'the status with the evictions');
    assert.equal(await statusOf(sessions[0]), 404);
    assert.equal(await statusOf(sessions[1]), 404);
    assert.equal(await statusOf(sessions[4]), 202);
    await waitFor(() => debug.length === 2, 2000, 'two debug lines');
    assert.match(debug[0], new RegExp(`^MCP session ${sessions[0].sessionId as string} evicted \\(no stream, idle for \\d+ s\\): the endpoint has its maximum of 3 sessions$`));
    const closed = events.filter((m) => m.topic === 'close');
    assert.deepEqual(closed.map((m) => [m.payload.sessionId, m.payload.reason]), [[sessions[0].sessionId, 'evicted'], [sessions[1].sessionId, 'evicted']]);
  });

  it('Idle per client: counts the socket address, and X-Forwarded-For only once Express trusts the proxy', async () => {
    flow = await load(limitsFlow({ maxIdlePerClient: 2 }));
    const warnings: string[] = [];
    helper.getNode('ep').on('call:warn', (call: { args: string[] }) => warnings.push(call.args[0]));
    // Not trusted (Express's default): every request is 127.0.0.1, whatever it claims.
    const untrusted = [await idleSession('198.51.100.1'), await idleSession('198.51.100.2'), await idleSession('198.51.100.3')];
    assert.equal(await statusOf(untrusted[0]), 404, 'one client: its oldest made room');
    assert.equal(await statusOf(untrusted[2]), 202);
    await idleSession('198.51.100.4');
    assert.equal(warnings.length, 1, `once per endpoint: ${warnings.join(' | ')}`);
    assert.match(warnings[0], /^MCP clients behind a proxy share one address \(127\.0\.0\.1\) .* requests carry X-Forwarded-For, but the HTTP server does not trust the proxy\. In Node-RED, set httpServerOptions: \{ "trust proxy": <the proxy's address> \} in settings\.js$/);
    // Trusted, as settings.js httpServerOptions: { 'trust proxy': 'loopback' } sets it: each address is its own client.
    flow.RED.httpNode.set('trust proxy', 'loopback');
    const a = [await idleSession('198.51.100.10'), await idleSession('198.51.100.10')];
    const b = [await idleSession('198.51.100.11'), await idleSession('198.51.100.11')];
    for (const c of [...a, ...b]) assert.equal(await statusOf(c), 202);
    await idleSession('198.51.100.10');
    assert.equal(await statusOf(a[0]), 404);
    for (const c of [a[1], ...b]) assert.equal(await statusOf(c), 202);
  });

  /** Opens a 2026-07-28 listen stream (`subscriptions/listen`) with request id `id`. */
  async function listen(id: string): Promise<StreamableAnswer> {
    const c = new StreamableClient(`${(flow as LoadedFlow).url}/mcp`);
    clients.push(c);
    const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    return c.post({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: envelope } },
      { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'subscriptions/listen' });
  }

  it('Listen streams: past it, a subscriptions/listen gets 503 with Retry-After', async () => {
    flow = await load(limitsFlow({ maxListenStreams: 1 }));
    const open = await listen('L1');
    assert.equal(open.status, 200);
    const refused = await listen('L2');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '5');
    assert.deepEqual(refused.json, { jsonrpc: '2.0', id: 'L2', error: { code: -32000, message: 'This MCP endpoint has its maximum of 1 open listen streams; try again later' } });
  });

  it('Max sessions: 0 (an imported flow, an environment variable) counts as 1, as the editor allows no less', async () => {
    flow = await load(limitsFlow({ maxSessions: '0', maxIdlePerClient: 0 }));
    const first = await idleSession();
    await idleSession();
    assert.equal(await statusOf(first), 404, 'the first made room for the second');
  });

  it('Listen streams: 0 (an imported flow, an environment variable) counts as 1, as the editor allows no less', async () => {
    for (const maxListenStreams of [0, '0']) {
      flow = await load(limitsFlow({ maxListenStreams }));
      assert.equal((await listen('L1')).status, 200, `${JSON.stringify(maxListenStreams)}: one listen stream`);
      assert.equal((await listen('L2')).status, 503);
      for (const c of clients.splice(0)) c.closeAll();
      await flow.close();
    }
  });
});
