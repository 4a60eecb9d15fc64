/**
 * The tutorial flow (which answers tools/list itself) with one declared tool added on its endpoint:
 * the case where the endpoint lists the declared tools alone and warns (nodes/lib/shadowed-lists.ts).
 */
import { readFileSync } from 'node:fs';
import { TUTORIAL_EXAMPLE } from './node-red';

export type FlowNode = Record<string, unknown> & { id: string };

/** The tutorial flow, and a declared `echo` tool (node `echo_tool`) on its endpoint that answers with its `text` argument. */
export function tutorialWithDeclaredTool(): FlowNode[] {
  const flow = JSON.parse(readFileSync(TUTORIAL_EXAMPLE, 'utf8')) as FlowNode[];
  flow.push(
    {
      id: 'echo_tool', type: 'mcp-sse-tool', z: 'mcp_tab_tutorial', endpoint: 'mcp_cfg_tutorial', name: 'echo', title: '', description: 'Echoes its text',
      inputSchema: JSON.stringify({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }), outputSchema: '',
      readOnlyHint: 'true', destructiveHint: '', idempotentHint: '', openWorldHint: 'false', x: 140, y: 520, wires: [['echo_text']],
    },
    { id: 'echo_text', type: 'change', z: 'mcp_tab_tutorial', name: '', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload.text', tot: 'msg' }], x: 340, y: 520, wires: [['mcp_sse_out']] },
  );
  return flow;
}
