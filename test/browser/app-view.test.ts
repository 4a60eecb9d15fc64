/**
 * MCP Apps end to end (issue 22): examples/app-view.json in the real node-red, and a small host
 * page of this test in headless Chromium playing the host (test/browser/app-host/host.ts, bundled
 * with esbuild: the official v2 MCP client and ext-apps' AppBridge). Over both Streamable HTTP
 * eras (2025-11-25 with `initialize`, 2026-07-28 with the v2 client in `auto` mode) the host lists
 * the tools and finds thermostat's view, reads it (MIME type, `_meta.ui`), renders it in a
 * sandboxed iframe through AppBridge with the tool's input and result; the view shows the flow's
 * temperature, and its button makes the host proxy `tools/call set_target` (a views-only tool the
 * host keeps out of the model's list) to the flow, whose new target appears in the view. A
 * text-only client gets the reading in words. Then the editor: the view dialog refuses a malformed
 * CSP origin, and the tool dialog's View lists the endpoint's view. On each supported Node-RED.
 * Screenshots go to test-results/screenshots/mcp-apps/<version>/, and the view's own to
 * test-results/screenshots/mcp-apps/ (`thermostat-view.png` is the one the README shows).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { listenOnLoopback } from '../support/core-server';
import { launchBrowser, openOfflinePage, screenshot, SCREENSHOT_DIR } from '../support/browser';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';

const require = createRequire(__filename);
const EXAMPLE = path.join(PACKAGE_ROOT as string, 'examples', 'app-view.json');
const VIEW_URI = 'ui://thermostat/panel';
const MIME = 'text/html;profile=mcp-app';
const UI = 'io.modelcontextprotocol/ui';
const SHOTS = 'mcp-apps';
/** A bound for each step on a loaded 2-core machine (ms). */
const STEP_TIMEOUT = 30_000;

/** The host page: the bundle, and where it draws what the model sees and the view. */
const HOST_HTML = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>MCP Apps test host</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 24px; color: #1f2328; background: #f6f8fa; }
  .card { background: #fff; border-radius: 12px; padding: 16px 20px; max-width: 460px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  .label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #59636e; margin-top: 10px; }
  #view { width: 420px; height: 220px; border: 0; display: block; margin-top: 12px; }
  #view.bordered { border: 1px solid #d1d9e0; border-radius: 10px; }
</style></head>
<body><div class="card">
  <div class="label">Tools the model sees</div><div id="model-tools"></div>
  <div class="label">thermostat's result (text)</div><div id="tool-text"></div>
  <div id="stage"></div>
</div><script type="module" src="/host.js"></script></body></html>`;

interface HostReport {
  protocolVersion: string | undefined;
  serverCapabilities: Record<string, unknown> | undefined;
  tools: Array<{ name: string; _meta?: Record<string, unknown> }>;
  modelTools: string[];
  viewUri: string | undefined;
  resource: { uri: string; mimeType?: string; _meta?: Record<string, unknown> };
  toolResult: { text: string; structuredContent?: { temperature: number; target: number } };
  csp: string;
}

/** Serves the host page and its bundle on 127.0.0.1. */
async function startHost(): Promise<{ url: string; close(): Promise<void> }> {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const bundle = await esbuild.build({ entryPoints: [path.join(__dirname, 'app-host', 'host.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'chrome120', write: false, logLevel: 'silent' });
  const script = bundle.outputFiles[0].text;
  return listenOnLoopback(http.createServer((req, res) => {
    if (req.url === '/host.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(HOST_HTML);
    } else if (req.url === '/host.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(script);
    } else {
      res.writeHead(404);
      res.end();
    }
  }));
}

/** A page that reaches only `origins`; what else it asks for is aborted and listed. */
async function pageOn(browser: Browser, origins: string[]): Promise<{ page: Page; blocked: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  page.setDefaultTimeout(STEP_TIMEOUT);
  const blocked: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (origins.includes(url.origin)) return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  return { page, blocked, errors };
}

/** The reading a text-only client (the v1 SDK client, no extensions) gets from the thermostat tool. */
async function textOnlyReading(url: string): Promise<string> {
  const client = new Client({ name: 'text-only', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    const result = await client.callTool({ name: 'thermostat', arguments: {} });
    return (result.content as Array<{ text: string }>)[0].text;
  } finally {
    await client.close();
  }
}

for (const version of NODE_RED_VERSIONS) describe(`MCP Apps: examples/app-view.json in the real node-red, rendered by a test host in Chromium, on ${version.name}`, () => {
  /** The README's picture is taken on the first version; each version keeps its own of the rest. */
  const readmeShots = version === NODE_RED_VERSIONS[0];
  const shots = `${SHOTS}/${version.slug}`;
  let nodeRed: RunningNodeRed;
  let host: { url: string; close(): Promise<void> };
  let browser: Browser;
  let dir: string;

  before(async () => {
    host = await startHost();
    // A browser page is a host on another origin: the endpoint allows it, and Node-RED's
    // httpNodeCors lets it read the answers (hosts that connect from a server need neither).
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-apps-'));
    const flow = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Array<Record<string, unknown>>;
    const endpoint = flow.find((n) => n.type === 'mcp-sse-endpoint') as Record<string, unknown>;
    endpoint.allowedOrigins = host.url;
    writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow));
    nodeRed = await startNodeRedWith(path.join(dir, 'flows.json'), {
      node: version.node,
      bin: version.bin,
      install: 'link',
      settings: { httpNodeCors: { origin: host.url }, editorTheme: { tours: false }, telemetry: { enabled: false } },
    });
    assertRunsOn(version, nodeRed.output());
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await nodeRed?.stop();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const eras = [
    { name: '2025-11-25, with initialize', mode: 'legacy', version: '2025-11-25', slug: '2025-11-25' },
    { name: '2026-07-28, the v2 client in auto mode', mode: 'auto', version: '2026-07-28', slug: '2026-07-28' },
  ] as const;
  for (const era of eras) {
    it(`renders the thermostat's view and proxies its set_target to the flow, over Streamable HTTP ${era.name}`, async () => {
      const mcpUrl = `${nodeRed.url}/thermostat/mcp`;
      const { page, blocked, errors } = await pageOn(browser, [host.url, nodeRed.url]);
      try {
        await page.goto(`${host.url}/host.html`);
        await page.waitForFunction(() => typeof (window as unknown as { runHost?: unknown }).runHost === 'function');
        const report = await page.evaluate(([url, mode]) => (window as unknown as { runHost(u: string, m: string): Promise<HostReport> }).runHost(url, mode), [mcpUrl, era.mode] as const);

        assert.equal(report.protocolVersion, era.version);
        assert.deepEqual(report.serverCapabilities?.extensions, { [UI]: {} }, 'the endpoint advertises MCP Apps');
        // tools/list carries set_target, views only; the host keeps it from the model.
        const byName = Object.fromEntries(report.tools.map((t) => [t.name, t._meta]));
        assert.deepEqual(byName.thermostat, { ui: { resourceUri: VIEW_URI, visibility: ['model', 'app'] }, 'ui/resourceUri': VIEW_URI });
        assert.deepEqual(byName.set_target, { ui: { visibility: ['app'] } });
        assert.deepEqual(report.modelTools, ['thermostat']);
        assert.equal(report.viewUri, VIEW_URI);
        assert.deepEqual(report.resource, { uri: VIEW_URI, mimeType: MIME, _meta: { ui: { prefersBorder: true } } });
        assert.match(report.csp, /connect-src 'none'/, 'the view declared no origins: it may reach none');
        // The host renders views, and the flow knows it from msg.mcp.clientCapabilities.
        assert.match(report.toolResult.text, /^Living room: [\d.]+ °C, target [\d.]+ °C \(shown in the thermostat view\)\.$/);
        const { temperature, target } = report.toolResult.structuredContent as { temperature: number; target: number };
        assert.equal(temperature, 21.5);

        const view = page.frameLocator('#view');
        await view.locator('.room').filter({ hasText: 'Living room' }).waitFor();
        await view.locator('#temperature').filter({ hasText: '21.5' }).waitFor();
        await view.locator('#target').filter({ hasText: target.toFixed(1) }).waitFor();
        const sandbox = await page.locator('#view').getAttribute('sandbox');
        assert.equal(sandbox, 'allow-scripts', 'the view runs in a sandboxed frame of its own (opaque) origin');
        if (readmeShots && era.slug === '2025-11-25') await page.locator('#view').screenshot({ path: screenshotPath('thermostat-view-before') });

        await view.locator('#up').click();
        const raised = (target + 0.5).toFixed(1);
        await view.locator('#target').filter({ hasText: raised }).waitFor();
        await view.locator('#note').filter({ hasText: `Target set to ${raised} °C` }).waitFor();
        assert.deepEqual(await page.evaluate(() => (window as unknown as { proxied: unknown }).proxied), [{ name: 'set_target', outcome: 'sent' }]);
        // The flow kept the new target: a text-only client reads it, in words.
        assert.equal(await textOnlyReading(mcpUrl), `It is 21.5 °C in the living room; the target is ${Number(raised)} °C.`);

        if (readmeShots && era.slug === '2025-11-25') await page.locator('#view').screenshot({ path: screenshotPath('thermostat-view') });
        await screenshot(page, shots, `host-${era.slug}`);
        assert.deepEqual(blocked, [], 'nothing fetched from anywhere else');
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }

  it('refuses a malformed CSP origin in the view dialog, and lists the endpoint\'s view in the tool dialog', async () => {
    const { page, blocked } = await openOfflinePage(browser, nodeRed.url);
    page.setDefaultTimeout(STEP_TIMEOUT);
    try {
      await page.goto(nodeRed.url);
      await page.locator('#red-ui-palette .red-ui-palette-node[data-palette-type="mcp-sse-view"]').waitFor();
      await page.locator('[id="app_view_panel"]').waitFor();
      const edit = (id: string) => page.evaluate((nodeId) => {
        const { RED } = window as unknown as { RED: { editor: { edit(n: unknown): void }; nodes: { node(id: string): unknown } } };
        RED.editor.edit(RED.nodes.node(nodeId));
      }, id);

      await edit('app_view_panel');
      const field = page.locator('#node-input-connectDomains');
      await field.waitFor();
      await field.fill('https://api.example.com, api.example.com/v1');
      await field.blur();
      await page.waitForFunction(() => document.querySelector('#node-input-connectDomains')?.classList.contains('input-error'));
      await screenshot(page, shots, 'view-dialog-origin-refused');
      await field.fill('https://api.example.com, wss://live.example.com');
      await field.blur();
      await page.waitForFunction(() => !document.querySelector('#node-input-connectDomains')?.classList.contains('input-error'));
      await page.locator('#node-dialog-cancel').click();
      await field.waitFor({ state: 'detached' });

      await edit('app_view_thermostat');
      const select = page.locator('#node-input-view');
      await select.waitFor();
      assert.deepEqual(await select.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)), ['', VIEW_URI]);
      assert.equal(await select.inputValue(), VIEW_URI);
      assert.equal(await page.locator('#node-input-visibility').inputValue(), 'both');
      await screenshot(page, shots, 'tool-dialog-view');
      await page.locator('#node-dialog-cancel').click();
      await select.waitFor({ state: 'detached' });
      assert.deepEqual(blocked.filter((u) => !u.startsWith('https://catalogue.nodered.org/')), []);
    } finally {
      await page.close();
    }
  });
});

/** test-results/screenshots/mcp-apps/<name>.png, its folder made. */
function screenshotPath(name: string): string {
  mkdirSync(path.join(SCREENSHOT_DIR, SHOTS), { recursive: true });
  return path.join(SCREENSHOT_DIR, SHOTS, `${name}.png`);
}
