/**
 * The MCP sidebar tab (issue 20) in the real editor (headless chromium), on each supported
 * Node-RED, with examples/tools.json deployed: the tab opens and lists the endpoint with its URLs;
 * an official SDK client's name appears within 2 s of connecting; its calls appear with their
 * duration and outcome (a refused call in red), the errors-only filter, the params and result of
 * an entry on a click (not recorded here: the tab says how to turn recording on), and the end
 * button, after which the client's next request gets 404. Screenshots of the tab go to
 * test-results/screenshots/<version>/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { launchBrowser, openOfflinePage, screenshot } from '../support/browser';
import { listenOnLoopback } from '../support/core-server';
import { workbenchFlows } from '../support/workbench';

/** A bound for each step on a loaded 2-core machine (ms). */
const STEP_TIMEOUT = 60_000;
/** What the issue allows between a client connecting and its name in the tab (ms). */
const CLIENT_SHOWN_WITHIN = 2000;

for (const version of NODE_RED_VERSIONS) {
  describe(`the MCP sidebar on ${version.name}`, () => {
    let nodeRed: RunningNodeRed;
    let api: { url: string; close(): Promise<void> };
    let flowFile: string;
    let browser: Browser;
    let page: Page;
    let client: Client | undefined;
    let transport: StreamableHTTPClientTransport;
    const shot = async (name: string) => {
      await page.waitForFunction(() => (window as unknown as { $: (s: string) => { length: number } }).$(':animated').length === 0);
      return screenshot(page, version.slug, name);
    };
    const entries = () => page.locator('.mcp-wb-activity-list .mcp-wb-entry');

    before(async () => {
      api = await listenOnLoopback(http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ current: { temperature_2m: 12.5, wind_speed_10m: 7 } }));
      }));
      flowFile = workbenchFlows(api.url);
      nodeRed = await startNodeRedWith(flowFile, {
        node: version.node,
        bin: version.bin,
        settings: { telemetry: { enabled: false }, editorTheme: { tours: false } },
      });
      assertRunsOn(version, nodeRed.output());
      browser = await launchBrowser();
      ({ page } = await openOfflinePage(browser, nodeRed.url));
      page.setDefaultTimeout(STEP_TIMEOUT);
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: nodeRed.url });
      await page.goto(nodeRed.url);
      await page.locator('.red-ui-tab').filter({ hasText: 'MCP tools (declared)' }).click();
      await page.locator('[id="tools_add"] rect.red-ui-flow-node').waitFor();
    });

    after(async () => {
      await client?.close().catch(() => {});
      await browser?.close();
      await nodeRed?.stop();
      await api?.close();
      if (flowFile !== undefined) rmSync(path.dirname(flowFile), { recursive: true, force: true });
    });

    it('opens the MCP tab, which lists each endpoint with its URLs to copy', async () => {
      const button = page.locator('button[data-tab-id="mcp-sse-workbench"]');
      if (version.nodeRed.startsWith('5.')) {
        // Node-RED 5: a button per sidebar tab, at the foot of the sidebar.
        assert.equal(await button.getAttribute('aria-label'), 'MCP sessions and calls');
        await button.click();
      } else {
        // Node-RED 4: the sidebar shows the first tabs' icons; the others, MCP among them, are in its menu.
        await page.locator('#red-ui-sidebar .red-ui-tab-link-button-menu').click();
        await page.locator('#red-ui-tabs-menu-option-mcp-sse-workbench').filter({ hasText: 'MCP sessions and calls' }).click();
      }
      const tools = page.locator('.mcp-wb-endpoint[data-endpoint="tools_endpoint"]');
      await tools.waitFor();
      assert.equal(await tools.locator('.mcp-wb-endpoint-name').innerText(), 'tools');
      assert.deepEqual(await tools.locator('.mcp-wb-url code').allInnerTexts(), [`${nodeRed.url}/tools/mcp`, `${nodeRed.url}/tools/sse`]);
      assert.deepEqual((await tools.locator('.mcp-wb-url-transport').allInnerTexts()).map((s) => s.trim()), ['Streamable HTTP', 'HTTP+SSE']);
      await tools.locator('.mcp-wb-copy').first().click();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${nodeRed.url}/tools/mcp`);
      assert.equal(await page.locator('.mcp-wb-endpoint').count(), 3, 'the three endpoints of the flow');
    });

    it("shows an SDK client's name within 2 s of connecting, then its calls with their duration and outcome", async () => {
      client = new Client({ name: 'sidebar-client', version: '4.5.6' });
      transport = new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/tools/mcp`));
      const connected = Date.now();
      await client.connect(transport);
      const session = page.locator(`.mcp-wb-session[data-session="${transport.sessionId}"]`);
      await session.locator('.mcp-wb-session-client').filter({ hasText: 'sidebar-client 4.5.6' }).waitFor({ timeout: CLIENT_SHOWN_WITHIN });
      assert.ok(Date.now() - connected <= CLIENT_SHOWN_WITHIN + 500);
      assert.match(await session.locator('.mcp-wb-session-facts').innerText(), /^tools · Streamable HTTP · 2025-11-25 · open \d+ s · active \d+ s ago · 0 in flight$/);
      await page.locator('.mcp-wb-endpoint[data-endpoint="tools_endpoint"] .mcp-wb-endpoint-counts').filter({ hasText: /^1 session$/ }).waitFor({ timeout: CLIENT_SHOWN_WITHIN });

      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      const good = entries().filter({ has: page.locator('.mcp-wb-entry-name', { hasText: 'add' }) }).first();
      await good.waitFor({ timeout: CLIENT_SHOWN_WITHIN });
      assert.match(await good.locator('.mcp-wb-entry-outcome').innerText(), /^result · \d+(\.\d)? ms$/);
      assert.equal(await good.getAttribute('class').then((c) => c?.includes('red-ui-debug-msg-level-20')), false);

      const refused = await client.callTool({ name: 'weather', arguments: { latitude: 200, longitude: 2 } });
      assert.equal(refused.isError, true);
      const bad = entries().filter({ has: page.locator('.mcp-wb-entry-name', { hasText: 'weather' }) }).first();
      await bad.waitFor({ timeout: CLIENT_SHOWN_WITHIN });
      assert.match(await bad.locator('.mcp-wb-entry-outcome').innerText(), /^tool error · \d+(\.\d)? ms$/);
      assert.match(String(await bad.getAttribute('class')), /red-ui-debug-msg-level-20/, 'errors are red');
      const file = await shot('workbench-1-editor');
      // The tab alone, as the README shows it.
      await page.locator('#red-ui-sidebar').screenshot({ path: path.join(path.dirname(file), 'workbench-2-sidebar.png') });
    });

    it('filters the list to errors only, and shows on a click that this endpoint records no payloads', async () => {
      await page.locator('.mcp-wb-filter-errors input').check();
      const visible = () => entries().evaluateAll((rows) => rows.filter((r) => (r as HTMLElement).offsetParent !== null).map((r) => r.getAttribute('data-outcome')));
      assert.ok((await visible()).length >= 1);
      assert.ok((await visible()).every((outcome) => outcome === 'tool-error' || outcome === 'error' || outcome === 'timeout'));
      await page.locator('.mcp-wb-filter-errors input').uncheck();
      assert.ok((await visible()).includes('result'));
      const good = entries().filter({ has: page.locator('.mcp-wb-entry-name', { hasText: 'add' }) }).first();
      await good.click();
      await good.locator('.mcp-wb-entry-details').filter({ hasText: 'Record payloads' }).waitFor();
    });

    it('ends a session with its end button: it leaves the list, and its client gets 404', async () => {
      const session = page.locator(`.mcp-wb-session[data-session="${transport.sessionId}"]`);
      await session.locator('.mcp-wb-end').click();
      await session.waitFor({ state: 'detached' });
      await assert.rejects((client as Client).callTool({ name: 'add', arguments: { a: 1, b: 1 } }), /404|Session not found/);
    });
  });
}
