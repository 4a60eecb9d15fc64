/**
 * The endpoint dialog's Connect tab in the real editor, on a workspace where a declared tool sits
 * beside a flow that answers tools/list itself: it says that clients get tools/list from the
 * declared tools alone, naming the flow's node; once the tool node is deleted (not yet deployed),
 * the line is gone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { launchBrowser, openOfflinePage } from '../support/browser';
import { tutorialWithDeclaredTool } from '../support/declared-beside-flow';

describe('the Connect tab of an endpoint whose declared tool hides the flow\'s tools/list, in the real editor', () => {
  let nodeRed: RunningNodeRed;
  let browser: Browser;
  let page: Page;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-flow-'));
    const file = path.join(dir, 'flows.json');
    writeFileSync(file, JSON.stringify(tutorialWithDeclaredTool()));
    // No welcome tour and no telemetry question over the workspace.
    nodeRed = await startNodeRedWith(file, { install: 'link', settings: { editorTheme: { tours: false }, telemetry: { enabled: false } } });
    browser = await launchBrowser();
    ({ page } = await openOfflinePage(browser, nodeRed.url));
    page.setDefaultTimeout(30_000);
    await page.goto(nodeRed.url);
    await page.locator('[id="mcp_msg_in"] rect.red-ui-flow-node').waitFor();
  });
  after(async () => {
    await browser?.close();
    await nodeRed?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The Connect tab's warnings, through the mcp message in node's dialog and its endpoint's pencil; the dialogs are closed again. */
  async function connectTabWarnings(): Promise<string[]> {
    await page.locator('[id="mcp_msg_in"] rect.red-ui-flow-node').dblclick();
    await page.locator('#node-input-btn-endpoint-edit').click();
    await page.locator('#node-config-input-users-list').waitFor();
    await page.locator('#node-config-mcp-sse-endpoint-tabs .red-ui-tab a').filter({ hasText: 'Connect' }).click();
    await page.locator('#mcp-sse-endpoint-tab-connect').waitFor();
    const lines = await page.locator('#mcp-sse-endpoint-connect-shadowed .mcp-sse-endpoint-shadowed').allInnerTexts();
    // Cancel the endpoint's dialog, then the node's.
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-input-users-list').waitFor({ state: 'detached' });
    await page.locator('#node-dialog-cancel').click();
    await page.locator('#node-input-endpoint').waitFor({ state: 'detached' });
    return lines.map((line) => line.trim());
  }

  it('says that tools/list comes from the declared tools alone, naming the flow\'s node, until the tool node is deleted', async () => {
    assert.deepEqual(await connectTabWarnings(), [
      'Clients get tools/list from this endpoint\'s mcp-sse-tool nodes alone: the flow after its mcp message in answers tools/list too (node "method"), and what it lists is never seen. Declare those with mcp-sse-tool nodes, or remove the mcp-sse-tool nodes so that the flow answers everything.',
    ]);
    // Deleted in the workspace, not deployed: the tab reads the workspace.
    await page.locator('[id="echo_tool"] rect.red-ui-flow-node').click();
    await page.keyboard.press('Delete');
    await page.locator('[id="echo_tool"]').waitFor({ state: 'detached' });
    assert.deepEqual(await connectTabWarnings(), []);
  });
});
