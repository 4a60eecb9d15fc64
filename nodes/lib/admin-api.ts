/**
 * The workbench's admin API, under Node-RED's `httpAdminRoot` and behind its admin auth
 * (`adminAuth`): what the editor's MCP sidebar reads, and what scripts may read too.
 *
 * - `GET /mcp-sse/endpoints`: every running `mcp-sse-endpoint` ({@link EndpointInfo});
 * - `GET /mcp-sse/endpoints/:id/sessions`: its open sessions on this instance (`SessionSummary`);
 * - `GET /mcp-sse/endpoints/:id/activity?since=<seq>&limit=<n>`: `{ epoch, seq, entries }`, newest last;
 * - `DELETE /mcp-sse/endpoints/:id/sessions/:sid`: ends a session (its client gets 404 on its
 *   next request, and may start a new session): 204.
 * - `POST /mcp-sse/endpoints/:id/call` with `{ method, params, timeoutMs? }`: the editor's Try it
 *   (core/workbench/editor-call.ts): 200 `{ result | error, durationMs, progress, serverRequests }`
 *   as the flow answered; 504 `{ code: "timeout", message, progress }` after `timeoutMs`
 *   (default 30000, at most 300000); 400 a body that is not such an object. (A body that is not
 *   JSON at all never reaches the route: Node-RED's own JSON parser, in front of every admin
 *   route, answers it 400 with the parser's message.)
 *
 * Permissions: `mcp-sse.read` for the GETs, `mcp-sse.write` for the rest. With `adminAuth` set,
 * `RED.auth.needsPermission` checks the token (none, or one that is not valid: 401); the
 * permission is then checked here, so that a user who lacks it gets 403 (a `read` user on a
 * write), where `needsPermission` alone would answer 401 as for a missing token. Without
 * `adminAuth`, everything passes, as for Node-RED's own routes.
 * An unknown endpoint or session id gets 404, a malformed query 400, each with a JSON body
 * `{ code, message }` as Node-RED's own admin API answers.
 */
import type { NodeAPI } from 'node-red';
import type { NextFunction, Request, Response } from 'express';
import { callFromEditor, DEFAULT_EDITOR_CALL_TIMEOUT_MS, EDITOR_METHODS, EditorCallTimeout, endpointCounts, sessionList, type ActivityLog, type TransportKind } from '../../core';
import { publicPath } from './http-settings';
import type { EndpointNode } from './types';
import { workbenchOf } from './workbench';

/** Where the routes live under `httpAdminRoot`. */
export const ADMIN_BASE = '/mcp-sse/endpoints';

/** One endpoint, as `GET /mcp-sse/endpoints` lists it. */
export interface EndpointInfo {
  id: string;
  name: string;
  /** The paths clients use (with `httpNodeRoot`), of the transports that are on. */
  paths: { sse?: string; message?: string; streamable?: string };
  transports: TransportKind[];
  /** How clients authenticate. */
  auth: 'none' | 'token' | 'oauth';
  /** Open sessions (both transports), on this instance. */
  sessions: number;
  /** Open 2026-07-28 `subscriptions/listen` streams, on this instance. */
  listenStreams: number;
  /** Several instances (Redis): this instance's id; the counts, sessions and activity are this instance's. */
  instance?: string;
  /** The activity list: entries kept, whether payloads are recorded, its newest seq, and when it was made (epoch ms: seqs start again in a new list). */
  activity: { size: number; recordPayloads: boolean; seq: number; epoch: number };
}

/** The HTTP apps the routes were added to: once each, whatever loads this module again. */
const registered = new WeakSet<object>();

/**
 * True when a token's `scope` grants `permission`, read as Node-RED reads it
 * (@node-red/editor-api auth/permissions.js): `*`, the permission itself, or `read` / `write`
 * (and `*.read` / `*.write`) for every permission ending in `.read` / `.write`; a list grants
 * what any of its entries grants.
 */
export function grants(scope: unknown, permission: string): boolean {
  if (Array.isArray(scope)) return scope.some((entry) => grants(entry, permission));
  if (scope === '*' || scope === permission) return true;
  if (scope === 'read' || scope === '*.read') return permission.endsWith('.read');
  if (scope === 'write' || scope === '*.write') return permission.endsWith('.write');
  return false;
}

/** The middleware of a route that needs `permission`: 401 as Node-RED answers it, then 403 for a user without it. */
function needs(RED: NodeAPI, permission: string): Array<(req: Request, res: Response, next: NextFunction) => void> {
  const authenticated = RED.auth.needsPermission('');
  return [authenticated, (req, res, next) => {
    const { user, authInfo } = req as Request & { user?: unknown; authInfo?: { scope?: unknown } };
    // No user: adminAuth is off (Node-RED lets everything through then).
    if (user === undefined || grants(authInfo?.scope, permission)) {
      next();
      return;
    }
    refuse(res, 403, 'forbidden', `This needs the permission ${permission}`);
  }];
}

/** Answers an error as Node-RED's admin API does: `{ code, message }`. */
function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ code, message });
}

/** The running endpoint node `id` and its activity list, or answers 404 and returns `undefined`. */
function endpointOf(RED: NodeAPI, id: string, res: Response): { node: EndpointNode; log: ActivityLog } | undefined {
  const node = RED.nodes.getNode(id) as EndpointNode | null;
  const log = node !== null && node.type === 'mcp-sse-endpoint' && node.endpoint !== undefined ? workbenchOf(node.endpoint) : undefined;
  if (node === null || log === undefined) {
    refuse(res, 404, 'not_found', `No running mcp-sse-endpoint has the id ${JSON.stringify(id)}`);
    return undefined;
  }
  return { node, log };
}

/** What {@link EndpointInfo} says of a running endpoint node. */
function infoOf(RED: NodeAPI, node: EndpointNode, log: ActivityLog): EndpointInfo {
  const paths: EndpointInfo['paths'] = {};
  const transports: TransportKind[] = [];
  if (node.sseEnabled) {
    paths.sse = publicPath(RED, node.ssePath);
    paths.message = publicPath(RED, node.messagePath);
    transports.push('sse');
  }
  if (node.streamablePath !== undefined) {
    paths.streamable = publicPath(RED, node.streamablePath);
    transports.push('streamable-http');
  }
  const { sessions, listenStreams, instance } = endpointCounts(node.endpoint);
  const info: EndpointInfo = {
    id: node.id, name: node.name ?? '', paths, transports, auth: node.authMode, sessions, listenStreams,
    activity: { size: log.size, recordPayloads: log.recordPayloads, seq: log.seq, epoch: log.epoch },
  };
  if (instance !== undefined) info.instance = instance;
  return info;
}

/** Longest an editor call may be told to wait, in ms. */
const MAX_CALL_TIMEOUT_MS = 300_000;

/** The editor call a `POST .../call` body asks for, or why it cannot be made (for a 400). */
function callOf(body: unknown): { method: string; params: Record<string, unknown>; timeoutMs: number } | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The body must be a JSON object: { "method": "tools/call", "params": { "name": ..., "arguments": {...} } }';
  const { method, params, timeoutMs } = body as Record<string, unknown>;
  if (typeof method !== 'string' || !EDITOR_METHODS.includes(method)) return `method must be one of ${EDITOR_METHODS.join(', ')}`;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return 'params must be a JSON object';
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_CALL_TIMEOUT_MS)) return `timeoutMs must be a whole number of ms from 1 to ${MAX_CALL_TIMEOUT_MS}`;
  return { method, params: (params ?? {}) as Record<string, unknown>, timeoutMs: (timeoutMs as number | undefined) ?? DEFAULT_EDITOR_CALL_TIMEOUT_MS };
}

/** A whole number >= `min` from a query parameter; `fallback` when absent; `undefined` when malformed. */
function wholeNumber(value: unknown, min: number, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min ? n : undefined;
}

/**
 * Adds the routes to `RED.httpAdmin` (once per app). They find endpoints as they run: a deploy
 * needs nothing from here.
 */
export function registerAdminApi(RED: NodeAPI): void {
  const app = RED.httpAdmin;
  if (registered.has(app)) return;
  registered.add(app);
  const read = needs(RED, 'mcp-sse.read');
  const write = needs(RED, 'mcp-sse.write');

  app.get(ADMIN_BASE, read, (_req: Request, res: Response) => {
    const list: EndpointInfo[] = [];
    const ids: string[] = [];
    RED.nodes.eachNode((config) => {
      if (config.type === 'mcp-sse-endpoint') ids.push(config.id);
    });
    for (const id of ids) {
      const node = RED.nodes.getNode(id) as EndpointNode | null;
      const log = node?.endpoint === undefined ? undefined : workbenchOf(node.endpoint);
      if (node !== null && log !== undefined) list.push(infoOf(RED, node, log));
    }
    res.json(list);
  });

  app.get(`${ADMIN_BASE}/:id/sessions`, read, (req: Request, res: Response) => {
    const found = endpointOf(RED, req.params.id, res);
    if (found !== undefined) res.json(sessionList(found.node.endpoint, found.log));
  });

  app.get(`${ADMIN_BASE}/:id/activity`, read, (req: Request, res: Response) => {
    const found = endpointOf(RED, req.params.id, res);
    if (found === undefined) return;
    const since = wholeNumber(req.query.since, 0, 0);
    const limit = wholeNumber(req.query.limit, 1, found.log.size);
    if (since === undefined || limit === undefined) {
      refuse(res, 400, 'invalid_request', 'since must be a whole number from 0 (the seq of an entry already seen), and limit a whole number from 1');
      return;
    }
    res.json({ epoch: found.log.epoch, seq: found.log.seq, entries: found.log.since(since, limit) });
  });

  app.delete(`${ADMIN_BASE}/:id/sessions/:sid`, write, (req: Request, res: Response) => {
    const found = endpointOf(RED, req.params.id, res);
    if (found === undefined) return;
    const session = found.log.sessions.get(req.params.sid);
    if (session === undefined) {
      refuse(res, 404, 'not_found', `Endpoint ${req.params.id} has no open session ${JSON.stringify(req.params.sid)} on this instance`);
      return;
    }
    session.close('server-closed');
    res.status(204).end();
  });

  app.post(`${ADMIN_BASE}/:id/call`, write, (req: Request, res: Response) => {
    const found = endpointOf(RED, req.params.id, res);
    if (found === undefined) return;
    const call = callOf(req.body);
    if (typeof call === 'string') {
      refuse(res, 400, 'invalid_request', call);
      return;
    }
    callFromEditor(found.node.endpoint, call, found.log, call.timeoutMs).then((answer) => res.json(answer), (error: Error) => {
      if (error instanceof EditorCallTimeout) res.status(504).json({ code: 'timeout', message: error.message, progress: error.progress });
      else refuse(res, 500, 'call_failed', error.message);
    });
  });
}
