/**
 * What `mcp sse in` and `mcp message in` share: find their endpoint config node and serve one of
 * its routes for as long as they run.
 */
import type { Node, NodeAPI } from 'node-red';
import type { Express } from 'express';
import { deployBegan, RouteConflictError, serveRoute, settleParked, type Method, type RouteHandler } from './routes';
import { HANDOVER_GRACE_MS } from './endpoint-handover';
import { corsHandler, httpNodesEnabled, nodeMiddleware, publicPath } from './http-settings';
import { keepBodyRaw } from './raw-body';
import type { EndpointNode } from './types';

/** Message keys shared by the in-nodes live in the endpoint config node's catalogue. */
const NS = 'node-red-contrib-mcp-sse/mcp-sse-endpoint:mcp-sse-endpoint';

/** A node that serves a route, and the endpoint config node it serves. */
type ServingNode = Node & { name?: string; endpointId?: string };

/** `mcp-sse-in "name" (id) of endpoint "tutorial"`: who serves a route, in words a user finds in the editor. */
function describeOwner(RED: NodeAPI, ownerId: string): string {
  const owner = RED.nodes.getNode(ownerId) as ServingNode | null;
  if (owner === null) return `node ${ownerId}`;
  const name = owner.name ? `"${owner.name}" ` : '';
  const endpointNode = owner.endpointId === undefined ? null : RED.nodes.getNode(owner.endpointId) as (EndpointNode & { name?: string }) | null;
  return `${owner.type} ${name}(${owner.id})${endpointNode ? ` of endpoint "${endpointNode.name || endpointNode.id}"` : ''}`;
}

/** One route a node serves for its endpoint. */
export interface EndpointRoute {
  method: Method;
  path: string;
  handler: RouteHandler;
}

/**
 * Serves the `routes` that `routesOf(endpointNode)` lists for as long as `node` runs. Reports problems
 * as a node error and a red status: no endpoint configured, HTTP nodes turned off
 * (`httpNodeRoot: false`), or a path already served by another node (reported at deploy, not at
 * the first request; the node then serves none of its routes).
 * @returns the endpoint config node, or `undefined` when its routes could not be served.
 */
export function serveEndpointRoutes(
  RED: NodeAPI,
  node: Node,
  endpointId: string,
  routesOf: (endpointNode: EndpointNode) => EndpointRoute[],
): EndpointNode | undefined {
  const endpointNode = RED.nodes.getNode(endpointId) as EndpointNode | null;
  if (endpointNode === null || endpointNode.endpoint === undefined) {
    node.error(RED._(`${NS}.errors.noEndpoint`));
    node.status({ fill: 'red', shape: 'ring', text: `${NS}.status.noEndpoint` });
    return undefined;
  }
  (node as ServingNode).endpointId = endpointNode.id;
  if (!httpNodesEnabled(RED)) {
    node.error(RED._(`${NS}.errors.httpOff`));
    node.status({ fill: 'red', shape: 'ring', text: `${NS}.status.httpOff` });
    return undefined;
  }
  const stop = serveRoutes(RED, node, routesOf(endpointNode));
  if (stop === undefined) return undefined;
  node.on('close', (_removed: boolean, done: () => void) => {
    stop();
    done();
  });
  return endpointNode;
}

/**
 * Serves `routes` on behalf of `node`, after Node-RED's `httpNodeMiddleware` and CORS, with POST
 * bodies kept raw. A path another node serves is reported as a node error and a red status, and
 * nothing is served.
 * @param fallbackWhen serve them only while no node does and this says so (see {@link serveRoute}).
 * @returns the function that stops serving them, or `undefined` when they could not be served.
 */
export function serveRoutes(RED: NodeAPI, node: Node, routes: EndpointRoute[], fallbackWhen?: () => boolean): (() => void) | undefined {
  const stops: Array<() => void> = [];
  const stopAll = (): void => {
    for (const stop of stops.splice(0)) stop();
  };
  const corsRoute = corsHandler(RED);
  const middleware = corsRoute === undefined ? nodeMiddleware(RED) : [...nodeMiddleware(RED), corsRoute];
  for (const { method, path, handler } of routes) {
    try {
      stops.push(serveRoute(RED.httpNode as unknown as Express, method, path, node.id, handler, middleware, corsRoute, fallbackWhen));
    } catch (error) {
      if (!(error instanceof RouteConflictError)) throw error;
      stopAll();
      node.error(RED._(`${NS}.errors.pathInUse`, { method: method.toUpperCase(), path, owner: describeOwner(RED, error.ownerId), type: node.type }));
      node.status({ fill: 'red', shape: 'ring', text: `${NS}.status.pathInUse` });
      return undefined;
    }
    if (method === 'post') stops.push(keepBodyRaw(RED.server, publicPath(RED, path)));
  }
  return stopAll;
}

/** The HTTP node apps whose deploy under way is already followed to its end. */
const deploying = new WeakSet<object>();

/**
 * A deploy begins (Node-RED's `flows:stopping`): until it is done (`flows:started`), at most
 * {@link HANDOVER_GRACE_MS}, a request for a route without an owner waits for the next one; then
 * it goes on, to the node that serves the route, or gets 404 (see {@link settleParked}). The
 * requests go on once every `flows:started` listener has run (the declarations' deploy hold ends
 * there), whether or not an endpoint node remains.
 */
export function deployBegins(RED: NodeAPI): void {
  const app = RED.httpNode as unknown as Express | undefined;
  // (`httpNodeRoot: false`: no routes, nothing to hold.)
  if (app === undefined || !httpNodesEnabled(RED)) return;
  deployBegan(app, HANDOVER_GRACE_MS);
  if (deploying.has(app)) return;
  deploying.add(app);
  (RED.events as unknown as { once(event: string, listener: () => void): void }).once('flows:started', () => {
    deploying.delete(app);
    setImmediate(() => settleParked(app));
  });
}
