/**
 * `mcp-sse-resource`: declares one resource, or one resource template (an RFC 6570 URI template),
 * on an endpoint (MCP 2025-11-25 "Server Features > Resources"). `resources/read` gets the static
 * content typed in the dialog, or leaves the node as a msg (`msg.payload` = the template's
 * variables) that the flow answers through `mcp sse out`. A msg into the node sends
 * `notifications/resources/updated` to the sessions subscribed to its URI.
 */
import type { Node, NodeAPI, NodeMessageInFlow } from 'node-red';
import type { ResourceContent, ResourceDefinition } from '../core';
import { callStatus, declareOnEndpoint, requestMsg } from './lib/declare';
import type { ResourceNodeDef } from './lib/types';

const NS = 'node-red-contrib-mcp-sse/mcp-sse-resource:mcp-sse-resource';

/** The resource as `resources/list` or `resources/templates/list` shows it. */
function definitionOf(def: ResourceNodeDef): ResourceDefinition {
  const uri = (def.uri ?? '').trim();
  const definition: ResourceDefinition = uri.includes('{') ? { uriTemplate: uri, name: (def.name ?? '').trim() } : { uri, name: (def.name ?? '').trim() };
  if (def.title?.trim()) definition.title = def.title.trim();
  if (def.description?.trim()) definition.description = def.description.trim();
  if (def.mimeType?.trim()) definition.mimeType = def.mimeType.trim();
  return definition;
}

/** The static content typed in the dialog. */
function contentOf(def: ResourceNodeDef): ResourceContent {
  const text = def.content ?? '';
  return def.contentType === 'base64' ? { blob: text.replace(/\s+/g, '') } : { text };
}

export = function register(RED: NodeAPI): void {
  function McpSseResourceNode(this: Node, def: ResourceNodeDef): void {
    RED.nodes.createNode(this, def);
    const definition = definitionOf(def);
    const byFlow = def.source === 'flow';
    const status = callStatus(RED, this);
    const endpoint = declareOnEndpoint(RED, this, def.endpoint, {
      kind: 'resource',
      owner: this.id,
      definition,
      ...(byFlow ? {} : { content: contentOf(def) }),
      ...(byFlow ? {
        onRequest: (request) => {
          status.onRequest();
          if (endpoint !== undefined) this.send(requestMsg(endpoint, request, { uri: request.name }) as never);
        },
        onOutcome: status.onOutcome,
      } : {}),
    });
    if (endpoint === undefined) return;
    this.status({});

    this.on('input', (msg: NodeMessageInFlow & { uri?: unknown }, _send: unknown, done: (error?: Error) => void) => {
      const uri = typeof msg.uri === 'string' && msg.uri !== '' ? msg.uri : definition.uri;
      if (uri === undefined) {
        done(new Error(RED._(`${NS}.errors.uriNeeded`)));
        return;
      }
      const sessions = endpoint.resourceUpdated(uri);
      this.status({ fill: 'green', shape: 'dot', text: RED._(`${NS}.status.updated`, { count: sessions }) });
      done();
    });
  }
  RED.nodes.registerType('mcp-sse-resource', McpSseResourceNode);
};
