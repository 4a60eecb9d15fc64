/**
 * node-red-node-test-helper with real HTTP: the helper's own `request()` cannot reach routes on
 * `RED.httpNode`, so each load captures the runtime's HTTP node app and serves it on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { afterEach } from 'node:test';
import helper from 'node-red-node-test-helper';
import { listenOnLoopback } from './core-server';
import { openSse, type SseConnection } from './sse-client';
import endpointNode from '../../nodes/mcp-sse-endpoint';
import sseInNode from '../../nodes/mcp-sse-in';
import messageInNode from '../../nodes/mcp-message-in';
import sseOutNode from '../../nodes/mcp-sse-out';
import toolNode from '../../nodes/mcp-sse-tool';
import viewNode from '../../nodes/mcp-sse-view';
import resourceNode from '../../nodes/mcp-sse-resource';
import promptNode from '../../nodes/mcp-sse-prompt';
import { CONTEXT_KEY } from '../../nodes/lib/registry-context';
import { SessionRegistry } from '../../core';
import { packageTranslator } from './i18n';

helper.init(require.resolve('node-red'));

export { helper };

type NodeModule = (RED: any) => void;
export const ALL_NODES: NodeModule[] = [endpointNode, sseInNode, messageInNode, sseOutNode, toolNode, resourceNode, promptNode, viewNode] as unknown as NodeModule[];

/**
 * A test node type, `slow-close`, whose close takes `closeMs` ms (default 1500): a deploy that
 * stops it takes that long, since Node-RED starts the new nodes only once every old one has closed.
 * Pass it to {@link loadFlow} in `extra`.
 */
export const slowCloseNode: NodeModule = (RED) => {
  function SlowClose(this: any, def: { closeMs?: number }): void {
    RED.nodes.createNode(this, def);
    this.on('close', (_removed: boolean, done: () => void) => setTimeout(done, def.closeMs ?? 1500));
  }
  RED.nodes.registerType('slow-close', SlowClose);
};

export interface LoadedFlow {
  /** Base URL of the server: `httpNodeRoot` is mounted under it as Node-RED would. */
  url: string;
  RED: any;
  /** The Express router layers of the HTTP node app (to check routes do not stack). */
  routeCount(): number;
  close(): Promise<void>;
}

/**
 * Loads `flow` with this package's nodes (plus `extra` modules) and serves `RED.httpNode` under
 * `httpNodeRoot` (default `/`) on a free port.
 */
export async function loadFlow(flow: object[], options: { extra?: NodeModule[]; credentials?: object; httpNodeRoot?: string } = {}): Promise<LoadedFlow> {
  let RED: any;
  const translate = await packageTranslator();
  const capture: NodeModule = (red) => {
    RED = red;
    red._ = translate; // the runtime's translations, where the helper returns message keys
  };
  await helper.load([capture, ...ALL_NODES, ...(options.extra ?? [])], flow, options.credentials ?? {});
  const root = (options.httpNodeRoot ?? '/').replace(/\/+$/, '');
  const server = http.createServer((req, res) => {
    // Mount the HTTP node app under httpNodeRoot, as node-red does.
    const url = req.url ?? '/';
    if (root !== '' && !url.startsWith(`${root}/`)) {
      res.writeHead(404);
      res.end();
      return;
    }
    req.url = url.slice(root.length);
    RED.httpNode(req, res, () => {
      res.writeHead(404);
      res.end();
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    RED,
    routeCount: () => RED.httpNode._router.stack.length,
    close: async () => {
      await helper.unload();
      await listening.close();
    },
  };
}

/** Collects, from now on, the msgs that the helper node `id` receives. */
export function inputsOf(id: string): any[] {
  const got: any[] = [];
  helper.getNode(id).on('input', (msg: any) => got.push(msg));
  return got;
}

/** The session registry the nodes publish in global context (`mcp_sessions`), as node `id`'s context sees it. */
export function publishedRegistry(id: string): SessionRegistry {
  const registry = helper.getNode(id).context().global.get(CONTEXT_KEY);
  assert.ok(registry instanceof SessionRegistry, `${CONTEXT_KEY} holds the session registry`);
  return registry;
}

/**
 * Per-test flows for a `describe` block: `load` a flow, `open` SSE streams on it; after each test
 * the streams are closed and the flow unloaded. Call it inside the `describe`.
 */
export function flowPerTest(): {
  load(flow: object[], options?: Parameters<typeof loadFlow>[1]): Promise<LoadedFlow>;
  open(path?: string): Promise<SseConnection>;
  track(stream: SseConnection): SseConnection;
} {
  let current: LoadedFlow | undefined;
  const streams: SseConnection[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await current?.close();
    current = undefined;
  });
  const track = (stream: SseConnection): SseConnection => {
    streams.push(stream);
    return stream;
  };
  return {
    load: async (flow, options) => (current = await loadFlow(flow, options)),
    open: async (path = '/sse') => track(await openSse(`${(current as LoadedFlow).url}${path}`)),
    track,
  };
}
