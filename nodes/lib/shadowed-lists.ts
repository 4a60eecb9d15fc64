/**
 * Declared items and a hand-written flow on one endpoint. Once a tool is declared (an `mcp sse tool`
 * node), the endpoint answers `tools/list` itself, from the declared tools alone: it never asks the
 * flow behind `mcp message in`, so the tools that flow lists are not listed (clients can still call
 * them, if they know their names). The same holds for resources and prompts. Merging the two lists
 * would mean asking the flow on every list request, and waiting for a flow that may never answer;
 * so the endpoint warns at deploy instead, and the editor's Connect tab says so.
 *
 * A flow "answers" a list when a node after one of the endpoint's `mcp message in` nodes mentions
 * the method in its settings: a switch rule on `tools/list`, a function that tests for it. The
 * editor finds the same with `mcpSseEditor.shadowedLists` (resources/mcp-editor.js); both are
 * tested on one table (test/nodes/shadowed-lists.test.ts).
 */

/** What a declaration node declares (`Catalog.count` takes it). */
export type DeclaredKind = 'tool' | 'resource' | 'prompt';

/** A node as the flow configuration holds it (`RED.nodes.eachNode` in the runtime). */
export interface FlowNodeConfig {
  id: string;
  type: string;
  z?: string;
  d?: boolean;
  name?: string;
  wires?: unknown;
  links?: unknown;
  endpoint?: unknown;
  [setting: string]: unknown;
}

/**
 * The lists the endpoint answers from its declarations alone once one of their items is declared:
 * the kind of item, and the node type that declares it.
 */
export const DECLARED_LISTS: ReadonlyArray<{ method: string; kind: DeclaredKind; declaredBy: string }> = [
  { method: 'tools/list', kind: 'tool', declaredBy: 'mcp-sse-tool' },
  { method: 'resources/list', kind: 'resource', declaredBy: 'mcp-sse-resource' },
  { method: 'resources/templates/list', kind: 'resource', declaredBy: 'mcp-sse-resource' },
  { method: 'prompts/list', kind: 'prompt', declaredBy: 'mcp-sse-prompt' },
];

/** A list the endpoint answers from its declarations alone while its flow answers it too. */
export interface ShadowedList {
  method: string;
  declaredBy: string;
  /** The first node after `mcp message in` that mentions the method. */
  node: FlowNodeConfig;
}

/** Properties of a node that are not its settings. */
const NOT_SETTINGS = new Set(['id', 'type', 'z', 'g', 'x', 'y', 'w', 'h', 'd', 'wires', 'links', 'credentials']);

/**
 * True when one of the node's settings (a string, or anywhere in a structured one) names `method`
 * as a whole: `tools/list`, not `notifications/tools/list_changed`.
 */
function mentions(node: FlowNodeConfig, method: string): boolean {
  // A method is letters and `/`: nothing to escape.
  const named = new RegExp(`(^|[^\\w/])${method}(?![\\w/])`);
  return Object.entries(node).some(([key, value]) => !NOT_SETTINGS.has(key)
    && named.test(typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : ''));
}

/** Ids in a `wires` (array of arrays) or `links` (array) property. */
function ids(value: unknown): string[] {
  return Array.isArray(value) ? value.flat().filter((id): id is string => typeof id === 'string') : [];
}

/**
 * The lists of `DECLARED_LISTS` that endpoint `endpointId` answers from its declarations alone
 * while the flow after one of its `mcp message in` nodes answers them too. A flow is followed
 * along its wires, from `link out` and `link call` to their `link in` nodes, and into the
 * subflows it reaches (all their nodes); disabled nodes are skipped.
 * @param declared how many items of a kind are declared on the endpoint.
 * @param running false for an `mcp message in` node that does not run (on a disabled tab).
 */
export function shadowedLists(endpointId: string, nodes: Iterable<FlowNodeConfig>, declared: (kind: DeclaredKind) => number, running: (id: string) => boolean = () => true): ShadowedList[] {
  const byId = new Map<string, FlowNodeConfig>();
  const inSubflow = new Map<string, string[]>();
  for (const node of nodes) {
    byId.set(node.id, node);
    if (node.z === undefined) continue;
    const members = inSubflow.get(node.z);
    if (members === undefined) inSubflow.set(node.z, [node.id]);
    else members.push(node.id);
  }
  const next = (node: FlowNodeConfig): string[] => [
    ...ids(node.wires),
    ...(node.type === 'link out' || node.type === 'link call' ? ids(node.links) : []),
    ...(node.type.startsWith('subflow:') ? inSubflow.get(node.type.slice('subflow:'.length)) ?? [] : []),
  ];
  // Every node a message from the endpoint's mcp message in nodes can reach.
  const queue = [...byId.values()].filter((n) => n.type === 'mcp-message-in' && n.endpoint === endpointId && n.d !== true && running(n.id)).flatMap(next);
  const seen = new Set(queue);
  const reached: FlowNodeConfig[] = [];
  for (let i = 0; i < queue.length; i++) {
    const node = byId.get(queue[i]);
    if (node === undefined || node.d === true) continue;
    reached.push(node);
    for (const id of next(node)) {
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(id);
    }
  }
  const shadowed: ShadowedList[] = [];
  for (const { method, kind, declaredBy } of DECLARED_LISTS) {
    if (declared(kind) === 0) continue;
    const node = reached.find((n) => mentions(n, method));
    if (node !== undefined) shadowed.push({ method, declaredBy, node });
  }
  return shadowed;
}
