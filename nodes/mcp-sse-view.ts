/**
 * `mcp-sse-view`: declares one MCP Apps view on an endpoint (SEP-1865, extension
 * `io.modelcontextprotocol/ui`): a resource with a `ui://` URI and the MIME type
 * `text/html;profile=mcp-app`, whose `_meta.ui` (CSP lists, sandbox permissions, border, domain)
 * comes from the dialog's fields. A tool links it with its View setting; the host reads it and
 * shows it in a sandboxed iframe next to the tool's result.
 *
 * The HTML is the dialog's Mustache template, filled on each `resources/read` from the last msg
 * into the node and the flow/global context (see lib/view-template.ts), or the flow's answer to
 * a msg per read (through `mcp sse out`). A msg into the node also tells the sessions subscribed
 * to the view that it changed.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import { CSP_LISTS, DeclarationError, VIEW_MIME_TYPE, VIEW_PERMISSIONS, viewMeta, splitList, type FlowRequest, type McpEndpoint, type ResourceDefinition, type ViewSettings } from '../core';
import { callStatus, declareOnEndpoint, refuse, requestMsg } from './lib/declare';
import { checkTemplate, renderView } from './lib/view-template';
import type { ViewNodeDef } from './lib/types';
import { VIEW_NODE_SETTINGS } from './lib/view-settings';

const NS = 'node-red-contrib-mcp-sse/mcp-sse-view:mcp-sse-view';

/** The `_meta.ui` settings typed in the dialog. */
function settingsOf(def: ViewNodeDef): ViewSettings {
  const settings: ViewSettings = { csp: {}, permissions: VIEW_PERMISSIONS.filter((p) => def[p] === true) };
  for (const list of CSP_LISTS) (settings.csp as Record<string, string[]>)[list] = splitList(def[list]);
  if (def.prefersBorder === 'true' || def.prefersBorder === 'false') settings.prefersBorder = def.prefersBorder === 'true';
  if (def.domain?.trim()) settings.domain = def.domain.trim();
  return settings;
}

/**
 * The view as `resources/list` shows it.
 * @throws DeclarationError for a CSP entry that is not an origin, or a malformed domain.
 */
function definitionOf(def: ViewNodeDef): ResourceDefinition {
  const definition: ResourceDefinition = { uri: (def.uri ?? '').trim(), name: (def.name ?? '').trim(), mimeType: VIEW_MIME_TYPE };
  if (def.title?.trim()) definition.title = def.title.trim();
  if (def.description?.trim()) definition.description = def.description.trim();
  const ui = viewMeta(settingsOf(def));
  if (Object.keys(ui).length > 0) definition._meta = { ui };
  return definition;
}

export = function register(RED: NodeAPI): void {
  function McpSseViewNode(this: Node, def: ViewNodeDef): void {
    RED.nodes.createNode(this, def);
    const byFlow = def.source === 'flow';
    const template = def.template ?? '';
    let definition: ResourceDefinition;
    try {
      definition = definitionOf(def);
      if (!byFlow) checkTemplate(template);
    } catch (error) {
      refuse(this, error instanceof DeclarationError ? error : new DeclarationError('invalid-definition', RED._(`${NS}.errors.template`, { message: (error as Error).message })));
      return;
    }
    /** What the template is filled from: the last msg into the node. */
    let data: Record<string, unknown> = {};
    const status = callStatus(RED, this);
    /** Answers a read with the filled template (a -32603 error naming what failed). */
    const answer = (endpoint: McpEndpoint, request: FlowRequest): void => {
      const reply = (payload: string, failure?: string): void => {
        try {
          endpoint.send(request.session.id, payload, { requestId: request.requestId, ...(failure === undefined ? {} : { failure }) });
        } catch {
          // The session or exchange ended while the view was filled: nobody waits for it.
        }
      };
      renderView(RED, this, template, data).then((html) => reply(html), (error: Error) => {
        this.error(RED._(`${NS}.errors.render`, { message: error.message }));
        reply('', error.message);
      });
    };
    const endpoint = declareOnEndpoint(RED, this, def.endpoint, {
      kind: 'resource',
      owner: this.id,
      definition,
      onRequest: (request) => {
        status.onRequest();
        if (endpoint === undefined) return;
        if (byFlow) this.send(requestMsg(endpoint, request, { uri: request.name }) as never);
        else answer(endpoint, request);
      },
      onOutcome: status.onOutcome,
    });
    if (endpoint === undefined) return;
    this.status({});

    this.on('input', (msg: NodeMessageInFlow, _send: unknown, done: () => void) => {
      data = msg as unknown as Record<string, unknown>;
      const sessions = endpoint.resourceUpdated(definition.uri as string);
      this.status({ fill: 'green', shape: 'dot', text: RED._(`${NS}.status.updated`, { count: sessions }) });
      done();
    });
  }
  // The editor checks CSP origins with the runtime's own patterns (lib/view-settings.ts).
  RED.nodes.registerType('mcp-sse-view', McpSseViewNode, { settings: VIEW_NODE_SETTINGS });
};
