/**
 * The MCP sidebar open, as the bench drives it: what a connected editor with the MCP tab shown
 * costs node-red (resources/mcp-workbench.js). The package's endpoint always has its activity list
 * attached (nodes/lib/workbench.ts: the observer, and one `RED.comms.publish` per endpoint at most
 * every 250 ms while something happens); with no editor connected, the publish goes to nobody. An
 * open sidebar is a WebSocket on node-red's `/comms`, subscribed to `mcp-sse/activity/#`, that
 * parses every frame node-red sends (node-red serialises each batch with `JSON.stringify`), and,
 * while the tab is shown, reads the endpoint list and each endpoint's session list every 5 s.
 *
 * The WebSocket client is `ws`, the library node-red's own comms server uses, resolved from
 * `@node-red/editor-api` (the package declares no dependency on it).
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type WebSocketType from 'ws';

/** The WebSocket class of the `ws` that node-red's editor API depends on. */
const WebSocket = createRequire(require.resolve('@node-red/editor-api'))('ws') as typeof WebSocketType;

/** How often the shown tab reads the endpoints and their sessions again (REFRESH_MS in resources/mcp-workbench.js). */
export const SIDEBAR_REFRESH_MS = 5000;
/** The comms topic the sidebar subscribes to. */
const ACTIVITY_TOPICS = 'mcp-sse/activity/#';

/** An open sidebar: what it has heard so far, and how to close it. */
export interface OpenSidebar {
  /** Activity batches received (one per endpoint per 250 ms at most). */
  readonly batches: number;
  /** Activity entries in those batches, and entries node-red said it left out (`skipped`). */
  readonly entries: number;
  readonly skipped: number;
  /** Admin API reads made (the endpoint list, each session list). */
  readonly reads: number;
  /** Closes the WebSocket and stops the reads; resolves once the socket is closed. */
  close(): Promise<void>;
}

/** GETs `url` and parses its JSON answer; rejects on a status other than 200. */
function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}: ${body.slice(0, 200)}`));
        else resolve(JSON.parse(body));
      });
    }).on('error', reject);
  });
}

/**
 * Opens the MCP sidebar on the node-red at `origin` (e.g. http://127.0.0.1:1880, with the default
 * `httpAdminRoot` and no `adminAuth`), as a connected editor does: the comms WebSocket, subscribed
 * to the activity batches, and the shown tab's reads of the admin API: at once (as the tab does when
 * it is shown) and every {@link SIDEBAR_REFRESH_MS}. Resolves once the subscription is sent (the first
 * reads still under way, so that a short run has them too); rejects when the WebSocket fails; a read
 * that fails rejects `close()`.
 */
export async function openSidebar(origin: string): Promise<OpenSidebar> {
  const counts = { batches: 0, entries: 0, skipped: 0, reads: 0 };
  let failure: Error | undefined;
  const refresh = async (): Promise<void> => {
    const endpoints = await getJson(`${origin}/mcp-sse/endpoints`) as Array<{ id: string }>;
    counts.reads++;
    await Promise.all(endpoints.map(async (e) => {
      await getJson(`${origin}/mcp-sse/endpoints/${encodeURIComponent(e.id)}/sessions`);
      counts.reads++;
    }));
  };
  const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/comms`);
  ws.on('message', (data) => {
    // A frame is an array of { topic, data } (node-red's comms sends up to 50 at a time).
    let messages: Array<{ topic: string; data: { entries?: unknown[]; skipped?: number } }>;
    try {
      messages = JSON.parse(String(data));
    } catch (error) {
      failure ??= new Error(`comms sent a frame that is not JSON: ${(error as Error).message}`);
      return;
    }
    for (const message of messages) {
      if (!message.topic.startsWith('mcp-sse/activity/')) continue;
      counts.batches++;
      counts.entries += message.data.entries?.length ?? 0;
      counts.skipped += message.data.skipped ?? 0;
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.on('error', (error) => (failure ??= error));
  ws.send(JSON.stringify({ subscribe: ACTIVITY_TOPICS }));
  refresh().catch((error: Error) => (failure ??= error));
  const timer = setInterval(() => {
    refresh().catch((error: Error) => (failure ??= error));
  }, SIDEBAR_REFRESH_MS);
  return {
    get batches() { return counts.batches; },
    get entries() { return counts.entries; },
    get skipped() { return counts.skipped; },
    get reads() { return counts.reads; },
    close: async () => {
      clearInterval(timer);
      if (ws.readyState !== WebSocket.CLOSED) {
        const closed = new Promise((resolve) => ws.once('close', resolve));
        ws.close();
        await closed;
      }
      if (failure !== undefined) throw failure;
    },
  };
}
