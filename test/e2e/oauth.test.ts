/**
 * OAuth 2.1 end to end: examples/oauth-server.json in the real node-red (installed from the
 * packed tarball, on both Node-RED versions), its issuer, resource and scopes from environment
 * variables, against a real authorization server (oidc-provider on 127.0.0.1, dynamic client
 * registration, PKCE). The official SDK client signs in over both transports, from the first 401
 * through discovery, registration, authorization and token to add(2,3) = 5; a client_credentials
 * machine client (opaque token, introspected with the endpoint's credentials); and the
 * hostile-token table, each answer asserted while a healthy session goes on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { OAUTH_EXAMPLE, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { startAuthorizationServer, TEST_USER, type TestAuthorizationServer } from '../support/oidc';
import { assertTheDance, connectAsMachine, connectWithOAuth } from '../support/oauth-client';
import { request, type HttpAnswer } from '../support/sse-client';

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** A port nothing listens on now (for node-red to take, or for an issuer that is down). */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The example with one tool scope of its own: add needs math:add. */
function exampleFlowFile(): string {
  const flow = JSON.parse(readFileSync(OAUTH_EXAMPLE, 'utf8')) as FlowNode[];
  for (const node of flow) if (node.type === 'mcp-sse-endpoint') node.toolScopes = 'add: math:add';
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mcp-oauth-flow-')), 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  return file;
}

async function add(client: Client): Promise<string> {
  return ((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content as Array<{ text: string }>)[0].text;
}

async function whoami(client: Client): Promise<{ subject?: string; clientId?: string; scopes?: string[] }> {
  return JSON.parse(((await client.callTool({ name: 'whoami', arguments: {} })).content as Array<{ text: string }>)[0].text);
}

for (const version of NODE_RED_VERSIONS) describe(`OAuth 2.1: the oauth example in the real node-red against oidc-provider, on ${version.name}`, () => {
  let as: TestAuthorizationServer;
  let nodeRed: RunningNodeRed;
  let deadIssuer: string;
  const now = (): number => Math.floor(Date.now() / 1000);

  before(async () => {
    // The machine client gets opaque tokens (checked by introspection), users get JWTs.
    as = await startAuthorizationServer({ resourceScopes: 'mcp:tools math:add', tokenFormat: (clientId) => (clientId === 'machine-client' ? 'opaque' : 'jwt') });
    const port = await freePort();
    deadIssuer = `http://127.0.0.1:${await freePort()}`;
    process.env.MCP_OAUTH_ISSUER = `${as.issuer} ${deadIssuer}`;
    process.env.MCP_RESOURCE = `http://127.0.0.1:${port}/`;
    process.env.MCP_OAUTH_SCOPES = 'mcp:tools';
    nodeRed = await startNodeRedWith(exampleFlowFile(), {
      node: version.node, bin: version.bin, port,
      credentials: { oauth_cfg: { introspectionClientId: as.introspector.clientId, introspectionSecret: as.introspector.clientSecret } },
    });
    assertRunsOn(version, nodeRed.output());
  });
  after(async () => {
    await nodeRed?.stop();
    await as?.close();
  });

  it('publishes the metadata the environment variables describe, and answers 401 with the way there', async () => {
    const metadata = await request(`${nodeRed.url}/.well-known/oauth-protected-resource/oauth/mcp`, { method: 'GET' });
    assert.equal(metadata.status, 200);
    assert.deepEqual(metadata.json, {
      resource: `${nodeRed.url}/`, authorization_servers: [as.issuer, deadIssuer], scopes_supported: ['mcp:tools', 'math:add'], bearer_methods_supported: ['header'],
    });
    const refused = await request(`${nodeRed.url}/oauth/mcp`, { headers: { Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['www-authenticate'], `Bearer resource_metadata="${nodeRed.url}/.well-known/oauth-protected-resource/oauth/mcp", scope="mcp:tools math:add"`);
    assert.equal(refused.headers['mcp-session-id'], undefined);
  });

  for (const transport of ['streamable-http', 'sse'] as const) {
    it(`lets the SDK client sign in over ${transport}: 401, discovery, registration, authorization, token, add(2,3) = 5, msg.mcp.auth`, async () => {
      const url = `${nodeRed.url}/oauth/${transport === 'sse' ? 'sse' : 'mcp'}`;
      const { client, steps } = await connectWithOAuth(url, transport);
      try {
        assertTheDance(steps, url, as.issuer);
        assert.equal(await add(client), '5');
        const caller = await whoami(client);
        assert.equal(caller.subject, TEST_USER);
        assert.deepEqual(caller.scopes, ['mcp:tools', 'math:add']);
        assert.equal(typeof caller.clientId, 'string');
      } finally {
        await client.close();
      }
    });
  }

  it('serves a client_credentials machine client, its opaque token introspected with the endpoint\'s credentials', async () => {
    const { client } = await connectAsMachine(`${nodeRed.url}/oauth/mcp`, 'streamable-http', { clientId: as.machine.clientId, clientSecret: as.machine.clientSecret, issuer: as.issuer, scope: 'mcp:tools math:add' });
    try {
      assert.equal(await add(client), '5');
      const caller = await whoami(client);
      assert.equal(caller.clientId, as.machine.clientId);
      assert.deepEqual(caller.scopes, ['mcp:tools', 'math:add']);
    } finally {
      await client.close();
    }
  });

  it('answers each hostile token as it should, while a healthy session goes on', async () => {
    const healthy = await connectWithOAuth(`${nodeRed.url}/oauth/mcp`, 'streamable-http');
    try {
      const sessionId = (healthy.transport as { sessionId?: string }).sessionId as string;
      const good = healthy.provider.accessToken as string;
      const clientId = (healthy.provider.clientInformation() as { client_id: string }).client_id;
      const claims = (extra: Record<string, unknown> = {}) => ({
        iss: as.issuer, sub: TEST_USER, aud: `${nodeRed.url}/`, client_id: clientId, scope: 'mcp:tools math:add', iat: now(), exp: now() + 300, ...extra,
      });
      const [head, body, signature] = good.split('.');
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      /** A tools/call of add on the healthy session, with these headers, at this path. */
      const call = (headers: Record<string, string>, query = ''): Promise<HttpAnswer> => request(`${nodeRed.url}/oauth/mcp${query}`, {
        headers: { Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json', 'Mcp-Session-Id': sessionId, ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'add', arguments: { a: 40, b: 2 } } }),
      });
      const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
      const table: Array<{ name: string; send: () => Promise<HttpAnswer>; status: number; challenge?: RegExp; message?: RegExp }> = [
        { name: 'expired', send: async () => call(bearer(await as.sign(claims({ exp: now() - 120 })))), status: 401, challenge: /error="invalid_token", error_description="The access token has expired"/ },
        { name: 'not yet valid', send: async () => call(bearer(await as.sign(claims({ nbf: now() + 600 })))), status: 401, challenge: /error="invalid_token", error_description="The access token is not valid yet \(nbf\)"/ },
        { name: 'wrong issuer', send: async () => call(bearer(await as.sign(claims({ iss: 'https://evil.example' })))), status: 401, challenge: /error="invalid_token", error_description="The access token was issued by an authorization server this endpoint does not trust \(iss\)"/ },
        { name: 'wrong audience (a token for another resource)', send: async () => call(bearer(await as.sign(claims({ aud: 'http://127.0.0.1:1/other-mcp' })))), status: 401, challenge: /error="invalid_token", error_description="The access token is for another resource \(aud\)/ },
        { name: 'alg: none', send: async () => call(bearer(as.unsigned(claims()))), status: 401, challenge: /error="invalid_token", error_description="The access token's algorithm \\"none\\" is not accepted/ },
        { name: 'HS256 signed with the RSA public key', send: async () => call(bearer(as.hs256WithPublicKey(claims()))), status: 401, challenge: /error="invalid_token", error_description="The access token's algorithm \\"HS256\\" is not accepted/ },
        { name: 'a bad signature', send: async () => call(bearer(`${head}.${body}.${signature.slice(0, -6)}AAAAAA`)), status: 401, challenge: /error="invalid_token", error_description="The access token's signature is not valid"/ },
        { name: 'an unknown kid', send: async () => call(bearer(await as.sign(claims(), { kid: 'rotated-away', key: stranger, alg: 'ES256' }))), status: 401, challenge: /error="invalid_token", error_description="The access token is signed with a key \(kid\) that .* does not publish"/ },
        { name: 'a missing scope (add needs math:add)', send: async () => call(bearer(await as.sign(claims({ scope: 'mcp:tools' })))), status: 403, challenge: /scope="mcp:tools math:add", error="insufficient_scope", error_description="Calling the tool \\"add\\" needs the scope math:add"/ },
        { name: 'the token in the query string', send: async () => call({}, `?access_token=${good}`), status: 401, challenge: /error="invalid_request", error_description="Access tokens are not accepted in the query string/ },
        { name: 'a malformed header', send: async () => call({ Authorization: `Bearer ${good} extra` }), status: 401, challenge: /error="invalid_request", error_description="Malformed Authorization header/ },
        { name: 'a huge header (32 KiB, past Node\'s 16 KiB header limit)', send: async () => call(bearer('x'.repeat(32 * 1024))), status: 431 },
        { name: 'a long garbage token (12 KiB, introspected)', send: async () => call(bearer('x'.repeat(12 * 1024))), status: 401, challenge: /error="invalid_token", error_description="The access token is not active: unknown, expired or revoked"/ },
        { name: 'no token', send: async () => call({}), status: 401, challenge: /^Bearer resource_metadata="[^"]+", scope="mcp:tools math:add"$/ },
        { name: 'the issuer unreachable', send: async () => call(bearer(await as.sign(claims({ iss: deadIssuer })))), status: 503, message: /is unreachable/ },
      ];
      for (const row of table) {
        const answer = await row.send();
        assert.equal(answer.status, row.status, `${row.name}: ${answer.status} ${answer.body}`);
        assert.equal(answer.headers['mcp-session-id'], undefined, `${row.name}: no session id on a refusal`);
        if (row.challenge !== undefined) assert.match(answer.headers['www-authenticate'] as string, row.challenge, row.name);
        if (row.message !== undefined) assert.match((answer.json as { error: { message: string } }).error.message, row.message, row.name);
        if (row.status === 503) assert.equal(answer.headers['retry-after'], '5');
        assert.ok(!answer.body.includes(good) && !String(answer.headers['www-authenticate'] ?? '').includes(good), `${row.name}: the token is never echoed`);
        assert.equal(await add(healthy.client), '5', `the healthy session goes on after: ${row.name}`);
      }
      assert.ok(!nodeRed.output().includes(good), 'no token in node-red\'s log');
    } finally {
      await healthy.client.close();
    }
  });
});
