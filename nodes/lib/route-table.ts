/**
 * The HTTP routes of an MCP endpoint, defined once: which endpoint setting holds each path, its
 * default, the methods, the node type that serves it and the transport it belongs to (MCP
 * 2024-11-05 "Transports > HTTP with SSE": the SSE path and the message path; 2025-03-26 onwards
 * "Transports > Streamable HTTP": one path for POST, GET and DELETE).
 *
 * Read by the endpoint config node (which serves its own paths once something is declared on it),
 * by `mcp sse in` and `mcp message in` (each serves the routes whose `node` is its type), and by
 * the editor (resources/mcp-editor.js), which gets {@link ROUTE_TABLE} as the exported node
 * setting {@link ROUTES_SETTING} (`RED.settings.mcpSseEndpointRoutes`): labels, the route tip,
 * the Connect tab's URLs and the shared-path check all come from here.
 */
import { metadataPathFor, type HttpHandler, type McpEndpoint } from '../../core';
import type { Method } from './routes';
import type { EndpointRoute } from './serve-endpoint';
import type { EndpointNode } from './types';

/** The endpoint setting holding a route's path. */
export type RouteField = 'ssePath' | 'messagePath' | 'streamablePath';

/** One route of an endpoint, as data (the editor reads it as JSON). */
export interface RouteSpec {
  /** The endpoint setting holding the path. */
  field: RouteField;
  /** The path when the setting is blank. */
  fallback: string;
  /** The HTTP methods served on it, upper case. */
  methods: Array<'GET' | 'POST' | 'DELETE'>;
  /** The node type that serves it (the endpoint config node stands in once something is declared). */
  node: 'mcp-sse-in' | 'mcp-message-in';
  /** The transport it belongs to: on while the endpoint's setting for that transport is. */
  transport: 'sse' | 'streamable-http';
  /** OAuth 2.1 mode: this path's Protected Resource Metadata (RFC 9728) is served beside it, by the same node. */
  metadata: boolean;
}

/** Every route an endpoint can serve, in the order the Connect tab lists them after Streamable HTTP. */
export const ROUTE_TABLE: readonly RouteSpec[] = [
  { field: 'ssePath', fallback: '/sse', methods: ['GET'], node: 'mcp-sse-in', transport: 'sse', metadata: true },
  { field: 'messagePath', fallback: '/message', methods: ['POST'], node: 'mcp-message-in', transport: 'sse', metadata: false },
  { field: 'streamablePath', fallback: '/mcp', methods: ['POST', 'GET', 'DELETE'], node: 'mcp-message-in', transport: 'streamable-http', metadata: true },
];

/** The path of the route whose path setting is `field`, when the setting is blank (e.g. `/mcp`). */
export function routeFallback(field: RouteField): string {
  return (ROUTE_TABLE.find((route) => route.field === field) as RouteSpec).fallback;
}

/** The name of the endpoint node's exported setting that hands {@link ROUTE_TABLE} to the editor. */
export const ROUTES_SETTING = 'mcpSseEndpointRoutes';

/** The path of `route` on the endpoint node `cfg`, or `undefined` when its transport is off. */
export function routePath(cfg: EndpointNode, route: RouteSpec): string | undefined {
  if (route.transport === 'sse') return cfg.sseEnabled ? cfg[route.field as 'ssePath' | 'messagePath'] : undefined;
  return cfg.streamablePath;
}

/** The endpoint method that serves each route (`McpEndpoint`: each answers the methods it does not serve with 405). */
const HANDLERS: Readonly<Record<RouteField, (endpoint: McpEndpoint) => HttpHandler>> = {
  ssePath: (endpoint) => endpoint.handleSseGet,
  messagePath: (endpoint) => endpoint.handleSsePost,
  streamablePath: (endpoint) => endpoint.handleStreamableHttp,
};

/**
 * The routes the endpoint node `cfg` makes a node serve, with their handlers: those of `nodeType`
 * (every one when absent: the config node standing in), for the transports that are on, and in
 * OAuth 2.1 mode each path's Protected Resource Metadata.
 */
export function endpointRoutes(cfg: EndpointNode, nodeType?: RouteSpec['node']): EndpointRoute[] {
  const routes: EndpointRoute[] = [];
  const { endpoint } = cfg;
  for (const route of ROUTE_TABLE) {
    if (nodeType !== undefined && route.node !== nodeType) continue;
    const path = routePath(cfg, route);
    if (path === undefined) continue;
    const handler = HANDLERS[route.field](endpoint);
    for (const method of route.methods) routes.push({ method: method.toLowerCase() as Method, path, handler });
    if (route.metadata && endpoint.usesOAuth) {
      routes.push({ method: 'get', path: metadataPathFor(path), handler: (req, res) => endpoint.serveResourceMetadata(req, res, route.transport) });
    }
  }
  return routes;
}
