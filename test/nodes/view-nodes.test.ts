/**
 * MCP Apps in the Node-RED runtime (test helper, real HTTP) with the official SDK client over
 * Streamable HTTP: `mcp sse view` serving its view (the template filled from the last msg in and
 * the context, `_meta.ui` from the fields, a msg per read when the flow answers), `mcp sse tool`'s
 * View and Visible to, and what is refused at deploy (a View naming no view, a CSP entry that is
 * not an origin, a template that does not parse). The dialog's checks, run as the editor runs
 * them with the patterns the view node publishes, agree with the runtime's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import Mustache from 'mustache';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { flowPerTest, helper, inputsOf } from '../support/helper';
import { waitFor } from '../support/core-server';
import { PACKAGE_ROOT } from '../support/node-red';
import { isCspOrigin, VIEW_PATTERNS } from '../../core/features/apps';
import viewNodeModule from '../../nodes/mcp-sse-view';
import { VIEW_PATTERNS_SETTING } from '../../nodes/lib/view-settings';

const TAB = { id: 'tab1', type: 'tab', label: 'test' };
const ENDPOINT = { id: 'ep', type: 'mcp-sse-endpoint', z: 'tab1', name: 'views', sse: false, ssePath: '/sse', messagePath: '/message', streamable: true, streamablePath: '/mcp', keepAlive: 15, maxBodySize: 4194304 };
const MIME = 'text/html;profile=mcp-app';
const UI = 'io.modelcontextprotocol/ui';

function viewNode(extra: object = {}): object {
  return {
    id: 'view', type: 'mcp-sse-view', z: 'tab1', endpoint: 'ep', uri: 'ui://test/panel', name: 'panel', title: 'Panel', source: 'template', template: '<p>hi</p>',
    connectDomains: '', resourceDomains: '', frameDomains: '', baseUriDomains: '', camera: false, microphone: false, geolocation: false, clipboardWrite: false, prefersBorder: '', domain: '', wires: [], ...extra,
  };
}

function tool(id: string, name: string, extra: object = {}): object {
  return { id, type: 'mcp-sse-tool', z: 'tab1', endpoint: 'ep', name, inputSchema: '{ "type": "object" }', outputSchema: '', view: '', visibility: 'both', wires: [[]], ...extra };
}

/** The errors nodes logged while loading. */
function loggedErrors(): string[] {
  const log = helper.log() as unknown as { args: Array<[{ level: number; msg: unknown; id?: string }]>; ERROR: number };
  return log.args.map(([entry]) => entry).filter((e) => e.level === (helper.log() as unknown as { ERROR: number }).ERROR).map((e) => `${e.id}: ${String(e.msg)}`);
}

/** Records the statuses every node shows from now on (also those set while a flow starts), by node id. */
function recordStatuses(): { of(id: string): Array<{ fill?: string; text?: string }>; stop(): void } {
  const Node = require('@node-red/runtime/lib/nodes/Node') as { prototype: { status(this: { id: string }, s: object): void } };
  const original = Node.prototype.status;
  const seen = new Map<string, Array<{ fill?: string; text?: string }>>();
  Node.prototype.status = function (this: { id: string }, s: object) {
    seen.set(this.id, [...(seen.get(this.id) ?? []), s as { fill?: string; text?: string }]);
    return original.call(this, s);
  };
  return { of: (id) => seen.get(id) ?? [], stop: () => { Node.prototype.status = original; } };
}

describe('mcp sse view and the View of mcp sse tool in the Node-RED runtime', () => {
  const { load } = flowPerTest();
  const connect = async (url: string, capabilities: Record<string, unknown> = { extensions: { [UI]: { mimeTypes: [MIME] } } }): Promise<Client> => {
    const client = new Client({ name: 'view-nodes-test', version: '1.0.0' }, { capabilities });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    return client;
  };

  it('serves its view: the MIME type, _meta.ui from the fields, the template filled from the last msg in and the context; a msg in notifies subscribers', async () => {
    const previous = process.env.VIEW_TEST_GREETING;
    process.env.VIEW_TEST_GREETING = 'hello';
    const flow = await load([TAB, ENDPOINT, viewNode({
      template: '<h1>{{payload.room}}</h1><p>{{flow.unit}} {{global.site}} {{env.VIEW_TEST_GREETING}}</p><p>{{payload.note}} {{{payload.note}}}</p>',
      connectDomains: 'https://api.example.com, wss://live.example.com', resourceDomains: 'https://cdn.example.com/', camera: true, clipboardWrite: true, prefersBorder: 'false', domain: 'panel.example.com',
    })]);
    const client = await connect(flow.url);
    try {
      const view = helper.getNode('view');
      view.context().flow.set('unit', '°C');
      view.context().global.set('site', 'home');
      const ui = { csp: { connectDomains: ['https://api.example.com', 'wss://live.example.com'], resourceDomains: ['https://cdn.example.com'] }, permissions: { camera: {}, clipboardWrite: {} }, domain: 'panel.example.com', prefersBorder: false };
      assert.deepEqual(client.getServerCapabilities()?.extensions, { [UI]: {} });
      assert.deepEqual((await client.listResources()).resources, [{ uri: 'ui://test/panel', name: 'panel', title: 'Panel', mimeType: MIME, _meta: { ui } }]);
      const first = await client.readResource({ uri: 'ui://test/panel' });
      assert.deepEqual(first.contents, [{ uri: 'ui://test/panel', mimeType: MIME, _meta: { ui }, text: '<h1></h1><p>°C home hello</p><p> </p>' }]);
      await client.subscribeResource({ uri: 'ui://test/panel' });
      const updates: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params.uri); });
      view.receive({ payload: { room: 'Kitchen', note: '<b>warm</b>' } });
      await waitFor(() => updates.length === 1, 2000, 'notifications/resources/updated');
      assert.deepEqual(updates, ['ui://test/panel']);
      const second = await client.readResource({ uri: 'ui://test/panel' });
      assert.equal((second.contents[0] as { text: string }).text, '<h1>Kitchen</h1><p>°C home hello</p><p>&lt;b&gt;warm&lt;&#x2F;b&gt; <b>warm</b></p>');
    } finally {
      await client.close();
      if (previous === undefined) delete process.env.VIEW_TEST_GREETING;
      else process.env.VIEW_TEST_GREETING = previous;
    }
  });

  it('hands a read to the flow when the flow answers, and adds the MIME type and _meta.ui to its HTML', async () => {
    const flow = await load([TAB, ENDPOINT, viewNode({ source: 'flow', prefersBorder: 'true', outputs: 1, wires: [['reads']] }),
      { id: 'reads', type: 'helper', z: 'tab1' }, { id: 'out', type: 'mcp-sse-out', z: 'tab1', wires: [[]] }]);
    const reads = inputsOf('reads');
    const client = await connect(flow.url);
    try {
      const read = client.readResource({ uri: 'ui://test/panel' });
      await waitFor(() => reads.length === 1, 2000, 'the read');
      assert.equal(reads[0].topic, 'ui://test/panel');
      assert.equal(reads[0].mcp.method, 'resources/read');
      assert.equal(reads[0].mcp.uri, 'ui://test/panel');
      helper.getNode('out').receive({ ...reads[0], payload: '<!DOCTYPE html><p>from the flow</p>' });
      assert.deepEqual((await read).contents, [{ uri: 'ui://test/panel', mimeType: MIME, _meta: { ui: { prefersBorder: true } }, text: '<!DOCTYPE html><p>from the flow</p>' }]);
    } finally {
      await client.close();
    }
  });

  it('links a tool to its view and says who may call it; a View naming no view is a node error at deploy, and that tool is listed without it until a deploy adds the view', async () => {
    const statuses = recordStatuses();
    const nodes = [TAB, ENDPOINT, viewNode(),
      tool('shows', 'thermostat', { view: 'ui://test/panel' }),
      tool('appOnly', 'set_target', { visibility: 'app' }),
      tool('modelOnly', 'report', { view: 'ui://test/panel', visibility: 'model' }),
      tool('dangling', 'broken', { view: 'ui://test/nowhere', visibility: 'model' })];
    let client: Client | undefined;
    try {
      const flow = await load(nodes);
      const errors = loggedErrors();
      assert.ok(errors.includes('dangling: The view ui://test/nowhere is not declared on this endpoint (no mcp sse view node serves it): the tool is listed without it'), errors.join('\n'));
      assert.equal(errors.filter((e) => /is not declared on this endpoint/.test(e)).length, 1, 'only the tool whose view is missing');
      assert.deepEqual(statuses.of('dangling').at(-1), { fill: 'red', shape: 'ring', text: 'node-red-contrib-mcp-sse/mcp-sse-tool:mcp-sse-tool.status.viewMissing' });
      assert.deepEqual(statuses.of('shows').at(-1), {});
      client = await connect(flow.url);
      const metas = async () => Object.fromEntries((await client!.listTools()).tools.map((t) => [t.name, t._meta]));
      assert.deepEqual(await metas(), {
        broken: { ui: { visibility: ['model'] } },
        report: { ui: { resourceUri: 'ui://test/panel', visibility: ['model'] }, 'ui/resourceUri': 'ui://test/panel' },
        set_target: { ui: { visibility: ['app'] } },
        thermostat: { ui: { resourceUri: 'ui://test/panel', visibility: ['model', 'app'] }, 'ui/resourceUri': 'ui://test/panel' },
      });
      // A deploy of the added view only ("modified nodes"): the tool, not restarted, clears its status and is listed with the link.
      await helper.setFlows([...nodes, viewNode({ id: 'nowhereView', uri: 'ui://test/nowhere', name: 'nowhere' })], 'nodes');
      assert.deepEqual(statuses.of('dangling').at(-1), {});
      assert.deepEqual((await metas()).broken, { ui: { resourceUri: 'ui://test/nowhere', visibility: ['model'] }, 'ui/resourceUri': 'ui://test/nowhere' });
    } finally {
      statuses.stop();
      await client?.close();
    }
  });

  it('refuses at deploy a view whose CSP list holds something that is not an origin, or whose template does not parse, and declares neither', async () => {
    const flow = await load([TAB, ENDPOINT,
      viewNode({ id: 'cspView', uri: 'ui://test/csp', connectDomains: "https://ok.example.com 'unsafe-inline'" }),
      viewNode({ id: 'framesView', uri: 'ui://test/frames', frameDomains: 'https://a.example.com; script-src *' }),
      viewNode({ id: 'templateView', uri: 'ui://test/template', template: '<p>{{#open}}</p>' }),
      viewNode({ id: 'fineView', uri: 'ui://test/fine' })]);
    const errors = loggedErrors();
    assert.ok(errors.some((e) => e.startsWith(`cspView: connectDomains: "'unsafe-inline'" is not an origin`)), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('framesView: frameDomains: "https://a.example.com;" is not an origin')), errors.join('\n'));
    assert.ok(errors.some((e) => /^templateView: The HTML is not a valid Mustache template: Unclosed section "open"/.test(e)), errors.join('\n'));
    const client = await connect(flow.url);
    try {
      assert.deepEqual((await client.listResources()).resources.map((r) => r.uri), ['ui://test/fine']);
    } finally {
      await client.close();
    }
  });

  it("tells the tool's flow whether the client renders views (msg.mcp.clientCapabilities)", async () => {
    const flow = await load([TAB, ENDPOINT, viewNode(), tool('shows', 'thermostat', { view: 'ui://test/panel', wires: [['calls']] }), { id: 'calls', type: 'helper', z: 'tab1' }, { id: 'out', type: 'mcp-sse-out', z: 'tab1', wires: [[]] }]);
    const calls = inputsOf('calls');
    const views = await connect(flow.url);
    const textOnly = await connect(flow.url, {});
    try {
      for (const client of [views, textOnly]) {
        const call = client.callTool({ name: 'thermostat' });
        await waitFor(() => calls.length > 0, 2000, 'the call');
        const msg = calls.shift();
        helper.getNode('out').receive({ ...msg, payload: 'ok' });
        await call;
        assert.deepEqual(msg.mcp.clientCapabilities, client === views ? { extensions: { [UI]: { mimeTypes: [MIME] } } } : {});
      }
    } finally {
      await views.close();
      await textOnly.close();
    }
  });
});

describe("the dialogs' MCP Apps checks, as the editor runs them", () => {
  type Validator = (this: unknown, v: string, opt?: boolean) => true | string | false;
  type Views = { cspField: Validator; domainField: Validator; toolView: Validator; isCspOrigin(text: string): boolean };
  type EditorNode = { type: string; endpoint?: string; uri?: string; d?: boolean };
  const context: { window: { mcpSseEditor?: { views: Views } }; RED: { settings: object; nodes?: { eachNode(cb: (n: EditorNode) => void): void }; _: (key: string, subs?: object) => string } } = {
    window: {},
    // What the view node publishes to the editor (its exported setting, through JSON as /settings sends it).
    RED: { settings: JSON.parse(JSON.stringify({ [VIEW_PATTERNS_SETTING]: VIEW_PATTERNS })) as object, _: (key, subs) => `${key} ${JSON.stringify(subs ?? {})}` },
  };
  vm.runInNewContext(readFileSync(path.join(PACKAGE_ROOT as string, 'resources', 'mcp-editor.js'), 'utf8'), context);
  const views = context.window.mcpSseEditor!.views;

  it('refuse the same CSP entries the runtime refuses, naming the first one', () => {
    const cases = ['https://api.example.com', 'wss://live.example.com:8443', 'https://*.example.com', 'http://127.0.0.1:1880/', 'http://[::1]:3000',
      'api.example.com', 'https://a.example.com/path', "'unsafe-inline'", '*', 'data:', 'ftp://a.example.com', 'https://a.*.example.com', 'https://a.example.com:70000', 'https://a.example.com?x'];
    for (const text of cases) assert.equal(views.isCspOrigin(text), isCspOrigin(text), text);
    assert.equal(views.cspField('https://a.example.com, wss://b.example.com\nhttps://*.c.example.com'), true);
    assert.equal(views.cspField(''), true);
    assert.equal(views.cspField('https://a.example.com nope', false), false);
    assert.match(String(views.cspField('https://a.example.com nope https://x/y', true)), /errors\.origin \{"origin":"nope"\}/);
    assert.equal(views.domainField('a1b2.claudemcpcontent.com'), true);
    assert.equal(views.domainField('https://a1b2.example.com:8443'), true);
    assert.equal(views.domainField('not a domain', false), false);
  });

  it('check a tool\'s View against the enabled views of its endpoint, scanning the workspace once per validation pass', async () => {
    const workspace: EditorNode[] = [
      { type: 'mcp-sse-view', endpoint: 'ep', uri: 'ui://a' },
      { type: 'mcp-sse-view', endpoint: 'ep', uri: 'ui://off', d: true },
      { type: 'mcp-sse-view', endpoint: 'other', uri: 'ui://b' },
      { type: 'mcp-sse-tool', endpoint: 'ep' },
    ];
    let scans = 0;
    context.RED.nodes = { eachNode: (cb) => { scans++; workspace.forEach(cb); } };
    // One pass, as the editor validates every node after an import: tools of the endpoint, each with its View.
    const tool = (view: string): true | string | false => views.toolView.call({ endpoint: 'ep' }, view, false);
    assert.deepEqual(['ui://a', 'ui://off', 'ui://b', ''].map(tool), [true, false, false, true]);
    assert.equal(scans, 1, 'the workspace scanned once for the whole pass');
    await new Promise((r) => setImmediate(r));
    workspace.push({ type: 'mcp-sse-view', endpoint: 'ep', uri: 'ui://new' });
    assert.equal(tool('ui://new'), true, 'the next pass sees the view added since');
    assert.equal(scans, 2);
  });

  it('publish those patterns from the runtime: the view node\'s exported setting, named after its type', async () => {
    let published: Record<string, { value: unknown; exportable?: boolean }> | undefined;
    viewNodeModule({ nodes: { registerType: (_type: string, _ctor: unknown, options?: { settings?: typeof published }) => { published = options?.settings; } } } as never);
    assert.deepEqual(Object.keys(published ?? {}), [VIEW_PATTERNS_SETTING]);
    assert.ok(VIEW_PATTERNS_SETTING.startsWith('mcpSseView'), 'Node-RED wants the normalised type first');
    assert.deepEqual(published?.[VIEW_PATTERNS_SETTING], { value: VIEW_PATTERNS, exportable: true });
  });

  it("give a new view HTML that Mustache leaves as it is, with no {{ to trip on", () => {
    let definition: { defaults: { template: { value: string } } } | undefined;
    const html = readFileSync(path.join(PACKAGE_ROOT as string, 'nodes', 'mcp-sse-view.html'), 'utf8');
    const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    vm.runInNewContext(script, { mcpSseEditor: context.window.mcpSseEditor, RED: { nodes: { registerType: (_type: string, def: typeof definition) => { definition = def; } } } });
    const starter = definition!.defaults.template.value;
    assert.match(starter, /^<!DOCTYPE html>[\s\S]*ui\/initialize[\s\S]*<\/script>\n<\/body>\n<\/html>\n$/);
    assert.equal(Mustache.render(starter, {}), starter);
  });
});
