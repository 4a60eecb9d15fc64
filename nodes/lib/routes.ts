/**
 * HTTP routes on Node-RED's `RED.httpNode` that survive any number of deploys.
 *
 * Express 4 has no supported way to remove a route, and core `http in` removes its routes by
 * splicing the router's private stack by path, which can remove another node's route. Here each
 * method + path gets one Express route per process, registered the first time a node asks for it;
 * the route looks up the node currently serving it on every request. A node that closes only
 * clears its entry, so deploys never stack, leak or remove routes. A request that arrives while a
 * redeploy has no node serving the route waits for the next one: until the deploy is done
 * ({@link settleParked}); at most as long as {@link deployBegan} said, or, when no deploy was
 * announced, {@link REDEPLOY_GRACE_MS}.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { sendMethodNotAllowed } from '../../core';

export type Method = 'get' | 'post' | 'delete';
export type RouteHandler = (req: Request, res: Response, next: NextFunction) => void;

/** Who serves a route now. */
interface Entry {
  ownerId: string;
  handler: RouteHandler;
  /** A fallback entry serves only while this says so, and only when no node serves the route. */
  when?: () => boolean;
}

/** Per Express app (one per runtime; tests start several): the routes made, and who serves each now. */
interface Table {
  made: Set<string>;
  live: Map<string, Entry>;
  /** Who serves a route when no node does (an endpoint config node with declarations). */
  fallback: Map<string, Entry>;
  /** CORS preflight handler per path, when `httpNodeCors` is set. */
  preflight: Map<string, RouteHandler>;
  /** Requests that arrived while their route had no owner (a redeploy), by route key. */
  parked: Map<string, Array<() => void>>;
  /** When each route last changed hands (epoch ms), until the deploy is done: a request waits only then. */
  changedAt: Map<string, number>;
  /** While a deploy is under way ({@link deployBegan}): the latest a request waits for a route's owner (epoch ms); 0 otherwise. */
  deployUntil: number;
}

/**
 * How long a request waits for its route's next owner when it arrives between a node's close
 * and its replacement's start (a redeploy) that no {@link deployBegan} announced, in ms. After
 * that it gets Express's 404.
 */
export const REDEPLOY_GRACE_MS = 3000;
const tables = new WeakMap<Express, Table>();

function tableOf(app: Express): Table {
  let table = tables.get(app);
  if (table === undefined) {
    table = { made: new Set(), live: new Map(), fallback: new Map(), preflight: new Map(), parked: new Map(), changedAt: new Map(), deployUntil: 0 };
    tables.set(app, table);
  }
  return table;
}

/** Thrown when a second node asks for a method + path that another node serves. */
export class RouteConflictError extends Error {
  constructor(readonly method: Method, readonly path: string, readonly ownerId: string) {
    super(`${method.toUpperCase()} ${path} is already served by node ${ownerId}`);
    this.name = 'RouteConflictError';
  }
}

/** The entry that serves a route now: its node's, else a fallback that is on. */
function servingEntry(table: Table, key: string): Entry | undefined {
  const live = table.live.get(key);
  if (live !== undefined) return live;
  const fallback = table.fallback.get(key);
  return fallback?.when?.() === true ? fallback : undefined;
}

/**
 * Serves `method path` with `handler` on behalf of node `ownerId`, after `middleware` (Node-RED's
 * `httpNodeMiddleware`, CORS, ...), which is fixed the first time the path is registered.
 * @param fallbackWhen makes this a fallback: it serves the route only while no node serves it and
 *   `fallbackWhen()` is true (an endpoint config node serving its own paths once something is
 *   declared on it, when no `mcp message in` does).
 * @returns a function that stops serving it (the path then answers 404 through Express).
 * @throws RouteConflictError when another node already serves the same method and path (in the
 *   same role: node or fallback).
 */
export function serveRoute(
  app: Express,
  method: Method,
  path: string,
  ownerId: string,
  handler: RouteHandler,
  middleware: RouteHandler[] = [],
  preflight?: RouteHandler,
  fallbackWhen?: () => boolean,
): () => void {
  const table = tableOf(app);
  const { made } = table;
  const live = fallbackWhen === undefined ? table.live : table.fallback;
  if (preflight !== undefined) table.preflight.set(path, preflight);
  const key = `${method} ${path}`;
  const current = live.get(key);
  if (current !== undefined && current.ownerId !== ownerId) {
    // Two endpoints on one path: the editor and the nodes that serve it report that; the second
    // endpoint simply does not stand in for them.
    if (fallbackWhen !== undefined) return () => {};
    throw new RouteConflictError(method, path, current.ownerId);
  }
  const entry: Entry = fallbackWhen === undefined ? { ownerId, handler } : { ownerId, handler, when: fallbackWhen };
  live.set(key, entry);
  table.changedAt.set(key, Date.now());
  // Requests waiting for an owner go on, when this one serves now (a fallback may not yet).
  const parked = servingEntry(table, key) === undefined ? undefined : table.parked.get(key);
  if (parked !== undefined) {
    table.parked.delete(key);
    for (const resume of parked) resume();
  }
  if (!made.has(key)) {
    made.add(key);
    const dispatch: RouteHandler = (req, res, next) => {
      const serving = servingEntry(table, key);
      if (serving !== undefined) {
        serving.handler(req, res, next);
        return;
      }
      // No owner now: most likely a redeploy between one node's close and the next one's start.
      // Wait for the next owner instead of dropping the request (until the deploy is done, or
      // briefly when none was announced); a route that nobody has served since a deploy
      // finished answers 404 at once.
      const now = Date.now();
      const changedAt = table.changedAt.get(key);
      const deploying = now < table.deployUntil;
      if (!deploying && (changedAt === undefined || now - changedAt >= REDEPLOY_GRACE_MS)) {
        next();
        return;
      }
      let done = false;
      const resume = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const owner = servingEntry(table, key);
        // (A request whose body was read already counts as destroyed: only the response matters.)
        if (res.destroyed || res.writableEnded || res.headersSent) return;
        if (owner === undefined) next();
        else owner.handler(req, res, next);
      };
      const timer = setTimeout(() => {
        const list = table.parked.get(key);
        if (list !== undefined) {
          const i = list.indexOf(resume);
          if (i !== -1) list.splice(i, 1);
          if (list.length === 0) table.parked.delete(key);
        }
        resume();
      }, deploying ? table.deployUntil - now : REDEPLOY_GRACE_MS);
      timer.unref();
      const list = table.parked.get(key) ?? [];
      list.push(resume);
      table.parked.set(key, list);
    };
    app[method](path, ...middleware, dispatch);
  }
  const guardKey = `* ${path}`;
  if (!made.has(guardKey)) {
    made.add(guardKey);
    app.all(path, methodGuard(table, path));
  }
  return () => {
    if (live.get(key) !== entry) return;
    live.delete(key);
    table.changedAt.set(key, Date.now());
  };
}

/**
 * A deploy begins (Node-RED's `flows:stopping`): until it is done ({@link settleParked}), at most
 * `maxMs`, a request for a route without an owner waits for the next one.
 */
export function deployBegan(app: Express, maxMs: number): void {
  tableOf(app).deployUntil = Date.now() + maxMs;
}

/**
 * A deploy is done (Node-RED's `flows:started`): every request still waiting for its route's
 * next owner goes on now, to the node that serves the route, or to Express's 404 when none does;
 * until the next deploy, a route without an owner answers 404 at once.
 */
export function settleParked(app: Express): void {
  const table = tables.get(app);
  if (table === undefined) return;
  table.changedAt.clear();
  table.deployUntil = 0;
  const parked = [...table.parked.values()];
  table.parked.clear();
  for (const list of parked) for (const resume of list) resume();
}

/**
 * The route behind a path's method routes: answers a CORS preflight (`OPTIONS`, when
 * `httpNodeCors` is set) and any method the path is not served for with 405, `Allow` and a
 * JSON-RPC error body. Passes on when no node serves the path now (Express then answers 404).
 */
function methodGuard(table: Table, path: string): RouteHandler {
  return (req, res, next) => {
    const methods: string[] = [];
    for (const method of ['get', 'post', 'delete'] as const) {
      if (servingEntry(table, `${method} ${path}`) !== undefined) methods.push(method.toUpperCase());
    }
    if (methods.length === 0) {
      next();
      return;
    }
    const preflight = table.preflight.get(path);
    if (req.method === 'OPTIONS' && preflight !== undefined) {
      preflight(req, res, next);
      return;
    }
    if (methods.includes(req.method)) {
      next();
      return;
    }
    sendMethodNotAllowed(res, req.method, methods);
  };
}
