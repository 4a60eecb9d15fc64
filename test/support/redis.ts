/**
 * A real redis-server (Debian's package; `.ci/run` installs it) on a free 127.0.0.1 port, with no
 * persistence, that a test can stop and start again on the same port.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { RedisLink } from '../../core/cluster/redis-link';
import { waitFor } from './core-server';

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stops the server (SIGKILL: its data is gone, as after a crash). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/** True when `redis-server` is on PATH. */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A port free on 127.0.0.1 now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts connections on `port`, or rejects after `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const start = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - start > timeoutMs) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts redis-server on a free port (throws when it is not installed), with `args` added (e.g.
 * `--requirepass`). With `tls` (certificate, key and CA files), the port speaks TLS only and the
 * URL is `rediss://`.
 */
export async function startRedis(args: string[] = [], tls?: { cert: string; key: string; ca: string }): Promise<RunningRedis> {
  if (!redisServerAvailable()) throw new Error('redis-server is not installed: .ci/run installs it (Debian: apt-get install redis-server)');
  const port = await freePort();
  const ports = tls === undefined
    ? ['--port', String(port)]
    : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no'];
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', [...ports, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning', ...args], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  process.once('exit', () => child?.kill('SIGKILL'));
  return { url: `${tls === undefined ? 'redis' : 'rediss'}://127.0.0.1:${port}`, port, stop, start };
}

/** A throw-away CA and a certificate for 127.0.0.1 signed by it (openssl), for Redis over TLS. */
export function makeTlsFiles(): { cert: string; key: string; ca: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-redis-tls-'));
  const file = (name: string): string => path.join(dir, name);
  const run = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test CA', '-keyout', file('ca.key'), '-out', file('ca.crt'));
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('ext.cnf'), '-out', file('server.crt'));
  return { cert: file('server.crt'), key: file('server.key'), ca: file('ca.crt') };
}

/**
 * Starts a redis-server and a {@link RedisLink} to it, and resolves once the link is up.
 * @param subscribe called before the link starts, for subscriptions that must be in place once it is up.
 * @returns both, and `stop()`, which closes the link, then the server.
 */
export async function startRedisLink(subscribe?: (link: RedisLink) => void): Promise<{ redis: RunningRedis; link: RedisLink; stop(): Promise<void> }> {
  const redis = await startRedis();
  const link = new RedisLink({ url: redis.url });
  subscribe?.(link);
  link.start();
  await waitFor(() => link.up, 5000, 'the link');
  return {
    redis,
    link,
    stop: async () => {
      await link.close();
      await redis.stop();
    },
  };
}
