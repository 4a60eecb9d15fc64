/**
 * The MCP sidebar tab (issue 20) in the real editor (headless chromium), on each supported
 * Node-RED, with the tutorial, tools and server-push examples deployed: the tab opens and lists the
 * endpoints with their URLs; an official SDK client's name appears within 2 s of connecting; its
 * calls appear with their duration and outcome (a refused call in red), the errors-only filter,
 * the params and result of an entry on a click (not recorded here: the tab says how to turn
 * recording on), and the end button, after which the client's next request gets 404. Try it: the
 * hand-written flow's tools listed from its own tools/list; add with 2 and 3 shows 5; weather with
 * latitude 200 shows the schema's error as it is typed and as the endpoint answers, without
 * reaching the flow; and add from its own dialog's Try it button. (A tool built with the parameters
 * table and listed by a client: test/browser/parameters.test.ts.) Screenshots of the tab and the
 * dialog go to test-results/screenshots/<version>/.
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
    /** The requests the weather tool's HTTP API (the local stand-in) received. */
    const asked: string[] = [];
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
      api = await listenOnLoopback(http.createServer((req, res) => {
        asked.push(req.url ?? '');
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

    it('tries add from the sidebar: 2 and 3 give 5, with the duration', async () => {
      // A hand-written flow's tools come from its own tools/list answer.
      await page.locator('.mcp-wb-try-endpoint').selectOption('mcp_cfg_tutorial');
      await page.locator('.mcp-wb-try-tool option[value="add"]').waitFor({ state: 'attached' });
      assert.deepEqual(await page.locator('.mcp-wb-try-tool option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)), ['', 'add']);
      await page.locator('.mcp-wb-try-endpoint').selectOption('tools_endpoint');
      await page.locator('.mcp-wb-try-tool option[value="weather"]').waitFor({ state: 'attached' });
      await page.locator('.mcp-wb-try-tool option[value="add"]').waitFor({ state: 'attached' });
      await page.locator('.mcp-wb-try-tool').selectOption('add');
      const panel = page.locator('.mcp-wb-try-panel .mcp-try');
      await panel.locator('.mcp-try-field[data-name="a"] .mcp-try-input').fill('2');
      await panel.locator('.mcp-try-field[data-name="b"] .mcp-try-input').fill('3');
      await panel.locator('.mcp-try-call').click();
      const result = panel.locator('.mcp-try-answer .mcp-try-result');
      await result.waitFor();
      assert.equal(await result.locator('.mcp-try-text').innerText(), '5');
      assert.match(await result.locator('.mcp-try-meta').innerText(), /^result · \d+(\.\d)? ms$/);
      assert.equal(await result.evaluate((el) => el.classList.contains('mcp-try-error')), false);
      // The call is in the activity list, as the editor's.
      await entries().filter({ hasText: 'editor' }).filter({ has: page.locator('.mcp-wb-entry-name', { hasText: 'add' }) }).first().waitFor();
    });

    it('tries weather with latitude 200: the form says what is wrong as it is typed, and the schema error comes back without reaching the flow', async () => {
      await page.locator('.mcp-wb-try-tool').selectOption('weather');
      const panel = page.locator('.mcp-wb-try-panel .mcp-try');
      const latitude = panel.locator('.mcp-try-field[data-name="latitude"]');
      await latitude.locator('.mcp-try-input').fill('200');
      assert.equal(await latitude.locator('.mcp-try-problem').innerText(), 'must be <= 90');
      await panel.locator('.mcp-try-field[data-name="longitude"] .mcp-try-input').fill('2');
      const before = asked.length;
      await panel.locator('.mcp-try-call').click();
      const result = panel.locator('.mcp-try-answer .mcp-try-result');
      await result.waitFor();
      assert.equal(await result.evaluate((el) => el.classList.contains('mcp-try-error')), true, 'in red');
      assert.match(await result.locator('.mcp-try-meta').innerText(), /^tool error \(isError\) · /);
      assert.equal(await result.locator('.mcp-try-text').innerText(), 'Invalid arguments for tool weather: arguments/latitude must be <= 90');
      assert.equal(asked.length, before, 'the flow (and its HTTP API) was not reached');
      await shot('workbench-3-try-it');
    });

    it("tries the add tool from its own dialog's Try it button", async () => {
      await page.locator('[id="tools_add"] rect.red-ui-flow-node').dblclick();
      const button = page.locator('.mcp-try-dialog-button[data-kind="tool"]');
      await button.waitFor();
      await button.click();
      const panel = page.locator('.mcp-try-dialog-panel .mcp-try');
      await panel.locator('.mcp-try-field[data-name="a"] .mcp-try-input').fill('40');
      await panel.locator('.mcp-try-field[data-name="b"] .mcp-try-input').fill('2');
      await panel.locator('.mcp-try-call').click();
      await panel.locator('.mcp-try-answer .mcp-try-text').filter({ hasText: /^42$/ }).waitFor();
      await shot('workbench-4-tool-dialog');
      await page.locator('#node-dialog-cancel').click();
    });
  });
}
