/**
 * A new user's path through the real editor, in headless chromium, on each supported Node-RED:
 * an empty Node-RED, Menu > Manage palette > Install > upload of the packed .tgz, the MCP nodes in
 * the palette, Import > Examples > tutorial-mcp-server, Deploy, then the official SDK client adds
 * 2 and 3; the edit dialogs (the endpoint's two transports, in tabs), the endpoint's Connect tab
 * (its URLs and client configurations, each run as shown) and a duplicate path; then a tool made
 * from scratch: an `mcp sse tool` dragged from the palette, its name and schema filled in through
 * its dialog, wired to a change node and `mcp sse out`, deployed and called by the SDK client.
 * Screenshots go to test-results/screenshots/<version>/ (kept by CI as artifacts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectSdkClient, packedTarball, startNewUserNodeRed, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { runInspectorCli } from '../support/inspector';
import { clipboardText, dragFromPalette, launchBrowser, openOfflinePage, screenshot, wire } from '../support/browser';

const require = createRequire(__filename);

/** Generous bounds for steps that run npm or start nodes on a loaded 2-core machine (ms). */
const INSTALL_TIMEOUT = 180_000;
const STEP_TIMEOUT = 60_000;

const PALETTE_NODES = ['mcp-sse-in', 'mcp-message-in', 'mcp-sse-out'];

for (const version of NODE_RED_VERSIONS) {
  describe(`a new user on ${version.name}, in the editor`, () => {
    let nodeRed: RunningNodeRed;
    let browser: Browser;
    let page: Page;
    let blocked: string[];
    const shot = async (name: string) => {
      // Trays and notifications slide in with jQuery animations: take the picture once they stop.
      await page.waitForFunction(() => (window as unknown as { $: (s: string) => { length: number } }).$(':animated').length === 0);
      return screenshot(page, version.slug, name);
    };
    // Node-RED's tabs take two clicks within 400 ms, even on two different tabs, as a double-click
    // that switches nothing: the endpoint dialog's tabs are clicked only when needed, and no faster
    // than a user would.
    let lastTabClick = 0;
    const openTab = async (name: string) => {
      const content = page.locator(`#mcp-sse-endpoint-tab-${name.toLowerCase()}`);
      if (await content.isVisible()) return;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastTabClick + 500 - Date.now())));
      await page.locator('#node-config-mcp-sse-endpoint-tabs .red-ui-tab a').filter({ hasText: name }).click();
      lastTabClick = Date.now();
      await content.waitFor();
    };

    before(async () => {
      const tarball = packedTarball();
      assert.ok(tarball.endsWith('.tgz'));
      nodeRed = await startNewUserNodeRed({ node: version.node, bin: version.bin });
      assertRunsOn(version, nodeRed.output());
      browser = await launchBrowser();
      ({ page, blocked } = await openOfflinePage(browser, nodeRed.url));
      page.setDefaultTimeout(STEP_TIMEOUT);
      await page.goto(nodeRed.url);
      await page.locator('#red-ui-palette .red-ui-palette-node').first().waitFor();
      // What a first start shows: the update-notification question, then the welcome tour.
      await page.getByRole('button', { name: 'No, do not enable notifications' }).click();
      await page.locator('.red-ui-tourGuide-popover button:has(i.fa-times)').click();
      await page.locator('.red-ui-tourGuide-shade').waitFor({ state: 'detached' });
    });

    after(async () => {
      await browser?.close();
      await nodeRed?.stop();
    });

    it('starts with no MCP nodes in the palette', async () => {
      assert.equal(await page.locator('#red-ui-palette .red-ui-palette-node[data-palette-type^="mcp-"]').count(), 0);
    });

    it('installs the packed .tgz through Menu > Manage palette > Install > upload', async () => {
      await page.locator('#red-ui-header-button-sidemenu').click();
      await page.locator('#menu-item-edit-palette').click();
      await page.getByRole('link', { name: 'Install', exact: true }).click();
      const chooser = page.waitForEvent('filechooser');
      await page.locator('.red-ui-palette-editor-upload-button').click();
      await (await chooser).setFiles(packedTarball());
      await page.locator('.red-ui-palette-editor-upload-buttons button.primary').click();
      const added = page.locator('.red-ui-notification').filter({ hasText: 'Nodes added to palette' });
      await added.waitFor({ timeout: INSTALL_TIMEOUT });
      for (const type of ['mcp-sse-endpoint', ...PALETTE_NODES]) assert.match(await added.innerText(), new RegExp(type));
      await shot('1-installed');
      await page.getByRole('button', { name: 'Close', exact: true }).first().click();
      await dismissNotifications(page);
      assert.match(nodeRed.output(), /Installed module: node-red-contrib-mcp-sse/);
    });

    it('shows the nodes in the MCP palette category, with their labels and icons', async () => {
      await page.locator('#red-ui-palette-search input').pressSequentially('mcp');
      const category = page.locator('#red-ui-palette-container-MCP');
      await category.waitFor();
      // The palette draws the nodes first and their translated labels once the catalogue has loaded.
      await page.waitForFunction(() => [...document.querySelectorAll('#red-ui-palette-container-MCP .red-ui-palette-label')]
        .every((el) => !(el as HTMLElement).innerText.includes('-')));
      const nodes = await category.locator('.red-ui-palette-node').evaluateAll((els) => els.map((el) => ({
        type: el.getAttribute('data-palette-type'),
        label: (el.querySelector('.red-ui-palette-label') as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
        icon: el.querySelector('.red-ui-palette-icon-container')?.getAttribute('data-palette-icon'),
      })));
      // (In the order the editor loaded them, which varies after an install.)
      assert.deepEqual(nodes.sort((a, b) => String(a.type).localeCompare(String(b.type))), [
        { type: 'mcp-message-in', label: 'mcp message in', icon: 'icons/node-red-contrib-mcp-sse/mcp-message.svg' },
        { type: 'mcp-sse-in', label: 'mcp sse in', icon: 'icons/node-red-contrib-mcp-sse/mcp-sse.svg' },
        { type: 'mcp-sse-out', label: 'mcp sse out', icon: 'icons/node-red-contrib-mcp-sse/mcp-sse.svg' },
        { type: 'mcp-sse-prompt', label: 'mcp sse prompt', icon: 'icons/node-red-contrib-mcp-sse/mcp-prompt.svg' },
        { type: 'mcp-sse-resource', label: 'mcp sse resource', icon: 'icons/node-red-contrib-mcp-sse/mcp-resource.svg' },
        { type: 'mcp-sse-tool', label: 'mcp sse tool', icon: 'icons/node-red-contrib-mcp-sse/mcp-tool.svg' },
        { type: 'mcp-sse-view', label: 'mcp sse view', icon: 'icons/node-red-contrib-mcp-sse/mcp-view.svg' },
      ]);
      // Each node's help, from locales/en-US/<node>.html, in Node-RED's help style.
      const sections = await page.evaluate(() => Object.fromEntries(['mcp-sse-endpoint', 'mcp-sse-in', 'mcp-message-in', 'mcp-sse-out'].map((type) => {
        const help = document.createElement('div');
        help.innerHTML = document.querySelector(`script[data-help-name="${type}"]`)?.innerHTML ?? '';
        return [type, [...help.querySelectorAll('h3')].map((h) => h.textContent)];
      })));
      assert.deepEqual(sections, {
        'mcp-sse-endpoint': ['Properties', 'Details', 'References'],
        'mcp-sse-in': ['Outputs', 'Details', 'References'],
        'mcp-message-in': ['Outputs', 'Details', 'References'],
        'mcp-sse-out': ['Inputs', 'Outputs', 'Details', 'References'],
      });
      for (const icon of new Set(nodes.map((n) => n.icon))) {
        const answer = await page.request.get(`${nodeRed.url}/${icon}`);
        assert.equal(answer.status(), 200, `${icon} is served`);
        assert.match(answer.headers()['content-type'] ?? '', /image\/svg\+xml/);
      }
      await shot('2-palette');
    });

    it('imports the tutorial through Menu > Import > Examples and deploys it', async () => {
      await page.locator('#red-ui-header-button-sidemenu').click();
      await page.locator('#menu-item-import').click();
      const dialog = page.locator('#red-ui-clipboard-dialog');
      await dialog.getByRole('link', { name: 'Examples', exact: true }).click();
      await dialog.getByText('node-red-contrib-mcp-sse', { exact: true }).click();
      await dialog.getByText('tutorial-mcp-server', { exact: true }).click();
      await page.locator('#red-ui-clipboard-dialog-ok').click();
      await page.locator('.red-ui-notification').filter({ hasText: 'Imported' }).waitFor();
      // The example is a flow of its own: its tab opens.
      await page.locator('.red-ui-tab').filter({ hasText: 'MCP server (tutorial)' }).click();
      await page.locator('#red-ui-header-button-deploy').click();
      await page.locator('.red-ui-notification').filter({ hasText: 'Successfully deployed' }).waitFor();
      // The session node's status: no client yet.
      const sseIn = await nodeIdOfType(page, 'mcp-sse-in');
      await page.locator(`[id="${sseIn}"] .red-ui-flow-node-status-label`).filter({ hasText: '0 sessions' }).waitFor();
      assert.doesNotMatch(nodeRed.output(), /\[error\]/);
      await dismissNotifications(page);
      await shot('3-tutorial-flow');
    });

    it('serves the deployed example: the official SDK client lists the add tool and adds 2 and 3', async () => {
      const client = await connectSdkClient(`${nodeRed.url}/sse`);
      try {
        const { tools } = await client.listTools();
        assert.deepEqual(tools.map((t) => t.name), ['add']);
        const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
        assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
        const sseIn = await nodeIdOfType(page, 'mcp-sse-in');
        await page.locator(`[id="${sseIn}"] .red-ui-flow-node-status-label`).filter({ hasText: '1 session' }).waitFor();
        await shot('4-connected');
      } finally {
        await client.close();
      }
    });

    it('opens the edit dialogs: the node shows its routes, the endpoint its transports in tabs and the nodes using it', async () => {
      const sseIn = await nodeIdOfType(page, 'mcp-sse-in');
      await dismissNotifications(page);
      await page.locator(`[id="${sseIn}"] rect.red-ui-flow-node`).dblclick();
      const tray = page.locator('.red-ui-tray').last();
      await tray.locator('#node-input-endpoint').waitFor();
      assert.equal(await page.locator('#node-input-route-tip').innerText(), 'Serves GET /sse (HTTP+SSE) for MCP clients, and reports the sessions of both transports.');
      await shot('5-edit-mcp-sse-in');
      // The pencil next to the endpoint opens the config node's dialog.
      await page.locator('#node-input-btn-endpoint-edit').click();
      const users = page.locator('#node-config-input-users-list');
      await users.waitFor();
      const listed = (await users.innerText()).split('\n').map((s) => s.trim()).filter(Boolean);
      assert.deepEqual(listed.sort(), ['GET /sse (mcp sse in, MCP server (tutorial))', 'POST /sse/message + /mcp (mcp message in, MCP server (tutorial))']);
      // The settings in five tabs, and Connect; the first shows both transports of the example on, Streamable HTTP on /mcp.
      const tabs = page.locator('#node-config-mcp-sse-endpoint-tabs .red-ui-tab a');
      assert.deepEqual((await tabs.allInnerTexts()).map((s) => s.trim()), ['Transports', 'Security', 'Limits', 'Resumption', 'Instances', 'Connect']);
      const transports = page.locator('#mcp-sse-endpoint-tab-transports');
      assert.ok(await transports.isVisible());
      assert.ok(await page.locator('#node-config-input-sse').isChecked());
      assert.equal(await page.locator('#node-config-input-ssePath').inputValue(), '/sse');
      assert.ok(await page.locator('#node-config-input-streamable').isChecked());
      assert.equal(await page.locator('#node-config-input-streamablePath').inputValue(), '/mcp');
      assert.ok(await page.locator('#node-config-input-streamablePath').isEditable());
      await shot('6-edit-endpoint');
      // Bad values are marked as the user types them, on the tab that holds them.
      const bad = [
        ['Transports', 'ssePath', 'sse', '/sse'],
        ['Transports', 'messagePath', '/a b', '/sse/message'],
        ['Transports', 'streamablePath', 'mcp', '/mcp'],
        ['Transports', 'sessionTimeout', '-1', ''],
        ['Transports', 'cacheTtlMs', '-5', ''],
        ['Transports', 'cacheTtlMs', '86400001', ''],
        ['Limits', 'keepAlive', '-1', '15'],
        ['Limits', 'maxBodySize', '10', '4194304'],
        ['Limits', 'maxBatchSize', '0', '100'],
        // The example's Redis URL: one instance while MCP_REDIS_URL is not set, several when it is.
        ['Instances', 'redisUrl', 'localhost:6379', '${MCP_REDIS_URL}'],
      ];
      for (const [tab, field, value, good] of bad) {
        await openTab(tab);
        const input = page.locator(`#node-config-input-${field}`);
        await input.fill(value);
        await input.blur();
        await page.waitForFunction((id) => document.getElementById(id)?.classList.contains('input-error'), `node-config-input-${field}`);
        await input.fill(good);
        await input.blur();
        await page.waitForFunction((id) => !document.getElementById(id)?.classList.contains('input-error'), `node-config-input-${field}`);
      }
      // MCP 2026-07-28: the caching hints of list results beside Streamable HTTP (private unless
      // set), and the state secret with the instances: a password input and a credential, so it is
      // never exported with the flow.
      await openTab('Instances');
      const stateSecret = page.locator('#node-config-input-stateSecret');
      assert.equal(await stateSecret.getAttribute('type'), 'password');
      assert.match(await stateSecret.getAttribute('placeholder') ?? '', /MCP_STATE_SECRET/);
      assert.match(await page.locator('#mcp-sse-endpoint-tab-instances .form-tips').first().innerText(), /must all have the same one/);
      assert.deepEqual(await page.evaluate(() => (window as unknown as { RED: { nodes: { getType(t: string): { credentials: Record<string, unknown> } } } }).RED.nodes.getType('mcp-sse-endpoint').credentials.stateSecret), { type: 'password' });
      await openTab('Transports');
      const cacheScope = page.locator('#node-config-input-cacheScope');
      assert.equal(await cacheScope.inputValue(), 'private');
      assert.deepEqual(await cacheScope.locator('option').allInnerTexts(), ['private: per user', 'public: any user']);
      // The SSE path and the Streamable path are both GET routes: one path cannot be both, and the mark says why.
      const streamablePath = page.locator('#node-config-input-streamablePath');
      await streamablePath.fill('/sse');
      await streamablePath.blur();
      await streamablePath.hover();
      await page.locator('.red-ui-popover').filter({ hasText: "/sse is also this endpoint's SSE path: both take GET requests" }).waitFor();
      await streamablePath.fill('/mcp');
      await streamablePath.blur();
      await page.waitForFunction(() => !document.getElementById('node-config-input-streamablePath')?.classList.contains('input-error'));
      // A transport's fields are editable only while it is on, and one transport at least must stay on.
      await page.locator('#node-config-input-streamable').uncheck();
      assert.equal(await streamablePath.isEditable(), false);
      assert.equal(await cacheScope.isEnabled(), false);
      assert.equal(await page.locator('#mcp-sse-endpoint-no-transport').isVisible(), false);
      await page.locator('#node-config-input-sse').uncheck();
      await page.locator('#mcp-sse-endpoint-no-transport').filter({ hasText: 'Turn on at least one transport' }).waitFor();
      await page.locator('#node-config-input-sse').check();
      await page.locator('#node-config-input-streamable').check();
      await page.locator('#mcp-sse-endpoint-no-transport').waitFor({ state: 'hidden' });
      assert.ok(await streamablePath.isEditable());
      // Back to the mcp sse in dialog, and its help (the book button in the dialog's footer).
      await page.locator('.red-ui-tray').last().getByRole('button', { name: 'Cancel' }).click();
      await page.locator('.red-ui-tray-footer button:has(i.fa-book)').last().click();
      const help = page.locator('.red-ui-help');
      await help.getByText('Opens HTTP+SSE sessions').waitFor();
      assert.deepEqual(await help.locator('h3').allInnerTexts(), ['Outputs', 'Details', 'References']);
      await shot('7-help-mcp-sse-in');
      assert.deepEqual(blocked.filter((url) => !url.startsWith('https://catalogue.nodered.org/')), [], 'the editor reached nothing but 127.0.0.1');
    });

    it('shows the endpoint\'s full URLs and client configurations in its Connect tab, each working as shown', async () => {
      // From the mcp sse in dialog the previous step left open: the pencil next to the endpoint.
      await page.locator('#node-input-btn-endpoint-edit').click();
      await page.locator('#node-config-input-users-list').waitFor();
      await openTab('Connect');
      const urls = page.locator('#mcp-sse-endpoint-urls .mcp-sse-endpoint-url');
      assert.deepEqual(await urls.evaluateAll((rows) => rows.map((row) => [row.querySelector('label')?.textContent, row.querySelector('code')?.textContent])), [
        ['Streamable HTTP', `${nodeRed.url}/mcp`],
        ['HTTP+SSE stream', `${nodeRed.url}/sse`],
        ['HTTP+SSE messages', `${nodeRed.url}/sse/message`],
      ]);
      // A copy button puts its URL on the clipboard, and says so.
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: nodeRed.url });
      await urls.first().locator('button').click();
      await page.locator('.red-ui-popover').filter({ hasText: 'Copied to clipboard' }).waitFor();
      assert.equal(await clipboardText(page), `${nodeRed.url}/mcp`);
      const picker = page.locator('#mcp-sse-endpoint-client');
      assert.deepEqual(await picker.locator('option').allInnerTexts(), ['Claude Desktop (mcp-remote)', 'Cursor', 'VS Code', 'MCP Inspector (command line)']);
      /** The configuration shown for `client`, as its copy button copies it. */
      const configOf = async (client: string): Promise<string> => {
        await picker.selectOption(client);
        const text = await page.locator('#mcp-sse-endpoint-client-config').textContent() ?? '';
        await page.locator('#mcp-sse-endpoint-client-copy button').click();
        assert.equal(await clipboardText(page), text, `the copy button of ${client} copies what is shown`);
        return text;
      };

      // Claude Desktop: mcp-remote to /mcp, run as Claude Desktop runs it (npx -y mcp-remote <args>, with its env).
      const claude = JSON.parse(await configOf('claude-desktop')) as { mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string> }> };
      assert.deepEqual(claude, { mcpServers: { tutorial: { command: 'npx', args: ['-y', 'mcp-remote', `${nodeRed.url}/mcp`] } } });
      assert.equal(await page.locator('#mcp-sse-endpoint-client-token').isVisible(), false, 'no token, no token tip');
      await showConfig(page);
      await shot('8-connect');
      const entry = claude.mcpServers.tutorial as { args: string[]; env?: Record<string, string> };
      const configDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-'));
      const bridged = new Client({ name: 'claude-desktop-config', version: '1.0.0' });
      try {
        await bridged.connect(new StdioClientTransport({
          command: process.execPath,
          args: [require.resolve('mcp-remote/dist/proxy.js'), ...entry.args.slice(2)],
          env: { ...process.env as Record<string, string>, ...entry.env, MCP_REMOTE_CONFIG_DIR: configDir },
          stderr: 'pipe',
        }));
        assert.deepEqual((await bridged.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      } finally {
        await bridged.close();
        rmSync(configDir, { recursive: true, force: true });
      }

      // Cursor and VS Code: a URL (and VS Code's "type": "http"), which the SDK's Streamable HTTP client reaches.
      const cursor = JSON.parse(await configOf('cursor')) as unknown;
      assert.deepEqual(cursor, { mcpServers: { tutorial: { url: `${nodeRed.url}/mcp` } } });
      const vscode = JSON.parse(await configOf('vscode')) as unknown;
      assert.deepEqual(vscode, { servers: { tutorial: { type: 'http', url: `${nodeRed.url}/mcp` } } });
      const direct = new Client({ name: 'cursor-vscode-config', version: '1.0.0' });
      try {
        await direct.connect(new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/mcp`)));
        assert.deepEqual((await direct.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      } finally {
        await direct.close();
      }

      // The Inspector's command line, run as typed (npx -y @modelcontextprotocol/inspector --cli <args>).
      const command = shellWords(await configOf('inspector'));
      assert.deepEqual(command.slice(0, 4), ['npx', '-y', '@modelcontextprotocol/inspector', '--cli']);
      assert.deepEqual(command.slice(4), [`${nodeRed.url}/mcp`, '--transport', 'http', '--method', 'tools/list']);
      const inspector = await runInspectorCli(command.slice(4));
      assert.equal(inspector.code, 0, inspector.stderr);
      assert.deepEqual((JSON.parse(inspector.stdout) as { tools: Array<{ name: string }> }).tools.map((t) => t.name), ['add']);

      // With a token typed in (not yet saved), every configuration sends it, as a placeholder: never the token.
      const secret = 'typed-secret-0123456789';
      await openTab('Security');
      await page.locator('#node-config-input-authMode').selectOption('token');
      await page.locator('#node-config-input-authToken').fill(secret);
      await openTab('Connect');
      const withToken: Record<string, string> = {};
      for (const client of ['claude-desktop', 'cursor', 'vscode', 'inspector']) {
        withToken[client] = await configOf(client);
        assert.ok(!withToken[client]?.includes(secret), `${client}: the token is not shown`);
        assert.ok(!(await clipboardText(page)).includes(secret), `${client}: the token is not copied`);
        // VS Code prompts for the token; the others carry a placeholder to replace, and say so.
        if (client === 'vscode') assert.match(await page.locator('#mcp-sse-endpoint-client-where').innerText(), /VS Code asks for the token/);
        assert.equal(await page.locator('#mcp-sse-endpoint-client-token').isVisible(), client !== 'vscode', client);
      }
      assert.deepEqual(JSON.parse(withToken['claude-desktop'] as string), { mcpServers: { tutorial: {
        command: 'npx',
        args: ['-y', 'mcp-remote', `${nodeRed.url}/mcp`, '--header', 'Authorization:${AUTH_HEADER}'],
        env: { AUTH_HEADER: 'Bearer <token>' },
      } } });
      assert.deepEqual(JSON.parse(withToken.cursor as string), { mcpServers: { tutorial: { url: `${nodeRed.url}/mcp`, headers: { Authorization: 'Bearer <token>' } } } });
      assert.deepEqual(JSON.parse(withToken.vscode as string), {
        servers: { tutorial: { type: 'http', url: `${nodeRed.url}/mcp`, headers: { Authorization: 'Bearer ${input:tutorial-token}' } } },
        inputs: [{ type: 'promptString', id: 'tutorial-token', description: 'Token of the MCP server tutorial', password: true }],
      });
      assert.deepEqual(shellWords(withToken.inspector as string).slice(-2), ['--header', 'Authorization: Bearer <token>']);
      await picker.selectOption('claude-desktop');
      await page.locator('#mcp-sse-endpoint-client-token').filter({ hasText: 'replace <token> with it' }).waitFor();
      await showConfig(page);
      await shot('9-connect-token');
      // Cancel: the token typed here is not kept.
      await page.locator('.red-ui-tray').last().getByRole('button', { name: 'Cancel' }).click();
      await page.locator('#node-config-input-users-list').waitFor({ state: 'detached' });
    });

    it('flags a second endpoint on the same path in the editor, and reports it at deploy', async () => {
      await page.locator('.red-ui-tray').last().getByRole('button', { name: 'Cancel' }).click();
      await page.locator('.red-ui-tray').waitFor({ state: 'detached' });
      // A copy of the endpoint with the same SSE path, and an mcp sse in node for it: pasted through Import > Clipboard.
      const copy = [
        { id: 'copy_endpoint', type: 'mcp-sse-endpoint', name: 'copy', ssePath: '/sse', messagePath: '/copy/message', keepAlive: 15, maxBodySize: 4194304 },
        { id: 'copy_sse_in', type: 'mcp-sse-in', name: 'second', endpoint: 'copy_endpoint', x: 300, y: 600, wires: [[]] },
      ];
      await page.locator('#red-ui-header-button-sidemenu').click();
      await page.locator('#menu-item-import').click();
      await page.locator('#red-ui-clipboard-dialog-import-text').fill(JSON.stringify(copy));
      await page.locator('#red-ui-clipboard-dialog-import-text').press('End');
      await page.locator('#red-ui-clipboard-dialog-ok').click();
      await page.mouse.click(400, 650); // drop the pasted nodes on the workspace
      await dismissNotifications(page);
      // The copy was saved without the transport settings (as flows made before them were): its dialog
      // shows what the runtime does with it, HTTP+SSE on and Streamable HTTP off.
      await page.locator('[id="copy_sse_in"] rect.red-ui-flow-node').dblclick();
      await page.locator('#node-input-btn-endpoint-edit').click();
      await page.locator('#node-config-input-users-list').waitFor();
      assert.ok(await page.locator('#node-config-input-sse').isChecked());
      assert.equal(await page.locator('#node-config-input-streamable').isChecked(), false);
      assert.equal(await page.locator('#node-config-input-streamablePath').isEditable(), false);
      await page.locator('.red-ui-tray').last().getByRole('button', { name: 'Cancel' }).click();
      await page.locator('#node-config-input-users-list').waitFor({ state: 'detached' });
      await page.locator('.red-ui-tray').last().getByRole('button', { name: 'Cancel' }).click();
      await page.locator('.red-ui-tray').waitFor({ state: 'detached' });
      await page.locator('#red-ui-header-button-deploy').click();
      // Node-RED's own check before a deploy: the copy is listed as not properly configured.
      const confirm = page.locator('.red-ui-notification').filter({ hasText: 'not properly configured' });
      await confirm.waitFor();
      assert.match(await confirm.innerText(), /copy \(mcp-sse-endpoint\)/);
      await shot('10-duplicate-path-deploy');
      await page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy').click();
      await page.locator('.red-ui-notification').filter({ hasText: 'Successfully deployed' }).waitFor();
      // The runtime refuses the second route at once, and says who serves it.
      await page.locator('[id="copy_sse_in"] .red-ui-flow-node-status-label').filter({ hasText: 'path in use' }).waitFor();
      // The debug sidebar: a tab to open on Node-RED 4, always shown on Node-RED 5.
      const debugTab = page.locator('#red-ui-tab-debug-link-button');
      if (await debugTab.count() > 0) await debugTab.click();
      const debug = page.locator('.red-ui-debug-content');
      await debug.getByText('Cannot serve GET /sse: it is already served by mcp-sse-in').first().waitFor();
      await dismissNotifications(page);
      await shot('11-duplicate-path-error');
      const client = await connectSdkClient(`${nodeRed.url}/sse`);
      try {
        const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
        assert.deepEqual(result.content, [{ type: 'text', text: '5' }], 'the first endpoint keeps serving');
      } finally {
        await client.close();
      }
    });

    it('makes a tool from scratch: mcp sse tool from the palette, its name and schema filled in, wired to a change node and mcp sse out; the SDK client lists and calls it', async () => {
      await dismissNotifications(page);
      // A flow of its own.
      const flows = await page.locator('#red-ui-workspace-tabs .red-ui-tab').count();
      // (The + at the end of the flow tabs: under the header on Node-RED 4, in it on Node-RED 5.)
      await page.locator('.red-ui-tabs-add').filter({ has: page.locator('#red-ui-workspace-tabs') }).locator('.red-ui-tab-button.red-ui-tabs-add > a').click();
      await page.waitForFunction((n) => document.querySelectorAll('#red-ui-workspace-tabs .red-ui-tab').length === n + 1, flows);
      const tool = await dragFromPalette(page, 'mcp-sse-tool', 'mcp sse tool', { x: 160, y: 120 });
      const change = await dragFromPalette(page, 'change', 'change', { x: 400, y: 120 });
      const out = await dragFromPalette(page, 'mcp-sse-out', 'mcp sse out', { x: 640, y: 120 });

      // The tool's dialog: the tutorial's endpoint, a name, a description, and the schema in the
      // dialog's JSON editor (Node-RED's code editor).
      await page.locator(`[id="${tool}"] rect.red-ui-flow-node`).dblclick();
      await page.locator('#node-input-name').waitFor();
      await page.locator('#node-input-endpoint').selectOption('mcp_cfg_tutorial');
      await page.locator('#node-input-name').fill('greet');
      await page.locator('#node-input-description').fill('Greets someone by name');
      // Pasted, as a schema usually arrives (typed, the code editor would close each bracket and quote itself).
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: nodeRed.url });
      await page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify(GREET_SCHEMA, null, 2));
      await page.locator('#node-input-inputSchema-editor').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('ControlOrMeta+V');
      await shot('12-new-tool-dialog');
      await page.locator('#node-dialog-ok').click();
      await page.locator('#node-input-name').waitFor({ state: 'detached' });
      const saved = await page.evaluate((id) => {
        const n = (window as unknown as { RED: { nodes: { node(id: string): Record<string, string> } } }).RED.nodes.node(id);
        return { endpoint: n.endpoint, name: n.name, description: n.description, inputSchema: n.inputSchema };
      }, tool);
      assert.deepEqual({ ...saved, inputSchema: JSON.parse(saved.inputSchema as string) as unknown }, {
        endpoint: 'mcp_cfg_tutorial', name: 'greet', description: 'Greets someone by name', inputSchema: GREET_SCHEMA,
      });

      // The change node: msg.payload (the arguments) becomes the greeting, a JSONata expression.
      await page.locator(`[id="${change}"] rect.red-ui-flow-node`).dblclick();
      // (The rule's "to" field: a typedInput, drawn beside the input it replaces.)
      const to = page.locator('input.node-input-rule-property-value + .red-ui-typedInput-container');
      await to.locator('.red-ui-typedInput-type-select').click();
      await page.locator('.red-ui-typedInput-options a[value="jsonata"]').filter({ visible: true }).click();
      await to.locator('input.red-ui-typedInput-input').fill('"Hello, " & payload.name & "!"');
      await to.locator('input.red-ui-typedInput-input').press('Tab');
      await page.locator('#node-dialog-ok').click();
      await to.waitFor({ state: 'detached' });
      const rules = await page.evaluate((id) => (window as unknown as { RED: { nodes: { node(id: string): { rules: unknown } } } }).RED.nodes.node(id).rules, change);
      assert.deepEqual(rules, [{ t: 'set', p: 'payload', pt: 'msg', to: '"Hello, " & payload.name & "!"', tot: 'jsonata' }]);

      await wire(page, tool, change);
      await wire(page, change, out);
      await deploy(page);
      await page.locator(`[id="${tool}"] .red-ui-flow-node-status-label`).waitFor({ state: 'hidden' });
      assert.doesNotMatch(nodeRed.output(), /\[error\] \[mcp-sse-tool/);

      const client = new Client({ name: 'new-user', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/mcp`)));
      try {
        const { tools } = await client.listTools();
        const greet = tools.find((t) => t.name === 'greet');
        assert.deepEqual(greet && { name: greet.name, description: greet.description, inputSchema: greet.inputSchema }, {
          name: 'greet', description: 'Greets someone by name', inputSchema: GREET_SCHEMA,
        }, 'the schema as entered, verbatim');
        assert.deepEqual((await client.callTool({ name: 'greet', arguments: { name: 'Ada' } })).content, [{ type: 'text', text: 'Hello, Ada!' }]);
        const status = page.locator(`[id="${tool}"] .red-ui-flow-node-status-label`);
        await status.filter({ hasText: /^1 call$/ }).waitFor();
        assert.equal(await page.locator(`[id="${tool}"] .red-ui-flow-node-status-dot-green`).count(), 1);
        // Arguments that do not match the schema come back as a tool error naming what is wrong,
        // and show on the node with the call count.
        const bad = await client.callTool({ name: 'greet', arguments: { name: 42 } });
        assert.equal(bad.isError, true);
        assert.match((bad.content as Array<{ text: string }>)[0]?.text ?? '', /^Invalid arguments for tool greet: .*name.*string/);
        await status.filter({ hasText: /^2 calls; bad arguments$/ }).waitFor();
        assert.equal(await page.locator(`[id="${tool}"] .red-ui-flow-node-status-ring-red`).count(), 1);
        await dismissNotifications(page);
        await shot('13-new-tool-called');
      } finally {
        await client.close();
      }
    });
  });
}

/** The input schema the new user types for the `greet` tool. */
const GREET_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string', description: 'Who to greet' } },
  required: ['name'],
  additionalProperties: false,
};

/**
 * Deploys, confirming Node-RED's question about nodes that are not properly configured when it
 * asks (the second endpoint of the duplicate-path step stays in the flows), and waits for the
 * success notification.
 */
async function deploy(page: Page): Promise<void> {
  await page.locator('#red-ui-header-button-deploy').click();
  const done = page.locator('.red-ui-notification').filter({ hasText: /Successfully deployed|not properly configured/ }).last();
  await done.waitFor();
  if ((await done.innerText()).includes('not properly configured')) {
    await page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy').click();
    await page.locator('.red-ui-notification').filter({ hasText: 'Successfully deployed' }).waitFor();
  }
}

/** Scrolls the Connect tab to the client configuration, once the "Copied" popovers have gone (they last 1 s). */
async function showConfig(page: Page): Promise<void> {
  await page.locator('.red-ui-popover').first().waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
  await page.locator('#mcp-sse-endpoint-tab-connect > *').filter({ visible: true }).last().scrollIntoViewIfNeeded();
}

/** A command line split into its words as a POSIX shell does for double- and single-quoted words (no escapes, no expansion). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

/** Closes the editor's notifications (a click closes one), so that screenshots show the workspace. */
async function dismissNotifications(page: Page): Promise<void> {
  const notifications = page.locator('.red-ui-notification');
  for (let n = await notifications.count(); n > 0; n = await notifications.count()) {
    // It may close itself (they time out) while being clicked: then the count drops all the same.
    await notifications.first().click({ timeout: 5_000 }).catch(() => undefined);
    await page.waitForFunction((before) => document.querySelectorAll('.red-ui-notification').length < before, n);
  }
}

/** The id of the first node of `type` in the editor's workspace. */
async function nodeIdOfType(page: Page, type: string): Promise<string> {
  const id = await page.evaluate((t) => {
    let found: string | undefined;
    (window as unknown as { RED: { nodes: { eachNode(cb: (n: { id: string; type: string }) => void): void } } })
      .RED.nodes.eachNode((n) => { if (n.type === t && found === undefined) found = n.id; });
    return found;
  }, type);
  assert.ok(id, `a ${type} node is in the workspace`);
  return id;
}
