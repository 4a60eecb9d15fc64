/**
 * The parameters table of the `mcp sse tool` dialog and the arguments table of the
 * `mcp sse prompt` dialog, in the real editor (headless chromium), on each supported Node-RED,
 * with examples/tools.json deployed: the examples' tools shown as rows; a new tool built through
 * the table, deployed and listed by the official SDK client with exactly that input schema; the
 * JSON editor driving the rows, and a schema the table cannot show (oneOf) behind a note; a prompt
 * argument added through its table and listed by the client; a row marked red (a name used
 * twice) never lost silently: the tool keeps its schema as it was and says so on Done, the
 * prompt saves both rows; either node is invalid until saved without one. Screenshots of the
 * dialogs go to test-results/screenshots/<version>/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
import { clipboardText, dragFromPalette, launchBrowser, openOfflinePage, screenshot } from '../support/browser';

const TOOLS_EXAMPLE = path.join(PACKAGE_ROOT as string, 'examples', 'tools.json');
/** A bound for each step on a loaded 2-core machine (ms). */
const STEP_TIMEOUT = 60_000;

/** What a row of a table shows: its fields that are visible, by name (`type` the picker's value, `required` the box). */
type ShownRow = Record<string, string | boolean>;

/** The rows of the table in `list` (a selector of its `<ol>`), each as {@link ShownRow}. */
async function shownRows(page: Page, list: string): Promise<ShownRow[]> {
  return page.locator(`${list} > li`).evaluateAll((items) => items.map((li) => {
    const row: Record<string, string | boolean> = {};
    for (const el of li.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
      const field = [...el.classList].find((c) => c.startsWith('mcp-param-'))?.slice('mcp-param-'.length);
      if (field === undefined || el.offsetParent === null) continue;
      row[field] = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value;
    }
    return row;
  }));
}

/** The schema the new tool is built with through the table, as the client must list it. */
const FORECAST_SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'The city, e.g. Paris' },
    days: { type: 'integer', default: 3 },
  },
  required: ['city'],
};

for (const version of NODE_RED_VERSIONS) {
  describe(`the parameters table on ${version.name}`, () => {
    let nodeRed: RunningNodeRed;
    let browser: Browser;
    let page: Page;
    let tool = '';
    const shot = async (name: string) => {
      // The tray slides in with a jQuery animation: take the picture once it stops.
      await page.waitForFunction(() => (window as unknown as { $: (s: string) => { length: number } }).$(':animated').length === 0);
      return screenshot(page, version.slug, name);
    };
    /** Opens the edit dialog of node `id` and waits for `ready` (a selector in it). */
    const openDialog = async (id: string, ready: string) => {
      await page.locator(`[id="${id}"] rect.red-ui-flow-node`).dblclick();
      await page.locator(ready).first().waitFor();
      await page.waitForFunction(() => (window as unknown as { $: (s: string) => { length: number } }).$(':animated').length === 0);
    };
    /** Closes the open dialog with its Done (`ok`) or Cancel button, and waits until it has gone. */
    const closeDialog = async (button: 'ok' | 'cancel', gone: string) => {
      await page.locator(`#node-dialog-${button}`).click();
      await page.locator(gone).waitFor({ state: 'detached' });
    };
    /** Replaces the text of the input schema's JSON editor, as a user pastes it. */
    const pasteSchema = async (text: string) => {
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      await page.locator('#node-input-inputSchema-editor').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('ControlOrMeta+V');
    };
    /** The text of the input schema's JSON editor, as a user copies it. */
    const schemaText = async () => {
      await page.locator('#node-input-inputSchema-editor').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('ControlOrMeta+C');
      return clipboardText(page);
    };
    /** The saved property `name` of node `id`. */
    const saved = (id: string, name: string) => page.evaluate(([i, n]) =>
      (window as unknown as { RED: { nodes: { node(id: string): Record<string, unknown> } } }).RED.nodes.node(i as string)[n as string], [id, name]);
    const deploy = async () => {
      await page.locator('#red-ui-header-button-deploy').click();
      const done = page.locator('.red-ui-notification').filter({ hasText: 'Successfully deployed' }).last();
      await done.waitFor();
      // A click closes it, so that it does not cover the next screenshot.
      await done.click();
      await done.waitFor({ state: 'detached' });
    };
    const withClient = async <T>(use: (client: Client) => Promise<T>): Promise<T> => {
      const client = new Client({ name: 'parameters-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${nodeRed.url}/tools/mcp`)));
      try {
        return await use(client);
      } finally {
        await client.close();
      }
    };

    before(async () => {
      nodeRed = await startNodeRedWith(TOOLS_EXAMPLE, {
        node: version.node,
        bin: version.bin,
        // No update-notification question and no welcome tour over the editor.
        settings: { telemetry: { enabled: false }, editorTheme: { tours: false } },
      });
      assertRunsOn(version, nodeRed.output());
      browser = await launchBrowser();
      ({ page } = await openOfflinePage(browser, nodeRed.url));
      page.setDefaultTimeout(STEP_TIMEOUT);
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: nodeRed.url });
      await page.goto(nodeRed.url);
      await page.locator('[id="tools_add"] rect.red-ui-flow-node').waitFor();
    });

    after(async () => {
      await browser?.close();
      await nodeRed?.stop();
    });

    it('shows the add tool of the tools example as two rows, a and b, numbers, required', async () => {
      await openDialog('tools_add', '#mcp-sse-tool-parameters-list > li');
      assert.deepEqual(await shownRows(page, '#mcp-sse-tool-parameters-list'), [
        { name: 'a', type: 'number', required: true, description: 'First number', default: '', minimum: '', maximum: '' },
        { name: 'b', type: 'number', required: true, description: 'Second number', default: '', minimum: '', maximum: '' },
      ]);
      assert.equal(await page.locator('#mcp-sse-tool-strict').isChecked(), false);
      assert.equal(await page.locator('#mcp-sse-tool-parameters-note').isVisible(), false);
      await shot('parameters-1-add-tool');
      await closeDialog('cancel', '#mcp-sse-tool-parameters-list');
      // Opening and closing changes nothing.
      assert.equal(await saved('tools_add', 'changed'), false);
    });

    it('shows the weather tool with its ranges, refusing other arguments', async () => {
      await openDialog('tools_weather', '#mcp-sse-tool-parameters-list > li');
      assert.deepEqual(await shownRows(page, '#mcp-sse-tool-parameters-list'), [
        { name: 'latitude', type: 'number', required: true, description: 'Latitude in degrees', default: '', minimum: '-90', maximum: '90' },
        { name: 'longitude', type: 'number', required: true, description: 'Longitude in degrees', default: '', minimum: '-180', maximum: '180' },
      ]);
      assert.equal(await page.locator('#mcp-sse-tool-strict').isChecked(), true);
      await closeDialog('cancel', '#mcp-sse-tool-parameters-list');
    });

    it('builds a new tool through the table: deployed, the SDK client lists exactly that input schema', async () => {
      tool = await dragFromPalette(page, 'mcp-sse-tool', 'mcp sse tool', { x: 160, y: 460 });
      await openDialog(tool, '#mcp-sse-tool-parameters');
      await page.locator('#node-input-endpoint').selectOption('tools_endpoint');
      await page.locator('#node-input-name').fill('forecast');
      await page.locator('#node-input-description').fill('The weather forecast for a city');
      // A new tool: no parameters yet, the table shown.
      assert.deepEqual(await shownRows(page, '#mcp-sse-tool-parameters-list'), []);
      const add = page.locator('#mcp-sse-tool-parameters .red-ui-editableList-addButton');
      const rows = page.locator('#mcp-sse-tool-parameters-list > li');

      await add.click();
      await rows.nth(0).locator('.mcp-param-name').fill('city');
      await rows.nth(0).locator('.mcp-param-required').check();
      await rows.nth(0).locator('.mcp-param-description').fill('The city, e.g. Paris');
      await add.click();
      await rows.nth(1).locator('.mcp-param-name').fill('days');
      await rows.nth(1).locator('.mcp-param-type').selectOption('integer');
      // A default that is not an integer is marked, and holds the schema back.
      const days = rows.nth(1).locator('.mcp-param-default');
      await days.fill('3.5');
      await page.waitForFunction(() => document.querySelectorAll('#mcp-sse-tool-parameters-list .mcp-param-default.input-error').length === 1);
      assert.equal(await days.getAttribute('title'), 'Not an integer: the input schema is not updated until this is fixed');
      await days.fill('3');
      await page.waitForFunction(() => document.querySelectorAll('#mcp-sse-tool-parameters-list .input-error').length === 0);
      assert.deepEqual(await shownRows(page, '#mcp-sse-tool-parameters-list'), [
        { name: 'city', type: 'string', required: true, description: 'The city, e.g. Paris', default: '' },
        { name: 'days', type: 'integer', required: false, description: '', default: '3', minimum: '', maximum: '' },
      ]);
      await shot('parameters-2-new-tool');
      // The rows are written into the JSON editor as they are typed.
      assert.deepEqual(JSON.parse(await schemaText()), FORECAST_SCHEMA);
      await closeDialog('ok', '#mcp-sse-tool-parameters-list');
      assert.equal(await saved(tool, 'inputSchema'), JSON.stringify(FORECAST_SCHEMA, null, 2), 'the node saves the JSON Schema');

      await deploy();
      const listed = await withClient(async (client) => (await client.listTools()).tools.find((t) => t.name === 'forecast'));
      assert.deepEqual(listed && { description: listed.description, inputSchema: listed.inputSchema }, {
        description: 'The weather forecast for a city',
        inputSchema: FORECAST_SCHEMA,
      });
    });

    it('rebuilds the rows from the JSON editor, and falls back to it with a note for a schema with oneOf', async () => {
      await openDialog(tool, '#mcp-sse-tool-parameters-list > li');
      const note = page.locator('#mcp-sse-tool-parameters-note');
      const table = page.locator('#mcp-sse-tool-parameters');
      // JSON cut short, as while typing: the table stays in place, greyed and locked, until the JSON is whole.
      await pasteSchema('{\n  "type": "object",\n  "properties": {\n    "city": {');
      await page.waitForFunction(() => document.querySelectorAll('#mcp-sse-tool-parameters-list .mcp-param-name:disabled').length === 2);
      assert.ok(await table.isVisible());
      assert.equal(await note.isVisible(), false);
      assert.match(await table.getAttribute('title') ?? '', /^The input schema is not valid JSON \(.+\)\. The table comes back once it is\.$/);
      // Edited as JSON: the rows follow.
      await pasteSchema(JSON.stringify({
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' } },
        required: ['city', 'unit'],
        additionalProperties: false,
      }, null, 2));
      await page.waitForFunction(() => document.querySelectorAll('#mcp-sse-tool-parameters-list > li').length === 2
        && (document.querySelector('#mcp-sse-tool-parameters-list > li:nth-child(2) .mcp-param-name') as HTMLInputElement | null)?.value === 'unit');
      assert.deepEqual(await shownRows(page, '#mcp-sse-tool-parameters-list'), [
        { name: 'city', type: 'string', required: true, description: '', default: '' },
        { name: 'unit', type: 'enum', required: true, description: '', values: 'celsius, fahrenheit', default: 'celsius' },
      ]);
      assert.equal(await page.locator('#mcp-sse-tool-strict').isChecked(), true);
      assert.equal(await page.locator('#mcp-sse-tool-parameters-list .mcp-param-name:disabled').count(), 0);

      // A schema the table cannot show: the table gives way to a note naming the keyword.
      await pasteSchema(JSON.stringify({
        type: 'object',
        properties: { city: { type: 'string' }, latitude: { type: 'number' }, longitude: { type: 'number' } },
        oneOf: [{ required: ['city'] }, { required: ['latitude', 'longitude'] }],
      }, null, 2));
      await note.waitFor();
      assert.equal(await note.innerText(), 'The table cannot show "oneOf": edit the input schema as JSON below.');
      assert.equal(await table.isVisible(), false);
      await shot('parameters-3-oneOf');
      // A nested object names the property.
      await pasteSchema('{"type": "object", "properties": {"where": {"type": "object", "properties": {"city": {"type": "string"}}}}}');
      await note.filter({ hasText: 'where is a nested object' }).waitFor();
      // Back to a schema the table can show (its keys in another order): the table is back, the note gone.
      const reordered = JSON.stringify({
        required: ['city'],
        properties: { city: { description: 'The city, e.g. Paris', type: 'string' }, days: { default: 3, type: 'integer' } },
        type: 'object',
      }, null, 2);
      await pasteSchema(reordered);
      await table.waitFor();
      assert.equal(await note.isVisible(), false);
      assert.deepEqual((await shownRows(page, '#mcp-sse-tool-parameters-list')).map((r) => r.name), ['city', 'days']);
      // The JSON as typed is what is saved: the table rewrites it only when a row changes.
      await closeDialog('ok', '#mcp-sse-tool-parameters-list');
      assert.equal(await saved(tool, 'inputSchema'), reordered);
    });

    it('keeps the schema as it was while a field is marked red; Done says so, and the node is invalid until saved without one', async () => {
      const valid = () => page.evaluate((id) => (window as unknown as { RED: { nodes: { node(id: string): { valid?: boolean } } } }).RED.nodes.node(id).valid, tool);
      await openDialog(tool, '#mcp-sse-tool-parameters-list > li');
      const before = await schemaText();
      const rows = page.locator('#mcp-sse-tool-parameters-list > li');
      await page.locator('#mcp-sse-tool-parameters .red-ui-editableList-addButton').click();
      const twice = rows.nth(2).locator('.mcp-param-name');
      await twice.fill('city');
      await page.waitForFunction(() => document.querySelectorAll('#mcp-sse-tool-parameters-list .mcp-param-name.input-error').length === 1);
      assert.equal(await twice.getAttribute('title'), 'This name is already a parameter: the input schema is not updated until this row is fixed');
      // Another row edited meanwhile: the schema waits for the row marked red.
      await rows.nth(1).locator('.mcp-param-description').fill('How many days');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await schemaText(), before, 'the schema as it was, not one without the row marked red');
      await shot('parameters-4-problem');
      await closeDialog('ok', '#mcp-sse-tool-parameters-list');
      const told = page.locator('.red-ui-notification').filter({ hasText: 'forecast: the parameters table has fields marked red' });
      await told.waitFor();
      await told.click();
      await told.waitFor({ state: 'detached' });
      assert.equal(await saved(tool, 'inputSchema'), before);
      assert.equal(await valid(), false, 'marked invalid');
      // Saved again without a field marked red: valid.
      await openDialog(tool, '#mcp-sse-tool-parameters-list > li');
      assert.deepEqual((await shownRows(page, '#mcp-sse-tool-parameters-list')).map((r) => r.name), ['city', 'days']);
      await closeDialog('ok', '#mcp-sse-tool-parameters-list');
      assert.equal(await valid(), true);
    });

    it('lists a prompt\'s arguments in the same table: one added there is listed by the SDK client', async () => {
      await openDialog('tools_prompt', '#node-input-arguments-container > li');
      assert.deepEqual(await shownRows(page, '#node-input-arguments-container'), [
        { name: 'topic', required: true, description: 'What to explain', values: 'MCP, Node-RED, JSON Schema, Server-Sent Events' },
        { name: 'audience', required: false, description: 'Who it is for', values: 'beginners, developers, managers' },
      ]);
      await page.locator('.red-ui-editableList-addButton').filter({ visible: true }).click();
      const row = page.locator('#node-input-arguments-container > li').nth(2);
      // A name already used is marked.
      await row.locator('.mcp-param-name').fill('topic');
      await page.waitForFunction(() => document.querySelectorAll('#node-input-arguments-container .mcp-param-name.input-error').length === 1);
      await row.locator('.mcp-param-name').fill('length');
      await page.waitForFunction(() => document.querySelectorAll('#node-input-arguments-container .input-error').length === 0);
      await row.locator('.mcp-param-description').fill('How long the explanation is');
      await row.locator('.mcp-param-values').fill('short, long');
      await shot('parameters-5-prompt');
      await closeDialog('ok', '#node-input-arguments-container');
      assert.deepEqual(await saved('tools_prompt', 'arguments'), [
        { name: 'topic', description: 'What to explain', required: true, values: 'MCP, Node-RED, JSON Schema, Server-Sent Events' },
        { name: 'audience', description: 'Who it is for', required: false, values: 'beginners, developers, managers' },
        { name: 'length', description: 'How long the explanation is', required: false, values: 'short, long' },
      ]);
      await deploy();
      await withClient(async (client) => {
        const explain = (await client.listPrompts()).prompts.find((p) => p.name === 'explain');
        assert.deepEqual(explain?.arguments, [
          { name: 'topic', description: 'What to explain', required: true },
          { name: 'audience', description: 'Who it is for' },
          { name: 'length', description: 'How long the explanation is' },
        ]);
        const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'explain' }, argument: { name: 'length', value: 'l' } });
        assert.deepEqual(completion.completion.values, ['long']);
      });
      assert.doesNotMatch(nodeRed.output(), /\[error\]/);
    });

    it('saves both rows of a prompt argument named twice, and marks the node invalid until one is renamed or removed', async () => {
      const prompt = () => page.evaluate(() => {
        const node = (window as unknown as { RED: { nodes: { node(id: string): { valid?: boolean; arguments: Array<{ name: string }> } } } }).RED.nodes.node('tools_prompt');
        return { valid: node.valid, names: node.arguments.map((a) => a.name) };
      });
      await openDialog('tools_prompt', '#node-input-arguments-container > li');
      await page.locator('.red-ui-editableList-addButton').filter({ visible: true }).click();
      await page.locator('#node-input-arguments-container > li').nth(3).locator('.mcp-param-name').fill('topic');
      await closeDialog('ok', '#node-input-arguments-container');
      assert.deepEqual(await prompt(), { valid: false, names: ['topic', 'audience', 'length', 'topic'] });
      await openDialog('tools_prompt', '#node-input-arguments-container > li');
      assert.equal(await page.locator('#node-input-arguments-container .mcp-param-name.input-error').count(), 1, 'the second row is marked');
      await page.locator('#node-input-arguments-container > li').nth(3).locator('.red-ui-editableList-item-remove').click();
      // (The row slides away before it leaves the list.)
      await page.waitForFunction(() => document.querySelectorAll('#node-input-arguments-container > li').length === 3);
      await closeDialog('ok', '#node-input-arguments-container');
      assert.deepEqual(await prompt(), { valid: true, names: ['topic', 'audience', 'length'] });
    });
  });
}
