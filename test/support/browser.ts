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
export const SCREENSHOT_DIR = path.join(PACKAGE_ROOT as string, 'test-results', 'screenshots');

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
