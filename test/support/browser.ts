/**
 * Browser support: headless Debian chromium driven by playwright-core (no browser download), kept
 * off the network: only 127.0.0.1 is reached; the Flow Library catalogue the palette manager asks
 * for is answered with an empty catalogue named `offline`, and every other request is aborted.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from './node-red';

/** Where CI looks for chromium; `.ci/run` installs the Debian package. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that work headless, as root, in a container, without background traffic. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

/** The folder CI keeps as an artifact: `test-results/screenshots/`. */
export const SCREENSHOT_DIR = path.join(PACKAGE_ROOT, 'test-results', 'screenshots');

/** Starts headless chromium. Throws, naming the path, when it is not installed. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A new 1600x1000 page on `browser` that only reaches `origin` (e.g. `http://127.0.0.1:1880`).
 * @returns the page, and the list of other URLs it tried (aborted, or answered offline).
 */
export async function openOfflinePage(browser: Browser, origin: string): Promise<{ page: Page; blocked: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const blocked: string[] = [];
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin) return route.continue();
    blocked.push(url.href);
    if (url.hostname === 'catalogue.nodered.org') {
      return route.fulfill({ json: { name: 'offline', updated_at: new Date(0).toISOString(), modules: [] } });
    }
    return route.abort();
  });
  return { page, blocked };
}

/** Saves a full-page screenshot as `test-results/screenshots/<folder>/<name>.png`; returns the path. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const dir = path.join(SCREENSHOT_DIR, folder);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** What the editor's page offers the tests: `RED`, typed as far as they use it. */
interface EditorWindow {
  RED: {
    nodes: {
      eachNode(cb: (n: { id: string; type: string; z?: string }) => void): void;
      node(id: string): unknown;
      filterLinks(filter: { source?: unknown; target?: unknown }): unknown[];
    };
    workspaces: { active(): string };
  };
}

/** The ids of the nodes of `type` in the editor's workspaces (all flows), in the editor's order. */
export async function nodeIdsOfType(page: Page, type: string): Promise<string[]> {
  return page.evaluate((t) => {
    const ids: string[] = [];
    (window as unknown as EditorWindow).RED.nodes.eachNode((n) => { if (n.type === t) ids.push(n.id); });
    return ids;
  }, type);
}

/**
 * Drags a node of `type` from the palette onto the open flow, as a user does: the palette is
 * filtered with `search` first (so the node is shown whatever the categories' state), then the
 * mouse carries the palette entry to `at` (px from the workspace's top left corner).
 * @returns the id of the node dropped. Throws when no new node of `type` appears.
 */
export async function dragFromPalette(page: Page, type: string, search: string, at: { x: number; y: number }): Promise<string> {
  const before = await nodeIdsOfType(page, type);
  const filter = page.locator('#red-ui-palette-search input');
  await filter.fill('');
  await filter.pressSequentially(search);
  // The palette filters 100 ms after the last key (and marks each entry it hides with data-filter):
  // wait until it has filtered with this search, as its refreshFilter() does, before aiming.
  await page.waitForFunction((text) => {
    const re = new RegExp(text.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&'), 'i');
    return [...document.querySelectorAll<HTMLElement>('#red-ui-palette-container .red-ui-palette-node')].every((el) =>
      (re.test(el.dataset.paletteType ?? '') || re.test(el.dataset.paletteLabel ?? '')) === !el.hasAttribute('data-filter'));
  }, search);
  const entry = page.locator(`#red-ui-palette .red-ui-palette-node[data-palette-type="${type}"]`);
  // The filtered palette settles (categories fold and move) before the entry can be picked up:
  // hovering waits until it stands still.
  await entry.hover();
  const from = await entry.boundingBox();
  const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
  if (from === null || chart === null) throw new Error(`the palette entry of ${type} or the workspace is not shown`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  // jQuery UI's draggable starts after a few pixels of movement; move in steps, as a hand does.
  await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2, { steps: 5 });
  await page.mouse.move(chart.x + at.x, chart.y + at.y, { steps: 20 });
  await page.mouse.up();
  await page.waitForFunction(([t, n]) => {
    let count = 0;
    (window as unknown as EditorWindow).RED.nodes.eachNode((node) => { if (node.type === t) count++; });
    return count > n;
  }, [type, before.length] as const);
  const added = (await nodeIdsOfType(page, type)).filter((id) => !before.includes(id));
  if (added.length !== 1) throw new Error(`expected one new ${type} node, got ${added.length}`);
  return added[0] as string;
}

/**
 * Draws a wire from the output port of node `from` to the input port of node `to` with the mouse,
 * and waits until the editor has the link.
 */
export async function wire(page: Page, from: string, to: string): Promise<void> {
  const output = await page.locator(`[id="${from}"] .red-ui-flow-port-output .red-ui-flow-port`).first().boundingBox();
  const input = await page.locator(`[id="${to}"] .red-ui-flow-port-input .red-ui-flow-port`).first().boundingBox();
  if (output === null || input === null) throw new Error(`the ports of ${from} or ${to} are not shown`);
  await page.mouse.move(output.x + output.width / 2, output.y + output.height / 2);
  await page.mouse.down();
  await page.mouse.move(input.x + input.width / 2, input.y + input.height / 2, { steps: 15 });
  await page.mouse.up();
  await page.waitForFunction(([f, t]) => {
    const { nodes } = (window as unknown as EditorWindow).RED;
    return nodes.filterLinks({ source: nodes.node(f), target: nodes.node(t) }).length === 1;
  }, [from, to] as const);
}

/** The text on the page's clipboard (the page needs the `clipboard-read` permission). */
export async function clipboardText(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}
