/**
 * Starts the benchmarked servers, each in its own process, with the memory probe
 * (bench/lib/probe.cjs) preloaded and `--expose-gc`, so memory and CPU are measured per process.
 * Four processes (the package's example and the tutorial's polling flow in node-red, the v1 SDK
 * reference and the v2 SDK's 2026-07-28 reference), reached as seven servers
 * (bench/lib/server-names.ts): the package and the v1 SDK reference serve both transports, the
 * tutorial's flow HTTP+SSE only; the package's Streamable HTTP path and the v2 reference also
 * answer MCP 2026-07-28 statelessly.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ts from 'typescript';
import { SERVERS, type ProcessName, type ServerName } from './server-names';
import { BROADCAST_PATH, packageFlowWithTrigger, triggerFlowFile, tutorialFlowWithTrigger } from './broadcast-trigger';
import { prepareUserDir, startNodeRed, PACKAGE_ROOT } from '../../scripts/node-red-runner.mjs';

export { SERVERS, SERVER_NAMES, type ProcessName, type ServerName } from './server-names';

export interface RunningServer {
  name: ProcessName;
  /** The SSE URL, e.g. http://127.0.0.1:1234/sse; undefined for the 2026-07-28 SDK reference, which has none. */
  sseUrl: string | undefined;
  /** The Streamable HTTP URL, e.g. http://127.0.0.1:1234/mcp; undefined for the tutorial's flow, which has none. */
  mcpUrl: string | undefined;
  /**
   * POST here to broadcast one notification to every session (bench/lib/broadcast-trigger.ts);
   * undefined for the 2026-07-28 SDK reference, which has no sessions.
   */
  broadcastUrl: string | undefined;
  pid: number;
  probePort: number;
  /** What the process has printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A node-red server (the package's example or the tutorial's flow): it always serves HTTP+SSE and the broadcast trigger. */
export interface NodeRedServer extends RunningServer {
  name: 'package' | 'tutorial';
  sseUrl: string;
  broadcastUrl: string;
}

export const ROOT: string = PACKAGE_ROOT;
export const WORK_DIR = path.join(ROOT, 'bench', '.work');
const PROBE = path.join(ROOT, 'bench', 'lib', 'probe.cjs');
const FLOWS: Record<'package' | 'tutorial', string> = {
  package: path.join(ROOT, 'examples', 'tutorial-mcp-server.json'),
  tutorial: path.join(ROOT, 'bench', 'fixtures', 'tutorial-polling-flow.json'),
};

const probeArgs = ['--expose-gc', '--require', PROBE];

function probePortFrom(output: string): number {
  const m = /bench-probe (\d+)/.exec(output);
  if (!m) throw new Error(`the memory probe did not start:\n${output}`);
  return Number(m[1]);
}

/** How to start a server; every field is optional. */
export interface ServerOptions {
  /** Extra node flags for the server's process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** The package's endpoint: *Max sessions* instead of the example's (the endpoint's default, 1000). Ignored by the other servers. */
  maxSessions?: number;
  /** Another build of the package to link instead of this working tree (bench/ab.ts). */
  packageRoot?: string;
}

/**
 * Starts node-red with the package's tutorial example or the tutorial's polling flow, on the Node
 * that runs the bench (process.execPath). Rejects if node-red does not start within 60 s.
 */
export async function startNodeRedServer(name: 'package' | 'tutorial', { nodeArgs = [], maxSessions, packageRoot }: ServerOptions = {}): Promise<NodeRedServer> {
  mkdirSync(WORK_DIR, { recursive: true });
  const userDir = mkdtempSync(path.join(WORK_DIR, `nr-${name}-`));
  const flowsFile = name === 'package'
    ? packageFlowWithTrigger(FLOWS.package, triggerFlowFile(userDir, name), maxSessions)
    : tutorialFlowWithTrigger(FLOWS.tutorial, triggerFlowFile(userDir, name));
  prepareUserDir({ userDir, flowsFile, install: 'link', settings: { logging: { console: { level: 'info', metrics: false, audit: false } } } });
  if (packageRoot !== undefined) {
    const link = path.join(userDir, 'node_modules', 'node-red-contrib-mcp-sse');
    rmSync(link, { recursive: true, force: true });
    symlinkSync(packageRoot, link, 'dir');
  }
  process.env.BENCH_PROBE = '1';
  const running = await startNodeRed({ userDir, nodeArgs: [...probeArgs, ...nodeArgs] });
  // The probe prints its port at preload time, before node-red's own start lines.
  const probePort = probePortFrom(running.output());
  return {
    name,
    sseUrl: `${running.url}/sse`,
    mcpUrl: name === 'package' ? `${running.url}/mcp` : undefined,
    broadcastUrl: `${running.url}${BROADCAST_PATH}`,
    pid: running.pid,
    probePort,
    output: running.output,
    stop: async () => {
      await running.stop();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** The source of each SDK reference process, in bench/. */
const SDK_SOURCES: Record<'sdk' | 'sdk-modern', string> = {
  sdk: 'sdk-server.ts',
  'sdk-modern': 'sdk-modern-server.ts',
};

/**
 * Compiles an SDK reference (bench/sdk-server.ts or bench/sdk-modern-server.ts) to plain CommonJS
 * in bench/.work/, so the reference runs without a TypeScript loader in its process (both SDK
 * generations ship CommonJS builds). Returns the compiled file.
 */
function compiledSdkServer(name: 'sdk' | 'sdk-modern'): string {
  const source = readFileSync(path.join(ROOT, 'bench', SDK_SOURCES[name]), 'utf8');
  const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  const file = path.join(WORK_DIR, `${name}-server.cjs`);
  mkdirSync(WORK_DIR, { recursive: true });
  writeFileSync(file, out.outputText);
  return file;
}

/**
 * Starts a hand-written SDK reference on a free port, on the Node that runs the bench: `sdk`, the
 * v1 SDK's sessions on /sse and /mcp (bench/sdk-server.ts), or `sdk-modern`, the v2 SDK's
 * `createMcpHandler` on /mcp, MCP 2026-07-28 (bench/sdk-modern-server.ts). Rejects if the process
 * exits before it listens.
 */
export function startSdkServer(extraNodeArgs: string[] = [], name: 'sdk' | 'sdk-modern' = 'sdk'): Promise<RunningServer> {
  const file = compiledSdkServer(name);
  const child = spawn(process.execPath, [...probeArgs, ...extraNodeArgs, file, '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_PROBE: '1' },
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = /listening (http:\/\/\S+)/.exec(output);
      if (m && /bench-probe \d+/.test(output)) {
        child.stdout.off('data', check);
        resolve({
          name,
          sseUrl: name === 'sdk' ? `${m[1]}/sse` : undefined,
          mcpUrl: `${m[1]}/mcp`,
          broadcastUrl: name === 'sdk' ? `${m[1]}${BROADCAST_PATH}` : undefined,
          pid: child.pid as number,
          probePort: probePortFrom(output),
          output: () => output,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGINT');
              await exited;
            }
          },
        });
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}:\n${output}`)));
  });
}

/** Starts one of the four processes (see startNodeRedServer and startSdkServer). */
export function startServer(name: ProcessName, options: ServerOptions = {}): Promise<RunningServer> {
  return name === 'sdk' || name === 'sdk-modern' ? startSdkServer(options.nodeArgs, name) : startNodeRedServer(name, options);
}

/**
 * The URL at which `running` serves `name`'s transport (a 2026-07-28 server: its Streamable HTTP
 * path, which serves both eras); throws if that process does not serve it.
 */
export function urlOf(running: RunningServer, name: ServerName): string {
  const url = SERVERS[name].transport === 'sse' ? running.sseUrl : running.mcpUrl;
  if (url === undefined) throw new Error(`${running.name} serves no ${SERVERS[name].transport}`);
  return url;
}

/** The process's own CPU time so far (process.cpuUsage(), user + system), in µs, from the probe: finer than /proc's 10 ms ticks. */
export function probeCpuMicros(server: RunningServer): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${server.probePort}/mem`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const { cpu } = JSON.parse(body) as { cpu: { user: number; system: number } };
        resolve(cpu.user + cpu.system);
      });
    }).on('error', reject);
  });
}

/** Memory of a server process: RSS from /proc, the V8 heap from the probe (after a full GC). Bytes. */
export async function memoryOf(server: RunningServer): Promise<{ rss: number; heapUsed: number }> {
  const probe = await new Promise<{ heapUsed: number }>((resolve, reject) => {
    http.get(`http://127.0.0.1:${server.probePort}/mem?gc=1`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return { rss: rssKb * 1024, heapUsed: probe.heapUsed };
}

/** CPU time (user + system) the process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may contain spaces).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;
