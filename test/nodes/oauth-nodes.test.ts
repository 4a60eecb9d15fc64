/**
 * The endpoint's OAuth 2.1 mode in the Node-RED runtime (test helper, real HTTP, a real
 * authorization server): its settings as the editor saves them (with `${VAR}` substitution),
 * the metadata routes under `httpNodeRoot`, `msg.mcp.auth` on the msgs of both in-nodes, the tool
 * scope list, opaque tokens introspected with the endpoint's credentials, and flows saved before
 * the authentication mode existed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { flowPerTest, helper, inputsOf, slowCloseNode } from '../support/helper';
import { openSse, postJson, request } from '../support/sse-client';
import { waitFor } from '../support/core-server';
import { startAuthorizationServer, TEST_USER, type TestAuthorizationServer } from '../support/oidc';

const TAB = { id: 'tab1', type: 'tab', label: 'test' };
const STREAMABLE = { Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json' };
const INITIALIZE = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

/**
 * POSTs a message (default `initialize`) to a Streamable HTTP path and resolves with the status
 * and headers as soon as they arrive (no flow answers here, so an accepted request's stream stays
 * open: it is cut).
 */
function initialize(url: string, headers: Record<string, string> = {}, message: object = INITIALIZE): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...STREAMABLE, ...headers } }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      req.destroy();
    });
    req.on('error', reject);
    req.end(JSON.stringify(message));
  });
}

function oauthFlow(endpoint: Record<string, unknown>): object[] {
  return [
    TAB,
    { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', ssePath: '/sse', messagePath: '/sse/message', streamable: true, streamablePath: '/mcp', keepAlive: 15, maxBodySize: 4194304, ...endpoint },
    { id: 'in', type: 'mcp-sse-in', z: 'tab1', endpoint: 'ep', wires: [['events']] },
    { id: 'events', type: 'helper', z: 'tab1' },
    { id: 'msgIn', type: 'mcp-message-in', z: 'tab1', endpoint: 'ep', wires: [['received']] },
    { id: 'received', type: 'helper', z: 'tab1' },
  ];
}

describe('the endpoint in OAuth 2.1 mode, in the Node-RED runtime', () => {
  let as: TestAuthorizationServer;
  const { load, track } = flowPerTest();
  const now = (): number => Math.floor(Date.now() / 1000);
  const bearer = async (aud: string, claims: Record<string, unknown> = {}): Promise<Record<string, string>> => ({
    Authorization: `Bearer ${await as.sign({ iss: as.issuer, sub: TEST_USER, aud, client_id: 'app', scope: 'mcp:tools', exp: now() + 300, ...claims })}`,
  });

  before(async () => {
    as = await startAuthorizationServer({ resourceScopes: 'mcp:tools math:add' });
  });
  after(async () => {
    delete process.env.MCP_TEST_ISSUER;
    await as.close();
  });

  it('serves the metadata of both paths under httpNodeRoot, and points its 401 there', async () => {
    helper.settings({ httpNodeRoot: '/api' });
    try {
      const flow = await load(oauthFlow({ authMode: 'oauth', issuers: as.issuer, requiredScopes: 'mcp:tools', toolScopes: 'add: math:add' }), { httpNodeRoot: '/api' });
      for (const path of ['/sse', '/mcp']) {
        const metadata = await request(`${flow.url}/api/.well-known/oauth-protected-resource${path}`, { method: 'GET' });
        assert.equal(metadata.status, 200);
        assert.deepEqual(metadata.json, { resource: `${flow.url}/api${path}`, authorization_servers: [as.issuer], scopes_supported: ['mcp:tools', 'math:add'], bearer_methods_supported: ['header'] });
      }
      const refused = await initialize(`${flow.url}/api/mcp`);
      assert.equal(refused.status, 401);
      assert.equal(refused.headers['www-authenticate'], `Bearer resource_metadata="${flow.url}/api/.well-known/oauth-protected-resource/mcp", scope="mcp:tools math:add"`);
      const accepted = await initialize(`${flow.url}/api/mcp`, await bearer(`${flow.url}/api/mcp`));
      assert.equal(accepted.status, 200);
    } finally {
      helper.settings({});
    }
  });

  it('puts the caller in msg.mcp.auth on the msgs of both in-nodes, and no token in the flow', async () => {
    const flow = await load(oauthFlow({ authMode: 'oauth', issuers: as.issuer, requiredScopes: 'mcp:tools' }));
    const events = inputsOf('events');
    const received = inputsOf('received');
    const headers = await bearer(`${flow.url}/sse`);
    const sse = track(await openSse(`${flow.url}/sse`, headers));
    assert.equal((await postJson(`${flow.url}${sse.endpoint}`, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, headers)).status, 202);
    await waitFor(() => events.length === 1 && received.length === 1, 2000, 'open and message msgs');
    for (const msg of [events[0], received[0]]) {
      assert.equal(msg.mcp.auth.subject, TEST_USER);
      assert.equal(msg.mcp.auth.clientId, 'app');
      assert.deepEqual(msg.mcp.auth.scopes, ['mcp:tools']);
      assert.equal(msg.mcp.auth.claims.aud, `${flow.url}/sse`);
      assert.equal(typeof msg.mcp.auth.expiresAt, 'number');
      assert.ok(!JSON.stringify(msg).includes(headers.Authorization.slice(7)), 'the token is nowhere in the msg');
    }
    assert.equal(events[0].payload.headers.authorization, undefined);
  });

  it('refuses a tool call that lacks a scope of the endpoint\'s tool scope list; the flow never hears of it', async () => {
    const flow = await load(oauthFlow({ authMode: 'oauth', issuers: as.issuer, toolScopes: '# admin tools\nadd: math:add' }));
    const received = inputsOf('received');
    const headers = await bearer(`${flow.url}/mcp`);
    const opened = await initialize(`${flow.url}/mcp`, headers);
    assert.equal(opened.status, 200);
    await waitFor(() => received.length === 1, 2000, 'initialize msg');
    const call = await request(`${flow.url}/mcp`, {
      headers: { ...STREAMABLE, ...headers, 'Mcp-Session-Id': opened.headers['mcp-session-id'] as string },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } }),
    });
    assert.equal(call.status, 403);
    assert.match(call.headers['www-authenticate'] as string, /scope="math:add", error="insufficient_scope"/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, 1);
  });

  it('protects a declared tool (mcp sse tool) by the endpoint\'s tool scopes, and gives its msgs the caller; metadata without in-nodes', async () => {
    const flow = await load([
      TAB,
      { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', sse: false, streamable: true, streamablePath: '/mcp', keepAlive: 15, maxBodySize: 4194304, authMode: 'oauth', issuers: as.issuer, toolScopes: 'add: math:add' },
      { id: 'addTool', type: 'mcp-sse-tool', z: 'tab1', endpoint: 'ep', name: 'add', inputSchema: JSON.stringify({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } }), outputSchema: '', wires: [['calls']] },
      { id: 'calls', type: 'helper', z: 'tab1' },
    ]);
    const calls = inputsOf('calls');
    const metadata = await request(`${flow.url}/.well-known/oauth-protected-resource/mcp`, { method: 'GET' });
    assert.equal(metadata.status, 200, 'the endpoint serves the metadata itself');
    assert.deepEqual((metadata.json as { scopes_supported: string[] }).scopes_supported, ['math:add']);
    const limited = await bearer(`${flow.url}/mcp`);
    const opened = await request(`${flow.url}/mcp`, { headers: { ...STREAMABLE, ...limited }, body: JSON.stringify(INITIALIZE) });
    assert.equal(opened.status, 200, 'the endpoint answers initialize itself');
    const sessionId = opened.headers['mcp-session-id'] as string;
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } };
    const refused = await initialize(`${flow.url}/mcp`, { ...limited, 'Mcp-Session-Id': sessionId }, call);
    assert.equal(refused.status, 403);
    assert.match(refused.headers['www-authenticate'] as string, /scope="math:add", error="insufficient_scope"/);
    const allowed = await initialize(`${flow.url}/mcp`, { ...(await bearer(`${flow.url}/mcp`, { scope: 'mcp:tools math:add' })), 'Mcp-Session-Id': sessionId }, call);
    assert.equal(allowed.status, 200);
    await waitFor(() => calls.length === 1, 2000, 'the tool node\'s msg');
    assert.equal(calls[0].mcp.auth.subject, TEST_USER);
    assert.deepEqual(calls[0].mcp.auth.scopes, ['mcp:tools', 'math:add']);
  });

  it('keeps refusing a tool call without the tool\'s scope during a full deploy that hands the endpoint over', async () => {
    const nodes = [
      TAB,
      { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', sse: false, streamable: true, streamablePath: '/mcp', keepAlive: 15, maxBodySize: 4194304, authMode: 'oauth', issuers: as.issuer, toolScopes: 'add: math:add' },
      { id: 'addTool', type: 'mcp-sse-tool', z: 'tab1', endpoint: 'ep', name: 'add', inputSchema: JSON.stringify({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } }), outputSchema: '', wires: [['calls']] },
      { id: 'calls', type: 'helper', z: 'tab1' },
      // Makes the deploy take 1.5 s: the endpoint is parked that long, waiting for its successor.
      { id: 'slow', type: 'slow-close', z: 'tab1', closeMs: 1500 },
    ];
    const flow = await load(nodes, { extra: [slowCloseNode] });
    const limited = await bearer(`${flow.url}/mcp`);
    const opened = await request(`${flow.url}/mcp`, { headers: { ...STREAMABLE, ...limited }, body: JSON.stringify(INITIALIZE) });
    const session = { ...limited, 'Mcp-Session-Id': opened.headers['mcp-session-id'] as string };
    const call = (id: number): object => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
    assert.equal((await initialize(`${flow.url}/mcp`, session, call(2))).status, 403);
    const deploying = helper.setFlows(nodes, 'full');
    await new Promise((r) => setTimeout(r, 300));
    const during = await initialize(`${flow.url}/mcp`, session, call(3));
    await deploying;
    assert.equal(during.status, 403, 'refused while the endpoint waits for its successor');
    assert.match(during.headers['www-authenticate'] as string, /scope="math:add", error="insufficient_scope"/);
    assert.equal((await initialize(`${flow.url}/mcp`, session, call(4))).status, 403, 'and after the deploy');
  });

  it('takes the issuer from ${VAR}, and treats a variable that is unset as no issuer (503, and an error at deploy)', async () => {
    process.env.MCP_TEST_ISSUER = as.issuer;
    let flow = await load(oauthFlow({ authMode: 'oauth', issuers: '${MCP_TEST_ISSUER}', resource: '${MCP_TEST_RESOURCE_UNSET}' }));
    const metadata = await request(`${flow.url}/.well-known/oauth-protected-resource/mcp`, { method: 'GET' });
    assert.deepEqual((metadata.json as { authorization_servers: string[] }).authorization_servers, [as.issuer]);
    assert.equal((metadata.json as { resource: string }).resource, `${flow.url}/mcp`, 'an unset resource variable leaves the default');
    await flow.close();
    delete process.env.MCP_TEST_ISSUER;
    flow = await load(oauthFlow({ authMode: 'oauth', issuers: '${MCP_TEST_ISSUER}' }));
    const refused = await initialize(`${flow.url}/mcp`, await bearer(`${flow.url}/mcp`));
    assert.equal(refused.status, 503);
    const logged = helper.log().args.filter((a: any[]) => a[0]?.level === 20 && a[0]?.id === 'ep').map((a: any[]) => String(a[0].msg));
    assert.ok(logged.some((m: string) => /no issuer URL is set/.test(m)), logged.join('\n'));
  });

  it('introspects an opaque token with the endpoint\'s client credentials', async () => {
    const opaque = await startAuthorizationServer({ tokenFormat: () => 'opaque' });
    try {
      const flow = await load(oauthFlow({ authMode: 'oauth', issuers: opaque.issuer }), {
        credentials: { ep: { introspectionClientId: opaque.introspector.clientId, introspectionSecret: opaque.introspector.clientSecret } },
      });
      const received = inputsOf('received');
      const token = await opaque.clientCredentialsToken(`${flow.url}/mcp`);
      assert.ok(!token.includes('.'), 'an opaque token');
      const opened = await initialize(`${flow.url}/mcp`, { Authorization: `Bearer ${token}` });
      assert.equal(opened.status, 200);
      await waitFor(() => received.length === 1, 2000, 'initialize msg');
      assert.equal(received[0].mcp.auth.clientId, opaque.machine.clientId);
      const unknown = await initialize(`${flow.url}/mcp`, { Authorization: 'Bearer not-a-token-it-issued' });
      assert.equal(unknown.status, 401);
      assert.match(unknown.headers['www-authenticate'] as string, /error="invalid_token", error_description="The access token is not active/);
    } finally {
      await opaque.close();
    }
  });

  it('fails closed on a tool scope list or an issuer that cannot be read: 503 saying why, and an error at deploy', async () => {
    for (const settings of [{ issuers: as.issuer, toolScopes: 'add math:add' }, { issuers: 'keycloak.example/realms/mcp' }]) {
      const flow = await load(oauthFlow({ authMode: 'oauth', ...settings }));
      const refused = await request(`${flow.url}/mcp`, { headers: { ...STREAMABLE, ...(await bearer(`${flow.url}/mcp`)) }, body: JSON.stringify(INITIALIZE) });
      assert.equal(refused.status, 503);
      assert.match((refused.json as { error: { message: string } }).error.message, /OAuth 2\.1 settings cannot be used: (Tool scopes, line 1|The issuer URL "keycloak\.example\/realms\/mcp" is not an absolute URL)/);
      assert.equal((await request(`${flow.url}/.well-known/oauth-protected-resource/mcp`, { method: 'GET' })).status, 503);
      const logged = helper.log().args.filter((a: any[]) => a[0]?.level === 20 && a[0]?.id === 'ep').map((a: any[]) => String(a[0].msg));
      assert.ok(logged.some((m: string) => /every request gets 503/.test(m)), logged.join('\n'));
      await flow.close();
    }
  });

  it('keeps a flow saved before the mode existed on its token, and turns it off with mode none', async () => {
    let flow = await load(oauthFlow({}), { credentials: { ep: { authToken: 'legacy-secret' } } });
    const legacy = await initialize(`${flow.url}/mcp`);
    assert.equal(legacy.status, 401);
    assert.equal(legacy.headers['www-authenticate'], 'Bearer realm="MCP"');
    assert.equal((await initialize(`${flow.url}/mcp`, { Authorization: 'Bearer legacy-secret' })).status, 200);
    await flow.close();
    flow = await load(oauthFlow({ authMode: 'none' }), { credentials: { ep: { authToken: 'legacy-secret' } } });
    assert.equal((await initialize(`${flow.url}/mcp`)).status, 200);
  });
});
