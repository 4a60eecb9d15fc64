/// <reference lib="dom" />
/**
 * The test's MCP Apps host, a page in Chromium (bundled by esbuild in test/browser/app-view.test.ts):
 * an MCP client (the official v2 client, in `legacy` mode for 2025-11-25 with `initialize`, or in
 * `auto` mode for 2026-07-28) declaring that it renders views; it lists the tools as a host does
 * (the model's list leaves out tools whose visibility lacks "model"), reads the view the tool links,
 * calls the tool as the model would, and renders the view in a sandboxed iframe through ext-apps'
 * AppBridge, sending the tool's input and result; the view's tools/call are proxied to the server,
 * for tools visible to views only. `window.runHost` runs it and resolves to what it saw.
 */
import { Client, StreamableHTTPClientTransport, type Tool } from '@modelcontextprotocol/client';
import { AppBridge, PostMessageTransport, buildAllowAttribute, getToolUiResourceUri, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/app-bridge';

const UI_EXTENSION = 'io.modelcontextprotocol/ui';

/** What the host saw, for the test to check. */
export interface HostReport {
  protocolVersion: string | undefined;
  serverCapabilities: Record<string, unknown> | undefined;
  tools: Tool[];
  /** The tools the host would give the model (visibility includes "model", or is not set). */
  modelTools: string[];
  viewUri: string | undefined;
  resource: { uri: string; mimeType?: string; _meta?: Record<string, unknown>; text?: string };
  toolResult: { text: string; structuredContent?: unknown };
  /** The policy the host put on the view. */
  csp: string;
}

/** The tools/call the view asked for, in order, and how each went. */
const proxied: Array<{ name: string; outcome: 'sent' | 'refused' }> = [];

function visibility(tool: Tool): string[] {
  const ui = (tool._meta as { ui?: { visibility?: unknown } } | undefined)?.ui;
  return Array.isArray(ui?.visibility) ? ui.visibility as string[] : ['model', 'app'];
}

/**
 * The view's Content Security Policy, from `_meta.ui.csp` as SEP-1865 "Security Implications"
 * builds it (its restrictive default for lists left out), put in the HTML as a meta tag: the
 * sandboxed frame has an opaque origin, so there is no 'self'.
 */
function policyOf(csp: Record<string, string[] | undefined> = {}): string {
  const list = (key: string, fallback: string) => (csp[key]?.length ? csp[key]!.join(' ') : fallback);
  const resources = csp.resourceDomains?.join(' ') ?? '';
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline' ${resources}`.trim(),
    `style-src 'unsafe-inline' ${resources}`.trim(),
    `img-src data: ${resources}`.trim(),
    `font-src ${resources || "'none'"}`,
    `media-src data: ${resources}`.trim(),
    `connect-src ${list('connectDomains', "'none'")}`,
    `frame-src ${list('frameDomains', "'none'")}`,
    `base-uri ${list('baseUriDomains', "'none'")}`,
    "object-src 'none'",
  ].join('; ');
}

async function runHost(url: string, mode: 'legacy' | 'auto'): Promise<HostReport> {
  const client = new Client({ name: 'apps-test-host', version: '1.0.0' }, {
    capabilities: { extensions: { [UI_EXTENSION]: { mimeTypes: [RESOURCE_MIME_TYPE] } } },
    versionNegotiation: { mode },
  } as never);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));

  const { tools } = await client.listTools();
  const modelTools = tools.filter((t) => visibility(t).includes('model')).map((t) => t.name);
  const thermostat = tools.find((t) => t.name === 'thermostat');
  if (thermostat === undefined) throw new Error('no thermostat tool');
  const viewUri = getToolUiResourceUri(thermostat);
  if (viewUri === undefined) throw new Error('the thermostat tool links no view');
  const read = await client.readResource({ uri: viewUri });
  const resource = read.contents[0] as HostReport['resource'];
  if (resource.mimeType !== RESOURCE_MIME_TYPE || typeof resource.text !== 'string') throw new Error(`not a view: ${resource.mimeType}`);
  const ui = (resource._meta?.ui ?? {}) as { csp?: Record<string, string[]>; permissions?: Record<string, object>; prefersBorder?: boolean };

  // The model calls the tool; the host shows its result in the view.
  const input = {};
  const result = await client.callTool({ name: 'thermostat', arguments: input });
  document.getElementById('model-tools')!.textContent = modelTools.join(', ');
  const text = (result.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n');
  document.getElementById('tool-text')!.textContent = text;

  const frame = document.createElement('iframe');
  frame.id = 'view';
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('allow', buildAllowAttribute(ui.permissions as never));
  frame.className = ui.prefersBorder === false ? '' : 'bordered';
  document.getElementById('stage')!.appendChild(frame);

  const bridge = new AppBridge(null, { name: 'apps-test-host', version: '1.0.0' }, { serverTools: {}, logging: {} }, {
    hostContext: { theme: 'light', displayMode: 'inline', platform: 'web', containerDimensions: { width: 420, maxHeight: 600 }, toolInfo: { tool: thermostat } },
  } as never);
  // The view's tools/call, proxied to the server: only tools visible to views (SEP-1865 "Visibility").
  bridge.oncalltool = async (params) => {
    const tool = tools.find((t) => t.name === params.name);
    if (tool === undefined || !visibility(tool).includes('app')) {
      proxied.push({ name: params.name, outcome: 'refused' });
      throw new Error(`${params.name} is not a tool views may call`);
    }
    proxied.push({ name: params.name, outcome: 'sent' });
    return await client.callTool(params) as never;
  };
  bridge.onsizechange = ({ height }) => {
    if (typeof height === 'number') frame.style.height = `${height}px`;
  };
  const initialized = new Promise<void>((resolve) => {
    bridge.oninitialized = () => resolve();
  });
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  const csp = policyOf(ui.csp);
  const meta = `<meta http-equiv="Content-Security-Policy" content="${csp}">`;
  frame.srcdoc = /<head>/i.test(resource.text) ? resource.text.replace(/<head>/i, `<head>${meta}`) : meta + resource.text;
  await initialized;
  await bridge.sendToolInput({ arguments: input });
  await bridge.sendToolResult(result as never);

  return {
    protocolVersion: (client as unknown as { getNegotiatedProtocolVersion(): string | undefined }).getNegotiatedProtocolVersion(),
    serverCapabilities: client.getServerCapabilities() as Record<string, unknown> | undefined,
    tools,
    modelTools,
    viewUri,
    resource: { uri: resource.uri, mimeType: resource.mimeType, _meta: resource._meta },
    toolResult: { text, structuredContent: result.structuredContent },
    csp,
  };
}

Object.assign(window, { runHost, proxied });
