/**
 * `mcp-sse-tool`: declares one tool on an endpoint (MCP 2025-11-25 "Server Features > Tools"):
 * `tools/list` lists it with its schemas verbatim, and every `tools/call` of it whose arguments
 * match its input schema leaves the node as one msg (`msg.payload` = the arguments). The flow
 * answers through `mcp sse out`; calls with invalid arguments are answered with a tool error and
 * never reach the flow. The status shows the number of calls and the last error.
 *
 * MCP Apps: a View links the tool to a view (`_meta.ui.resourceUri`, and the flat
 * `ui/resourceUri`), and Visible to says who may call it (`_meta.ui.visibility`). A View no view
 * node declares on the endpoint is a node error once the deploy is done, and the tool is listed
 * without the link until one does.
 */
import type { Node, NodeAPI } from 'node-red';
import { DeclarationError, toolViewMeta, type JsonObject, type ToolDefinition, type Visibility } from '../core';
import { callStatus, declareOnEndpoint, parseJsonField, refuse, requestMsg } from './lib/declare';
import type { ToolNodeDef } from './lib/types';

/** The input schema of a tool whose dialog left it blank: no arguments. */
const EMPTY_SCHEMA = { type: 'object', properties: {} };

const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

/** MCP Apps `_meta.ui.visibility` of each Visible to choice; both is the spec's default, written only with a view. */
const VISIBILITY: Record<string, Visibility[] | undefined> = { both: undefined, model: ['model'], app: ['app'] };

/** The tool as `tools/list` shows it, from the dialog's fields. @throws Error for a schema that is not JSON. */
function definitionOf(RED: NodeAPI, def: ToolNodeDef): ToolDefinition {
  const definition: ToolDefinition = { name: (def.name ?? '').trim(), inputSchema: parseJsonField(RED, def.inputSchema, 'inputSchema', EMPTY_SCHEMA) as JsonObject };
  if (def.title?.trim()) definition.title = def.title.trim();
  if (def.description?.trim()) definition.description = def.description.trim();
  const output = parseJsonField(RED, def.outputSchema, 'outputSchema', undefined);
  if (output !== undefined) definition.outputSchema = output as JsonObject;
  const annotations: Record<string, boolean> = {};
  for (const hint of HINTS) {
    if (def[hint] === 'true' || def[hint] === 'false') annotations[hint] = def[hint] === 'true';
  }
  if (Object.keys(annotations).length > 0) definition.annotations = annotations;
  const meta = toolViewMeta(def.view, VISIBILITY[def.visibility ?? 'both']);
  if (meta !== undefined) definition._meta = meta;
  const taskSupport = TASK_SUPPORT[def.taskSupport ?? 'never'];
  if (taskSupport !== undefined) definition.execution = { taskSupport };
  return definition;
}

/** `execution.taskSupport` of `tools/list` (2025-11-25) for each Task choice; `never` lists none (the spec's default, `forbidden`). */
const TASK_SUPPORT: Record<string, string | undefined> = { never: undefined, optional: 'optional', always: 'required' };

const NS = 'node-red-contrib-mcp-sse/mcp-sse-tool:mcp-sse-tool';

export = function register(RED: NodeAPI): void {
  function McpSseToolNode(this: Node, def: ToolNodeDef): void {
    RED.nodes.createNode(this, def);
    let definition: ToolDefinition;
    try {
      definition = definitionOf(RED, def);
    } catch (error) {
      refuse(this, new DeclarationError('invalid-schema', (error as Error).message));
      return;
    }
    const status = callStatus(RED, this);
    let viewMissing = false;
    const endpoint = declareOnEndpoint(RED, this, def.endpoint, {
      kind: 'tool',
      owner: this.id,
      definition,
      taskSupport: def.taskSupport === 'optional' || def.taskSupport === 'always' ? def.taskSupport : 'never',
      onRequest: (request) => {
        status.onRequest();
        if (endpoint !== undefined) this.send(requestMsg(endpoint, request, { tool: definition.name }) as never);
      },
      onOutcome: status.onOutcome,
      onViewChecked: (missing) => {
        if (missing === undefined) {
          // A later deploy declared the view this tool was missing.
          if (viewMissing) this.status({});
          viewMissing = false;
          return;
        }
        viewMissing = true;
        this.error(RED._(`${NS}.errors.viewMissing`, { uri: missing }));
        this.status({ fill: 'red', shape: 'ring', text: `${NS}.status.viewMissing` });
      },
    });
    if (endpoint !== undefined) this.status({});
  }
  RED.nodes.registerType('mcp-sse-tool', McpSseToolNode);
};
