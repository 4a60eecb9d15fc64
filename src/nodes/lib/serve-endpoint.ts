/**
 * What `mcp sse in` and `mcp message in` share: find their endpoint config node and serve one of
 * its routes for as long as they run.
 */
import type { Node, NodeAPI } from 'node-red';
import type { Express } from 'express';
import { serveRoute, type Method, type RouteHandler } from './routes';
import { corsHandler, httpNodesEnabled, nodeMiddleware, publicPath } from './http-settings';
import { keepBodyRaw } from './raw-body';
import type { EndpointNode } from './types';

/**
 * Serves `method` on the endpoint's path (`ssePath` for GET, `messagePath` for POST) with
 * `handler` until `node` closes. Reports problems as a node error and a red status:
 * no endpoint configured, HTTP nodes turned off (`httpNodeRoot: false`), or the path already
 * served by another node (reported at deploy, not at the first request).
 * @returns the endpoint config node, or `undefined` when the route could not be served.
 */
export function serveEndpointRoute(
  RED: NodeAPI,
  node: Node,
  endpointId: string,
  method: Method,
  handler: (endpoint: EndpointNode) => RouteHandler,
): EndpointNode | undefined {
  const endpoint = RED.nodes.getNode(endpointId) as EndpointNode | null;
  if (endpoint === null || endpoint.endpoint === undefined) {
    node.error('No MCP endpoint is configured: choose or add an mcp-sse-endpoint config node');
    node.status({ fill: 'red', shape: 'ring', text: 'no endpoint' });
    return undefined;
  }
  if (!httpNodesEnabled(RED)) {
    node.error('HTTP node routes are turned off (httpNodeRoot is false in settings.js)');
    node.status({ fill: 'red', shape: 'ring', text: 'http off' });
    return undefined;
  }
  const path = method === 'get' ? endpoint.ssePath : endpoint.messagePath;
  let stopServing: () => void;
  try {
    const corsRoute = corsHandler(RED);
    const middleware = corsRoute === undefined ? nodeMiddleware(RED) : [...nodeMiddleware(RED), corsRoute];
    stopServing = serveRoute(RED.httpNode as unknown as Express, method, path, node.id, handler(endpoint), middleware, corsRoute);
  } catch (error) {
    node.error(`Cannot serve ${method.toUpperCase()} ${path}: ${(error as Error).message}`);
    node.status({ fill: 'red', shape: 'ring', text: 'path in use' });
    return undefined;
  }
  const releaseBody = method === 'post' ? keepBodyRaw(RED.server, publicPath(RED, path)) : () => {};
  node.on('close', (_removed: boolean, done: () => void) => {
    releaseBody();
    stopServing();
    done();
  });
  return endpoint;
}
