/**
 * A live endpoint handed from one `mcp-sse-endpoint` node to its successor across a deploy, so
 * that a deploy which does not change the endpoint goes unnoticed by its clients: sessions,
 * streams and listen streams stay open.
 *
 * When a deploy begins (`flows:stopping`), its diff says whether it keeps an endpoint config
 * node ({@link keptByDeploy}: neither changed nor removed). Such a node, when the deploy closes
 * it, parks its endpoint here, by endpoint id; any other close (the node changed or removed,
 * Node-RED stopping, the flows stopped) closes the endpoint then, as Node-RED awaits. The node
 * that starts next with the same id in the same runtime and the same settings (its definition and
 * credentials: {@link settingsFingerprint}, so a setting added later counts without a change
 * here) adopts it. A parked endpoint nobody adopts is closed, never kept: at once when a node with
 * the same id but other settings starts; when the deploy is done (`flows:started`) without a
 * successor; at the latest after {@link HANDOVER_GRACE_MS}.
 *
 * Parked endpoints live in this module, once per process (Node-RED 4 `require`s and Node-RED 5
 * `import`s the node files, and both share this CommonJS module); the runtime they belong to is
 * told apart by its HTTP node app, as the session registry is.
 */
import { createHash } from 'node:crypto';
import type { NodeAPI } from 'node-red';
import type { McpEndpoint } from '../../core';

/**
 * The longest a parked endpoint waits for its successor, in ms: a backstop for a deploy whose
 * flows never start (`flows:started` ends the wait as soon as the deploy is done). Longer than
 * Node-RED's 15 s close timeout, so that a slow node elsewhere in the deploy does not end the
 * sessions.
 */
export const HANDOVER_GRACE_MS = 20_000;

interface Parked {
  /** The runtime's HTTP node app: a node of another runtime (tests start several) never adopts it. */
  runtime: object;
  endpoint: McpEndpoint;
  fingerprint: string;
  /** Releases what the parking node still holds on the endpoint: its routes, its tool scopes, its listeners. */
  release: (() => void) | undefined;
  timer: NodeJS.Timeout;
}

/** Parked endpoints, by endpoint id. */
const parked = new Map<string, Parked>();
/** The runtime event emitters this module listens to (one per process in Node-RED). */
const listening = new WeakSet<object>();

/** JSON with object keys sorted at every level and Buffers as base64, so equal settings give equal text. */
function stableJson(value: unknown): string {
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value).sort().filter((key) => (value as Record<string, unknown>)[key] !== undefined);
    return `{${entries.map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A digest (SHA-256, hex) of everything an endpoint is made from: the node's definition (without
 * `_users`, the list of nodes that use it, which the runtime adds), its credentials, and `extra`
 * (settings read from elsewhere: a TLS config node's options, environment variables). Two nodes
 * with equal digests make equal endpoints.
 */
export function settingsFingerprint(def: object, credentials: object | undefined, extra: unknown): string {
  const { _users: _ignored, ...settings } = def as Record<string, unknown>;
  return createHash('sha256').update(stableJson({ settings, credentials: credentials ?? {}, extra })).digest('hex');
}

/** Closes a parked endpoint that nobody adopted: its streams end, its sessions with them. */
function closeParked(id: string, entry: Parked): void {
  if (parked.get(id) === entry) parked.delete(id);
  clearTimeout(entry.timer);
  entry.release?.();
  entry.endpoint.close().catch(() => {});
}

/** Closes every parked endpoint (the deploy is done, or the flows stopped). */
function closeAllParked(): void {
  for (const [id, entry] of [...parked]) closeParked(id, entry);
}

/** Listens, once per runtime event emitter, for the end of a deploy. */
function listen(RED: NodeAPI): void {
  const events = RED.events as unknown as { on(event: string, listener: () => void): void };
  if (listening.has(events)) return;
  listening.add(events);
  // Every node of the deploy has started: a parked endpoint still here has no successor.
  events.on('flows:started', closeAllParked);
}

/**
 * True when a `flows:stopping` event begins a deploy that keeps config node `id`: the deploy's
 * diff (Node-RED 4 and 5: `{ changed, removed, globalConfigChanged, ... }`) lists it neither as
 * changed (its settings, its credentials, or a config node it uses) nor as removed. False for
 * anything else: Node-RED stopping, the flows stopped or reloaded (their stop has no such diff).
 */
export function keptByDeploy(event: unknown, id: string): boolean {
  const diff = (event as { diff?: { changed?: unknown; removed?: unknown; globalConfigChanged?: unknown } } | undefined)?.diff;
  if (diff === undefined || typeof diff.globalConfigChanged !== 'boolean' || !Array.isArray(diff.changed) || !Array.isArray(diff.removed)) return false;
  return !diff.changed.includes(id) && !diff.removed.includes(id);
}

/**
 * Parks `endpoint` for the next node with id `id` and settings `fingerprint` (the closing node's).
 * @param release releases what the closing node holds on the endpoint (it stops serving its routes,
 *   withdraws its OAuth tool scopes, stops hearing its warnings): called by the successor once it
 *   holds its own, or when the endpoint closes unadopted. Until then the routes keep serving the
 *   endpoint, so requests of the hand-over are answered or held by it, under the same tool scopes.
 */
export function parkEndpoint(RED: NodeAPI, id: string, endpoint: McpEndpoint, fingerprint: string, release: (() => void) | undefined): void {
  listen(RED);
  const previous = parked.get(id);
  if (previous !== undefined && previous.endpoint !== endpoint) closeParked(id, previous);
  const entry: Parked = {
    runtime: RED.httpNode,
    endpoint,
    fingerprint,
    release,
    timer: setTimeout(() => closeParked(id, entry), HANDOVER_GRACE_MS),
  };
  entry.timer.unref();
  parked.set(id, entry);
}

/**
 * The endpoint parked for a node with id `id`, when its settings are `fingerprint`: the caller
 * adopts it (it is no longer parked), serves its routes and declares its tool scopes, and then
 * calls `release` to release what its predecessor still holds (the routes it serves now stay its
 * own). A parked endpoint
 * with other settings is closed, and `undefined` returned: the caller makes a new one.
 */
export function adoptEndpoint(RED: NodeAPI, id: string, fingerprint: string): { endpoint: McpEndpoint; release: () => void } | undefined {
  const entry = parked.get(id);
  if (entry === undefined || entry.runtime !== RED.httpNode) return undefined;
  if (entry.fingerprint !== fingerprint) {
    closeParked(id, entry);
    return undefined;
  }
  parked.delete(id);
  clearTimeout(entry.timer);
  return { endpoint: entry.endpoint, release: entry.release ?? (() => {}) };
}
