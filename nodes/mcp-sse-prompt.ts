/**
 * `mcp-sse-prompt`: declares one prompt on an endpoint (MCP 2025-11-25 "Server Features >
 * Prompts"), with its arguments. `prompts/get` fills the Mustache template typed in the dialog,
 * or leaves the node as a msg (`msg.payload` = the arguments) that the flow answers through
 * `mcp sse out`. `completion/complete` for an argument offers the values listed for it, or leaves
 * the node as a msg too.
 */
import type { Node, NodeAPI } from 'node-red';
import type { PromptArgument, PromptDeclaration, PromptDefinition } from '../core';
import { callStatus, declareOnEndpoint, requestMsg } from './lib/declare';
import type { PromptNodeDef } from './lib/types';

/** A values field (one per line, or comma-separated) as a list. */
function valuesOf(text: string | undefined): string[] {
  return (text ?? '').split(/[\n,]/).map((v) => v.trim()).filter((v) => v !== '');
}

export = function register(RED: NodeAPI): void {
  function McpSsePromptNode(this: Node, def: PromptNodeDef): void {
    RED.nodes.createNode(this, def);
    // Rows without a name are left out, and a name used twice counts once (its first row): the
    // editor saves such rows, marking the node invalid, rather than losing one.
    const named = new Set<string>();
    const rows = (Array.isArray(def.arguments) ? def.arguments : []).filter((a) => {
      const name = (a.name ?? '').trim();
      if (name === '' || named.has(name)) return false;
      named.add(name);
      return true;
    });
    const definition: PromptDefinition = { name: (def.name ?? '').trim() };
    if (def.title?.trim()) definition.title = def.title.trim();
    if (def.description?.trim()) definition.description = def.description.trim();
    if (rows.length > 0) {
      definition.arguments = rows.map((row) => {
        const arg: PromptArgument = { name: row.name.trim() };
        if (row.description?.trim()) arg.description = row.description.trim();
        if (row.required === true) arg.required = true;
        return arg;
      });
    }
    const completions: Record<string, string[]> = {};
    for (const row of rows) {
      const values = valuesOf(row.values);
      if (values.length > 0) completions[row.name.trim()] = values;
    }
    const templateMode = def.source !== 'flow';
    const completeByFlow = def.complete === 'flow';
    const status = callStatus(RED, this);
    const declaration: PromptDeclaration = {
      kind: 'prompt',
      owner: this.id,
      definition,
      role: def.role === 'assistant' ? 'assistant' : 'user',
      completions,
      completeByFlow,
      onOutcome: status.onOutcome,
    };
    if (templateMode) declaration.template = def.template ?? '';
    if (!templateMode || completeByFlow) {
      declaration.onRequest = (request) => {
        status.onRequest();
        if (endpoint !== undefined) this.send(requestMsg(endpoint, request, { prompt: definition.name }) as never);
      };
    }
    const endpoint = declareOnEndpoint(RED, this, def.endpoint, declaration);
    if (endpoint !== undefined) this.status({});
  }
  RED.nodes.registerType('mcp-sse-prompt', McpSsePromptNode);
};
