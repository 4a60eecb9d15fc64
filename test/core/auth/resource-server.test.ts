/**
 * An endpoint in OAuth 2.1 mode (core/auth/resource-server.ts through McpEndpoint and both
 * transports) over plain node:http, against a real authorization server (oidc-provider): the
 * Protected Resource Metadata, the 401/403/503 answers, sessions bound to their caller, per-tool
 * scopes, and the caller handed to the flow. The SDK client's full dance is in
 * test/e2e/oauth.test.ts, against the real node-red.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answerLikeTheTutorial, CORE_OAUTH_PATHS, startCoreServer, type CoreServer } from '../../support/core-server';
import { openSse, postJson, request } from '../../support/sse-client';
import { startAuthorizationServer, TEST_USER, type TestAuthorizationServer } from '../../support/oidc';
import { assertTheDance, connectAsMachine, connectWithOAuth } from '../../support/oauth-client';

const STREAMABLE = { Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json' };
const INITIALIZE = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('an endpoint as an OAuth 2.1 resource server, against oidc-provider (core)', () => {
  let as: TestAuthorizationServer;
  let server: CoreServer;
  const now = (): number => Math.floor(Date.now() / 1000);
  /** A token as the authorization server would issue it for the core server's /mcp. */
  const token = (claims: Record<string, unknown> = {}): Promise<string> => as.sign({
    iss: as.issuer, sub: TEST_USER, aud: `${server.url}/mcp`, client_id: 'some-app', scope: 'mcp:tools math:add', iat: now(), exp: now() + 300, ...claims,
  });
  const bearer = async (claims: Record<string, unknown> = {}): Promise<Record<string, string>> => ({ Authorization: `Bearer ${await token(claims)}` });
  const initialize = async (headers: Record<string, string>) => request(`${server.url}/mcp`, { headers: { ...STREAMABLE, ...headers }, body: JSON.stringify(INITIALIZE) });

  before(async () => {
    as = await startAuthorizationServer({ resourceScopes: 'mcp:tools math:add' });
    server = await startCoreServer({ oauth: { issuers: [as.issuer], requiredScopes: ['mcp:tools'], paths: CORE_OAUTH_PATHS } });
    server.endpoint.declareToolScopes(new Map([['add', ['math:add']]]));
    answerLikeTheTutorial(server.endpoint);
  });
  after(async () => {
    await server.close();
    await as.close();
  });

  it('publishes Protected Resource Metadata for each path, with the URL the client used as the resource', async () => {
    for (const [path, resource] of [['/mcp', `${server.url}/mcp`], ['/sse', `${server.url}/sse`]]) {
      const answer = await request(`${server.url}/.well-known/oauth-protected-resource${path}`, { method: 'GET' });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.equal(answer.headers['access-control-allow-origin'], '*');
      assert.deepEqual(answer.json, { resource, authorization_servers: [as.issuer], scopes_supported: ['mcp:tools', 'math:add'], bearer_methods_supported: ['header'] });
    }
    const proxied = await request(`${server.url}/.well-known/oauth-protected-resource/mcp`, { method: 'GET', headers: { 'X-Forwarded-Proto': 'https', Host: 'localhost:8443' } });
    assert.equal((proxied.json as { resource: string }).resource, 'https://localhost:8443/mcp');
  });

  it('answers a request without a token with 401 and the challenge that leads to the metadata, on both transports', async () => {
    const streamable = await initialize({});
    assert.equal(streamable.status, 401);
    assert.equal(streamable.headers['www-authenticate'], `Bearer resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp", scope="mcp:tools math:add"`);
    assert.equal(streamable.headers['mcp-session-id'], undefined);
    assert.equal(server.endpoint.sessionCount, 0);
    const sse = await request(`${server.url}/sse`, { method: 'GET', headers: { Accept: 'text/event-stream' } });
    assert.equal(sse.status, 401);
    assert.equal(sse.headers['www-authenticate'], `Bearer resource_metadata="${server.url}/.well-known/oauth-protected-resource/sse", scope="mcp:tools math:add"`);
    assert.match((sse.json as { error: { message: string } }).error.message, /needs an OAuth access token/);
  });

  it('lets the official SDK client sign in over Streamable HTTP and HTTP+SSE, and hands the caller to the flow', async () => {
    for (const transport of ['streamable-http', 'sse'] as const) {
      const url = `${server.url}${transport === 'sse' ? '/sse' : '/mcp'}`;
      const { client, steps } = await connectWithOAuth(url, transport);
      try {
        const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
        assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
        const me = await client.callTool({ name: 'whoami', arguments: {} });
        assert.deepEqual(me.content, [{ type: 'text', text: TEST_USER }]);
        assertTheDance(steps, url, as.issuer);
        const last = server.received.at(-1);
        assert.equal(last?.auth?.subject, TEST_USER);
        assert.deepEqual(last?.auth?.scopes, ['mcp:tools', 'math:add']);
        assert.equal(last?.auth?.claims.aud, url);
      } finally {
        await client.close();
      }
    }
  });

  it('serves a client_credentials machine client, whose caller is the client', async () => {
    const { client } = await connectAsMachine(`${server.url}/mcp`, 'streamable-http', { clientId: as.machine.clientId, clientSecret: as.machine.clientSecret, issuer: as.issuer, scope: 'mcp:tools math:add' });
    try {
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      const auth = server.received.at(-1)?.auth;
      assert.equal(auth?.clientId, as.machine.clientId);
      assert.equal(auth?.subject, as.machine.clientId);
    } finally {
      await client.close();
    }
  });

  it('binds a session to its caller, not its token: a refreshed token goes on, another user gets 404', async () => {
    const opened = await initialize(await bearer());
    assert.equal(opened.status, 200);
    const sessionId = opened.headers['mcp-session-id'] as string;
    const call = (headers: Record<string, string>) => request(`${server.url}/mcp`, {
      headers: { ...STREAMABLE, ...headers, 'Mcp-Session-Id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    const refreshed = await call(await bearer({ jti: 'refreshed', exp: now() + 600 }));
    assert.equal(refreshed.status, 200);
    const other = await call(await bearer({ sub: 'mallory@example.test' }));
    assert.equal(other.status, 404);
    const otherClient = await call(await bearer({ client_id: 'another-app' }));
    assert.equal(otherClient.status, 404);
    assert.equal((await call(await bearer())).status, 200);
  });

  it('keeps an HTTP+SSE session\'s POSTs to the subject that opened the stream', async () => {
    const headers = await bearer({ aud: `${server.url}/sse` });
    const sse = await openSse(`${server.url}/sse`, headers);
    try {
      const url = `${server.url}${sse.endpoint}`;
      const before = server.received.length;
      const stranger = await postJson(url, { jsonrpc: '2.0', id: 1, method: 'ping' }, await bearer({ sub: 'mallory@example.test' }));
      assert.equal(stranger.status, 404);
      assert.equal(server.received.length, before);
      const same = await postJson(url, { jsonrpc: '2.0', id: 2, method: 'ping' }, await bearer({ jti: 'later-token' }));
      assert.equal(same.status, 202);
      assert.equal(server.received.at(-1)?.auth?.subject, TEST_USER);
      assert.deepEqual(JSON.parse((await sse.nextEvent()).data), { jsonrpc: '2.0', id: 2, result: {} });
    } finally {
      sse.close();
    }
  });

  it('refuses a tool call without its tool\'s scope with 403 insufficient_scope, and the tool never runs', async () => {
    const limited = await bearer({ scope: 'mcp:tools' });
    const opened = await initialize(limited);
    const sessionId = opened.headers['mcp-session-id'] as string;
    const before = server.received.length;
    const answer = await request(`${server.url}/mcp`, {
      headers: { ...STREAMABLE, ...limited, 'Mcp-Session-Id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 1 } } }),
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.headers['www-authenticate'],
      `Bearer resource_metadata="${server.url}/.well-known/oauth-protected-resource/mcp", scope="mcp:tools math:add", error="insufficient_scope", error_description="Calling the tool \\"add\\" needs the scope math:add"`);
    assert.equal(server.received.length, before, 'nothing reached the flow');
    const whoami = await request(`${server.url}/mcp`, {
      headers: { ...STREAMABLE, ...limited, 'Mcp-Session-Id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    assert.equal(whoami.status, 200, 'a tool without scopes of its own still works');
  });

  it('refuses a token without the endpoint\'s required scope with 403 insufficient_scope', async () => {
    const answer = await initialize(await bearer({ scope: 'math:add' }));
    assert.equal(answer.status, 403);
    assert.match(answer.headers['www-authenticate'] as string, /scope="math:add mcp:tools", error="insufficient_scope"/);
    assert.equal(answer.headers['mcp-session-id'], undefined);
  });

  it('checks a 2026-07-28 (stateless) request the same way: 401 without a token, 403 without the tool\'s scope, the caller with it', async () => {
    const modern = (headers: Record<string, string>) => request(`${server.url}/mcp`, {
      headers: { ...STREAMABLE, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'add', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'x', method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } } }),
    });
    const anonymous = await modern({});
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers['www-authenticate'] as string, /^Bearer resource_metadata="/);
    assert.equal((await modern(await bearer({ scope: 'mcp:tools' }))).status, 403);
    const allowed = await modern(await bearer());
    assert.equal(allowed.status, 200);
    assert.deepEqual((allowed.json as { result: { content: unknown } }).result.content, [{ type: 'text', text: '5' }]);
    assert.equal(server.received.at(-1)?.auth?.subject, TEST_USER);
  });

  it('leaves the credential out of the headers the session listeners hear', async () => {
    let heard: Record<string, unknown> | undefined;
    const stop = server.endpoint.sessionOpened.add(({ headers, auth }) => {
      heard = { headers, subject: auth?.subject };
    });
    try {
      assert.equal((await initialize(await bearer())).status, 200);
      assert.equal((heard?.headers as Record<string, unknown>).authorization, undefined);
      assert.equal(heard?.subject, TEST_USER);
    } finally {
      stop();
    }
  });
});

describe('a token that expires mid-session (core, oidc-provider issuing 3 s tokens)', () => {
  it('gets 401; the SDK client refreshes it and goes on in the same session, on both transports', async () => {
    const as = await startAuthorizationServer({ accessTokenTtlS: 3 });
    const server = await startCoreServer({ oauth: { issuers: [as.issuer], requiredScopes: ['mcp:tools'], clockSkewS: 0, paths: CORE_OAUTH_PATHS } });
    answerLikeTheTutorial(server.endpoint);
    const clients = await Promise.all((['streamable-http', 'sse'] as const).map((t) => connectWithOAuth(`${server.url}${t === 'sse' ? '/sse' : '/mcp'}`, t)));
    try {
      const sessionOf = async (client: (typeof clients)[number]['client']) => {
        assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
        const last = server.received.at(-1);
        return { session: last?.session.id, jti: last?.auth?.claims.jti };
      };
      const first = [await sessionOf(clients[0].client), await sessionOf(clients[1].client)];
      await new Promise((r) => setTimeout(r, 3100));
      const later = [await sessionOf(clients[0].client), await sessionOf(clients[1].client)];
      for (let i = 0; i < clients.length; i++) {
        assert.equal(later[i].session, first[i].session, 'the same session');
        assert.notEqual(later[i].jti, first[i].jti, 'with a new token');
        const refreshes = clients[i].steps.filter((step) => step.startsWith(`POST ${as.issuer}/token`));
        assert.equal(refreshes.length, 2, 'code exchange, then one refresh');
      }
      assert.equal(server.endpoint.sessionCount, 2);
    } finally {
      await Promise.all(clients.map(({ client }) => client.close()));
      await server.close();
      await as.close();
    }
  });
});

describe('an OAuth endpoint whose authorization server cannot be asked (core)', () => {
  it('answers 503 with Retry-After and never crashes; with no issuer configured, metadata and requests get 503', async () => {
    const unreachable = await startCoreServer({ oauth: { issuers: ['http://127.0.0.1:9/'], paths: CORE_OAUTH_PATHS, timeoutMs: 500 } });
    const none = await startCoreServer({ oauth: { issuers: [], paths: CORE_OAUTH_PATHS } });
    try {
      const forged = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'http://127.0.0.1:9/', exp: 9e9 })).toString('base64url')}.c2ln`;
      for (let i = 0; i < 2; i++) {
        const answer = await request(`${unreachable.url}/mcp`, { headers: { ...STREAMABLE, Authorization: `Bearer ${forged}` }, body: JSON.stringify(INITIALIZE) });
        assert.equal(answer.status, 503);
        assert.equal(answer.headers['retry-after'], '5');
        assert.match((answer.json as { error: { message: string } }).error.message, /http:\/\/127\.0\.0\.1:9\/ is unreachable/);
      }
      const metadata = await request(`${none.url}/.well-known/oauth-protected-resource/mcp`, { method: 'GET' });
      assert.equal(metadata.status, 503);
      const refused = await request(`${none.url}/mcp`, { headers: { ...STREAMABLE, Authorization: `Bearer ${forged}` }, body: JSON.stringify(INITIALIZE) });
      assert.equal(refused.status, 503);
      assert.match((refused.json as { error: { message: string } }).error.message, /names no authorization server/);
    } finally {
      await unreachable.close();
      await none.close();
    }
  });
});
