/**
 * Declared items and a flow that answers their list itself (nodes/lib/shadowed-lists.ts, which the
 * endpoint runs at deploy, and `mcpSseEditor.shadowedLists` in resources/mcp-editor.js, which the
 * Connect tab runs on the workspace): one table, both implementations, the same answers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { shadowedLists, type DeclaredKind, type FlowNodeConfig } from '../../nodes/lib/shadowed-lists';
import { PACKAGE_ROOT, TUTORIAL_EXAMPLE } from '../support/node-red';

type Finder = (endpointId: string, nodes: FlowNodeConfig[], declared: (kind: DeclaredKind) => number, running?: (id: string) => boolean) => Array<{ method: string; declaredBy: string; node: FlowNodeConfig }>;

const context: { window: { mcpSseEditor?: { shadowedLists: Finder } } } = { window: {} };
vm.runInNewContext(readFileSync(path.join(PACKAGE_ROOT as string, 'resources', 'mcp-editor.js'), 'utf8'), context);
const IMPLEMENTATIONS: Array<[string, Finder]> = [['runtime (nodes/lib/shadowed-lists.ts)', shadowedLists], ['editor (resources/mcp-editor.js)', context.window.mcpSseEditor!.shadowedLists]];

const TUTORIAL = JSON.parse(readFileSync(TUTORIAL_EXAMPLE, 'utf8')) as FlowNodeConfig[];
const EP = 'mcp_cfg_tutorial';
const TOOL: FlowNodeConfig = { id: 'declared_tool', type: 'mcp-sse-tool', z: 'mcp_tab_tutorial', endpoint: EP, name: 'echo', wires: [[]] };
const declaring = (counts: Partial<Record<DeclaredKind, number>>) => (kind: DeclaredKind): number => counts[kind] ?? 0;
const messageIn = (wires: string[], extra: Partial<FlowNodeConfig> = {}): FlowNodeConfig => ({ id: 'in', type: 'mcp-message-in', z: 't', endpoint: 'ep', wires: [wires], ...extra });
const fn = (id: string, func: string, wires: string[] = []): FlowNodeConfig => ({ id, type: 'function', z: 't', name: '', func, wires: [wires] });

interface Case {
  name: string;
  nodes: FlowNodeConfig[];
  endpoint?: string;
  declared: Partial<Record<DeclaredKind, number>>;
  running?: (id: string) => boolean;
  /** `method declaredBy nodeId` of each finding. */
  expected: string[];
}

const cases: Case[] = [
  { name: 'the tutorial flow and a declared tool: its method switch answers tools/list', nodes: [...TUTORIAL, TOOL], endpoint: EP, declared: { tool: 1 }, expected: ['tools/list mcp-sse-tool mcp_switch_method'] },
  { name: 'the tutorial flow alone: nothing declared', nodes: TUTORIAL, endpoint: EP, declared: {}, expected: [] },
  { name: 'the tutorial flow and a declared prompt: it answers no prompts/list', nodes: TUTORIAL, endpoint: EP, declared: { prompt: 1 }, expected: [] },
  { name: 'a flow that only broadcasts notifications/tools/list_changed', nodes: [messageIn(['f']), fn('f', "msg.payload = { method: 'notifications/tools/list_changed' }; return msg;")], declared: { tool: 2 }, expected: [] },
  { name: 'a function that tests for tools/list', nodes: [messageIn(['f']), fn('f', "if (msg.payload.method === 'tools/list') { return msg; }")], declared: { tool: 1 }, expected: ['tools/list mcp-sse-tool f'] },
  { name: 'through a link out to a link in', nodes: [messageIn(['lo']), { id: 'lo', type: 'link out', z: 't', links: ['li'] }, { id: 'li', type: 'link in', z: 't2', links: ['lo'], wires: [['f']] }, fn('f', "// tools/list\nreturn msg;")], declared: { tool: 1 }, expected: ['tools/list mcp-sse-tool f'] },
  { name: 'through a link call', nodes: [messageIn(['lc']), { id: 'lc', type: 'link call', z: 't', links: ['li'], wires: [[]] }, { id: 'li', type: 'link in', z: 't2', wires: [['f']] }, fn('f', "'prompts/list'")], declared: { prompt: 1 }, expected: ['prompts/list mcp-sse-prompt f'] },
  { name: 'into a subflow', nodes: [messageIn(['sf1']), { id: 'sf1', type: 'subflow:S', z: 't', wires: [[]] }, { id: 'S', type: 'subflow', name: 'router' }, { ...fn('inner', "'resources/list' and 'resources/templates/list'"), z: 'S' }], declared: { resource: 1 }, expected: ['resources/list mcp-sse-resource inner', 'resources/templates/list mcp-sse-resource inner'] },
  { name: 'a switch rule, past a node that does not mention it', nodes: [messageIn(['d']), { id: 'd', type: 'delay', z: 't', wires: [['s']] }, { id: 's', type: 'switch', z: 't', property: 'payload.method', rules: [{ t: 'eq', v: 'tools/list', vt: 'str' }], wires: [[]] }], declared: { tool: 1 }, expected: ['tools/list mcp-sse-tool s'] },
  { name: 'a node not wired after mcp message in (a comment)', nodes: [messageIn([]), { id: 'c', type: 'comment', z: 't', name: 'answers tools/list' }], declared: { tool: 1 }, expected: [] },
  { name: 'a disabled node', nodes: [messageIn(['f']), { ...fn('f', "'tools/list'"), d: true }], declared: { tool: 1 }, expected: [] },
  { name: 'a disabled mcp message in', nodes: [messageIn(['f'], { d: true }), fn('f', "'tools/list'")], declared: { tool: 1 }, expected: [] },
  { name: 'an mcp message in that does not run (a disabled flow)', nodes: [messageIn(['f']), fn('f', "'tools/list'")], declared: { tool: 1 }, running: () => false, expected: [] },
  { name: 'the mcp message in of another endpoint', nodes: [messageIn(['f'], { endpoint: 'other' }), fn('f', "'tools/list'")], declared: { tool: 1 }, expected: [] },
  { name: 'a loop in the flow', nodes: [messageIn(['a']), fn('a', 'return msg;', ['b']), fn('b', 'return msg;', ['a'])], declared: { tool: 1 }, expected: [] },
];

for (const [which, find] of IMPLEMENTATIONS) describe(`declared items whose list the flow answers too: the ${which}`, () => {
  for (const c of cases) {
    it(c.name, () => {
      const found = find(c.endpoint ?? 'ep', c.nodes, declaring(c.declared), c.running);
      // Copied into this realm: the editor's arrays come from the vm context's Array.
      assert.deepEqual([...found.map((f) => `${f.method} ${f.declaredBy} ${f.node.id}`)], c.expected);
    });
  }
});
