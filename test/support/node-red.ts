/**
 * End-to-end support: the real node-red binary with this package installed from its packed
 * tarball (as a user installs it), and the official MCP SDK client.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { packPackage, prepareUserDir, startNodeRed, PACKAGE_ROOT } from '../../scripts/node-red-runner.mjs';

export { PACKAGE_ROOT };

export interface RunningNodeRed {
  url: string;
  userDir: string;
  /** The node-red process id (to kill it as a crash would). */
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

let packed: string | undefined = process.env.MCP_TEST_TARBALL || undefined;
/**
 * The packed package: the one `npm test` packed once for every test file (MCP_TEST_TARBALL), or
 * `npm pack`ed once per test process when a file runs on its own.
 */
export function packedTarball(): string {
  if (packed === undefined) packed = packPackage(mkdtempSync(path.join(os.tmpdir(), 'mcp-pack-')));
  return packed;
}

/**
 * Starts node-red on a free port with a flow file, and this package installed from its tarball.
 * @param options.node / options.bin run another Node or node-red version (Node-RED 5 needs Node 22).
 * @param options.port listen on this port instead of a free one.
 * @param options.credentials the flow's credentials by node id (`flows_cred.json`).
 * @param options.env extra environment variables for node-red.
 */
export async function startNodeRedWith(flowsFile: string, options: { settings?: Record<string, unknown>; node?: string; bin?: string; install?: 'link' | 'tarball'; port?: number; credentials?: Record<string, object>; env?: Record<string, string> } = {}): Promise<RunningNodeRed> {
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-nr-'));
  prepareUserDir({ userDir, flowsFile, install: options.install === 'link' ? 'link' : packedTarball(), settings: options.settings ?? {} });
  // Credentials by node id, as the editor would have saved them (unencrypted: credentialSecret is false).
  if (options.credentials !== undefined) writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(options.credentials));
  return runIn(userDir, options);
}

/** Starts node-red on a prepared user dir (on `port`, or a free one); stopping it removes the dir. */
async function runIn(userDir: string, options: { node?: string; bin?: string; port?: number; env?: Record<string, string> }): Promise<RunningNodeRed> {
  const running = await startNodeRed({ userDir, node: options.node ?? process.execPath, ...(options.bin ? { bin: options.bin } : {}), ...(options.port ? { port: options.port } : {}), env: options.env ?? {} });
  return {
    url: running.url,
    userDir,
    pid: running.pid,
    output: running.output,
    stop: async () => {
      await running.stop();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** Connects the official SDK client over HTTP+SSE (`SSEClientTransport`) to `sseUrl`. */
export async function connectSdkClient(sseUrl: string): Promise<Client> {
  const client = new Client({ name: 'e2e-test', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(sseUrl)));
  return client;
}

/** The example flow file. */
export const TUTORIAL_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'tutorial-mcp-server.json');

/** The tutorial behind OAuth 2.1 (issuer, resource and scopes from environment variables). */
export const OAUTH_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'oauth-server.json');

/**
 * Starts node-red the way a new user has it: an empty user dir (empty flow, nothing installed,
 * default settings apart from listening on 127.0.0.1 and a free port).
 * @param options.node / options.bin run another Node or node-red version.
 */
export async function startNewUserNodeRed(options: { node?: string; bin?: string } = {}): Promise<RunningNodeRed> {
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-nr-new-'));
  prepareUserDir({ userDir, install: 'none' });
  return runIn(userDir, options);
}
