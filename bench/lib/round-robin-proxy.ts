/**
 * A small HTTP load balancer on 127.0.0.1, for the several-instances tests and `npm run
 * bench:cluster` (it lives in bench/lib because bench/ never imports from test/): each request goes
 * to the next upstream in turn, with no stickiness of any kind (not by client, cookie, header or
 * query string). An upstream that refuses the connection is skipped and the request goes to the
 * next one, as nginx's `proxy_next_upstream error` does (the request never reached it), and it is
 * left out for 5 s (nginx's `fail_timeout`). Responses, event streams included, are passed through
 * as they arrive.
 *
 * It also notes which upstream opened each session (the `Mcp-Session-Id` of an `initialize`
 * answer, the `sessionId` in an SSE `endpoint` event), so a test can tell whose clients a crash hits,
 * and, when asked to (`record`), which upstream answered each request, with its body: stateless
 * (MCP 2026-07-28) requests carry no session, so their bodies are what tells them apart.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request passed on (recorded with `record: true`). */
export interface ForwardedRequest {
  /** The upstream (base URL) that answered it. */
  upstream: string;
  /** The HTTP method and the path with its query string. */
  method: string;
  path: string;
  /** The request body as sent (UTF-8). */
  body: string;
  /** The upstream's HTTP status. */
  status: number;
}

export interface RoundRobinProxy {
  url: string;
  /** Replaces the upstreams (base URLs). */
  setUpstreams(upstreams: string[]): void;
  /** The upstream that opened session `id`, if seen. */
  ownerOf(id: string): string | undefined;
  /** Requests passed on, per upstream. */
  counts: Map<string, number>;
  /** Every request answered, in the order the answers began (empty unless `record` was set). */
  forwarded: ForwardedRequest[];
  close(): Promise<void>;
}

const SESSION_IN_ENDPOINT_EVENT = /sessionId=([0-9a-f-]{36})/;

/**
 * Starts the balancer in front of `upstreams` (base URLs) on a free 127.0.0.1 port.
 * @param options.record keep a {@link ForwardedRequest} for each request (bodies included).
 */
export async function startRoundRobinProxy(upstreams: string[], options: { record?: boolean } = {}): Promise<RoundRobinProxy> {
  let targets = [...upstreams];
  let next = 0;
  const owners = new Map<string, string>();
  const counts = new Map<string, number>();
  const forwarded: ForwardedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => attempt(req, res, Buffer.concat(chunks), new Set()));
  });

  /** Upstreams that refused a connection, until when (ms): skipped meanwhile, as nginx's `fail_timeout`. */
  const resting = new Map<string, number>();

  function pick(tried: Set<string>): string | undefined {
    const now = Date.now();
    for (let i = 0; i < targets.length; i++) {
      const target = targets[next++ % targets.length];
      if (!tried.has(target) && (resting.get(target) ?? 0) <= now) return target;
    }
    return targets.find((t) => !tried.has(t));
  }

  function attempt(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tried: Set<string>): void {
    const target = pick(tried);
    if (target === undefined) {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('no upstream answered');
      return;
    }
    tried.add(target);
    const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers, agent: false }, (answer) => {
      counts.set(target, (counts.get(target) ?? 0) + 1);
      if (options.record === true) forwarded.push({ upstream: target, method: req.method ?? '', path: req.url ?? '/', body: body.toString('utf8'), status: answer.statusCode ?? 0 });
      const opened = answer.headers['mcp-session-id'];
      if (typeof opened === 'string' && req.headers['mcp-session-id'] === undefined) owners.set(opened, target);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      let sniffing = req.method === 'GET' && req.headers['mcp-session-id'] === undefined;
      answer.on('data', (chunk: Buffer) => {
        if (sniffing) {
          const found = SESSION_IN_ENDPOINT_EVENT.exec(chunk.toString('utf8'));
          if (found !== null) {
            owners.set(found[1], target);
            sniffing = false;
          }
        }
        res.write(chunk);
      });
      answer.on('end', () => res.end());
      answer.on('error', () => res.destroy());
      answer.on('aborted', () => res.destroy());
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      // Refused or reset while connecting: the request never reached it, so the next one gets it.
      if (res.headersSent) {
        res.destroy();
      } else if (error.syscall === 'connect') {
        resting.set(target, Date.now() + 5000);
        attempt(req, res, body, tried);
      } else {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`upstream failed: ${error.message}`);
      }
    });
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstreams: (list) => {
      targets = [...list];
    },
    ownerOf: (id) => owners.get(id),
    counts,
    forwarded,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The balancer in a process of its own (see {@link startRoundRobinProxyProcess}). */
export interface RoundRobinProxyProcess {
  url: string;
  /** Requests passed on so far, per upstream. */
  counts(): Promise<Map<string, number>>;
  /** Stops the balancer and its process. */
  close(): Promise<void>;
}

type ChildMessage = { url: string } | { counts: Array<[string, number]> };

/**
 * Starts the balancer in front of `upstreams` in a child process (Node with tsx), as a real
 * balancer is a process of its own: a benchmark's clients and the balancer then do not queue on
 * one event loop. Rejects if the child exits before it listens.
 */
export function startRoundRobinProxyProcess(upstreams: string[]): Promise<RoundRobinProxyProcess> {
  const child = fork(__filename, upstreams, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<ChildMessage> => new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`the balancer process exited (${String(code)})`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message as ChildMessage);
    });
  });
  return next().then((started) => ({
    url: (started as { url: string }).url,
    counts: async () => {
      const answer = next();
      child.send('counts');
      return new Map((await answer as { counts: Array<[string, number]> }).counts);
    },
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send('close');
    }),
  }));
}

// The child of startRoundRobinProxyProcess: upstreams in argv, commands on the IPC channel.
if (require.main === module && process.send !== undefined) {
  void startRoundRobinProxy(process.argv.slice(2)).then((proxy) => {
    process.on('message', (command) => {
      if (command === 'counts') process.send?.({ counts: [...proxy.counts.entries()] });
      if (command === 'close') void proxy.close().then(() => process.exit(0));
    });
    process.on('disconnect', () => process.exit(0));
    process.send?.({ url: proxy.url });
  });
}
