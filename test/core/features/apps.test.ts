/**
 * MCP Apps in the core (core/features/apps.ts, and what the catalog and the server features do
 * with it): a view's `_meta.ui` from its settings, malformed CSP origins refused, a tool's link and
 * visibility, a tool never listed with a link to a view that is not declared (and told so once a
 * deploy is done), the extension in the capabilities of `initialize` and `server/discover`, and
 * the capabilities each session's client declared, with the official SDK client.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpEndpoint } from '../../../core/endpoint';
import { SessionRegistry } from '../../../core/registry';
import type { ReplyDestination } from '../../../core/reply-destination';
import { Catalog } from '../../../core/features/catalog';
import { DeclarationError, type ResourceDeclaration, type ToolDeclaration } from '../../../core/features/declarations';
import { isCspOrigin, toolViewMeta, UI_EXTENSION, VIEW_MIME_TYPE, viewMeta } from '../../../core/features/apps';
import { listenOnLoopback, waitFor } from '../../support/core-server';

const VIEW_URI = 'ui://thermostat/panel';

/** Well-formed origins, and text that is not one (each would loosen the policy a host builds, or is not an origin at all). */
const GOOD_ORIGINS = ['https://api.example.com', 'wss://live.example.com:8443', 'https://*.example.com', 'http://127.0.0.1:1880', 'https://cdn.example.com/', 'http://[::1]:3000', 'http://localhost'];
const BAD_ORIGINS = ['api.example.com', 'https://a.example.com/path', 'https://a.example.com; script-src *', "'unsafe-inline'", '*', 'https://*', 'data:', 'ftp://a.example.com', 'https://a.*.example.com', 'https://a.example.com:0', 'https://a.example.com:70000', 'https://exa mple.com', 'https://a.example.com?x=1', 'javascript:alert(1)'];

const view = (owner = 'view-node', extra: Partial<ResourceDeclaration['definition']> = {}): ResourceDeclaration => ({
  kind: 'resource', owner, definition: { uri: VIEW_URI, name: 'panel', mimeType: VIEW_MIME_TYPE, _meta: { ui: { prefersBorder: true } }, ...extra }, content: { text: '<!DOCTYPE html><p>hi</p>' },
});
const linkedTool = (name = 'thermostat', uri = VIEW_URI, visibility?: Array<'model' | 'app'>): ToolDeclaration => ({
  kind: 'tool', owner: `tool-${name}`, definition: { name, inputSchema: { type: 'object' }, _meta: toolViewMeta(uri, visibility) }, onRequest: () => {},
});

describe("a view's _meta.ui, from its settings", () => {
  it('has each non-empty CSP list, the permissions asked for, the border and the domain; nothing set gives {}', () => {
    assert.deepEqual(viewMeta({}), {});
    assert.deepEqual(viewMeta({ csp: { connectDomains: [], resourceDomains: [] }, permissions: [] }), {});
    assert.deepEqual(viewMeta({
      csp: { connectDomains: ['https://api.example.com', 'wss://live.example.com'], resourceDomains: ['https://cdn.example.com/'], frameDomains: [], baseUriDomains: ['https://*.example.com'] },
      permissions: ['camera', 'clipboardWrite'],
      prefersBorder: false,
      domain: 'a1b2c3.claudemcpcontent.com',
    }), {
      csp: { connectDomains: ['https://api.example.com', 'wss://live.example.com'], resourceDomains: ['https://cdn.example.com'], baseUriDomains: ['https://*.example.com'] },
      permissions: { camera: {}, clipboardWrite: {} },
      domain: 'a1b2c3.claudemcpcontent.com',
      prefersBorder: false,
    });
  });

  it('accepts origins: http(s) and ws(s), a host with an optional *. and port, nothing after but a /', () => {
    for (const origin of GOOD_ORIGINS) assert.equal(isCspOrigin(origin), true, origin);
    for (const text of BAD_ORIGINS) assert.equal(isCspOrigin(text), false, text);
  });

  it('refuses a CSP entry that is not an origin, naming the list and the entry, and a malformed domain', () => {
    for (const bad of BAD_ORIGINS) {
      assert.throws(() => viewMeta({ csp: { frameDomains: ['https://ok.example.com', bad] } }),
        (e: Error) => e instanceof DeclarationError && e.code === 'invalid-definition' && e.message.startsWith(`frameDomains: ${JSON.stringify(bad)} is not an origin`), bad);
    }
    assert.throws(() => viewMeta({ domain: 'a b.example.com' }), /domain: "a b.example.com" is not a host name/);
    assert.throws(() => viewMeta({ domain: 'x.example.com; frame-ancestors *' }), /is not a host name/);
  });
});

describe("a tool's link to its view", () => {
  it('writes the nested and the flat resourceUri, and the visibility (both by default, with a view); nothing for a plain tool', () => {
    assert.deepEqual(toolViewMeta(VIEW_URI), { ui: { resourceUri: VIEW_URI, visibility: ['model', 'app'] }, 'ui/resourceUri': VIEW_URI });
    assert.deepEqual(toolViewMeta('', ['app']), { ui: { visibility: ['app'] } });
    assert.deepEqual(toolViewMeta(VIEW_URI, ['model']), { ui: { resourceUri: VIEW_URI, visibility: ['model'] }, 'ui/resourceUri': VIEW_URI });
    assert.equal(toolViewMeta(undefined), undefined);
    assert.equal(toolViewMeta('  '), undefined);
  });

  it('is refused when it is not a ui:// URI, or the visibility is not model and/or app; a view must be a ui:// URI, not a template', () => {
    const catalog = new Catalog();
    assert.throws(() => catalog.add(linkedTool('a', 'https://example.com/view')), (e: Error) => e instanceof DeclarationError && /must be a ui:\/\/ URI/.test(e.message));
    assert.throws(() => catalog.add({ ...linkedTool('b'), definition: { name: 'b', inputSchema: { type: 'object' }, _meta: { ui: { visibility: ['user'] } } } }), /must list "model", "app" or both/);
    assert.throws(() => catalog.add({ ...linkedTool('c'), definition: { name: 'c', inputSchema: { type: 'object' }, _meta: { ui: { visibility: [] } } } }), /must list/);
    assert.throws(() => catalog.add(view('v1', { uri: 'https://example.com/view' })), /A view's URI must be a ui:\/\/ URI/);
    assert.throws(() => catalog.add(view('v2', { uri: undefined, uriTemplate: 'ui://panel/{id}' })), /A view's URI must be a ui:\/\/ URI/);
    assert.throws(() => catalog.add(view('v3', { uri: 'ui://' })), /A view's URI must be a ui:\/\/ URI/);
  });

  it('is listed only while the view is declared: tools/list never carries a link to nothing, and its signature changes with it', () => {
    const catalog = new Catalog();
    catalog.add(linkedTool('thermostat'));
    catalog.add(linkedTool('set_target', '', ['app']));
    const before = catalog.signature('tools');
    assert.deepEqual(catalog.list('tools').map((t) => t._meta), [{ ui: { visibility: ['app'] } }, { ui: { visibility: ['model', 'app'] } }]);
    assert.deepEqual(catalog.viewLinks().map((l) => [l.declaration.definition.name, l.uri, l.declared]), [['thermostat', VIEW_URI, false]]);
    // A resource at that URI that is not a view (another MIME type) does not count.
    const { remove: removePlain } = catalog.add({ kind: 'resource', owner: 'plain', definition: { uri: VIEW_URI, name: 'plain', mimeType: 'text/html' }, content: { text: '' } });
    assert.equal(catalog.viewLinks()[0].declared, false);
    removePlain();
    const { remove } = catalog.add(view());
    assert.deepEqual(catalog.list('tools').map((t) => t._meta), [{ ui: { visibility: ['app'] } }, { ui: { resourceUri: VIEW_URI, visibility: ['model', 'app'] }, 'ui/resourceUri': VIEW_URI }]);
    assert.notEqual(catalog.signature('tools'), before);
    assert.equal(catalog.views, 1);
    remove();
    assert.equal(catalog.signature('tools'), before);
    assert.equal(catalog.views, 0);
  });

  it('counts the views as they are declared, declared again by their node, and removed', () => {
    const catalog = new Catalog();
    const first = catalog.add(view());
    assert.equal(catalog.views, 1);
    // Its node declares it again (the same owner): still one; the first declaration's remove does nothing now.
    const again = catalog.add(view());
    first.remove();
    assert.equal(catalog.views, 1);
    // The same owner makes it a plain resource: no view.
    const plain = catalog.add(view('view-node', { mimeType: 'text/html' }));
    assert.equal(catalog.views, 0);
    again.remove();
    plain.remove();
    assert.equal(catalog.views, 0);
    const fresh = catalog.add(view());
    const other = catalog.add(view('another', { uri: 'ui://test/other' }));
    assert.equal(catalog.views, 2);
    assert.throws(() => catalog.add(view('third')), /already declared/);
    assert.equal(catalog.views, 2, 'a refused duplicate counts nothing');
    other.remove();
    fresh.remove();
    assert.equal(catalog.views, 0);
  });
});

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** An endpoint on /mcp (Streamable HTTP) with a plain node:http server. */
async function serve(): Promise<{ endpoint: McpEndpoint; url: string }> {
  const endpoint = new McpEndpoint({ id: 'ep', registry: new SessionRegistry(), messageUrl: '/message', features: { listChangedDelayMs: 20 } });
  const listening = await listenOnLoopback(http.createServer((req, res) => endpoint.handleStreamableHttp(req, res)));
  closers.push(async () => {
    endpoint.close();
    await listening.close();
  });
  return { endpoint, url: `${listening.url}/mcp` };
}

async function connect(url: string, capabilities: Record<string, unknown>): Promise<Client> {
  const client = new Client({ name: 'apps-test', version: '1.0.0' }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  closers.push(() => client.close());
  return client;
}

const RENDERS_VIEWS = { extensions: { [UI_EXTENSION]: { mimeTypes: [VIEW_MIME_TYPE] } } };

describe('an endpoint serving a view', () => {
  it('advertises the extension in initialize and server/discover only while a view is declared', async () => {
    const { endpoint, url } = await serve();
    endpoint.features.declare(linkedTool());
    const plain = await connect(url, {});
    assert.equal(plain.getServerCapabilities()?.extensions, undefined);
    assert.equal(endpoint.features.discoverCapabilities().extensions, undefined);
    endpoint.features.declare(view());
    const client = await connect(url, RENDERS_VIEWS);
    assert.deepEqual(client.getServerCapabilities()?.extensions, { [UI_EXTENSION]: {} });
    assert.deepEqual(endpoint.features.discoverCapabilities().extensions, { [UI_EXTENSION]: {} });
  });

  it('reads the view with its MIME type and _meta.ui on the item, and lists it with them', async () => {
    const { endpoint, url } = await serve();
    endpoint.features.declare(view());
    const client = await connect(url, RENDERS_VIEWS);
    const { resources } = await client.listResources();
    assert.deepEqual(resources, [{ uri: VIEW_URI, name: 'panel', mimeType: VIEW_MIME_TYPE, _meta: { ui: { prefersBorder: true } } }]);
    const read = await client.readResource({ uri: VIEW_URI });
    assert.deepEqual(read.contents, [{ uri: VIEW_URI, mimeType: VIEW_MIME_TYPE, _meta: { ui: { prefersBorder: true } }, text: '<!DOCTYPE html><p>hi</p>' }]);
  });

  it('tells a tool once the deploy is done whether its view is declared, and lists it with the link only then', async () => {
    const { endpoint, url } = await serve();
    const checked: Array<string | undefined> = [];
    endpoint.features.holdListChanged();
    endpoint.features.declare({ ...linkedTool(), onViewChecked: (missing) => checked.push(missing) });
    endpoint.features.releaseListChanged();
    assert.deepEqual(checked, [VIEW_URI]);
    const client = await connect(url, RENDERS_VIEWS);
    assert.equal((await client.listTools()).tools[0]._meta?.['ui/resourceUri'], undefined);
    // A later deploy adds the view: the tool hears it is there, and the open session that its list changed.
    let changed = 0;
    client.setNotificationHandler((await import('@modelcontextprotocol/sdk/types.js')).ToolListChangedNotificationSchema, () => { changed++; });
    endpoint.features.holdListChanged();
    endpoint.features.declare(view());
    endpoint.features.releaseListChanged();
    assert.deepEqual(checked, [VIEW_URI, undefined]);
    await waitFor(() => changed === 1, 2000, 'notifications/tools/list_changed');
    assert.deepEqual((await client.listTools()).tools[0]._meta, { ui: { resourceUri: VIEW_URI, visibility: ['model', 'app'] }, 'ui/resourceUri': VIEW_URI });
  });

  it("keeps the capabilities each session's client declared in initialize, until the session closes", async () => {
    const { endpoint, url } = await serve();
    const seen: ReplyDestination[] = [];
    endpoint.features.declare({ ...linkedTool(), onRequest: (request) => {
      seen.push(request.session);
      endpoint.send(request.session.id, 'ok', { requestId: request.requestId });
    } });
    const views = await connect(url, RENDERS_VIEWS);
    const text = await connect(url, { roots: {} });
    await views.callTool({ name: 'thermostat' });
    await text.callTool({ name: 'thermostat' });
    assert.deepEqual(seen.map((s) => endpoint.features.clientCapabilities(s)), [RENDERS_VIEWS, { roots: {} }]);
    await (views.transport as StreamableHTTPClientTransport).terminateSession();
    await waitFor(() => endpoint.features.clientCapabilities(seen[0]) === undefined, 2000, 'the closed session to be forgotten');
  });
});
