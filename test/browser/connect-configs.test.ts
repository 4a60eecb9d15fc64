/**
 * The endpoint dialog's Connect tab, its text: the full URLs and the client configurations that
 * resources/mcp-editor.js builds from an endpoint's settings, for the cases the browser test does
 * not reach (HTTP+SSE only, a token header, another host, `httpNodeRoot`). The file runs as the
 * editor runs it, in a context of its own with a `window`; the browser test runs the same code in
 * the real editor and connects with what it shows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { PACKAGE_ROOT } from '../support/node-red';

interface Config { client: string; url: string; text: string; placeholder: boolean }
interface Editor {
  nodeBase(location: { protocol: string; host: string }, httpNodeRoot?: string): string;
  urls(settings: object, base: string): Array<{ field: string; url: string; methods: string[] }>;
  clientConfigs(settings: object, base: string): Config[];
}

const context: { window: { mcpSseEditor?: Editor } } = { window: {} };
vm.runInNewContext(readFileSync(path.join(PACKAGE_ROOT as string, 'resources', 'mcp-editor.js'), 'utf8'), context);
const inContext = context.window.mcpSseEditor as Editor;
/** Its answers as this realm's objects (deepStrictEqual tells the context's arrays apart from ours). */
const own = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const editor: Editor = {
  nodeBase: (location, httpNodeRoot) => inContext.nodeBase(location, httpNodeRoot),
  urls: (settings, base) => own(inContext.urls(settings, base)),
  clientConfigs: (settings, base) => own(inContext.clientConfigs(settings, base)),
};

/** A new endpoint's settings, as the editor's defaults make them. */
const DEFAULTS = { sse: true, ssePath: '/sse', messagePath: '/message', streamable: true, streamablePath: '/mcp', name: '', serverName: '', authHeader: '', token: false };
const LOCAL = 'http://127.0.0.1:1880';

/** The configurations by client, JSON ones parsed. */
function configs(settings: object, base = LOCAL): Record<string, unknown> {
  return Object.fromEntries(editor.clientConfigs({ ...DEFAULTS, ...settings }, base)
    .map((c) => [c.client, c.client === 'inspector' ? c.text : JSON.parse(c.text)]));
}

describe('the Connect tab of the endpoint dialog', () => {
  it('starts the URLs with the editor\'s origin and httpNodeRoot', () => {
    assert.equal(editor.nodeBase({ protocol: 'http:', host: '127.0.0.1:1880' }, '/'), LOCAL);
    assert.equal(editor.nodeBase({ protocol: 'https:', host: 'nr.example.com' }, '/api/'), 'https://nr.example.com/api');
    assert.equal(editor.nodeBase({ protocol: 'http:', host: 'localhost:1880' }, 'api'), 'http://localhost:1880/api');
    assert.equal(editor.nodeBase({ protocol: 'http:', host: 'localhost:1880' }), 'http://localhost:1880');
  });

  it('lists a URL for each served path, the Streamable one first, and none of a transport that is off', () => {
    const base = 'http://127.0.0.1:1880/api';
    assert.deepEqual(editor.urls({ ...DEFAULTS, ssePath: '/x/sse', messagePath: '/x/message' }, base).map((u) => [u.field, u.url, u.methods.join(',')]), [
      ['streamablePath', 'http://127.0.0.1:1880/api/mcp', 'POST,GET,DELETE'],
      ['ssePath', 'http://127.0.0.1:1880/api/x/sse', 'GET'],
      ['messagePath', 'http://127.0.0.1:1880/api/x/message', 'POST'],
    ]);
    assert.deepEqual(editor.urls({ ...DEFAULTS, sse: false }, base).map((u) => u.url), ['http://127.0.0.1:1880/api/mcp']);
    // A flow saved before the transport settings: HTTP+SSE only.
    assert.deepEqual(editor.urls({ ssePath: '/sse', messagePath: '/message' }, base).map((u) => u.field), ['ssePath', 'messagePath']);
  });

  it('points every client at the Streamable path while Streamable HTTP is on', () => {
    assert.deepEqual(configs({ name: 'My tools!' }), {
      'claude-desktop': { mcpServers: { 'my-tools': { command: 'npx', args: ['-y', 'mcp-remote', `${LOCAL}/mcp`] } } },
      cursor: { mcpServers: { 'my-tools': { url: `${LOCAL}/mcp` } } },
      vscode: { servers: { 'my-tools': { type: 'http', url: `${LOCAL}/mcp` } } },
      inspector: `npx -y @modelcontextprotocol/inspector --cli ${LOCAL}/mcp --transport http --method tools/list`,
    });
  });

  it('points them at the SSE path, with each client\'s HTTP+SSE switch, when only HTTP+SSE is on', () => {
    assert.deepEqual(configs({ streamable: false, ssePath: '/a/sse' }), {
      'claude-desktop': { mcpServers: { 'node-red': { command: 'npx', args: ['-y', 'mcp-remote', `${LOCAL}/a/sse`, '--transport', 'sse-only'] } } },
      cursor: { mcpServers: { 'node-red': { url: `${LOCAL}/a/sse` } } },
      vscode: { servers: { 'node-red': { type: 'sse', url: `${LOCAL}/a/sse` } } },
      inspector: `npx -y @modelcontextprotocol/inspector --cli ${LOCAL}/a/sse --transport sse --method tools/list`,
    });
    assert.deepEqual(editor.clientConfigs({ ...DEFAULTS, sse: false, streamable: false }, LOCAL), [], 'no transport, nothing to connect to');
  });

  it('sends a token as a bearer token, with a placeholder, never the token', () => {
    const all = editor.clientConfigs({ ...DEFAULTS, serverName: 'Shop', token: true }, LOCAL);
    assert.deepEqual(all.map((c) => [c.client, c.placeholder]), [['claude-desktop', true], ['cursor', true], ['vscode', false], ['inspector', true]]);
    assert.deepEqual(configs({ serverName: 'Shop', token: true }), {
      'claude-desktop': { mcpServers: { shop: {
        command: 'npx',
        args: ['-y', 'mcp-remote', `${LOCAL}/mcp`, '--header', 'Authorization:${AUTH_HEADER}'],
        env: { AUTH_HEADER: 'Bearer <token>' },
      } } },
      cursor: { mcpServers: { shop: { url: `${LOCAL}/mcp`, headers: { Authorization: 'Bearer <token>' } } } },
      vscode: {
        servers: { shop: { type: 'http', url: `${LOCAL}/mcp`, headers: { Authorization: 'Bearer ${input:shop-token}' } } },
        inputs: [{ type: 'promptString', id: 'shop-token', description: 'Token of the MCP server shop', password: true }],
      },
      inspector: `npx -y @modelcontextprotocol/inspector --cli ${LOCAL}/mcp --transport http --method tools/list --header "Authorization: Bearer <token>"`,
    });
  });

  it('sends a token in the token header as it is, without Bearer', () => {
    const c = configs({ token: true, authHeader: 'X-API-Key' });
    assert.deepEqual(c['claude-desktop'], { mcpServers: { 'node-red': {
      command: 'npx',
      args: ['-y', 'mcp-remote', `${LOCAL}/mcp`, '--header', 'X-API-Key:${AUTH_HEADER}'],
      env: { AUTH_HEADER: '<token>' },
    } } });
    assert.deepEqual(c.cursor, { mcpServers: { 'node-red': { url: `${LOCAL}/mcp`, headers: { 'X-API-Key': '<token>' } } } });
    assert.deepEqual((c.vscode as { servers: Record<string, { headers: object }> }).servers['node-red'].headers, { 'X-API-Key': '${input:node-red-token}' });
    assert.match(c.inspector as string, / --header "X-API-Key: <token>"$/);
    // A header name the shell would expand goes in single quotes.
    assert.match(configs({ token: true, authHeader: 'X-$key' }).inspector as string, / --header 'X-\$key: <token>'$/);
  });

  it('lets mcp-remote use plain HTTP to another host (--allow-http), and needs no flag for HTTPS', () => {
    const args = (settings: object, base: string) => (configs(settings, base)['claude-desktop'] as { mcpServers: Record<string, { args: string[] }> }).mcpServers['node-red'].args;
    assert.deepEqual(args({}, 'http://192.168.1.20:1880'), ['-y', 'mcp-remote', 'http://192.168.1.20:1880/mcp', '--allow-http']);
    assert.deepEqual(args({}, 'http://localhost:1880'), ['-y', 'mcp-remote', 'http://localhost:1880/mcp']);
    assert.deepEqual(args({}, 'https://nr.example.com'), ['-y', 'mcp-remote', 'https://nr.example.com/mcp']);
  });

  it('quotes a URL for the shell when the path has characters the shell would read', () => {
    assert.match(configs({ streamablePath: "/it's&mcp" }).inspector as string, /--cli 'http:\/\/127\.0\.0\.1:1880\/it'\\''s&mcp' /);
  });
});
