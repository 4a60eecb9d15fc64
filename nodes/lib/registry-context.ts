/**
 * The one session registry of a Node-RED runtime, published in global context so that function
 * nodes can read it (`global.get("mcp_sessions", "<memory store>")`), as the tutorial's users read
 * their own session map.
 *
 * It is only ever put in a memory store: sessions hold live sockets, which a persistent store
 * would try to serialise. When the settings define no memory store, the registry still works but is
 * not published, and a warning says so.
 */
import type { NodeAPI } from 'node-red';
import { SessionRegistry } from '../../core';

/** The global context key the registry is published under. */
export const CONTEXT_KEY = 'mcp_sessions';

interface ContextStoreSetting {
  module?: unknown;
}

/**
 * The name of a memory context store to publish in: `undefined` for the default store when no
 * `contextStorage` is configured (then the default is memory), the first store whose module is
 * `"memory"` otherwise, or `null` when there is none.
 */
export function memoryStoreName(contextStorage: unknown): string | undefined | null {
  if (contextStorage === undefined || contextStorage === null) return undefined;
  const stores = contextStorage as Record<string, ContextStoreSetting | string>;
  const names = Object.keys(stores).filter((name) => name !== '_');
  if (names.length === 0) return undefined;
  for (const name of names) {
    const store = stores[name];
    if (typeof store === 'object' && store !== null && store.module === 'memory') return name;
  }
  return null;
}

/** One registry per runtime, keyed by its HTTP node app, which every node module of a runtime shares. */
const registries = new WeakMap<object, SessionRegistry>();

/**
 * The runtime's registry, created on first use and (re)published in global context each call,
 * so a flow that overwrote the key gets it back at the next deploy.
 * @param node any node of this package, whose context reaches the global context.
 */
export function sessionRegistry(RED: NodeAPI, node: { context(): { global: { set(key: string, value: unknown, store?: string): void } }; warn(text: string): void }): SessionRegistry {
  let registry = registries.get(RED.httpNode);
  if (registry === undefined) {
    registry = new SessionRegistry();
    registries.set(RED.httpNode, registry);
  }
  const store = memoryStoreName((RED.settings as unknown as { contextStorage?: unknown }).contextStorage);
  if (store === null) {
    node.warn(RED._('node-red-contrib-mcp-sse/mcp-sse-endpoint:mcp-sse-endpoint.errors.noMemoryStore', { key: CONTEXT_KEY }));
  } else {
    node.context().global.set(CONTEXT_KEY, registry, store);
  }
  return registry;
}
