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
 * `import`s the node files, and both share this CommonJS module), per runtime: a runtime is told
 * apart by its HTTP node app, as the session registry is, and the end of its deploy
 * (`flows:started` on its `RED.events`) closes its own parked endpoints, never another's.
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
  endpoint: McpEndpoint;
  fingerprint: string;
  /** Releases what the parking node still holds on the endpoint: its routes, its tool scopes, its listeners. */
  release: (() => void) | undefined;
  timer: NodeJS.Timeout;
}

/** The event emitter of a runtime (`RED.events`), as far as this module uses it. */
interface RuntimeEvents {
  on(event: 'flows:started', listener: () => void): void;
  off(event: 'flows:started', listener: () => void): void;
}

/** One runtime's parked endpoints, by endpoint id, and its listener for the end of a deploy. */
interface RuntimeParked {
  entries: Map<string, Parked>;
  events: RuntimeEvents;
  deployDone: () => void;
}

/**
 * Parked endpoints by runtime (its HTTP node app: a node of another runtime, as tests start
 * several, never adopts them). A runtime is here only while it has something parked.
 */
const runtimes = new WeakMap<object, RuntimeParked>();

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

/** The parked endpoints of `RED`'s runtime, if it has any. */
function parkedIn(RED: Pick<NodeAPI, 'httpNode'>): RuntimeParked | undefined {
  return runtimes.get(RED.httpNode as object);
}

/** The parked endpoints of `RED`'s runtime, made with a listener for the end of its deploys when it has none. */
function parkingIn(RED: Pick<NodeAPI, 'httpNode' | 'events'>): RuntimeParked {
  const runtime = RED.httpNode as object;
  const found = runtimes.get(runtime);
  if (found !== undefined) return found;
  const here: RuntimeParked = {
    entries: new Map(),
    events: RED.events as unknown as RuntimeEvents,
    // Every node of the runtime's deploy has started: a parked endpoint still here has no successor.
    deployDone: () => {
      for (const [id, entry] of [...here.entries]) closeParked(runtime, id, entry);
    },
  };
  runtimes.set(runtime, here);
  here.events.on('flows:started', here.deployDone);
  return here;
}

/** Forgets `entry`, parked in `runtime` as `id`; the runtime's listener goes with its last entry. */
function unpark(runtime: object, id: string, entry: Parked): void {
  const here = runtimes.get(runtime);
  clearTimeout(entry.timer);
  if (here === undefined || here.entries.get(id) !== entry) return;
  here.entries.delete(id);
  if (here.entries.size > 0) return;
  here.events.off('flows:started', here.deployDone);
  runtimes.delete(runtime);
}

/** Closes a parked endpoint that nobody adopted: its streams end, its sessions with them. */
function closeParked(runtime: object, id: string, entry: Parked): void {
  unpark(runtime, id, entry);
  entry.release?.();
  entry.endpoint.close().catch(() => {});
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
export function parkEndpoint(RED: Pick<NodeAPI, 'httpNode' | 'events'>, id: string, endpoint: McpEndpoint, fingerprint: string, release: (() => void) | undefined): void {
  const runtime = RED.httpNode as object;
  const previous = parkedIn(RED)?.entries.get(id);
  if (previous !== undefined && previous.endpoint !== endpoint) closeParked(runtime, id, previous);
  const entry: Parked = {
    endpoint,
    fingerprint,
    release,
    timer: setTimeout(() => closeParked(runtime, id, entry), HANDOVER_GRACE_MS),
  };
  entry.timer.unref();
  parkingIn(RED).entries.set(id, entry);
}

/**
 * The endpoint parked for a node with id `id`, when its settings are `fingerprint`: the caller
 * adopts it (it is no longer parked), serves its routes and declares its tool scopes, and then
 * calls `release` to release what its predecessor still holds (the routes it serves now stay its
 * own). A parked endpoint
 * with other settings is closed, and `undefined` returned: the caller makes a new one.
 */
export function adoptEndpoint(RED: Pick<NodeAPI, 'httpNode' | 'events'>, id: string, fingerprint: string): { endpoint: McpEndpoint; release: () => void } | undefined {
  const runtime = RED.httpNode as object;
  const entry = parkedIn(RED)?.entries.get(id);
  if (entry === undefined) return undefined;
  if (entry.fingerprint !== fingerprint) {
    closeParked(runtime, id, entry);
    return undefined;
  }
  unpark(runtime, id, entry);
  return { endpoint: entry.endpoint, release: entry.release ?? (() => {}) };
}
